/* ints_internal.h — integral helpers shared inside libvqe (not public): used by the SCF guess. */
#ifndef VQE_INTS_INTERNAL_H
#define VQE_INTS_INTERNAL_H

#include "vqe/integrals.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Nuclear attraction (nbf x nbf, row-major) from the nucleus of atom `only_atom` alone, or from all
 * nuclei when only_atom < 0. Used by the SAD guess (atomic calculations in the molecular basis). */
vqe_status ints_potential(const vqe_basis *basis, const vqe_molecule *mol, int only_atom, double *V, vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
