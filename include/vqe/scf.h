/* scf.h — restricted (RHF) and restricted open-shell (ROHF) Hartree–Fock with DIIS, SAD/GWH/core
 * guesses and an orbital-Hessian stability check. Used by the Hamiltonian layer and `vqe scf`.
 * References: Pulay, Chem. Phys. Lett. 73, 393 (1980); J. Comput. Chem. 3, 556 (1982);
 * ROHF effective Fock operator: Guest & Saunders, Mol. Phys. 28, 819 (1974); canonicalisation as
 * psi4 (Fα+Fβ)/2 within the closed, open and virtual blocks. */
#ifndef VQE_SCF_H
#define VQE_SCF_H

#include "vqe/common.h"
#include "vqe/molecule.h"
#include "vqe/basis.h"
#include "vqe/integrals.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { VQE_GUESS_SAD = 0, VQE_GUESS_GWH = 1, VQE_GUESS_CORE = 2 } vqe_scf_guess;

typedef struct {
  int max_iter;            /* default 100 */
  double e_conv;           /* |ΔE| threshold, default 1e-10 */
  double g_conv;           /* orbital-gradient norm threshold, default 1e-8 */
  vqe_scf_guess guess;     /* default SAD */
  int diis_size;           /* default 8; 0 disables DIIS */
  double lindep;           /* canonical-orthogonalisation threshold on S eigenvalues, default 1e-7 */
  int stability;           /* compute the lowest orbital-Hessian eigenvalue */
  int follow;              /* follow an instability to a lower solution (implies stability) */
  int verbose;             /* print iterations to stderr */
} vqe_scf_options;

void vqe_scf_options_default(vqe_scf_options *o);

typedef struct {
  int is_rohf;             /* 0 RHF, 1 ROHF */
  int nbf, nmo;            /* nmo < nbf when linear dependencies were removed */
  int n_alpha, n_beta;     /* docc = n_beta, socc = n_alpha - n_beta */
  double e_nuc, e_elec, e_total;
  double *C;               /* nbf x nmo row-major: C[mu*nmo + p] = coefficient of AO mu in MO p */
  double *eps;             /* nmo orbital energies: eigenvalues of F (RHF) or of (Fa+Fb)/2 within the
                              closed, open and virtual blocks (ROHF, as psi4), ascending in each block */
  double *occ;             /* nmo occupations: 2, 1 or 0 */
  double *H;               /* nbf x nbf core Hamiltonian T + V (kept for the MO transformation) */
  int iterations;
  int converged;
  double last_de, last_grad;  /* last energy change; Frobenius norm of the antisymmetrised off-diagonal
                                 (closed/open/virtual) blocks of the effective MO Fock matrix */
  double stability_lowest; /* lowest eigenvalue of d2E/dk2 over real rotations C -> C exp(k) between
                              closed, open and virtual orbitals (RHF: 4 x the singlet A+B matrix),
                              hartree; by Davidson on finite-difference Hessian-vector products;
                              NAN when not computed. Stable when > -1e-5 (zero modes of degenerate
                              open shells give ~0). */
  int stable;              /* 1 minimum, 0 saddle point, -1 not checked */
  double time_total;
} vqe_scf_result;

/* Run SCF. Integrals must be computed for (basis, mol). Not converging returns VQE_ERR_COMPUTE with
 * "SCF did not converge in N iterations (last ΔE ..., gradient ...)" — the result is still filled
 * (converged = 0) for inspection. */
vqe_status vqe_scf_run(const vqe_molecule *mol, const vqe_basis *basis, const vqe_integrals *ints,
                       const vqe_scf_options *opt, vqe_scf_result *res, vqe_error *err);
void vqe_scf_result_free(vqe_scf_result *res);

#ifdef __cplusplus
}
#endif
#endif
