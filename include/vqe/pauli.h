/* pauli.h — Pauli sums (qubit operators) as plain data: the qubit Hamiltonian built by
 * hamiltonian.h and consumed by the statevector engine (statevec.h).
 *
 * A term (x, z, c) is the operator c · P with P = ⊗_q P_q, where for qubit q (bit q of the masks):
 *   x=0 z=0: I    x=1 z=0: X    x=0 z=1: Z    x=1 z=1: Y
 * Since Y = i X Z, P = i^{popcount(x & z)} X^x Z^z (X^x = ⊗ X on the bits of x, applied after Z^z).
 * Coefficients are real (Hermitian operators). Qubit q is bit q of a basis-state index (qubit 0 is
 * the least significant bit). At most 64 qubits in masks; the state vector limits n far lower. */
#ifndef VQE_PAULI_H
#define VQE_PAULI_H

#include "vqe/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint64_t x, z;
  double coeff;
} vqe_pauli_term;

typedef struct {
  int n_qubits;
  size_t n_terms;
  size_t capacity;
  vqe_pauli_term *terms;   /* after vqe_pauli_sum_simplify: sorted by (x, z), unique, |c| >= cutoff */
} vqe_pauli_sum;

void vqe_pauli_sum_init(vqe_pauli_sum *s, int n_qubits);
void vqe_pauli_sum_free(vqe_pauli_sum *s);
vqe_status vqe_pauli_sum_add(vqe_pauli_sum *s, uint64_t x, uint64_t z, double coeff, vqe_error *err);
/* Sort by (x, z), merge like terms, drop |c| < cutoff. */
void vqe_pauli_sum_simplify(vqe_pauli_sum *s, double cutoff);
/* Number of distinct x masks (= passes over the state for an expectation value). Requires sorted. */
size_t vqe_pauli_sum_n_xgroups(const vqe_pauli_sum *s);
double vqe_pauli_sum_one_norm(const vqe_pauli_sum *s);   /* sum |c| */
/* Coefficient of the identity term (0 if absent). */
double vqe_pauli_sum_identity(const vqe_pauli_sum *s);

#ifdef __cplusplus
}
#endif
#endif
