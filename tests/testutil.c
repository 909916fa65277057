/* testutil.c — see testutil.h. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int tu_run_suite(const char *suite, const tu_test *tests)
{
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  for (const tu_test *t = tests; t->name; t++) CU_add_test(s, t->name, t->fn);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned nrun = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  return (failed || nrun == 0) ? 1 : 0;
}

const char *tu_src(const char *rel)
{
  static char buf[8][1024];
  static int k = 0;
  const char *root = getenv("VQE_SOURCE_DIR");
  char *b = buf[k++ & 7];
  snprintf(b, 1024, "%s/%s", root ? root : ".", rel);
  return b;
}

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  size_t r = fread(s, 1, (size_t)n, f);
  s[r] = '\0';
  fclose(f);
  return s;
}

int tu_run_vqe(const char *args, char **out, char **errout)
{
  const char *bin = getenv("VQE_BIN");
  if (!bin) bin = "vqe";
  char o[] = "/tmp/vqe_test_outXXXXXX", e[] = "/tmp/vqe_test_errXXXXXX";
  int fo = mkstemp(o), fe = mkstemp(e);
  close(fo); close(fe);
  size_t n = strlen(bin) + strlen(args) + 2 * sizeof o + 32;
  char *cmd = malloc(n);
  snprintf(cmd, n, "%s %s >%s 2>%s", bin, args, o, e);
  int st = system(cmd);
  free(cmd);
  char *so = slurp(o), *se = slurp(e);
  unlink(o); unlink(e);
  if (out) *out = so; else free(so);
  if (errout) *errout = se; else free(se);
  if (st == -1 || !WIFEXITED(st)) return -1;
  return WEXITSTATUS(st);
}

const cJSON *tu_psi4_refs(void)
{
  static cJSON *refs = NULL;
  if (!refs) {
    char *s = slurp(tu_src("tests/data/psi4_reference.json"));
    if (s) { refs = cJSON_Parse(s); free(s); }
  }
  return refs;
}

const cJSON *tu_psi4_case(const char *name)
{
  const cJSON *c;
  cJSON_ArrayForEach(c, tu_psi4_refs()) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
    if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return c;
  }
  return NULL;
}

double tu_json_num(const cJSON *obj, const char *key)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
}

const char *tu_tmpfile(const char *suffix, const char *content)
{
  static char buf[8][256];
  static int k = 0;
  char *b = buf[k++ & 7];
  snprintf(b, 256, "/tmp/vqe_tu_XXXXXX%s", suffix ? suffix : "");
  int fd = mkstemps(b, suffix ? (int)strlen(suffix) : 0);
  if (fd < 0) return NULL;
  size_t len = strlen(content);
  if (write(fd, content, len) != (ssize_t)len) { close(fd); return NULL; }
  close(fd);
  return b;
}

void tu_expect_exit(const char *args, int code, const char *piece)
{
  char *out = NULL, *err = NULL;
  int c = tu_run_vqe(args, &out, &err);
  if (c != code) fprintf(stderr, "\n  'vqe %s' exited %d, expected %d\n", args, c, code);
  CU_ASSERT_EQUAL(c, code);
  TU_ASSERT_CONTAINS(err, piece);
  free(out);
  free(err);
}

cJSON *tu_run_json(const char *args, int *code)
{
  char *out = NULL, *err = NULL;
  *code = tu_run_vqe(args, &out, &err);
  cJSON *doc = out ? cJSON_Parse(out) : NULL;
  if (!doc) fprintf(stderr, "\n  no JSON from 'vqe %s' (exit %d): %s\n", args, *code, err ? err : "");
  free(out);
  free(err);
  return doc;
}
