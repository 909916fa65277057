/* dist_plateau.c — vqe_dist_plateau_sample (dist.h): the samples of plateau.h's gradient-variance
 * estimate split over MPI ranks with results identical to one process. Called by `vqe plateau`. */
#include "vqe/dist.h"
#include <stdlib.h>
#include <string.h>

typedef struct {
  vqe_plateau_grad_fn fn;
  void *ctx;
  int P;
  size_t lo, hi;           /* this rank's samples [lo, hi) */
  double *e, *g;           /* M energies, M·P gradients (zero where another rank owns the sample) */
} dp_ctx;

/* Pass 1: run the real function for this rank's samples (θ and the stream come from
 * vqe_plateau_sample, so they are exactly those of one process); others give zeros. */
static vqe_status dp_run(void *vctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad,
                         vqe_error *err)
{
  dp_ctx *c = vctx;
  if (k < c->lo || k >= c->hi) {
    *energy = 0;
    memset(grad, 0, (size_t)c->P * sizeof *grad);
    return VQE_OK;
  }
  vqe_status st = c->fn(c->ctx, k, rng, theta, energy, grad, err);
  if (!st) {
    c->e[k] = *energy;
    memcpy(c->g + k * (size_t)c->P, grad, (size_t)c->P * sizeof *grad);
  }
  return st;
}

/* Pass 2: replay the gathered results. */
static vqe_status dp_replay(void *vctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad,
                            vqe_error *err)
{
  dp_ctx *c = vctx;
  (void)rng; (void)theta; (void)err;
  *energy = c->e[k];
  memcpy(grad, c->g + k * (size_t)c->P, (size_t)c->P * sizeof *grad);
  return VQE_OK;
}

vqe_status vqe_dist_plateau_sample(int P, vqe_plateau_grad_fn fn, void *ctx, const vqe_plateau_options *opt,
                                   vqe_plateau_stats *st, vqe_error *err)
{
  if (vqe_dist_size() == 1) return vqe_plateau_sample(P, fn, ctx, opt, st, err);
  memset(st, 0, sizeof *st);
  const double t0 = vqe_wtime();
  const int M = opt->n_samples;
  dp_ctx c = { fn, ctx, P, 0, 0, NULL, NULL };
  vqe_status s = VQE_OK;
  if (M < 4 || P < 1) return vqe_plateau_sample(P, fn, ctx, opt, st, err);   /* the same input error everywhere */
  s = vqe_mem_check((uint64_t)M * (uint64_t)(P + 1) * 8u, "storing the sampled gradients", "use fewer --samples", err);
  if (!s) {
    c.e = calloc((size_t)M, sizeof *c.e);
    c.g = calloc((size_t)M * (size_t)P, sizeof *c.g);
    if (!c.e || !c.g) s = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %d gradient samples of %d parameters", M, P);
  }
  if ((s = vqe_dist_agree(s, err))) goto out;
  vqe_dist_share((size_t)M, &c.lo, &c.hi);
  {
    vqe_plateau_options o1 = *opt;
    o1.bootstrap = 0;                       /* statistics of pass 1 are discarded */
    vqe_plateau_stats tmp;
    s = vqe_plateau_sample(P, dp_run, &c, &o1, &tmp, err);
    vqe_plateau_stats_free(&tmp);
  }
  if ((s = vqe_dist_agree(s, err))) goto out;
  vqe_dist_sum(c.e, (size_t)M);
  vqe_dist_sum(c.g, (size_t)M * (size_t)P);
  s = vqe_plateau_sample(P, dp_replay, &c, opt, st, err);
  s = vqe_dist_agree(s, err);
  if (!s) st->time = vqe_wtime() - t0;
  else vqe_plateau_stats_free(st);
out:
  free(c.e);
  free(c.g);
  return s;
}
