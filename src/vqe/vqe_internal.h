/* vqe_internal.h — helpers shared between the files of src/vqe (evaluator, observables, driver). */
#ifndef VQE_VQE_INTERNAL_H
#define VQE_VQE_INTERNAL_H
#include "vqe/vqe_run.h"

/* Energy ⟨b|H|b⟩ of a basis state (no penalty), using the evaluator's first work vector. */
vqe_status ev_basis_energy(vqe_evaluator *ev, uint64_t b, double *e, vqe_error *err);

#include "vqe_config.h"

/* log2 of the amplitudes per chunk of our reductions (observables, adjoint cross products): partial
 * sums per chunk, added in chunk order, so results do not depend on the thread count; more than one
 * chunk also switches the loop to OpenMP. The test build shrinks it so small tests take the parallel
 * path. */
#if VQE_TEST_BUILD
#define OBS_CHUNK_BITS 3
#else
#define OBS_CHUNK_BITS 14
#endif
#endif
