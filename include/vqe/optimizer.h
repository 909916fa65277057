/* optimizer.h — classical minimisers for VQE: L-BFGS, COBYLA and Nelder–Mead from NLopt
 * (S. G. Johnson, The NLopt nonlinear-optimization package), BFGS from GSL (vector_bfgs2: Fletcher's
 * BFGS with a Moré–Thuente-style line search, Fletcher, Practical Methods of Optimization (1987)),
 * and Adam (Kingma & Ba, arXiv:1412.6980) and SPSA (Spall, IEEE Trans. Autom. Control 37, 332
 * (1992)) written here. Used by the VQE driver; every iteration goes into a trace. */
#ifndef VQE_OPTIMIZER_H
#define VQE_OPTIMIZER_H

#include "vqe/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Objective: return f(x); when grad is non-NULL fill it with ∂f/∂x. Set *st (and the error record
 * passed to vqe_optimize) to a failure status to stop the optimisation. */
typedef double (*vqe_objective_fn)(const double *x, double *grad, void *ctx, vqe_status *st);

typedef enum {
  VQE_OPT_LBFGS = 0, VQE_OPT_BFGS, VQE_OPT_COBYLA, VQE_OPT_NELDER_MEAD, VQE_OPT_ADAM, VQE_OPT_SPSA
} vqe_optimizer_kind;

/* The optimiser family as a table: adding one is adding a row. */
typedef struct {
  const char *name;          /* CLI name: lbfgs, bfgs, cobyla, nelder-mead, adam, spsa */
  vqe_optimizer_kind kind;
  int uses_gradient;         /* 1: calls the objective with grad != NULL */
  const char *library;       /* "NLopt", "GSL", "vqe" */
  const char *reference;
} vqe_optimizer_info;

extern const vqe_optimizer_info vqe_optimizers[];    /* terminated by a row with name == NULL */
const vqe_optimizer_info *vqe_optimizer_find(const char *name);   /* NULL if unknown */
/* "lbfgs, bfgs, cobyla, nelder-mead, adam, spsa" */
const char *vqe_optimizer_names(void);

typedef struct {
  vqe_optimizer_kind kind;
  int max_iter;          /* iterations (gradient methods, Adam, SPSA) or objective evaluations
                            (COBYLA, Nelder–Mead); default 1000 */
  double ftol;           /* stop when |ΔE| between iterations < ftol (default 1e-10) */
  double gtol;           /* stop when the gradient norm < gtol (default 1e-6; gradient methods) */
  double step;           /* Adam learning rate (default 0.05); SPSA a (default 0.2); COBYLA/NM initial
                            step (default 0.1) */
  uint64_t seed;         /* SPSA perturbations */
  int verbose;           /* print each iteration to stderr */
} vqe_optimizer_options;

void vqe_optimizer_options_default(vqe_optimizer_options *o);

typedef struct {
  int iter;              /* 1-based */
  double energy;         /* objective at the iterate */
  double grad_norm;      /* NAN when not computed (derivative-free methods) */
  double step;           /* |x_k - x_{k-1}| */
  int n_evals;           /* objective evaluations so far */
  double time;           /* seconds since start */
} vqe_trace_point;

typedef struct {
  double energy;         /* best objective value found */
  int iterations;
  int n_energy_evals;    /* objective evaluations without gradient */
  int n_gradient_evals;  /* objective evaluations with gradient */
  int converged;         /* 1: a tolerance was met; 0: iteration limit */
  char stop_reason[128];
  vqe_trace_point *trace;
  int n_trace;
  double time;
} vqe_optimizer_result;

/* Minimise f from x (n parameters); x is overwritten with the best point. Non-finite values of f
 * or the gradient stop with VQE_ERR_COMPUTE naming the iteration. Reaching max_iter is not an
 * error: converged = 0. */
vqe_status vqe_optimize(int n, double *x, vqe_objective_fn f, void *ctx, const vqe_optimizer_options *opt,
                        vqe_optimizer_result *res, vqe_error *err);
void vqe_optimizer_result_free(vqe_optimizer_result *res);

#ifdef __cplusplus
}
#endif
#endif
