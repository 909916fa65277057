/* test_cli_plateau.c — `vqe plateau` end to end: JSON keys, the verdicts the issue asks for, chains of
 * hydrogen with several ansätze, CSV/plot/resume, and the bad-input paths (exit 2, message). */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static void test_synthetic_verdicts(void)
{
  int code;
  cJSON *d = tu_run_json("plateau --synthetic local --qubits 2:10 --ansatz rx-product --samples 400 --seed 3 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "verdict")->valuestring, "trainable");
  const cJSON *rows = cJSON_GetObjectItem(d, "rows");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(rows), 5);
  const cJSON *r0 = cJSON_GetArrayItem(rows, 0);
  const char *keys[] = {"n_qubits", "layers", "n_parameters", "variance_mean", "variance_first", "variance_first_stderr",
                        "energy_variance", "verdict", NULL};
  for (int k = 0; keys[k]; k++) CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(r0, keys[k]));
  /* local cost, n = 2: Var[dC/dθ1] = 1/(8n²) = 1/32 */
  TU_ASSERT_CLOSE(cJSON_GetObjectItem(r0, "variance_first")->valuedouble, 1.0 / 32,
                  4 * cJSON_GetObjectItem(r0, "variance_first_stderr")->valuedouble);
  const cJSON *fit = cJSON_GetObjectItem(d, "fit");
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(fit, "model")->valuestring, "polynomial");
  CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(fit, "rate"));
  CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(fit, "rate_stderr"));
  cJSON_Delete(d);

  d = tu_run_json("plateau --synthetic global --qubits 2:10 --ansatz rx-product --samples 400 --seed 3 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "verdict")->valuestring, "plateau");
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "fit"), "model")->valuestring, "exponential");
  cJSON_Delete(d);
}

static void test_chain_side_by_side(void)
{
  int code;
  cJSON *d = tu_run_json("plateau --chain H:2:6 --ansatz hea,gatefabric --layers 2 --samples 40 --bootstrap 0 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *rows = cJSON_GetObjectItem(d, "rows");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(rows), 6);
  const cJSON *r;
  int nq[3] = {4, 8, 12}, i = 0;
  cJSON_ArrayForEach(r, rows) {
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(r, "status")->valuestring, "ok");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(r, "n_qubits")->valueint, nq[i % 3]);
    CU_ASSERT(cJSON_GetObjectItem(r, "variance_mean")->valuedouble > 0);
    i++;
  }
  /* hea: 2n(L+1) parameters; gatefabric: 2 per block, (n/2 - 1) blocks per layer */
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 0), "n_parameters")->valueint, 2 * 4 * 3);
  CU_ASSERT_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 5), "n_parameters")->valueint, 2 * 2 * 5);
  CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(d, "fits")), 2);
  cJSON_Delete(d);
}

static void test_outputs_and_resume(void)
{
  const char *csv = "/tmp/vqe_test_plateau.csv", *jl = "/tmp/vqe_test_plateau.jsonl", *png = "/tmp/vqe_test_plateau.png";
  unlink(csv); unlink(jl); unlink(png);
  char args[512];
  snprintf(args, sizeof args, "plateau --synthetic zz --qubits 2:6 --ansatz random-pauli --layers 4 --samples 30 --json --csv %s --output %s", csv, jl);
  int code;
  cJSON *a = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_EQUAL(access(csv, F_OK), 0);
  /* resume with every row done: identical rows */
  snprintf(args, sizeof args, "plateau --synthetic zz --qubits 2:6 --ansatz random-pauli --layers 4 --samples 30 --json --output %s --resume", jl);
  cJSON *b = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT(cJSON_Compare(cJSON_GetObjectItem(a, "rows"), cJSON_GetObjectItem(b, "rows"), 1));
  cJSON_Delete(a);
  cJSON_Delete(b);
  /* the same study without --resume is refused: nothing is overwritten */
  char *out = NULL, *err = NULL;
  snprintf(args, sizeof args, "plateau --synthetic zz --qubits 2:6 --ansatz random-pauli --layers 4 --samples 30 --output %s", jl);
  CU_ASSERT_EQUAL(tu_run_vqe(args, &out, &err), 2);
  TU_ASSERT_CONTAINS(err, "already holds results");
  free(out); free(err);
  if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
    snprintf(args, sizeof args, "plateau --synthetic local --qubits 2:6 --ansatz rx-product --samples 50 --plot %s", png);
    CU_ASSERT_EQUAL(tu_run_vqe(args, NULL, NULL), 0);
    FILE *f = fopen(png, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    unsigned char sig[4] = {0};
    CU_ASSERT_EQUAL(fread(sig, 1, 4, f), 4);
    fclose(f);
    CU_ASSERT(sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G');
  }
  unlink(csv); unlink(jl); unlink(png);
}


static void test_bad_input(void)
{
  tu_expect_exit("plateau", 2, "give exactly one of");
  tu_expect_exit("plateau --synthetic zz", 2, "--synthetic needs --qubits");
  tu_expect_exit("plateau --synthetic bogus --qubits 2:4", 2, "unknown synthetic cost 'bogus'");
  tu_expect_exit("plateau --synthetic zz --qubits 4:2", 2, "--qubits expects N or A:B[:STEP]");
  tu_expect_exit("plateau --synthetic zz --qubits 2:4 --ansatz nope", 2, "unknown ansatz 'nope'");
  tu_expect_exit("plateau --synthetic zz --qubits 2:4 --ansatz uccsd", 2, "needs electrons");
  tu_expect_exit("plateau --synthetic zz --qubits 2:4 --samples 2", 2, "--samples expects an integer in 4..");
  tu_expect_exit("plateau --chain Xx:2:4", 2, "--chain expects EL:A:B");
  tu_expect_exit("plateau molecules/nonexistent.xyz", 2, "cannot open");
  tu_expect_exit("plateau --synthetic zz --qubits 2:4 --resume", 2, "--resume needs --output");
  tu_expect_exit("plateau --synthetic zz --qubits 2:4 --fit-variance max", 2, "--fit-variance expects mean or first");
}

int main(void)
{
  const tu_test tests[] = {{"synthetic costs: trainable / plateau", test_synthetic_verdicts},
                           {"hydrogen chains, hea vs gatefabric", test_chain_side_by_side},
                           {"csv, plot, output and resume", test_outputs_and_resume},
                           {"bad input", test_bad_input},
                           {NULL, NULL}};
  return tu_run_suite("cli_plateau", tests);
}
