/* cli_vqe.c — VQE flags, system loading (XYZ or FCIDUMP), one run with its files, and the result as
 * text or JSON (cli_vqe.h). Used by `vqe run` and the study commands. */
#include "vqe/dist.h"
#include "vqe/dstatevec.h"
#include "cli_vqe.h"
#include "vqe/study.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void cli_vqe_options_init(cli_vqe_options *o)
{
  memset(o, 0, sizeof *o);
  vqe_run_config_default(&o->cfg);
  o->ansatz_name = "uccsd";
  o->optimizer_name = "lbfgs";
  o->cfg.ansatz.kind = VQE_ANSATZ_UCCSD;
  o->cfg.opt.kind = VQE_OPT_LBFGS;
  o->cfg.plateau_samples = 32;   /* a quick barren-plateau check before every optimisation */
  o->restarts = 1;
}

const char cli_vqe_help[] = CLI_VQE_HELP_TEXT;

static const char *value_of(const char *cmd, int argc, char **argv, int *i)
{
  if (*i + 1 >= argc) {
    cli_usage(cmd, "%s needs a value", argv[*i]);
    return NULL;
  }
  return argv[++*i];
}

static int parse_rotations(const char *cmd, const char *v, vqe_ansatz_spec *s)
{
  char buf[64];
  snprintf(buf, sizeof buf, "%s", v);
  int n = 0;
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    vqe_gate_kind k;
    if (!strcasecmp(t, "rx")) k = VQE_GATE_RX;
    else if (!strcasecmp(t, "ry")) k = VQE_GATE_RY;
    else if (!strcasecmp(t, "rz")) k = VQE_GATE_RZ;
    else { cli_usage(cmd, "--rotations: unknown gate '%s' (allowed: a comma list of 1 to 3 of rx, ry, rz)", t); return 0; }
    if (n >= VQE_ANSATZ_MAX_ROTATIONS) { cli_usage(cmd, "--rotations: at most 3 gates, got '%s'", v); return 0; }
    s->rotations[n++] = k;
  }
  if (!n) { cli_usage(cmd, "--rotations expects a comma list of rx, ry, rz, got '%s'", v); return 0; }
  s->n_rotations = n;
  return 1;
}

int cli_vqe_flag(const char *cmd, cli_vqe_options *o, int argc, char **argv, int *i)
{
  const char *a = argv[*i], *v;
  long n;
  double x;
  vqe_run_config *c = &o->cfg;
#define VALUE() do { if (!(v = value_of(cmd, argc, argv, i))) return -1; } while (0)
  if (!strcmp(a, "--ansatz")) {
    VALUE();
    const vqe_ansatz_info *info = vqe_ansatz_find(v);
    if (!info) { cli_usage(cmd, "--ansatz: unknown ansatz '%s' (allowed: %s)", v, vqe_ansatz_names()); return -1; }
    o->ansatz_name = info->name;
    c->ansatz.kind = info->kind;
    return 1;
  }
  if (!strcmp(a, "--layers")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 10000, &n)) return -1;
    c->ansatz.layers = (int)n; o->layers_given = 1; return 1;
  }
  if (!strcmp(a, "--optimizer")) {
    VALUE();
    const vqe_optimizer_info *info = vqe_optimizer_find(v);
    if (!info) { cli_usage(cmd, "--optimizer: unknown optimizer '%s' (allowed: %s)", v, vqe_optimizer_names()); return -1; }
    o->optimizer_name = info->name;
    c->opt.kind = info->kind;
    return 1;
  }
  if (!strcmp(a, "--gradient")) {
    VALUE();
    int m = vqe_gradient_method_parse(v);
    if (m < 0) { cli_usage(cmd, "--gradient: unknown method '%s' (allowed: adjoint, parameter-shift, finite-difference)", v); return -1; }
    c->gradient = (vqe_gradient_method)m;
    return 1;
  }
  if (!strcmp(a, "--max-iter")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 100000000, &n)) return -1;
    c->opt.max_iter = (int)n; return 1;
  }
  if (!strcmp(a, "--ftol")) { VALUE(); if (!cli_double(cmd, a, v, 0, 1, &x)) return -1; c->opt.ftol = x; return 1; }
  if (!strcmp(a, "--gtol")) { VALUE(); if (!cli_double(cmd, a, v, 0, 1, &x)) return -1; c->opt.gtol = x; return 1; }
  if (!strcmp(a, "--step")) { VALUE(); if (!cli_double(cmd, a, v, 1e-12, 100, &x)) return -1; c->opt.step = x; return 1; }
  if (!strcmp(a, "--seed")) {
    VALUE();
    char *end;
    unsigned long long s = strtoull(v, &end, 10);
    if (!*v || *end || *v == '-') { cli_usage(cmd, "--seed expects a non-negative integer, got '%s'", v); return -1; }
    c->seed = (uint64_t)s; return 1;
  }
  if (!strcmp(a, "--init")) {
    VALUE();
    o->init_given = 1;
    o->init_file = NULL;
    if (!strcmp(v, "zeros") || !strcmp(v, "zero")) c->init = VQE_INIT_ZEROS;
    else if (!strcmp(v, "random")) c->init = VQE_INIT_RANDOM;
    else { c->init = VQE_INIT_GIVEN; o->init_file = v; }
    return 1;
  }
  if (!strcmp(a, "--init-scale")) {
    VALUE(); if (!cli_double(cmd, a, v, 1e-12, 100, &x)) return -1; c->init_scale = x; return 1;
  }
  if (!strcmp(a, "--params-out")) { VALUE(); o->params_out = v; return 1; }
  if (!strcmp(a, "--trace")) { VALUE(); o->trace_out = v; return 1; }
  if (!strcmp(a, "--plot") && !strcmp(cmd, "run")) {
    VALUE();
    const char *ext = strrchr(v, '.');
    if (!ext || (strcasecmp(ext, ".svg") && strcasecmp(ext, ".png"))) {
      cli_usage(cmd, "--plot %s: unknown format (allowed: a file name ending in .svg or .png)", v);
      return -1;
    }
    if (!vqe_plot_available()) {
      cli_usage(cmd, "--plot needs gnuplot, which is not installed (apt-get install gnuplot-nox)");
      return -1;
    }
    o->plot_out = v;
    return 1;
  }
  if (!strcmp(a, "--entangler")) {
    VALUE();
    if (!strcasecmp(v, "cnot") || !strcasecmp(v, "cx")) c->ansatz.entangler = VQE_GATE_CNOT;
    else if (!strcasecmp(v, "cz")) c->ansatz.entangler = VQE_GATE_CZ;
    else { cli_usage(cmd, "--entangler: unknown gate '%s' (allowed: cnot, cz)", v); return -1; }
    return 1;
  }
  if (!strcmp(a, "--entanglement")) {
    VALUE();
    if (!strcmp(v, "linear")) c->ansatz.entanglement = VQE_ENTANGLE_LINEAR;
    else if (!strcmp(v, "circular")) c->ansatz.entanglement = VQE_ENTANGLE_CIRCULAR;
    else if (!strcmp(v, "full")) c->ansatz.entanglement = VQE_ENTANGLE_FULL;
    else { cli_usage(cmd, "--entanglement: unknown pattern '%s' (allowed: linear, circular, full)", v); return -1; }
    return 1;
  }
  if (!strcmp(a, "--rotations")) { VALUE(); return parse_rotations(cmd, v, &c->ansatz) ? 1 : -1; }
  if (!strcmp(a, "--hf-init")) { c->ansatz.hf_init = 1; return 1; }
  if (!strcmp(a, "--include-pi")) { c->ansatz.include_pi = 1; return 1; }
  if (!strcmp(a, "--ucc-order")) {
    VALUE();
    if (!strcmp(v, "doubles-first")) c->ansatz.ucc_order = VQE_UCC_DOUBLES_FIRST;
    else if (!strcmp(v, "singles-first")) c->ansatz.ucc_order = VQE_UCC_SINGLES_FIRST;
    else { cli_usage(cmd, "--ucc-order: unknown order '%s' (allowed: doubles-first, singles-first)", v); return -1; }
    return 1;
  }
  if (!strcmp(a, "--penalty-number")) {
    VALUE(); if (!cli_double(cmd, a, v, 0, 1e6, &x)) return -1; c->penalty.mu_number = x; return 1;
  }
  if (!strcmp(a, "--penalty-s2")) {
    VALUE(); if (!cli_double(cmd, a, v, 0, 1e6, &x)) return -1; c->penalty.mu_s2 = x; return 1;
  }
  if (!strcmp(a, "--no-fci")) { c->fci = 0; return 1; }
  if (!strcmp(a, "--restarts")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 100000, &n)) return -1;
    o->restarts = (int)n; return 1;
  }
  if (!strcmp(a, "--plateau-samples")) {
    VALUE(); if (!cli_int(cmd, a, v, 0, 1000000, &n)) return -1;
    if (n > 0 && n < 4) { cli_usage(cmd, "--plateau-samples expects 0 (off) or at least 4, got '%s'", v); return -1; }
    c->plateau_samples = (int)n; return 1;
  }
  if (!strcmp(a, "--plateau-threshold")) {
    VALUE(); if (!cli_double(cmd, a, v, 0.0, 1e6, &x)) return -1;
    c->plateau.rel_threshold = x; return 1;
  }
  if (!strcmp(a, "--fused")) { c->fused = 1; return 1; }
#undef VALUE
  return 0;
}

/* ---- system ---------------------------------------------------------------------------------------- */

/* After the SCF (status st): the active space and its MO Hamiltonian. */
static vqe_status finish_system(const cli_common *c, cli_vqe_system *s, vqe_status st, vqe_error *err)
{
  s->t_read = s->sys.t_read; s->t_ints = s->sys.t_ints; s->t_scf = s->sys.t_scf;
  if (st) return st;
  s->e_scf = s->sys.scf.e_total;
  double t0 = vqe_wtime();
  st = vqe_active_space_resolve(&s->sys.mol, s->sys.scf.nmo, s->sys.scf.n_alpha, s->sys.scf.n_beta,
                                c->frozen_core, c->active_orbitals, c->active_electrons, &s->as, err);
  if (!st) st = vqe_mo_hamiltonian_build(&s->sys.scf, &s->sys.ints, &s->as, &s->ham, err);
  s->t_ham = vqe_wtime() - t0;
  return st;
}

vqe_status cli_vqe_system_load(const cli_common *c, cli_vqe_system *s, vqe_error *err)
{
  memset(s, 0, sizeof *s);
  vqe_status st;
  if (!c->file) return vqe_error_set(err, VQE_ERR_INPUT, "no input file given (a molecule .xyz or an FCIDUMP)");
  if (vqe_fcidump_detect(c->file) == 1) {
    vqe_set_threads(c->threads);
    s->from_fcidump = 1;
    double t0 = vqe_wtime();
    vqe_mo_hamiltonian full;
    memset(&full, 0, sizeof full);
    if ((st = vqe_fcidump_read(c->file, &full, err))) { vqe_mo_hamiltonian_free(&full); return st; }
    s->t_read = vqe_wtime() - t0;
    t0 = vqe_wtime();
    if (c->frozen_core == VQE_FROZEN_AUTO) {
      vqe_mo_hamiltonian_free(&full);
      return vqe_error_set(err, VQE_ERR_INPUT, "%s: --frozen-core auto needs the molecule; give a count for an FCIDUMP", c->file);
    }
    st = vqe_active_space_resolve(NULL, full.norb, full.n_alpha, full.n_beta, c->frozen_core,
                                  c->active_orbitals, c->active_electrons, &s->as, err);
    if (!st) {
      if (s->as.n_frozen == 0 && s->as.n_active == full.norb) {
        s->ham = full;
        memset(&full, 0, sizeof full);
      } else {
        st = vqe_mo_hamiltonian_restrict(&full, &s->as, &s->ham, err);
        if (!st) { s->ham.n_alpha = s->as.n_alpha; s->ham.n_beta = s->as.n_beta; s->ham.ms2 = s->as.n_alpha - s->as.n_beta; }
      }
    }
    vqe_mo_hamiltonian_free(&full);
    if (st) return st;
    s->e_scf = vqe_mo_hamiltonian_hf_energy(&s->ham);
    s->t_ham = vqe_wtime() - t0;
    return VQE_OK;
  }
  st = cli_system_load(c, &s->sys, err);
  return finish_system(c, s, st, err);
}

vqe_status cli_vqe_system_from_molecule(const cli_common *c, vqe_molecule *mol, cli_vqe_system *s, vqe_error *err)
{
  memset(s, 0, sizeof *s);
  vqe_status st = cli_system_from_molecule(c, mol, &s->sys, err);
  return finish_system(c, s, st, err);
}

void cli_vqe_system_free(cli_vqe_system *s)
{
  if (!s) return;
  vqe_mo_hamiltonian_free(&s->ham);
  if (!s->from_fcidump) cli_system_free(&s->sys);
  memset(s, 0, sizeof *s);
}

/* ---- one run --------------------------------------------------------------------------------------- */

/* Refuse an output path whose directory cannot be written before spending time on the run. */
static vqe_status check_output(const char *flag, const char *path, vqe_error *err)
{
  if (!path) return VQE_OK;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash) snprintf(dir, sizeof dir, ".");
  else if (slash == dir) dir[1] = 0;
  else *slash = 0;
  if (!*path || access(dir, W_OK) != 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s %s: directory '%s' does not exist or is not writable", flag, path, dir);
  return VQE_OK;
}

/* --plot: the convergence trace, |E − E_FCI| on a log axis when E_FCI is known, else E. */
static vqe_status plot_trace(const cli_vqe_options *o, const vqe_run_result *r, vqe_error *err)
{
  const int n = r->opt.n_trace, have_fci = isfinite(r->e_fci);
  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
  if (!x || !y) { free(x); free(y); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); }
  for (int k = 0; k < n; k++) {
    x[k] = r->opt.trace[k].iter;
    y[k] = have_fci ? fmax(fabs(r->opt.trace[k].energy - r->e_fci) * 1000.0, 1e-9) : r->opt.trace[k].energy;
  }
  char title[256];
  snprintf(title, sizeof title, "VQE convergence: %s, %d parameters, %s", o->ansatz_name, r->n_params, o->optimizer_name);
  vqe_plot_series se = { o->ansatz_name, n, x, y, NULL, 0, NULL };
  vqe_plot_spec spec = { title, "iteration", have_fci ? "|E - E(FCI)| (mEh)" : "energy (Eh)", 0, have_fci, have_fci,
                         VQE_CHEMICAL_ACCURACY * 1000.0, "chemical accuracy (1.6 mEh)", 1, &se };
  vqe_status st = vqe_plot(o->plot_out, &spec, err);
  free(x);
  free(y);
  return st;
}

vqe_status cli_vqe_execute(const cli_vqe_options *o, const cli_vqe_system *s, vqe_run_result *r,
                           vqe_error *err)
{
  vqe_run_config cfg = o->cfg;
  cfg.ham = &s->ham;
  double *init = NULL;
  vqe_status st;
  memset(r, 0, sizeof *r);
  if ((st = check_output("--params-out", o->params_out, err))) return st;
  if ((st = check_output("--trace", o->trace_out, err))) return st;
  /* default starts: hea random; gatefabric a small random start, because at θ = 0 the σ–π orbital
   * rotations have zero gradient by symmetry and the optimiser never leaves that subspace (LiH stays
   * 4.25 mEh above FCI at any depth); uccsd and k-UpCCGSD the HF point */
  if (!o->init_given && (cfg.ansatz.kind == VQE_ANSATZ_HEA || cfg.ansatz.kind == VQE_ANSATZ_GATEFABRIC))
    cfg.init = VQE_INIT_RANDOM;
  if (cfg.penalty.mu_number != 0.0) cfg.penalty.n_target = s->ham.n_alpha + s->ham.n_beta;
  if (cfg.init == VQE_INIT_GIVEN && !o->init_file && cfg.init_params) {
    /* parameters given in memory (a study's warm start): used as they are */
  } else if (cfg.init == VQE_INIT_GIVEN) {
    vqe_ansatz_spec spec = cfg.ansatz;
    spec.norb = s->ham.norb; spec.n_alpha = s->ham.n_alpha; spec.n_beta = s->ham.n_beta;
    vqe_ansatz a;
    if ((st = vqe_ansatz_build(&spec, &a, err))) return st;
    int np = a.n_params;
    vqe_ansatz_free(&a);
    init = malloc((size_t)(np > 0 ? np : 1) * sizeof *init);
    if (!init) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
    if ((st = vqe_params_read(o->init_file, init, np, err))) { free(init); return st; }
    cfg.init_params = init;
    cfg.n_init_params = np;
  }
  st = o->distribute ? vqe_dstatevec_vqe_run(&cfg, r, err) : vqe_vqe_run(&cfg, r, err);
  /* --restarts K: K - 1 more random starts (seeds seed+1, ...), keep the lowest energy; the exact
   * reference and the plateau estimate are not repeated */
  r->restarts = 1;
  r->best_restart = 0;
  for (int k = 1; !st && k < o->restarts && cfg.init == VQE_INIT_RANDOM; k++) {
    vqe_run_config ck = cfg;
    ck.seed = cfg.seed + (uint64_t)k;
    ck.fci = 0;
    ck.plateau_samples = 0;
    vqe_run_result rk;
    st = o->distribute ? vqe_dstatevec_vqe_run(&ck, &rk, err) : vqe_vqe_run(&ck, &rk, err);
    if (!st) {
      const int evals_e = r->n_energy_evals + rk.n_energy_evals, evals_g = r->n_gradient_evals + rk.n_gradient_evals;
      if (rk.e_vqe < r->e_vqe) {
        /* keep the better run, with the reference numbers of the first */
        rk.e_fci = r->e_fci;
        rk.have_plateau = r->have_plateau;
        rk.plateau = r->plateau;
        rk.t_fci = r->t_fci;
        rk.error_mha = isfinite(rk.e_fci) ? (rk.e_vqe - rk.e_fci) * 1000.0 : (double)NAN;
        rk.chemical_accuracy = isfinite(rk.e_fci) ? fabs(rk.e_vqe - rk.e_fci) <= VQE_CHEMICAL_ACCURACY : -1;
        rk.best_restart = k;
        vqe_run_result_free(r);
        *r = rk;
      } else {
        vqe_run_result_free(&rk);
      }
      r->n_energy_evals = evals_e;
      r->n_gradient_evals = evals_g;
      r->restarts = k + 1;
    }
  }
  free(init);
  if (vqe_dist_rank() > 0) return st;     /* under mpirun the files are written by rank 0 */
  if (o->trace_out && r->opt.n_trace > 0) {
    vqe_error e2 = {0};
    vqe_status s2 = vqe_trace_write_csv(o->trace_out, &r->opt, &e2);
    if (s2 && !st) { *err = e2; st = s2; }
  }
  if (st) return st;
  if (o->plot_out && r->opt.n_trace > 0 && (st = plot_trace(o, r, err))) return st;
  if (o->params_out) {
    char hdr[512];
    snprintf(hdr, sizeof hdr, "ansatz %s layers %d n_qubits %d\nenergy %.12f", o->ansatz_name,
             cfg.ansatz.layers, r->n_qubits, r->e_vqe);
    if ((st = vqe_params_write(o->params_out, r->params, r->n_params, hdr, err))) return st;
  }
  return VQE_OK;
}

/* ---- output ---------------------------------------------------------------------------------------- */

static void add_num(cJSON *o, const char *key, double v)
{
  if (isfinite(v)) cJSON_AddNumberToObject(o, key, v);
  else cJSON_AddNullToObject(o, key);
}

static const char *init_name(const cli_vqe_options *o)
{
  if (o->cfg.init == VQE_INIT_GIVEN) return "file";
  if (o->cfg.init == VQE_INIT_RANDOM ||
      (!o->init_given && (o->cfg.ansatz.kind == VQE_ANSATZ_HEA || o->cfg.ansatz.kind == VQE_ANSATZ_GATEFABRIC)))
    return "random";
  return "zeros";
}

cJSON *cli_vqe_json(const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *s,
                    const vqe_run_result *r)
{
  cJSON *j = cJSON_CreateObject();
  if (!j) return NULL;
  cJSON_AddStringToObject(j, "file", c->file ? c->file : "");
  if (s->from_fcidump) cJSON_AddNullToObject(j, "basis");
  else cJSON_AddStringToObject(j, "basis", s->sys.basis.name);
  cJSON_AddNumberToObject(j, "n_frozen", s->as.n_frozen);
  cJSON_AddNumberToObject(j, "n_active", s->ham.norb);
  cJSON_AddNumberToObject(j, "n_alpha", s->ham.n_alpha);
  cJSON_AddNumberToObject(j, "n_beta", s->ham.n_beta);
  cJSON_AddStringToObject(j, "ansatz", o->ansatz_name);
  cJSON_AddNumberToObject(j, "layers", !vqe_ansatz_info_of(o->cfg.ansatz.kind)->uses_layers ? 1 : o->cfg.ansatz.layers);
  cJSON_AddStringToObject(j, "optimizer", o->optimizer_name);
  cJSON_AddStringToObject(j, "gradient", vqe_gradient_method_name(o->cfg.gradient));
  cJSON_AddStringToObject(j, "init", init_name(o));
  cJSON_AddNumberToObject(j, "seed", (double)o->cfg.seed);
  cJSON_AddNumberToObject(j, "n_qubits", r->n_qubits);
  cJSON_AddNumberToObject(j, "n_parameters", r->n_params);
  cJSON_AddNumberToObject(j, "n_gates", (double)r->stats.n_gates);
  cJSON_AddNumberToObject(j, "n_two_qubit_gates", (double)r->stats.n_2q);
  cJSON_AddNumberToObject(j, "n_multi_qubit_gates", (double)r->stats.n_multi);
  cJSON_AddNumberToObject(j, "depth", (double)r->stats.depth);
  cJSON_AddNumberToObject(j, "n_pauli_terms", (double)r->n_pauli_terms);
  add_num(j, "energy_scf", s->e_scf);
  add_num(j, "energy_hf", r->e_hf);
  add_num(j, "energy_initial", r->e_initial);
  add_num(j, "energy_vqe", r->e_vqe);
  add_num(j, "energy_fci", r->e_fci);
  add_num(j, "error_mha", r->error_mha);
  if (r->chemical_accuracy < 0) cJSON_AddNullToObject(j, "chemical_accuracy");
  else cJSON_AddBoolToObject(j, "chemical_accuracy", r->chemical_accuracy);
  cJSON_AddNumberToObject(j, "iterations", r->iterations);
  cJSON_AddNumberToObject(j, "n_energy_evals", r->n_energy_evals);
  cJSON_AddNumberToObject(j, "n_gradient_evals", r->n_gradient_evals);
  add_num(j, "particle_number", r->obs.n);
  add_num(j, "sz", r->obs.sz);
  add_num(j, "s2", r->obs.s2);
  cJSON_AddBoolToObject(j, "converged", r->converged);
  cJSON_AddNumberToObject(j, "restarts", r->restarts > 0 ? r->restarts : 1);
  cJSON_AddNumberToObject(j, "best_restart", r->best_restart);
  if (r->have_plateau) {
    cJSON_AddNumberToObject(j, "plateau_samples", r->plateau.n_samples);
    add_num(j, "gradient_variance", r->plateau.variance);
    add_num(j, "gradient_variance_stderr", r->plateau.variance_stderr);
    add_num(j, "gradient_variance_relative", r->plateau.relative);
    cJSON_AddStringToObject(j, "plateau_verdict", vqe_verdict_name(r->plateau.verdict));
  } else {
    cJSON_AddNullToObject(j, "gradient_variance");
    cJSON_AddNullToObject(j, "gradient_variance_stderr");
    cJSON_AddNullToObject(j, "plateau_verdict");
  }
  cJSON_AddStringToObject(j, "stop_reason", r->stop_reason);
  cJSON *t = cJSON_AddObjectToObject(j, "timings");
  if (t) {
    cJSON_AddNumberToObject(t, "read", s->t_read);
    cJSON_AddNumberToObject(t, "integrals", s->t_ints);
    cJSON_AddNumberToObject(t, "scf", s->t_scf);
    cJSON_AddNumberToObject(t, "mo_hamiltonian", s->t_ham);
    cJSON_AddNumberToObject(t, "qubit_hamiltonian", r->t_hamiltonian);
    cJSON_AddNumberToObject(t, "ansatz", r->t_build);
    cJSON_AddNumberToObject(t, "fci", r->t_fci);
    cJSON_AddNumberToObject(t, "optimize", r->t_optimize);
    cJSON_AddNumberToObject(t, "vqe_total", r->t_total);
  }
  cJSON *p = cJSON_AddArrayToObject(j, "parameters");
  for (int k = 0; p && r->params && k < r->n_params; k++) cJSON_AddItemToArray(p, cJSON_CreateNumber(r->params[k]));
  return j;
}

void cli_vqe_print(FILE *f, const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *s,
                   const vqe_run_result *r)
{
  fprintf(f, "VQE  %s", c->file ? c->file : "");
  if (!s->from_fcidump) fprintf(f, "  basis %s", s->sys.basis.name);
  fprintf(f, "  active space: %d orbitals, %d alpha + %d beta electrons, %d frozen\n",
          s->ham.norb, s->ham.n_alpha, s->ham.n_beta, s->as.n_frozen);
  fprintf(f, "  ansatz           %s", o->ansatz_name);
  if (vqe_ansatz_info_of(o->cfg.ansatz.kind)->uses_layers) fprintf(f, " (layers %d)", o->cfg.ansatz.layers);
  fprintf(f, "\n  qubits           %d\n  parameters       %d\n", r->n_qubits, r->n_params);
  fprintf(f, "  gates            %zu (two-qubit %zu, multi-qubit %zu), depth %zu\n", r->stats.n_gates,
          r->stats.n_2q, r->stats.n_multi, r->stats.depth);
  fprintf(f, "  Pauli terms      %zu\n", r->n_pauli_terms);
  fprintf(f, "  optimizer        %s, %s gradient, init %s\n", o->optimizer_name,
          vqe_gradient_method_name(o->cfg.gradient), init_name(o));
  if (r->have_plateau)
    fprintf(f, "  gradient var.    %.3e ± %.1e at %d random points (Var/scale² %.2e): %s\n", r->plateau.variance,
            r->plateau.variance_stderr, r->plateau.n_samples, r->plateau.relative, vqe_verdict_name(r->plateau.verdict));
  fprintf(f, "  E_SCF            %18.10f Eh\n", s->e_scf);
  fprintf(f, "  E_HF (det)       %18.10f Eh\n", r->e_hf);
  fprintf(f, "  E_VQE            %18.10f Eh\n", r->e_vqe);
  if (isfinite(r->e_fci)) {
    fprintf(f, "  E_FCI            %18.10f Eh\n", r->e_fci);
    fprintf(f, "  error            %18.6f mEh  (%s chemical accuracy, 1.6 mEh)\n",
            fabs(r->error_mha) < 5e-7 ? 0.0 : r->error_mha,
            r->chemical_accuracy ? "within" : "NOT within");
  } else {
    fprintf(f, "  E_FCI            (not computed)\n");
  }
  if (r->restarts > 1)
    fprintf(f, "  restarts         %d random starts, the best was start %d (seed %llu)\n", r->restarts, r->best_restart + 1,
            (unsigned long long)(o->cfg.seed + (uint64_t)r->best_restart));
  fprintf(f, "  iterations       %d (%s)%s\n", r->iterations, r->stop_reason,
          r->converged ? "" : "  -- NOT converged");
  fprintf(f, "  evaluations      %d energy, %d gradient\n", r->n_energy_evals, r->n_gradient_evals);
  fprintf(f, "  <N> %.8f   <S_z> %.8f   <S^2> %.8f\n", r->obs.n, r->obs.sz, r->obs.s2);
  fprintf(f, "  time             read %.3f s, integrals %.3f s, SCF %.3f s, Hamiltonian %.3f + %.3f s, "
          "FCI %.3f s, ansatz %.3f s, optimisation %.3f s\n", s->t_read, s->t_ints, s->t_scf, s->t_ham,
          r->t_hamiltonian, r->t_fci, r->t_build, r->t_optimize);
}
