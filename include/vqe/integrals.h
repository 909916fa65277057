/* integrals.h — one- and two-electron integrals over a vqe_basis, computed by libint2 through a
 * single C++ bridge file (src/integrals/libint_bridge.cpp). Used by the SCF and Hamiltonian layers.
 * All matrices are nbf x nbf, row-major, in the AO order of basis.h, hartree units. */
#ifndef VQE_INTEGRALS_H
#define VQE_INTEGRALS_H

#include "vqe/common.h"
#include "vqe/basis.h"
#include "vqe/molecule.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Index of the pair (i, j), i >= j, in lower-triangular packed order. */
static inline size_t vqe_pair_index(size_t i, size_t j)
{
  return i >= j ? i * (i + 1) / 2 + j : j * (j + 1) / 2 + i;
}
/* Index of (ij|kl) in the 8-fold packed ERI array: vqe_pair_index(vqe_pair_index(i,j), vqe_pair_index(k,l)). */
static inline size_t vqe_eri_index(size_t i, size_t j, size_t k, size_t l)
{
  return vqe_pair_index(vqe_pair_index(i, j), vqe_pair_index(k, l));
}

typedef struct {
  int nbf;
  double *S;     /* overlap */
  double *T;     /* kinetic */
  double *V;     /* nuclear attraction (point charges at the atoms) */
  double *eri;   /* (ij|kl), chemists' notation, 8-fold packed: npair*(npair+1)/2, npair = nbf(nbf+1)/2 */
  size_t n_eri;
  double schwarz_threshold;   /* shell quartets with bound below this were skipped (set to 0) */
  size_t n_quartets_computed, n_quartets_screened;
  double time_one_body, time_eri;   /* seconds */
} vqe_integrals;

/* Bytes the packed ERI array needs for nbf functions. */
uint64_t vqe_integrals_eri_bytes(int nbf);
/* Compute S, T, V and the ERIs (OpenMP over shell quartets; Schwarz screening at 1e-14 by default
 * when threshold < 0). Checks memory first (VQE_ERR_RESOURCE with needed vs available). */
vqe_status vqe_integrals_compute(const vqe_basis *basis, const vqe_molecule *mol, double schwarz_threshold,
                                 vqe_integrals *ints, vqe_error *err);
void vqe_integrals_free(vqe_integrals *ints);

#ifdef __cplusplus
}
#endif
#endif
