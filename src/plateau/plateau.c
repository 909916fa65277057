/* plateau.c — gradient-variance sampling, statistics with standard errors and bootstrap intervals,
 * scaling fits and the barren-plateau verdict (see plateau.h for the references and closed forms). */
#include "vqe/plateau.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- costs ------------------------------------------------------------------------------------------ */

vqe_status vqe_cost_lookup(const char *name, vqe_cost_kind *kind, vqe_error *err)
{
  static const char *names[] = {"global", "global-z", "local", "zz"};
  for (int k = 0; k < 4; k++)
    if (!strcmp(name, names[k])) { *kind = (vqe_cost_kind)k; return VQE_OK; }
  return vqe_error_set(err, VQE_ERR_INPUT, "unknown synthetic cost '%s' (allowed: global, global-z, local, zz)", name);
}

vqe_status vqe_cost_synthetic(vqe_cost_kind kind, int n, vqe_cost *c, vqe_error *err)
{
  memset(c, 0, sizeof *c);
  if (n < 1 || n > 62) return vqe_error_set(err, VQE_ERR_INPUT, "synthetic cost on %d qubits (allowed: 1..62)", n);
  if (kind == VQE_COST_ZZ && n < 2) return vqe_error_set(err, VQE_ERR_INPUT, "the zz cost needs at least 2 qubits");
  vqe_pauli_sum_init(&c->pauli, n);
  vqe_status st = VQE_OK;
  switch (kind) {
  case VQE_COST_GLOBAL:
    snprintf(c->name, sizeof c->name, "global");
    st = vqe_pauli_sum_add(&c->pauli, 0, 0, 1.0, err);
    c->projector = -1.0;
    break;
  case VQE_COST_GLOBAL_Z:
    snprintf(c->name, sizeof c->name, "global-z");
    st = vqe_pauli_sum_add(&c->pauli, 0, (n == 64 ? ~0ull : ((1ull << n) - 1)), 1.0, err);
    break;
  case VQE_COST_LOCAL:
    snprintf(c->name, sizeof c->name, "local");
    st = vqe_pauli_sum_add(&c->pauli, 0, 0, 0.5, err);
    for (int j = 0; j < n && !st; j++) st = vqe_pauli_sum_add(&c->pauli, 0, 1ull << j, -0.5 / n, err);
    break;
  case VQE_COST_ZZ:
    snprintf(c->name, sizeof c->name, "zz");
    st = vqe_pauli_sum_add(&c->pauli, 0, 3, 1.0, err);
    break;
  default:
    st = vqe_error_set(err, VQE_ERR_INPUT, "unknown cost kind %d", (int)kind);
  }
  if (st) { vqe_cost_free(c); return st; }
  vqe_pauli_sum_simplify(&c->pauli, 0.0);
  return VQE_OK;
}

vqe_status vqe_cost_from_pauli(const vqe_pauli_sum *h, const char *name, vqe_cost *c, vqe_error *err)
{
  memset(c, 0, sizeof *c);
  vqe_pauli_sum_init(&c->pauli, h->n_qubits);
  for (size_t t = 0; t < h->n_terms; t++) {
    vqe_status st = vqe_pauli_sum_add(&c->pauli, h->terms[t].x, h->terms[t].z, h->terms[t].coeff, err);
    if (st) { vqe_cost_free(c); return st; }
  }
  vqe_pauli_sum_simplify(&c->pauli, 0.0);
  snprintf(c->name, sizeof c->name, "%s", name ? name : "hamiltonian");
  return VQE_OK;
}

void vqe_cost_free(vqe_cost *c)
{
  if (!c) return;
  vqe_pauli_sum_free(&c->pauli);
  c->projector = 0;
}

vqe_status vqe_cost_apply(const vqe_cost *c, const vqe_statevec *in, vqe_statevec *out, vqe_error *err)
{
  vqe_status st = vqe_statevec_apply_pauli_sum(in, &c->pauli, out, err);
  if (!st && c->projector != 0.0) out->amp[0] += c->projector * in->amp[0];
  return st;
}

vqe_status vqe_cost_expect(const vqe_cost *c, const vqe_statevec *s, double *e, vqe_error *err)
{
  vqe_status st = vqe_statevec_expect_pauli_sum(s, &c->pauli, e, err);
  if (!st && c->projector != 0.0) {
    double a = cabs(s->amp[0]);
    *e += c->projector * a * a;
  }
  return st;
}

double vqe_cost_scale2(const vqe_cost *c)
{
  /* C̃ = Σ_{k≠0} a_k P_k + p (P0 − I/d):  Tr(C̃²)/d = Σ a_k² + 2p Σ_{k≠0, x_k=0} a_k / d + p² (1 − 1/d)/d,
   * since Tr(P_k P0) = ⟨0|P_k|0⟩ = 1 for Z strings and 0 otherwise. */
  const double d = ldexp(1.0, c->pauli.n_qubits);
  double s = 0, zsum = 0;
  for (size_t t = 0; t < c->pauli.n_terms; t++) {
    const vqe_pauli_term *p = &c->pauli.terms[t];
    if (!p->x && !p->z) continue;
    s += p->coeff * p->coeff;
    if (!p->x) zsum += p->coeff;
  }
  return s + 2 * c->projector * zsum / d + c->projector * c->projector * (1 - 1 / d) / d;
}

/* ---- literature circuits ---------------------------------------------------------------------------- */

vqe_status vqe_circuit_random_pauli(int n, int layers, vqe_rng *rng, vqe_circuit *c, vqe_error *err)
{
  if (n < 2) return vqe_error_set(err, VQE_ERR_INPUT, "random-pauli circuit on %d qubits (allowed: at least 2)", n);
  if (layers < 1) return vqe_error_set(err, VQE_ERR_INPUT, "random-pauli circuit with %d layers (allowed: at least 1)", layers);
  static const vqe_gate_kind axes[3] = {VQE_GATE_RX, VQE_GATE_RY, VQE_GATE_RZ};
  vqe_circuit_init(c, n);
  vqe_status st = VQE_OK;
  const double quarter = M_PI / 4;
  for (int q = 0; q < n && !st; q++) st = vqe_circuit_add_fixed(c, VQE_GATE_RY, &q, &quarter, err);
  int p = 0;
  for (int l = 0; l < layers && !st; l++) {
    for (int q = 0; q < n && !st; q++)
      st = vqe_circuit_add_param(c, axes[vqe_rng_u64(rng) % 3], &q, p++, 1.0, err);
    for (int q = 0; q + 1 < n && !st; q++) {
      int qq[2] = {q, q + 1};
      st = vqe_circuit_add_fixed(c, VQE_GATE_CZ, qq, NULL, err);
    }
  }
  if (st) vqe_circuit_free(c);
  return st;
}

vqe_status vqe_circuit_rx_product(int n, int layers, vqe_circuit *c, vqe_error *err)
{
  if (n < 1) return vqe_error_set(err, VQE_ERR_INPUT, "rx-product circuit on %d qubits (allowed: at least 1)", n);
  if (layers < 1) return vqe_error_set(err, VQE_ERR_INPUT, "rx-product circuit with %d layers (allowed: at least 1)", layers);
  vqe_circuit_init(c, n);
  vqe_status st = VQE_OK;
  int p = 0;
  for (int l = 0; l < layers && !st; l++)
    for (int q = 0; q < n && !st; q++) st = vqe_circuit_add_param(c, VQE_GATE_RX, &q, p++, 1.0, err);
  if (st) vqe_circuit_free(c);
  return st;
}

/* ---- adjoint gradient of a cost ------------------------------------------------------------------- */

vqe_status vqe_cost_gradient(const vqe_circuit *circ, const vqe_cost *cost, const vqe_statevec *psi0,
                             const double *theta, vqe_statevec work[3], double *energy, double *grad,
                             vqe_error *err)
{
  vqe_statevec *phi = &work[0], *lam = &work[1], *mu = &work[2];
  vqe_status st = psi0 ? vqe_statevec_copy(phi, psi0, err) : vqe_statevec_set_basis(phi, 0, err);
  if (!st) st = vqe_circuit_apply(circ, theta, phi, err);
  if (!st) st = vqe_cost_apply(cost, phi, lam, err);
  if (st) return st;
  *energy = creal(vqe_statevec_inner(phi, lam));
  memset(grad, 0, (size_t)circ->n_params * sizeof *grad);
  unsigned char *done = calloc(circ->n_gates + 1, 1);
  if (!done) return vqe_error_set(err, VQE_ERR_RESOURCE, "adjoint gradient: out of memory");
  size_t top = circ->n_gates;
  while (top > 0) {
    if (done[top - 1]) { top--; continue; }
    /* runs of gates that fit a cache block: walked block by block (circuit.h); else gate by gate */
    size_t walked;
    if ((st = vqe_circuit_adjoint_run(circ, theta, top - 1, 0, done, phi, lam, grad, &walked, err))) break;
    if (walked) continue;
    const size_t i = --top;
    const vqe_gate *g = &circ->gates[i];
    const int na = vqe_gate_info_of(g->kind)->n_angles;
    for (int a = 0; a < na; a++) {
      if (g->angle[a].param < 0) continue;
      if ((st = vqe_statevec_copy(mu, phi, err)) || (st = vqe_circuit_apply_generator(circ, i, a, theta, mu, err)))
        goto out;
      /* ∂E/∂α = 2 Im⟨λ|G̃|φ⟩ */
      grad[g->angle[a].param] += g->angle[a].coeff * 2.0 * cimag(vqe_statevec_inner(lam, mu));
    }
    if ((st = vqe_circuit_apply_gate_inverse(circ, i, theta, phi, err)) ||
        (st = vqe_circuit_apply_gate_inverse(circ, i, theta, lam, err)))
      goto out;
  }
out:
  free(done);
  return st;
}

/* ---- sampling --------------------------------------------------------------------------------------- */

void vqe_plateau_options_default(vqe_plateau_options *o)
{
  memset(o, 0, sizeof *o);
  o->n_samples = 200;
  o->seed = 1;
  o->dist = VQE_SAMPLE_UNIFORM;
  o->sigma = 0.1;
  o->bootstrap = 200;
}

void vqe_plateau_stats_free(vqe_plateau_stats *st)
{
  if (!st) return;
  free(st->grad_mean);
  free(st->grad_var);
  free(st->grad_var_stderr);
  st->grad_mean = st->grad_var = st->grad_var_stderr = NULL;
}

/* Unbiased sample variance of x[0..m) (stride) and the standard error of that estimate. */
static void variance_with_error(int m, const double *x, size_t stride, double *mean, double *var, double *se)
{
  double s = 0;
  for (int i = 0; i < m; i++) s += x[(size_t)i * stride];
  const double mu = s / m;
  double m2 = 0, m4 = 0;
  for (int i = 0; i < m; i++) {
    double d = x[(size_t)i * stride] - mu, d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  const double v = m > 1 ? m2 / (m - 1) : 0.0;
  m4 /= m;
  double vv = m > 3 ? (m4 - (double)(m - 3) / (m - 1) * v * v) / m : (double)NAN;
  *mean = mu;
  *var = v;
  *se = vv > 0 ? sqrt(vv) : 0.0;
}

/* Mean over parameters of the per-parameter variances, for the samples idx[0..m). */
static double mean_of_variances(int m, int P, const double *g, const int *idx)
{
  double tot = 0;
  for (int k = 0; k < P; k++) {
    double s = 0, s2 = 0;
    for (int i = 0; i < m; i++) {
      double v = g[(size_t)idx[i] * P + k];
      s += v;
      s2 += v * v;
    }
    double mu = s / m;
    tot += (s2 - m * mu * mu) / (m - 1);
  }
  return tot / P;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

vqe_status vqe_plateau_sample(int P, vqe_plateau_grad_fn fn, void *ctx, const vqe_plateau_options *opt,
                              vqe_plateau_stats *st, vqe_error *err)
{
  memset(st, 0, sizeof *st);
  const int M = opt->n_samples;
  if (M < 4) return vqe_error_set(err, VQE_ERR_INPUT, "%d samples are too few for a variance with an error bar (allowed: at least 4)", M);
  if (P < 1) return vqe_error_set(err, VQE_ERR_INPUT, "the circuit has no parameters to differentiate");
  vqe_status s = vqe_mem_check((uint64_t)M * (uint64_t)(P + 1) * 8u, "storing the sampled gradients", "use fewer --samples", err);
  if (s) return s;
  double *g = malloc((size_t)M * P * sizeof *g), *e = malloc((size_t)M * sizeof *e), *theta = malloc((size_t)P * sizeof *theta);
  int *idx = malloc((size_t)M * sizeof *idx);
  st->grad_mean = calloc((size_t)P, sizeof(double));
  st->grad_var = calloc((size_t)P, sizeof(double));
  st->grad_var_stderr = calloc((size_t)P, sizeof(double));
  if (!g || !e || !theta || !idx || !st->grad_mean || !st->grad_var || !st->grad_var_stderr) {
    s = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %d gradient samples of %d parameters", M, P);
    goto out;
  }
  const double t0 = vqe_wtime();
  for (int k = 0; k < M; k++) {
    vqe_rng rng;
    vqe_rng_stream(&rng, opt->seed, (uint64_t)k);
    for (int p = 0; p < P; p++) {
      const double c = opt->center ? opt->center[p] : 0.0;
      theta[p] = opt->dist == VQE_SAMPLE_NORMAL ? c + opt->sigma * vqe_rng_normal(&rng) : 2 * M_PI * vqe_rng_uniform(&rng);
    }
    if ((s = fn(ctx, (uint64_t)k, &rng, theta, &e[k], &g[(size_t)k * P], err))) goto out;
    int bad = !isfinite(e[k]);
    for (int p = 0; p < P && !bad; p++) bad = !isfinite(g[(size_t)k * P + p]);
    if (bad) { s = vqe_error_set(err, VQE_ERR_COMPUTE, "non-finite energy or gradient in sample %d", k); goto out; }
  }
  st->n_samples = M;
  st->n_params = P;
  for (int p = 0; p < P; p++)
    variance_with_error(M, g + p, (size_t)P, &st->grad_mean[p], &st->grad_var[p], &st->grad_var_stderr[p]);
  st->variance_first = st->grad_var[0];
  st->variance_first_stderr = st->grad_var_stderr[0];
  {
    /* mean of the variances: y_s = (1/P) Σ_k (g_sk − ḡ_k)², Var_mean = M/(M−1)·mean(y), error from var(y) */
    double *y = malloc((size_t)M * sizeof *y);
    if (!y) { s = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); goto out; }
    for (int k = 0; k < M; k++) {
      double acc = 0;
      for (int p = 0; p < P; p++) {
        double d = g[(size_t)k * P + p] - st->grad_mean[p];
        acc += d * d;
      }
      y[k] = acc / P;
    }
    double my, vy, sey;
    variance_with_error(M, y, 1, &my, &vy, &sey);
    st->variance_mean = my * M / (M - 1);
    st->variance_mean_stderr = sqrt(vy / M) * M / (M - 1);
    free(y);
  }
  {
    double me;
    variance_with_error(M, e, 1, &me, &st->energy_variance, &st->energy_variance_stderr);
    st->energy_mean = me;
  }
  st->variance_mean_ci[0] = st->variance_mean_ci[1] = NAN;
  st->variance_first_ci[0] = st->variance_first_ci[1] = NAN;
  if (opt->bootstrap > 0) {
    const int B = opt->bootstrap;
    double *bm = malloc((size_t)B * sizeof *bm), *bf = malloc((size_t)B * sizeof *bf);
    if (!bm || !bf) { free(bm); free(bf); s = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); goto out; }
    vqe_rng rng;
    vqe_rng_stream(&rng, opt->seed, UINT64_MAX);   /* a stream no sample uses */
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < M; i++) idx[i] = (int)(vqe_rng_u64(&rng) % (uint64_t)M);
      bm[b] = mean_of_variances(M, P, g, idx);
      double s1 = 0, s2 = 0;
      for (int i = 0; i < M; i++) { double v = g[(size_t)idx[i] * P]; s1 += v; s2 += v * v; }
      bf[b] = (s2 - s1 * s1 / M) / (M - 1);
    }
    qsort(bm, (size_t)B, sizeof *bm, cmp_double);
    qsort(bf, (size_t)B, sizeof *bf, cmp_double);
    const int lo = (int)floor(0.025 * (B - 1)), hi = (int)ceil(0.975 * (B - 1));
    st->variance_mean_ci[0] = bm[lo]; st->variance_mean_ci[1] = bm[hi];
    st->variance_first_ci[0] = bf[lo]; st->variance_first_ci[1] = bf[hi];
    free(bm); free(bf);
  }
  st->time = vqe_wtime() - t0;
out:
  free(g); free(e); free(theta); free(idx);
  if (s) vqe_plateau_stats_free(st);
  return s;
}

/* ---- fits ------------------------------------------------------------------------------------------- */

/* Weighted straight line y = a + b x; returns χ² and the standard errors. */
static void wls(int m, const double *x, const double *y, const double *w, double *a, double *b,
                double *sa, double *sb, double *chi2)
{
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (int i = 0; i < m; i++) {
    S += w[i]; Sx += w[i] * x[i]; Sy += w[i] * y[i]; Sxx += w[i] * x[i] * x[i]; Sxy += w[i] * x[i] * y[i];
  }
  const double D = S * Sxx - Sx * Sx;
  *b = (S * Sxy - Sx * Sy) / D;
  *a = (Sxx * Sy - Sx * Sxy) / D;
  double c = 0;
  for (int i = 0; i < m; i++) { double r = y[i] - *a - *b * x[i]; c += w[i] * r * r; }
  *chi2 = c;
  /* scale the parameter errors by the reduced χ² when the scatter exceeds the error bars */
  const double red = m > 2 ? fmax(1.0, c / (m - 2)) : 1.0;
  *sa = sqrt(Sxx / D * red);
  *sb = sqrt(S / D * red);
}

vqe_status vqe_plateau_fit_scaling(int m, const double *x, const double *var, const double *se,
                                   vqe_plateau_fit *fit, vqe_error *err)
{
  memset(fit, 0, sizeof *fit);
  if (m < 3) return vqe_error_set(err, VQE_ERR_INPUT, "a scaling fit needs at least 3 points (got %d)", m);
  double *lx = malloc((size_t)m * sizeof *lx), *y = malloc((size_t)m * sizeof *y), *w = malloc((size_t)m * sizeof *w);
  if (!lx || !y || !w) { free(lx); free(y); free(w); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); }
  vqe_status st = VQE_OK;
  for (int i = 0; i < m; i++) {
    if (!(var[i] > 0) || !(x[i] > 0)) {
      st = vqe_error_set(err, VQE_ERR_COMPUTE, "cannot fit a scaling law: point %d has variance %g at x = %g (need both > 0)", i + 1, var[i], x[i]);
      goto out;
    }
    y[i] = log(var[i]);
    lx[i] = log(x[i]);
    double sy = se && se[i] > 0 ? se[i] / var[i] : 0.1;   /* relative error of Var = error of log Var */
    w[i] = 1.0 / (sy * sy);
  }
  fit->n_points = m;
  double a, b, sa, sb;
  wls(m, x, y, w, &a, &b, &sa, &sb, &fit->chi2_exp);
  fit->rate = -b; fit->rate_stderr = sb; fit->log_prefactor_exp = a;
  wls(m, lx, y, w, &a, &b, &sa, &sb, &fit->chi2_poly);
  fit->power = -b; fit->power_stderr = sb; fit->log_prefactor_poly = a;
  fit->aic_exp = fit->chi2_exp + 4; fit->aic_poly = fit->chi2_poly + 4;
  fit->bic_exp = fit->chi2_exp + 2 * log(m); fit->bic_poly = fit->chi2_poly + 2 * log(m);
  fit->model = fit->aic_exp < fit->aic_poly ? VQE_FIT_EXPONENTIAL : VQE_FIT_POLYNOMIAL;
out:
  free(lx); free(y); free(w);
  return st;
}

void vqe_plateau_criteria_default(vqe_plateau_criteria *c)
{
  c->rel_threshold = 1e-3;
  c->min_rate = 0.1;
}

const char *vqe_verdict_name(vqe_verdict v) { return v == VQE_VERDICT_PLATEAU ? "plateau" : "trainable"; }

vqe_verdict vqe_plateau_verdict(const vqe_plateau_fit *fit, double var_last, double scale2_last,
                                const vqe_plateau_criteria *crit, char *reason, size_t n)
{
  char dummy[8];
  if (!reason) { reason = dummy; n = sizeof dummy; }
  const double rel = scale2_last > 0 ? var_last / scale2_last : (double)NAN;
  if (fit && fit->model == VQE_FIT_EXPONENTIAL && fit->rate > crit->min_rate && fit->rate > 3 * fit->rate_stderr) {
    snprintf(reason, n, "the variance decays exponentially: rate %.3f ± %.3f per unit (exponential preferred, "
             "ΔAIC = %.1f)", fit->rate, fit->rate_stderr, fit->aic_poly - fit->aic_exp);
    return VQE_VERDICT_PLATEAU;
  }
  if (isfinite(rel) && rel < crit->rel_threshold) {
    snprintf(reason, n, "Var[∂E]/scale² = %.2e is below the threshold %.0e", rel, crit->rel_threshold);
    return VQE_VERDICT_PLATEAU;
  }
  if (fit)
    snprintf(reason, n, "no exponential decay (%s model preferred, ΔAIC = %.1f) and Var[∂E]/scale² = %.2e >= %.0e",
             fit->model == VQE_FIT_EXPONENTIAL ? "exponential but slow" : "polynomial",
             fabs(fit->aic_poly - fit->aic_exp), rel, crit->rel_threshold);
  else
    snprintf(reason, n, "Var[∂E]/scale² = %.2e >= threshold %.0e", rel, crit->rel_threshold);
  return VQE_VERDICT_TRAINABLE;
}

/* ---- quick estimate ------------------------------------------------------------------------------------ */

typedef struct {
  const vqe_circuit *c;
  const vqe_cost *cost;
  vqe_statevec psi0, work[3];
} quick_ctx;

static vqe_status quick_grad(void *ctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad,
                             vqe_error *err)
{
  quick_ctx *q = ctx;
  (void)k; (void)rng;
  return vqe_cost_gradient(q->c, q->cost, &q->psi0, theta, q->work, energy, grad, err);
}

vqe_status vqe_plateau_quick(const vqe_circuit *c, uint64_t reference, const vqe_pauli_sum *h, int samples,
                             uint64_t seed, const vqe_plateau_criteria *crit, vqe_plateau_quick_result *out,
                             vqe_error *err)
{
  memset(out, 0, sizeof *out);
  vqe_cost cost;
  vqe_status st = vqe_cost_from_pauli(h, "hamiltonian", &cost, err);
  if (st) return st;
  quick_ctx q = { .c = c, .cost = &cost };
  memset(&q.psi0, 0, sizeof q.psi0);
  memset(q.work, 0, sizeof q.work);
  st = vqe_statevec_init_many(q.work, 3, c->n_qubits, err);
  if (!st) st = vqe_statevec_init(&q.psi0, c->n_qubits, err);
  if (!st) st = vqe_statevec_set_basis(&q.psi0, reference, err);
  vqe_plateau_stats ps;
  memset(&ps, 0, sizeof ps);
  if (!st) {
    vqe_plateau_options o;
    vqe_plateau_options_default(&o);
    o.n_samples = samples;
    o.seed = seed;
    o.bootstrap = 0;
    st = vqe_plateau_sample(c->n_params, quick_grad, &q, &o, &ps, err);
  }
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
  vqe_statevec_free(&q.psi0);
  for (int i = 0; i < 3; i++) vqe_statevec_free(&q.work[i]);
  vqe_cost_free(&cost);
  return st;
}
