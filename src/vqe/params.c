/* params.c — parameter files (--params-out / --init FILE) and the optimiser trace as CSV (vqe_run.h),
 * written atomically: a temporary file in the target's directory, flushed, fsync'ed and renamed.
 * Called by the driver's clients (`vqe run`, studies) and the tests. */
#include "vqe/vqe_run.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef vqe_status (*writer_fn)(FILE *f, const void *ctx, vqe_error *err);

static vqe_status write_atomic(const char *path, writer_fn fn, const void *ctx, const char *what, vqe_error *err)
{
  if (!path || !*path) return vqe_error_set(err, VQE_ERR_INPUT, "%s: empty file name", what);
  size_t len = strlen(path);
  char *tmp = malloc(len + 16);
  if (!tmp) return vqe_error_set(err, VQE_ERR_RESOURCE, "%s: out of memory", what);
  snprintf(tmp, len + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    vqe_status st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot create %s: %s", what, path, strerror(errno));
    free(tmp);
    return st;
  }
  FILE *f = fdopen(fd, "w");
  if (!f) { close(fd); unlink(tmp); free(tmp); return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot write %s", what, path); }
  vqe_status st = fn(f, ctx, err);
  if (!st && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0))
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: writing %s failed: %s", what, path, strerror(errno));
  if (fclose(f) != 0 && !st) st = vqe_error_set(err, VQE_ERR_INPUT, "%s: writing %s failed: %s", what, path, strerror(errno));
  if (!st && rename(tmp, path) != 0)
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot rename the temporary file to %s: %s", what, path, strerror(errno));
  if (st) unlink(tmp);
  free(tmp);
  return st;
}

typedef struct { const double *theta; int n; const char *header; } params_ctx;

static vqe_status params_body(FILE *f, const void *p, vqe_error *err)
{
  const params_ctx *c = p;
  fprintf(f, "# vqe parameters v1\n");
  if (c->header) {
    const char *s = c->header;
    while (*s) {
      const char *e = strchr(s, '\n');
      size_t l = e ? (size_t)(e - s) : strlen(s);
      fprintf(f, "# %.*s\n", (int)l, s);
      s += l + (e ? 1 : 0);
    }
  }
  fprintf(f, "# n_params %d\n", c->n);
  for (int k = 0; k < c->n; k++) {
    if (!isfinite(c->theta[k]))
      return vqe_error_set(err, VQE_ERR_COMPUTE, "parameter %d is not finite", k);
    fprintf(f, "%.17g\n", c->theta[k]);
  }
  return VQE_OK;
}

vqe_status vqe_params_write(const char *path, const double *theta, int n, const char *header,
                            vqe_error *err)
{
  params_ctx c = { theta, n, header };
  return write_atomic(path, params_body, &c, "parameter file", err);
}

vqe_status vqe_params_read(const char *path, double *theta, int n, vqe_error *err)
{
  FILE *f = fopen(path, "r");
  if (!f) return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open parameter file: %s", path, strerror(errno));
  char line[512];
  int count = 0, lineno = 0;
  vqe_status st = VQE_OK;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *s = line;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '#' || *s == '\n' || *s == '\r' || !*s) continue;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n') end++;
    if (end == s || *end || errno || !isfinite(v)) {
      size_t l = strcspn(s, "\r\n");
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected one finite number per line, got '%.*s'", path, lineno,
                         (int)(l > 60 ? 60 : l), s);
      break;
    }
    if (count >= n) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: more than the %d parameters this ansatz has", path, lineno, n);
      break;
    }
    theta[count++] = v;
  }
  fclose(f);
  if (!st && count != n)
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s: %d parameters found, this ansatz has %d", path, count, n);
  return st;
}

static vqe_status trace_body(FILE *f, const void *p, vqe_error *err)
{
  const vqe_optimizer_result *r = p;
  (void)err;
  fprintf(f, "iter,energy,grad_norm,step,n_evals,time\n");
  for (int k = 0; k < r->n_trace; k++) {
    const vqe_trace_point *t = &r->trace[k];
    fprintf(f, "%d,%.15g,%.6e,%.6e,%d,%.6f\n", t->iter, t->energy, t->grad_norm, t->step, t->n_evals, t->time);
  }
  return VQE_OK;
}

vqe_status vqe_trace_write_csv(const char *path, const vqe_optimizer_result *r, vqe_error *err)
{
  return write_atomic(path, trace_body, r, "trace file", err);
}
