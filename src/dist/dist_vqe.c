/* dist_vqe.c — vqe_dstatevec_vqe_run (dstatevec.h): vqe_vqe_run with the state vectors split over the
 * MPI ranks (the structure of src/vqe/driver.c; energies and adjoint gradients from dstatevec.c).
 * Called by `vqe run --distribute-state`. */
#include "vqe/dstatevec.h"
#include "vqe/dist.h"
#include "vqe/fci.h"
#include "vqe/vqe_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const vqe_circuit *c;
  const vqe_pauli_sum *h;
  uint64_t ref;
  vqe_dstatevec *w;        /* 3 work states */
  vqe_error *err;
} dv_ctx;

static vqe_status dv_energy(dv_ctx *c, const double *theta, double *e)
{
  vqe_status st = vqe_dstatevec_set_basis(&c->w[0], c->ref, c->err);
  if (!st) st = vqe_dstatevec_apply_circuit(c->c, theta, &c->w[0], c->err);
  if (!st) st = vqe_dstatevec_expect_pauli_sum(&c->w[0], c->h, 0.0, e, c->err);
  return st;
}

static double dv_objective(const double *x, double *grad, void *p, vqe_status *st)
{
  dv_ctx *c = p;
  double e = NAN;
  vqe_status s = grad ? vqe_dstatevec_gradient(c->c, c->h, 0.0, c->ref, x, c->w, &e, grad, c->err) : dv_energy(c, x, &e);
  if (s) { *st = s; return NAN; }
  return e;
}

/* The quick gradient-variance estimate of vqe_plateau_quick (plateau.h) on distributed states: the
 * same samples (θ uniform on [0, 2π) from the seed), the same statistics and verdict. */
typedef struct { dv_ctx *dc; } dq_ctx;

static vqe_status dq_grad(void *vctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad,
                          vqe_error *err)
{
  dv_ctx *c = ((dq_ctx *)vctx)->dc;
  (void)k; (void)rng;
  return vqe_dstatevec_gradient(c->c, c->h, 0.0, c->ref, theta, c->w, energy, grad, err);
}

static vqe_status dv_plateau_quick(dv_ctx *dc, int samples, uint64_t seed, const vqe_plateau_criteria *crit,
                                   vqe_plateau_quick_result *out, vqe_error *err)
{
  memset(out, 0, sizeof *out);
  vqe_cost cost;
  vqe_status st = vqe_cost_from_pauli(dc->h, "hamiltonian", &cost, err);
  if ((st = vqe_dist_agree(st, err))) return st;
  dq_ctx q = { dc };
  vqe_plateau_options o;
  vqe_plateau_options_default(&o);
  o.n_samples = samples;
  o.seed = seed;
  o.bootstrap = 0;
  vqe_plateau_stats ps;
  memset(&ps, 0, sizeof ps);
  st = vqe_plateau_sample(dc->c->n_params, dq_grad, &q, &o, &ps, err);
  if (!st) {
    out->n_samples = ps.n_samples;
    out->variance = ps.variance_mean;
    out->variance_stderr = ps.variance_mean_stderr;
    out->scale2 = vqe_cost_scale2(&cost);
    out->relative = out->scale2 > 0 ? out->variance / out->scale2 : (double)NAN;
    out->verdict = vqe_plateau_verdict(NULL, out->variance, out->scale2, crit, out->reason, sizeof out->reason);
    out->time = ps.time;
  }
  vqe_plateau_stats_free(&ps);
  vqe_cost_free(&cost);
  return st;
}

vqe_status vqe_dstatevec_vqe_run(const vqe_run_config *cfg, vqe_run_result *res, vqe_error *err)
{
  memset(res, 0, sizeof *res);
  res->e_fci = res->error_mha = NAN;
  res->chemical_accuracy = -1;
  res->obs.n = res->obs.sz = res->obs.s2 = NAN;
  if (!cfg || !cfg->ham) return vqe_error_set(err, VQE_ERR_INPUT, "vqe run: no Hamiltonian given");
  if (cfg->gradient != VQE_GRADIENT_ADJOINT)
    return vqe_error_set(err, VQE_ERR_INPUT, "a distributed state supports the adjoint gradient only (got %s; allowed: adjoint)",
                         vqe_gradient_method_name(cfg->gradient));
  if (cfg->penalty.mu_number != 0.0 || cfg->penalty.mu_s2 != 0.0)
    return vqe_error_set(err, VQE_ERR_INPUT, "a distributed state does not support the N / S^2 penalties (use a conserving ansatz)");
  const vqe_mo_hamiltonian *ham = cfg->ham;
  const double t_start = vqe_wtime();
  double t0 = t_start;
  vqe_status st = VQE_OK;
  vqe_pauli_sum own_h;
  const vqe_pauli_sum *h = cfg->qubit_ham;
  int own = 0;
  vqe_ansatz ans;
  memset(&ans, 0, sizeof ans);
  vqe_dstatevec w[3];
  memset(w, 0, sizeof w);
  double *theta = NULL;

  if (!h) {
    if ((st = vqe_hamiltonian_jordan_wigner(ham, -1.0, &own_h, err))) return st;
    h = &own_h;
    own = 1;
  }
  if (!own && vqe_dist_size() > 1) {    /* a copy we may overwrite with rank 0's */
    vqe_pauli_sum_init(&own_h, h->n_qubits);
    for (size_t t = 0; t < h->n_terms && !st; t++) st = vqe_pauli_sum_add(&own_h, h->terms[t].x, h->terms[t].z, h->terms[t].coeff, err);
    h = &own_h;
    own = 1;
    if ((st = vqe_dist_agree(st, err))) goto done;
  }
  /* every rank works with rank 0's Hamiltonian (SCF orbital signs may differ between ranks) */
  if (own && (st = vqe_dist_bcast_pauli_sum(&own_h, err))) goto done;
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
  /* rank count and memory per rank, before any work */
  if ((st = vqe_dstatevec_init_many(w, 3, ans.n_qubits, err))) goto done;
  if ((st = vqe_dstatevec_check_circuit(&ans.circuit, &w[0], err))) goto done;
  dv_ctx dc = { &ans.circuit, h, ans.reference, w, err };
  {
    if ((st = vqe_dstatevec_set_basis(&w[0], vqe_reference_determinant(ham->norb, ham->n_alpha, ham->n_beta), err))) goto done;
    if ((st = vqe_dstatevec_expect_pauli_sum(&w[0], h, 0.0, &res->e_hf, err))) goto done;
  }
  res->t_build = vqe_wtime() - t0;

  /* exact reference (every rank: the optimiser path does not depend on it) */
  t0 = vqe_wtime();
  {
    vqe_error ferr = {0};
    vqe_status fs = vqe_run_fci_reference(ham, cfg, &res->e_fci, &ferr);
    fs = vqe_dist_agree(fs, &ferr);
    if (fs) { st = fs; *err = ferr; goto done; }
  }
  res->t_fci = vqe_wtime() - t0;

  /* barren-plateau check before any optimisation (as driver.c) */
  if (cfg->plateau_samples > 0 && ans.n_params > 0) {
    if ((st = dv_plateau_quick(&dc, cfg->plateau_samples, cfg->seed, &cfg->plateau, &res->plateau, err))) goto done;
    res->have_plateau = 1;
  }

  /* initial parameters (as driver.c) */
  const int np = ans.n_params;
  theta = calloc((size_t)(np > 0 ? np : 1), sizeof *theta);
  if (!theta) st = vqe_error_set(err, VQE_ERR_RESOURCE, "vqe run: out of memory");
  if ((st = vqe_dist_agree(st, err))) goto done;
  if ((st = vqe_run_initial_params(cfg, spec.kind, np, theta, err))) goto done;
  if ((st = dv_energy(&dc, theta, &res->e_initial))) goto done;

  /* optimise: every rank runs the optimiser on the same reduced numbers */
  t0 = vqe_wtime();
  vqe_optimizer_options oo = cfg->opt;
  if (!oo.seed) oo.seed = cfg->seed;
  if (np > 0) {
    st = vqe_optimize(np, theta, dv_objective, &dc, &oo, &res->opt, err);
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

  if ((st = dv_energy(&dc, res->params, &res->e_vqe))) goto done;
  if ((st = vqe_dstatevec_spin_observables(&w[0], &w[1], &res->obs, err))) goto done;
  if (!isfinite(res->e_vqe)) {
    st = vqe_error_set(err, VQE_ERR_COMPUTE, "vqe run: the final energy is not finite");
    goto done;
  }
  vqe_run_set_error(res);

done:
  free(theta);
  vqe_dstatevec_free_many(w, 3);
  vqe_ansatz_free(&ans);
  if (own) vqe_pauli_sum_free(&own_h);
  res->t_total = vqe_wtime() - t_start;
  return st;
}
