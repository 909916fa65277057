/* cmd_plateau.c — `vqe plateau`: gradient-variance sampling over random parameters for molecules,
 * hydrogen chains built on the fly, or synthetic costs; scaling fits over qubit count or depth and
 * the barren-plateau verdict (library: plateau.h). Table, JSON, CSV, plot, resumable --output. */
#include "cli.h"
#include "cli_ham.h"
#include "cli_vqe.h"
#include "vqe/study.h"
#include "vqe/dist.h"
#include "vqe/dstatevec.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const char vqe_help_plateau[];
int vqe_cmd_plateau(int argc, char **argv);

const char vqe_help_plateau[] =
  "usage: vqe plateau [FILE... | --chain EL:A:B[:STEP] | --synthetic COST --qubits A:B[:STEP]] [flags]\n"
  "\n"
  "Samples the gradient of the energy at random parameters (adjoint method) and reports, per system\n"
  "and depth, the variance of the partial derivatives with standard errors, fits the decay of the\n"
  "variance against the qubit count (or the depth) with an exponential and a polynomial law, and says\n"
  "whether the ansatz sits on a barren plateau.\n"
  "\n"
  "systems (one of):\n"
  "  FILE...              molecule .xyz files or FCIDUMPs (active-space flags apply to each)\n"
  "  --chain EL:A:B[:S]   linear chains of EL with A, A+S, ..., B atoms (S default 2), e.g. H:2:8\n"
  "  --spacing R          chain spacing in Å (default 1.0)\n"
  "  --synthetic COST     global (1 - |<0|psi>|^2), global-z (<Z0 Z1 ... Zn-1>), local\n"
  "                       ((1/n) sum (1 - Z_j)/2) or zz (<Z0 Z1>)\n"
  "  --qubits A:B[:S]     qubit counts for --synthetic (S default 2)\n"
  "\n"
  "flags:\n"
  "  --ansatz A[,A...]    hea, uccsd, sa-uccsd, kupccgsd, gatefabric (molecules), random-pauli (McClean et al.\n"
  "                       2018: RY(pi/4) layer, then random-axis rotations and a CZ ladder), rx-product\n"
  "                       (Cerezo et al. 2021 warm-up). Default hea.\n"
  "  --layers L|A:B[:S]   depth(s) (default 1)\n"
  "  --layers-per-qubit K layers = K * n for each system (deep circuits; overrides --layers)\n"
  "  --hf-init            start the hardware-efficient ansatz from the HF determinant (default |0...0>)\n"
  "  --samples M          parameter vectors per row (default 200)\n"
  "  --seed S             random seed (default 1): the same seed gives the same numbers\n"
  "  --sigma W            draw parameters from N(0, W^2) instead of uniform on [0, 2pi)\n"
  "  --bootstrap B        resamples for 95% intervals (default 200; 0 off)\n"
  "  --threshold T        plateau when Var[dE]/scale^2 < T (default 1e-3); scale^2 = Tr(H~^2)/2^n,\n"
  "                       the variance of the spectrum of the traceless Hamiltonian\n"
  "  --min-rate R         an exponential fit means plateau when its rate > R per qubit (default 0.1)\n"
  "                       and > 3 standard errors\n"
  "  --fit-variance mean|first  fit the mean over parameters of Var[dE/dθ_k] (default) or Var[dE/dθ_1]\n"
  "                       (McClean et al.'s quantity; structurally zero for some conserving ansätze)\n"
  "  --csv FILE           write the rows as CSV      --plot FILE.svg|.png   log Var vs qubits + fits\n"
  "  --output FILE        append each finished row as a JSON line; --resume continues that study\n"
  "  --json               one JSON document: rows, fit, fits, verdict\n"
  "  --distribute-state   under mpirun: split each state vector over the ranks (2^k ranks, for systems\n"
  "                       too large for one node) instead of splitting the samples over the ranks\n"
  "  --basis, --charge, --multiplicity, --frozen-core, --active-orbitals, --active-electrons,\n"
  "  --threads, --quiet   as for `vqe run`\n"
  "\n"
  "examples:\n"
  "  vqe plateau --synthetic zz --qubits 2:10 --ansatz random-pauli --layers-per-qubit 5 --samples 200\n"
  "  vqe plateau --synthetic local --qubits 2:12 --ansatz rx-product --json\n"
  "  vqe plateau --chain H:2:8 --ansatz hea,gatefabric --layers 2 --samples 100 --plot bp.svg\n"
  "\n"
  "exit codes: 0 success, 1 a computation failed, 2 bad input\n";

#define MAX_LIST 64

typedef struct {
  char label[160];
  int synthetic;             /* 1: synthetic cost on n qubits */
  int n_qubits;
  vqe_mo_hamiltonian ham;    /* molecules */
  vqe_pauli_sum jw;
  vqe_cost cost;
  int ok;
  char reason[VQE_ERRMSG_MAX];
} pl_system;

typedef enum { PL_ANSATZ = 0, PL_RANDOM_PAULI, PL_RX_PRODUCT } pl_kind;

typedef struct {
  pl_kind kind;
  int n, layers;
  vqe_circuit circ;          /* the circuit of the current sample */
  vqe_ansatz ans;
  const vqe_cost *cost;
  vqe_statevec psi0;
  vqe_statevec work[3];
  int distribute;            /* --distribute-state: the state vectors are split over the MPI ranks */
  uint64_t ref;
  vqe_dstatevec dwork[3];
} pl_problem;

static vqe_status pl_grad(void *ctx, uint64_t k, vqe_rng *rng, const double *theta, double *energy, double *grad,
                          vqe_error *err)
{
  pl_problem *p = ctx;
  (void)k;
  if (p->kind == PL_RANDOM_PAULI) {
    vqe_circuit_free(&p->circ);
    vqe_status st = vqe_circuit_random_pauli(p->n, p->layers, rng, &p->circ, err);
    if (st) return st;
  }
  const vqe_circuit *c = p->kind == PL_ANSATZ ? &p->ans.circuit : &p->circ;
  if (p->distribute) {
    /* every rank works on every sample: a rank that fails cannot tell the others, so stop them all */
    vqe_status st = vqe_dstatevec_gradient(c, &p->cost->pauli, p->cost->projector, p->ref, theta, p->dwork, energy,
                                           grad, err);
    if (st) vqe_dist_abort_all("plateau", err, vqe_status_exit_code(st));
    return st;
  }
  return vqe_cost_gradient(c, p->cost, &p->psi0, theta, p->work, energy, grad, err);
}

static void pl_problem_free(pl_problem *p)
{
  vqe_circuit_free(&p->circ);
  vqe_ansatz_free(&p->ans);
  vqe_statevec_free(&p->psi0);
  for (int i = 0; i < 3; i++) vqe_statevec_free(&p->work[i]);
  vqe_dstatevec_free_many(p->dwork, 3);
}

static int parse_range(const char *cmd, const char *flag, const char *s, int lo, int hi, int defstep, int *out, int max)
{
  int a, b, st = defstep;
  char tail;
  int n = sscanf(s, "%d:%d:%d%c", &a, &b, &st, &tail);
  if (n == 1 && sscanf(s, "%d%c", &a, &tail) == 1) { b = a; st = 1; n = 3; }
  if (n == 2) st = defstep;
  if ((n != 2 && n != 3) || a < lo || b > hi || a > b || st < 1) {
    cli_usage(cmd, "%s expects N or A:B[:STEP] with %d <= A <= B <= %d, got '%s'", flag, lo, hi, s);
    return -1;
  }
  int k = 0;
  for (int v = a; v <= b && k < max; v += st) out[k++] = v;
  return k;
}

static vqe_status system_from_ham(pl_system *s, vqe_error *err)
{
  vqe_status st = vqe_hamiltonian_jordan_wigner(&s->ham, -1.0, &s->jw, err);
  if (!st) st = vqe_cost_from_pauli(&s->jw, "hamiltonian", &s->cost, err);
  s->n_qubits = 2 * s->ham.norb;
  return st;
}

static vqe_status load_file(const cli_common *c, const char *file, pl_system *s, vqe_error *err)
{
  cli_common cc = *c;
  cc.file = file;
  cli_ham h;
  vqe_status st = cli_ham_load(&cc, &h, err);
  if (!st) st = vqe_mo_hamiltonian_copy(&s->ham, &h.ham, err);
  cli_ham_free(&h);
  if (!st) st = system_from_ham(s, err);
  snprintf(s->label, sizeof s->label, "%s", file);
  return st;
}

static vqe_status load_chain(const cli_common *c, int Z, int natom, double spacing, pl_system *s, vqe_error *err)
{
  int zs[256];
  double xyz[3 * 256];
  for (int a = 0; a < natom; a++) {
    zs[a] = Z;
    xyz[3 * a] = 0; xyz[3 * a + 1] = 0; xyz[3 * a + 2] = spacing * a;
  }
  snprintf(s->label, sizeof s->label, "%s%d", vqe_element_symbol(Z), natom);
  vqe_molecule mol;
  vqe_status st = vqe_molecule_from_atoms(natom, zs, xyz, c->has_charge ? c->charge : 0, c->has_mult ? c->mult : 0, &mol, err);
  if (st) return st;
  cli_vqe_system sys;
  st = cli_vqe_system_from_molecule(c, &mol, &sys, err);
  if (!st) st = vqe_mo_hamiltonian_copy(&s->ham, &sys.ham, err);
  cli_vqe_system_free(&sys);
  if (!st) st = system_from_ham(s, err);
  return st;
}

static void system_free(pl_system *s)
{
  vqe_mo_hamiltonian_free(&s->ham);
  vqe_pauli_sum_free(&s->jw);
  vqe_cost_free(&s->cost);
}

typedef struct {
  const char *ansatz;
  int sys;                  /* index into systems */
  int layers;
} pl_row;

/* Build the problem for one row; VQE_ERR_INPUT for combinations that make no sense. */
static vqe_status problem_setup(const pl_row *r, const pl_system *s, int hf_init, int distribute, pl_problem *p,
                                vqe_error *err)
{
  memset(p, 0, sizeof *p);
  p->distribute = distribute;
  p->n = s->n_qubits;
  p->layers = r->layers;
  p->cost = &s->cost;
  uint64_t ref = 0;
  vqe_status st = VQE_OK;
  if (!strcmp(r->ansatz, "random-pauli")) {
    p->kind = PL_RANDOM_PAULI;
    vqe_rng rng;
    vqe_rng_seed(&rng, 0);
    st = vqe_circuit_random_pauli(p->n, p->layers, &rng, &p->circ, err);
  } else if (!strcmp(r->ansatz, "rx-product")) {
    p->kind = PL_RX_PRODUCT;
    st = vqe_circuit_rx_product(p->n, p->layers, &p->circ, err);
  } else {
    const vqe_ansatz_info *info = vqe_ansatz_find(r->ansatz);
    if (!info) return vqe_error_set(err, VQE_ERR_INPUT, "unknown ansatz '%s' (allowed: %s, random-pauli, rx-product)", r->ansatz, vqe_ansatz_names());
    vqe_ansatz_spec spec;
    vqe_ansatz_spec_default(&spec);
    spec.kind = info->kind;
    spec.layers = p->layers;
    if (s->synthetic) {
      if (info->kind != VQE_ANSATZ_HEA)
        return vqe_error_set(err, VQE_ERR_INPUT, "--ansatz %s needs electrons: use a molecule or --chain (synthetic costs allow hea, random-pauli, rx-product)", r->ansatz);
      if (p->n % 2) return vqe_error_set(err, VQE_ERR_INPUT, "--ansatz hea on a synthetic cost needs an even qubit count (got %d)", p->n);
      spec.norb = p->n / 2;
      spec.n_alpha = spec.n_beta = 0;
    } else {
      spec.norb = s->ham.norb;
      spec.n_alpha = s->ham.n_alpha;
      spec.n_beta = s->ham.n_beta;
      spec.hf_init = hf_init;
    }
    p->kind = PL_ANSATZ;
    st = vqe_ansatz_build(&spec, &p->ans, err);
    if (!st) ref = p->ans.reference;
  }
  p->ref = ref;
  if (distribute) {
    if (!st) st = vqe_dstatevec_init_many(p->dwork, 3, p->n, err);
  } else {
    if (!st) st = vqe_statevec_init_many(p->work, 3, p->n, err);
    if (!st) st = vqe_statevec_init(&p->psi0, p->n, err);
    if (!st) st = vqe_statevec_set_basis(&p->psi0, ref, err);
  }
  if (st) pl_problem_free(p);
  return st;
}

static int problem_params(const pl_problem *p) { return p->kind == PL_ANSATZ ? p->ans.n_params : p->circ.n_params; }

static cJSON *num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

/* Fit the rows of one ansatz (and one depth when fitting over n). */
static const char *fit_key = "variance_mean";   /* --fit-variance mean|first */

static cJSON *fit_rows(cJSON *rows, const char *ansatz, const char *variable, int layers, const vqe_plateau_criteria *crit,
                       vqe_verdict *verdict, char *reason, size_t rsz, vqe_plateau_fit *fit_out)
{
  double x[MAX_LIST * 4], v[MAX_LIST * 4], se[MAX_LIST * 4], scale2 = NAN;
  int m = 0;
  const cJSON *r;
  cJSON_ArrayForEach(r, rows) {
    if (strcmp(cJSON_GetObjectItem(r, "ansatz")->valuestring, ansatz)) continue;
    if (strcmp(cJSON_GetObjectItem(r, "status")->valuestring, "ok")) continue;
    int L = cJSON_GetObjectItem(r, "layers")->valueint;
    if (!strcmp(variable, "n_qubits") && layers > 0 && L != layers) continue;
    x[m] = cJSON_GetObjectItem(r, variable)->valuedouble;
    char sek[64];
    snprintf(sek, sizeof sek, "%s_stderr", fit_key);
    v[m] = cJSON_GetObjectItem(r, fit_key)->valuedouble;
    se[m] = cJSON_GetObjectItem(r, sek)->valuedouble;
    if (!(v[m] > 1e-300)) continue;   /* structurally zero (a gate that cannot act on the reference) */
    scale2 = cJSON_GetObjectItem(r, "scale2")->valuedouble;
    m++;
  }
  if (m < 3) return NULL;
  vqe_plateau_fit f;
  vqe_error e = {0};
  if (vqe_plateau_fit_scaling(m, x, v, se, &f, &e)) return NULL;
  *verdict = vqe_plateau_verdict(&f, v[m - 1], scale2, crit, reason, rsz);
  if (fit_out) *fit_out = f;
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "ansatz", ansatz);
  cJSON_AddStringToObject(o, "variable", variable);
  cJSON_AddStringToObject(o, "fitted", fit_key);
  if (!strcmp(variable, "n_qubits")) cJSON_AddNumberToObject(o, "layers", layers);
  cJSON_AddNumberToObject(o, "n_points", m);
  cJSON_AddStringToObject(o, "model", f.model == VQE_FIT_EXPONENTIAL ? "exponential" : "polynomial");
  cJSON_AddItemToObject(o, "rate", num_or_null(f.rate));
  cJSON_AddItemToObject(o, "rate_stderr", num_or_null(f.rate_stderr));
  cJSON_AddItemToObject(o, "power", num_or_null(f.power));
  cJSON_AddItemToObject(o, "power_stderr", num_or_null(f.power_stderr));
  cJSON_AddItemToObject(o, "log_prefactor_exponential", num_or_null(f.log_prefactor_exp));
  cJSON_AddItemToObject(o, "log_prefactor_polynomial", num_or_null(f.log_prefactor_poly));
  cJSON_AddItemToObject(o, "aic_exponential", num_or_null(f.aic_exp));
  cJSON_AddItemToObject(o, "aic_polynomial", num_or_null(f.aic_poly));
  cJSON_AddItemToObject(o, "bic_exponential", num_or_null(f.bic_exp));
  cJSON_AddItemToObject(o, "bic_polynomial", num_or_null(f.bic_poly));
  cJSON_AddStringToObject(o, "verdict", vqe_verdict_name(*verdict));
  cJSON_AddStringToObject(o, "reason", reason);
  return o;
}

int vqe_cmd_plateau(int argc, char **argv)
{
  const char *cmd = "plateau";
  cli_common c;
  cli_common_init(&c);
  const char *files[MAX_LIST];
  int n_files = 0;
  const char *chain = NULL, *synthetic = NULL, *qubits = NULL, *ansatz_arg = "hea", *layers_arg = "1";
  const char *csv = NULL, *plot = NULL, *output = NULL;
  double spacing = 1.0, sigma = 0.0;
  long samples = 200, seed = 1, bootstrap = 200, layers_per_qubit = 0;
  int resume = 0, hf_init = 0, distribute = 0;
  vqe_plateau_criteria crit;
  vqe_plateau_criteria_default(&crit);
  for (int i = 1; i < argc; i++) {
    int r = cli_common_flag(cmd, &c, argc, argv, &i);
    if (r < 0) return 2;
    if (r) continue;
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED() do { if (!v) return cli_usage(cmd, "%s needs a value", a); i++; } while (0)
    if (!strcmp(a, "--chain")) { NEED(); chain = v; }
    else if (!strcmp(a, "--spacing")) { NEED(); if (!cli_double(cmd, a, v, 0.1, 20.0, &spacing)) return 2; }
    else if (!strcmp(a, "--synthetic")) { NEED(); synthetic = v; }
    else if (!strcmp(a, "--qubits")) { NEED(); qubits = v; }
    else if (!strcmp(a, "--ansatz")) { NEED(); ansatz_arg = v; }
    else if (!strcmp(a, "--layers")) { NEED(); layers_arg = v; }
    else if (!strcmp(a, "--layers-per-qubit")) { NEED(); if (!cli_int(cmd, a, v, 1, 1000, &layers_per_qubit)) return 2; }
    else if (!strcmp(a, "--hf-init")) hf_init = 1;
    else if (!strcmp(a, "--distribute-state")) distribute = 1;
    else if (!strcmp(a, "--samples")) { NEED(); if (!cli_int(cmd, a, v, 4, 10000000, &samples)) return 2; }
    else if (!strcmp(a, "--seed")) { NEED(); if (!cli_int(cmd, a, v, 0, 2147483647L, &seed)) return 2; }
    else if (!strcmp(a, "--sigma")) { NEED(); if (!cli_double(cmd, a, v, 1e-12, 100.0, &sigma)) return 2; }
    else if (!strcmp(a, "--bootstrap")) { NEED(); if (!cli_int(cmd, a, v, 0, 100000, &bootstrap)) return 2; }
    else if (!strcmp(a, "--threshold")) { NEED(); if (!cli_double(cmd, a, v, 0.0, 1.0, &crit.rel_threshold)) return 2; }
    else if (!strcmp(a, "--min-rate")) { NEED(); if (!cli_double(cmd, a, v, 0.0, 100.0, &crit.min_rate)) return 2; }
    else if (!strcmp(a, "--fit-variance")) {
      NEED();
      if (!strcmp(v, "mean")) fit_key = "variance_mean";
      else if (!strcmp(v, "first")) fit_key = "variance_first";
      else return cli_usage(cmd, "--fit-variance expects mean or first, got '%s'", v);
    }
    else if (!strcmp(a, "--csv")) { NEED(); csv = v; }
    else if (!strcmp(a, "--plot")) { NEED(); plot = v; }
    else if (!strcmp(a, "--output")) { NEED(); output = v; }
    else if (!strcmp(a, "--resume")) resume = 1;
    else if (a[0] == '-' && a[1]) return cli_usage(cmd, "unknown flag '%s'", a);
    else if (n_files < MAX_LIST) files[n_files++] = a;
    else return cli_usage(cmd, "too many files (at most %d)", MAX_LIST);
#undef NEED
  }
  if ((n_files > 0) + (chain != NULL) + (synthetic != NULL) != 1)
    return cli_usage(cmd, "give exactly one of: molecule files, --chain EL:A:B, --synthetic COST --qubits A:B");
  if (synthetic && !qubits) return cli_usage(cmd, "--synthetic needs --qubits A:B[:STEP]");
  if (qubits && !synthetic) return cli_usage(cmd, "--qubits goes with --synthetic");
  if (resume && !output) return cli_usage(cmd, "--resume needs --output FILE");
  if (plot && !vqe_plot_available())
    return cli_usage(cmd, "--plot needs gnuplot, which is not installed (apt-get install gnuplot-nox)");

  /* ansätze */
  char ansatz_buf[256];
  snprintf(ansatz_buf, sizeof ansatz_buf, "%s", ansatz_arg);
  const char *ansatze[8];
  int n_ans = 0;
  char *save = NULL;
  for (char *t = strtok_r(ansatz_buf, ",", &save); t && n_ans < 8; t = strtok_r(NULL, ",", &save)) {
    if (strcmp(t, "random-pauli") && strcmp(t, "rx-product") && !vqe_ansatz_find(t))
      return cli_usage(cmd, "--ansatz: unknown ansatz '%s' (allowed: %s, random-pauli, rx-product)", t, vqe_ansatz_names());
    ansatze[n_ans++] = t;
  }
  if (!n_ans) return cli_usage(cmd, "--ansatz needs at least one name");
  int layers[MAX_LIST];
  int n_layers = parse_range(cmd, "--layers", layers_arg, 1, 100000, 1, layers, MAX_LIST);
  if (n_layers < 0) return 2;

  vqe_error derr = {0};
  if (distribute && vqe_dstatevec_check_ranks(&derr)) return cli_fail(cmd, &derr);   /* before any work */

  /* systems */
  vqe_set_threads(c.threads);
  pl_system *sys = calloc(MAX_LIST, sizeof *sys);
  int n_sys = 0, rc = 0;
  vqe_error err = {0};
  if (synthetic) {
    vqe_cost_kind kind;
    if (vqe_cost_lookup(synthetic, &kind, &err)) { free(sys); return cli_fail(cmd, &err); }
    int ns[MAX_LIST];
    int k = parse_range(cmd, "--qubits", qubits, 1, VQE_STATEVEC_MAX_QUBITS, 2, ns, MAX_LIST);
    if (k < 0) { free(sys); return 2; }
    for (int i = 0; i < k; i++, n_sys++) {
      sys[n_sys].synthetic = 1;
      sys[n_sys].n_qubits = ns[i];
      snprintf(sys[n_sys].label, sizeof sys[n_sys].label, "%s/n=%d", synthetic, ns[i]);
      if (vqe_cost_synthetic(kind, ns[i], &sys[n_sys].cost, &err)) { rc = cli_fail(cmd, &err); goto done; }
      sys[n_sys].ok = 1;
    }
  } else if (chain) {
    char el[8];
    int a, b, st = 2;
    char tail;
    int n = sscanf(chain, "%7[A-Za-z]:%d:%d:%d%c", el, &a, &b, &st, &tail);
    int Z = n >= 3 ? vqe_element_z(el) : 0;
    if ((n != 3 && n != 4) || !Z || a < 1 || b < a || b > 64 || st < 1) {
      rc = cli_usage(cmd, "--chain expects EL:A:B[:STEP] (an element, then atom counts 1 <= A <= B <= 64), got '%s'", chain);
      goto done;
    }
    for (int na = a; na <= b && n_sys < MAX_LIST; na += st, n_sys++) {
      vqe_status s = load_chain(&c, Z, na, spacing, &sys[n_sys], &err);
      if (s == VQE_ERR_INPUT || s == VQE_ERR_RESOURCE) { rc = cli_fail(cmd, &err); n_sys++; goto done; }
      sys[n_sys].ok = s == VQE_OK;
      if (s) snprintf(sys[n_sys].reason, sizeof sys[n_sys].reason, "%s", err.msg);
    }
  } else {
    for (int f = 0; f < n_files; f++, n_sys++) {
      vqe_status s = load_file(&c, files[f], &sys[n_sys], &err);
      if (s == VQE_ERR_INPUT || s == VQE_ERR_RESOURCE) { rc = cli_fail(cmd, &err); n_sys++; goto done; }
      sys[n_sys].ok = s == VQE_OK;
      if (s) snprintf(sys[n_sys].reason, sizeof sys[n_sys].reason, "%s", err.msg);
    }
  }
  /* under mpirun every rank uses rank 0's costs (SCF orbital signs may differ between ranks) */
  for (int i = 0; vqe_dist_size() > 1 && i < n_sys; i++) {
    if (vqe_dist_max_int(!sys[i].ok) && sys[i].ok) {
      sys[i].ok = 0;
      snprintf(sys[i].reason, sizeof sys[i].reason, "the system could not be built on another MPI rank");
    }
    if (vqe_dist_bcast_pauli_sum(&sys[i].cost.pauli, &err)) { rc = cli_fail(cmd, &err); goto done; }
  }
  /* a distributed state: the rank count and the memory per rank, before any sampling */
  for (int i = 0; distribute && i < n_sys; i++)
    if (vqe_dstatevec_check(sys[i].n_qubits, 3, &err)) { rc = cli_fail(cmd, &err); goto done; }
  /* samples split over ranks: every rank of a node holds its own 4 state vectors */
  for (int i = 0; !distribute && vqe_dist_node_ranks() > 1 && i < n_sys; i++) {
    char what[96];
    snprintf(what, sizeof what, "4 state vectors of %d qubits per rank", sys[i].n_qubits);
    if (vqe_dist_check_memory(vqe_statevec_bytes(sys[i].n_qubits, 4), what,
                              "use fewer ranks per node, or --distribute-state to split each state", &err)) {
      rc = cli_fail(cmd, &err);
      goto done;
    }
  }

  {
    /* rows: ansatz × system × depth */
    pl_row rows[MAX_LIST * MAX_LIST];
    int n_rows = 0;
    for (int ai = 0; ai < n_ans; ai++)
      for (int si = 0; si < n_sys; si++) {
        if (layers_per_qubit > 0) {
          rows[n_rows++] = (pl_row){ansatze[ai], si, (int)layers_per_qubit * sys[si].n_qubits};
        } else {
          for (int li = 0; li < n_layers && n_rows < MAX_LIST * MAX_LIST; li++) rows[n_rows++] = (pl_row){ansatze[ai], si, layers[li]};
        }
      }
    cJSON *config = cJSON_CreateObject();
    cJSON_AddStringToObject(config, "systems", synthetic ? synthetic : chain ? chain : files[0]);
    cJSON_AddStringToObject(config, "ansatz", ansatz_arg);
    cJSON_AddStringToObject(config, "layers", layers_arg);
    cJSON_AddNumberToObject(config, "layers_per_qubit", (double)layers_per_qubit);
    cJSON_AddNumberToObject(config, "samples", (double)samples);
    cJSON_AddNumberToObject(config, "seed", (double)seed);
    cJSON_AddNumberToObject(config, "sigma", sigma);
    cJSON_AddStringToObject(config, "basis", c.basis ? c.basis : "");
    vqe_journal jn = {0};
    if (output && vqe_dist_journal_open(output, "plateau", config, resume, &jn, &err)) {
      cJSON_Delete(config);
      rc = cli_fail(cmd, &err);
      goto done;
    }
    cJSON *jrows = cJSON_CreateArray();
    double t_start = vqe_wtime();
    for (int ri = 0; ri < n_rows; ri++) {
      const pl_row *r = &rows[ri];
      pl_system *s = &sys[r->sys];
      char key[256];
      snprintf(key, sizeof key, "%s/%s/L=%d", r->ansatz, s->label, r->layers);
      const cJSON *done = output ? vqe_journal_find(&jn, key) : NULL;
      if (done) { cJSON_AddItemToArray(jrows, cJSON_Duplicate(done, 1)); continue; }
      vqe_progress(ri + 1, n_rows, t_start, key, c.quiet);
      cJSON *o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "key", key);
      cJSON_AddStringToObject(o, "ansatz", r->ansatz);
      cJSON_AddStringToObject(o, "system", s->label);
      cJSON_AddNumberToObject(o, "n_qubits", s->n_qubits);
      cJSON_AddNumberToObject(o, "layers", r->layers);
      vqe_status st = VQE_OK;
      if (!s->ok) {
        st = VQE_ERR_COMPUTE;
        snprintf(err.msg, sizeof err.msg, "%s", s->reason);
      }
      pl_problem p;
      int have_p = 0;
      if (!st) {
        st = problem_setup(r, s, hf_init, distribute, &p, &err);
        have_p = !st;
        if (st == VQE_ERR_INPUT || st == VQE_ERR_RESOURCE) {
          cJSON_Delete(o);
          cJSON_Delete(jrows);
          cJSON_Delete(config);
          vqe_journal_close(&jn);
          vqe_progress_done(c.quiet);
          rc = cli_fail(cmd, &err);
          goto done;
        }
      }
      vqe_plateau_stats ps;
      memset(&ps, 0, sizeof ps);
      if (!st) {
        vqe_plateau_options po;
        vqe_plateau_options_default(&po);
        po.n_samples = (int)samples;
        po.seed = (uint64_t)seed;
        po.bootstrap = (int)bootstrap;
        if (sigma > 0) { po.dist = VQE_SAMPLE_NORMAL; po.sigma = sigma; }
        cJSON_AddNumberToObject(o, "n_parameters", problem_params(&p));
        /* under mpirun the samples are split over the ranks (identical numbers for any rank count),
           unless every rank holds a part of each state (--distribute-state) */
        st = distribute ? vqe_plateau_sample(problem_params(&p), pl_grad, &p, &po, &ps, &err)
                        : vqe_dist_plateau_sample(problem_params(&p), pl_grad, &p, &po, &ps, &err);
      }
      if (have_p) pl_problem_free(&p);
      if (!st) {
        const double scale2 = vqe_cost_scale2(&s->cost), d = ldexp(1.0, s->n_qubits);
        cJSON_AddStringToObject(o, "status", "ok");
        cJSON_AddNumberToObject(o, "samples", ps.n_samples);
        cJSON_AddItemToObject(o, "variance_mean", num_or_null(ps.variance_mean));
        cJSON_AddItemToObject(o, "variance_mean_stderr", num_or_null(ps.variance_mean_stderr));
        cJSON_AddItemToObject(o, "variance_first", num_or_null(ps.variance_first));
        cJSON_AddItemToObject(o, "variance_first_stderr", num_or_null(ps.variance_first_stderr));
        cJSON *ci = cJSON_CreateArray();
        cJSON_AddItemToArray(ci, num_or_null(ps.variance_first_ci[0]));
        cJSON_AddItemToArray(ci, num_or_null(ps.variance_first_ci[1]));
        cJSON_AddItemToObject(o, "variance_first_ci95", ci);
        ci = cJSON_CreateArray();
        cJSON_AddItemToArray(ci, num_or_null(ps.variance_mean_ci[0]));
        cJSON_AddItemToArray(ci, num_or_null(ps.variance_mean_ci[1]));
        cJSON_AddItemToObject(o, "variance_mean_ci95", ci);
        cJSON_AddItemToObject(o, "gradient_mean_first", num_or_null(ps.grad_mean[0]));
        cJSON_AddItemToObject(o, "energy_mean", num_or_null(ps.energy_mean));
        cJSON_AddItemToObject(o, "energy_variance", num_or_null(ps.energy_variance));
        cJSON_AddItemToObject(o, "energy_variance_stderr", num_or_null(ps.energy_variance_stderr));
        cJSON_AddItemToObject(o, "scale2", num_or_null(scale2));
        cJSON_AddItemToObject(o, "relative_variance", num_or_null(ps.variance_mean / scale2));
        /* what a unitary 2-design would give for a gate with <V> = 0: ½ Tr(H~²)/(d² − 1) */
        cJSON_AddItemToObject(o, "variance_2design", num_or_null(0.5 * scale2 * d / (d * d - 1)));
        char reason[256];
        vqe_verdict v = vqe_plateau_verdict(NULL, ps.variance_mean, scale2, &crit, reason, sizeof reason);
        cJSON_AddStringToObject(o, "verdict", vqe_verdict_name(v));
        cJSON_AddNumberToObject(o, "time", ps.time);
      } else if (st == VQE_ERR_COMPUTE) {
        cJSON_AddStringToObject(o, "status", "failed");
        cJSON_AddStringToObject(o, "reason", err.msg);
      } else {
        cJSON_Delete(o);
        cJSON_Delete(jrows);
        cJSON_Delete(config);
        vqe_journal_close(&jn);
        vqe_progress_done(c.quiet);
        vqe_plateau_stats_free(&ps);
        rc = cli_fail(cmd, &err);
        goto done;
      }
      vqe_plateau_stats_free(&ps);
      if (output && vqe_dist_journal_append(&jn, o, &err)) {
        cJSON_Delete(o); cJSON_Delete(jrows); cJSON_Delete(config); vqe_journal_close(&jn);
        rc = cli_fail(cmd, &err);
        goto done;
      }
      cJSON_AddItemToArray(jrows, o);
    }
    vqe_progress_done(c.quiet);
    vqe_journal_close(&jn);

    /* fits: over the qubit count per (ansatz, depth) when there are several systems, else over depth */
    cJSON *fits = cJSON_CreateArray();
    cJSON *first_fit = NULL;
    const char *verdict = NULL;
    char verdict_reason[512] = "";
    vqe_plateau_fit pfit[64];
    int n_pfit = 0;
    const char *pfit_ansatz[64];
    int pfit_layers[64];
    for (int ai = 0; ai < n_ans; ai++) {
      int nl = layers_per_qubit > 0 ? 1 : n_layers;
      for (int li = 0; li < nl; li++) {
        char reason[512];
        vqe_verdict v;
        vqe_plateau_fit f;
        cJSON *fo = n_sys >= 3 ? fit_rows(jrows, ansatze[ai], "n_qubits", layers_per_qubit > 0 ? 0 : layers[li], &crit, &v, reason, sizeof reason, &f)
                               : (n_layers >= 3 && li == 0 ? fit_rows(jrows, ansatze[ai], "layers", 0, &crit, &v, reason, sizeof reason, &f) : NULL);
        if (!fo) continue;
        cJSON_AddItemToArray(fits, fo);
        if (n_pfit < 64) { pfit[n_pfit] = f; pfit_ansatz[n_pfit] = ansatze[ai]; pfit_layers[n_pfit] = layers_per_qubit > 0 ? 0 : layers[li]; n_pfit++; }
        if (!first_fit || (ai == 0)) { first_fit = fo; verdict = vqe_verdict_name(v); snprintf(verdict_reason, sizeof verdict_reason, "%s", reason); }
      }
    }
    if (!verdict) {   /* no fit: the threshold on the last successful row of the first ansatz */
      const cJSON *r, *last = NULL;
      cJSON_ArrayForEach(r, jrows)
        if (!strcmp(cJSON_GetObjectItem(r, "ansatz")->valuestring, ansatze[0]) && cJSON_GetObjectItem(r, "verdict")) last = r;
      if (last) {
        vqe_plateau_verdict(NULL, cJSON_GetObjectItem(last, "variance_mean")->valuedouble,
                            cJSON_GetObjectItem(last, "scale2")->valuedouble, &crit, verdict_reason, sizeof verdict_reason);
        verdict = cJSON_GetObjectItem(last, "verdict")->valuestring;
      }
    }

    if (c.json) {
      cJSON *doc = cJSON_CreateObject();
      cJSON_AddStringToObject(doc, "command", "plateau");
      cJSON_AddItemToObject(doc, "config", cJSON_Duplicate(config, 1));
      cJSON_AddNumberToObject(doc, "threshold", crit.rel_threshold);
      cJSON_AddNumberToObject(doc, "min_rate", crit.min_rate);
      cJSON_AddItemToObject(doc, "rows", cJSON_Duplicate(jrows, 1));
      cJSON_AddItemToObject(doc, "fit", first_fit ? cJSON_Duplicate(first_fit, 1) : cJSON_CreateNull());
      cJSON_AddItemToObject(doc, "fits", cJSON_Duplicate(fits, 1));
      if (verdict) cJSON_AddStringToObject(doc, "verdict", verdict); else cJSON_AddNullToObject(doc, "verdict");
      cJSON_AddStringToObject(doc, "verdict_reason", verdict_reason);
      cJSON_AddNumberToObject(doc, "time", vqe_wtime() - t_start);
      char *s = cJSON_Print(doc);
      puts(s);
      free(s);
      cJSON_Delete(doc);
    } else {
      printf("vqe plateau: %d samples per row, seed %ld, parameters %s\n\n", (int)samples, seed,
             sigma > 0 ? "normal around 0" : "uniform on [0, 2pi)");
      printf("  %-12s %-16s %4s %5s %7s  %-24s %-23s %10s %10s  %s\n", "ansatz", "system", "n", "L", "params",
             "Var[dE/dθ] mean ± err ", "Var[dE/dθ1] ± err  ", "Var[E]", "Var/scale²", "verdict");
      const cJSON *r;
      cJSON_ArrayForEach(r, jrows) {
        printf("  %-12s %-16s %4d %5d ", cJSON_GetObjectItem(r, "ansatz")->valuestring, cJSON_GetObjectItem(r, "system")->valuestring,
               cJSON_GetObjectItem(r, "n_qubits")->valueint, cJSON_GetObjectItem(r, "layers")->valueint);
        if (strcmp(cJSON_GetObjectItem(r, "status")->valuestring, "ok")) {
          printf("%7s  failed: %s\n", "-", cJSON_GetObjectItem(r, "reason")->valuestring);
          continue;
        }
        printf("%7d  %10.3e ± %-9.1e %10.3e ± %-9.1e %10.3e %10.3e  %s\n", cJSON_GetObjectItem(r, "n_parameters")->valueint,
               cJSON_GetObjectItem(r, "variance_mean")->valuedouble, cJSON_GetObjectItem(r, "variance_mean_stderr")->valuedouble,
               cJSON_GetObjectItem(r, "variance_first")->valuedouble, cJSON_GetObjectItem(r, "variance_first_stderr")->valuedouble,
               cJSON_GetObjectItem(r, "energy_variance")->valuedouble, cJSON_GetObjectItem(r, "relative_variance")->valuedouble,
               cJSON_GetObjectItem(r, "verdict")->valuestring);
      }
      const cJSON *f;
      if (cJSON_GetArraySize(fits)) printf("\n  fits of log %s:\n", strcmp(fit_key, "variance_first") ? "(mean over k of Var[dE/dθk])" : "Var[dE/dθ1]");
      cJSON_ArrayForEach(f, fits) {
        printf("  %-12s vs %-8s", cJSON_GetObjectItem(f, "ansatz")->valuestring, cJSON_GetObjectItem(f, "variable")->valuestring);
        if (cJSON_GetObjectItem(f, "layers") && cJSON_GetObjectItem(f, "layers")->valueint > 0)
          printf(" (L=%d)", cJSON_GetObjectItem(f, "layers")->valueint);
        printf(": exponential rate %.3f ± %.3f, polynomial power %.2f ± %.2f, AIC exp %.1f / poly %.1f -> %s: %s\n",
               cJSON_GetObjectItem(f, "rate")->valuedouble, cJSON_GetObjectItem(f, "rate_stderr")->valuedouble,
               cJSON_GetObjectItem(f, "power")->valuedouble, cJSON_GetObjectItem(f, "power_stderr")->valuedouble,
               cJSON_GetObjectItem(f, "aic_exponential")->valuedouble, cJSON_GetObjectItem(f, "aic_polynomial")->valuedouble,
               cJSON_GetObjectItem(f, "model")->valuestring, cJSON_GetObjectItem(f, "verdict")->valuestring);
      }
      if (verdict) printf("\n  verdict: %s (%s)\n", verdict, verdict_reason);
      printf("  thresholds: --threshold %.0e (Var/scale²), --min-rate %.2f per qubit\n", crit.rel_threshold, crit.min_rate);
    }
    if (csv && vqe_dist_rank() == 0) {
      const char *cols[] = {"ansatz", "system", "n_qubits", "layers", "n_parameters", "samples", "variance_mean",
                            "variance_mean_stderr", "variance_first", "variance_first_stderr", "energy_variance",
                            "energy_variance_stderr", "scale2", "relative_variance", "variance_2design", "verdict",
                            "status", "reason", NULL};
      if (vqe_write_csv(csv, jrows, cols, &err)) rc = cli_fail(cmd, &err);
    }
    if (plot && !rc && vqe_dist_rank() == 0) {
      /* one series per (ansatz, depth) with its fitted exponential */
      vqe_plot_series se[64];
      double xs[64][64], ys[64][64], es[64][64];
      char labels[64][128], funcs[64][160];
      int ns = 0;
      for (int k = 0; k < n_ans * (layers_per_qubit > 0 ? 1 : n_layers) && ns < 62; k++) {
        const char *an = ansatze[k / (layers_per_qubit > 0 ? 1 : n_layers)];
        int L = layers_per_qubit > 0 ? 0 : layers[k % n_layers];
        int m = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, jrows) {
          if (strcmp(cJSON_GetObjectItem(r, "ansatz")->valuestring, an) || !cJSON_GetObjectItem(r, "verdict")) continue;
          if (L && cJSON_GetObjectItem(r, "layers")->valueint != L) continue;
          if (m < 64) {
            xs[ns][m] = n_sys >= 2 ? cJSON_GetObjectItem(r, "n_qubits")->valuedouble : cJSON_GetObjectItem(r, "layers")->valuedouble;
            char sek[64];
            snprintf(sek, sizeof sek, "%s_stderr", fit_key);
            ys[ns][m] = cJSON_GetObjectItem(r, fit_key)->valuedouble;
            es[ns][m] = cJSON_GetObjectItem(r, sek)->valuedouble;
            m++;
          }
        }
        if (!m) continue;
        if (L) snprintf(labels[ns], sizeof labels[ns], "%s L=%d", an, L);
        else snprintf(labels[ns], sizeof labels[ns], "%s", an);
        se[ns] = (vqe_plot_series){labels[ns], m, xs[ns], ys[ns], es[ns], 1, NULL};
        ns++;
        for (int q = 0; q < n_pfit; q++)
          if (!strcmp(pfit_ansatz[q], an) && pfit_layers[q] == L) {
            const vqe_plateau_fit *pf = &pfit[q];
            if (pf->model == VQE_FIT_EXPONENTIAL)
              snprintf(funcs[ns], sizeof funcs[ns], "exp(%.10g - %.10g*x)", pf->log_prefactor_exp, pf->rate);
            else
              snprintf(funcs[ns], sizeof funcs[ns], "exp(%.10g) * x**(-%.10g)", pf->log_prefactor_poly, pf->power);
            char base[96];
            memcpy(base, labels[ns - 1], sizeof base);
            snprintf(labels[ns], sizeof labels[ns], "%s fit (%s)", base, pf->model == VQE_FIT_EXPONENTIAL ? "exponential" : "polynomial");
            se[ns] = (vqe_plot_series){labels[ns], 0, NULL, NULL, NULL, 0, funcs[ns]};
            ns++;
          }
      }
      vqe_plot_spec spec = {"Gradient variance (barren-plateau diagnostic)", n_sys >= 2 ? "qubits" : "layers",
                            strcmp(fit_key, "variance_first") ? "mean over k of Var[dE/dθ_k]" : "Var[dE/dθ_1]", 0, 1, 0, 0, NULL, ns, se};
      if (vqe_plot(plot, &spec, &err)) rc = cli_fail(cmd, &err);
    }
    cJSON_Delete(fits);
    cJSON_Delete(jrows);
    cJSON_Delete(config);
  }
done:
  for (int i = 0; i < n_sys; i++) system_free(&sys[i]);
  free(sys);
  return rc;
}
