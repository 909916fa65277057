/* test_plateau.c — the variance estimator against exactly derivable values, the McClean scaling, the
 * Cerezo global/local contrast, fits, verdicts, seeds and thread independence.
 *
 * Derivations (θ uniform on [0, 2π), so E[cos θ] = E[sin θ] = 0, E[cos²θ] = E[sin²θ] = ½,
 * E[cos⁴(θ/2)] = 3/8):
 *  - 2-design after R_V: ∂E/∂θ = Tr(W†HW X) with X = (i/2)[ρ, V] traceless; for Haar W and traceless
 *    H, E_W[Tr(W†HW X)²] = Tr(H²) Tr(X²)/(d² − 1), and Tr(X²) = ½(1 − ⟨V⟩²) for pure ρ and V² = I.
 *  - RX product on |0…0⟩: ⟨Z_j⟩ = cos θ_j, |⟨0|ψ⟩|² = Π cos²(θ_j/2).
 *    global: ∂C_G/∂θ_1 = ½ sin θ_1 Π_{j>1} cos²(θ_j/2) → Var = ¼·½·(3/8)^{n−1} = (1/8)(3/8)^{n−1}.
 *    local:  C_L = ½ − (1/2n) Σ cos θ_j → ∂/∂θ_1 = sin θ_1/(2n) → Var = 1/(8n²).
 *    global-z: ⟨Π Z⟩ = Π cos θ_j → ∂/∂θ_1 = −sin θ_1 Π_{j>1} cos θ_j → Var = 2^{−n}. */
#include "testutil.h"
#include <lapacke.h>
#include <omp.h>
#include <string.h>

/* ---- exact 2-design check: RY(θ) on qubit 0 of |0…0⟩, then a Haar-random W on all qubits ---------- */

typedef struct {
  int n;
  vqe_pauli_sum H;
  vqe_statevec s;
  lapack_complex_double *w;
} haar_ctx;

/* Haar unitary by QR of a complex Ginibre matrix with the phases of R's diagonal divided out
 * (Mezzadri, Notices AMS 54, 592 (2007)). Row-major d×d into w. */
static void haar(int d, vqe_rng *rng, lapack_complex_double *w)
{
  for (int i = 0; i < d * d; i++) w[i] = lapack_make_complex_double(vqe_rng_normal(rng), vqe_rng_normal(rng));
  lapack_complex_double tau[64];
  LAPACKE_zgeqrf(LAPACK_ROW_MAJOR, d, d, w, d, tau);
  double complex r[64];
  for (int i = 0; i < d; i++) r[i] = w[i * d + i];
  LAPACKE_zungqr(LAPACK_ROW_MAJOR, d, d, d, w, d, tau);
  for (int j = 0; j < d; j++) {
    double complex ph = r[j] / cabs(r[j]);
    for (int i = 0; i < d; i++) w[i * d + j] *= ph;
  }
}

static double haar_energy(haar_ctx *c, double theta)
{
  vqe_error e = {0};
  vqe_statevec_set_basis(&c->s, 0, &e);
  int q0 = 0;
  vqe_circuit ry;
  vqe_circuit_init(&ry, c->n);
  vqe_circuit_add_fixed(&ry, VQE_GATE_RY, &q0, &theta, &e);
  vqe_circuit_apply(&ry, NULL, &c->s, &e);
  vqe_circuit_free(&ry);
  int qs[6] = {0, 1, 2, 3, 4, 5};
  vqe_statevec_apply_dense(&c->s, c->n, qs, (const vqe_complex *)c->w, &e);
  double en = 0;
  vqe_statevec_expect_pauli_sum(&c->s, &c->H, &en, &e);
  return en;
}

static vqe_status haar_grad(void *ctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad, vqe_error *err)
{
  haar_ctx *c = ctx;
  (void)k; (void)err;
  haar(1 << c->n, rng, c->w);
  *energy = haar_energy(c, theta[0]);
  grad[0] = 0.5 * (haar_energy(c, theta[0] + M_PI / 2) - haar_energy(c, theta[0] - M_PI / 2));   /* exact shift rule */
  return VQE_OK;
}

static void test_two_design_closed_form(void)
{
  for (int n = 2; n <= 4; n++) {
    haar_ctx c = {.n = n};
    vqe_error e = {0};
    vqe_pauli_sum_init(&c.H, n);
    vqe_pauli_sum_add(&c.H, 0, 3, 1.0, &e);        /* Z0 Z1: Tr(H²) = d */
    CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&c.s, n, &e), VQE_OK);
    const int d = 1 << n;
    c.w = malloc(sizeof *c.w * (size_t)d * d);
    vqe_plateau_options o;
    vqe_plateau_options_default(&o);
    o.n_samples = 3000;
    o.seed = 11 + n;
    vqe_plateau_stats st;
    CU_ASSERT_EQUAL_FATAL(vqe_plateau_sample(1, haar_grad, &c, &o, &st, &e), VQE_OK);
    /* ⟨Y⟩ = 0 on RY(θ)|0⟩ */
    const double exact = 0.5 * (double)d / ((double)d * d - 1);
    fprintf(stderr, "\n  2-design n=%d: Var = %.5f ± %.5f (exact %.5f), 95%% CI [%.5f, %.5f]", n, st.variance_first,
            st.variance_first_stderr, exact, st.variance_first_ci[0], st.variance_first_ci[1]);
    TU_ASSERT_CLOSE(st.variance_first, exact, 4 * st.variance_first_stderr);
    CU_ASSERT(st.variance_first_stderr < 0.1 * exact);
    CU_ASSERT(st.variance_first_ci[0] < exact && exact < st.variance_first_ci[1]);
    TU_ASSERT_CLOSE(st.grad_mean[0], 0.0, 4 * sqrt(st.variance_first / o.n_samples));
    vqe_plateau_stats_free(&st);
    free(c.w);
    vqe_statevec_free(&c.s);
    vqe_pauli_sum_free(&c.H);
  }
}

/* ---- circuits through the adjoint gradient ------------------------------------------------------------ */

typedef struct {
  vqe_circuit circ;
  int random_pauli, n, layers;
  vqe_cost cost;
  vqe_statevec work[3];
} circ_ctx;

static vqe_status circ_grad(void *ctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad, vqe_error *err)
{
  circ_ctx *c = ctx;
  (void)k;
  if (c->random_pauli) {   /* new random axes per sample */
    vqe_circuit_free(&c->circ);
    vqe_status st = vqe_circuit_random_pauli(c->n, c->layers, rng, &c->circ, err);
    if (st) return st;
  }
  return vqe_cost_gradient(&c->circ, &c->cost, NULL, theta, c->work, energy, grad, err);
}

static vqe_status circ_setup(circ_ctx *c, int n, int layers, int random_pauli, vqe_cost_kind cost, vqe_error *e)
{
  memset(c, 0, sizeof *c);
  c->n = n; c->layers = layers; c->random_pauli = random_pauli;
  vqe_rng rng;
  vqe_rng_seed(&rng, 0);
  vqe_status st = random_pauli ? vqe_circuit_random_pauli(n, layers, &rng, &c->circ, e) : vqe_circuit_rx_product(n, layers, &c->circ, e);
  if (!st) st = vqe_cost_synthetic(cost, n, &c->cost, e);
  if (!st) st = vqe_statevec_init_many(c->work, 3, n, e);
  return st;
}

static void circ_free(circ_ctx *c)
{
  vqe_circuit_free(&c->circ);
  vqe_cost_free(&c->cost);
  for (int i = 0; i < 3; i++) vqe_statevec_free(&c->work[i]);
}

static void test_adjoint_matches_finite_difference(void)
{
  const vqe_cost_kind kinds[] = {VQE_COST_GLOBAL, VQE_COST_LOCAL, VQE_COST_ZZ, VQE_COST_GLOBAL_Z};
  for (int k = 0; k < 4; k++) {
    circ_ctx c;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(circ_setup(&c, 4, 3, 1, kinds[k], &e), VQE_OK);
    const int P = c.circ.n_params;
    double theta[64], grad[64], tp[64], en, ep, em;
    vqe_rng rng;
    vqe_rng_seed(&rng, 5);
    for (int p = 0; p < P; p++) theta[p] = 2 * M_PI * vqe_rng_uniform(&rng);
    CU_ASSERT_EQUAL_FATAL(vqe_cost_gradient(&c.circ, &c.cost, NULL, theta, c.work, &en, grad, &e), VQE_OK);
    for (int p = 0; p < P; p++) {
      const double h = 1e-5;
      memcpy(tp, theta, sizeof theta);
      tp[p] += h;
      vqe_cost_gradient(&c.circ, &c.cost, NULL, tp, c.work, &ep, grad + 32, &e);
      tp[p] -= 2 * h;
      vqe_cost_gradient(&c.circ, &c.cost, NULL, tp, c.work, &em, grad + 32, &e);
      TU_ASSERT_CLOSE(grad[p], (ep - em) / (2 * h), 1e-8);
    }
    circ_free(&c);
  }
}

static void cerezo_variance(vqe_cost_kind kind, int n, int M, double *var, double *se)
{
  circ_ctx c;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(circ_setup(&c, n, 1, 0, kind, &e), VQE_OK);
  vqe_plateau_options o;
  vqe_plateau_options_default(&o);
  o.n_samples = M;
  o.seed = 100 + n;
  o.bootstrap = 0;
  vqe_plateau_stats st;
  CU_ASSERT_EQUAL_FATAL(vqe_plateau_sample(c.circ.n_params, circ_grad, &c, &o, &st, &e), VQE_OK);
  *var = st.variance_first;
  *se = st.variance_first_stderr;
  vqe_plateau_stats_free(&st);
  circ_free(&c);
}

static void test_cerezo_closed_forms(void)
{
  for (int n = 2; n <= 8; n += 3) {
    double v, se;
    cerezo_variance(VQE_COST_GLOBAL, n, 4000, &v, &se);
    double exact = 0.125 * pow(0.375, n - 1);
    fprintf(stderr, "\n  Cerezo n=%d global: %.3e ± %.1e (exact %.3e)", n, v, se, exact);
    TU_ASSERT_CLOSE(v, exact, 4 * se);
    cerezo_variance(VQE_COST_LOCAL, n, 4000, &v, &se);
    exact = 1.0 / (8.0 * n * n);
    fprintf(stderr, "; local: %.3e ± %.1e (exact %.3e)", v, se, exact);
    TU_ASSERT_CLOSE(v, exact, 4 * se);
    cerezo_variance(VQE_COST_GLOBAL_Z, n, 4000, &v, &se);
    exact = pow(0.5, n);
    fprintf(stderr, "; global-z: %.3e ± %.1e (exact %.3e)", v, se, exact);
    TU_ASSERT_CLOSE(v, exact, 4 * se);
  }
}

static void family(vqe_cost_kind kind, int random_pauli, int layers_per_qubit, int nmin, int nmax, int M,
                   vqe_plateau_fit *fit, vqe_verdict *verdict)
{
  double x[16], v[16], se[16], sc = 0;
  int m = 0;
  for (int n = nmin; n <= nmax; n += 2, m++) {
    circ_ctx c;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(circ_setup(&c, n, random_pauli ? layers_per_qubit * n : 1, random_pauli, kind, &e), VQE_OK);
    vqe_plateau_options o;
    vqe_plateau_options_default(&o);
    o.n_samples = M;
    o.seed = 7;
    o.bootstrap = 0;
    vqe_plateau_stats st;
    CU_ASSERT_EQUAL_FATAL(vqe_plateau_sample(c.circ.n_params, circ_grad, &c, &o, &st, &e), VQE_OK);
    x[m] = n; v[m] = st.variance_first; se[m] = st.variance_first_stderr;
    sc = vqe_cost_scale2(&c.cost);
    vqe_plateau_stats_free(&st);
    circ_free(&c);
  }
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_plateau_fit_scaling(m, x, v, se, fit, &e), VQE_OK);
  vqe_plateau_criteria crit;
  vqe_plateau_criteria_default(&crit);
  char reason[256];
  *verdict = vqe_plateau_verdict(fit, v[m - 1], sc, &crit, reason, sizeof reason);
  fprintf(stderr, "\n  rate %.3f ± %.3f, power %.2f ± %.2f, model %s: %s — %s", fit->rate, fit->rate_stderr, fit->power,
          fit->power_stderr, fit->model == VQE_FIT_EXPONENTIAL ? "exp" : "poly", vqe_verdict_name(*verdict), reason);
}

static void test_mcclean_exponential(void)
{
  /* deep random circuits (15n layers) with ⟨Z0 Z1⟩: Var ≈ 2-design value ∝ 2^{-n}, rate ln 2 */
  vqe_plateau_fit fit;
  vqe_verdict v;
  family(VQE_COST_ZZ, 1, 15, 2, 10, 300, &fit, &v);
  CU_ASSERT_EQUAL(fit.model, VQE_FIT_EXPONENTIAL);
  CU_ASSERT(fabs(fit.rate - M_LN2) < 3 * fit.rate_stderr + 0.05);
  CU_ASSERT_EQUAL(v, VQE_VERDICT_PLATEAU);
}

static void test_local_trainable_global_plateau(void)
{
  vqe_plateau_fit fit;
  vqe_verdict v;
  family(VQE_COST_LOCAL, 0, 1, 2, 12, 2000, &fit, &v);
  CU_ASSERT_EQUAL(fit.model, VQE_FIT_POLYNOMIAL);
  TU_ASSERT_CLOSE(fit.power, 2.0, 3 * fit.power_stderr + 0.05);
  CU_ASSERT_EQUAL(v, VQE_VERDICT_TRAINABLE);
  family(VQE_COST_GLOBAL, 0, 1, 2, 12, 2000, &fit, &v);
  CU_ASSERT_EQUAL(fit.model, VQE_FIT_EXPONENTIAL);
  TU_ASSERT_CLOSE(fit.rate, -log(0.375), 3 * fit.rate_stderr + 0.05);
  CU_ASSERT_EQUAL(v, VQE_VERDICT_PLATEAU);
}

static void test_fit_exact_data(void)
{
  double x[5] = {2, 4, 6, 8, 10}, ve[5], vp[5], se[5];
  for (int i = 0; i < 5; i++) {
    ve[i] = 0.3 * exp(-0.5 * x[i]);
    vp[i] = 0.3 * pow(x[i], -1.5);
  }
  for (int i = 0; i < 5; i++) se[i] = 0.01 * ve[i];
  vqe_plateau_fit f;
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_plateau_fit_scaling(5, x, ve, se, &f, &e), VQE_OK);
  CU_ASSERT_EQUAL(f.model, VQE_FIT_EXPONENTIAL);
  TU_ASSERT_CLOSE(f.rate, 0.5, 1e-10);
  TU_ASSERT_CLOSE(f.chi2_exp, 0.0, 1e-12);
  for (int i = 0; i < 5; i++) se[i] = 0.01 * vp[i];
  CU_ASSERT_EQUAL(vqe_plateau_fit_scaling(5, x, vp, se, &f, &e), VQE_OK);
  CU_ASSERT_EQUAL(f.model, VQE_FIT_POLYNOMIAL);
  TU_ASSERT_CLOSE(f.power, 1.5, 1e-10);
  CU_ASSERT(f.bic_exp > f.bic_poly);
  CU_ASSERT_EQUAL(vqe_plateau_fit_scaling(2, x, vp, se, &f, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "at least 3 points");
  double bad[3] = {1, 0, 1};
  CU_ASSERT_EQUAL(vqe_plateau_fit_scaling(3, x, bad, NULL, &f, &e), VQE_ERR_COMPUTE);
  TU_ASSERT_CONTAINS(e.msg, "point 2 has variance 0");
}

static void test_costs_and_errors(void)
{
  vqe_cost c;
  vqe_error e = {0};
  vqe_cost_kind k;
  CU_ASSERT_EQUAL(vqe_cost_lookup("nope", &k, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "allowed: global, global-z, local, zz");
  /* scale² = Tr(C̃²)/d checked against a dense computation on 3 qubits */
  const vqe_cost_kind kinds[] = {VQE_COST_GLOBAL, VQE_COST_GLOBAL_Z, VQE_COST_LOCAL, VQE_COST_ZZ};
  for (int i = 0; i < 4; i++) {
    CU_ASSERT_EQUAL_FATAL(vqe_cost_synthetic(kinds[i], 3, &c, &e), VQE_OK);
    /* diagonal costs: evaluate on every basis state */
    vqe_statevec s;
    vqe_statevec_init(&s, 3, &e);
    double vals[8], mean = 0, sq = 0;
    for (int b = 0; b < 8; b++) {
      vqe_statevec_set_basis(&s, (uint64_t)b, &e);
      vqe_cost_expect(&c, &s, &vals[b], &e);
      mean += vals[b] / 8;
    }
    for (int b = 0; b < 8; b++) sq += (vals[b] - mean) * (vals[b] - mean) / 8;
    TU_ASSERT_CLOSE(vqe_cost_scale2(&c), sq, 1e-14);
    vqe_statevec_free(&s);
    vqe_cost_free(&c);
  }
  CU_ASSERT_EQUAL(vqe_cost_synthetic(VQE_COST_ZZ, 1, &c, &e), VQE_ERR_INPUT);
  vqe_circuit circ;
  vqe_rng rng;
  vqe_rng_seed(&rng, 1);
  CU_ASSERT_EQUAL(vqe_circuit_random_pauli(1, 3, &rng, &circ, &e), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(vqe_circuit_rx_product(3, 0, &circ, &e), VQE_ERR_INPUT);
  vqe_plateau_options o;
  vqe_plateau_options_default(&o);
  o.n_samples = 2;
  vqe_plateau_stats st;
  CU_ASSERT_EQUAL(vqe_plateau_sample(3, haar_grad, NULL, &o, &st, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "too few");
}

static void run_small(int threads, double *out)
{
  omp_set_num_threads(threads);
  circ_ctx c;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(circ_setup(&c, 8, 6, 1, VQE_COST_ZZ, &e), VQE_OK);
  vqe_plateau_options o;
  vqe_plateau_options_default(&o);
  o.n_samples = 40;
  o.seed = 3;
  vqe_plateau_stats st;
  CU_ASSERT_EQUAL_FATAL(vqe_plateau_sample(c.circ.n_params, circ_grad, &c, &o, &st, &e), VQE_OK);
  out[0] = st.variance_mean; out[1] = st.variance_first; out[2] = st.energy_variance; out[3] = st.variance_mean_ci[0];
  vqe_plateau_stats_free(&st);
  circ_free(&c);
}

static void test_seed_and_threads(void)
{
  double a[4], b[4], c[4];
  run_small(1, a);
  run_small(2, b);
  run_small(2, c);
  for (int i = 0; i < 4; i++) {
    TU_ASSERT_CLOSE(a[i], b[i], 1e-12 * fabs(a[i]));
    CU_ASSERT_EQUAL(b[i], c[i]);
  }
}

int main(void)
{
  const tu_test tests[] = {
    {"2-design closed form", test_two_design_closed_form},
    {"adjoint = finite difference", test_adjoint_matches_finite_difference},
    {"Cerezo warm-up closed forms", test_cerezo_closed_forms},
    {"McClean: exponential decay, rate ln 2", test_mcclean_exponential},
    {"local trainable, global plateau", test_local_trainable_global_plateau},
    {"fits on exact data", test_fit_exact_data},
    {"costs and errors", test_costs_and_errors},
    {"seed and thread independence", test_seed_and_threads},
    {NULL, NULL}};
  return tu_run_suite("plateau", tests);
}
