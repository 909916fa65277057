/* test_molecule.c — XYZ reading, overrides, validation errors (each with its message), element table. */
#include "testutil.h"
#include <string.h>

static vqe_status read_str(const char *content, const vqe_molecule_overrides *ov, vqe_molecule *m, vqe_error *e)
{
  const char *p = tu_tmpfile(".xyz", content);
  return vqe_molecule_read(p, ov, m, e);
}

static void expect_error(const char *content, const vqe_molecule_overrides *ov, const char *piece)
{
  vqe_molecule m;
  vqe_error e = {0};
  vqe_status st = read_str(content, ov, &m, &e);
  CU_ASSERT_EQUAL(st, VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(vqe_status_exit_code(st), 2);
  TU_ASSERT_CONTAINS(e.msg, piece);
  TU_ASSERT_CONTAINS(e.msg, "/tmp/vqe_tu_");
  CU_ASSERT_PTR_NULL(m.atoms);
}

static void test_water(void)
{
  vqe_molecule m;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_molecule_read(tu_src("molecules/h2o.xyz"), NULL, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.natom, 3);
  CU_ASSERT_EQUAL(m.n_electrons, 10);
  CU_ASSERT_EQUAL(m.n_alpha, 5);
  CU_ASSERT_EQUAL(m.n_beta, 5);
  CU_ASSERT_EQUAL(m.multiplicity, 1);
  CU_ASSERT_STRING_EQUAL(m.basis, "sto-3g");
  TU_ASSERT_CLOSE(m.atoms[0].xyz[2], 0.1173 / VQE_BOHR_ANGSTROM, 1e-14);
  /* psi4's nuclear repulsion for this geometry */
  TU_ASSERT_CLOSE(vqe_molecule_nuclear_repulsion(&m), tu_json_num(tu_psi4_case("h2o_sto3g"), "e_nuc"), 1e-10);
  vqe_molecule_free(&m);
}

static void test_all_reference_geometries(void)
{
  /* every shipped reference molecule gives psi4's nuclear repulsion */
  const struct { const char *file, *ref; } cases[] = {
    {"molecules/h2.xyz", "h2_sto3g"}, {"molecules/heh+.xyz", "heh+_sto3g"}, {"molecules/lih.xyz", "lih_sto3g"},
    {"molecules/beh2.xyz", "beh2_sto3g"}, {"molecules/n2.xyz", "n2_sto3g"}, {"molecules/h4.xyz", "h4_chain_sto3g"},
    {"molecules/oh.xyz", "oh_radical_sto3g"}, {NULL, NULL}};
  for (int i = 0; cases[i].file; i++) {
    vqe_molecule m;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_molecule_read(tu_src(cases[i].file), NULL, &m, &e), VQE_OK);
    const cJSON *ref = tu_psi4_case(cases[i].ref);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    TU_ASSERT_CLOSE(vqe_molecule_nuclear_repulsion(&m), tu_json_num(ref, "e_nuc"), 1e-10);
    CU_ASSERT_EQUAL(m.charge, (int)tu_json_num(ref, "charge"));
    CU_ASSERT_EQUAL(m.multiplicity, (int)tu_json_num(ref, "multiplicity"));
    CU_ASSERT_EQUAL(m.n_alpha, (int)tu_json_num(ref, "nalpha"));
    CU_ASSERT_EQUAL(m.n_beta, (int)tu_json_num(ref, "nbeta"));
    vqe_molecule_free(&m);
  }
}

static void test_all_shipped_files_read(void)
{
  const char *files[] = {"h2", "heh+", "lih", "beh2", "h2o", "n2", "oh", "h4", "nh3", "ch4", "hf", "o2", "h6", "benzene", NULL};
  for (int i = 0; files[i]; i++) {
    char rel[64];
    snprintf(rel, sizeof rel, "molecules/%s.xyz", files[i]);
    vqe_molecule m;
    vqe_error e = {0};
    vqe_status st = vqe_molecule_read(tu_src(rel), NULL, &m, &e);
    if (st) fprintf(stderr, "%s\n", e.msg);
    CU_ASSERT_EQUAL(st, VQE_OK);
    vqe_molecule_free(&m);
  }
  vqe_molecule m;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_molecule_read(tu_src("molecules/o2.xyz"), NULL, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.multiplicity, 3);
  CU_ASSERT_EQUAL(m.n_alpha - m.n_beta, 2);
  vqe_molecule_free(&m);
}

static void test_comment_keys_and_overrides(void)
{
  vqe_molecule m;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(read_str("2\nlabel charge=1 mult=1 basis=6-31G* units=bohr\nHe 0 0 0\nH 0 0 1.4\n", NULL, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.charge, 1);
  CU_ASSERT_EQUAL(m.n_electrons, 2);
  CU_ASSERT_STRING_EQUAL(m.basis, "6-31G*");
  TU_ASSERT_CLOSE(m.atoms[1].xyz[2], 1.4, 1e-15);   /* bohr kept as is */
  TU_ASSERT_CLOSE(vqe_molecule_nuclear_repulsion(&m), 2.0 / 1.4, 1e-14);
  vqe_molecule_free(&m);

  vqe_molecule_overrides ov = { .has_charge = 1, .charge = 0, .has_multiplicity = 1, .multiplicity = 3, .basis = "cc-pvdz" };
  CU_ASSERT_EQUAL_FATAL(read_str("2\ncharge=1 multiplicity=1\nO 0 0 0\nO 0 0 1.2\n", &ov, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.charge, 0);
  CU_ASSERT_EQUAL(m.multiplicity, 3);
  CU_ASSERT_EQUAL(m.n_alpha, 9);
  CU_ASSERT_EQUAL(m.n_beta, 7);
  CU_ASSERT_STRING_EQUAL(m.basis, "cc-pvdz");
  vqe_molecule_free(&m);

  /* default multiplicity: lowest possible; case-insensitive symbols; atomic numbers accepted */
  CU_ASSERT_EQUAL_FATAL(read_str("2\n\no 0 0 0\n1 0 0 0.97\n", NULL, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.multiplicity, 2);
  CU_ASSERT_EQUAL(m.atoms[0].Z, 8);
  CU_ASSERT_EQUAL(m.atoms[1].Z, 1);
  vqe_molecule_free(&m);
}

static void test_errors(void)
{
  vqe_molecule m;
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_molecule_read("/nonexistent/x.xyz", NULL, &m, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "/nonexistent/x.xyz: cannot open");
  expect_error("", NULL, ":1: empty file");
  expect_error("two\nc\nH 0 0 0\n", NULL, ":1: expected the number of atoms");
  expect_error("0\nc\n", NULL, ":1: expected the number of atoms");
  expect_error("3\nc\nH 0 0 0\nH 0 0 1\n", NULL, "file ends after 2 atom lines but line 1 says 3");
  expect_error("1\nc\nH 0 0 0\nH 0 0 1\n", NULL, ":4: more atom lines than the 1 given on line 1");
  expect_error("2\nc\nH 0 0 0\nXx 0 0 1\n", NULL, ":4: unknown element 'Xx' (allowed: H to Kr");
  expect_error("2\nc\nH 0 0 0\nRb 0 0 1\n", NULL, "unknown element 'Rb'");
  expect_error("2\nc\nH 0 0 0\nH 0 abc 1\n", NULL, ":4: y coordinate 'abc' is not a number");
  expect_error("2\nc\nH 0 0 0\nH 0 0 nan\n", NULL, ":4: z coordinate 'nan' is not finite");
  expect_error("2\nc\nH 0 0 0\nH 0 0 inf\n", NULL, "not finite");
  expect_error("2\nc\nH 0 0 0\nH 0 0\n", NULL, ":4: missing z coordinate");
  expect_error("2\nc\nH 0 0 0\nH 0 0 1 5\n", NULL, ":4: unexpected field '5'");
  expect_error("2\nc\nH 0 0 0\nH 0 0 0.05\n", NULL, ":4: atom 2 (H) is 0.0500 Å from atom 1 (H, line 3) (allowed: at least 0.1 Å apart)");
  expect_error("3\nmultiplicity=2\nO 0 0 0\nH 0 0.75 -0.47\nH 0 -0.75 -0.47\n", NULL,
               ":2: multiplicity 2 is impossible with 10 electrons (allowed: 1, 3, ... up to 11)");
  expect_error("1\ncharge=3\nLi 0 0 0\n", NULL, ":2: charge 3 leaves 0 electrons");
  expect_error("1\ncharge=5\nLi 0 0 0\n", NULL, "removes more electrons than the 3 the nuclei bring");
  expect_error("1\nmultiplicity=5\nH 0 0 0\n", NULL, "multiplicity 5 is impossible with 1 electrons (allowed: 2, 4, ... up to 2)");
  expect_error("1\nmult=0\nH 0 0 0\n", NULL, ":2: mult=0 is not a positive integer");
  expect_error("1\ncharge=x\nH 0 0 0\n", NULL, ":2: charge=x is not an integer");
  expect_error("1\nunits=furlong\nH 0 0 0\n", NULL, "units=furlong is unknown (allowed: units=angstrom, units=bohr)");
  expect_error("1\nmultiplicty=2\nH 0 0 0\n", NULL, "unknown key 'multiplicty='");
  vqe_molecule_overrides ov = { .has_multiplicity = 1, .multiplicity = 2 };
  expect_error("2\n\nH 0 0 0\nH 0 0 0.74\n", &ov, "--multiplicity 2: multiplicity 2 is impossible with 2 electrons");
  vqe_molecule_overrides oq = { .has_charge = 1, .charge = -1 };
  /* charge -1 on H2 -> 3 electrons, default multiplicity becomes 2: fine */
  CU_ASSERT_EQUAL(read_str("2\n\nH 0 0 0\nH 0 0 0.74\n", &oq, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.multiplicity, 2);
  vqe_molecule_free(&m);
  /* file multiplicity=1 + --charge 1 -> odd electrons: error names the flag */
  expect_error("2\nmultiplicity=1\nH 0 0 0\nH 0 0 0.74\n", &(vqe_molecule_overrides){ .has_charge = 1, .charge = 1 },
               "multiplicity 1 is impossible with 1 electrons");
}

static void test_from_atoms_and_elements(void)
{
  vqe_molecule m;
  vqe_error e = {0};
  int Z[2] = {1, 1};
  double xyz[6] = {0, 0, 0, 0, 0, 0.7414};
  CU_ASSERT_EQUAL_FATAL(vqe_molecule_from_atoms(2, Z, xyz, 0, 0, &m, &e), VQE_OK);
  TU_ASSERT_CLOSE(vqe_molecule_nuclear_repulsion(&m), tu_json_num(tu_psi4_case("h2_sto3g"), "e_nuc"), 1e-12);
  vqe_molecule c;
  CU_ASSERT_EQUAL(vqe_molecule_copy(&c, &m, &e), VQE_OK);
  CU_ASSERT_EQUAL(c.atoms[1].xyz[2], m.atoms[1].xyz[2]);
  vqe_molecule_free(&c);
  CU_ASSERT_EQUAL(vqe_molecule_set_spin(&m, 0, 3, &e), VQE_OK);
  CU_ASSERT_EQUAL(m.n_alpha, 2);
  CU_ASSERT_EQUAL(m.n_beta, 0);
  CU_ASSERT_EQUAL(vqe_molecule_set_spin(&m, 0, 2, &e), VQE_ERR_INPUT);
  vqe_molecule_free(&m);
  vqe_molecule_free(NULL);
  int bad[1] = {37};
  CU_ASSERT_EQUAL(vqe_molecule_from_atoms(1, bad, xyz, 0, 0, &m, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "atomic number 37 is not supported");
  CU_ASSERT_EQUAL(vqe_element_z("kr"), 36);
  CU_ASSERT_EQUAL(vqe_element_z("Rb"), 0);
  CU_ASSERT_STRING_EQUAL(vqe_element_symbol(26), "Fe");
  CU_ASSERT_EQUAL(vqe_element_core_orbitals(1), 0);
  CU_ASSERT_EQUAL(vqe_element_core_orbitals(3), 1);
  CU_ASSERT_EQUAL(vqe_element_core_orbitals(17), 5);
  CU_ASSERT_EQUAL(vqe_element_core_orbitals(36), 9);
}

int main(void)
{
  const tu_test tests[] = {
    {"water", test_water},
    {"reference geometries give psi4 E_nuc", test_all_reference_geometries},
    {"all shipped molecules read", test_all_shipped_files_read},
    {"comment keys and overrides", test_comment_keys_and_overrides},
    {"bad input errors", test_errors},
    {"from atoms, copy, spin, elements", test_from_atoms_and_elements},
    {NULL, NULL}};
  return tu_run_suite("molecule", tests);
}
