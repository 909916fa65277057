/* study.c — resumable JSON-lines journal, atomic CSV, progress lines and gnuplot plots for the
 * study commands (sweep, scan, basis, plateau). */
#include "vqe/study.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- journal ------------------------------------------------------------------------------------ */

static char *read_all(FILE *f, size_t *len)
{
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  size_t r;
  while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (n + 1 == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); return NULL; }
      buf = nb;
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static int write_line(FILE *f, const cJSON *obj)
{
  char *s = cJSON_PrintUnformatted(obj);
  if (!s) return -1;
  int ok = fputs(s, f) >= 0 && fputc('\n', f) != EOF && fflush(f) == 0;
  free(s);
  if (ok) fsync(fileno(f));
  return ok ? 0 : -1;
}

static vqe_status rewrite_journal(vqe_journal *j, const cJSON *header, vqe_error *err)
{
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", j->path);
  FILE *f = fopen(tmp, "w");
  if (!f) return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", tmp, strerror(errno));
  int bad = write_line(f, header);
  const cJSON *p;
  cJSON_ArrayForEach(p, j->points) bad |= write_line(f, p);
  bad |= fclose(f);
  if (bad || rename(tmp, j->path)) {
    unlink(tmp);
    return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot rewrite the study file: %s", j->path, strerror(errno));
  }
  return VQE_OK;
}

vqe_status vqe_journal_open(const char *path, const char *kind, const cJSON *config, int resume,
                            vqe_journal *j, vqe_error *err)
{
  memset(j, 0, sizeof *j);
  snprintf(j->path, sizeof j->path, "%s", path);
  j->points = cJSON_CreateArray();
  cJSON *header = cJSON_CreateObject();
  cJSON_AddStringToObject(header, "vqe_study", kind);
  cJSON_AddItemToObject(header, "config", config ? cJSON_Duplicate(config, 1) : cJSON_CreateObject());
  vqe_status st = VQE_OK;
  struct stat sb;
  int exists = stat(path, &sb) == 0 && sb.st_size > 0;
  if (exists && !resume) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s already holds results (use --resume to continue that study, or "
                       "choose another --output file)", path);
    goto out;
  }
  if (exists) {
    FILE *f = fopen(path, "r");
    if (!f) { st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno)); goto out; }
    size_t len;
    char *text = read_all(f, &len);
    fclose(f);
    if (!text) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "%s: out of memory reading the study file", path); goto out; }
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      lineno++;
      cJSON *obj = cJSON_Parse(line);
      if (lineno == 1) {
        const cJSON *k = obj ? cJSON_GetObjectItemCaseSensitive(obj, "vqe_study") : NULL;
        if (!cJSON_IsString(k)) {
          cJSON_Delete(obj);
          free(text);
          st = vqe_error_set(err, VQE_ERR_INPUT, "%s:1: not a vqe study file (expected a {\"vqe_study\": ...} header line)", path);
          goto out;
        }
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(obj, "config");
        if (strcmp(k->valuestring, kind) || !cJSON_Compare(cfg, cJSON_GetObjectItemCaseSensitive(header, "config"), 1)) {
          char *want = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(header, "config"));
          char *have = cfg ? cJSON_PrintUnformatted(cfg) : NULL;
          st = vqe_error_set(err, VQE_ERR_INPUT, "%s:1: written by a different study (%s %s; this run is %s %s): "
                             "resume only with the same command", path, k->valuestring, have ? have : "{}", kind, want ? want : "{}");
          free(want); free(have);
          cJSON_Delete(obj);
          free(text);
          goto out;
        }
        cJSON_Delete(obj);
        continue;
      }
      const cJSON *key = obj ? cJSON_GetObjectItemCaseSensitive(obj, "key") : NULL;
      if (!cJSON_IsString(key)) {   /* cut short by a kill: redo that point */
        cJSON_Delete(obj);
        j->n_dropped++;
        continue;
      }
      cJSON_AddItemToArray(j->points, obj);
      j->n_resumed++;
    }
    free(text);
    if (lineno == 0) exists = 0;
    else if (j->n_dropped && (st = rewrite_journal(j, header, err))) goto out;
  }
  j->f = fopen(path, exists ? "a" : "w");
  if (!j->f) { st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", path, strerror(errno)); goto out; }
  if (!exists && write_line(j->f, header))
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", path, strerror(errno));
out:
  cJSON_Delete(header);
  if (st) vqe_journal_close(j);
  return st;
}

const cJSON *vqe_journal_find(const vqe_journal *j, const char *key)
{
  const cJSON *p;
  cJSON_ArrayForEach(p, j->points) {
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "key");
    if (cJSON_IsString(k) && !strcmp(k->valuestring, key)) return p;
  }
  return NULL;
}

vqe_status vqe_journal_append(vqe_journal *j, const cJSON *point, vqe_error *err)
{
  if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(point, "key")))
    return vqe_error_set(err, VQE_ERR_INTERNAL, "study point without a key");
  if (j->f && write_line(j->f, point))
    return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot append: %s", j->path, strerror(errno));
  cJSON_AddItemToArray(j->points, cJSON_Duplicate(point, 1));
  return VQE_OK;
}

void vqe_journal_close(vqe_journal *j)
{
  if (!j) return;
  if (j->f) fclose(j->f);
  j->f = NULL;
  cJSON_Delete(j->points);
  j->points = NULL;
}

/* ---- CSV ----------------------------------------------------------------------------------------- */

static void csv_field(FILE *f, const cJSON *v)
{
  if (cJSON_IsNumber(v)) fprintf(f, "%.12g", v->valuedouble);
  else if (cJSON_IsBool(v)) fputs(cJSON_IsTrue(v) ? "true" : "false", f);
  else if (cJSON_IsString(v)) {
    const char *s = v->valuestring;
    if (strpbrk(s, ",\"\n")) {
      fputc('"', f);
      for (; *s; s++) { if (*s == '"') fputc('"', f); fputc(*s, f); }
      fputc('"', f);
    } else fputs(s, f);
  }
}

vqe_status vqe_write_csv(const char *path, const cJSON *points, const char *const *columns, vqe_error *err)
{
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", path, strerror(errno));
  for (int c = 0; columns[c]; c++) fprintf(f, "%s%s", c ? "," : "", columns[c]);
  fputc('\n', f);
  const cJSON *p;
  cJSON_ArrayForEach(p, points) {
    for (int c = 0; columns[c]; c++) {
      if (c) fputc(',', f);
      csv_field(f, cJSON_GetObjectItemCaseSensitive(p, columns[c]));
    }
    fputc('\n', f);
  }
  if (fclose(f) || rename(tmp, path)) {
    unlink(tmp);
    return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", path, strerror(errno));
  }
  return VQE_OK;
}

/* ---- progress -------------------------------------------------------------------------------------- */

void vqe_progress(int i, int n, double t_start, const char *label, int quiet)
{
  if (quiet || !isatty(STDERR_FILENO)) return;
  double el = vqe_wtime() - t_start;
  if (i > 1) {
    double left = el / (i - 1) * (n - i + 1);
    fprintf(stderr, "\r\033[K[%d/%d] %s  elapsed %.0f s, about %.0f s left", i, n, label, el, left);
  } else {
    fprintf(stderr, "\r\033[K[%d/%d] %s  elapsed %.0f s", i, n, label, el);
  }
  fflush(stderr);
}

void vqe_progress_done(int quiet)
{
  if (quiet || !isatty(STDERR_FILENO)) return;
  fprintf(stderr, "\r\033[K");
  fflush(stderr);
}

/* ---- plots ----------------------------------------------------------------------------------------- */

static const char *gnuplot_program(void)
{
  const char *p = getenv("VQE_GNUPLOT");
  return p && *p ? p : "gnuplot";
}

int vqe_plot_available(void)
{
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", gnuplot_program());
  int st = system(cmd);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A gnuplot double-quoted string shown literally: quotes and backslashes escaped, and the
 * enhanced-text control characters (_ ^ { } @ & ~) written as \\c so file names keep their
 * underscores. */
static void quoted_path(FILE *f, const char *s)
{
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void quoted(FILE *f, const char *s)
{
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    else if (strchr("_^{}@&~", *s)) fputs("\\\\", f);
    fputc(*s, f);
  }
  fputc('"', f);
}

vqe_status vqe_plot(const char *path, const vqe_plot_spec *spec, vqe_error *err)
{
  const char *ext = strrchr(path, '.');
  int svg = ext && !strcasecmp(ext, ".svg"), png = ext && !strcasecmp(ext, ".png");
  if (!svg && !png)
    return vqe_error_set(err, VQE_ERR_INPUT, "--plot %s: unknown format (allowed: a file name ending in .svg or .png)", path);
  if (!vqe_plot_available())
    return vqe_error_set(err, VQE_ERR_INPUT, "--plot needs gnuplot, which is not installed (apt-get install gnuplot-nox)");
  char script[] = "/tmp/vqe_plot_XXXXXX";
  int fd = mkstemp(script);
  if (fd < 0) return vqe_error_set(err, VQE_ERR_INPUT, "cannot create a temporary plot script: %s", strerror(errno));
  FILE *f = fdopen(fd, "w");
  char out_tmp[1100];
  snprintf(out_tmp, sizeof out_tmp, "%s.tmp%s", path, ext);
  fprintf(f, "set terminal %s size 900,600 font 'Sans,12'\n", svg ? "svg dynamic" : "pngcairo");
  fputs("set output ", f); quoted_path(f, out_tmp); fputc('\n', f);
  if (spec->title) { fputs("set title ", f); quoted(f, spec->title); fputc('\n', f); }
  if (spec->xlabel) { fputs("set xlabel ", f); quoted(f, spec->xlabel); fputc('\n', f); }
  if (spec->ylabel) { fputs("set ylabel ", f); quoted(f, spec->ylabel); fputc('\n', f); }
  if (spec->logx) fputs("set logscale x\n", f);
  if (spec->logy) fputs("set logscale y\nset format y '10^{%L}'\n", f);
  fputs("set grid\nset key top right opaque box\nset style data linespoints\n", f);
  for (int s = 0; s < spec->n_series; s++) {
    const vqe_plot_series *se = &spec->series[s];
    if (se->function) continue;
    fprintf(f, "$d%d << EOD\n", s);
    for (int i = 0; i < se->n; i++) {
      if (!isfinite(se->x[i]) || !isfinite(se->y[i]) || (spec->logy && se->y[i] <= 0)) continue;
      if (se->yerr) fprintf(f, "%.15g %.15g %.15g\n", se->x[i], se->y[i], se->yerr[i]);
      else fprintf(f, "%.15g %.15g\n", se->x[i], se->y[i]);
    }
    fputs("EOD\n", f);
  }
  fputs("plot ", f);
  int first = 1;
  for (int s = 0; s < spec->n_series; s++) {
    const vqe_plot_series *se = &spec->series[s];
    if (!first) fputs(", \\\n     ", f);
    first = 0;
    if (se->function) fprintf(f, "%s with lines dashtype 2 lw 2", se->function);
    else if (se->yerr) fprintf(f, "$d%d using 1:2:3 with yerrorbars pt 7", s);
    else fprintf(f, "$d%d using 1:2 with %s pt 7 lw 2", s, se->points_only ? "points" : "linespoints");
    fputs(" title ", f);
    quoted(f, se->label ? se->label : "");
  }
  if (spec->has_hline) {
    fprintf(f, "%s%.15g with lines dashtype 3 lc rgb 'gray40' lw 2 title ", first ? "" : ", \\\n     ", spec->hline);
    quoted(f, spec->hline_label ? spec->hline_label : "");
  }
  fputc('\n', f);
  fclose(f);
  char cmd[2600];
  snprintf(cmd, sizeof cmd, "'%s' '%s' 2>%s.err", gnuplot_program(), script, script);
  int st = system(cmd);
  struct stat sb;
  int ok = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && stat(out_tmp, &sb) == 0 && sb.st_size > 0;
  char errpath[64];
  snprintf(errpath, sizeof errpath, "%s.err", script);
  if (!ok) {
    char msg[512] = "";
    FILE *e = fopen(errpath, "r");
    if (e) { size_t r = fread(msg, 1, sizeof msg - 1, e); msg[r] = '\0'; fclose(e); }
    for (char *c = msg; *c; c++) if (*c == '\n') *c = ' ';
    unlink(out_tmp);
    unlink(script); unlink(errpath);
    return vqe_error_set(err, VQE_ERR_COMPUTE, "gnuplot failed to draw %s: %s", path, msg[0] ? msg : "no output");
  }
  unlink(script); unlink(errpath);
  if (rename(out_tmp, path)) {
    unlink(out_tmp);
    return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write: %s", path, strerror(errno));
  }
  return VQE_OK;
}
