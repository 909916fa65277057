/* vqe_internal.h — helpers shared between the files of src/vqe (evaluator, observables, driver). */
#ifndef VQE_VQE_INTERNAL_H
#define VQE_VQE_INTERNAL_H
#include "vqe/vqe_run.h"

/* Energy ⟨b|H|b⟩ of a basis state (no penalty), using the evaluator's first work vector. */
vqe_status ev_basis_energy(vqe_evaluator *ev, uint64_t b, double *e, vqe_error *err);

/* The pieces of a VQE run that the single-process driver (driver.c) and the distributed one
 * (src/dist/dist_vqe.c) share. */
/* E_FCI into *e_fci when cfg->fci and the sector has at most cfg->fci_max_det determinants (NAN
 * otherwise); only a memory refusal is an error (VQE_ERR_RESOURCE, in ferr). */
vqe_status vqe_run_fci_reference(const vqe_mo_hamiltonian *ham, const vqe_run_config *cfg, double *e_fci,
                                 vqe_error *ferr);
/* Initial parameters theta[np] as cfg says (zeros, seeded uniform in ±scale, or given). */
vqe_status vqe_run_initial_params(const vqe_run_config *cfg, vqe_ansatz_kind kind, int np, double *theta,
                                  vqe_error *err);
/* error_mha and chemical_accuracy from e_vqe and e_fci. */
void vqe_run_set_error(vqe_run_result *res);

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
