/* fci_internal.h — string tables shared by the FCI solver files (src/fci). Internal. */
#ifndef VQE_FCI_INTERNAL_H
#define VQE_FCI_INTERNAL_H

#include "vqe/common.h"

/* One single excitation of a string K: a†_p a_q |K⟩ = sign |target⟩ (p == q allowed for occupied q). */
typedef struct {
  uint32_t target;   /* index of the resulting string */
  uint32_t pair;     /* packed pair index max(p,q)(max+1)/2 + min(p,q) */
  uint16_t p, q;
  int32_t sign;      /* ±1 */
} fci_excitation;

/* All strings of nel electrons in norb orbitals, in increasing mask order, with their excitations. */
typedef struct {
  int norb, nel;
  size_t n;            /* number of strings C(norb, nel) */
  size_t n_ex;         /* excitations per string: nel (norb − nel + 1) */
  uint64_t *mask;      /* n */
  fci_excitation *ex;  /* n x n_ex */
} fci_strings;

vqe_status fci_strings_build(int norb, int nel, fci_strings *s, vqe_error *err);
void fci_strings_free(fci_strings *s);

#endif
