/* fci.h — exact ground state of an active-space Hamiltonian (FCI, or CASCI when the Hamiltonian is an
 * active space) in the (N_alpha, N_beta) sector by a determinant-based Davidson solver. Used by
 * `vqe fci`, `vqe hamiltonian`, the VQE driver (reference energies) and the tests.
 *
 * Determinants are pairs of α and β strings (Knowles & Handy, Chem. Phys. Lett. 111, 315 (1984);
 * Olsen et al., J. Chem. Phys. 89, 2185 (1988)). A string is a bit mask of occupied spatial orbitals
 * (bit p = orbital p); strings of a given length are indexed in increasing order of their masks. The
 * determinant (Iα, Iβ) is  α†_{p1}…α†_{pa} β†_{q1}…β†_{qb} |vac⟩  with p1 < … < pa, q1 < … < qb, and
 * CI coefficient ci[Iα * n_beta_strings + Iβ]. The sigma vector uses the one-particle coupling
 * coefficients ⟨K|E_pq|J⟩ twice (resolution of the identity, the Knowles–Handy scheme), with the
 * two-electron contraction a dgemm over orbital pairs; OpenMP over determinants; LAPACK (dsyev) for the
 * Davidson subspace. */
#ifndef VQE_FCI_H
#define VQE_FCI_H

#include "vqe/common.h"
#include "vqe/hamiltonian.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double e_conv;         /* |ΔE| between iterations, default 1e-10 */
  double r_conv;         /* residual norm, default 1e-6 (energy error ~ r^2) */
  int max_iter;          /* default 200 */
  int max_subspace;      /* default 24 (then collapse to the current vector and the last correction) */
  int verbose;           /* iterations to stderr */
} vqe_fci_options;

void vqe_fci_options_default(vqe_fci_options *o);

typedef struct {
  int norb, n_alpha, n_beta;
  size_t n_astr, n_bstr;  /* number of α and β strings */
  size_t n_det;           /* n_astr * n_bstr */
  double energy;          /* total: electronic + E_core */
  double *ci;             /* n_det coefficients, normalised, largest coefficient positive */
  int iterations;
  int converged;
  double residual;        /* final residual norm */
  double time;            /* seconds */
} vqe_fci_result;

/* Lowest eigenpair of ham in its (n_alpha, n_beta) sector. Non-convergence returns VQE_ERR_COMPUTE
 * (result still filled). Memory is checked first (VQE_ERR_RESOURCE): the sigma build holds two
 * n_det x norb(norb+1)/2 arrays. */
vqe_status vqe_fci_solve(const vqe_mo_hamiltonian *ham, const vqe_fci_options *opt, vqe_fci_result *res,
                         vqe_error *err);
void vqe_fci_result_free(vqe_fci_result *res);

/* ⟨S²⟩ of a normalised CI vector: S_z(S_z+1) + N_β − Σ_pq ⟨E^β_pq E^α_qp⟩ (from S² = S_−S_+ + S_z(S_z+1),
 * S_+ = Σ_p a†_pα a_pβ). 0 for a singlet, 0.75 for a doublet, 2 for a triplet. */
vqe_status vqe_fci_s2(const vqe_fci_result *res, double *s2, vqe_error *err);

/* Number of determinants C(norb, n_alpha) * C(norb, n_beta) (SIZE_MAX on overflow). */
size_t vqe_fci_n_determinants(int norb, int n_alpha, int n_beta);

/* sigma = (H − E_core) c for a CI vector in this solver's determinant order (for checks). */
vqe_status vqe_fci_sigma(const vqe_mo_hamiltonian *ham, const double *c, double *sigma, vqe_error *err);

/* Mask of the string with index `idx` among strings of nel electrons in norb orbitals. */
uint64_t vqe_fci_string(int norb, int nel, size_t idx);

/* Expand a CI vector into the 2^(2 norb) qubit statevector (real amplitudes; zero outside the sector)
 * in the interleaved Jordan–Wigner order of hamiltonian.h: spin orbital 2p = α p, 2p+1 = β p, qubit j
 * = bit j, basis state |b⟩ = Π_{j in b, ascending} a†_j |vac⟩. The reordering of α…α β…β into
 * ascending interleaved order gives the sign (−1)^{#{(p,q): p in α, q in β, p > q}}. norb <= 15. */
vqe_status vqe_fci_to_statevector(const vqe_fci_result *res, double *psi, vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
