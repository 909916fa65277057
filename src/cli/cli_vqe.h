/* cli_vqe.h — the CLI side of one VQE run, shared by `vqe run` and the studies (`vqe sweep`, `vqe scan`,
 * `vqe basis`, `vqe plateau`): VQE flags, loading a system (XYZ → SCF → active-space Hamiltonian, or an
 * FCIDUMP), running vqe_vqe_run with initial-parameter / output files, and the result as a table or a
 * cJSON object whose keys are those of `vqe run --json`. Internal to src/cli. */
#ifndef VQE_CLI_VQE_H
#define VQE_CLI_VQE_H

#include "cli.h"
#include <cjson/cJSON.h>

/* VQE flags (besides the shared ones of cli_common). */
typedef struct {
  vqe_run_config cfg;            /* ansatz spec, optimiser options, gradient, init, seed, penalty */
  const char *ansatz_name;       /* "uccsd" (default), "hea", "kupccgsd", "gatefabric" */
  const char *optimizer_name;    /* "lbfgs" (default) */
  int layers_given, init_given;
  int restarts;                  /* --restarts K: best of K random starts (default 1) */
  const char *init_file;         /* --init FILE */
  const char *params_out;        /* --params-out FILE */
  const char *trace_out;         /* --trace FILE.csv */
  const char *plot_out;          /* --plot FILE.svg|.png: the convergence trace */
  int distribute;                /* vqe run --distribute-state: states split over the MPI ranks */
} cli_vqe_options;

void cli_vqe_options_init(cli_vqe_options *o);
/* Consume argv[*i] (and its value) if it is a VQE flag: 1 consumed, 0 not a VQE flag, -1 bad value
 * (message naming the flag and what is allowed printed; exit code 2). */
int cli_vqe_flag(const char *cmd, cli_vqe_options *o, int argc, char **argv, int *i);
/* Help text of the VQE flags (a literal, so commands can concatenate it into their help). */
#define CLI_VQE_HELP_TEXT \
  "  --ansatz A           hea, uccsd (default), sa-uccsd (spin-adapted: keeps S^2), kupccgsd,\n" \
  "                       gatefabric\n" \
  "  --layers L           HEA repetitions / k of k-UpCCGSD / GateFabric layers (default 1)\n" \
  "  --optimizer O        lbfgs (default), bfgs, cobyla, nelder-mead, adam, spsa\n" \
  "  --gradient G         adjoint (default), parameter-shift, finite-difference\n" \
  "  --max-iter N         optimiser iteration limit (default 1000); reaching it is not an error\n" \
  "                       (exit 0, converged: false)\n" \
  "  --ftol X             stop when |dE| between iterations < X (default 1e-10)\n" \
  "  --gtol X             stop when the gradient norm < X (default 1e-6)\n" \
  "  --step X             Adam learning rate / SPSA a / COBYLA, Nelder-Mead initial step\n" \
  "  --init zeros|random|FILE   initial parameters (default zeros, i.e. the HF point, for uccsd,\n" \
  "                       sa-uccsd and kupccgsd; random for hea and gatefabric, whose zero point is a saddle);\n" \
  "                       FILE as written by --params-out\n" \
  "  --init-scale X       random init: uniform in [-X, X] (default 0.1; pi for hea)\n" \
  "  --seed S             seed of random init and SPSA (default 1): same seed, same result\n" \
  "  --params-out FILE    write the final parameters ('#' comment header, one number per line)\n" \
  "  --trace FILE.csv     write the optimiser trace (iter,energy,grad_norm,step,n_evals,time)\n" \
  "  --entangler cnot|cz  HEA entangling gate (default cnot)\n" \
  "  --entanglement linear|circular|full   HEA entangler pattern (default linear)\n" \
  "  --rotations LIST     HEA rotation set, e.g. ry,rz (default) or rx,ry,rz\n" \
  "  --hf-init            HEA starts from the HF determinant instead of |0...0>\n" \
  "  --include-pi         GateFabric with the constant Pi = OrbitalRotation(pi) gates\n" \
  "  --ucc-order doubles-first|singles-first   UCCSD Trotter order (default doubles-first)\n" \
  "  --penalty-number MU  add MU (N - N0)^2 to the cost (N0 = active electrons)\n" \
  "  --penalty-s2 MU      add MU S^2 to the cost\n" \
  "  --no-fci             skip the exact reference\n" \
  "  --plot FILE.svg|.png the convergence trace: |E - E_FCI| (or E) against the iteration (gnuplot)\n" \
  "  --restarts K         with a random start: K starts (seeds S, S+1, ...), the lowest energy is kept\n" \
  "  --plateau-samples M  before optimising, sample the gradient at M random parameter vectors and\n" \
  "                       report Var[dE/dθ] and a barren-plateau verdict (default 32; 0 skips)\n" \
  "  --plateau-threshold T  plateau when Var/scale^2 < T (default 1e-3; see 'vqe help plateau')\n" \
  "  --fused              forward passes through the fused, cache-blocked circuit (faster energies;\n" \
  "                       equal to rounding)\n"
extern const char cli_vqe_help[];

/* The system a VQE runs on. */
typedef struct {
  int from_fcidump;
  cli_system sys;                /* XYZ path only */
  vqe_active_space as;
  vqe_mo_hamiltonian ham;        /* active-space Hamiltonian */
  double e_scf;                  /* SCF energy (FCIDUMP: the reference-determinant energy) */
  double t_read, t_ints, t_scf, t_ham;
} cli_vqe_system;

/* XYZ (→ basis → integrals → SCF → active space → MO Hamiltonian) or FCIDUMP (detected by content;
 * active-space flags then restrict it). */
vqe_status cli_vqe_system_load(const cli_common *c, cli_vqe_system *s, vqe_error *err);
/* The same from a molecule built in memory (scan geometries, chains); takes ownership of *mol. */
vqe_status cli_vqe_system_from_molecule(const cli_common *c, vqe_molecule *mol, cli_vqe_system *s, vqe_error *err);
void cli_vqe_system_free(cli_vqe_system *s);

/* Run one VQE on the system: reads --init FILE, runs vqe_vqe_run, writes --params-out and --trace
 * (atomically). r is filled as far as the run got; free with vqe_run_result_free. */
vqe_status cli_vqe_execute(const cli_vqe_options *o, const cli_vqe_system *s, vqe_run_result *r,
                           vqe_error *err);

/* The keys of `vqe run --json`: energy_scf, energy_hf, energy_vqe, energy_fci, error_mha,
 * chemical_accuracy, n_qubits, n_parameters, iterations, n_energy_evals, n_gradient_evals,
 * particle_number, sz, s2, converged, stop_reason, ansatz, layers, optimizer, gradient, n_gates,
 * n_two_qubit_gates, n_multi_qubit_gates, depth, n_pauli_terms, seed, init, timings{...},
 * parameters[...] and the system (file, basis, n_frozen, n_active, n_alpha, n_beta). NaN → null. */
cJSON *cli_vqe_json(const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *s,
                    const vqe_run_result *r);
/* Human-readable summary. */
void cli_vqe_print(FILE *f, const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *s,
                   const vqe_run_result *r);

#endif
