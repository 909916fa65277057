/* bench_plateau.c — gradient-variance sampling speed: samples per second (one full adjoint gradient
 * per sample) for the hardware-efficient ansatz at 16 and 20 qubits with the local synthetic cost,
 * with the backward walk cache-blocked (the default) and gate by gate (VQE_NO_BLOCKED_ADJOINT=1) in
 * the same run, interleaved, and the gate-by-gate walk's cost in passes over the state vector. Prints a
 * table (or --json). Not a test. */
#include "vqe/vqe.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  vqe_ansatz a;
  vqe_cost cost;
  vqe_statevec psi0, work[3];
} bctx;

static vqe_status grad(void *ctx, uint64_t k, vqe_rng *rng, const double *theta, double *e, double *g, vqe_error *err)
{
  bctx *b = ctx;
  (void)k; (void)rng;
  return vqe_cost_gradient(&b->a.circuit, &b->cost, &b->psi0, theta, b->work, e, g, err);
}

static int cmp(const void *x, const void *y)
{
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
  int json = argc > 1 && !strcmp(argv[1], "--json");
  const int ns[2] = {16, 20}, layers = 4, reps = 3;
  cJSON *doc = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(doc, "rows");
  cJSON_AddNumberToObject(doc, "threads", vqe_get_threads());
  if (!json)
    printf("gradient-variance sampling, hardware-efficient ansatz (RY RZ + CNOT ladder, L = %d), local cost, %d threads\n\n"
           "  %6s %7s %8s %14s %14s %18s %9s %16s\n", layers, vqe_get_threads(), "qubits", "params", "samples",
           "s per sample", "samples/s", "gate by gate (s)", "speed-up", "its passes/s");
  for (int t = 0; t < 2; t++) {
    const int n = ns[t];
    bctx b;
    memset(&b, 0, sizeof b);
    vqe_error e = {0};
    vqe_ansatz_spec spec;
    vqe_ansatz_spec_default(&spec);
    spec.kind = VQE_ANSATZ_HEA;
    spec.norb = n / 2;
    spec.n_alpha = spec.n_beta = 0;
    spec.layers = layers;
    if (vqe_ansatz_build(&spec, &b.a, &e) || vqe_cost_synthetic(VQE_COST_LOCAL, n, &b.cost, &e) ||
        vqe_statevec_init_many(b.work, 3, n, &e) || vqe_statevec_init(&b.psi0, n, &e)) {
      fprintf(stderr, "bench_plateau: %s\n", e.msg);
      return 1;
    }
    const int samples = n <= 16 ? 64 : 8;
    double times[2][3];
    for (int r = 0; r < reps; r++)
      for (int mode = 0; mode < 2; mode++) {   /* blocked, then gate by gate */
        if (mode) setenv("VQE_NO_BLOCKED_ADJOINT", "1", 1);
        vqe_plateau_options o;
        vqe_plateau_options_default(&o);
        o.n_samples = samples;
        o.bootstrap = 0;
        o.seed = (uint64_t)r + 1;
        vqe_plateau_stats st;
        double t0 = vqe_wtime();
        if (vqe_plateau_sample(b.a.n_params, grad, &b, &o, &st, &e)) { fprintf(stderr, "bench_plateau: %s\n", e.msg); return 1; }
        times[mode][r] = vqe_wtime() - t0;
        vqe_plateau_stats_free(&st);
        unsetenv("VQE_NO_BLOCKED_ADJOINT");
      }
    qsort(times[0], reps, sizeof *times[0], cmp);
    qsort(times[1], reps, sizeof *times[1], cmp);
    const double per = times[0][reps / 2] / samples, per_gate = times[1][reps / 2] / samples;
    /* the gate-by-gate walk: the circuit forwards once and backwards on two vectors, plus one generator
       application, copy and inner product per parameter: count gate-sized passes */
    const double passes = (double)b.a.circuit.n_gates * 3 + (double)b.a.n_params * 3 + 2;
    if (!json)
      printf("  %6d %7d %8d %14.4f %14.2f %18.4f %8.1fx %16.0f\n", n, b.a.n_params, samples, per, 1.0 / per, per_gate,
             per_gate / per, passes / per_gate);
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "n_qubits", n);
    cJSON_AddNumberToObject(row, "layers", layers);
    cJSON_AddNumberToObject(row, "n_parameters", b.a.n_params);
    cJSON_AddNumberToObject(row, "seconds_per_sample", per);
    cJSON_AddNumberToObject(row, "samples_per_second", 1.0 / per);
    cJSON_AddNumberToObject(row, "seconds_per_sample_gate_by_gate", per_gate);
    cJSON_AddNumberToObject(row, "speedup_blocked", per_gate / per);
    cJSON_AddNumberToObject(row, "gate_by_gate_state_passes_per_second", passes / per_gate);
    cJSON_AddItemToArray(rows, row);
    vqe_ansatz_free(&b.a);
    vqe_cost_free(&b.cost);
    vqe_statevec_free(&b.psi0);
    for (int i = 0; i < 3; i++) vqe_statevec_free(&b.work[i]);
  }
  if (json) {
    char *s = cJSON_Print(doc);
    puts(s);
    free(s);
  } else {
    printf("\n  (median of %d repetitions; a pass reads and writes one state vector)\n", reps);
  }
  cJSON_Delete(doc);
  return 0;
}
