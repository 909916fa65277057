/* test_optimizer.c — every optimiser on analytic functions: minimum found, counts, trace, stop
 * reasons, iteration limit (converged = 0), non-finite values stopped, seeds reproduce. */
#include "testutil.h"
#include <string.h>

typedef struct { int calls; int nan_after; } fctx;

/* Shifted quadratic + cosine: f = sum (x_i - i/4)^2 - cos(x_0 - 0) ... minimum 0 at x_i = i/4 */
static double quad(const double *x, double *g, void *p, vqe_status *st)
{
  fctx *c = p;
  (void)st;
  c->calls++;
  double f = 0;
  for (int i = 0; i < 4; i++) {
    double d = x[i] - 0.25 * i;
    f += (1.0 + i) * d * d;
    if (g) g[i] = 2.0 * (1.0 + i) * d;
  }
  if (c->nan_after && c->calls > c->nan_after) return NAN;
  return f;
}

/* Rosenbrock in 2D */
static double rosen(const double *x, double *g, void *p, vqe_status *st)
{
  (void)p; (void)st;
  double a = 1 - x[0], b = x[1] - x[0] * x[0];
  if (g) { g[0] = -2 * a - 400 * x[0] * b; g[1] = 200 * b; }
  return a * a + 100 * b * b;
}

static void run_kind(const char *name, double tol, int max_iter)
{
  const vqe_optimizer_info *info = vqe_optimizer_find(name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(info);
  vqe_optimizer_options o;
  vqe_optimizer_options_default(&o);
  o.kind = info->kind;
  o.max_iter = max_iter;
  double x[4] = {1, -1, 0.5, 2};
  fctx c = {0, 0};
  vqe_optimizer_result r;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_optimize(4, x, quad, &c, &o, &r, &e), VQE_OK);
  for (int i = 0; i < 4; i++) TU_ASSERT_CLOSE(x[i], 0.25 * i, tol);
  TU_ASSERT_CLOSE(r.energy, 0.0, tol * tol * 10);
  CU_ASSERT_EQUAL(r.n_energy_evals + r.n_gradient_evals, c.calls);
  if (info->uses_gradient) { CU_ASSERT(r.n_gradient_evals > 0); }
  else { CU_ASSERT_EQUAL(r.n_gradient_evals, 0); }
  CU_ASSERT(r.n_trace > 0);
  CU_ASSERT(r.iterations > 0);
  CU_ASSERT(r.stop_reason[0] != '\0');
  if (strcmp(name, "spsa")) { CU_ASSERT_EQUAL(r.converged, 1); }
  if (!r.converged || r.n_trace < 2) fprintf(stderr, "\n  %s: %s after %d iterations\n", name, r.stop_reason, r.iterations);
  vqe_optimizer_result_free(&r);
}

static void test_lbfgs(void) { run_kind("lbfgs", 1e-5, 1000); }
static void test_bfgs(void) { run_kind("bfgs", 1e-5, 1000); }
static void test_cobyla(void) { run_kind("cobyla", 1e-3, 5000); }
static void test_nelder_mead(void) { run_kind("nelder-mead", 1e-3, 5000); }
static void test_adam(void) { run_kind("adam", 1e-3, 5000); }
static void test_spsa(void) { run_kind("spsa", 5e-2, 3000); }

static void test_rosenbrock(void)
{
  const char *names[] = {"lbfgs", "bfgs", NULL};
  for (int k = 0; names[k]; k++) {
    vqe_optimizer_options o;
    vqe_optimizer_options_default(&o);
    o.kind = vqe_optimizer_find(names[k])->kind;
    double x[2] = {-1.2, 1.0};
    vqe_optimizer_result r;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_optimize(2, x, rosen, NULL, &o, &r, &e), VQE_OK);
    TU_ASSERT_CLOSE(x[0], 1.0, 1e-5);
    TU_ASSERT_CLOSE(x[1], 1.0, 1e-5);
    vqe_optimizer_result_free(&r);
  }
}

static void test_iteration_limit(void)
{
  vqe_optimizer_options o;
  vqe_optimizer_options_default(&o);
  const vqe_optimizer_kind kinds[] = {VQE_OPT_LBFGS, VQE_OPT_BFGS, VQE_OPT_ADAM};
  for (int k = 0; k < 3; k++) {
    o.kind = kinds[k];
    o.max_iter = 3;
    double x[2] = {-1.2, 1.0};
    vqe_optimizer_result r;
    vqe_error e = {0};
    CU_ASSERT_EQUAL(vqe_optimize(2, x, rosen, NULL, &o, &r, &e), VQE_OK);
    CU_ASSERT_EQUAL(r.converged, 0);
    TU_ASSERT_CONTAINS(r.stop_reason, "limit");
    if (r.iterations > 3) fprintf(stderr, "kind %d: %d iterations\n", (int)kinds[k], r.iterations);
    CU_ASSERT(r.iterations <= 3);
    vqe_optimizer_result_free(&r);
  }
}

static void test_nonfinite(void)
{
  for (const vqe_optimizer_info *info = vqe_optimizers; info->name; info++) {
    vqe_optimizer_options o;
    vqe_optimizer_options_default(&o);
    o.kind = info->kind;
    double x[4] = {1, -1, 0.5, 2};
    fctx c = {0, 3};
    vqe_optimizer_result r;
    vqe_error e = {0};
    CU_ASSERT_EQUAL(vqe_optimize(4, x, quad, &c, &o, &r, &e), VQE_ERR_COMPUTE);
    TU_ASSERT_CONTAINS(e.msg, "non-finite energy at objective evaluation 4");
    vqe_optimizer_result_free(&r);
  }
}

static void test_seed_reproducible(void)
{
  double e1[2];
  for (int k = 0; k < 2; k++) {
    vqe_optimizer_options o;
    vqe_optimizer_options_default(&o);
    o.kind = VQE_OPT_SPSA;
    o.max_iter = 200;
    o.seed = 99;
    double x[4] = {1, -1, 0.5, 2};
    fctx c = {0, 0};
    vqe_optimizer_result r;
    vqe_error e = {0};
    CU_ASSERT_EQUAL(vqe_optimize(4, x, quad, &c, &o, &r, &e), VQE_OK);
    e1[k] = r.energy;
    vqe_optimizer_result_free(&r);
  }
  CU_ASSERT_EQUAL(e1[0], e1[1]);
  CU_ASSERT_PTR_NULL(vqe_optimizer_find("newton"));
  vqe_optimizer_options o;
  vqe_optimizer_options_default(&o);
  vqe_optimizer_result r;
  vqe_error e = {0};
  double x[1] = {0};
  CU_ASSERT_EQUAL(vqe_optimize(0, x, quad, NULL, &o, &r, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "no parameters");
}

int main(void)
{
  const tu_test tests[] = {
    {"L-BFGS (NLopt)", test_lbfgs}, {"BFGS (GSL)", test_bfgs}, {"COBYLA (NLopt)", test_cobyla},
    {"Nelder-Mead (NLopt)", test_nelder_mead}, {"Adam", test_adam}, {"SPSA", test_spsa},
    {"Rosenbrock", test_rosenbrock}, {"iteration limit", test_iteration_limit},
    {"non-finite stops", test_nonfinite}, {"seeded, errors", test_seed_reproducible}, {NULL, NULL}};
  return tu_run_suite("optimizer", tests);
}
