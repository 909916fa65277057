/* test_cli_scf.c — the `vqe scf` command: JSON output against psi4, table output, exit codes and
 * messages for bad input (unknown basis, element missing) and for an SCF that does not converge. */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cJSON *run_json(const char *args, int *code)
{
  char *out = NULL, *err = NULL;
  *code = tu_run_vqe(args, &out, &err);
  if (*code != 0) fprintf(stderr, "\n  vqe %s: exit %d: %s\n", args, *code, err ? err : "");
  cJSON *j = out ? cJSON_Parse(out) : NULL;
  free(out);
  free(err);
  return j;
}

static void check_case(const char *args, const char *refname)
{
  char full[1024];
  snprintf(full, sizeof full, "scf %s --json --threads 2", args);
  int code;
  cJSON *j = run_json(full, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  const cJSON *ref = tu_psi4_case(refname);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_scf"), tu_json_num(ref, "e_scf"), 1e-8);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_nuclear"), tu_json_num(ref, "e_nuc"), 1e-8);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_electronic") + tu_json_num(j, "energy_nuclear"), tu_json_num(j, "energy_scf"), 1e-10);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_basis"), (int)tu_json_num(ref, "nbf"));
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_alpha"), (int)tu_json_num(ref, "nalpha"));
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_beta"), (int)tu_json_num(ref, "nbeta"));
  const cJSON *sr = cJSON_GetObjectItemCaseSensitive(j, "scf_reference");
  CU_ASSERT(cJSON_IsString(sr) && !strcmp(sr->valuestring, cJSON_GetObjectItemCaseSensitive(ref, "scf_reference")->valuestring));
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "converged")));
  CU_ASSERT(tu_json_num(j, "iterations") >= 1);
  const cJSON *oe = cJSON_GetObjectItemCaseSensitive(j, "orbital_energies");
  CU_ASSERT(cJSON_IsArray(oe) && cJSON_GetArraySize(oe) == (int)tu_json_num(ref, "nbf"));
  CU_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "basis")));
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "timings");
  CU_ASSERT(cJSON_IsObject(t) && tu_json_num(t, "integrals") >= 0 && tu_json_num(t, "scf") >= 0);
  cJSON_Delete(j);
}

static void test_json_energies(void)
{
  check_case("molecules/h2o.xyz --basis cc-pVDZ", "h2o_ccpvdz");
  check_case("molecules/h2o.xyz --basis 6-31G*", "h2o_631gs");
  check_case("molecules/n2.xyz", "n2_sto3g");                       /* basis= from the file */
  check_case("molecules/oh.xyz --basis sto-3g", "oh_radical_sto3g"); /* ROHF */
  check_case("molecules/lih.xyz --basis 6-31g", "lih_631g");
}

/* --spherical on psi4's cartesian 6-31G*: 5 d functions, psi4 (puream true) gives -76.0091080324 */
static void test_spherical_override(void)
{
  int code;
  cJSON *j = run_json("scf molecules/h2o.xyz --basis 6-31g* --spherical --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_basis"), 18);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_scf"), -76.0091080324, 2e-10);
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "basis_kind");
  CU_ASSERT(cJSON_IsString(k) && !strcmp(k->valuestring, "spherical"));
  cJSON_Delete(j);
  j = run_json("scf molecules/h2o.xyz --basis cc-pvdz --cartesian --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_basis"), 25);
  cJSON_Delete(j);
}

static void test_table_and_stability(void)
{
  char *out = NULL, *err = NULL;
  int code = tu_run_vqe("scf molecules/h2o.xyz --stability", &out, &err);
  CU_ASSERT_EQUAL(code, 0);
  TU_ASSERT_CONTAINS(out, "nuclear repulsion");
  TU_ASSERT_CONTAINS(out, "total energy (SCF)");
  TU_ASSERT_CONTAINS(out, "-74.963023138");
  TU_ASSERT_CONTAINS(out, "orbital energies");
  TU_ASSERT_CONTAINS(out, "stable: a minimum");
  TU_ASSERT_CONTAINS(out, "timings (s)");
  free(out); free(err);
  /* --follow from a core guess on N2 reaches the ground state */
  int c2;
  cJSON *j = run_json("scf molecules/n2.xyz --guess core --follow --json", &c2);
  CU_ASSERT_EQUAL(c2, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_scf"), tu_json_num(tu_psi4_case("n2_sto3g"), "e_scf"), 1e-8);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "stable")));
  cJSON_Delete(j);
}

static void expect_fail(const char *args, int want, const char *piece)
{
  char *out = NULL, *err = NULL;
  int code = tu_run_vqe(args, &out, &err);
  CU_ASSERT_EQUAL(code, want);
  TU_ASSERT_CONTAINS(err, piece);
  /* nothing on stdout that looks like an energy */
  CU_ASSERT(out == NULL || strstr(out, "energy") == NULL);
  free(out); free(err);
}

static void test_errors(void)
{
  expect_fail("scf molecules/h2o.xyz --basis no-such-basis", 2, "unknown basis set 'no-such-basis'");
  expect_fail("scf molecules/h2o.xyz --basis no-such-basis --json", 2, "VQE_BASIS_PATH");
  const char *p = tu_tmpfile(".gbs", "spherical\n****\nH 0\nS 1 1.00\n 1.0 1.0\n****\n");
  char args[512];
  snprintf(args, sizeof args, "scf molecules/h2o.xyz --basis %s", p);
  expect_fail(args, 2, "element O is not in basis set");
  unlink(p);
  expect_fail("scf molecules/h2o.xyz --basis 6-31g --scf-max-iter 2", 1, "SCF did not converge in 2 iterations");
  expect_fail("scf molecules/h2o.xyz --basis 6-31g --scf-max-iter 2 --json", 1, "did not converge");
  expect_fail("scf molecules/h2o.xyz --bogus", 2, "unknown flag '--bogus'");
  expect_fail("scf", 2, "missing molecule file");
  expect_fail("scf molecules/h2o.xyz molecules/n2.xyz", 2, "one molecule file expected");
  expect_fail("scf molecules/h2o.xyz --frozen-core 1", 2, "do not apply to scf");
  expect_fail("scf molecules/h2o.xyz --threads 0", 2, "--threads");
  expect_fail("scf /nonexistent/x.xyz", 2, "x.xyz");
}

static void test_help(void)
{
  char *out = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("help scf", &out, NULL), 0);
  TU_ASSERT_CONTAINS(out, "usage: vqe scf FILE");
  TU_ASSERT_CONTAINS(out, "--basis");
  free(out);
}

int main(void)
{
  static const tu_test tests[] = {
    { "JSON energies against psi4", test_json_energies },
    { "--spherical / --cartesian overrides", test_spherical_override },
    { "table output, stability, follow", test_table_and_stability },
    { "error exits and messages", test_errors },
    { "help", test_help },
    { NULL, NULL },
  };
  return tu_run_suite("cli_scf", tests);
}
