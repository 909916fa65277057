/* vqe_run.h — VQE end to end: the energy/gradient evaluator (a built circuit + the qubit Hamiltonian +
 * work vectors), adjoint / parameter-shift / finite-difference gradients, the N, S_z, S² observables
 * and penalties, parameter files, and the driver vqe_vqe_run. Used by `vqe run`, the plateau tools
 * (gradient-variance sampling) and the studies (sweep, scan, basis).
 *
 * Gradients (vqe_gradient_method)
 * - ADJOINT (default; Jones & Gacon, arXiv:2009.02823): φ = U(θ)|ref⟩, λ = H'φ (H applied once as one
 *   operator, vqe_statevec_apply_pauli_sum, plus the penalty operator when set), E = Re⟨φ|λ⟩; then for
 *   gates i = N…1: μ = G̃_i φ, ∂E/∂θ_k += 2c Im⟨λ|μ⟩, φ ← U_i^†φ, λ ← U_i^†λ. Three state vectors; all
 *   partial derivatives for about three energy evaluations whatever the parameter count. For RX, RY,
 *   RZ, PAULI_ROT (G = P/2) and FERMI_SINGLE / FERMI_DOUBLE the term Im⟨λ|G|φ⟩ is computed in one read
 *   of λ and φ (no μ); other gates use vqe_circuit_apply_generator.
 * - PARAMETER_SHIFT: per gate angle, the generalised shift rule (Wierichs, Ivashkov, Gogolin & Kottmann,
 *   Quantum 6, 677 (2022)) for a generator whose eigenvalue differences are ω0·{1..R}:
 *   ∂E/∂α = Σ_{μ=1}^{2R} E(α + x_μ) (−1)^{μ−1} ω0 / (4R sin²((2μ−1)π/(4R))), x_μ = (2μ−1)π/(2Rω0).
 *   R = 1 (two-term rule, shifts ±π/2) for RX/RY/RZ/PHASE/PAULI_ROT/U3 angles; R = 2 (four-term rule,
 *   as for excitation gates in Anselmetti et al. 2021) for FERMI_SINGLE/FERMI_DOUBLE (ω0 = 1),
 *   SINGLE_EXC/DOUBLE_EXC/CRX/CRY/CRZ/CPHASE (ω0 = 1/2); R = 4 (eight terms, ω0 = 1/2) for
 *   ORBITAL_ROT and the φ angle of GATE_FABRIC_Q; SPIN_DOUBLE, whose spectrum is not equidistant, is
 *   a product of commuting spectral parts with frequencies λ_p·{1, 2} (circuit.h), shifted one part at
 *   a time (R = 2, ω0 = λ_p each: 4 energies per part). A parameter driving several angles sums the
 *   chain-rule contributions c·∂E/∂α of each.
 * - FINITE_DIFFERENCE: central differences, step h = 1e-5 (error ~h²E‴ + ε|E|/h ≈ 1e-9 Ha).
 *
 * Parameter files (--params-out / --init FILE): UTF-8 text, lines starting with '#' are comments
 * (the writer puts "# vqe parameters v1", the ansatz, n_qubits, n_params and the energy there), then
 * one parameter per line in %.17g (exact round trip). The reader requires exactly the expected count.
 * Files are written to a temporary file in the same directory and renamed (never half-written). */
#ifndef VQE_VQE_RUN_H
#define VQE_VQE_RUN_H

#include <stdio.h>
#include "vqe/common.h"
#include "vqe/pauli.h"
#include "vqe/hamiltonian.h"
#include "vqe/statevec.h"
#include "vqe/circuit.h"
#include "vqe/ansatz.h"
#include "vqe/optimizer.h"
#include "vqe/plateau.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  VQE_GRADIENT_ADJOINT = 0, VQE_GRADIENT_PARAMETER_SHIFT, VQE_GRADIENT_FINITE_DIFFERENCE
} vqe_gradient_method;
/* "adjoint", "parameter-shift", "finite-difference" → method; -1 when unknown. */
int vqe_gradient_method_parse(const char *name);
const char *vqe_gradient_method_name(vqe_gradient_method m);

/* Penalties added to H for ansätze that do not conserve N or S²: μ_N (N − N0)² + μ_S2 S². Both 0: off. */
typedef struct {
  double mu_number;      /* μ_N, hartree */
  double n_target;       /* N0 */
  double mu_s2;          /* μ_S2, hartree */
} vqe_penalty;

/* ---- observables: direct kernels on interleaved spin orbitals (n_qubits even) -------------------- */
typedef struct {
  double n;              /* ⟨N⟩ = Σ_j ⟨n_j⟩ */
  double sz;             /* ⟨S_z⟩ = ½ Σ_p ⟨n_pα − n_pβ⟩ */
  double s2;             /* ⟨S²⟩ = ⟨S_−S_+⟩ + ⟨S_z²⟩ + ⟨S_z⟩ */
} vqe_spin_observables;
/* For a normalised or unnormalised state (values divided by ⟨ψ|ψ⟩). VQE_ERR_INPUT for odd n_qubits. */
vqe_status vqe_spin_observables_compute(const vqe_statevec *s, vqe_spin_observables *o, vqe_error *err);
/* out += (μ_N (N − N0)² + μ_S2 S²) in (out ≠ in). */
vqe_status vqe_penalty_apply_add(const vqe_statevec *in, const vqe_penalty *p, vqe_statevec *out,
                                 vqe_error *err);
/* N = Σ_j (I − Z_j)/2 and S_z = ¼ Σ_p (Z_{2p+1} − Z_{2p}) as Pauli sums (out initialised here). */
vqe_status vqe_pauli_sum_number(int n_qubits, vqe_pauli_sum *out, vqe_error *err);
vqe_status vqe_pauli_sum_sz(int n_qubits, vqe_pauli_sum *out, vqe_error *err);

/* ---- evaluator --------------------------------------------------------------------------------------- */
typedef struct vqe_evaluator vqe_evaluator;   /* opaque workspace: circuit copy, 3 state vectors */

/* Copy the circuit, borrow h (must outlive the evaluator; h->n_qubits = c->n_qubits), allocate the
 * three work vectors (memory checked: VQE_ERR_RESOURCE). reference: the basis state the circuit acts
 * on. penalty may be NULL. */
vqe_status vqe_evaluator_create(const vqe_circuit *c, uint64_t reference, const vqe_pauli_sum *h,
                                const vqe_penalty *penalty, vqe_evaluator **out, vqe_error *err);
void vqe_evaluator_destroy(vqe_evaluator *ev);                  /* accepts NULL */
/* Convenience: from a built ansatz. */
vqe_status vqe_evaluator_create_ansatz(const vqe_ansatz *a, const vqe_pauli_sum *h,
                                       const vqe_penalty *penalty, vqe_evaluator **out, vqe_error *err);
int vqe_evaluator_n_params(const vqe_evaluator *ev);
/* Run the forward pass ψ(θ) = U(θ)|ref⟩ through the fused, cache-blocked form of the circuit
 * (vqe_circuit_apply_fused: fewer passes over the state; equal to the unfused result to rounding).
 * Speeds up energies (and the forward half of the adjoint); default off (bitwise reproducible path). */
void vqe_evaluator_set_fused(vqe_evaluator *ev, int on);

/* E(θ) = ⟨ψ(θ)|H'|ψ(θ)⟩ (H' = H + penalty). Counts one energy evaluation. */
vqe_status vqe_energy(vqe_evaluator *ev, const double *theta, double *e, vqe_error *err);
/* E(θ) and ∇E(θ) (grad[n_params]) by the chosen method; e may be NULL. Counts one gradient
 * evaluation (the energies a shift rule needs are not counted as energy evaluations). */
vqe_status vqe_gradient(vqe_evaluator *ev, const double *theta, vqe_gradient_method m, double *e,
                        double *grad, vqe_error *err);
/* Prepare ψ(θ) in the evaluator's first work vector and return it (valid until the next call). */
vqe_status vqe_evaluator_state(vqe_evaluator *ev, const double *theta, const vqe_statevec **psi,
                               vqe_error *err);
/* Energy without the penalty and the observables at θ. */
vqe_status vqe_evaluator_report(vqe_evaluator *ev, const double *theta, double *e_bare,
                                vqe_spin_observables *obs, vqe_error *err);
void vqe_evaluator_counts(const vqe_evaluator *ev, int *n_energy, int *n_gradient);

/* ---- parameter files ------------------------------------------------------------------------------ */
/* header: free text written as '#' comment lines (may be NULL or contain newlines). */
vqe_status vqe_params_write(const char *path, const double *theta, int n, const char *header,
                            vqe_error *err);
/* Read exactly `n` numbers; errors are "path:line: ..." (VQE_ERR_INPUT). */
vqe_status vqe_params_read(const char *path, double *theta, int n, vqe_error *err);
/* Write the optimiser trace as CSV "iter,energy,grad_norm,step,n_evals,time" (atomically). */
vqe_status vqe_trace_write_csv(const char *path, const vqe_optimizer_result *r, vqe_error *err);

/* ---- the driver ------------------------------------------------------------------------------------ */
typedef enum { VQE_INIT_ZEROS = 0, VQE_INIT_RANDOM, VQE_INIT_GIVEN } vqe_init_kind;

typedef struct {
  const vqe_mo_hamiltonian *ham;     /* required: active-space integrals (for FCI, electron counts) */
  const vqe_pauli_sum *qubit_ham;    /* NULL: built here by Jordan–Wigner (cutoff default) */
  vqe_ansatz_spec ansatz;            /* norb / n_alpha / n_beta are taken from ham */
  vqe_optimizer_options opt;         /* kind, max_iter, ftol, gtol, ... (defaults from optimizer.h) */
  vqe_gradient_method gradient;      /* default adjoint */
  vqe_init_kind init;                /* default zeros */
  uint64_t seed;                     /* random init (and SPSA): same seed, same result */
  double init_scale;                 /* random init: θ uniform in [−scale, scale]; default 0.1 for the
                                        conserving ansätze, π for hea */
  const double *init_params;         /* VQE_INIT_GIVEN: n_params values (copied) */
  int n_init_params;
  vqe_penalty penalty;               /* default off */
  int fci;                           /* 1: compute E_FCI when the sector has <= fci_max_det
                                        determinants (default 1) */
  size_t fci_max_det;                /* default 2 000 000 */
  int plateau_samples;               /* > 0: before optimising, the quick gradient-variance estimate
                                        (plateau.h, vqe_plateau_quick) with this many samples; default 0 */
  vqe_plateau_criteria plateau;      /* its verdict thresholds (defaults of plateau.h) */
  int fused;                         /* forward passes through the fused circuit (default 0) */
} vqe_run_config;

void vqe_run_config_default(vqe_run_config *c);

typedef struct {
  int n_qubits, n_params;
  vqe_circuit_stats stats;           /* gates, two-qubit gates, depth */
  size_t n_pauli_terms;
  double e_hf;                       /* ⟨ref|H|ref⟩: the HF (ROHF) determinant energy */
  double e_initial;                  /* E at the initial parameters */
  double e_vqe;                      /* final energy without penalty */
  double e_fci;                      /* NAN when not computed */
  double error_mha;                  /* (e_vqe − e_fci)·1000, NAN without FCI */
  int chemical_accuracy;             /* |error| <= 1.6 mHa; -1 without FCI */
  int iterations, n_energy_evals, n_gradient_evals;
  int converged;
  char stop_reason[128];
  vqe_spin_observables obs;          /* at the final parameters */
  int have_plateau;                  /* 1 when the quick estimate ran */
  int restarts, best_restart;        /* set by callers that repeat random starts (CLI --restarts) */
  vqe_plateau_quick_result plateau;  /* gradient variance at random θ, its error and verdict */
  double *params;                    /* n_params final parameters (malloc'd) */
  vqe_optimizer_result opt;          /* the trace */
  double t_hamiltonian, t_build, t_fci, t_optimize, t_total;   /* seconds */
} vqe_run_result;

/* Build the ansatz, evaluator and (optionally) FCI; optimise from the chosen start. An iteration
 * limit is not an error (converged = 0); non-finite energies or gradients return VQE_ERR_COMPUTE with
 * the iteration named. res is filled as far as it got (free with vqe_run_result_free). */
vqe_status vqe_vqe_run(const vqe_run_config *cfg, vqe_run_result *res, vqe_error *err);
void vqe_run_result_free(vqe_run_result *res);

#ifdef __cplusplus
}
#endif
#endif
