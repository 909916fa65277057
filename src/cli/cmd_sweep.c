/* cmd_sweep.c — `vqe sweep FILE --ansatz A[,B...] --layers A:B[:S]`: one VQE per ansatz and depth,
 * optionally warm-started from the previous depth; table, JSON, CSV, plot (error vs parameters) and a
 * resumable --output. Summary: the smallest depth and parameter count within chemical accuracy. */
#include "cli_study.h"
#include "vqe/dist.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int vqe_cmd_sweep(int argc, char **argv);
extern const char vqe_help_sweep[];

const char vqe_help_sweep[] =
  "usage: vqe sweep FILE --ansatz A[,B...] --layers A:B[:STEP] [flags]\n"
  "\n"
  "One VQE per ansatz and depth on the same Hamiltonian. Per point: layers, parameters, E_VQE, error\n"
  "against FCI (mEh), iterations, the gradient variance at random parameters with its verdict, wall\n"
  "time. Summary: the smallest depth and parameter count within chemical accuracy (1.6 mEh) per\n"
  "ansatz, so ansaetze can be compared at equal parameter counts. UCCSD has no depth: one point.\n"
  "\n"
  "flags:\n"
  "  --ansatz LIST        comma list of hea, uccsd, sa-uccsd, kupccgsd, gatefabric (default gatefabric)\n"
  "  --layers A:B[:STEP]  depths (default 1:4)\n"
  "  --warm-start         start depth L from the optimum of the previous depth, new parameters 0\n"
  "                       (an identity extension for GateFabric and k-UpCCGSD; for hea the new\n"
  "                       layer's CNOTs are not the identity, so the start energy differs)\n"
  "  --plateau-samples M  gradient-variance samples per point (default 32; 0 skips)\n"
  "  every flag of `vqe run` (basis, active space, optimiser, seed, ...)\n"
  "\n"
  "examples:\n"
  "  vqe sweep molecules/lih.xyz --frozen-core auto --ansatz hea,gatefabric --layers 1:4 --csv lih.csv --plot lih.svg\n"
  "  vqe sweep molecules/h2.xyz --ansatz gatefabric --layers 1:3 --warm-start --output h2.jsonl --json\n"
  "\n"
  "exit codes: 0 every point done, 1 a point failed (recorded with its reason; the sweep goes on), 2 bad input\n";

/* ---- points split over MPI ranks (cli_study_run_points) ------------------------------------------- */
typedef struct {
  const cli_common *c;
  const cli_vqe_options *o;
  const cli_vqe_system *sys;
  const vqe_ansatz_info *const *ans;
  int *pa, *pl;              /* ansatz index and depth of each point */
  const char *const *key;
} sw_split;

static cJSON *sw_point(void *vctx, size_t i, vqe_status *st, vqe_error *err)
{
  const sw_split *x = vctx;
  const vqe_ansatz_info *an = x->ans[x->pa[i]];
  cli_vqe_options oo = *x->o;
  oo.ansatz_name = an->name;
  oo.cfg.ansatz.kind = an->kind;
  oo.cfg.ansatz.layers = x->pl[i];
  oo.layers_given = 1;
  cJSON *p = cli_study_vqe_point(x->key[i], x->c, &oo, x->sys, NULL, 0, st, err);
  if (!p && *st == VQE_ERR_COMPUTE) {
    p = cli_study_failed_point(x->key[i], err->msg);
    cJSON_AddStringToObject(p, "ansatz", an->name);
    cJSON_AddNumberToObject(p, "layers", x->pl[i]);
  }
  return p;
}

static int sweep_split(const char *cmd, cli_study *s, const cli_common *c, const cli_vqe_options *o,
                       const cli_vqe_system *sys, const vqe_ansatz_info *const *ans, int n_ans, int la, int lb,
                       int ls, vqe_error *err)
{
  const size_t cap = (size_t)s->n_points + 1;
  sw_split x = { c, o, sys, ans, calloc(cap, sizeof(int)), calloc(cap, sizeof(int)), NULL };
  char (*keys)[96] = calloc(cap, sizeof *keys);
  const char **keyp = calloc(cap, sizeof *keyp);
  int rc = 0;
  if (!x.pa || !x.pl || !keys || !keyp) {
    vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory listing %zu points", cap);
    rc = cli_fail(cmd, err);
    goto out;
  }
  size_t n = 0;
  for (int a = 0; a < n_ans; a++) {
    const int single = !ans[a]->uses_layers;
    for (int L = la; L <= (single ? la : lb) && n < cap; L += ls, n++) {
      x.pa[n] = a;
      x.pl[n] = single ? 1 : L;
      if (single) snprintf(keys[n], sizeof keys[n], "%s", ans[a]->name);
      else snprintf(keys[n], sizeof keys[n], "%s/L=%d", ans[a]->name, L);
      keyp[n] = keys[n];
    }
  }
  x.key = keyp;
  rc = cli_study_run_points(s, n, keyp, sw_point, &x, err);
out:
  free(x.pa); free(x.pl); free(keys); free(keyp);
  return rc;
}

int vqe_cmd_sweep(int argc, char **argv)
{
  const char *cmd = "sweep";
  cli_common c;
  cli_common_init(&c);
  cli_vqe_options o;
  cli_vqe_options_init(&o);
  cli_study_flags f;
  cli_study_flags_init(&f);
  const char *ansatz_arg = "gatefabric", *layers_arg = "1:4";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--ansatz") || !strcmp(argv[i], "--layers")) {
      if (i + 1 >= argc) return cli_usage(cmd, "%s needs a value", argv[i]);
      if (!strcmp(argv[i], "--ansatz")) ansatz_arg = argv[++i]; else layers_arg = argv[++i];
      continue;
    }
    if (cli_study_arg(cmd, &c, &f, &o, argc, argv, &i)) return 2;
  }
  if (!c.file) return cli_usage(cmd, "no input file (a molecule .xyz or an FCIDUMP)");
  if (o.params_out || o.trace_out) return cli_usage(cmd, "--params-out and --trace belong to `vqe run` (a sweep stores every point's parameters in its JSON)");

  /* ansätze and depths, validated before any work */
  const vqe_ansatz_info *ans[8];
  int n_ans = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", ansatz_arg);
  for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (n_ans == 8) return cli_usage(cmd, "--ansatz: at most 8 ansaetze");
    if (!(ans[n_ans++] = vqe_ansatz_find(t)))
      return cli_usage(cmd, "--ansatz: unknown ansatz '%s' (allowed: %s)", t, vqe_ansatz_names());
  }
  int la, lb, ls = 1;
  char tail;
  int nr = sscanf(layers_arg, "%d:%d:%d%c", &la, &lb, &ls, &tail);
  if (nr == 1 && sscanf(layers_arg, "%d%c", &la, &tail) == 1) { lb = la; nr = 2; }
  if ((nr != 2 && nr != 3) || la < 1 || lb < la || lb > 10000 || ls < 1)
    return cli_usage(cmd, "--layers expects L or A:B[:STEP] with 1 <= A <= B <= 10000, got '%s'", layers_arg);

  vqe_error err = {0};
  cli_vqe_system sys;
  vqe_status st = cli_vqe_system_load(&c, &sys, &err);
  if (st) { cli_vqe_system_free(&sys); return cli_fail(cmd, &err); }

  int n_points = 0;
  for (int a = 0; a < n_ans; a++) n_points += !ans[a]->uses_layers ? 1 : (lb - la) / ls + 1;
  cli_study s;
  if ((st = cli_study_begin(&s, cmd, &c, &f, argc, argv, n_points, &err))) {
    cli_study_end(&s);
    cli_vqe_system_free(&sys);
    return cli_fail(cmd, &err);
  }
  int idx = 0, rc = 0, n_ans_done = 0;
  if (!f.warm_start && vqe_dist_size() > 1) {
    /* under mpirun without a warm start the points are independent: split them over the ranks */
    rc = sweep_split(cmd, &s, &c, &o, &sys, ans, n_ans, la, lb, ls, &err);
    n_ans_done = n_ans;
  }
  for (int a = n_ans_done; a < n_ans && !rc; a++) {
    double *warm = NULL;
    int n_warm = 0;
    const int single = !ans[a]->uses_layers;
    for (int L = la; L <= (single ? la : lb) && !rc; L += ls) {
      char key[96];
      if (single) snprintf(key, sizeof key, "%s", ans[a]->name);
      else snprintf(key, sizeof key, "%s/L=%d", ans[a]->name, L);
      cli_study_progress(&s, ++idx, key);
      const cJSON *done = cli_study_resumed(&s, key);
      cJSON *p = NULL;
      if (!done) {
        cli_vqe_options oo = o;
        oo.ansatz_name = ans[a]->name;
        oo.cfg.ansatz.kind = ans[a]->kind;
        oo.cfg.ansatz.layers = single ? 1 : L;
        oo.layers_given = 1;
        p = cli_study_vqe_point(key, &c, &oo, &sys, f.warm_start ? warm : NULL, n_warm, &st, &err);
        if (!p) {
          if ((st == VQE_ERR_INPUT || st == VQE_ERR_RESOURCE) && s.n_ok == 0) {   /* the user's mistake: stop before more work */
            rc = cli_fail(cmd, &err);
            break;
          }
          p = cli_study_failed_point(key, err.msg);
          cJSON_AddStringToObject(p, "ansatz", ans[a]->name);
          cJSON_AddNumberToObject(p, "layers", single ? 1 : L);
        }
        if (cli_study_add(&s, p, &err)) { rc = cli_fail(cmd, &err); break; }
        done = p;
      }
      free(warm);
      warm = cli_study_point_params(done, &n_warm);
    }
    free(warm);
  }
  vqe_progress_done(c.quiet);
  if (!rc) {
    /* summary per ansatz: the first point within chemical accuracy */
    cJSON *summary = cJSON_CreateArray();
    for (int a = 0; a < n_ans; a++) {
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "ansatz", ans[a]->name);
      const cJSON *p, *hit = NULL;
      cJSON_ArrayForEach(p, s.points) {
        const cJSON *an = cJSON_GetObjectItem(p, "ansatz");
        if (!hit && cJSON_IsString(an) && !strcmp(an->valuestring, ans[a]->name) && cJSON_IsTrue(cJSON_GetObjectItem(p, "chemical_accuracy")))
          hit = p;
      }
      cJSON_AddBoolToObject(e, "chemical_accuracy_reached", hit != NULL);
      if (hit) {
        cJSON_AddNumberToObject(e, "layers", cli_json_num(hit, "layers"));
        cJSON_AddNumberToObject(e, "n_parameters", cli_json_num(hit, "n_parameters"));
        cJSON_AddNumberToObject(e, "error_mha", cli_json_num(hit, "error_mha"));
      }
      cJSON_AddItemToArray(summary, e);
    }
    if (c.json) {
      cJSON *extra = cJSON_CreateObject();
      cJSON_AddItemToObject(extra, "summary", summary);
      cli_study_print_json(&s, extra);
      cJSON_Delete(extra);
    } else {
      printf("vqe sweep: %s  (%s, %d qubits, E_SCF %.10f", c.file, sys.from_fcidump ? "FCIDUMP" : sys.sys.basis.name,
             2 * sys.ham.norb, sys.e_scf);
      const cJSON *p0 = s.points->child;
      double efci = p0 ? cli_json_num(p0, "energy_fci") : (double)NAN;
      if (isfinite(efci)) printf(", E_FCI %.10f", efci);
      printf(")\n\n  %-11s %5s %7s %18s %13s %6s %11s %10s %8s\n", "ansatz", "L", "params", "E_VQE", "error (mEh)",
             "iter", "Var[dE]", "verdict", "time (s)");
      const cJSON *p;
      cJSON_ArrayForEach(p, s.points) {
        const cJSON *an = cJSON_GetObjectItem(p, "ansatz");
        printf("  %-11s %5.0f ", cJSON_IsString(an) ? an->valuestring : "?", cli_json_num(p, "layers"));
        if (strcmp(cJSON_GetObjectItem(p, "status")->valuestring, "ok")) {
          printf("failed: %s\n", cJSON_GetObjectItem(p, "reason")->valuestring);
          continue;
        }
        const cJSON *t = cJSON_GetObjectItem(p, "timings");
        const cJSON *v = cJSON_GetObjectItem(p, "plateau_verdict");
        printf("%7.0f %18.10f %13.4f %6.0f %11.3e %10s %8.2f\n", cli_json_num(p, "n_parameters"), cli_json_num(p, "energy_vqe"),
               cli_display(cli_json_num(p, "error_mha")), cli_json_num(p, "iterations"), cli_json_num(p, "gradient_variance"),
               cJSON_IsString(v) ? v->valuestring : "-", t ? cli_json_num(t, "vqe_total") : (double)NAN);
      }
      printf("\n  chemical accuracy (1.6 mEh):\n");
      const cJSON *e;
      cJSON_ArrayForEach(e, summary) {
        if (cJSON_IsTrue(cJSON_GetObjectItem(e, "chemical_accuracy_reached")))
          printf("    %-11s reached at L = %.0f with %.0f parameters (error %.4f mEh)\n", cJSON_GetObjectItem(e, "ansatz")->valuestring,
                 cli_json_num(e, "layers"), cli_json_num(e, "n_parameters"), cli_display(cli_json_num(e, "error_mha")));
        else
          printf("    %-11s not reached\n", cJSON_GetObjectItem(e, "ansatz")->valuestring);
      }
      cJSON_Delete(summary);
    }
    if (f.csv) {
      const char *cols[] = {"ansatz", "layers", "n_parameters", "n_qubits", "energy_scf", "energy_vqe", "energy_fci",
                            "error_mha", "chemical_accuracy", "iterations", "n_energy_evals", "n_gradient_evals",
                            "gradient_variance", "gradient_variance_stderr", "plateau_verdict", "particle_number", "sz",
                            "s2", "converged", NULL};
      if (cli_study_write_csv(&s, cols, &err)) rc = cli_fail(cmd, &err);
    }
    if (f.plot && !rc && vqe_dist_rank() == 0) {
      /* |error| (mEh) against parameter count, one curve per ansatz, log y, chemical-accuracy line */
      vqe_plot_series se[8];
      double xs[8][256], ys[8][256];
      for (int a = 0; a < n_ans; a++) {
        int m = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, s.points) {
          const cJSON *an = cJSON_GetObjectItem(p, "ansatz");
          if (m < 256 && cJSON_IsString(an) && !strcmp(an->valuestring, ans[a]->name) && isfinite(cli_json_num(p, "error_mha"))) {
            xs[a][m] = cli_json_num(p, "n_parameters");
            ys[a][m] = fmax(fabs(cli_json_num(p, "error_mha")), 1e-9);
            m++;
          }
        }
        se[a] = (vqe_plot_series){ans[a]->name, m, xs[a], ys[a], NULL, 0, NULL};
      }
      char title[600];
      snprintf(title, sizeof title, "VQE error against FCI: %s", c.file);
      vqe_plot_spec spec = {title, "parameters", "|E(VQE) - E(FCI)| (mEh)", 0, 1, 1, 1.6, "chemical accuracy (1.6 mEh)", n_ans, se};
      if (vqe_plot(f.plot, &spec, &err)) rc = cli_fail(cmd, &err);
    }
    if (!rc) rc = cli_study_exit_code(&s);
  }
  cli_study_end(&s);
  cli_vqe_system_free(&sys);
  return rc;
}
