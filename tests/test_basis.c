/* test_basis.c — basis.h: name lookup, the Gaussian94 parser on the shipped psi4 files and on
 * malformed temporary files (every error path: status and a piece of the message). */
#include "chemtest.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int load(const char *name, const char *casename, int pure, vqe_basis *b, vqe_error *err)
{
  vqe_molecule mol = {0};
  if (!ct_case_molecule(casename, &mol)) return -1;
  vqe_status st = vqe_basis_load(name, &mol, pure, b, err);
  vqe_molecule_free(&mol);
  return (int)st;
}

static void test_nbf_counts(void)
{
  static const struct { const char *basis, *mol; int pure, nbf; } rows[] = {
    { "sto-3g", "h2o_sto3g", -1, 7 },
    { "6-31G", "h2o_631g", -1, 13 },
    { "6-31G*", "h2o_631gs", -1, 19 },     /* psi4's file says cartesian: 6 d functions */
    { "6-31g*", "h2o_631gs", 1, 18 },      /* forced spherical */
    { "cc-pVDZ", "h2o_ccpvdz", -1, 24 },
    { "cc-pvdz", "h2o_ccpvdz", 0, 25 },    /* forced cartesian */
    { "6-31G**", "h2o_631gs", -1, 25 },
    { "cc-pvtz", "h2o_ccpvdz", -1, 58 },
    { "aug-cc-pvdz", "h2o_ccpvdz", -1, 41 },
    { "def2-svp", "h2o_ccpvdz", -1, 24 },
    { "def2-tzvp", "h2o_ccpvdz", -1, 43 },
    { "3-21g", "h2o_ccpvdz", -1, 13 },
    { "6-311g", "h2o_ccpvdz", -1, 19 },
    { "sto-3g", "lih_sto3g", -1, 6 },
    { "6-31g", "lih_631g", -1, 11 },
  };
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    vqe_basis b;
    vqe_error err = {0};
    int st = load(rows[k].basis, rows[k].mol, rows[k].pure, &b, &err);
    if (st) fprintf(stderr, "\n  %s: %s\n", rows[k].basis, err.msg);
    CU_ASSERT_EQUAL(st, VQE_OK);
    if (st) continue;
    if (b.nbf != rows[k].nbf) fprintf(stderr, "\n  %s on %s: nbf %d, expected %d\n", rows[k].basis, rows[k].mol, b.nbf, rows[k].nbf);
    CU_ASSERT_EQUAL(b.nbf, rows[k].nbf);
    CU_ASSERT_EQUAL(b.shell_offset[b.nshell], b.nbf);
    vqe_basis_free(&b);
  }
}

static void test_reference_nbf(void)
{
  /* every psi4 reference case: our basis gives psi4's nbf */
  const cJSON *c;
  cJSON_ArrayForEach(c, tu_psi4_refs()) {
    const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
    vqe_basis b;
    vqe_error err = {0};
    int st = load(ct_case_str(name, "basis"), name, -1, &b, &err);
    CU_ASSERT_EQUAL(st, VQE_OK);
    if (st) continue;
    CU_ASSERT_EQUAL(b.nbf, (int)tu_json_num(c, "nbf"));
    vqe_basis_free(&b);
  }
}

static void test_find_names(void)
{
  static const struct { const char *name, *file; } rows[] = {
    { "6-31G*", "/6-31gs.gbs" }, { "6-31G**", "/6-31gss.gbs" }, { "cc-pVDZ", "/cc-pvdz.gbs" },
    { "AUG-CC-PVDZ", "/aug-cc-pvdz.gbs" }, { "STO-3G", "/sto-3g.gbs" }, { "def2-SVP", "/def2-svp.gbs" },
  };
  for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
    char path[512];
    vqe_error err = {0};
    CU_ASSERT_EQUAL(vqe_basis_find(rows[k].name, path, sizeof path, &err), VQE_OK);
    size_t n = strlen(path), m = strlen(rows[k].file);
    CU_ASSERT(n >= m && !strcmp(path + n - m, rows[k].file));
  }
}

static void test_basis_path_env_and_file_path(void)
{
  char dir[] = "/tmp/vqe_basis_XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char file[600];
  /* psi4 naming of "my-6-31+G(d,p)": my-6-31pg_d_p_ */
  snprintf(file, sizeof file, "%s/my-6-31pg_d_p_.gbs", dir);
  FILE *f = fopen(file, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("cartesian\n****\nH 0\nS 1 1.00\n 1.0D+00 1.0D+00\n****\n", f);
  fclose(f);
  setenv("VQE_BASIS_PATH", dir, 1);
  char path[512];
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_basis_find("MY-6-31+G(d,p)", path, sizeof path, &err), VQE_OK);
  CU_ASSERT_STRING_EQUAL(path, file);
  unsetenv("VQE_BASIS_PATH");
  /* the same file by path */
  vqe_molecule mol = {0};
  ct_case_molecule("h2_sto3g", &mol);
  vqe_basis b;
  CU_ASSERT_EQUAL(vqe_basis_load(file, &mol, -1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nbf, 2);
  CU_ASSERT_STRING_EQUAL(b.name, "my-6-31pg_d_p_");
  vqe_basis_free(&b);
  vqe_molecule_free(&mol);
  unlink(file);
  rmdir(dir);
}

static void test_sp_shells(void)
{
  /* 6-31G carbon/lithium: S(6), SP(3), SP(1) -> S S P S P; both halves share the exponents */
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(load("6-31g", "lih_631g", -1, &b, &err), VQE_OK);
  static const int ls[] = { 0, 0, 1, 0, 1, 0, 0 };   /* Li: S SP SP, then H: S S */
  CU_ASSERT_EQUAL(b.nshell, 7);
  for (int s = 0; s < 7 && s < b.nshell; s++) CU_ASSERT_EQUAL(b.shells[s].l, ls[s]);
  CU_ASSERT_EQUAL(b.shells[1].nprim, 3);
  CU_ASSERT_EQUAL(b.shells[2].nprim, 3);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[1].exps[0], 2.3249184, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[2].exps[0], 2.3249184, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[1].coefs[0], -0.0350917, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[2].coefs[0], 0.0089415, 1e-12);
  CU_ASSERT_EQUAL(b.shells[5].atom, 1);
  vqe_basis_free(&b);
}

static void test_fortran_exponents_scale_header(void)
{
  const char *p = tu_tmpfile(".gbs",
    "! comment line\n"
    "cartesian\n\n****\n"
    "H     0\n"
    "S   2   1.00\n"
    "  1.0D+01   0.5D+00\n"
    "  2.5d-1    0.5\n"
    "P   1   2.00\n"
    "  1.0E-01   1.0\n"
    "D   1   1.00\n"
    "  0.8 1.0\n"
    "****\n"
    "O 0\n"
    "F 1 1.0\n 1.0 1.0\n"
    "G 1 1.0\n 1.0 1.0\n"
    "****\n");
  vqe_molecule mol = {0};
  ct_case_molecule("h2_sto3g", &mol);
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_basis_load(p, &mol, -1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nshell, 6);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[0].exps[0], 10.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[0].exps[1], 0.25, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[0].coefs[0], 0.5, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(b.shells[1].exps[0], 0.4, 1e-12);   /* scale factor 2: exponent * 4 */
  CU_ASSERT_EQUAL(b.shells[2].pure, 0);
  CU_ASSERT_EQUAL(b.nbf, 2 * (1 + 3 + 6));
  CU_ASSERT_EQUAL(b.max_l, 2);
  vqe_basis_free(&b);
  CU_ASSERT_EQUAL(vqe_basis_load(p, &mol, 1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nbf, 2 * (1 + 3 + 5));
  vqe_basis_free(&b);
  vqe_molecule_free(&mol);
  /* water on the same file: F and G shells on O */
  CU_ASSERT_EQUAL(load(p, "h2o_sto3g", -1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nbf, 10 + 10 + 15 + 10);
  CU_ASSERT_EQUAL(b.max_l, 4);
  vqe_basis_free(&b);
  unlink(p);
}

static void test_spherical_default(void)
{
  /* a file without the header word is spherical */
  const char *p = tu_tmpfile(".g94", "****\nH 0\nD 1 1.00\n 1.0 1.0\n****\n");
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(load(p, "h2_sto3g", -1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nbf, 10);
  CU_ASSERT_EQUAL(b.shells[0].pure, 1);
  vqe_basis_free(&b);
  unlink(p);
}

static void test_unknown_basis(void)
{
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(load("no-such-basis", "h2_sto3g", -1, &b, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "unknown basis set 'no-such-basis'");
  TU_ASSERT_CONTAINS(err.msg, "/basis");
  err = (vqe_error){0};
  CU_ASSERT_EQUAL(load("/nonexistent/x.gbs", "h2_sto3g", -1, &b, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "not found");
}

static void test_element_missing(void)
{
  const char *p = tu_tmpfile(".gbs", "spherical\n****\nH 0\nS 1 1.00\n 1.0 1.0\n****\n");
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(load(p, "h2o_sto3g", -1, &b, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "element O is not in basis set");
  unlink(p);
}

/* Each malformed file: expected message pieces. */
static void expect_malformed(const char *content, const char *piece1, const char *piece2)
{
  const char *p = tu_tmpfile(".gbs", content);
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(load(p, "h2_sto3g", -1, &b, &err), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(err.status, VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, p);
  TU_ASSERT_CONTAINS(err.msg, piece1);
  if (piece2) TU_ASSERT_CONTAINS(err.msg, piece2);
  unlink(p);
}

static void test_malformed(void)
{
  /* bad primitive: line 5, shell starts at line 3 */
  expect_malformed("****\nH 0\nS 2 1.00\n 1.0 0.5\n 1.0 abc\n****\n",
                   ":5: expected exponent and coefficient", "(shell starting at line 3)");
  /* SP shell needs two coefficients */
  expect_malformed("****\nH 0\nSP 1 1.00\n 1.0 0.5\n****\n", ":4: expected exponent and two coefficients",
                   "(shell starting at line 3)");
  /* truncated */
  expect_malformed("****\nH 0\nS 3 1.00\n 1.0 0.5\n", "unexpected end of file", "(shell starting at line 3)");
  /* unknown shell letter */
  expect_malformed("****\nH 0\nX 1 1.00\n 1.0 0.5\n****\n", ":3: unknown shell type 'X'", NULL);
  /* l = 5 is beyond what we support */
  expect_malformed("****\nH 0\nH 1 1.00\n 1.0 0.5\n****\n", ":3: angular momentum", NULL);
  /* bad primitive count */
  expect_malformed("****\nH 0\nS x 1.00\n 1.0 0.5\n****\n", ":3: expected a shell header", NULL);
  /* negative exponent */
  expect_malformed("****\nH 0\nS 1 1.00\n -1.0 0.5\n****\n", ":4: exponent", "must be positive");
  /* garbage where an element header belongs */
  expect_malformed("****\nhello world again\n", ":2: expected an element header", NULL);
  /* element twice */
  expect_malformed("****\nH 0\nS 1 1.00\n 1.0 1.0\n****\nH 0\nS 1 1.00\n 1.0 1.0\n****\n",
                   ":6: element H appears twice", NULL);
  /* empty file */
  expect_malformed("! nothing here\n", "no element blocks", NULL);
}

static void test_ecp_section_ignored(void)
{
  /* def2 files end with an ECP section for heavy elements; light elements load fine. */
  vqe_basis b;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(load("def2-svp", "n2_sto3g", -1, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.nbf, 28);
  vqe_basis_free(&b);
  vqe_basis_free(NULL);
}

int main(void)
{
  static const tu_test tests[] = {
    { "nbf counts on shipped files", test_nbf_counts },
    { "nbf equals psi4 for every reference case", test_reference_nbf },
    { "psi4 file naming", test_find_names },
    { "VQE_BASIS_PATH and file paths", test_basis_path_env_and_file_path },
    { "SP shells split S then P", test_sp_shells },
    { "Fortran D exponents, scale factor, header word", test_fortran_exponents_scale_header },
    { "no header word means spherical", test_spherical_default },
    { "unknown basis", test_unknown_basis },
    { "element missing", test_element_missing },
    { "malformed files", test_malformed },
    { "def2 ECP section ignored", test_ecp_section_ignored },
    { NULL, NULL },
  };
  return tu_run_suite("basis", tests);
}
