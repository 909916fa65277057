/* test_study.c — study journal (resume, corrupt last line, config mismatch, no overwrite), CSV and
 * plots (format and non-empty when gnuplot is there; the clear refusal when it is not). */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cJSON *point(const char *key, double e)
{
  cJSON *p = cJSON_CreateObject();
  cJSON_AddStringToObject(p, "key", key);
  cJSON_AddNumberToObject(p, "energy", e);
  cJSON_AddStringToObject(p, "status", "ok");
  return p;
}

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static void test_journal(void)
{
  char path[] = "/tmp/vqe_journal_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  unlink(path);
  cJSON *cfg = cJSON_CreateObject();
  cJSON_AddStringToObject(cfg, "ansatz", "hea");
  vqe_journal j;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_journal_open(path, "sweep", cfg, 0, &j, &e), VQE_OK);
  for (int i = 0; i < 3; i++) {
    char key[16];
    snprintf(key, sizeof key, "L=%d", i);
    cJSON *p = point(key, -1.0 - i);
    CU_ASSERT_EQUAL(vqe_journal_append(&j, p, &e), VQE_OK);
    cJSON_Delete(p);
  }
  vqe_journal_close(&j);
  /* no overwrite without --resume */
  CU_ASSERT_EQUAL(vqe_journal_open(path, "sweep", cfg, 0, &j, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "already holds results (use --resume");
  /* simulate a kill in the middle of writing the 4th point */
  FILE *f = fopen(path, "a");
  fputs("{\"key\":\"L=3\",\"ener", f);
  fclose(f);
  CU_ASSERT_EQUAL_FATAL(vqe_journal_open(path, "sweep", cfg, 1, &j, &e), VQE_OK);
  CU_ASSERT_EQUAL(j.n_resumed, 3);
  CU_ASSERT_EQUAL(j.n_dropped, 1);
  CU_ASSERT_PTR_NOT_NULL(vqe_journal_find(&j, "L=2"));
  CU_ASSERT_PTR_NULL(vqe_journal_find(&j, "L=3"));
  TU_ASSERT_CLOSE(cJSON_GetObjectItem(vqe_journal_find(&j, "L=1"), "energy")->valuedouble, -2.0, 0);
  cJSON *p = point("L=3", -4.0);
  CU_ASSERT_EQUAL(vqe_journal_append(&j, p, &e), VQE_OK);
  cJSON_Delete(p);
  vqe_journal_close(&j);
  /* the file is clean again: header + 4 points, each line valid JSON */
  const char *text = slurp(path);
  int lines = 0;
  for (const char *c = text; *c; c++) lines += *c == '\n';
  CU_ASSERT_EQUAL(lines, 5);
  CU_ASSERT_PTR_NULL(strstr(text, "\"ener\n"));
  /* a different study refuses to resume */
  cJSON *cfg2 = cJSON_CreateObject();
  cJSON_AddStringToObject(cfg2, "ansatz", "uccsd");
  CU_ASSERT_EQUAL(vqe_journal_open(path, "sweep", cfg2, 1, &j, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, ":1: written by a different study");
  CU_ASSERT_EQUAL(vqe_journal_open(path, "scan", cfg, 1, &j, &e), VQE_ERR_INPUT);
  /* not a study file */
  const char *junk = tu_tmpfile(".jsonl", "hello\n");
  CU_ASSERT_EQUAL(vqe_journal_open(junk, "sweep", cfg, 1, &j, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, ":1: not a vqe study file");
  /* a point without key is an internal error */
  CU_ASSERT_EQUAL_FATAL(vqe_journal_open(path, "sweep", cfg, 1, &j, &e), VQE_OK);
  cJSON *nokey = cJSON_CreateObject();
  CU_ASSERT_EQUAL(vqe_journal_append(&j, nokey, &e), VQE_ERR_INTERNAL);
  cJSON_Delete(nokey);
  vqe_journal_close(&j);
  cJSON_Delete(cfg);
  cJSON_Delete(cfg2);
  unlink(path);
  unlink(junk);
}

static void test_csv(void)
{
  cJSON *pts = cJSON_CreateArray();
  cJSON_AddItemToArray(pts, point("a,b", -1.5));
  cJSON *q = point("c", -2.25);
  cJSON_AddBoolToObject(q, "chemical_accuracy", 1);
  cJSON_AddItemToArray(pts, q);
  const char *cols[] = {"key", "energy", "chemical_accuracy", "missing", NULL};
  const char *path = "/tmp/vqe_test_study.csv";
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_write_csv(path, pts, cols, &e), VQE_OK);
  CU_ASSERT_STRING_EQUAL(slurp(path), "key,energy,chemical_accuracy,missing\n\"a,b\",-1.5,,\nc,-2.25,true,\n");
  CU_ASSERT_EQUAL(vqe_write_csv("/nonexistent/dir/x.csv", pts, cols, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "/nonexistent/dir/x.csv: cannot write");
  cJSON_Delete(pts);
  unlink(path);
}

static void test_plot(void)
{
  double x[4] = {2, 4, 6, 8}, y[4] = {1e-1, 2e-2, 5e-3, 1e-3};
  vqe_plot_series s[2] = {{"data", 4, x, y, NULL, 1, NULL}, {"fit", 0, NULL, NULL, NULL, 0, "0.4*exp(-0.69*x)"}};
  vqe_plot_spec spec = {"variance", "qubits", "Var", 0, 1, 1, 1.6e-3, "chemical accuracy", 2, s};
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_plot("/tmp/x.pdf", &spec, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "allowed: a file name ending in .svg or .png");
  if (vqe_plot_available()) {
    CU_ASSERT_EQUAL(vqe_plot("/tmp/vqe_test_plot.svg", &spec, &e), VQE_OK);
    const char *svg = slurp("/tmp/vqe_test_plot.svg");
    TU_ASSERT_CONTAINS(svg, "<svg");
    CU_ASSERT_EQUAL(vqe_plot("/tmp/vqe_test_plot.png", &spec, &e), VQE_OK);
    FILE *f = fopen("/tmp/vqe_test_plot.png", "rb");
    unsigned char sig[8] = {0};
    CU_ASSERT_EQUAL(fread(sig, 1, 8, f), 8);
    fclose(f);
    CU_ASSERT(sig[0] == 0x89 && sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G');
    unlink("/tmp/vqe_test_plot.svg");
    unlink("/tmp/vqe_test_plot.png");
  }
  setenv("VQE_GNUPLOT", "/nonexistent/gnuplot", 1);
  CU_ASSERT_EQUAL(vqe_plot_available(), 0);
  CU_ASSERT_EQUAL(vqe_plot("/tmp/vqe_test_plot2.svg", &spec, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "apt-get install gnuplot-nox");
  CU_ASSERT_EQUAL(access("/tmp/vqe_test_plot2.svg", F_OK), -1);
  unsetenv("VQE_GNUPLOT");
}

int main(void)
{
  const tu_test tests[] = {{"journal: resume, corrupt line, mismatch", test_journal}, {"csv", test_csv},
                           {"plot", test_plot}, {NULL, NULL}};
  return tu_run_suite("study", tests);
}
