/* test_cli_hamiltonian.c — the `vqe hamiltonian` and `vqe fci` commands: JSON keys and psi4 energies
 * (FCI, frozen-core FCI, CASCI), FCIDUMP input and round trip, the OpenFermion export, atomic -o, and
 * the exit code and message of every bad-input path. */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cJSON *run_json(const char *args, int want_rc)
{
  char *out = NULL, *err = NULL;
  int rc = tu_run_vqe(args, &out, &err);
  if (rc != want_rc) fprintf(stderr, "\n  vqe %s: rc %d\n  stderr: %s\n", args, rc, err ? err : "");
  CU_ASSERT_EQUAL(rc, want_rc);
  cJSON *j = out ? cJSON_Parse(out) : NULL;
  if (!j) fprintf(stderr, "\n  vqe %s: no JSON in: %s\n", args, out ? out : "(null)");
  free(out);
  free(err);
  return j;
}

static double ref(const char *name)
{
  return tu_json_num(tu_psi4_case(name), "e_corr_total");
}

static void check_fci(const char *args, const char *name, const char *method)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s --json", args);
  cJSON *j = run_json(buf, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_fci"), ref(name), 1e-8);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_scf"), tu_json_num(tu_psi4_case(name), "e_scf"), 1e-8);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
  CU_ASSERT(cJSON_IsString(m) && !strcmp(m->valuestring, method));
  const char *keys[] = { "energy_core", "n_qubits", "n_determinants", "n_pauli_terms", "n_x_groups", "n_orbitals",
                         "n_alpha", "n_beta", "one_norm", NULL };
  for (int k = 0; keys[k]; k++) CU_ASSERT(!isnan(tu_json_num(j, keys[k])));
  CU_ASSERT(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "timings")));
  cJSON_Delete(j);
}

static void test_fci_references(void)
{
  check_fci("fci molecules/h2o.xyz --basis sto-3g", "h2o_sto3g", "FCI");
  check_fci("fci molecules/h2o.xyz --basis sto-3g --frozen-core auto", "h2o_sto3g_fc1", "CASCI");
  check_fci("fci molecules/h2o.xyz --basis 6-31g --frozen-core 1 --active-orbitals 8", "h2o_631g", "CASCI");
  check_fci("fci molecules/h2o.xyz --basis 6-31g --active-orbitals 8 --active-electrons 8", "h2o_631g", "CASCI");
  check_fci("fci molecules/n2.xyz --basis sto-3g --frozen-core 2", "n2_sto3g", "CASCI");
  check_fci("fci molecules/oh.xyz --basis sto-3g", "oh_radical_sto3g", "FCI");
  check_fci("hamiltonian molecules/lih.xyz --basis 6-31g --frozen-core 1", "lih_631g", "CASCI");
  /* ⟨S²⟩ of the FCI state: doublet OH radical, singlet water */
  cJSON *j = run_json("fci molecules/oh.xyz --basis sto-3g --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "s2_fci"), 0.75, 1e-8);
  cJSON_Delete(j);
  j = run_json("fci molecules/h2o.xyz --basis sto-3g --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "s2_fci"), 0.0, 1e-8);
  cJSON_Delete(j);
}

static void test_hamiltonian_h2_json(void)
{
  cJSON *j = run_json("hamiltonian molecules/h2.xyz --basis sto-3g --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_pauli_terms"), 15);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_x_groups"), 2);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_qubits"), 4);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_determinants"), 4);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_fci"), ref("h2_sto3g"), 1e-8);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_core"), tu_json_num(tu_psi4_case("h2_sto3g"), "e_nuc"), 1e-8);
  cJSON_Delete(j);
  /* published term counts, this geometry and cutoff 1e-12 */
  const char *mols[] = { "lih", "beh2", "h2o" };
  const int want[] = { 631, 666, 1086 };
  for (int k = 0; k < 3; k++) {
    char buf[256];
    snprintf(buf, sizeof buf, "hamiltonian molecules/%s.xyz --basis sto-3g --no-fci --json", mols[k]);
    j = run_json(buf, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL((int)tu_json_num(j, "n_pauli_terms"), want[k]);
    CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "energy_fci")));
    cJSON_Delete(j);
  }
}

static void test_fcidump_input_and_round_trip(void)
{
  check_fci("fci tests/data/h2o_sto3g.psi4.fcidump", "h2o_sto3g", "FCI");
  /* active-space flags restrict an FCIDUMP: frozen core 1 of psi4's full-space file */
  cJSON *j = run_json("fci tests/data/h2o_sto3g.psi4.fcidump --frozen-core 1 --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_fci"), ref("h2o_sto3g_fc1"), 1e-8);
  cJSON_Delete(j);
  /* write the CASCI Hamiltonian as an FCIDUMP, read it back */
  char path[] = "/tmp/vqe_cli_hamXXXXXX";
  int fd = mkstemp(path);
  close(fd);
  char args[512];
  snprintf(args, sizeof args, "hamiltonian molecules/h2o.xyz --basis 6-31g --frozen-core 1 --active-orbitals 8 --format fcidump -o %s", path);
  CU_ASSERT_EQUAL(tu_run_vqe(args, NULL, NULL), 0);
  snprintf(args, sizeof args, "fci %s --json", path);
  j = run_json(args, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  TU_ASSERT_CLOSE(tu_json_num(j, "energy_fci"), ref("h2o_631g"), 1e-8);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_orbitals"), 8);
  CU_ASSERT_EQUAL((int)tu_json_num(j, "n_determinants"), 4900);
  cJSON_Delete(j);
  unlink(path);
}

static void test_openfermion_output(void)
{
  char path[] = "/tmp/vqe_cli_ofXXXXXX";
  int fd = mkstemp(path);
  close(fd);
  char args[512];
  snprintf(args, sizeof args, "hamiltonian molecules/h2.xyz --basis sto-3g --format openfermion -o %s --json", path);
  cJSON *j = run_json(args, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  cJSON_Delete(j);
  FILE *f = fopen(path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char line[256];
  int n = 0, ident = 0;
  while (fgets(line, sizeof line, f)) {
    n++;
    if (strstr(line, " []")) ident++;
  }
  fclose(f);
  CU_ASSERT_EQUAL(n, 15);
  CU_ASSERT_EQUAL(ident, 1);
  unlink(path);
  char *out = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("hamiltonian molecules/h2.xyz --format openfermion", &out, NULL), 0);
  TU_ASSERT_CONTAINS(out, "[X0 X1 Y2 Y3]");
  free(out);
}

static void expect_fail(const char *args, int rc, const char *piece)
{
  char *out = NULL, *err = NULL;
  int got = tu_run_vqe(args, &out, &err);
  if (got != rc) fprintf(stderr, "\n  vqe %s: rc %d, want %d; stderr: %s\n", args, got, rc, err ? err : "");
  CU_ASSERT_EQUAL(got, rc);
  TU_ASSERT_CONTAINS(err, piece);
  free(out);
  free(err);
}

static void test_errors(void)
{
  const char *bad = tu_tmpfile(".fcidump", "&FCI NORB=2,NELEC=2,\n&END\n0.5 1 1 0\n");
  char args[512];
  snprintf(args, sizeof args, "fci %s", bad);
  expect_fail(args, 2, ":3: expected 5 fields");
  snprintf(args, sizeof args, "hamiltonian %s", bad);
  expect_fail(args, 2, ":3: expected 5 fields");
  unlink(bad);
  /* the .fcidump extension selects the FCIDUMP reader even when the content is wrong */
  bad = tu_tmpfile(".fcidump", "3\nwater\nO 0 0 0\n");
  snprintf(args, sizeof args, "fci %s", bad);
  expect_fail(args, 2, ":1: expected '&FCI' to open the FCIDUMP header, got '3'");
  unlink(bad);
  expect_fail("fci molecules/h2o.xyz --active-orbitals 99", 2, "99 active orbitals with 0 frozen of 7 orbitals (allowed: 1..7)");
  expect_fail("fci molecules/h2o.xyz --frozen-core 6", 2, "6 frozen orbitals but the reference has only 5");
  expect_fail("fci molecules/h2o.xyz --active-electrons 5", 2, "allowed: even numbers of active electrons");
  expect_fail("fci molecules/oh.xyz --active-electrons 4", 2, "multiplicity 2 allowed: odd");
  expect_fail("fci molecules/h2o.xyz --active-electrons 12", 2, "only 10");
  expect_fail("fci molecules/h2o.xyz --active-orbitals 2", 2, "do not fit in 2 active orbitals");
  expect_fail("fci molecules/h2o.xyz --frozen-core 1 --active-electrons 6", 2, "(allowed: --active-electrons 8");
  expect_fail("fci molecules/h2o.xyz --active-orbitals -3", 2, "--active-orbitals expects an integer");
  expect_fail("fci tests/data/h2o_sto3g.psi4.fcidump --basis sto-3g", 2, "--basis does not apply to an FCIDUMP");
  expect_fail("fci tests/data/h2o_sto3g.psi4.fcidump --frozen-core auto", 2, "--frozen-core auto needs a molecule");
  expect_fail("fci tests/data/no_such.fcidump", 2, "no_such.fcidump: cannot open");
  expect_fail("fci", 2, "missing input file");
  expect_fail("fci molecules/h2.xyz --bogus", 2, "unknown flag '--bogus'");
  expect_fail("hamiltonian molecules/h2.xyz --format xml", 2, "--format expects summary, openfermion or fcidump");
  expect_fail("hamiltonian molecules/h2.xyz --format openfermion --json", 2, "needs -o OUT");
  expect_fail("hamiltonian molecules/h2.xyz --cutoff -1", 2, "--cutoff expects a number");
  expect_fail("hamiltonian molecules/h2.xyz --format fcidump -o /nonexistent_vqe_dir/out.fcidump", 2, "/nonexistent_vqe_dir/out.fcidump");
  CU_ASSERT(access("/nonexistent_vqe_dir/out.fcidump", F_OK) != 0);
  /* a failing run leaves an existing OUT untouched */
  const char *keep = tu_tmpfile(".txt", "keep me\n");
  snprintf(args, sizeof args, "hamiltonian molecules/h2o.xyz --active-orbitals 99 --format fcidump -o %s", keep);
  expect_fail(args, 2, "active orbitals");
  FILE *f = fopen(keep, "r");
  char line[64] = "";
  if (f) { if (!fgets(line, sizeof line, f)) line[0] = 0; fclose(f); }
  CU_ASSERT_STRING_EQUAL(line, "keep me\n");
  unlink(keep);
}

int main(void)
{
  const tu_test tests[] = {
    { "fci/hamiltonian --json = psi4 (FCI, frozen core, CASCI, ROHF)", test_fci_references },
    { "hamiltonian H2 JSON; LiH/BeH2/H2O term counts", test_hamiltonian_h2_json },
    { "FCIDUMP input, active space on it, round trip", test_fcidump_input_and_round_trip },
    { "OpenFermion output (-o, stdout)", test_openfermion_output },
    { "bad input: exit 2 with the message", test_errors },
    { NULL, NULL },
  };
  return tu_run_suite("cli_hamiltonian", tests);
}
