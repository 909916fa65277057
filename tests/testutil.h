/* testutil.h — helpers shared by the CUnit suites: running a suite, running the `vqe` program and
 * capturing its output, the psi4 reference data, and tolerance asserts. */
#ifndef VQE_TESTUTIL_H
#define VQE_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>
#include <cjson/cJSON.h>
#include <math.h>
#include "vqe/vqe.h"

/* A test table: { "name", fn }, ..., { NULL, NULL }. Runs the suite and returns the exit status
 * for main (0 when every test passed). */
typedef struct { const char *name; void (*fn)(void); } tu_test;
int tu_run_suite(const char *suite, const tu_test *tests);

/* Path under the source tree (VQE_SOURCE_DIR): returns a static buffer (rotating, 8 slots). */
const char *tu_src(const char *rel);

/* Run `$VQE_BIN args...` through the shell; captures stdout and stderr (malloc'd, caller frees)
 * and returns the exit code (or -1 when it could not run / was killed by a signal). */
int tu_run_vqe(const char *args, char **out, char **errout);

/* Run `vqe args`, assert the exit code and that stderr contains piece. */
void tu_expect_exit(const char *args, int code, const char *piece);
/* Run `vqe args` and parse its stdout as JSON (NULL, with a note on stderr, when it is not). */
cJSON *tu_run_json(const char *args, int *code);

/* psi4 reference cases (tests/data/psi4_reference.json): the parsed array (cached). */
const cJSON *tu_psi4_refs(void);
const cJSON *tu_psi4_case(const char *name);
double tu_json_num(const cJSON *obj, const char *key);

/* Write a temporary file with the given content; returns its path (static rotating buffer). */
const char *tu_tmpfile(const char *suffix, const char *content);

#define TU_ASSERT_CLOSE(a, b, tol) do { \
  double _a = (a), _b = (b); \
  if (!(fabs(_a - _b) <= (tol))) \
    fprintf(stderr, "\n  %s:%d: %s = %.12f vs %s = %.12f (diff %.3e > %.1e)\n", __FILE__, __LINE__, #a, _a, #b, _b, fabs(_a - _b), (double)(tol)); \
  CU_ASSERT(fabs(_a - _b) <= (tol)); } while (0)

#define TU_ASSERT_CONTAINS(hay, needle) do { \
  const char *_h = (hay); \
  int _ok = _h && strstr(_h, (needle)) != NULL; \
  if (!_ok) fprintf(stderr, "\n  %s:%d: expected \"%s\" in: %s\n", __FILE__, __LINE__, (needle), _h ? _h : "(null)"); \
  CU_ASSERT(_ok); } while (0)

#endif
