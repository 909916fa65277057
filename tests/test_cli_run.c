/* test_cli_run.c — `vqe run` as a program: the JSON document parsed back, the table, the iteration
 * limit (exit 0, converged false), bad flags (exit 2 naming the flag and the allowed values),
 * --params-out / --init FILE round trip, --trace, FCIDUMP input. */
#include "testutil.h"
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

static cJSON *run_json(const char *args, int expect_code)
{
  char *out = NULL, *err = NULL;
  int code = tu_run_vqe(args, &out, &err);
  if (code != expect_code) fprintf(stderr, "\n  vqe %s -> %d\n  stderr: %s\n", args, code, err ? err : "");
  CU_ASSERT_EQUAL(code, expect_code);
  cJSON *j = out ? cJSON_Parse(out) : NULL;
  if (!j) fprintf(stderr, "\n  not JSON: %s\n", out ? out : "(null)");
  free(out);
  free(err);
  return j;
}

static double num(const cJSON *j, const char *k)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  if (!cJSON_IsNumber(v)) fprintf(stderr, "\n  key %s missing or not a number\n", k);
  CU_ASSERT(cJSON_IsNumber(v));
  return cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
}

static void test_json_h2(void)
{
  cJSON *j = run_json("run molecules/h2.xyz --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  const char *keys[] = { "energy_scf", "energy_vqe", "energy_fci", "error_mha", "chemical_accuracy",
                         "n_qubits", "n_parameters", "iterations", "n_energy_evals", "n_gradient_evals",
                         "particle_number", "sz", "s2", "converged", "ansatz", "layers", "optimizer",
                         "n_gates", "n_two_qubit_gates", "depth", "timings", "stop_reason", NULL };
  for (int k = 0; keys[k]; k++) {
    if (!cJSON_HasObjectItem(j, keys[k])) fprintf(stderr, "\n  missing key %s\n", keys[k]);
    CU_ASSERT(cJSON_HasObjectItem(j, keys[k]));
  }
  CU_ASSERT_EQUAL(num(j, "n_qubits"), 4);
  CU_ASSERT_EQUAL(num(j, "n_parameters"), 3);
  TU_ASSERT_CLOSE(num(j, "energy_vqe"), -1.1372701746571043, 1e-6);
  TU_ASSERT_CLOSE(num(j, "energy_fci"), -1.1372701746571046, 1e-7);
  TU_ASSERT_CLOSE(num(j, "energy_scf"), -1.1166843870661933, 1e-7);
  CU_ASSERT(fabs(num(j, "error_mha")) < 1e-3);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "chemical_accuracy")));
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "converged")));
  TU_ASSERT_CLOSE(num(j, "particle_number"), 2.0, 1e-10);
  TU_ASSERT_CLOSE(num(j, "sz"), 0.0, 1e-10);
  TU_ASSERT_CLOSE(num(j, "s2"), 0.0, 1e-6);
  CU_ASSERT(num(j, "n_gradient_evals") > 0);
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "ansatz");
  CU_ASSERT(cJSON_IsString(a) && !strcmp(a->valuestring, "uccsd"));
  const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "timings");
  CU_ASSERT(cJSON_IsObject(t) && cJSON_HasObjectItem(t, "optimize") && cJSON_HasObjectItem(t, "scf"));
  cJSON_Delete(j);
}

static void test_table(void)
{
  char *out = NULL, *err = NULL;
  int code = tu_run_vqe("run molecules/h2.xyz --ansatz gatefabric", &out, &err);
  CU_ASSERT_EQUAL(code, 0);
  TU_ASSERT_CONTAINS(out, "E_VQE");
  TU_ASSERT_CONTAINS(out, "E_FCI");
  TU_ASSERT_CONTAINS(out, "within chemical accuracy");
  TU_ASSERT_CONTAINS(out, "<S^2>");
  TU_ASSERT_CONTAINS(out, "qubits           4");
  free(out); free(err);
}

static void test_iteration_limit(void)
{
  cJSON *j = run_json("run molecules/lih.xyz --frozen-core 1 --max-iter 1 --no-fci --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "converged")));
  CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "energy_fci")));
  CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "chemical_accuracy")));
  CU_ASSERT(num(j, "iterations") <= 1);
  cJSON_Delete(j);
}

static void bad(const char *args, const char *needle1, const char *needle2)
{
  char *out = NULL, *err = NULL;
  int code = tu_run_vqe(args, &out, &err);
  CU_ASSERT_EQUAL(code, 2);
  TU_ASSERT_CONTAINS(err, needle1);
  if (needle2) TU_ASSERT_CONTAINS(err, needle2);
  free(out); free(err);
}

static void test_bad_flags(void)
{
  bad("run molecules/h2.xyz --ansatz uccsdt", "--ansatz", "hea, uccsd, sa-uccsd, kupccgsd, gatefabric");
  bad("run molecules/h2.xyz --optimizer newton", "--optimizer", "lbfgs");
  bad("run molecules/h2.xyz --gradient backprop", "--gradient", "parameter-shift");
  bad("run molecules/h2.xyz --layers 0", "--layers", "1..10000");
  bad("run molecules/h2.xyz --max-iter -3", "--max-iter", NULL);
  bad("run molecules/h2.xyz --entangler swap", "--entangler", "cnot, cz");
  bad("run molecules/h2.xyz --rotations ry,cx", "--rotations", "rx, ry, rz");
  bad("run molecules/h2.xyz --seed x", "--seed", NULL);
  bad("run molecules/h2.xyz --frobnicate", "unknown flag '--frobnicate'", NULL);
  bad("run molecules/h2.xyz --layers", "--layers needs a value", NULL);
  bad("run", "no input file", NULL);
  bad("run molecules/h2.xyz --ansatz gatefabric --frozen-core 0 --active-orbitals 1 --active-electrons 2",
      "gatefabric", "4 qubits");
  bad("run molecules/nonexistent.xyz", "nonexistent", NULL);
}

static void test_files(void)
{
  char pth[64], trc[64], args[512];
  snprintf(pth, sizeof pth, "/tmp/vqe_cli_run_%d.params", (int)getpid());
  snprintf(trc, sizeof trc, "/tmp/vqe_cli_run_%d.csv", (int)getpid());
  snprintf(args, sizeof args, "run molecules/h2.xyz --ansatz hea --init random --seed 5 --params-out %s --trace %s --json", pth, trc);
  cJSON *j1 = run_json(args, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j1);
  CU_ASSERT_EQUAL(access(pth, R_OK), 0);
  CU_ASSERT_EQUAL(access(trc, R_OK), 0);
  /* same seed, same result */
  cJSON *j2 = run_json(args, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j2);
  CU_ASSERT(num(j1, "energy_vqe") == num(j2, "energy_vqe"));
  /* restart from the written parameters */
  snprintf(args, sizeof args, "run molecules/h2.xyz --ansatz hea --init %s --json", pth);
  cJSON *j3 = run_json(args, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j3);
  TU_ASSERT_CLOSE(num(j3, "energy_initial"), num(j1, "energy_vqe"), 1e-10);
  CU_ASSERT(num(j3, "energy_vqe") <= num(j1, "energy_vqe") + 1e-10);
  /* wrong ansatz for the file: exit 2 naming the count */
  char *out = NULL, *err = NULL;
  snprintf(args, sizeof args, "run molecules/h2.xyz --ansatz uccsd --init %s", pth);
  CU_ASSERT_EQUAL(tu_run_vqe(args, &out, &err), 2);
  TU_ASSERT_CONTAINS(err, "3 parameters this ansatz has");
  free(out); free(err);
  /* a failed run leaves no file behind */
  unlink(pth);
  snprintf(args, sizeof args, "run molecules/h2.xyz --init /nonexistent/p --params-out %s", pth);
  CU_ASSERT_EQUAL(tu_run_vqe(args, NULL, NULL), 2);
  CU_ASSERT_NOT_EQUAL(access(pth, F_OK), 0);
  /* an unwritable output directory is refused before the run */
  out = err = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("run molecules/h2.xyz --params-out /nonexistent/dir/p.txt", &out, &err), 2);
  TU_ASSERT_CONTAINS(err, "--params-out /nonexistent/dir/p.txt: directory '/nonexistent/dir' does not exist");
  free(out); free(err);
  out = err = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("run molecules/h2.xyz --trace /nonexistent/t.csv", &out, &err), 2);
  TU_ASSERT_CONTAINS(err, "--trace");
  free(out); free(err);
  unlink(trc);
  cJSON_Delete(j1); cJSON_Delete(j2); cJSON_Delete(j3);
}

static void test_fcidump(void)
{
  cJSON *j = run_json("run tests/data/h2o_sto3g.psi4.fcidump --frozen-core 1 --max-iter 3 --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL(num(j, "n_qubits"), 12);
  CU_ASSERT_EQUAL(num(j, "n_parameters"), 92);
  CU_ASSERT_EQUAL(num(j, "n_frozen"), 1);
  TU_ASSERT_CLOSE(num(j, "energy_fci"), -75.0125001540793, 1e-7);   /* vqe_reference.json h2o_sto3g_fc1 */
  TU_ASSERT_CLOSE(num(j, "energy_scf"), -74.9630231385271, 1e-7);
  cJSON_Delete(j);
  /* bad active space on an FCIDUMP: exit 2 */
  char *out = NULL, *err = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("run tests/data/h2o_sto3g.psi4.fcidump --frozen-core auto", &out, &err), 2);
  TU_ASSERT_CONTAINS(err, "--frozen-core auto needs the molecule");
  free(out); free(err);
  j = run_json("run tests/data/h2o_sto3g.psi4.fcidump --active-orbitals 2 --active-electrons 2 --json", 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL(num(j, "n_qubits"), 4);
  CU_ASSERT_EQUAL(num(j, "n_frozen"), 4);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "chemical_accuracy")));
  cJSON_Delete(j);
}

/* Integrals so large that the energy overflows: the run stops with exit 1 and says why. */
static void test_nonfinite(void)
{
  const char *path = tu_tmpfile(".fcidump",
    "&FCI NORB=2,NELEC=2,MS2=0,\nORBSYM=1,1,\nISYM=1,\n&END\n"
    " 1e308  1 1 1 1\n 1e308  2 2 2 2\n -1e308  1 1 0 0\n 0.7  0 0 0 0\n");
  char args[256], *out = NULL, *err = NULL;
  snprintf(args, sizeof args, "run %s --no-fci --json", path);
  CU_ASSERT_EQUAL(tu_run_vqe(args, &out, &err), 1);
  TU_ASSERT_CONTAINS(err, "non-finite energy");
  free(out); free(err);
  unlink(path);
}

/* The quick barren-plateau estimate before optimising: keys present by default, null with 0 samples;
 * the headline case, LiH with GateFabric, within chemical accuracy from the default start. */
static void test_plateau_and_gatefabric_lih(void)
{
  int code;
  cJSON *d = tu_run_json("run molecules/lih.xyz --frozen-core auto --ansatz gatefabric --layers 3 --restarts 4 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(d, "chemical_accuracy")));
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(d, "n_parameters")->valueint, 24);
  CU_ASSERT(cJSON_GetObjectItem(d, "gradient_variance")->valuedouble > 0);
  CU_ASSERT(cJSON_GetObjectItem(d, "gradient_variance_stderr")->valuedouble > 0);
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "plateau_verdict")->valuestring, "trainable");
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(d, "plateau_samples")->valueint, 32);
  cJSON_Delete(d);
  d = tu_run_json("run molecules/h2.xyz --plateau-samples 0 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItem(d, "gradient_variance")));
  CU_ASSERT(cJSON_IsNull(cJSON_GetObjectItem(d, "plateau_verdict")));
  cJSON_Delete(d);
  /* a threshold above every variance flags a plateau */
  d = tu_run_json("run molecules/h2.xyz --plateau-samples 16 --plateau-threshold 100 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "plateau_verdict")->valuestring, "plateau");
  cJSON_Delete(d);
  tu_expect_exit("run molecules/h2.xyz --plateau-samples 2", 2, "--plateau-samples expects 0 (off) or at least 4");
  tu_expect_exit("run molecules/h2.xyz --plateau-samples 16 --plateau-threshold 100", 0, "warning: barren plateau");
}

/* --restarts: the best of K seeded random starts is kept; the same seeds give the same result */
static void test_restarts(void)
{
  int code;
  cJSON *one = tu_run_json("run molecules/h2.xyz --ansatz hea --layers 2 --seed 7 --plateau-samples 0 --json", &code);
  cJSON *five = tu_run_json("run molecules/h2.xyz --ansatz hea --layers 2 --seed 7 --restarts 5 --plateau-samples 0 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(one);
  CU_ASSERT_PTR_NOT_NULL_FATAL(five);
  double e1 = cJSON_GetObjectItem(one, "energy_vqe")->valuedouble, e5 = cJSON_GetObjectItem(five, "energy_vqe")->valuedouble;
  CU_ASSERT(e5 <= e1 + 1e-12);
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(five, "restarts")->valueint, 5);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(five, "chemical_accuracy")));
  CU_ASSERT(cJSON_GetObjectItem(five, "n_gradient_evals")->valueint > cJSON_GetObjectItem(one, "n_gradient_evals")->valueint);
  /* the best start run on its own gives the same energy */
  char args[160];
  snprintf(args, sizeof args, "run molecules/h2.xyz --ansatz hea --layers 2 --seed %d --plateau-samples 0 --json",
           7 + cJSON_GetObjectItem(five, "best_restart")->valueint);
  cJSON *best = tu_run_json(args, &code);
  CU_ASSERT_PTR_NOT_NULL_FATAL(best);
  TU_ASSERT_CLOSE(cJSON_GetObjectItem(best, "energy_vqe")->valuedouble, e5, 1e-12);
  cJSON_Delete(one);
  cJSON_Delete(five);
  cJSON_Delete(best);
  tu_expect_exit("run molecules/h2.xyz --restarts 0", 2, "--restarts expects an integer in 1..");
}

/* --plot: the convergence trace as a PNG (when gnuplot is there), bad extensions refused */
static void test_plot(void)
{
  tu_expect_exit("run molecules/h2.xyz --plot trace.pdf", 2, "allowed: a file name ending in .svg or .png");
  if (system("command -v gnuplot >/dev/null 2>&1") != 0) return;
  const char *png = "/tmp/vqe_test_run_trace.png";
  unlink(png);
  CU_ASSERT_EQUAL(tu_run_vqe("run molecules/h2.xyz --ansatz gatefabric --plot /tmp/vqe_test_run_trace.png", NULL, NULL), 0);
  FILE *f = fopen(png, "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  unsigned char sig[4] = {0};
  CU_ASSERT_EQUAL(fread(sig, 1, 4, f), 4);
  fclose(f);
  CU_ASSERT(sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G');
  unlink(png);
}

int main(void)
{
  static const tu_test tests[] = {
    { "--plot the convergence trace", test_plot },
    { "--restarts keeps the best random start", test_restarts },
    { "quick plateau estimate; GateFabric LiH", test_plateau_and_gatefabric_lih },
    { "vqe run --json parsed back (H2)", test_json_h2 },
    { "vqe run table", test_table },
    { "iteration limit: exit 0, converged false", test_iteration_limit },
    { "bad flags: exit 2 naming the flag", test_bad_flags },
    { "--params-out, --init FILE, --trace, --seed", test_files },
    { "FCIDUMP input", test_fcidump },
    { "non-finite energy: exit 1 with a message", test_nonfinite },
    { NULL, NULL },
  };
  return tu_run_suite("cli_run", tests);
}
