/* optimizer.c — the optimiser table and drivers: NLopt (L-BFGS, COBYLA, Nelder–Mead), GSL
 * (BFGS, vector_bfgs2), Adam and SPSA. Called by the VQE driver (vqe_run) and by studies. */
#include "vqe/optimizer.h"
#include <math.h>
#include <nlopt.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_blas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const vqe_optimizer_info vqe_optimizers[] = {
  { "lbfgs", VQE_OPT_LBFGS, 1, "NLopt", "Nocedal, Math. Comp. 35, 773 (1980); Liu & Nocedal, Math. Prog. 45, 503 (1989)" },
  { "bfgs", VQE_OPT_BFGS, 1, "GSL", "Fletcher, Practical Methods of Optimization (1987): GSL vector_bfgs2" },
  { "cobyla", VQE_OPT_COBYLA, 0, "NLopt", "Powell, Advances in Optimization and Numerical Analysis, 51 (1994)" },
  { "nelder-mead", VQE_OPT_NELDER_MEAD, 0, "NLopt", "Nelder & Mead, Computer Journal 7, 308 (1965)" },
  { "adam", VQE_OPT_ADAM, 1, "vqe", "Kingma & Ba, arXiv:1412.6980 (2014)" },
  { "spsa", VQE_OPT_SPSA, 0, "vqe", "Spall, IEEE Trans. Autom. Control 37, 332 (1992)" },
  { NULL, 0, 0, NULL, NULL },
};

const vqe_optimizer_info *vqe_optimizer_find(const char *name)
{
  for (const vqe_optimizer_info *o = vqe_optimizers; o->name; o++)
    if (!strcmp(o->name, name)) return o;
  if (!strcmp(name, "l-bfgs")) return &vqe_optimizers[0];
  if (!strcmp(name, "neldermead") || !strcmp(name, "nm")) return &vqe_optimizers[3];
  return NULL;
}

const char *vqe_optimizer_names(void) { return "lbfgs, bfgs, cobyla, nelder-mead, adam, spsa"; }

void vqe_optimizer_options_default(vqe_optimizer_options *o)
{
  memset(o, 0, sizeof *o);
  o->kind = VQE_OPT_LBFGS;
  o->max_iter = 1000;
  o->ftol = 1e-10;
  o->gtol = 1e-6;
  o->step = 0.0;   /* 0: the method's default */
  o->seed = 1;
}

void vqe_optimizer_result_free(vqe_optimizer_result *res)
{
  if (!res) return;
  free(res->trace);
  res->trace = NULL;
  res->n_trace = 0;
}

/* ---- shared bookkeeping --------------------------------------------------------------------------- */

typedef struct {
  int n;
  vqe_objective_fn f;
  void *ctx;
  const vqe_optimizer_options *opt;
  vqe_optimizer_result *res;
  vqe_error *err;
  vqe_status st;
  double t0;
  double *best_x, best_f;
  double *prev_x;          /* previous trace point, for the step length */
  int have_prev;
  int grad_converged;      /* gradient-norm criterion met (NLopt forced stop) */
  int limit_hit;           /* iteration limit met (NLopt forced stop) */
  double last_f;
  int cap;
} driver;

static double norm2(int n, const double *v)
{
  double s = 0;
  for (int i = 0; i < n; i++) s += v[i] * v[i];
  return sqrt(s);
}

static void trace_push(driver *d, const double *x, double f, double gnorm)
{
  vqe_optimizer_result *r = d->res;
  if (r->n_trace == d->cap) {
    int cap = d->cap ? 2 * d->cap : 64;
    vqe_trace_point *t = realloc(r->trace, (size_t)cap * sizeof *t);
    if (!t) return;   /* the trace is best effort; the optimisation goes on */
    r->trace = t;
    d->cap = cap;
  }
  double step = 0;
  if (d->have_prev) {
    for (int i = 0; i < d->n; i++) step += (x[i] - d->prev_x[i]) * (x[i] - d->prev_x[i]);
    step = sqrt(step);
  }
  memcpy(d->prev_x, x, (size_t)d->n * sizeof *x);
  d->have_prev = 1;
  vqe_trace_point p = { r->n_trace + 1, f, gnorm, step, r->n_energy_evals + r->n_gradient_evals, vqe_wtime() - d->t0 };
  r->trace[r->n_trace++] = p;
  if (d->opt->verbose)
    fprintf(stderr, "  iter %5d  E = %.12f  |g| = %.3e  step = %.3e\n", p.iter, f, gnorm, step);
}

/* Evaluate, count, check finiteness, remember the best point. Returns NAN on failure (d->st set). */
static double eval(driver *d, const double *x, double *grad)
{
  if (d->st) return NAN;
  vqe_status st = VQE_OK;
  double fx = d->f(x, grad, d->ctx, &st);
  if (grad) d->res->n_gradient_evals++; else d->res->n_energy_evals++;
  if (st) { d->st = st; return NAN; }
  int bad = !isfinite(fx);
  if (grad)
    for (int i = 0; i < d->n && !bad; i++) bad = !isfinite(grad[i]);
  if (bad) {
    d->st = vqe_error_set(d->err, VQE_ERR_COMPUTE, "non-finite %s at objective evaluation %d (energy %g): stopping",
                          isfinite(fx) ? "gradient" : "energy", d->res->n_energy_evals + d->res->n_gradient_evals, fx);
    return NAN;
  }
  if (fx < d->best_f) {
    d->best_f = fx;
    memcpy(d->best_x, x, (size_t)d->n * sizeof *x);
  }
  return fx;
}

/* ---- NLopt ---------------------------------------------------------------------------------------- */

static double nlopt_obj(unsigned n, const double *x, double *grad, void *data)
{
  driver *d = data;
  (void)n;
  double fx = eval(d, x, grad);
  if (d->st) return HUGE_VAL;
  double gn = grad ? norm2(d->n, grad) : (double)NAN;
  trace_push(d, x, fx, gn);
  d->res->iterations++;
  if (grad && gn < d->opt->gtol) d->grad_converged = 1;
  return fx;
}

typedef struct { driver *d; nlopt_opt o; } nlopt_wrap;

static double nlopt_obj_stop(unsigned n, const double *x, double *grad, void *data)
{
  nlopt_wrap *w = data;
  if (w->d->limit_hit || w->d->st || w->d->grad_converged) {
    /* NLopt may call again before it notices the forced stop: answer without evaluating */
    if (grad) memset(grad, 0, n * sizeof *grad);
    return w->d->best_f;
  }
  double fx = nlopt_obj(n, x, grad, w->d);
  /* NLopt's L-BFGS checks maxeval only between line searches: enforce the limit here */
  if (w->d->res->iterations >= w->d->opt->max_iter && !w->d->grad_converged) w->d->limit_hit = 1;
  if (w->d->st || w->d->grad_converged || w->d->limit_hit) nlopt_force_stop(w->o);
  return fx;
}

static vqe_status run_nlopt(driver *d, double *x)
{
  const vqe_optimizer_options *o = d->opt;
  nlopt_algorithm alg = o->kind == VQE_OPT_LBFGS ? NLOPT_LD_LBFGS
                      : o->kind == VQE_OPT_COBYLA ? NLOPT_LN_COBYLA : NLOPT_LN_NELDERMEAD;
  nlopt_opt opt = nlopt_create(alg, (unsigned)d->n);
  if (!opt) return vqe_error_set(d->err, VQE_ERR_RESOURCE, "NLopt could not create an optimiser for %d parameters", d->n);
  nlopt_wrap w = { d, opt };
  nlopt_set_min_objective(opt, nlopt_obj_stop, &w);
  nlopt_set_ftol_abs(opt, o->ftol);
  nlopt_set_maxeval(opt, o->max_iter);
  if (alg == NLOPT_LD_LBFGS) nlopt_set_vector_storage(opt, 20);
  else nlopt_set_initial_step1(opt, o->step > 0 ? o->step : 0.1);
  double fmin = 0;
  nlopt_result r = nlopt_optimize(opt, x, &fmin);
  nlopt_destroy(opt);
  if (d->st) return d->st;
  vqe_optimizer_result *res = d->res;
  if (r == NLOPT_FORCED_STOP && d->limit_hit) r = NLOPT_MAXEVAL_REACHED;
  switch (r) {
  case NLOPT_FORCED_STOP:
    res->converged = 1;
    snprintf(res->stop_reason, sizeof res->stop_reason, "gradient norm below %g", o->gtol);
    break;
  case NLOPT_SUCCESS: case NLOPT_STOPVAL_REACHED: case NLOPT_FTOL_REACHED: case NLOPT_XTOL_REACHED:
    res->converged = 1;
    snprintf(res->stop_reason, sizeof res->stop_reason, "energy change below %g", o->ftol);
    break;
  case NLOPT_ROUNDOFF_LIMITED:
    res->converged = 1;
    snprintf(res->stop_reason, sizeof res->stop_reason, "no further progress possible in double precision");
    break;
  case NLOPT_MAXEVAL_REACHED: case NLOPT_MAXTIME_REACHED:
    res->converged = 0;
    snprintf(res->stop_reason, sizeof res->stop_reason, "iteration limit (%d objective evaluations) reached", o->max_iter);
    break;
  default:
    res->converged = 0;
    snprintf(res->stop_reason, sizeof res->stop_reason, "NLopt stopped with code %d", (int)r);
    break;
  }
  return VQE_OK;
}

/* ---- GSL BFGS ------------------------------------------------------------------------------------- */

typedef struct {
  driver *d;
  double *x, *g;     /* cache of the last evaluation with gradient */
  double fx;
  int valid;
} gsl_ctx;

static int same_x(int n, const double *a, const gsl_vector *v)
{
  for (int i = 0; i < n; i++)
    if (a[i] != gsl_vector_get(v, (size_t)i)) return 0;
  return 1;
}

static void gsl_eval(gsl_ctx *c, const gsl_vector *v)
{
  if (c->valid && same_x(c->d->n, c->x, v)) return;
  for (int i = 0; i < c->d->n; i++) c->x[i] = gsl_vector_get(v, (size_t)i);
  c->fx = eval(c->d, c->x, c->g);
  c->valid = !c->d->st;
}

static double gsl_f(const gsl_vector *v, void *p)
{
  gsl_ctx *c = p;
  gsl_eval(c, v);
  return c->d->st ? (double)NAN : c->fx;
}

static void gsl_df(const gsl_vector *v, void *p, gsl_vector *g)
{
  gsl_ctx *c = p;
  gsl_eval(c, v);
  for (int i = 0; i < c->d->n; i++) gsl_vector_set(g, (size_t)i, c->d->st ? 0.0 : c->g[i]);
}

static void gsl_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
  *f = gsl_f(v, p);
  gsl_df(v, p, g);
}

static vqe_status run_gsl_bfgs(driver *d, double *x)
{
  const int n = d->n;
  gsl_ctx c = { d, malloc((size_t)n * sizeof(double)), malloc((size_t)n * sizeof(double)), 0, 0 };
  gsl_vector *v = gsl_vector_alloc((size_t)n);
  gsl_multimin_fdfminimizer *m = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)n);
  if (!c.x || !c.g || !v || !m) {
    free(c.x); free(c.g);
    if (v) gsl_vector_free(v);
    if (m) gsl_multimin_fdfminimizer_free(m);
    return vqe_error_set(d->err, VQE_ERR_RESOURCE, "out of memory for BFGS with %d parameters", n);
  }
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  for (int i = 0; i < n; i++) gsl_vector_set(v, (size_t)i, x[i]);
  gsl_multimin_function_fdf fn = { gsl_f, gsl_df, gsl_fdf, (size_t)n, &c };
  double step = d->opt->step > 0 ? d->opt->step : 0.1;
  gsl_multimin_fdfminimizer_set(m, &fn, v, step, 0.1);
  double prev = d->st ? (double)NAN : m->f;
  vqe_optimizer_result *res = d->res;
  res->converged = 0;
  snprintf(res->stop_reason, sizeof res->stop_reason, "iteration limit (%d) reached", d->opt->max_iter);
  if (!d->st) {
    double *xv = malloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++) xv[i] = gsl_vector_get(m->x, (size_t)i);
    double gn = gsl_blas_dnrm2(m->gradient);
    trace_push(d, xv, m->f, gn);
    if (gn < d->opt->gtol) {
      res->converged = 1;
      snprintf(res->stop_reason, sizeof res->stop_reason, "gradient norm below %g", d->opt->gtol);
    }
    for (int it = 0; it < d->opt->max_iter && !res->converged; it++) {
      int status = gsl_multimin_fdfminimizer_iterate(m);
      if (d->st) break;
      res->iterations++;
      for (int i = 0; i < n; i++) xv[i] = gsl_vector_get(m->x, (size_t)i);
      gn = gsl_blas_dnrm2(m->gradient);
      trace_push(d, xv, m->f, gn);
      if (gn < d->opt->gtol) {
        res->converged = 1;
        snprintf(res->stop_reason, sizeof res->stop_reason, "gradient norm below %g", d->opt->gtol);
      } else if (fabs(prev - m->f) < d->opt->ftol) {
        res->converged = 1;
        snprintf(res->stop_reason, sizeof res->stop_reason, "energy change below %g", d->opt->ftol);
      } else if (status == GSL_ENOPROG) {
        res->converged = 1;
        snprintf(res->stop_reason, sizeof res->stop_reason, "line search made no progress (gradient norm %.2e)", gn);
      } else if (status) {
        snprintf(res->stop_reason, sizeof res->stop_reason, "GSL stopped: %s", gsl_strerror(status));
        break;
      }
      prev = m->f;
    }
    free(xv);
  }
  gsl_set_error_handler(old);
  gsl_multimin_fdfminimizer_free(m);
  gsl_vector_free(v);
  free(c.x);
  free(c.g);
  return d->st;
}

/* ---- Adam ----------------------------------------------------------------------------------------- */

static vqe_status run_adam(driver *d, double *x)
{
  const int n = d->n;
  const double lr = d->opt->step > 0 ? d->opt->step : 0.05, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  double *g = calloc((size_t)n, sizeof *g), *m = calloc((size_t)n, sizeof *m), *v = calloc((size_t)n, sizeof *v);
  if (!g || !m || !v) {
    free(g); free(m); free(v);
    return vqe_error_set(d->err, VQE_ERR_RESOURCE, "out of memory for Adam with %d parameters", n);
  }
  vqe_optimizer_result *res = d->res;
  snprintf(res->stop_reason, sizeof res->stop_reason, "iteration limit (%d) reached", d->opt->max_iter);
  double prev = NAN;
  for (int it = 1; it <= d->opt->max_iter; it++) {
    double fx = eval(d, x, g);
    if (d->st) break;
    double gn = norm2(n, g);
    trace_push(d, x, fx, gn);
    if (gn < d->opt->gtol) {
      res->converged = 1;
      snprintf(res->stop_reason, sizeof res->stop_reason, "gradient norm below %g", d->opt->gtol);
      break;
    }
    if (isfinite(prev) && fabs(prev - fx) < d->opt->ftol) {
      res->converged = 1;
      snprintf(res->stop_reason, sizeof res->stop_reason, "energy change below %g", d->opt->ftol);
      break;
    }
    prev = fx;
    res->iterations = it;
    const double c1 = 1.0 - pow(b1, it), c2 = 1.0 - pow(b2, it);
    for (int i = 0; i < n; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      x[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + eps);
    }
  }
  free(g); free(m); free(v);
  return d->st;
}

/* ---- SPSA ----------------------------------------------------------------------------------------- */

static vqe_status run_spsa(driver *d, double *x)
{
  const int n = d->n;
  /* Spall's recommended gains: a_k = a/(k+1+A)^0.602, c_k = c/(k+1)^0.101, A = 10% of the budget. */
  const double a = d->opt->step > 0 ? d->opt->step : 0.2, c = 0.1, A = 0.1 * d->opt->max_iter;
  double *delta = malloc((size_t)n * sizeof *delta), *xp = malloc((size_t)n * sizeof *xp);
  if (!delta || !xp) {
    free(delta); free(xp);
    return vqe_error_set(d->err, VQE_ERR_RESOURCE, "out of memory for SPSA with %d parameters", n);
  }
  vqe_rng rng;
  vqe_rng_seed(&rng, d->opt->seed);
  vqe_optimizer_result *res = d->res;
  snprintf(res->stop_reason, sizeof res->stop_reason, "iteration limit (%d) reached", d->opt->max_iter);
  double window[10];
  int nw = 0;
  for (int it = 0; it < d->opt->max_iter; it++) {
    double fx = eval(d, x, NULL);
    if (d->st) break;
    trace_push(d, x, fx, NAN);
    window[nw % 10] = fx;
    nw++;
    if (nw >= 10) {   /* stop when the last ten energies agree to ftol */
      double lo = window[0], hi = window[0];
      for (int k = 1; k < 10; k++) { lo = fmin(lo, window[k]); hi = fmax(hi, window[k]); }
      if (hi - lo < d->opt->ftol) {
        res->converged = 1;
        snprintf(res->stop_reason, sizeof res->stop_reason, "last 10 energies within %g", d->opt->ftol);
        break;
      }
    }
    const double ak = a / pow(it + 1 + A, 0.602), ck = c / pow(it + 1, 0.101);
    for (int i = 0; i < n; i++) delta[i] = (vqe_rng_u64(&rng) >> 63) ? 1.0 : -1.0;
    for (int i = 0; i < n; i++) xp[i] = x[i] + ck * delta[i];
    double fp = eval(d, xp, NULL);
    for (int i = 0; i < n; i++) xp[i] = x[i] - ck * delta[i];
    double fm = eval(d, xp, NULL);
    if (d->st) break;
    const double gs = (fp - fm) / (2 * ck);
    for (int i = 0; i < n; i++) x[i] -= ak * gs * delta[i];
    res->iterations = it + 1;
  }
  free(delta); free(xp);
  return d->st;
}

/* ---- entry ---------------------------------------------------------------------------------------- */

vqe_status vqe_optimize(int n, double *x, vqe_objective_fn f, void *ctx, const vqe_optimizer_options *opt,
                        vqe_optimizer_result *res, vqe_error *err)
{
  memset(res, 0, sizeof *res);
  if (n < 1) return vqe_error_set(err, VQE_ERR_INPUT, "nothing to optimise: the ansatz has no parameters");
  if (opt->max_iter < 1) return vqe_error_set(err, VQE_ERR_INPUT, "max-iter %d (allowed: >= 1)", opt->max_iter);
  driver d = { .n = n, .f = f, .ctx = ctx, .opt = opt, .res = res, .err = err, .t0 = vqe_wtime(),
               .best_f = HUGE_VAL };
  d.best_x = malloc((size_t)n * sizeof(double));
  d.prev_x = malloc((size_t)n * sizeof(double));
  if (!d.best_x || !d.prev_x) {
    free(d.best_x); free(d.prev_x);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %d parameters", n);
  }
  memcpy(d.best_x, x, (size_t)n * sizeof *x);
  vqe_status st;
  switch (opt->kind) {
  case VQE_OPT_LBFGS: case VQE_OPT_COBYLA: case VQE_OPT_NELDER_MEAD: st = run_nlopt(&d, x); break;
  case VQE_OPT_BFGS: st = run_gsl_bfgs(&d, x); break;
  case VQE_OPT_ADAM: st = run_adam(&d, x); break;
  case VQE_OPT_SPSA: st = run_spsa(&d, x); break;
  default: st = vqe_error_set(err, VQE_ERR_INPUT, "unknown optimiser kind %d", (int)opt->kind); break;
  }
  if (!st && d.best_f < HUGE_VAL) {
    memcpy(x, d.best_x, (size_t)n * sizeof *x);
    res->energy = d.best_f;
  }
  res->time = vqe_wtime() - d.t0;
  free(d.best_x);
  free(d.prev_x);
  return st;
}
