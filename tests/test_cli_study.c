/* test_cli_study.c — `vqe sweep`, `vqe scan`, `vqe basis` end to end: JSON parsed back and checked
 * against single runs and psi4 (the H2 dissociation curve), resume after a kill (with a cut-short last
 * line) equals an uninterrupted run, failed points recorded, plots, bad input. */
#include "testutil.h"
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;


static double num(const cJSON *o, const char *k)
{
  const cJSON *v = cJSON_GetObjectItem(o, k);
  return cJSON_IsNumber(v) ? v->valuedouble : (double)NAN;
}

/* Drop what legitimately differs between two runs (wall times) before comparing. */
static void strip_times(cJSON *points)
{
  cJSON *p;
  cJSON_ArrayForEach(p, points) {
    cJSON_DeleteItemFromObject(p, "timings");
    cJSON_DeleteItemFromObject(p, "time");
  }
}

static void test_sweep_matches_single_runs(void)
{
  int code;
  cJSON *d = tu_run_json("sweep molecules/h2.xyz --ansatz gatefabric,hea --layers 1:2 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *pts = cJSON_GetObjectItem(d, "points");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(pts), 4);
  const cJSON *p;
  cJSON_ArrayForEach(p, pts) {
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(p, "status")->valuestring, "ok");
    const char *keys[] = {"ansatz", "layers", "energy_scf", "energy_fci", "energy_vqe", "error_mha", "n_parameters",
                          "n_qubits", "iterations", "gradient_variance", "plateau_verdict", NULL};
    for (int k = 0; keys[k]; k++) CU_ASSERT_PTR_NOT_NULL(cJSON_GetObjectItem(p, keys[k]));
    char args[256];
    snprintf(args, sizeof args, "run molecules/h2.xyz --ansatz %s --layers %d --json",
             cJSON_GetObjectItem(p, "ansatz")->valuestring, (int)num(p, "layers"));
    int c2;
    cJSON *r = tu_run_json(args, &c2);
    CU_ASSERT_EQUAL(c2, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    TU_ASSERT_CLOSE(num(p, "energy_vqe"), num(r, "energy_vqe"), 1e-12);
    TU_ASSERT_CLOSE(num(p, "n_parameters"), num(r, "n_parameters"), 0);
    TU_ASSERT_CLOSE(num(p, "iterations"), num(r, "iterations"), 0);
    cJSON_Delete(r);
  }
  /* H2 reaches chemical accuracy with GateFabric at L = 1 (2 parameters) */
  const cJSON *s0 = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "summary"), 0);
  CU_ASSERT(cJSON_IsTrue(cJSON_GetObjectItem(s0, "chemical_accuracy_reached")));
  TU_ASSERT_CLOSE(num(s0, "n_parameters"), 2, 0);
  cJSON_Delete(d);
}

static void test_sweep_lih(void)
{
  int code;
  cJSON *d = tu_run_json("sweep molecules/lih.xyz --frozen-core auto --active-orbitals 3 --ansatz gatefabric --layers 1:2 --warm-start --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *pts = cJSON_GetObjectItem(d, "points");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(pts), 2);
  /* warm start: depth 2 starts at depth 1's optimum (identity extension), so it is no worse */
  const cJSON *p1 = cJSON_GetArrayItem(pts, 0), *p2 = cJSON_GetArrayItem(pts, 1);
  CU_ASSERT(num(p2, "energy_vqe") <= num(p1, "energy_vqe") + 1e-10);
  TU_ASSERT_CLOSE(num(p2, "energy_initial"), num(p1, "energy_vqe"), 1e-10);
  CU_ASSERT_EQUAL(num(p1, "n_qubits"), 6);
  cJSON_Delete(d);
}

static void test_scan_h2_psi4(void)
{
  FILE *f = fopen(tu_src("tests/data/psi4_h2_scan_sto3g.json"), "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  cJSON *ref = cJSON_Parse(buf);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
  int code;
  cJSON *d = tu_run_json("scan molecules/h2.xyz --bond 1-2 --from 0.5 --to 3.0 --step 0.1 --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *pts = cJSON_GetObjectItem(d, "points"), *rp = cJSON_GetObjectItem(ref, "points");
  CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(pts), cJSON_GetArraySize(rp));
  double worst_fci = 0, worst_scf = 0;
  for (int i = 0; i < cJSON_GetArraySize(rp); i++) {
    const cJSON *p = cJSON_GetArrayItem(pts, i), *r = cJSON_GetArrayItem(rp, i);
    TU_ASSERT_CLOSE(num(p, "bond_length"), num(r, "bond_length"), 1e-12);
    TU_ASSERT_CLOSE(num(p, "energy_fci"), num(r, "e_fci"), 1e-8);
    TU_ASSERT_CLOSE(num(p, "energy_scf"), num(r, "e_scf"), 1e-8);
    TU_ASSERT_CLOSE(num(p, "energy_vqe"), num(r, "e_fci"), 1e-6);   /* UCCSD is exact for H2 */
    worst_fci = fmax(worst_fci, fabs(num(p, "energy_fci") - num(r, "e_fci")));
    worst_scf = fmax(worst_scf, fabs(num(p, "energy_scf") - num(r, "e_scf")));
  }
  fprintf(stderr, "\n  H2 scan vs psi4: max |dE_FCI| = %.2e, max |dE_SCF| = %.2e", worst_fci, worst_scf);
  cJSON_Delete(d);
  cJSON_Delete(ref);
}

static void test_scan_angle_and_no_vqe(void)
{
  int code;
  cJSON *d = tu_run_json("scan molecules/h2o.xyz --angle 2-1-3 --from 100 --to 110 --step 5 --no-vqe --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *pts = cJSON_GetObjectItem(d, "points");
  CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(pts), 3);
  TU_ASSERT_CLOSE(num(cJSON_GetArrayItem(pts, 2), "angle"), 110, 1e-12);
  /* the 110-degree geometry built here by hand (H3 rotated about O in the molecular plane, |OH| kept)
   * gives the same FCI energy through `vqe fci` */
  const double O[3] = {0, 0, 0.1173}, H2[3] = {0, 0.7572, -0.4692}, H3[3] = {0, -0.7572, -0.4692};
  double e1[3], v[3], e2[3], n1 = 0, d3 = 0, pr = 0, n2 = 0;
  for (int k = 0; k < 3; k++) { e1[k] = H2[k] - O[k]; v[k] = H3[k] - O[k]; n1 += e1[k] * e1[k]; d3 += v[k] * v[k]; }
  n1 = sqrt(n1); d3 = sqrt(d3);
  for (int k = 0; k < 3; k++) { e1[k] /= n1; pr += v[k] * e1[k]; }
  for (int k = 0; k < 3; k++) { e2[k] = v[k] - pr * e1[k]; n2 += e2[k] * e2[k]; }
  n2 = sqrt(n2);
  const double th = 110.0 * M_PI / 180.0;
  char xyz[512];
  snprintf(xyz, sizeof xyz, "3\nwater at 110 degrees\nO %.15f %.15f %.15f\nH %.15f %.15f %.15f\nH %.15f %.15f %.15f\n",
           O[0], O[1], O[2], H2[0], H2[1], H2[2], O[0] + d3 * (cos(th) * e1[0] + sin(th) * e2[0] / n2),
           O[1] + d3 * (cos(th) * e1[1] + sin(th) * e2[1] / n2), O[2] + d3 * (cos(th) * e1[2] + sin(th) * e2[2] / n2));
  const char *path = tu_tmpfile(".xyz", xyz);
  char args[256];
  snprintf(args, sizeof args, "fci %s --json", path);
  cJSON *f = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  TU_ASSERT_CLOSE(num(cJSON_GetArrayItem(pts, 2), "energy_fci"), num(f, "energy_fci"), 1e-10);
  TU_ASSERT_CLOSE(num(cJSON_GetArrayItem(pts, 2), "energy_scf"), num(f, "energy_scf"), 1e-10);
  cJSON_Delete(f);
  unlink(path);
  cJSON_Delete(d);
}

static void test_basis_psi4(void)
{
  int code;
  cJSON *d = tu_run_json("basis molecules/h2.xyz --basis sto-3g,6-31g,cc-pvdz --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const char *refs[3] = {"h2_sto3g", "h2_631g", "h2_ccpvdz"};
  const cJSON *pts = cJSON_GetObjectItem(d, "points");
  CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(pts), 3);
  for (int i = 0; i < 3; i++) {
    const cJSON *p = cJSON_GetArrayItem(pts, i), *r = tu_psi4_case(refs[i]);
    TU_ASSERT_CLOSE(num(p, "energy_scf"), tu_json_num(r, "e_scf"), 1e-8);
    TU_ASSERT_CLOSE(num(p, "energy_fci"), tu_json_num(r, "e_corr_total"), 1e-8);
    TU_ASSERT_CLOSE(num(p, "n_basis"), tu_json_num(r, "nbf"), 0);
    TU_ASSERT_CLOSE(num(p, "n_qubits"), 2 * tu_json_num(r, "nbf"), 0);
  }
  cJSON_Delete(d);
  d = tu_run_json("basis molecules/h2.xyz --basis sto-3g,6-31g --ansatz uccsd --json", &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *p;
  cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "points")) TU_ASSERT_CLOSE(num(p, "correlation_recovered"), 100.0, 1e-3);
  cJSON_Delete(d);
}

static void test_failed_point_recorded(void)
{
  /* a basis file with hydrogen only: LiH fails in it, the study goes on and exits 1 */
  const char *gbs = tu_tmpfile(".gbs", "spherical\n****\nH     0\nS   1   1.00\n      0.5   1.0\n****\n");
  char args[512];
  snprintf(args, sizeof args, "basis molecules/h2.xyz --basis sto-3g,%s --json", gbs);
  int code;
  cJSON *d = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);   /* H2 works in it */
  cJSON_Delete(d);
  snprintf(args, sizeof args, "basis molecules/lih.xyz --basis sto-3g,%s,6-31g --json", gbs);
  d = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  const cJSON *pts = cJSON_GetObjectItem(d, "points");
  CU_ASSERT_EQUAL(cJSON_GetArraySize(pts), 3);
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 1), "status")->valuestring, "failed");
  TU_ASSERT_CONTAINS(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 1), "reason")->valuestring, "Li");
  CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(cJSON_GetArrayItem(pts, 2), "status")->valuestring, "ok");
  CU_ASSERT_EQUAL(num(d, "n_failed"), 1);
  cJSON_Delete(d);
  unlink(gbs);
}

static int count_lines(const char *path)
{
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int n = 0, ch;
  while ((ch = fgetc(f)) != EOF) n += ch == '\n';
  fclose(f);
  return n;
}

static void test_resume_after_kill(void)
{
  const char *jl = "/tmp/vqe_test_study_resume.jsonl";
  const char *base = "sweep molecules/h4.xyz --ansatz hea --layers 1:5 --max-iter 300 --plateau-samples 8";
  unlink(jl);
  /* uninterrupted reference */
  char args[512];
  snprintf(args, sizeof args, "%s --json", base);
  int code;
  cJSON *full = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(full);
  /* start, kill -9 once two points are on disk */
  const char *bin = getenv("VQE_BIN");
  char a_sweep[] = "sweep", a_file[] = "molecules/h4.xyz", a_ans[] = "--ansatz", a_hea[] = "hea", a_lay[] = "--layers",
       a_l[] = "1:5", a_mi[] = "--max-iter", a_300[] = "300", a_ps[] = "--plateau-samples", a_8[] = "8",
       a_out[] = "--output", a_q[] = "--quiet";
  char a_bin[1024], a_jl[256];
  snprintf(a_bin, sizeof a_bin, "%s", bin);
  snprintf(a_jl, sizeof a_jl, "%s", jl);
  char *argv[] = {a_bin, a_sweep, a_file, a_ans, a_hea, a_lay, a_l, a_mi, a_300, a_ps, a_8, a_out, a_jl, a_q, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
  pid_t pid;
  CU_ASSERT_EQUAL_FATAL(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
  int waited = 0;
  while (count_lines(jl) < 3 && waited < 60000) { usleep(2000); waited += 2; }
  kill(pid, SIGKILL);
  int wst;
  waitpid(pid, &wst, 0);
  posix_spawn_file_actions_destroy(&fa);
  int k = count_lines(jl) - 1;
  fprintf(stderr, "\n  killed after %d of 5 points", k);
  CU_ASSERT(k >= 2 && k < 5);
  /* as if the kill had cut a write short */
  FILE *f = fopen(jl, "a");
  fputs("{\"key\":\"hea/L=9\",\"energy_vq", f);
  fclose(f);
  snprintf(args, sizeof args, "%s --json --output %s --resume", base, jl);
  cJSON *res = tu_run_json(args, &code);
  CU_ASSERT_EQUAL(code, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(res);
  cJSON *a = cJSON_GetObjectItem(full, "points"), *b = cJSON_GetObjectItem(res, "points");
  strip_times(a);
  strip_times(b);
  CU_ASSERT(cJSON_Compare(a, b, 1));
  CU_ASSERT(cJSON_Compare(cJSON_GetObjectItem(full, "summary"), cJSON_GetObjectItem(res, "summary"), 1));
  CU_ASSERT_EQUAL(count_lines(jl), 6);   /* header + 5 points, the cut line gone */
  cJSON_Delete(full);
  cJSON_Delete(res);
  unlink(jl);
}

static int is_png(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  unsigned char s[4] = {0};
  size_t n = fread(s, 1, 4, f);
  fclose(f);
  return n == 4 && s[1] == 'P' && s[2] == 'N' && s[3] == 'G';
}

static void test_plots(void)
{
  if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
    char *err = NULL;
    CU_ASSERT_EQUAL(tu_run_vqe("sweep molecules/h2.xyz --layers 1 --plot /tmp/x.svg", NULL, &err), 2);
    TU_ASSERT_CONTAINS(err, "apt-get install gnuplot-nox");
    free(err);
    return;
  }
  const char *cmds[] = {"sweep molecules/h2.xyz --ansatz hea,gatefabric --layers 1:2 --plot /tmp/vqe_t_sweep.png",
                        "scan molecules/h2.xyz --bond 1-2 --from 0.6 --to 1.0 --step 0.2 --plot /tmp/vqe_t_scan.png",
                        "basis molecules/h2.xyz --basis sto-3g,6-31g --plot /tmp/vqe_t_basis.png",
                        "sweep molecules/h2.xyz --ansatz gatefabric --layers 1:2 --plot /tmp/vqe_t_sweep.svg", NULL};
  const char *files[] = {"/tmp/vqe_t_sweep.png", "/tmp/vqe_t_scan.png", "/tmp/vqe_t_basis.png", "/tmp/vqe_t_sweep.svg"};
  for (int i = 0; cmds[i]; i++) {
    unlink(files[i]);
    CU_ASSERT_EQUAL(tu_run_vqe(cmds[i], NULL, NULL), 0);
    if (i < 3) CU_ASSERT(is_png(files[i]));
    unlink(files[i]);
  }
}


static void test_bad_input(void)
{
  tu_expect_exit("sweep", 2, "no input file");
  tu_expect_exit("sweep molecules/h2.xyz --ansatz hea,nope", 2, "unknown ansatz 'nope'");
  tu_expect_exit("sweep molecules/h2.xyz --layers 3:1", 2, "--layers expects");
  tu_expect_exit("sweep molecules/h2.xyz --resume", 2, "--resume needs --output");
  tu_expect_exit("sweep molecules/h2.xyz --plot out.pdf", 2, "allowed: a file name ending in .svg or .png");
  tu_expect_exit("sweep molecules/h2.xyz --frozen-core 5", 2, "frozen");
  tu_expect_exit("scan molecules/h2.xyz --from 0.5 --to 1 --step 0.1", 2, "give exactly one of --bond I-J and --angle I-J-K");
  tu_expect_exit("scan molecules/h2.xyz --bond 1-3 --from 0.5 --to 1 --step 0.1", 2, "atom 3 does not exist (allowed: 1..2");
  tu_expect_exit("scan molecules/h2.xyz --bond 1-2 --from 0.05 --to 1 --step 0.1", 2, "at bond length = 0.05");
  tu_expect_exit("scan molecules/h2.xyz --bond 1-2 --from 0.5 --to 1 --step -0.1", 2, "--step must be positive");
  tu_expect_exit("scan molecules/h2.xyz --bond 1+2 --from 0.5 --to 1 --step 0.1", 2, "--bond expects I-J");
  tu_expect_exit("scan molecules/h2o.xyz --angle 2-1-3 --from 0 --to 120 --step 10", 2, "strictly between 0 and 180");
  tu_expect_exit("basis molecules/h2.xyz --basis sto-3g,no-such-basis", 2, "no-such-basis");
  tu_expect_exit("basis molecules/h2.xyz --output /tmp/x --resume --basis sto-3g,bogus", 2, "bogus");
  char *out = NULL;
  CU_ASSERT_EQUAL(tu_run_vqe("help sweep", &out, NULL), 0);
  TU_ASSERT_CONTAINS(out, "usage: vqe sweep");
  free(out);
  CU_ASSERT_EQUAL(tu_run_vqe("help scan", &out, NULL), 0);
  TU_ASSERT_CONTAINS(out, "usage: vqe scan");
  free(out);
  CU_ASSERT_EQUAL(tu_run_vqe("help basis", &out, NULL), 0);
  TU_ASSERT_CONTAINS(out, "usage: vqe basis");
  free(out);
}

int main(void)
{
  const tu_test tests[] = {
    {"sweep = single runs (H2)", test_sweep_matches_single_runs},
    {"sweep LiH with warm start", test_sweep_lih},
    {"scan: H2 curve equals psi4", test_scan_h2_psi4},
    {"scan: angle, --no-vqe", test_scan_angle_and_no_vqe},
    {"basis: equals psi4", test_basis_psi4},
    {"failed point recorded", test_failed_point_recorded},
    {"resume after kill", test_resume_after_kill},
    {"plots", test_plots},
    {"bad input", test_bad_input},
    {NULL, NULL}};
  return tu_run_suite("cli_study", tests);
}
