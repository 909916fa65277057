/* hamiltonian.h — the electronic Hamiltonian of an active space in the molecular-orbital basis, its
 * Jordan–Wigner qubit form, and FCIDUMP input/output. Built from an SCF result; consumed by the FCI
 * solver (fci.h), the statevector engine and the VQE driver.
 *
 * H = E_core + Σ_pq h_pq Σ_σ a†_pσ a_qσ + ½ Σ_pqrs (pq|rs) Σ_στ a†_pσ a†_rτ a_sτ a_qσ
 * (chemists' notation, real orbitals, hartree). Spin orbitals are interleaved: spin orbital 2p is
 * α of spatial orbital p, 2p+1 is β; qubit j = spin orbital j; JW a†_j = Z_0…Z_{j-1}(X_j − iY_j)/2. */
#ifndef VQE_HAMILTONIAN_H
#define VQE_HAMILTONIAN_H

#include "vqe/common.h"
#include "vqe/pauli.h"

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

#ifdef __cplusplus
}
#endif
#endif
