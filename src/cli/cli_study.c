/* cli_study.c — the machinery the study commands share (see cli_study.h). */
#include "cli_study.h"
#include "vqe/dist.h"
#include "vqe/dist.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cli_study_flags_init(cli_study_flags *f)
{
  memset(f, 0, sizeof *f);
}

const char cli_study_help[] =
  "study output:\n"
  "  --json               one JSON document: {command, config, points: [...], ...}\n"
  "  --csv FILE           the points as a CSV table\n"
  "  --plot FILE.svg|.png a plot (gnuplot; apt-get install gnuplot-nox)\n"
  "  --output FILE        append every finished point to FILE as one JSON line, at once (an\n"
  "                       interrupted study loses nothing); --resume skips the points already there\n"
  "                       and redoes a last line cut short\n"
  "  --quiet              no progress line (progress is shown only when stderr is a terminal)\n";

int cli_study_flag(const char *cmd, cli_study_flags *f, int argc, char **argv, int *i)
{
  const char *a = argv[*i];
  const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
#define NEED() do { if (!v) { cli_usage(cmd, "%s needs a value", a); return -1; } ++*i; } while (0)
  if (!strcmp(a, "--output")) { NEED(); f->output = v; return 1; }
  if (!strcmp(a, "--resume")) { f->resume = 1; return 1; }
  if (!strcmp(a, "--csv")) { NEED(); f->csv = v; return 1; }
  if (!strcmp(a, "--plot")) {
    NEED();
    const char *ext = strrchr(v, '.');
    if (!ext || (strcasecmp(ext, ".svg") && strcasecmp(ext, ".png"))) {
      cli_usage(cmd, "--plot %s: unknown format (allowed: a file name ending in .svg or .png)", v);
      return -1;
    }
    if (!vqe_plot_available()) {
      cli_usage(cmd, "--plot needs gnuplot, which is not installed (apt-get install gnuplot-nox)");
      return -1;
    }
    f->plot = v;
    return 1;
  }
  if (!strcmp(a, "--warm-start")) { f->warm_start = 1; return 1; }
  if (!strcmp(a, "--no-warm-start")) { f->warm_start = 0; return 1; }
  if (!strcmp(a, "--no-vqe")) { f->no_vqe = 1; return 1; }
#undef NEED
  return 0;
}

int cli_study_arg(const char *cmd, cli_common *c, cli_study_flags *f, cli_vqe_options *o, int argc, char **argv, int *i)
{
  int k;
  if ((k = cli_common_flag(cmd, c, argc, argv, i)) < 0) return 2;
  if (k) return 0;
  if ((k = cli_study_flag(cmd, f, argc, argv, i)) < 0) return 2;
  if (k) return 0;
  if ((k = cli_vqe_flag(cmd, o, argc, argv, i)) < 0) return 2;
  if (k) return 0;
  const char *a = argv[*i];
  if (a[0] == '-' && a[1]) return cli_usage(cmd, "unknown flag '%s'", a);
  if (c->file) return cli_usage(cmd, "more than one input file ('%s' and '%s')", c->file, a);
  c->file = a;
  return 0;
}

/* The arguments that decide the results: everything but output-only flags. */
static cJSON *study_config(int argc, char **argv)
{
  static const char *const output_only[] = {"--output", "--csv", "--plot", NULL};
  static const char *const output_switch[] = {"--resume", "--json", "--quiet", "-q", NULL};
  cJSON *args = cJSON_CreateArray();
  for (int i = 0; i < argc; i++) {
    int skip = 0;
    for (int k = 0; output_only[k]; k++)
      if (!strcmp(argv[i], output_only[k])) { skip = 2; break; }
    for (int k = 0; output_switch[k] && !skip; k++)
      if (!strcmp(argv[i], output_switch[k])) skip = 1;
    if (!strcmp(argv[i], "--threads")) skip = 2;   /* results do not depend on it */
    if (skip) { i += skip - 1; continue; }
    cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
  }
  cJSON *cfg = cJSON_CreateObject();
  cJSON_AddItemToObject(cfg, "args", args);
  return cfg;
}

vqe_status cli_study_begin(cli_study *s, const char *cmd, const cli_common *c, const cli_study_flags *f,
                           int argc, char **argv, int n_points, vqe_error *err)
{
  memset(s, 0, sizeof *s);
  s->cmd = cmd;
  s->c = c;
  s->f = f;
  s->n_points = n_points;
  s->config = study_config(argc, argv);
  s->points = cJSON_CreateArray();
  s->t_start = vqe_wtime();
  if (f->resume && !f->output) return vqe_error_set(err, VQE_ERR_INPUT, "--resume needs --output FILE");
  /* under mpirun rank 0 owns the file; every rank sees the same points */
  if (f->output) return vqe_dist_journal_open(f->output, cmd, s->config, f->resume, &s->jn, err);
  return VQE_OK;
}

const cJSON *cli_study_resumed(cli_study *s, const char *key)
{
  if (!s->f->output) return NULL;
  const cJSON *p = vqe_journal_find(&s->jn, key);
  if (p) {
    cJSON_AddItemToArray(s->points, cJSON_Duplicate(p, 1));
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "status");
    if (cJSON_IsString(st) && !strcmp(st->valuestring, "ok")) s->n_ok++; else s->n_failed++;
  }
  return p;
}

vqe_status cli_study_add(cli_study *s, cJSON *point, vqe_error *err)
{
  const cJSON *st = cJSON_GetObjectItemCaseSensitive(point, "status");
  if (cJSON_IsString(st) && !strcmp(st->valuestring, "ok")) s->n_ok++; else s->n_failed++;
  vqe_status r = VQE_OK;
  if (s->f->output) r = vqe_dist_journal_append(&s->jn, point, err);
  cJSON_AddItemToArray(s->points, point);
  return r;
}

void cli_study_progress(cli_study *s, int i, const char *label)
{
  vqe_progress(i, s->n_points, s->t_start, label, s->c->quiet);
}

void cli_study_end(cli_study *s)
{
  vqe_progress_done(s->c->quiet);
  vqe_journal_close(&s->jn);
  cJSON_Delete(s->points);
  cJSON_Delete(s->config);
  s->points = s->config = NULL;
}

cJSON *cli_study_failed_point(const char *key, const char *reason)
{
  cJSON *p = cJSON_CreateObject();
  cJSON_AddStringToObject(p, "key", key);
  cJSON_AddStringToObject(p, "status", "failed");
  cJSON_AddStringToObject(p, "reason", reason);
  return p;
}

double *cli_study_point_params(const cJSON *p, int *n)
{
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "parameters");
  *n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;
  if (*n <= 0) return NULL;
  double *v = malloc((size_t)*n * sizeof *v);
  if (!v) { *n = 0; return NULL; }
  int k = 0;
  const cJSON *x;
  cJSON_ArrayForEach(x, a) v[k++] = cJSON_IsNumber(x) ? x->valuedouble : 0.0;
  return v;
}

double cli_display(double x) { return fabs(x) < 5e-5 ? 0.0 : x; }

double cli_json_num(const cJSON *o, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
}

static int ansatz_params(const cli_vqe_options *o, const vqe_mo_hamiltonian *h, int *np, vqe_error *err)
{
  vqe_ansatz_spec spec = o->cfg.ansatz;
  spec.norb = h->norb; spec.n_alpha = h->n_alpha; spec.n_beta = h->n_beta;
  vqe_ansatz a;
  vqe_status st = vqe_ansatz_build(&spec, &a, err);
  *np = a.n_params;
  vqe_ansatz_free(&a);
  return st;
}

cJSON *cli_study_vqe_point(const char *key, const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *sys,
                           const double *warm, int n_warm, vqe_status *st, vqe_error *err)
{
  cli_vqe_options oo = *o;
  double *init = NULL;
  *st = VQE_OK;
  if (warm) {
    int np;
    if ((*st = ansatz_params(o, &sys->ham, &np, err))) return NULL;
    if (np > 0) {
      init = calloc((size_t)np, sizeof *init);
      if (!init) { *st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); return NULL; }
      memcpy(init, warm, (size_t)(n_warm < np ? n_warm : np) * sizeof *init);
      oo.cfg.init = VQE_INIT_GIVEN;
      oo.cfg.init_params = init;
      oo.cfg.n_init_params = np;
      oo.init_file = NULL;
      oo.init_given = 1;
    }
  }
  vqe_run_result r;
  *st = cli_vqe_execute(&oo, sys, &r, err);
  free(init);
  if (*st) { vqe_run_result_free(&r); return NULL; }
  cJSON *p = cli_vqe_json(c, &oo, sys, &r);
  vqe_run_result_free(&r);
  cJSON_AddStringToObject(p, "key", key);
  cJSON_AddStringToObject(p, "status", "ok");
  if (warm) cJSON_AddStringToObject(p, "warm_start", "previous point");
  return p;
}

void cli_study_print_json(const cli_study *s, cJSON *extra)
{
  cJSON *doc = cJSON_CreateObject();
  cJSON_AddStringToObject(doc, "command", s->cmd);
  cJSON_AddItemToObject(doc, "config", cJSON_Duplicate(s->config, 1));
  cJSON_AddItemToObject(doc, "points", cJSON_Duplicate(s->points, 1));
  if (extra) {
    cJSON *it = extra->child;
    while (it) {
      cJSON *next = it->next;
      cJSON_AddItemToObject(doc, it->string, cJSON_Duplicate(it, 1));
      it = next;
    }
  }
  cJSON_AddNumberToObject(doc, "n_points", cJSON_GetArraySize(s->points));
  cJSON_AddNumberToObject(doc, "n_failed", s->n_failed);
  char *text = cJSON_Print(doc);
  if (text) puts(text);
  free(text);
  cJSON_Delete(doc);
}

vqe_status cli_study_write_csv(const cli_study *s, const char *const *columns, vqe_error *err)
{
  if (vqe_dist_rank() != 0) return VQE_OK;     /* under mpirun: rank 0 writes */
  const char *cols[64];
  int n = 0;
  for (; columns[n] && n < 60; n++) cols[n] = columns[n];
  cols[n++] = "status";
  cols[n++] = "reason";
  cols[n] = NULL;
  return vqe_write_csv(s->f->csv, s->points, cols, err);
}

int cli_study_exit_code(const cli_study *s) { return s->n_failed ? 1 : 0; }

/* ---- independent points, split over ranks under mpirun -------------------------------------------- */

typedef struct {
  cli_study *s;
  const char *const *keys;
  cli_study_point_fn fn;
  void *ctx;
  unsigned char *skip;
  size_t n, next, first_pending;
} run_points;

static vqe_status rp_work(void *vctx, size_t i, char **result, vqe_error *err)
{
  run_points *x = vctx;
  vqe_status st = VQE_OK;
  cJSON *p = x->fn(x->ctx, i, &st, err);
  if (!p) {
    if ((st == VQE_ERR_INPUT || st == VQE_ERR_RESOURCE) && i == x->first_pending) return st;   /* the user's mistake */
    p = cli_study_failed_point(x->keys[i], err->msg);
  }
  *result = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  return *result ? VQE_OK : vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
}

/* Points in order: the resumed ones before i, then i (every rank; rank 0 writes the journal). */
static vqe_status rp_done(void *vctx, size_t i, const char *result, vqe_error *err)
{
  run_points *x = vctx;
  for (; x->next < i; x->next++)
    if (x->skip[x->next]) cli_study_resumed(x->s, x->keys[x->next]);
  x->next = i + 1;
  cJSON *p = cJSON_Parse(result);
  if (!p) return vqe_error_set(err, VQE_ERR_INTERNAL, "point %s came back unreadable", x->keys[i]);
  cli_study_progress(x->s, (int)i + 1, x->keys[i]);
  return cli_study_add(x->s, p, err);
}

int cli_study_run_points(cli_study *s, size_t n, const char *const *keys, cli_study_point_fn fn, void *ctx,
                         vqe_error *err)
{
  run_points x = { s, keys, fn, ctx, calloc(n + 1, 1), n, 0, 0 };
  if (!x.skip) return cli_fail(s->cmd, (vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory listing %zu points", n), err));
  for (size_t i = 0; i < n; i++) x.skip[i] = s->f->output && vqe_journal_find(&s->jn, keys[i]) != NULL;
  while (x.first_pending < n && x.skip[x.first_pending]) x.first_pending++;
  int rc = 0;
  if (vqe_dist_map(n, x.skip, rp_work, rp_done, &x, err)) rc = cli_fail(s->cmd, err);
  for (; !rc && x.next < n; x.next++)
    if (x.skip[x.next]) cli_study_resumed(s, keys[x.next]);
  free(x.skip);
  return rc;
}
