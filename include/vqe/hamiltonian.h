/* hamiltonian.h — the electronic Hamiltonian of an active space in the molecular-orbital basis, its
 * Jordan–Wigner qubit form, and FCIDUMP input/output. Built from an SCF result; consumed by the FCI
 * solver (fci.h), the statevector engine and the VQE driver.
 *
 * H = E_core + Σ_pq h_pq Σ_σ a†_pσ a_qσ + ½ Σ_pqrs (pq|rs) Σ_στ a†_pσ a†_rτ a_sτ a_qσ
 * (chemists' notation, real orbitals, hartree). Spin orbitals are interleaved: spin orbital 2p is
 * α of spatial orbital p, 2p+1 is β; qubit j = spin orbital j; JW a†_j = Z_0…Z_{j-1}(X_j − iY_j)/2. */
#ifndef VQE_HAMILTONIAN_H
#define VQE_HAMILTONIAN_H

#include <stdio.h>
#include "vqe/common.h"
#include "vqe/pauli.h"
#include "vqe/molecule.h"
#include "vqe/integrals.h"
#include "vqe/scf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Integrals of an active space of norb spatial orbitals with n_alpha + n_beta active electrons. */
typedef struct {
  int norb;
  int n_alpha, n_beta;   /* active electrons */
  double e_core;         /* nuclear repulsion + frozen (inactive) core energy */
  double e_nuc;          /* nuclear repulsion alone */
  double *h;             /* norb*norb row-major, h[p*norb+q], including the inactive mean field */
  double *eri;           /* norb^4 row-major, (pq|rs) at ((p*norb+q)*norb+r)*norb+s */
  int n_frozen;          /* inactive doubly occupied orbitals below the active space */
  int ms2;               /* 2 S_z = n_alpha - n_beta */
} vqe_mo_hamiltonian;

void vqe_mo_hamiltonian_free(vqe_mo_hamiltonian *ham);   /* accepts NULL / zeroed */
/* Allocate h and eri (zeroed) for norb orbitals; checks memory (VQE_ERR_RESOURCE). */
vqe_status vqe_mo_hamiltonian_alloc(vqe_mo_hamiltonian *ham, int norb, vqe_error *err);
/* Deep copy; dst must be uninitialised or freed. */
vqe_status vqe_mo_hamiltonian_copy(vqe_mo_hamiltonian *dst, const vqe_mo_hamiltonian *src, vqe_error *err);

/* ---- Active space (CASCI convention) ----------------------------------------------------------
 * The n_frozen lowest orbitals are inactive and doubly occupied; the next n_active orbitals hold
 * n_alpha + n_beta active electrons; higher orbitals are discarded. Inactive energy goes into
 * E_core, their Coulomb/exchange mean field into h. */
typedef struct {
  int n_frozen;            /* inactive doubly occupied orbitals */
  int n_active;            /* active spatial orbitals */
  int n_alpha, n_beta;     /* active electrons */
} vqe_active_space;

#define VQE_FROZEN_NOT_GIVEN (-2)
#define VQE_FROZEN_AUTO (-1)

/* Resolve the user's request into an active space.
 *   frozen_core: >= 0 count, VQE_FROZEN_AUTO (chemical core of mol: 1 per Li–Ne, 5 per Na–Ar, 9 per
 *                K–Kr; needs mol), VQE_FROZEN_NOT_GIVEN (0, or (N − E)/2 when active_electrons is set)
 *   active_orbitals: < 0 all remaining orbitals; active_electrons: < 0 all not frozen.
 * nmo, n_alpha, n_beta describe the full space (n_alpha − n_beta = 2S). mol may be NULL unless auto.
 * Impossible requests (too many frozen orbitals, more active electrons than fit, parity that does
 * not match the spin, ...) return VQE_ERR_INPUT with the allowed range. `what` names the source in
 * messages (e.g. the molecule path); may be NULL. */
vqe_status vqe_active_space_resolve(const vqe_molecule *mol, int nmo, int n_alpha, int n_beta,
                                    int frozen_core, int active_orbitals, int active_electrons,
                                    vqe_active_space *as, vqe_error *err);

/* Build the active-space Hamiltonian from an SCF result: the MO integrals of orbitals
 * 0..n_frozen+n_active-1 by four quarter transformations (dgemm, O(N^5), OpenMP over AO pairs) of
 * the 8-fold packed AO ERIs, then vqe_mo_hamiltonian_restrict. as == NULL: full space.
 * Blocks of degenerate orbitals (|Δε| < 1e-6 Eh, same occupation, same side of the frozen boundary)
 * are first rotated to a canonical form (eigenvectors of C_b^T diag(1..nbf) C_b: π pairs aligned with
 * the axes), so the Pauli term count and 1-norm do not depend on the rotation the SCF returned;
 * energies are unaffected. */
vqe_status vqe_mo_hamiltonian_build(const vqe_scf_result *scf, const vqe_integrals *ints,
                                    const vqe_active_space *as, vqe_mo_hamiltonian *ham, vqe_error *err);

/* Freeze the first as->n_frozen orbitals of `full` (doubly occupied) and keep the next as->n_active:
 * E_core += Σ_i 2h_ii + Σ_ij [2(ii|jj) − (ij|ji)], h_tu += Σ_i [2(tu|ii) − (ti|iu)]. The electron
 * counts of `as` are taken as given (validate with vqe_active_space_resolve). */
vqe_status vqe_mo_hamiltonian_restrict(const vqe_mo_hamiltonian *full, const vqe_active_space *as,
                                       vqe_mo_hamiltonian *out, vqe_error *err);

/* Energy of the determinant occupying the lowest n_alpha α and n_beta β orbitals (the HF / ROHF
 * reference when the orbitals are the canonical SCF ones), E_core included. */
double vqe_mo_hamiltonian_hf_energy(const vqe_mo_hamiltonian *ham);

/* ---- Jordan–Wigner ----------------------------------------------------------------------------
 * Qubit Hamiltonian on 2·norb qubits built directly from the integrals: every a†a and a†a†aa term is
 * expanded into Majorana products (a_j = (c_j + i d_j)/2, c_j = Z_<j X_j, d_j = Z_<j Y_j), like Pauli
 * strings are merged in a hash table, the identity carries E_core, and terms with |c| < cutoff are
 * dropped (cutoff < 0: VQE_JW_CUTOFF_DEFAULT). Output sorted as vqe_pauli_sum_simplify leaves it.
 * norb <= 32 (64 qubits in the masks). */
#define VQE_JW_CUTOFF_DEFAULT 1e-12
vqe_status vqe_hamiltonian_jordan_wigner(const vqe_mo_hamiltonian *ham, double cutoff, vqe_pauli_sum *out,
                                         vqe_error *err);

/* Write the Pauli sum in OpenFermion's QubitOperator text format: one term per line,
 * "<coeff> [X0 Y1 Z3] +", identity as "[]", the last line without " +". Loadable with
 * openfermion.QubitOperator(text). Qubit q = spin orbital q (interleaved α/β). */
vqe_status vqe_pauli_sum_write_openfermion(const vqe_pauli_sum *s, FILE *f, vqe_error *err);

/* ---- FCIDUMP (Molpro / PySCF / psi4 format) ---------------------------------------------------
 * Header namelist "&FCI NORB=..,NELEC=..,MS2=..,ORBSYM=..,ISYM=..,[UHF=.FALSE.,] &END" (or "/"),
 * then lines "value i j k l" with 1-based indices: i j k l > 0 two-electron (ij|kl) (8-fold symmetry),
 * i j 0 0 one-electron h_ij, i 0 0 0 orbital energy (ignored), 0 0 0 0 the core energy (nuclear
 * repulsion + inactive energy). Reading is strict: errors are "path:line: ..." with VQE_ERR_INPUT.
 * The read Hamiltonian has e_nuc = NAN (not recorded in the format), n_frozen = 0. */
vqe_status vqe_fcidump_read(const char *path, vqe_mo_hamiltonian *ham, vqe_error *err);
/* Write unique integrals with |v| >= cutoff (cutoff < 0: 1e-15). Written to a temporary file next
 * to `path` and renamed, so a failure never leaves a half-written file. */
vqe_status vqe_fcidump_write(const char *path, const vqe_mo_hamiltonian *ham, double cutoff, vqe_error *err);
vqe_status vqe_fcidump_write_stream(FILE *f, const vqe_mo_hamiltonian *ham, double cutoff, vqe_error *err);
/* 1 when the file looks like an FCIDUMP (first non-blank text starts with "&FCI", case-insensitive). */
int vqe_fcidump_detect(const char *path);

/* ---- Dense Pauli-sum action (small n; tests and checks) ---------------------------------------
 * out = H psi for a real state of 2^n amplitudes, for Pauli sums whose terms all have an even number
 * of Y factors (true of the JW image of any real Hamiltonian); a term with an odd Y count gives
 * VQE_ERR_INPUT. psi and out must not overlap. */
vqe_status vqe_pauli_sum_apply_real(const vqe_pauli_sum *s, const double *psi, double *out, vqe_error *err);
/* <psi|H|psi> for a real state (same restrictions). */
double vqe_pauli_sum_expectation_real(const vqe_pauli_sum *s, const double *psi);

#ifdef __cplusplus
}
#endif
#endif
