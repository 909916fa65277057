/* test_vqe_run.c — the VQE driver (vqe_run.h) end to end: UCCSD reaches FCI on H2, LiH and H2O/STO-3G
 * and matches the independent numbers of tests/data/vqe_reference.json; GateFabric, k-UpCCGSD and the
 * hardware-efficient ansatz reach chemical accuracy where they should; seeds reproduce; iteration
 * limits, non-finite energies, parameter files and traces. */
#include "testutil.h"
#include <string.h>
#include <stdlib.h>

/* Molecule file → SCF → active space (k frozen orbitals) → MO Hamiltonian. */
static int load_xyz(const char *rel, int frozen, vqe_mo_hamiltonian *ham, double *e_scf)
{
  vqe_error e = {0};
  vqe_molecule mol;
  vqe_basis basis;
  vqe_integrals ints;
  vqe_scf_result scf;
  memset(&mol, 0, sizeof mol); memset(&basis, 0, sizeof basis);
  memset(&ints, 0, sizeof ints); memset(&scf, 0, sizeof scf);
  memset(ham, 0, sizeof *ham);
  vqe_molecule_overrides ov;
  memset(&ov, 0, sizeof ov);
  vqe_status st = vqe_molecule_read(tu_src(rel), &ov, &mol, &e);
  if (!st) st = vqe_basis_load(mol.basis[0] ? mol.basis : "sto-3g", &mol, -1, &basis, &e);
  if (!st) st = vqe_integrals_compute(&basis, &mol, -1.0, &ints, &e);
  vqe_scf_options o;
  vqe_scf_options_default(&o);
  if (!st) st = vqe_scf_run(&mol, &basis, &ints, &o, &scf, &e);
  vqe_active_space as;
  if (!st) st = vqe_active_space_resolve(&mol, scf.nmo, scf.n_alpha, scf.n_beta, frozen, -1, -1, &as, &e);
  if (!st) st = vqe_mo_hamiltonian_build(&scf, &ints, &as, ham, &e);
  if (e_scf) *e_scf = scf.e_total;
  if (st) fprintf(stderr, "\n  loading %s: %s\n", rel, e.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  vqe_scf_result_free(&scf);
  vqe_integrals_free(&ints);
  vqe_basis_free(&basis);
  vqe_molecule_free(&mol);
  return st == VQE_OK;
}

static int load_fcidump(const char *rel, vqe_mo_hamiltonian *ham)
{
  vqe_error e = {0};
  memset(ham, 0, sizeof *ham);
  vqe_status st = vqe_fcidump_read(tu_src(rel), ham, &e);
  if (st) fprintf(stderr, "\n  loading %s: %s\n", rel, e.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  return st == VQE_OK;
}

/* tests/data/vqe_reference.json entry */
static const cJSON *vqe_ref(const char *cas, const char *ansatz, const char *variant)
{
  static cJSON *root = NULL;
  if (!root) {
    FILE *f = fopen(tu_src("tests/data/vqe_reference.json"), "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    root = cJSON_Parse(buf);
    free(buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  }
  const cJSON *it;
  cJSON_ArrayForEach(it, root) {
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "case");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, "ansatz");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "variant");
    if (cJSON_IsString(c) && !strcmp(c->valuestring, cas) && cJSON_IsString(a) && !strcmp(a->valuestring, ansatz) &&
        cJSON_IsString(v) && !strcmp(v->valuestring, variant))
      return it;
  }
  CU_FAIL("reference entry missing");
  return NULL;
}

static vqe_status run(const vqe_mo_hamiltonian *ham, vqe_ansatz_kind k, int layers, vqe_run_result *r,
                      vqe_error *e)
{
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = ham;
  c.ansatz.kind = k;
  c.ansatz.layers = layers;
  c.opt.gtol = 1e-7;
  return vqe_vqe_run(&c, r, e);
}

static void report(const char *what, const vqe_run_result *r)
{
  fprintf(stderr, "\n    %-28s %2d qubits %4d params  E_VQE %.10f  E_FCI %.10f  error %.6f mEh  %d it  %.2f s",
          what, r->n_qubits, r->n_params, r->e_vqe, r->e_fci, r->error_mha, r->iterations, r->t_total);
}

static void check_uccsd(const vqe_mo_hamiltonian *ham, const char *cas, double tol_fci, double e_scf)
{
  vqe_run_result r;
  vqe_error e = {0};
  vqe_status st = run(ham, VQE_ANSATZ_UCCSD, 1, &r, &e);
  if (st) fprintf(stderr, "\n  %s: %s\n", cas, e.msg);
  CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
  report(cas, &r);
  const cJSON *ref = vqe_ref(cas, "UCCSD", "trotter_doubles_then_singles");
  CU_ASSERT_EQUAL(r.n_params, (int)tu_json_num(ref, "n_params"));
  CU_ASSERT_EQUAL(r.n_qubits, (int)tu_json_num(ref, "n_qubits"));
  TU_ASSERT_CLOSE(r.e_fci, tu_json_num(ref, "e_fci"), 1e-7);
  TU_ASSERT_CLOSE(r.e_hf, tu_json_num(ref, "e_hf"), 1e-7);
  if (isfinite(e_scf)) TU_ASSERT_CLOSE(r.e_hf, e_scf, 1e-8);
  CU_ASSERT(fabs(r.e_vqe - r.e_fci) <= tol_fci);
  CU_ASSERT(r.e_vqe >= r.e_fci - 1e-9);                 /* variational */
  TU_ASSERT_CLOSE(r.e_vqe, tu_json_num(ref, "e_vqe"), 1e-6);
  CU_ASSERT_EQUAL(r.chemical_accuracy, 1);
  CU_ASSERT_EQUAL(r.converged, 1);
  TU_ASSERT_CLOSE(r.obs.n, ham->n_alpha + ham->n_beta, 1e-10);
  TU_ASSERT_CLOSE(r.obs.sz, 0.5 * (ham->n_alpha - ham->n_beta), 1e-10);
  TU_ASSERT_CLOSE(r.obs.s2, tu_json_num(ref, "s2"), 1e-4);
  CU_ASSERT(r.n_gradient_evals > 0);
  vqe_run_result_free(&r);
}

static void test_uccsd_h2(void)
{
  vqe_mo_hamiltonian h;
  double escf;
  if (!load_xyz("molecules/h2.xyz", 0, &h, &escf)) return;
  check_uccsd(&h, "h2_sto3g", 1e-6, escf);
  vqe_mo_hamiltonian_free(&h);
}

static void test_uccsd_lih(void)
{
  vqe_mo_hamiltonian h;
  double escf;
  if (!load_xyz("molecules/lih.xyz", 1, &h, &escf)) return;
  check_uccsd(&h, "lih_sto3g_fc1", 1e-6, escf);
  vqe_mo_hamiltonian_free(&h);
  if (!load_xyz("molecules/lih.xyz", 0, &h, &escf)) return;
  check_uccsd(&h, "lih_sto3g", VQE_CHEMICAL_ACCURACY, escf);
  vqe_mo_hamiltonian_free(&h);
}

static void test_uccsd_h2o(void)
{
  vqe_mo_hamiltonian h;
  double escf;
  if (!load_xyz("molecules/h2o.xyz", 1, &h, &escf)) return;
  check_uccsd(&h, "h2o_sto3g_fc1", VQE_CHEMICAL_ACCURACY, escf);
  vqe_mo_hamiltonian_free(&h);
  /* the same through psi4's full-space FCIDUMP, frozen core applied here (psi4 1.3.2's own fc1 FCIDUMP
   * misses one-body integrals, see test_fci.c) */
  vqe_mo_hamiltonian full;
  if (!load_fcidump("tests/data/h2o_sto3g.psi4.fcidump", &full)) return;
  vqe_active_space as = { 1, 6, 4, 4 };
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_restrict(&full, &as, &h, &e), VQE_OK);
  vqe_mo_hamiltonian_free(&full);
  vqe_run_result r;
  CU_ASSERT_EQUAL_FATAL(run(&h, VQE_ANSATZ_UCCSD, 1, &r, &e), VQE_OK);
  report("h2o fc1 (psi4 FCIDUMP)", &r);
  CU_ASSERT_EQUAL(r.n_params, 92);
  CU_ASSERT_EQUAL(r.chemical_accuracy, 1);
  const cJSON *ref = vqe_ref("h2o_sto3g_fc1", "UCCSD", "trotter_doubles_then_singles");
  TU_ASSERT_CLOSE(r.e_fci, tu_json_num(ref, "e_fci"), 1e-7);
  TU_ASSERT_CLOSE(r.e_vqe, tu_json_num(ref, "e_vqe"), 1e-6);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

/* Spin-adapted UCCSD: FCI on H2 and LiH (fc), chemical accuracy on LiH and H2O (fc) with fewer than half
 * the parameters of untied UCCSD, and S² exactly 0 at the optimum (not only to the accuracy of the fit:
 * every factor commutes with S²). */
static void check_sa_uccsd(const char *xyz, int fc, const char *what, int n_params, double tol)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz(xyz, fc, &h, NULL)) return;
  vqe_run_result r;
  vqe_error e = {0};
  vqe_status st = run(&h, VQE_ANSATZ_SA_UCCSD, 1, &r, &e);
  if (st) fprintf(stderr, "\n  %s: %s\n", what, e.msg);
  CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
  report(what, &r);
  CU_ASSERT_EQUAL(r.n_params, n_params);
  CU_ASSERT(fabs(r.e_vqe - r.e_fci) <= tol);
  CU_ASSERT(r.e_vqe >= r.e_fci - 1e-9);
  CU_ASSERT_EQUAL(r.chemical_accuracy, 1);
  CU_ASSERT_EQUAL(r.converged, 1);
  TU_ASSERT_CLOSE(r.obs.n, h.n_alpha + h.n_beta, 1e-10);
  TU_ASSERT_CLOSE(r.obs.s2, 0.0, 1e-10);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

static void test_sa_uccsd(void)
{
  check_sa_uccsd("molecules/h2.xyz", 0, "h2 sa-uccsd", 2, 1e-6);
  check_sa_uccsd("molecules/lih.xyz", 1, "lih fc1 sa-uccsd", 14, 1e-6);
  check_sa_uccsd("molecules/lih.xyz", 0, "lih sa-uccsd", 44, VQE_CHEMICAL_ACCURACY);
  check_sa_uccsd("molecules/h2o.xyz", 1, "h2o fc1 sa-uccsd", 44, VQE_CHEMICAL_ACCURACY);
}

static void test_gatefabric(void)
{
  vqe_mo_hamiltonian h;
  vqe_run_result r;
  vqe_error e = {0};
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  CU_ASSERT_EQUAL_FATAL(run(&h, VQE_ANSATZ_GATEFABRIC, 1, &r, &e), VQE_OK);
  report("h2 gatefabric L=1", &r);
  CU_ASSERT(fabs(r.error_mha) < 1e-3);
  CU_ASSERT_EQUAL(r.n_params, 2);
  TU_ASSERT_CLOSE(r.obs.s2, 0.0, 1e-10);
  vqe_run_result_free(&r);
  CU_ASSERT_EQUAL_FATAL(run(&h, VQE_ANSATZ_KUPCCGSD, 1, &r, &e), VQE_OK);
  report("h2 k-UpCCGSD k=1", &r);
  CU_ASSERT(fabs(r.error_mha) < 1e-3);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
  /* LiH fc1: from θ = 0 GateFabric stays in a symmetry-restricted subspace (the σ–π orbital
   * rotations have zero gradient by symmetry and the 4σ orbital is reachable only through them), so it
   * stops at 4.25 mEh for any L; a small random start breaks the symmetry and L = 3 reaches FCI. */
  if (!load_xyz("molecules/lih.xyz", 1, &h, NULL)) return;
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = &h;
  c.ansatz.kind = VQE_ANSATZ_GATEFABRIC;
  c.ansatz.layers = 3;
  c.init = VQE_INIT_RANDOM;
  /* a random start can still end in a local minimum (which one depends on rounding: optimised and
   * debug builds differ), so take the best of a few seeded starts, as `vqe run --restarts` does */
  double best = INFINITY;
  for (uint64_t seed = 1; seed <= 4 && !(best < 1.6); seed++) {
    c.seed = seed;
    CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c, &r, &e), VQE_OK);
    report("lih fc1 gatefabric L=3", &r);
    best = fmin(best, fabs(r.error_mha));
    TU_ASSERT_CLOSE(r.obs.n, 2.0, 1e-10);
    TU_ASSERT_CLOSE(r.obs.s2, 0.0, 1e-10);
    vqe_run_result_free(&r);
  }
  CU_ASSERT(best < 1.6);
  vqe_mo_hamiltonian_free(&h);
}

static void test_hea_h2(void)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  double best = INFINITY;
  for (uint64_t seed = 1; seed <= 4 && best > 1.6; seed++) {
    vqe_run_config c;
    vqe_run_config_default(&c);
    c.ham = &h;
    c.ansatz.kind = VQE_ANSATZ_HEA;
    c.ansatz.layers = 2;
    c.init = VQE_INIT_RANDOM;
    c.seed = seed;
    vqe_run_result r;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c, &r, &e), VQE_OK);
    report("h2 hea L=2", &r);
    CU_ASSERT_EQUAL(r.n_params, 24);
    if (fabs(r.error_mha) < best) best = fabs(r.error_mha);
    vqe_run_result_free(&r);
  }
  CU_ASSERT(best <= 1.6);
  vqe_mo_hamiltonian_free(&h);
}

static void test_seed_reproducible(void)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  vqe_run_result r[2];
  for (int k = 0; k < 2; k++) {
    vqe_run_config c;
    vqe_run_config_default(&c);
    c.ham = &h;
    c.ansatz.kind = VQE_ANSATZ_HEA;
    c.init = VQE_INIT_RANDOM;
    c.seed = 42;
    c.opt.kind = VQE_OPT_SPSA;
    c.opt.max_iter = 50;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c, &r[k], &e), VQE_OK);
  }
  CU_ASSERT_EQUAL(r[0].n_params, r[1].n_params);
  CU_ASSERT(r[0].e_vqe == r[1].e_vqe);
  CU_ASSERT(memcmp(r[0].params, r[1].params, (size_t)r[0].n_params * sizeof(double)) == 0);
  vqe_run_result_free(&r[0]);
  vqe_run_result_free(&r[1]);
  vqe_mo_hamiltonian_free(&h);
}

static void test_iteration_limit(void)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/lih.xyz", 1, &h, NULL)) return;
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = &h;
  c.opt.max_iter = 2;
  c.fci = 0;
  vqe_run_result r;
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_vqe_run(&c, &r, &e), VQE_OK);
  CU_ASSERT_EQUAL(r.converged, 0);
  CU_ASSERT(r.iterations <= 2);
  CU_ASSERT(isnan(r.e_fci));
  CU_ASSERT_EQUAL(r.chemical_accuracy, -1);
  CU_ASSERT(r.e_vqe < r.e_hf);
  CU_ASSERT(r.stop_reason[0] != 0);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

static void test_nonfinite(void)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  vqe_pauli_sum q;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &q, &e), VQE_OK);
  q.terms[q.n_terms - 1].coeff = NAN;
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = &h;
  c.qubit_ham = &q;
  vqe_run_result r;
  CU_ASSERT_EQUAL(vqe_vqe_run(&c, &r, &e), VQE_ERR_COMPUTE);
  CU_ASSERT(strlen(e.msg) > 0);
  fprintf(stderr, "\n    message: %s", e.msg);
  vqe_run_result_free(&r);
  vqe_pauli_sum_free(&q);
  vqe_mo_hamiltonian_free(&h);
}

static void test_init_and_files(void)
{
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = &h;
  vqe_run_result r;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c, &r, &e), VQE_OK);
  const char *path = tu_tmpfile(".params", "");
  CU_ASSERT_EQUAL(vqe_params_write(path, r.params, r.n_params, "ansatz uccsd\nenergy x", &e), VQE_OK);
  double back[3];
  CU_ASSERT_EQUAL(vqe_params_read(path, back, 3, &e), VQE_OK);
  CU_ASSERT(memcmp(back, r.params, sizeof back) == 0);
  CU_ASSERT_EQUAL(vqe_params_read(path, back, 4, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "3 parameters found, this ansatz has 4");
  CU_ASSERT_EQUAL(vqe_params_read(path, back, 2, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "more than the 2 parameters");
  const char *bad = tu_tmpfile(".params", "# header\n0.1\nabc\n");
  CU_ASSERT_EQUAL(vqe_params_read(bad, back, 3, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, ":3: expected one finite number");
  CU_ASSERT_EQUAL(vqe_params_read("/nonexistent/p.txt", back, 3, &e), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(vqe_params_write("/nonexistent/dir/p.txt", back, 3, NULL, &e), VQE_ERR_INPUT);
  /* start from the optimum: converges at once to the same energy */
  vqe_run_config c2 = c;
  c2.init = VQE_INIT_GIVEN;
  c2.init_params = back;
  c2.n_init_params = 3;
  CU_ASSERT_EQUAL_FATAL(vqe_params_read(path, back, 3, &e), VQE_OK);
  vqe_run_result r2;
  CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c2, &r2, &e), VQE_OK);
  TU_ASSERT_CLOSE(r2.e_initial, r.e_vqe, 1e-12);
  TU_ASSERT_CLOSE(r2.e_vqe, r.e_vqe, 1e-10);
  CU_ASSERT(r2.iterations <= 2);
  vqe_run_result_free(&r2);
  c2.n_init_params = 2;
  CU_ASSERT_EQUAL(vqe_vqe_run(&c2, &r2, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "2 initial parameters given, the ansatz has 3");
  vqe_run_result_free(&r2);
  /* trace */
  const char *tr = tu_tmpfile(".csv", "");
  CU_ASSERT_EQUAL(vqe_trace_write_csv(tr, &r.opt, &e), VQE_OK);
  FILE *f = fopen(tr, "r");
  char line[256];
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
  TU_ASSERT_CONTAINS(line, "iter,energy,grad_norm");
  int rows = 0;
  while (fgets(line, sizeof line, f)) rows++;
  fclose(f);
  CU_ASSERT_EQUAL(rows, r.opt.n_trace);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

static void test_penalty_hea(void)
{
  /* HEA with N and S² penalties from random starts on H2: lands in the right sector */
  vqe_mo_hamiltonian h;
  if (!load_xyz("molecules/h2.xyz", 0, &h, NULL)) return;
  vqe_run_config c;
  vqe_run_config_default(&c);
  c.ham = &h;
  c.ansatz.kind = VQE_ANSATZ_HEA;
  c.ansatz.layers = 2;
  c.init = VQE_INIT_RANDOM;
  c.seed = 3;
  c.penalty.mu_number = 1.0;
  c.penalty.n_target = 2;
  c.penalty.mu_s2 = 1.0;
  vqe_run_result r;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_vqe_run(&c, &r, &e), VQE_OK);
  report("h2 hea L=2 + penalties", &r);
  TU_ASSERT_CLOSE(r.obs.n, 2.0, 1e-3);
  TU_ASSERT_CLOSE(r.obs.s2, 0.0, 1e-3);
  CU_ASSERT(r.e_vqe >= r.e_fci - 1e-9);
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

int main(void)
{
  static const tu_test tests[] = {
    { "UCCSD H2/STO-3G = FCI", test_uccsd_h2 },
    { "UCCSD LiH/STO-3G (fc1 and all electrons)", test_uccsd_lih },
    { "UCCSD H2O/STO-3G fc1 (FCIDUMP)", test_uccsd_h2o },
    { "spin-adapted UCCSD: H2, LiH, H2O; S2 = 0 exactly", test_sa_uccsd },
    { "GateFabric and k-UpCCGSD reach chemical accuracy", test_gatefabric },
    { "hardware-efficient ansatz on H2", test_hea_h2 },
    { "same seed, same result", test_seed_reproducible },
    { "iteration limit: converged 0, not an error", test_iteration_limit },
    { "non-finite energy stops the run", test_nonfinite },
    { "initial parameters, parameter files, trace", test_init_and_files },
    { "penalties keep HEA in the right sector", test_penalty_hea },
    { NULL, NULL },
  };
  return tu_run_suite("vqe_run", tests);
}
