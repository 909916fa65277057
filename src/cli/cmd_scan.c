/* cmd_scan.c — `vqe scan FILE --bond I-J | --angle I-J-K --from A --to B --step S`: the potential-energy
 * curve, E_HF, E_FCI and E_VQE per point, each VQE warm-started from its neighbour; table, JSON, CSV,
 * plot and a resumable --output. */
#include "cli_study.h"
#include "vqe/dist.h"
#include "vqe/dist.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

int vqe_cmd_scan(int argc, char **argv);
extern const char vqe_help_scan[];

const char vqe_help_scan[] =
  "usage: vqe scan FILE (--bond I-J | --angle I-J-K) --from A --to B --step S [flags]\n"
  "\n"
  "Potential-energy scan: E_HF, E_FCI (CASCI with an active space) and E_VQE at each geometry, each VQE\n"
  "warm-started from the previous point's parameters. Atoms count from 1 in file order. --bond moves\n"
  "atom J along the I->J direction (lengths in Å); --angle rotates atom K about J in the I-J-K plane\n"
  "(degrees). Other atoms stay where the file puts them.\n"
  "\n"
  "flags:\n"
  "  --bond I-J | --angle I-J-K   the coordinate\n"
  "  --from A --to B --step S     its values (S > 0; A > B scans downwards)\n"
  "  --no-vqe             HF and FCI only\n"
  "  --no-warm-start      start every VQE from the ansatz's default instead of the previous optimum\n"
  "  every flag of `vqe run` (basis, active space, ansatz, optimiser, ...)\n"
  "\n"
  "examples:\n"
  "  vqe scan molecules/h2.xyz --bond 1-2 --from 0.5 --to 3.0 --step 0.1 --csv h2.csv --plot h2.svg\n"
  "  vqe scan molecules/h2o.xyz --angle 2-1-3 --from 90 --to 120 --step 5 --frozen-core auto --no-vqe\n"
  "\n"
  "exit codes: 0 every point done, 1 a point failed (recorded with its reason; the scan goes on), 2 bad input\n";

static int parse_atoms(const char *s, int want, int *idx)
{
  int n = 0;
  const char *p = s;
  while (*p && n < 3) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p) return 0;
    idx[n++] = (int)v;
    p = end;
    if (*p == '-') p++;
    else if (*p) return 0;
  }
  return n == want && !*p;
}

static void sub(const double *a, const double *b, double *o) { for (int k = 0; k < 3; k++) o[k] = a[k] - b[k]; }
static double dot(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
static double norm(const double *a) { return sqrt(dot(a, a)); }

/* Place the moving atom for coordinate value x (Å or degrees); coordinates in bohr. */
static void place(vqe_molecule *m, const int *at, int is_angle, double x)
{
  vqe_atom *A = m->atoms;
  if (!is_angle) {
    double u[3];
    sub(A[at[1]].xyz, A[at[0]].xyz, u);
    double r = norm(u), R = x / VQE_BOHR_ANGSTROM;
    for (int k = 0; k < 3; k++) A[at[1]].xyz[k] = A[at[0]].xyz[k] + u[k] / r * R;
    return;
  }
  /* angle I-J-K: K at |JK| from J, at angle x from J->I, in the plane of I, J, K */
  double e1[3], v[3], e2[3];
  sub(A[at[0]].xyz, A[at[1]].xyz, e1);
  double n1 = norm(e1);
  for (int k = 0; k < 3; k++) e1[k] /= n1;
  sub(A[at[2]].xyz, A[at[1]].xyz, v);
  const double d = norm(v);
  double proj = dot(v, e1);
  for (int k = 0; k < 3; k++) e2[k] = v[k] - proj * e1[k];
  double n2 = norm(e2);
  if (n2 < 1e-8 * d) {   /* collinear: any perpendicular direction */
    double t[3] = {1, 0, 0};
    if (fabs(e1[0]) > 0.9) { t[0] = 0; t[1] = 1; }
    double pt = dot(t, e1);
    for (int k = 0; k < 3; k++) e2[k] = t[k] - pt * e1[k];
    n2 = norm(e2);
  }
  for (int k = 0; k < 3; k++) e2[k] /= n2;
  const double th = x * M_PI / 180.0;
  for (int k = 0; k < 3; k++) A[at[2]].xyz[k] = A[at[1]].xyz[k] + d * (cos(th) * e1[k] + sin(th) * e2[k]);
}

static vqe_status check_geometry(const vqe_molecule *m, vqe_error *err)
{
  const double dmin = VQE_MIN_DISTANCE_ANGSTROM / VQE_BOHR_ANGSTROM;
  for (int a = 0; a < m->natom; a++)
    for (int b = 0; b < a; b++) {
      double v[3];
      sub(m->atoms[a].xyz, m->atoms[b].xyz, v);
      if (norm(v) < dmin)
        return vqe_error_set(err, VQE_ERR_INPUT, "atoms %d and %d come %.4f Å apart (allowed: at least %.1f Å)", b + 1, a + 1,
                             norm(v) * VQE_BOHR_ANGSTROM, VQE_MIN_DISTANCE_ANGSTROM);
    }
  return VQE_OK;
}

/* HF and FCI at one geometry (--no-vqe). */
static cJSON *hf_fci_point(const char *key, const cli_vqe_system *sys, int want_fci, vqe_status *st, vqe_error *err)
{
  cJSON *p = cJSON_CreateObject();
  cJSON_AddStringToObject(p, "key", key);
  cJSON_AddNumberToObject(p, "energy_scf", sys->e_scf);
  cJSON_AddNumberToObject(p, "n_qubits", 2 * sys->ham.norb);
  size_t ndet = vqe_fci_n_determinants(sys->ham.norb, sys->ham.n_alpha, sys->ham.n_beta);
  cJSON_AddNumberToObject(p, "n_determinants", (double)ndet);
  *st = VQE_OK;
  if (want_fci && ndet <= 2000000) {
    vqe_fci_options fo;
    vqe_fci_options_default(&fo);
    vqe_fci_result fr;
    *st = vqe_fci_solve(&sys->ham, &fo, &fr, err);
    if (!*st) cJSON_AddNumberToObject(p, "energy_fci", fr.energy);
    vqe_fci_result_free(&fr);
    if (*st) { cJSON_Delete(p); return NULL; }
  } else {
    cJSON_AddNullToObject(p, "energy_fci");
  }
  cJSON_AddStringToObject(p, "status", "ok");
  return p;
}

typedef struct {
  const cli_common *c;
  const cli_vqe_options *o;
  const cli_study_flags *f;
  const vqe_molecule *base;
  const int *at;
  int is_angle;
  const char *coord;
  const double *xs;
  const char *const *keys;
  double *warm;             /* the previous point's parameters (serial, warm-started scans) */
  int n_warm;
} sc_ctx;

/* One geometry: HF and FCI (--no-vqe) or a VQE. A computation that fails gives a failed point;
 * input and memory errors give NULL with *st set. */
static cJSON *scan_point(void *vctx, size_t i, vqe_status *st, vqe_error *err)
{
  const sc_ctx *x = vctx;
  vqe_molecule m;
  cli_vqe_system sys;
  memset(&sys, 0, sizeof sys);
  cJSON *p = NULL;
  *st = vqe_molecule_copy(&m, x->base, err);
  if (!*st) {
    place(&m, x->at, x->is_angle, x->xs[i]);
    *st = cli_vqe_system_from_molecule(x->c, &m, &sys, err);
  }
  if (!*st) {
    if (x->f->no_vqe) p = hf_fci_point(x->keys[i], &sys, x->o->cfg.fci, st, err);
    else p = cli_study_vqe_point(x->keys[i], x->c, x->o, &sys, x->warm, x->n_warm, st, err);
  }
  cli_vqe_system_free(&sys);
  vqe_molecule_free(&m);
  if (!p && *st == VQE_ERR_COMPUTE) p = cli_study_failed_point(x->keys[i], err->msg);
  if (p) cJSON_AddNumberToObject(p, x->coord, x->xs[i]);
  return p;
}

int vqe_cmd_scan(int argc, char **argv)
{
  const char *cmd = "scan";
  cli_common c;
  cli_common_init(&c);
  cli_vqe_options o;
  cli_vqe_options_init(&o);
  cli_study_flags f;
  cli_study_flags_init(&f);
  f.warm_start = 1;
  const char *bond = NULL, *angle = NULL;
  double from = NAN, to = NAN, step = NAN;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--bond") || !strcmp(a, "--angle") || !strcmp(a, "--from") || !strcmp(a, "--to") || !strcmp(a, "--step")) {
      if (!v) return cli_usage(cmd, "%s needs a value", a);
      i++;
      if (!strcmp(a, "--bond")) bond = v;
      else if (!strcmp(a, "--angle")) angle = v;
      else if (!cli_double(cmd, a, v, -1e6, 1e6, !strcmp(a, "--from") ? &from : !strcmp(a, "--to") ? &to : &step)) return 2;
      continue;
    }
    if (cli_study_arg(cmd, &c, &f, &o, argc, argv, &i)) return 2;
  }
  if (!c.file) return cli_usage(cmd, "no molecule file (.xyz)");
  if (!bond == !angle) return cli_usage(cmd, "give exactly one of --bond I-J and --angle I-J-K");
  if (!isfinite(from) || !isfinite(to) || !isfinite(step)) return cli_usage(cmd, "--from, --to and --step are all needed");
  if (step <= 0) return cli_usage(cmd, "--step must be positive, got %g (scan downwards with --from > --to)", step);
  if (o.params_out || o.trace_out || o.init_file) return cli_usage(cmd, "--params-out, --trace and --init FILE belong to `vqe run`");
  const int is_angle = angle != NULL;
  int at[3];
  if (!parse_atoms(is_angle ? angle : bond, is_angle ? 3 : 2, at))
    return cli_usage(cmd, "%s expects %s (atom numbers from 1), got '%s'", is_angle ? "--angle" : "--bond", is_angle ? "I-J-K" : "I-J",
                     is_angle ? angle : bond);
  if (!is_angle && from <= 0) return cli_usage(cmd, "--from must be a positive bond length in Å, got %g", from);
  if (is_angle && (fmin(from, to) <= 0 || fmax(from, to) >= 180))
    return cli_usage(cmd, "angles must lie strictly between 0 and 180 degrees (got %g to %g)", from, to);
  if (vqe_fcidump_detect(c.file) == 1) return cli_usage(cmd, "%s is an FCIDUMP: a scan needs a molecule (.xyz)", c.file);

  vqe_error err = {0};
  vqe_molecule base;
  vqe_molecule_overrides ov = {c.has_charge, c.charge, c.has_mult, c.mult, c.basis};
  if (vqe_molecule_read(c.file, &ov, &base, &err)) return cli_fail(cmd, &err);
  const int na = is_angle ? 3 : 2;
  for (int k = 0; k < na; k++) {
    if (at[k] < 1 || at[k] > base.natom) {
      const int natom = base.natom;
      vqe_molecule_free(&base);
      return cli_usage(cmd, "atom %d does not exist (allowed: 1..%d, in file order)", at[k], natom);
    }
    at[k]--;
    for (int l = 0; l < k; l++)
      if (at[l] == at[k]) { vqe_molecule_free(&base); return cli_usage(cmd, "the atoms of the coordinate must differ"); }
  }
  const double dir = to >= from ? 1.0 : -1.0;
  const int n_points = (int)floor(fabs(to - from) / step + 1e-9) + 1;
  if (n_points > 100000) { vqe_molecule_free(&base); return cli_usage(cmd, "%d points is too many (at most 100000)", n_points); }
  /* every geometry checked before any work */
  for (int i = 0; i < n_points; i++) {
    vqe_molecule m;
    if (vqe_molecule_copy(&m, &base, &err)) { vqe_molecule_free(&base); return cli_fail(cmd, &err); }
    double x = from + dir * step * i;
    place(&m, at, is_angle, x);
    vqe_status st = check_geometry(&m, &err);
    vqe_molecule_free(&m);
    if (st) {
      vqe_molecule_free(&base);
      return cli_usage(cmd, "at %s = %g: %s", is_angle ? "angle" : "bond length", x, err.msg);
    }
  }

  cli_study s;
  if (cli_study_begin(&s, cmd, &c, &f, argc, argv, n_points, &err)) {
    cli_study_end(&s);
    vqe_molecule_free(&base);
    return cli_fail(cmd, &err);
  }
  const char *coord = is_angle ? "angle" : "bond_length";
  char (*point_keys)[64] = calloc((size_t)n_points, sizeof *point_keys);
  const char **keyp = calloc((size_t)n_points, sizeof *keyp);
  double *xs = calloc((size_t)n_points, sizeof *xs);
  if (!point_keys || !keyp || !xs) {
    free(point_keys); free(keyp); free(xs);
    vqe_molecule_free(&base);
    cli_study_end(&s);
    return cli_fail(cmd, (vqe_error_set(&err, VQE_ERR_RESOURCE, "out of memory for %d points", n_points), &err));
  }
  for (int i = 0; i < n_points; i++) {
    xs[i] = round((from + dir * step * i) * 1e10) / 1e10;
    snprintf(point_keys[i], sizeof point_keys[i], "%s=%.6f", is_angle ? "angle" : "r", xs[i]);
    keyp[i] = point_keys[i];
  }
  sc_ctx ctx = { &c, &o, &f, &base, at, is_angle, coord, xs, keyp, NULL, 0 };
  int rc = 0;
  if (vqe_dist_size() > 1 && (f.no_vqe || !f.warm_start)) {
    /* independent points under mpirun: split over the ranks */
    rc = cli_study_run_points(&s, (size_t)n_points, keyp, scan_point, &ctx, &err);
  } else {
    for (int i = 0; i < n_points && !rc; i++) {
      cli_study_progress(&s, i + 1, keyp[i]);
      const cJSON *done = cli_study_resumed(&s, keyp[i]);
      if (!done) {
        vqe_status st = VQE_OK;
        cJSON *p = scan_point(&ctx, (size_t)i, &st, &err);
        if (!p) {
          if (s.n_ok == 0) { rc = cli_fail(cmd, &err); break; }   /* the user's mistake, before more work */
          p = cli_study_failed_point(keyp[i], err.msg);
          cJSON_AddNumberToObject(p, coord, xs[i]);
        }
        if (cli_study_add(&s, p, &err)) { rc = cli_fail(cmd, &err); break; }
        done = p;
      }
      const cJSON *stt = cJSON_GetObjectItem(done, "status");
      if (f.warm_start && cJSON_IsString(stt) && !strcmp(stt->valuestring, "ok")) {   /* warm start from the last good point */
        free(ctx.warm);
        ctx.warm = cli_study_point_params(done, &ctx.n_warm);
      }
    }
  }
  free(ctx.warm);
  free(point_keys); free(keyp); free(xs);
  vqe_molecule_free(&base);
  vqe_progress_done(c.quiet);
  if (!rc) {
    if (c.json) {
      cJSON *extra = cJSON_CreateObject();
      cJSON_AddStringToObject(extra, "coordinate", coord);
      cJSON *atoms = cJSON_AddArrayToObject(extra, "atoms");
      for (int k = 0; k < na; k++) cJSON_AddItemToArray(atoms, cJSON_CreateNumber(at[k] + 1));
      cli_study_print_json(&s, extra);
      cJSON_Delete(extra);
    } else {
      printf("vqe scan: %s  %s %s (%s)\n\n  %10s %18s %18s %18s %12s %6s\n", c.file, is_angle ? "angle" : "bond", is_angle ? angle : bond,
             is_angle ? "degrees" : "Å", is_angle ? "angle" : "R (Å)", "E_HF", "E_FCI", f.no_vqe ? "" : "E_VQE",
             f.no_vqe ? "" : "error (mEh)", f.no_vqe ? "" : "iter");
      const cJSON *p;
      cJSON_ArrayForEach(p, s.points) {
        printf("  %10.4f ", cli_json_num(p, coord));
        if (strcmp(cJSON_GetObjectItem(p, "status")->valuestring, "ok")) {
          printf("failed: %s\n", cJSON_GetObjectItem(p, "reason")->valuestring);
          continue;
        }
        printf("%18.10f %18.10f", cli_json_num(p, "energy_scf"), cli_json_num(p, "energy_fci"));
        if (!f.no_vqe) printf(" %18.10f %12.4f %6.0f", cli_json_num(p, "energy_vqe"), cli_display(cli_json_num(p, "error_mha")), cli_json_num(p, "iterations"));
        printf("\n");
      }
    }
    if (f.csv) {
      const char *cols[] = {coord, "energy_scf", "energy_fci", "energy_vqe", "error_mha", "chemical_accuracy", "n_qubits",
                            "n_parameters", "iterations", "particle_number", "sz", "s2", "converged", NULL};
      if (cli_study_write_csv(&s, cols, &err)) rc = cli_fail(cmd, &err);
    }
    if (f.plot && !rc && vqe_dist_rank() == 0) {
      static const char *keys[3] = {"energy_scf", "energy_fci", "energy_vqe"};
      static const char *labels[3] = {"HF", "FCI", "VQE"};
      int np = cJSON_GetArraySize(s.points);
      double *ys = calloc((size_t)3 * np, sizeof *ys);
      vqe_plot_series se[3];
      int ns = 0;
      /* x per series: a failed point is missing from every series, FCI may be missing alone */
      double *xq = calloc((size_t)3 * np, sizeof *xq);
      for (int q = 0; q < (f.no_vqe ? 2 : 3); q++) {
        int m = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, s.points) {
          double y = cli_json_num(p, keys[q]);
          if (!isfinite(y)) continue;
          xq[(size_t)q * np + m] = cli_json_num(p, coord);
          ys[(size_t)q * np + m] = y;
          m++;
        }
        if (m) se[ns++] = (vqe_plot_series){labels[q], m, xq + (size_t)q * np, ys + (size_t)q * np, NULL, 0, NULL};
      }
      char title[600];
      snprintf(title, sizeof title, "Potential-energy scan: %s", c.file);
      vqe_plot_spec spec = {title, is_angle ? "angle (degrees)" : "bond length (Å)", "energy (Eh)", 0, 0, 0, 0, NULL, ns, se};
      if (vqe_plot(f.plot, &spec, &err)) rc = cli_fail(cmd, &err);
      free(ys); free(xq);
    }
    if (!rc) rc = cli_study_exit_code(&s);
  }
  cli_study_end(&s);
  return rc;
}
