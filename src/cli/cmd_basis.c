/* cmd_basis.c — `vqe basis FILE --basis B1,B2,...`: the same molecule in several basis sets: basis
 * functions, qubits after the active space, E_HF, E_FCI/CASCI when the determinant space is small
 * enough, E_VQE when an ansatz is given, correlation energy recovered, wall time. */
#include "cli_study.h"
#include "vqe/dist.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int vqe_cmd_basis(int argc, char **argv);
extern const char vqe_help_basis[];

const char vqe_help_basis[] =
  "usage: vqe basis FILE --basis B1,B2,... [active flags] [--ansatz A [--layers L]] [flags]\n"
  "\n"
  "Compares basis sets on one molecule. Per basis: basis functions, qubits after the active space,\n"
  "E_HF, E_FCI (CASCI with an active space) when the sector has at most 2e6 determinants, E_VQE when\n"
  "--ansatz is given, the share of the correlation energy the VQE recovers, and the wall time.\n"
  "\n"
  "flags:\n"
  "  --basis LIST         comma list of basis names or files (default sto-3g,6-31g,cc-pvdz)\n"
  "  --frozen-core K|auto, --active-orbitals M, --active-electrons E   active space (per basis)\n"
  "  --ansatz A, --layers L, ...  run a VQE per basis (every flag of `vqe run`)\n"
  "\n"
  "examples:\n"
  "  vqe basis molecules/h2.xyz --basis sto-3g,6-31g,cc-pvdz\n"
  "  vqe basis molecules/lih.xyz --basis sto-3g,6-31g --frozen-core auto --active-orbitals 5 --ansatz uccsd\n"
  "\n"
  "exit codes: 0 every basis done, 1 a basis failed (recorded with its reason), 2 bad input\n";

typedef struct {
  const cli_common *c;
  const cli_vqe_options *o;
  int want_vqe;
  const char *const *names, *const *keys;
} bs_ctx;

/* One basis set: HF, FCI when small enough, VQE when asked. NULL with *st on failure. */
static cJSON *basis_point(void *vctx, size_t b, vqe_status *st, vqe_error *err)
{
  const bs_ctx *x = vctx;
  const char *key = x->keys[b];
  double t0 = vqe_wtime();
  cli_common cb = *x->c;
  cb.basis = x->names[b];
  cli_vqe_system sys;
  *st = cli_vqe_system_load(&cb, &sys, err);
  cJSON *p = NULL;
  if (!*st) {
    if (x->want_vqe) {
      p = cli_study_vqe_point(key, &cb, x->o, &sys, NULL, 0, st, err);
    } else {
      p = cJSON_CreateObject();
      cJSON_AddStringToObject(p, "key", key);
      cJSON_AddStringToObject(p, "file", x->c->file);
      cJSON_AddNumberToObject(p, "energy_scf", sys.e_scf);
      cJSON_AddNumberToObject(p, "n_frozen", sys.as.n_frozen);
      cJSON_AddNumberToObject(p, "n_active", sys.ham.norb);
      cJSON_AddNumberToObject(p, "n_alpha", sys.ham.n_alpha);
      cJSON_AddNumberToObject(p, "n_beta", sys.ham.n_beta);
      cJSON_AddNumberToObject(p, "n_qubits", 2 * sys.ham.norb);
      size_t ndet = vqe_fci_n_determinants(sys.ham.norb, sys.ham.n_alpha, sys.ham.n_beta);
      cJSON_AddNumberToObject(p, "n_determinants", (double)ndet);
      if (x->o->cfg.fci && ndet <= x->o->cfg.fci_max_det) {
        vqe_fci_options fo;
        vqe_fci_options_default(&fo);
        vqe_fci_result fr;
        *st = vqe_fci_solve(&sys.ham, &fo, &fr, err);
        if (!*st) cJSON_AddNumberToObject(p, "energy_fci", fr.energy);
        vqe_fci_result_free(&fr);
      } else {
        cJSON_AddNullToObject(p, "energy_fci");
      }
      cJSON_AddStringToObject(p, "status", "ok");
      if (*st) { cJSON_Delete(p); p = NULL; }
    }
  }
  if (p) {
    cJSON_AddStringToObject(p, "basis", sys.sys.basis.name);
    cJSON_AddNumberToObject(p, "n_basis", sys.sys.basis.nbf);
    cJSON_AddStringToObject(p, "basis_kind", sys.sys.basis.shells && sys.sys.basis.max_l >= 2 ? (sys.sys.basis.shells[0].pure ? "spherical" : "cartesian") : "s and p only");
    double ehf = cli_json_num(p, "energy_scf"), efci = cli_json_num(p, "energy_fci"), evqe = cli_json_num(p, "energy_vqe");
    if (isfinite(efci)) cJSON_AddNumberToObject(p, "energy_correlation_fci", efci - ehf);
    else cJSON_AddNullToObject(p, "energy_correlation_fci");
    if (isfinite(efci) && isfinite(evqe) && fabs(efci - ehf) > 1e-12)
      cJSON_AddNumberToObject(p, "correlation_recovered", 100.0 * (evqe - ehf) / (efci - ehf));
    else
      cJSON_AddNullToObject(p, "correlation_recovered");
    cJSON_AddNumberToObject(p, "time", vqe_wtime() - t0);
  }
  cli_vqe_system_free(&sys);
  if (!p && *st == VQE_ERR_COMPUTE) {   /* recorded as a failed point */
    p = cli_study_failed_point(key, err->msg);
    cJSON_AddStringToObject(p, "basis", x->names[b]);
  } else if (!p && b > 0) {             /* an input error at a later basis (e.g. an element missing) */
    p = cli_study_failed_point(key, err->msg);
    cJSON_AddStringToObject(p, "basis", x->names[b]);
  }
  return p;
}

int vqe_cmd_basis(int argc, char **argv)
{
  const char *cmd = "basis";
  cli_common c;
  cli_common_init(&c);
  cli_vqe_options o;
  cli_vqe_options_init(&o);
  cli_study_flags f;
  cli_study_flags_init(&f);
  const char *basis_arg = "sto-3g,6-31g,cc-pvdz";
  int want_vqe = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--basis")) {
      if (i + 1 >= argc) return cli_usage(cmd, "--basis needs a value");
      basis_arg = argv[++i];
      continue;
    }
    if (!strcmp(argv[i], "--ansatz")) want_vqe = 1;
    if (cli_study_arg(cmd, &c, &f, &o, argc, argv, &i)) return 2;
  }
  if (!c.file) return cli_usage(cmd, "no molecule file (.xyz)");
  if (vqe_fcidump_detect(c.file) == 1) return cli_usage(cmd, "%s is an FCIDUMP: comparing basis sets needs a molecule (.xyz)", c.file);
  if (o.params_out || o.trace_out || o.init_file) return cli_usage(cmd, "--params-out, --trace and --init FILE belong to `vqe run`");
  if (f.no_vqe) want_vqe = 0;

  /* basis names, each resolved before any work */
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", basis_arg);
  const char *names[32];
  int nb = 0;
  vqe_error err = {0};
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (nb == 32) return cli_usage(cmd, "--basis: at most 32 basis sets");
    char path[1024];
    if (vqe_basis_find(t, path, sizeof path, &err)) return cli_fail(cmd, &err);
    names[nb++] = t;
  }
  if (!nb) return cli_usage(cmd, "--basis needs at least one name");

  cli_study s;
  if (cli_study_begin(&s, cmd, &c, &f, argc, argv, nb, &err)) { cli_study_end(&s); return cli_fail(cmd, &err); }
  char point_keys[32][160];
  const char *keyp[32];
  for (int b = 0; b < nb; b++) {
    snprintf(point_keys[b], sizeof point_keys[b], "basis=%s", names[b]);
    keyp[b] = point_keys[b];
  }
  bs_ctx x = { &c, &o, want_vqe, names, keyp };
  int rc = cli_study_run_points(&s, (size_t)nb, keyp, basis_point, &x, &err);
  vqe_progress_done(c.quiet);
  if (!rc) {
    if (c.json) {
      cli_study_print_json(&s, NULL);
    } else {
      printf("vqe basis: %s\n\n  %-12s %6s %6s %18s %18s", c.file, "basis", "nbf", "qubits", "E_HF", "E_FCI");
      if (want_vqe) printf(" %18s %12s %9s", "E_VQE", "error (mEh)", "corr. %");
      printf(" %9s\n", "time (s)");
      const cJSON *p;
      cJSON_ArrayForEach(p, s.points) {
        printf("  %-12s ", cJSON_GetObjectItem(p, "basis")->valuestring);
        if (strcmp(cJSON_GetObjectItem(p, "status")->valuestring, "ok")) {
          printf("failed: %s\n", cJSON_GetObjectItem(p, "reason")->valuestring);
          continue;
        }
        double efci = cli_json_num(p, "energy_fci");
        printf("%6.0f %6.0f %18.10f ", cli_json_num(p, "n_basis"), cli_json_num(p, "n_qubits"), cli_json_num(p, "energy_scf"));
        if (isfinite(efci)) printf("%18.10f", efci); else printf("%18s", "(too large)");
        if (want_vqe) printf(" %18.10f %12.4f %9.2f", cli_json_num(p, "energy_vqe"), cli_display(cli_json_num(p, "error_mha")), cli_json_num(p, "correlation_recovered"));
        printf(" %9.2f\n", cli_json_num(p, "time"));
      }
    }
    if (f.csv) {
      const char *cols[] = {"basis", "n_basis", "n_qubits", "n_frozen", "n_active", "energy_scf", "energy_fci",
                            "energy_correlation_fci", "energy_vqe", "error_mha", "correlation_recovered", "n_parameters",
                            "time", NULL};
      if (cli_study_write_csv(&s, cols, &err)) rc = cli_fail(cmd, &err);
    }
    if (f.plot && !rc && vqe_dist_rank() == 0) {
      static const char *keys[3] = {"energy_scf", "energy_fci", "energy_vqe"};
      static const char *labels[3] = {"HF", "FCI / CASCI", "VQE"};
      double xs[3][32], ys[3][32];
      vqe_plot_series se[3];
      int ns = 0;
      for (int q = 0; q < 3; q++) {
        int m = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, s.points) {
          double y = cli_json_num(p, keys[q]);
          if (!isfinite(y) || m == 32) continue;
          xs[q][m] = cli_json_num(p, "n_basis");
          ys[q][m] = y;
          m++;
        }
        if (m) se[ns++] = (vqe_plot_series){labels[q], m, xs[q], ys[q], NULL, 0, NULL};
      }
      char title[600];
      snprintf(title, sizeof title, "Basis-set comparison: %s (%s)", c.file, basis_arg);
      vqe_plot_spec spec = {title, "basis functions", "energy (Eh)", 0, 0, 0, 0, NULL, ns, se};
      if (vqe_plot(f.plot, &spec, &err)) rc = cli_fail(cmd, &err);
    }
    if (!rc) rc = cli_study_exit_code(&s);
  }
  cli_study_end(&s);
  return rc;
}
