/* driver.c — one VQE optimisation end to end (vqe_vqe_run in vqe_run.h): qubit Hamiltonian, ansatz,
 * evaluator, optional FCI reference, initial parameters, optimiser, final observables. Called by
 * `vqe run`, the studies and the tests. */
#include "vqe/vqe_run.h"
#include "vqe/fci.h"
#include "vqe_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vqe_run_config_default(vqe_run_config *c)
{
  memset(c, 0, sizeof *c);
  vqe_ansatz_spec_default(&c->ansatz);
  vqe_optimizer_options_default(&c->opt);
  c->gradient = VQE_GRADIENT_ADJOINT;
  c->init = VQE_INIT_ZEROS;
  c->seed = 1;
  c->init_scale = 0.0;       /* 0: per-ansatz default */
  c->fci = 1;
  c->fci_max_det = 2000000;
  c->plateau_samples = 0;
  vqe_plateau_criteria_default(&c->plateau);
}

void vqe_run_result_free(vqe_run_result *res)
{
  if (!res) return;
  free(res->params);
  vqe_optimizer_result_free(&res->opt);
  memset(res, 0, sizeof *res);
}

typedef struct {
  vqe_evaluator *ev;
  vqe_gradient_method method;
  vqe_error *err;
} objective_ctx;

static double objective(const double *x, double *grad, void *p, vqe_status *st)
{
  objective_ctx *c = p;
  double e = NAN;
  vqe_status s = grad ? vqe_gradient(c->ev, x, c->method, &e, grad, c->err)
                      : vqe_energy(c->ev, x, &e, c->err);
  if (s) { *st = s; return NAN; }
  return e;
}

vqe_status vqe_vqe_run(const vqe_run_config *cfg, vqe_run_result *res, vqe_error *err)
{
  memset(res, 0, sizeof *res);
  res->e_fci = res->error_mha = NAN;
  res->chemical_accuracy = -1;
  res->obs.n = res->obs.sz = res->obs.s2 = NAN;
  if (!cfg || !cfg->ham) return vqe_error_set(err, VQE_ERR_INPUT, "vqe run: no Hamiltonian given");
  const vqe_mo_hamiltonian *ham = cfg->ham;
  double t_start = vqe_wtime(), t0 = t_start;
  vqe_status st = VQE_OK;
  vqe_pauli_sum own_h;
  const vqe_pauli_sum *h = cfg->qubit_ham;
  int own = 0;
  vqe_ansatz ans;
  memset(&ans, 0, sizeof ans);
  vqe_evaluator *ev = NULL;
  double *theta = NULL;

  if (!h) {
    if ((st = vqe_hamiltonian_jordan_wigner(ham, -1.0, &own_h, err))) return st;
    h = &own_h;
    own = 1;
  }
  res->n_pauli_terms = h->n_terms;
  res->t_hamiltonian = vqe_wtime() - t0;

  t0 = vqe_wtime();
  vqe_ansatz_spec spec = cfg->ansatz;
  spec.norb = ham->norb;
  spec.n_alpha = ham->n_alpha;
  spec.n_beta = ham->n_beta;
  if ((st = vqe_ansatz_build(&spec, &ans, err))) goto done;
  res->n_qubits = ans.n_qubits;
  res->n_params = ans.n_params;
  res->stats = ans.stats;
  if (h->n_qubits != ans.n_qubits) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "vqe run: qubit Hamiltonian on %d qubits, ansatz on %d", h->n_qubits, ans.n_qubits);
    goto done;
  }
  if ((st = vqe_statevec_check_memory(ans.n_qubits, 3, err))) goto done;
  if ((st = vqe_evaluator_create_ansatz(&ans, h, &cfg->penalty, &ev, err))) goto done;
  vqe_evaluator_set_fused(ev, cfg->fused);
  if ((st = ev_basis_energy(ev, vqe_reference_determinant(ham->norb, ham->n_alpha, ham->n_beta), &res->e_hf, err)))
    goto done;
  res->t_build = vqe_wtime() - t0;

  /* exact reference */
  t0 = vqe_wtime();
  {
    vqe_error ferr = {0};
    vqe_status fs = vqe_run_fci_reference(ham, cfg, &res->e_fci, &ferr);
    if (fs) { st = fs; *err = ferr; goto done; }
  }
  res->t_fci = vqe_wtime() - t0;

  /* barren-plateau check before any optimisation: Var[∂E/∂θ] at random θ */
  if (cfg->plateau_samples > 0 && ans.n_params > 0) {
    st = vqe_plateau_quick(&ans.circuit, ans.reference, h, cfg->plateau_samples, cfg->seed, &cfg->plateau,
                           &res->plateau, err);
    if (st) goto done;
    res->have_plateau = 1;
  }

  /* initial parameters */
  int np = ans.n_params;
  theta = calloc((size_t)(np > 0 ? np : 1), sizeof *theta);
  if (!theta) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "vqe run: out of memory"); goto done; }
  if ((st = vqe_run_initial_params(cfg, spec.kind, np, theta, err))) goto done;
  if ((st = vqe_evaluator_report(ev, theta, &res->e_initial, NULL, err))) goto done;

  /* optimise */
  t0 = vqe_wtime();
  vqe_optimizer_options oo = cfg->opt;
  if (!oo.seed) oo.seed = cfg->seed;
  objective_ctx oc = { ev, cfg->gradient, err };
  if (np > 0) {
    st = vqe_optimize(np, theta, objective, &oc, &oo, &res->opt, err);
    res->iterations = res->opt.iterations;
    res->n_energy_evals = res->opt.n_energy_evals;
    res->n_gradient_evals = res->opt.n_gradient_evals;
    res->converged = res->opt.converged;
    snprintf(res->stop_reason, sizeof res->stop_reason, "%s", res->opt.stop_reason);
  } else {
    res->converged = 1;
    snprintf(res->stop_reason, sizeof res->stop_reason, "no parameters");
  }
  res->t_optimize = vqe_wtime() - t0;
  res->params = theta;
  theta = NULL;
  if (st) goto done;

  if ((st = vqe_evaluator_report(ev, res->params, &res->e_vqe, &res->obs, err))) goto done;
  if (!isfinite(res->e_vqe)) {
    st = vqe_error_set(err, VQE_ERR_COMPUTE, "vqe run: the final energy is not finite");
    goto done;
  }
  vqe_run_set_error(res);

done:
  free(theta);
  vqe_evaluator_destroy(ev);
  vqe_ansatz_free(&ans);
  if (own) vqe_pauli_sum_free(&own_h);
  res->t_total = vqe_wtime() - t_start;
  return st;
}

vqe_status vqe_run_fci_reference(const vqe_mo_hamiltonian *ham, const vqe_run_config *cfg, double *e_fci,
                                 vqe_error *ferr)
{
  *e_fci = NAN;
  if (!cfg->fci || vqe_fci_n_determinants(ham->norb, ham->n_alpha, ham->n_beta) > cfg->fci_max_det) return VQE_OK;
  vqe_fci_options fo;
  vqe_fci_options_default(&fo);
  vqe_fci_result fr;
  memset(&fr, 0, sizeof fr);
  vqe_status fs = vqe_fci_solve(ham, &fo, &fr, ferr);
  if (fs == VQE_OK) *e_fci = fr.energy;
  vqe_fci_result_free(&fr);
  return fs == VQE_ERR_RESOURCE ? fs : VQE_OK;
}

vqe_status vqe_run_initial_params(const vqe_run_config *cfg, vqe_ansatz_kind kind, int np, double *theta,
                                  vqe_error *err)
{
  memset(theta, 0, (size_t)(np > 0 ? np : 0) * sizeof *theta);
  if (cfg->init == VQE_INIT_RANDOM) {
    const double scale = cfg->init_scale > 0 ? cfg->init_scale : (kind == VQE_ANSATZ_HEA ? M_PI : 0.1);
    vqe_rng rng;
    vqe_rng_seed(&rng, cfg->seed);
    for (int k = 0; k < np; k++) theta[k] = scale * (2.0 * vqe_rng_uniform(&rng) - 1.0);
  } else if (cfg->init == VQE_INIT_GIVEN) {
    if (!cfg->init_params || cfg->n_init_params != np)
      return vqe_error_set(err, VQE_ERR_INPUT, "vqe run: %d initial parameters given, the ansatz has %d", cfg->n_init_params, np);
    memcpy(theta, cfg->init_params, (size_t)np * sizeof *theta);
  }
  return VQE_OK;
}

void vqe_run_set_error(vqe_run_result *res)
{
  if (!isfinite(res->e_fci)) return;
  res->error_mha = (res->e_vqe - res->e_fci) * 1000.0;
  res->chemical_accuracy = fabs(res->e_vqe - res->e_fci) <= VQE_CHEMICAL_ACCURACY;
}
