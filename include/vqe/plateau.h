/* plateau.h — barren-plateau diagnostics: sampling the gradient over random parameters, the variance
 * statistics with standard errors and bootstrap intervals, scaling fits over qubit count or depth,
 * the verdict, synthetic costs and the circuits of the literature. Used by `vqe plateau` and by
 * `vqe run` (the quick estimate before optimising).
 *
 * References: McClean et al., Nat. Commun. 9, 4812 (2018) (random circuits: Var[∂E] decays
 * exponentially in n); Cerezo et al., Nat. Commun. 12, 1791 (2021) (global costs plateau at any depth,
 * local costs with shallow circuits do not); Larocca et al., Quantum 6, 824 (2022) and Ragone et al.,
 * Nat. Commun. 15, 7172 (2024) (the variance is set by the dimension of the dynamical Lie algebra; in a
 * symmetry sector of dimension D it scales like 1/D).
 *
 * Closed forms the tests use (θ uniform on [0, 2π), derived in tests/test_plateau.c):
 *  - a circuit that is a unitary 2-design after R_V(θ) = exp(−iθV/2), V² = I, traceless H:
 *    E[∂E/∂θ] = 0, Var[∂E/∂θ] = ½ (1 − ⟨V⟩²) Tr(H²) / (d² − 1), d = 2ⁿ;
 *  - Cerezo's warm-up, V = ⊗_j RX(θ_j) on |0…0⟩:
 *    global C_G = 1 − |⟨0|ψ⟩|² = 1 − Π cos²(θ_j/2):  Var[∂C_G/∂θ_1] = (1/8)(3/8)^{n−1};
 *    local  C_L = (1/n) Σ (1 − Z_j)/2:               Var[∂C_L/∂θ_1] = 1/(8n²);
 *    product of Z, ⟨Π Z_j⟩ = Π cos θ_j:               Var[∂/∂θ_1] = 2^{−n}. */
#ifndef VQE_PLATEAU_H
#define VQE_PLATEAU_H

#include "vqe/common.h"
#include "vqe/pauli.h"
#include "vqe/statevec.h"
#include "vqe/circuit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- costs ------------------------------------------------------------------------------------------
 * C = Σ_k c_k P_k + projector · |0…0⟩⟨0…0| (the projector makes the global cost 1 − |⟨0|ψ⟩|² exact
 * without 2ⁿ Pauli terms). */
typedef struct {
  vqe_pauli_sum pauli;
  double projector;
  char name[32];
} vqe_cost;

typedef enum {
  VQE_COST_GLOBAL = 0,   /* 1 − |⟨0|ψ⟩|² (Cerezo et al.) */
  VQE_COST_GLOBAL_Z,     /* ⟨Z_0 Z_1 ⋯ Z_{n−1}⟩ */
  VQE_COST_LOCAL,        /* (1/n) Σ_j (1 − Z_j)/2 */
  VQE_COST_ZZ            /* ⟨Z_0 Z_1⟩ (McClean et al.) */
} vqe_cost_kind;

/* Name → kind: "global", "global-z", "local", "zz"; VQE_ERR_INPUT listing the allowed names. */
vqe_status vqe_cost_lookup(const char *name, vqe_cost_kind *kind, vqe_error *err);
vqe_status vqe_cost_synthetic(vqe_cost_kind kind, int n_qubits, vqe_cost *c, vqe_error *err);
/* A cost from a Hamiltonian (copied). */
vqe_status vqe_cost_from_pauli(const vqe_pauli_sum *h, const char *name, vqe_cost *c, vqe_error *err);
void vqe_cost_free(vqe_cost *c);
/* out = C in; ⟨ψ|C|ψ⟩. */
vqe_status vqe_cost_apply(const vqe_cost *c, const vqe_statevec *in, vqe_statevec *out, vqe_error *err);
vqe_status vqe_cost_expect(const vqe_cost *c, const vqe_statevec *s, double *e, vqe_error *err);
/* Squared energy scale Tr(C̃²)/d of the traceless part C̃ = C − Tr(C)/d (the variance of the
 * spectrum), exact from the coefficients. */
double vqe_cost_scale2(const vqe_cost *c);

/* ---- circuits of the literature ------------------------------------------------------------------- */
/* McClean et al. 2018: RY(π/4) on every qubit, then `layers` times: a rotation R_{P}(θ) about an axis
 * P ∈ {X, Y, Z} drawn uniformly per qubit and layer from rng, then CZ on (q, q+1) for q = 0..n−2.
 * n·layers parameters; parameter 0 is the first rotation on qubit 0. */
vqe_status vqe_circuit_random_pauli(int n_qubits, int layers, vqe_rng *rng, vqe_circuit *c, vqe_error *err);
/* Cerezo et al. 2021 warm-up: ⊗_j RX(θ_j) on |0…0⟩ (n parameters; `layers` products of RX
 * with independent parameters, n·layers in all). */
vqe_status vqe_circuit_rx_product(int n_qubits, int layers, vqe_circuit *c, vqe_error *err);

/* Adjoint gradient of ⟨ψ0|U(θ)† C U(θ)|ψ0⟩ for a cost (Jones & Gacon, arXiv:2009.02823; the walk
 * of circuit.h). work holds 3 states of c->n_qubits qubits; psi0 NULL means |0…0⟩. */
vqe_status vqe_cost_gradient(const vqe_circuit *circ, const vqe_cost *cost, const vqe_statevec *psi0,
                             const double *theta, vqe_statevec work[3], double *energy, double *grad,
                             vqe_error *err);

/* ---- sampling -------------------------------------------------------------------------------------- */
typedef enum { VQE_SAMPLE_UNIFORM = 0, VQE_SAMPLE_NORMAL = 1 } vqe_sample_dist;

/* One sample's energy and full gradient at θ. `rng` is the sample's own stream (after θ was drawn),
 * for problems that randomise more than θ (the random Pauli axes). */
typedef vqe_status (*vqe_plateau_grad_fn)(void *ctx, uint64_t sample, vqe_rng *rng, const double *theta,
                                          double *energy, double *grad, vqe_error *err);

typedef struct {
  int n_samples;             /* M */
  uint64_t seed;
  vqe_sample_dist dist;      /* uniform on [0, 2π) (default) or normal around center with width sigma */
  const double *center;      /* NULL: zeros */
  double sigma;
  int bootstrap;             /* resamples for the 95% intervals (0: none; default 200) */
} vqe_plateau_options;
void vqe_plateau_options_default(vqe_plateau_options *o);

typedef struct {
  int n_samples, n_params;
  double *grad_mean, *grad_var, *grad_var_stderr;   /* per parameter (n_params each) */
  double variance_mean, variance_mean_stderr;       /* mean over parameters of Var[∂E/∂θ_k] */
  double variance_first, variance_first_stderr;     /* Var[∂E/∂θ_1] */
  double variance_mean_ci[2], variance_first_ci[2]; /* bootstrap 95% intervals (NAN without) */
  double energy_mean, energy_variance, energy_variance_stderr;
  double time;
} vqe_plateau_stats;

/* Draw θ for sample k from the stream vqe_rng_stream(seed, k) — so the numbers do not depend on the
 * thread count or on how samples are split — call fn, and accumulate the statistics. Sample
 * variances are unbiased (M − 1); their standard errors are sqrt((m4 − (M−3)/(M−1) s⁴)/M) from the
 * fourth central moment. */
vqe_status vqe_plateau_sample(int n_params, vqe_plateau_grad_fn fn, void *ctx, const vqe_plateau_options *opt,
                              vqe_plateau_stats *st, vqe_error *err);
void vqe_plateau_stats_free(vqe_plateau_stats *st);

/* ---- scaling fits and the verdict --------------------------------------------------------------------
 * Weighted least squares of y = log Var against x = n (exponential model, Var ∝ e^{−rate·n}) and
 * against x = log n (polynomial, Var ∝ n^{−power}), weights 1/σ_y² with σ_y = stderr/Var. Both models
 * have two parameters, so AIC = χ² + 4 and BIC = χ² + 2 ln m differ by χ² alone; the preferred model is
 * the one with the lower AIC. */
typedef enum { VQE_FIT_EXPONENTIAL = 0, VQE_FIT_POLYNOMIAL = 1 } vqe_fit_model;

typedef struct {
  int n_points;
  vqe_fit_model model;            /* preferred */
  double rate, rate_stderr;       /* exponential: decay per unit of x (per qubit) */
  double power, power_stderr;     /* polynomial exponent */
  double log_prefactor_exp, log_prefactor_poly;
  double chi2_exp, chi2_poly, aic_exp, aic_poly, bic_exp, bic_poly;
} vqe_plateau_fit;

vqe_status vqe_plateau_fit_scaling(int m, const double *x, const double *var, const double *var_stderr,
                                   vqe_plateau_fit *fit, vqe_error *err);

typedef struct {
  double rel_threshold;   /* plateau when Var/scale² < this (default 1e-3) */
  double min_rate;        /* an exponential fit counts as decay when rate > min_rate (default 0.1/qubit)
                             and rate > 3 rate_stderr */
} vqe_plateau_criteria;
void vqe_plateau_criteria_default(vqe_plateau_criteria *c);

typedef enum { VQE_VERDICT_TRAINABLE = 0, VQE_VERDICT_PLATEAU = 1 } vqe_verdict;
const char *vqe_verdict_name(vqe_verdict v);   /* "trainable" / "plateau" */

/* Verdict for a family: plateau when the exponential model is preferred and decays (see criteria),
 * or when the variance of the largest member is below rel_threshold·scale². fit may be NULL (one
 * system: threshold only). reason receives a sentence (may be NULL). */
vqe_verdict vqe_plateau_verdict(const vqe_plateau_fit *fit, double variance_last, double scale2_last,
                                const vqe_plateau_criteria *crit, char *reason, size_t reason_size);

/* ---- the quick estimate before an optimisation ------------------------------------------------------
 * M samples of the adjoint gradient of ⟨ref|U(θ)† H U(θ)|ref⟩ with θ uniform on [0, 2π) (seeded), the
 * mean over parameters of Var[∂E/∂θ_k] with its standard error, and the threshold verdict
 * (Var/scale² against crit->rel_threshold). Used by `vqe run --plateau-samples` and the sweeps. */
typedef struct {
  int n_samples;
  double variance, variance_stderr;   /* mean over k of Var[∂E/∂θ_k] */
  double scale2, relative;            /* Tr(H̃²)/d and variance/scale2 */
  vqe_verdict verdict;
  char reason[256];
  double time;
} vqe_plateau_quick_result;

vqe_status vqe_plateau_quick(const vqe_circuit *c, uint64_t reference, const vqe_pauli_sum *h, int samples,
                             uint64_t seed, const vqe_plateau_criteria *crit, vqe_plateau_quick_result *out,
                             vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
