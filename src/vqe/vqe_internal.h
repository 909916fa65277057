/* vqe_internal.h — helpers shared between the files of src/vqe (evaluator, observables, driver). */
#ifndef VQE_VQE_INTERNAL_H
#define VQE_VQE_INTERNAL_H
#include "vqe/vqe_run.h"

/* Energy ⟨b|H|b⟩ of a basis state (no penalty), using the evaluator's first work vector. */
vqe_status ev_basis_energy(vqe_evaluator *ev, uint64_t b, double *e, vqe_error *err);

/* Amplitudes per chunk of the observable reductions: partial sums per chunk, added in chunk order,
 * so the result does not depend on the thread count. */
#define OBS_CHUNK_BITS 14
#endif
