/* cmd_hamiltonian.c — `vqe hamiltonian FILE`: the active-space Hamiltonian of a molecule or an FCIDUMP
 * as a summary, as a qubit operator in OpenFermion's text format, or as an FCIDUMP. Also holds the
 * loader and report shared with `vqe fci` (cli_ham.h). A thin client of hamiltonian.h and fci.h. */
#include "cli_ham.h"
#include "vqe/fci.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const char vqe_help_hamiltonian[];
int vqe_cmd_hamiltonian(int argc, char **argv);

/* `vqe hamiltonian` solves FCI for its report only up to this many determinants (about a second;
 * --fci forces it, `vqe fci` always solves). */
#define CLI_HAM_FCI_AUTO_MAX 100000

const char vqe_help_hamiltonian[] =
  "usage: vqe hamiltonian FILE [flags]\n"
  "\n"
  "The electronic Hamiltonian of an active space, in the molecular orbitals of an SCF on the molecule\n"
  "in FILE (.xyz), or read from FILE when it is an FCIDUMP (content starting with &FCI, or a name\n"
  "ending in .fcidump / FCIDUMP). Builds the Jordan–Wigner qubit Hamiltonian (interleaved spin\n"
  "orbitals: qubit 2p = alpha of orbital p, 2p+1 = beta; qubit 0 the least significant bit) and,\n"
  "for the summary, the exact (FCI / CASCI) ground-state energy.\n"
  "\n"
  "flags:\n"
  "  --format F           summary (default) | openfermion (QubitOperator text: '0.17 [Z0 Z1] +',\n"
  "                       identity '[]') | fcidump (Molpro/PySCF/psi4 FCIDUMP of the active space)\n"
  "  -o, --output OUT     write the format's output to OUT (atomically: a failure leaves no file)\n"
  "  --cutoff C           drop Pauli terms with |c| < C (default 1e-12)\n"
  "  --no-fci             skip the exact ground state\n"
  "  --fci                solve FCI even above 100000 determinants (or use 'vqe fci')\n"
  "active space (CASCI convention: inactive orbitals doubly occupied, their energy in the constant,\n"
  "their mean field in the one-electron integrals):\n"
  "  --frozen-core K|auto inactive doubly occupied orbitals (auto: chemical core, 1 per Li-Ne atom,\n"
  "                       5 per Na-Ar, 9 per K-Kr; not with an FCIDUMP)\n"
  "  --active-orbitals M  active spatial orbitals above the frozen core (default: all)\n"
  "  --active-electrons E active electrons (default: all not frozen; alone it sets the frozen count\n"
  "                       to (N - E)/2)\n"
  "molecule flags (not with an FCIDUMP):\n"
  "  --basis B            basis set name or .g94/.gbs file (default: basis= in the XYZ, else sto-3g)\n"
  "  --charge Q, --multiplicity M, --cartesian | --spherical, --guess sad|gwh|core,\n"
  "  --scf-max-iter N, --stability, --follow   as for 'vqe scf'\n"
  "other:\n"
  "  --threads T          OpenMP threads (also used by OpenBLAS)\n"
  "  --json               one JSON document (keys: energy_scf, energy_fci, energy_core, n_qubits,\n"
  "                       n_determinants, n_pauli_terms, n_x_groups, one_norm, n_orbitals, n_alpha,\n"
  "                       n_beta, timings, ...)\n"
  "  --quiet              no progress output\n"
  "\n"
  "examples:\n"
  "  vqe hamiltonian molecules/h2.xyz --basis sto-3g           # 4 qubits, 15 Pauli terms\n"
  "  vqe hamiltonian molecules/h2o.xyz --frozen-core auto --format openfermion -o h2o.qubit\n"
  "  vqe hamiltonian molecules/h2o.xyz --basis 6-31g --frozen-core 1 --active-orbitals 8 --format fcidump -o h2o.fcidump\n"
  "  vqe hamiltonian h2o.fcidump --json\n"
  "\n"
  "exit codes: 0 success, 1 a computation failed (SCF or Davidson did not converge), 2 bad input\n";

int cli_ham_is_fcidump(const char *path)
{
  if (vqe_fcidump_detect(path)) return 1;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n >= 8 && !strcasecmp(base + n - 8, ".fcidump")) return 1;
  return !strncasecmp(base, "FCIDUMP", 7);
}

vqe_status cli_ham_load(const cli_common *c, cli_ham *h, vqe_error *err)
{
  memset(h, 0, sizeof *h);
  double t0 = vqe_wtime();
  vqe_status st;
  if (cli_ham_is_fcidump(c->file)) {
    h->from_fcidump = 1;
    const char *bad = c->basis ? "--basis" : c->has_charge ? "--charge" : c->has_mult ? "--multiplicity"
                    : c->pure >= 0 ? "--cartesian/--spherical" : c->guess ? "--guess" : c->stability ? "--stability" : NULL;
    if (bad)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s: %s does not apply to an FCIDUMP (it already holds the integrals)", c->file, bad);
    if (c->frozen_core == VQE_FROZEN_AUTO)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s: --frozen-core auto needs a molecule; an FCIDUMP has no atoms (give a number)", c->file);
    vqe_set_threads(c->threads);
    vqe_mo_hamiltonian full;
    if ((st = vqe_fcidump_read(c->file, &full, err))) return st;
    h->t_load = vqe_wtime() - t0;
    t0 = vqe_wtime();
    h->nmo_full = full.norb;
    h->e_scf = vqe_mo_hamiltonian_hf_energy(&full);
    st = vqe_active_space_resolve(NULL, full.norb, full.n_alpha, full.n_beta, c->frozen_core, c->active_orbitals,
                                  c->active_electrons, &h->as, err);
    if (!st) st = vqe_mo_hamiltonian_restrict(&full, &h->as, &h->ham, err);
    vqe_mo_hamiltonian_free(&full);
    h->t_mo = vqe_wtime() - t0;
    return st;
  }
  if ((st = cli_system_load(c, &h->sys, err))) return st;
  h->t_load = vqe_wtime() - t0;
  t0 = vqe_wtime();
  const vqe_scf_result *r = &h->sys.scf;
  h->nmo_full = r->nmo;
  h->e_scf = r->e_total;
  st = vqe_active_space_resolve(&h->sys.mol, r->nmo, r->n_alpha, r->n_beta, c->frozen_core, c->active_orbitals,
                                c->active_electrons, &h->as, err);
  if (!st) st = vqe_mo_hamiltonian_build(r, &h->sys.ints, &h->as, &h->ham, err);
  h->t_mo = vqe_wtime() - t0;
  return st;
}

void cli_ham_free(cli_ham *h)
{
  vqe_mo_hamiltonian_free(&h->ham);
  if (!h->from_fcidump) cli_system_free(&h->sys);
}

vqe_status cli_ham_write_atomic(const char *path, cli_ham_writer w, const void *ctx, vqe_error *err)
{
  size_t len = strlen(path) + 16;
  char *tmp = malloc(len);
  if (!tmp) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
  snprintf(tmp, len, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    vqe_status st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot create the output file: %s", path, strerror(errno));
    free(tmp);
    return st;
  }
  FILE *f = fdopen(fd, "w");
  vqe_status st;
  if (!f) {
    close(fd);
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open the output file: %s", path, strerror(errno));
  } else {
    st = w(f, ctx, err);
    if (fclose(f) != 0 && !st) st = vqe_error_set(err, VQE_ERR_INPUT, "%s: write error: %s", path, strerror(errno));
  }
  if (!st && rename(tmp, path) != 0)
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot move the output into place: %s", path, strerror(errno));
  if (st) unlink(tmp);
  free(tmp);
  return st;
}

static int is_cas(const cli_ham *h)
{
  return h->as.n_frozen > 0 || h->as.n_active < h->nmo_full;
}

static void add_num(cJSON *j, const char *k, double v)
{
  if (isfinite(v)) cJSON_AddNumberToObject(j, k, v);
  else cJSON_AddNullToObject(j, k);
}

cJSON *cli_ham_json(const cli_common *c, const cli_ham *h, const cli_ham_report *r)
{
  const vqe_mo_hamiltonian *m = &h->ham;
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "command", r->command);
  cJSON_AddStringToObject(j, "file", c->file);
  cJSON_AddStringToObject(j, "source", h->from_fcidump ? "fcidump" : "molecule");
  if (!h->from_fcidump) cJSON_AddStringToObject(j, "basis", h->sys.basis.name);
  else cJSON_AddNullToObject(j, "basis");
  cJSON_AddStringToObject(j, "method", is_cas(h) ? "CASCI" : "FCI");
  add_num(j, "energy_scf", h->e_scf);
  double efci = r->have_fci ? r->fci.energy : (double)NAN;
  add_num(j, "energy_fci", efci);
  add_num(j, "energy_correlation", efci - h->e_scf);
  add_num(j, "energy_core", m->e_core);
  add_num(j, "energy_nuclear", m->e_nuc);
  cJSON_AddNumberToObject(j, "n_orbitals", m->norb);
  cJSON_AddNumberToObject(j, "n_orbitals_total", h->nmo_full);
  cJSON_AddNumberToObject(j, "n_frozen", h->as.n_frozen);
  cJSON_AddNumberToObject(j, "n_alpha", m->n_alpha);
  cJSON_AddNumberToObject(j, "n_beta", m->n_beta);
  cJSON_AddNumberToObject(j, "n_qubits", 2 * m->norb);
  cJSON_AddNumberToObject(j, "n_determinants", (double)vqe_fci_n_determinants(m->norb, m->n_alpha, m->n_beta));
  if (r->have_jw) {
    cJSON_AddNumberToObject(j, "n_pauli_terms", (double)r->jw.n_terms);
    cJSON_AddNumberToObject(j, "n_x_groups", (double)vqe_pauli_sum_n_xgroups(&r->jw));
    cJSON_AddNumberToObject(j, "one_norm", vqe_pauli_sum_one_norm(&r->jw));
    cJSON_AddNumberToObject(j, "cutoff", r->cutoff);
  } else {
    cJSON_AddNullToObject(j, "n_pauli_terms");
    cJSON_AddNullToObject(j, "n_x_groups");
    cJSON_AddNullToObject(j, "one_norm");
  }
  if (r->have_fci) {
    double s2 = NAN;
    vqe_error e2 = {0};
    if (vqe_fci_s2(&r->fci, &s2, &e2) == VQE_OK) add_num(j, "s2_fci", s2);
    cJSON_AddNumberToObject(j, "fci_iterations", r->fci.iterations);
    cJSON_AddBoolToObject(j, "fci_converged", r->fci.converged);
    cJSON_AddNumberToObject(j, "fci_residual", r->fci.residual);
  }
  cJSON *t = cJSON_AddObjectToObject(j, "timings");
  cJSON_AddNumberToObject(t, "load", h->t_load);
  if (!h->from_fcidump) {
    cJSON_AddNumberToObject(t, "integrals", h->sys.t_ints);
    cJSON_AddNumberToObject(t, "scf", h->sys.t_scf);
  }
  cJSON_AddNumberToObject(t, "mo", h->t_mo);
  cJSON_AddNumberToObject(t, "jw", r->t_jw);
  cJSON_AddNumberToObject(t, "fci", r->t_fci);
  cJSON_AddNumberToObject(t, "total", r->t_total);
  cJSON_AddNumberToObject(j, "threads", vqe_get_threads());
  return j;
}

void cli_ham_print(FILE *f, const cli_common *c, const cli_ham *h, const cli_ham_report *r)
{
  const vqe_mo_hamiltonian *m = &h->ham;
  fprintf(f, "vqe %s: %s\n\n", r->command, c->file);
  if (h->from_fcidump) fprintf(f, "  %-24s FCIDUMP (%d orbitals)\n", "source", h->nmo_full);
  else fprintf(f, "  %-24s %s, %s, %d orbitals\n", "source", h->sys.scf.is_rohf ? "ROHF" : "RHF", h->sys.basis.name, h->nmo_full);
  fprintf(f, "  %-24s %d frozen, %d active orbitals, %d alpha + %d beta active electrons\n", "active space",
          h->as.n_frozen, m->norb, m->n_alpha, m->n_beta);
  fprintf(f, "  %-24s %d\n", "qubits", 2 * m->norb);
  fprintf(f, "  %-24s %zu\n", "determinants", vqe_fci_n_determinants(m->norb, m->n_alpha, m->n_beta));
  if (r->have_jw)
    fprintf(f, "  %-24s %zu (%zu distinct X masks), 1-norm %.6f Eh, cutoff %.1e\n", "Pauli terms", r->jw.n_terms,
            vqe_pauli_sum_n_xgroups(&r->jw), vqe_pauli_sum_one_norm(&r->jw), r->cutoff);
  fprintf(f, "\n");
  if (isfinite(m->e_nuc)) fprintf(f, "  %-24s %20.12f Eh\n", "nuclear repulsion", m->e_nuc);
  fprintf(f, "  %-24s %20.12f Eh\n", "core energy (constant)", m->e_core);
  fprintf(f, "  %-24s %20.12f Eh\n", h->from_fcidump ? "reference determinant" : "SCF energy", h->e_scf);
  if (r->have_fci) {
    const char *meth = is_cas(h) ? "CASCI energy" : "FCI energy";
    fprintf(f, "  %-24s %20.12f Eh%s\n", meth, r->fci.energy, r->fci.converged ? "" : "  (NOT converged)");
    fprintf(f, "  %-24s %20.12f Eh\n", "correlation energy", r->fci.energy - h->e_scf);
    double s2 = NAN;
    vqe_error e2 = {0};
    if (vqe_fci_s2(&r->fci, &s2, &e2) == VQE_OK) fprintf(f, "  %-24s %20.6f\n", "<S^2> of the FCI state", s2);
    fprintf(f, "  %-24s %d Davidson iterations, residual %.1e\n", "", r->fci.iterations, r->fci.residual);
  }
  fprintf(f, "\n  timings (s): load %.3f, MO + active space %.3f, Jordan-Wigner %.3f, FCI %.3f, total %.3f (%d threads)\n",
          h->t_load, h->t_mo, r->t_jw, r->t_fci, r->t_total, vqe_get_threads());
}

static vqe_status write_openfermion(FILE *f, const void *ctx, vqe_error *err)
{
  return vqe_pauli_sum_write_openfermion(ctx, f, err);
}

static vqe_status write_fcidump(FILE *f, const void *ctx, vqe_error *err)
{
  return vqe_fcidump_write_stream(f, ctx, -1, err);
}

typedef struct { const cli_common *c; const cli_ham *h; const cli_ham_report *r; } summary_ctx;

static vqe_status write_summary(FILE *f, const void *ctx, vqe_error *err)
{
  const summary_ctx *s = ctx;
  cli_ham_print(f, s->c, s->h, s->r);
  return ferror(f) ? vqe_error_set(err, VQE_ERR_INPUT, "write error") : VQE_OK;
}

static vqe_status write_json(FILE *f, const void *ctx, vqe_error *err)
{
  const summary_ctx *s = ctx;
  cJSON *j = cli_ham_json(s->c, s->h, s->r);
  char *txt = cJSON_Print(j);
  cJSON_Delete(j);
  if (!txt) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory printing JSON");
  fprintf(f, "%s\n", txt);
  free(txt);
  return ferror(f) ? vqe_error_set(err, VQE_ERR_INPUT, "write error") : VQE_OK;
}

int vqe_cmd_hamiltonian(int argc, char **argv)
{
  const char *cmd = "hamiltonian";
  cli_common c;
  cli_common_init(&c);
  const char *format = "summary", *out = NULL;
  double cutoff = VQE_JW_CUTOFF_DEFAULT;
  int no_fci = 0, force_fci = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--format")) {
      if (i + 1 >= argc) return cli_usage(cmd, "--format needs a value");
      format = argv[++i];
      if (strcmp(format, "summary") && strcmp(format, "openfermion") && strcmp(format, "fcidump"))
        return cli_usage(cmd, "--format expects summary, openfermion or fcidump, got '%s'", format);
      continue;
    }
    if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      if (i + 1 >= argc) return cli_usage(cmd, "%s needs a value", a);
      out = argv[++i];
      continue;
    }
    if (!strcmp(a, "--cutoff")) {
      if (i + 1 >= argc) return cli_usage(cmd, "--cutoff needs a value");
      if (!cli_double(cmd, a, argv[++i], 0.0, 1.0, &cutoff)) return 2;
      continue;
    }
    if (!strcmp(a, "--no-fci")) { no_fci = 1; continue; }
    if (!strcmp(a, "--fci")) { force_fci = 1; continue; }
    if (a[0] == '-' && a[1]) {
      int r = cli_common_flag(cmd, &c, argc, argv, &i);
      if (r < 0) return 2;
      if (r == 0) return cli_usage(cmd, "unknown flag '%s'", a);
      continue;
    }
    if (c.file) return cli_usage(cmd, "one input file expected, got '%s' and '%s'", c.file, a);
    c.file = a;
  }
  if (!c.file) return cli_usage(cmd, "missing input file (vqe hamiltonian FILE: a molecule .xyz or an FCIDUMP)");
  if (no_fci && force_fci) return cli_usage(cmd, "--fci and --no-fci contradict each other");
  if (c.json && strcmp(format, "summary") && !out)
    return cli_usage(cmd, "--json with --format %s needs -o OUT (stdout holds the JSON)", format);

  const double t0 = vqe_wtime();
  cli_ham h;
  vqe_error err = {0};
  vqe_status st = cli_ham_load(&c, &h, &err);
  if (st) {
    int code = cli_fail(cmd, &err);
    cli_ham_free(&h);
    return code;
  }
  cli_ham_report rep = {0};
  rep.command = cmd;
  rep.cutoff = cutoff;
  int need_jw = strcmp(format, "fcidump") != 0;
  if (need_jw && h.ham.norb > 32) {
    if (!strcmp(format, "openfermion")) {
      vqe_error_set(&err, VQE_ERR_INPUT, "%d active orbitals need %d qubits; the qubit operator supports at most 64 (use --active-orbitals)",
                    h.ham.norb, 2 * h.ham.norb);
      cli_ham_free(&h);
      return cli_fail(cmd, &err);
    }
    need_jw = 0;
  }
  if (need_jw) {
    double t = vqe_wtime();
    st = vqe_hamiltonian_jordan_wigner(&h.ham, cutoff, &rep.jw, &err);
    rep.t_jw = vqe_wtime() - t;
    if (st) { cli_ham_free(&h); return cli_fail(cmd, &err); }
    rep.have_jw = 1;
  }
  size_t ndet = vqe_fci_n_determinants(h.ham.norb, h.ham.n_alpha, h.ham.n_beta);
  int do_fci = !strcmp(format, "summary") || c.json;
  if (no_fci || (!force_fci && ndet > CLI_HAM_FCI_AUTO_MAX)) do_fci = 0;
  int code = 0;
  if (do_fci) {
    double t = vqe_wtime();
    st = vqe_fci_solve(&h.ham, NULL, &rep.fci, &err);
    rep.t_fci = vqe_wtime() - t;
    if (st == VQE_ERR_RESOURCE && !force_fci) {
      /* the Hamiltonian is what was asked for: report it without the exact energy */
      if (!c.quiet) fprintf(stderr, "vqe %s: FCI skipped: %s\n", cmd, err.msg);
      vqe_fci_result_free(&rep.fci);
    } else if (st && st != VQE_ERR_COMPUTE) {
      code = cli_fail(cmd, &err);
      goto done;
    } else {
      rep.have_fci = 1;
      if (st) code = cli_fail(cmd, &err);   /* not converged: report, exit 1 */
    }
  } else if (!no_fci && (!strcmp(format, "summary") || c.json) && !c.quiet) {
    fprintf(stderr, "vqe %s: FCI skipped: %zu determinants (use --fci or 'vqe fci')\n", cmd, ndet);
  }
  rep.t_total = vqe_wtime() - t0;
  summary_ctx sc = { &c, &h, &rep };
  if (out) {
    vqe_status ws;
    if (!strcmp(format, "openfermion")) ws = cli_ham_write_atomic(out, write_openfermion, &rep.jw, &err);
    else if (!strcmp(format, "fcidump")) ws = cli_ham_write_atomic(out, write_fcidump, &h.ham, &err);
    else ws = cli_ham_write_atomic(out, c.json ? write_json : write_summary, &sc, &err);
    if (ws) { code = cli_fail(cmd, &err); goto done; }
    if (c.json && strcmp(format, "summary")) write_json(stdout, &sc, &err);
    else if (!c.quiet && strcmp(format, "summary"))
      fprintf(stderr, "vqe %s: wrote %s (%s)\n", cmd, out, format);
  } else if (!strcmp(format, "openfermion")) {
    vqe_pauli_sum_write_openfermion(&rep.jw, stdout, &err);
  } else if (!strcmp(format, "fcidump")) {
    vqe_fcidump_write_stream(stdout, &h.ham, -1, &err);
  } else if (c.json) {
    write_json(stdout, &sc, &err);
  } else {
    cli_ham_print(stdout, &c, &h, &rep);
  }
done:
  vqe_pauli_sum_free(&rep.jw);
  vqe_fci_result_free(&rep.fci);
  cli_ham_free(&h);
  return code;
}
