/* bench_statevec.c — state-vector engine figures against this machine's memory bandwidth, measured in
 * the same run (STREAM-like copy and in-place a[i] = s·a[i]), interleaved with the kernels; medians.
 * With 1 and 2 threads at n = 20, 24, 26: a rotation on qubit 0, n/2 and n−1; CNOT; one
 * hardware-efficient layer (RY, RZ on every qubit + CNOT ladder) unfused and fused/cache-blocked, and
 * four such layers fused together (time per layer: what a depth sweep pays);
 * the expectation of a random 1000-term Pauli sum (20 qubits) and of the H2O/STO-3G JW Hamiltonian
 * (14 qubits, from tests/data/h2o_sto3g.psi4.fcidump; a random 1086-term sum when the file is absent).
 * Each time is also given as an effective bandwidth (bytes read + written / time) and as a fraction
 * of the in-place bandwidth. Not a test: it prints figures.
 *   bench_statevec [--json] [--sizes 20,24,26] [--threads 1,2] [--reps R] */
#include "vqe/vqe.h"
#include "vqe_config.h"
#include "statevec/sv_internal.h"   /* sv_k_rots: the fused layers' rotation kernel, timed in L1 */
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 64
#define DEEP 4   /* layers of the deep fused row */

static int cmp_d(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int k)
{
  qsort(v, (size_t)k, sizeof *v, cmp_d);
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

static int parse_list(const char *s, int *out, int max)
{
  int k = 0;
  while (*s && k < max) {
    char *e;
    out[k++] = (int)strtol(s, &e, 10);
    if (e == s) break;
    s = *e == ',' ? e + 1 : e;
  }
  return k;
}

/* ---- bandwidth probes on 2·2^n doubles (the size of the state) ---------------------------------- */
static double probe_copy(double *dst, const double *src, size_t len)
{
  const double t0 = vqe_wtime();
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < len; i++) dst[i] = src[i];
  return vqe_wtime() - t0;
}

static volatile double g_scale = 1.0;   /* read at run time: the multiply cannot be folded away */

static double probe_inplace(double *a, size_t len)
{
  const double s = g_scale;
  const double t0 = vqe_wtime();
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < len; i++) a[i] = s * a[i];
  return vqe_wtime() - t0;
}

typedef struct {
  const char *name;
  double bytes;          /* bytes read + written by one application */
  double t[MAXS];
  int k;
  double extra;          /* e.g. fused passes / x groups */
} kfig;

/* L hardware-efficient layers: RY, RZ on every qubit, then the CNOT ladder, one parameter per rotation */
static void hea_layers(vqe_circuit *c, int n, int L)
{
  vqe_circuit_init(c, n);
  int p = 0;
  for (int l = 0; l < L; l++) {
    for (int q = 0; q < n; q++) {
      vqe_circuit_add_param(c, VQE_GATE_RY, &q, p++, 1.0, NULL);
      vqe_circuit_add_param(c, VQE_GATE_RZ, &q, p++, 1.0, NULL);
    }
    for (int q = 0; q + 1 < n; q++) {
      const int cq[2] = { q, q + 1 };
      vqe_circuit_add_fixed(c, VQE_GATE_CNOT, cq, NULL, NULL);
    }
  }
}

/* The arithmetic floor of a layer: seconds per amplitude for one 1-qubit op on a state that stays in L1
 * (2^10 amplitudes, 16 KiB), i.e. what a cache-blocked run pays per op once memory traffic is gone: a
 * general (complex) 2×2 and a real one (RY) gate by gate, and RYs the way a fused layer runs them
 * (sv_k_rots: scaled rotations, one FMA per amplitude each, four (AVX2) or six (AVX-512) per load and
 * store; its RZs become one diagonal applied with the CNOT permutation). Each thread of a T-thread
 * run handles 1/T of the amplitudes, so the floor of a layer of g such ops on n qubits is g·2^n·t / T.
 * Fastest of 7 rounds of 200 sweeps over all 10 qubits. */
static double l1_op_seconds(int kind)
{
  vqe_statevec s;
  if (vqe_statevec_init(&s, 10, NULL)) return NAN;
  vqe_statevec_set_basis(&s, 0, NULL);
  const vqe_complex mc[4] = { CMPLX(0.6, 0.1), CMPLX(-0.3, 0.7), CMPLX(0.2, -0.5), CMPLX(0.9, 0.4) };
  const vqe_complex mr[4] = { 0.8, -0.6, 0.6, 0.8 };
  const vqe_complex *m = kind == 0 ? mc : mr;
  sv_rot rots[10];
  double scale = 1;
  for (int q = 0; q < 10; q++) scale *= sv_rot_factor(q, cos(0.1 * q + 0.3), sin(0.1 * q + 0.3), &rots[q]);
  double best = INFINITY;
  for (int r = 0; r < 7; r++) {
    const double t0 = vqe_wtime();
    for (int k = 0; k < 200; k++) {
      if (kind == 2) sv_k_rots(s.amp, 10, 10, rots, scale);
      else
        for (int q = 0; q < 10; q++) vqe_statevec_apply_1q(&s, q, m, NULL);
    }
    const double t = vqe_wtime() - t0;
    if (t < best) best = t;
  }
  vqe_statevec_free(&s);
  return best / (200.0 * 10.0 * 1024.0);
}

/* The core's other limit: fused rotations are FMA-bound, so measure this core's FMA throughput in the
 * same run (12 independent chains, the widest vectors the CPU has: AVX-512, else AVX2+FMA, else plain
 * C, which the compiler turns into SSE2 multiply-adds). A rotation f·[[1, −t], [t, 1]] costs one FMA per
 * real part: two doubles per amplitude, so its floor is 2 / (double FMAs per second); a layer's n
 * rotations then cost at least n·2^n of those per thread. Returns double FMAs per second, one thread. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx512f"))) static double fma_chains_512(long iters)
{
  __m512d a[12];
  const __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-7);
  for (int i = 0; i < 12; i++) a[i] = _mm512_set1_pd(i);
  for (long k = 0; k < iters; k++)
    for (int i = 0; i < 12; i++) a[i] = _mm512_fmadd_pd(a[i], m, c);
  double s = 0;
  for (int i = 0; i < 12; i++) s += _mm512_reduce_add_pd(a[i]);
  return s;
}
__attribute__((target("avx2,fma"))) static double fma_chains_256(long iters)
{
  __m256d a[12];
  const __m256d m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-7);
  for (int i = 0; i < 12; i++) a[i] = _mm256_set1_pd(i);
  for (long k = 0; k < iters; k++)
    for (int i = 0; i < 12; i++) a[i] = _mm256_fmadd_pd(a[i], m, c);
  double s = 0, o[4];
  for (int i = 0; i < 12; i++) { _mm256_storeu_pd(o, a[i]); s += o[0] + o[1] + o[2] + o[3]; }
  return s;
}
#endif
static volatile double g_sink;
static double fma_peak(void)
{
  const long iters = 20000000;
  double best = INFINITY;
  int width = 2;
  for (int r = 0; r < 3; r++) {
    const double t0 = vqe_wtime();
#if defined(__x86_64__) && defined(__GNUC__)
    if (sv_have_avx512()) { g_sink = fma_chains_512(iters); width = 8; }
    else if (sv_have_avx2()) { g_sink = fma_chains_256(iters); width = 4; }
    else
#endif
    {
      double a[12];
      for (int i = 0; i < 12; i++) a[i] = i;
      for (long k = 0; k < iters; k++)
        for (int i = 0; i < 12; i++) a[i] = a[i] * 0.999999 + 1e-7;
      g_sink = a[0] + a[11];
      width = 1;
    }
    const double t = vqe_wtime() - t0;
    if (t < best) best = t;
  }
  return 12.0 * width * (double)iters / best;
}

static void random_sum(vqe_pauli_sum *h, int n, int nt, vqe_rng *rng)
{
  vqe_pauli_sum_init(h, n);
  const uint64_t all = (UINT64_C(1) << n) - 1;
  for (int t = 0; t < nt; t++)
    vqe_pauli_sum_add(h, vqe_rng_u64(rng) & all, vqe_rng_u64(rng) & all, vqe_rng_uniform(rng) - 0.5, NULL);
  vqe_pauli_sum_simplify(h, 0.0);
}

int main(int argc, char **argv)
{
  int json = 0, sizes[8] = { 20, 24, 26 }, nsizes = 3, threads[8] = { 1, 2 }, nthreads = 2, reps_arg = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) json = 1;
    else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) nsizes = parse_list(argv[++i], sizes, 8);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) nthreads = parse_list(argv[++i], threads, 8);
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps_arg = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: %s [--json] [--sizes 20,24,26] [--threads 1,2] [--reps R]\n", argv[0]);
      return 2;
    }
  }
  int nmax = 0;
  for (int i = 0; i < nsizes; i++) if (sizes[i] > nmax) nmax = sizes[i];
  vqe_error err;
  if (vqe_statevec_check_memory(nmax, 2, &err)) {
    fprintf(stderr, "bench_statevec: %s\n", err.msg);
    return 2;
  }
  cJSON *root = cJSON_CreateObject(), *jruns = cJSON_AddArrayToObject(root, "runs");
  cJSON_AddNumberToObject(root, "max_threads", omp_get_max_threads());
  if (!json) printf("bench_statevec: memory bandwidth measured in the same run; medians; fraction = of in-place bandwidth\n");
  vqe_rng rng;
  vqe_rng_seed(&rng, 2024);

  const double t_l1c = l1_op_seconds(0), t_l1r = l1_op_seconds(1), t_l1 = l1_op_seconds(2);
  const double fma = fma_peak(), t_rot_fma = 2.0 / fma;
  if (!json)
    printf("arithmetic floor: on an L1-resident state a 2x2 costs %.3f ns per amplitude if complex, %.3f if real (RY);\n"
           "  an RY of a fused layer (scaled rotations, four per sweep with AVX2, six with AVX-512) %.3f (1 thread);\n"
           "  this core's FMA peak %.1f G double FMAs/s makes a rotation's limit %.3f ns: the sweep runs at %.0f%% of it\n",
           1e9 * t_l1c, 1e9 * t_l1r, 1e9 * t_l1, 1e-9 * fma, 1e9 * t_rot_fma, 100.0 * t_rot_fma / t_l1);
  cJSON_AddNumberToObject(root, "l1_2x2_ns_per_amplitude", 1e9 * t_l1c);
  cJSON_AddNumberToObject(root, "l1_real_2x2_ns_per_amplitude", 1e9 * t_l1r);
  cJSON_AddNumberToObject(root, "l1_fused_rotation_ns_per_amplitude", 1e9 * t_l1);
  cJSON_AddNumberToObject(root, "fma_peak_gflops_double", 1e-9 * fma);   /* FMAs per second, 1 thread */
  cJSON_AddNumberToObject(root, "fma_rotation_limit_ns_per_amplitude", 1e9 * t_rot_fma);
  for (int ti = 0; ti < nthreads; ti++) {
    omp_set_num_threads(threads[ti]);
    for (int si = 0; si < nsizes; si++) {
      const int n = sizes[si];
      const int reps = reps_arg > 0 ? reps_arg : (n <= 20 ? 7 : n <= 24 ? 5 : 3);
      vqe_statevec s, tmp;
      if (vqe_statevec_init(&s, n, &err) || vqe_statevec_init(&tmp, n, &err)) {
        fprintf(stderr, "bench_statevec: %s\n", err.msg);
        return 2;
      }
      vqe_statevec_set_basis(&s, 0, NULL);
      const vqe_complex h[4] = { M_SQRT1_2, M_SQRT1_2, M_SQRT1_2, -M_SQRT1_2 };
      for (int q = 0; q < n; q++) vqe_statevec_apply_1q(&s, q, h, NULL);   /* |+…+⟩: every amplitude non-zero */
      vqe_statevec_copy(&tmp, &s, NULL);
      const size_t len = 2 * (size_t)s.dim;
      const double sb = 16.0 * (double)s.dim;   /* bytes of one state */

      vqe_circuit hea;
      hea_layers(&hea, n, 1);
      double th[2 * 64 * DEEP];
      for (int i = 0; i < 2 * n * DEEP; i++) th[i] = 0.1 + 0.01 * i;
      vqe_fused *fused = NULL;
      if (vqe_circuit_fuse(&hea, th, NULL, &fused, &err)) { fprintf(stderr, "bench_statevec: %s\n", err.msg); return 1; }
      vqe_fused_stats fst;
      vqe_fused_get_stats(fused, &fst);
      /* DEEP layers fused together, as a depth sweep runs them: the row gives the time per layer */
      vqe_circuit hea_deep;
      hea_layers(&hea_deep, n, DEEP);
      vqe_fused *fused_deep = NULL;
      if (vqe_circuit_fuse(&hea_deep, th, NULL, &fused_deep, &err)) { fprintf(stderr, "bench_statevec: %s\n", err.msg); return 1; }
      vqe_fused_stats fsd;
      vqe_fused_get_stats(fused_deep, &fsd);

      enum { K_COPY, K_INPL, K_R0, K_RMID, K_RTOP, K_CNOT, K_CNOTTOP, K_HEA, K_HEAF, K_HEAD, K_N };
      kfig f[K_N] = {
        { "copy b=a", 2 * sb, { 0 }, 0, 0 },
        { "in-place a=s*a", 2 * sb, { 0 }, 0, 0 },
        { "RY on qubit 0", 2 * sb, { 0 }, 0, 0 },
        { "RY on qubit n/2", 2 * sb, { 0 }, 0, 0 },
        { "RY on qubit n-1", 2 * sb, { 0 }, 0, 0 },
        { "CNOT(n/2-1, n/2)", sb, { 0 }, 0, 0 },    /* touches the control=1 half: read + write */
        { "CNOT(n-2, n-1)", sb, { 0 }, 0, 0 },      /* the same, 2^(n-1) amplitudes apart */
        { "HEA layer, unfused", (double)hea.n_gates * 2 * sb, { 0 }, 0, (double)hea.n_gates },
        { "HEA layer, fused+blocked", (double)fst.n_passes * 2 * sb, { 0 }, 0, (double)fst.n_passes },
        { "HEA x4, fused, per layer", (double)fsd.n_passes * 2 * sb / DEEP, { 0 }, 0, (double)fsd.n_passes },
      };
      const int ry_q[3] = { 0, n / 2, n - 1 };
      const double c = cos(0.15), sn = sin(0.15);
      const vqe_complex ry[4] = { c, -sn, sn, c };
      const int cn[2] = { n / 2 - 1, n / 2 };
      vqe_circuit cnot;
      vqe_circuit_init(&cnot, n);
      vqe_circuit_add_fixed(&cnot, VQE_GATE_CNOT, cn, NULL, NULL);
      const int cnt[2] = { n - 2, n - 1 };
      vqe_circuit cnot_top;
      vqe_circuit_init(&cnot_top, n);
      vqe_circuit_add_fixed(&cnot_top, VQE_GATE_CNOT, cnt, NULL, NULL);
      /* warm-up pass */
      probe_inplace((double *)s.amp, len);
      for (int r = 0; r < reps; r++) {
        /* interleaved: bandwidth probe, then every kernel once */
        f[K_COPY].t[f[K_COPY].k++] = probe_copy((double *)tmp.amp, (const double *)s.amp, len);
        f[K_INPL].t[f[K_INPL].k++] = probe_inplace((double *)s.amp, len);
        for (int j = 0; j < 3; j++) {
          const double t0 = vqe_wtime();
          vqe_statevec_apply_1q(&s, ry_q[j], ry, NULL);
          f[K_R0 + j].t[f[K_R0 + j].k++] = vqe_wtime() - t0;
        }
        double t0 = vqe_wtime();
        vqe_circuit_apply(&cnot, NULL, &s, NULL);
        f[K_CNOT].t[f[K_CNOT].k++] = vqe_wtime() - t0;
        t0 = vqe_wtime();
        vqe_circuit_apply(&cnot_top, NULL, &s, NULL);
        f[K_CNOTTOP].t[f[K_CNOTTOP].k++] = vqe_wtime() - t0;
        if (n < 26 || r == 0) {   /* the unfused layer is ~3n passes: once at n = 26 */
          t0 = vqe_wtime();
          vqe_circuit_apply(&hea, th, &s, NULL);
          f[K_HEA].t[f[K_HEA].k++] = vqe_wtime() - t0;
        }
        t0 = vqe_wtime();
        vqe_fused_apply(fused, &s, NULL);
        f[K_HEAF].t[f[K_HEAF].k++] = vqe_wtime() - t0;
        t0 = vqe_wtime();
        vqe_fused_apply(fused_deep, &s, NULL);
        f[K_HEAD].t[f[K_HEAD].k++] = (vqe_wtime() - t0) / DEEP;
      }
      const double t_inpl = median(f[K_INPL].t, f[K_INPL].k);
      const double bw_inpl = f[K_INPL].bytes / t_inpl;
      const double bw_copy = f[K_COPY].bytes / median(f[K_COPY].t, f[K_COPY].k);
      if (!json) {
        printf("\n== threads %d, n = %d (state %.0f MiB), %d reps; bandwidth: copy %.2f GB/s, in-place %.2f GB/s\n",
               threads[ti], n, sb / 1048576.0, reps, bw_copy / 1e9, bw_inpl / 1e9);
        printf("  %-26s %12s %10s %9s %s\n", "kernel", "median s", "GB/s", "fraction", "");
      }
      cJSON *jr = cJSON_CreateObject();
      cJSON_AddNumberToObject(jr, "threads", threads[ti]);
      cJSON_AddNumberToObject(jr, "n", n);
      cJSON_AddNumberToObject(jr, "reps", reps);
      cJSON_AddNumberToObject(jr, "bandwidth_copy_GBps", bw_copy / 1e9);
      cJSON_AddNumberToObject(jr, "bandwidth_inplace_GBps", bw_inpl / 1e9);
      cJSON *jk = cJSON_AddArrayToObject(jr, "kernels");
      for (int k = K_R0; k < K_N; k++) {
        const double t = median(f[k].t, f[k].k), bw = f[k].bytes / t;
        char note[160] = "";
        if (k == K_HEA) snprintf(note, sizeof note, "%d gates = %.1f in-place passes", (int)f[k].extra, t / t_inpl);
        /* floor: the layer's n RYs at the L1 cost of the fused layers' rotation kernel, split over the threads */
        const double floor_s = (double)n * (double)s.dim * t_l1 / threads[ti];
        const double fma_s = (double)n * (double)s.dim * t_rot_fma / threads[ti];   /* at the FMA peak */
        if (k == K_HEAF) snprintf(note, sizeof note, "%zu ops, %zu passes planned = %.1f in-place passes (x%.1f vs unfused); arithmetic floor %.1f (FMA peak %.1f)",
                                  fst.n_ops, fst.n_passes, t / t_inpl, median(f[K_HEA].t, f[K_HEA].k) / t, floor_s / t_inpl,
                                  fma_s / t_inpl);
        if (k == K_HEAD) snprintf(note, sizeof note, "%d layers: %zu ops, %zu passes planned in all = %.1f in-place passes per layer",
                                  DEEP, fsd.n_ops, fsd.n_passes, t / t_inpl);
        if (!json) printf("  %-26s %12.5f %10.2f %8.1f%% %s\n", f[k].name, t, bw / 1e9, 100 * bw / bw_inpl, note);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kernel", f[k].name);
        cJSON_AddNumberToObject(o, "median_s", t);
        cJSON_AddNumberToObject(o, "bytes", f[k].bytes);
        cJSON_AddNumberToObject(o, "GBps", bw / 1e9);
        cJSON_AddNumberToObject(o, "fraction_of_inplace", bw / bw_inpl);
        cJSON_AddNumberToObject(o, "inplace_passes", t / t_inpl);
        if (k == K_HEA) cJSON_AddNumberToObject(o, "gates", f[k].extra);
        if (k == K_HEAF) {
          cJSON_AddNumberToObject(o, "fused_ops", (double)fst.n_ops);
          cJSON_AddNumberToObject(o, "planned_passes", (double)fst.n_passes);
          cJSON_AddNumberToObject(o, "arithmetic_floor_s", floor_s);
          cJSON_AddNumberToObject(o, "arithmetic_floor_inplace_passes", floor_s / t_inpl);
          cJSON_AddNumberToObject(o, "fma_peak_floor_inplace_passes", fma_s / t_inpl);
        }
        if (k == K_HEAD) {
          cJSON_AddNumberToObject(o, "layers", DEEP);
          cJSON_AddNumberToObject(o, "fused_ops", (double)fsd.n_ops);
          cJSON_AddNumberToObject(o, "planned_passes", (double)fsd.n_passes);
        }
        cJSON_AddItemToArray(jk, o);
      }
      cJSON_AddItemToArray(jruns, jr);
      vqe_fused_destroy(fused);
      vqe_fused_destroy(fused_deep);
      vqe_circuit_free(&hea);
      vqe_circuit_free(&hea_deep);
      vqe_circuit_free(&cnot);
      vqe_circuit_free(&cnot_top);
      vqe_statevec_free(&s);
      vqe_statevec_free(&tmp);
    }

    /* expectation values: random 1000-term sum on 20 qubits; H2O/STO-3G JW (14 qubits) */
    for (int which = 0; which < 2; which++) {
      vqe_pauli_sum hs;
      const char *label;
      int n;
      if (which == 0) {
        n = 20;
        random_sum(&hs, n, 1000, &rng);
        label = "random 1000-term sum";
      } else {
        vqe_mo_hamiltonian mo;
        memset(&mo, 0, sizeof mo);
        char path[1024];
        const char *srcdir = getenv("VQE_SOURCE_DIR");
        snprintf(path, sizeof path, "%s/tests/data/h2o_sto3g.psi4.fcidump", srcdir ? srcdir : VQE_SOURCE_DIR);
        if (vqe_fcidump_read(path, &mo, &err) == VQE_OK && vqe_hamiltonian_jordan_wigner(&mo, -1, &hs, &err) == VQE_OK) {
          label = "H2O/STO-3G JW";
          n = hs.n_qubits;
        } else {
          n = 14;
          random_sum(&hs, n, 1086, &rng);
          label = "random 1086-term sum (H2O FCIDUMP not found)";
        }
        vqe_mo_hamiltonian_free(&mo);
      }
      vqe_statevec s, tmp;
      if (vqe_statevec_init(&s, n, &err) || vqe_statevec_init(&tmp, n, &err)) { fprintf(stderr, "bench_statevec: %s\n", err.msg); return 2; }
      vqe_statevec_set_random(&s, &rng);
      const size_t len = 2 * (size_t)s.dim;
      const int reps = 5;
      double ti_[MAXS], te[MAXS], th_[MAXS], e = 0;
      for (int r = 0; r < reps; r++) {
        ti_[r] = probe_inplace((double *)tmp.amp, len);
        double t0 = vqe_wtime();
        vqe_statevec_expect_pauli_sum(&s, &hs, &e, NULL);
        te[r] = vqe_wtime() - t0;
        t0 = vqe_wtime();
        vqe_statevec_apply_pauli_sum(&s, &hs, &tmp, NULL);
        th_[r] = vqe_wtime() - t0;
      }
      const double tin = median(ti_, reps), tex = median(te, reps), thp = median(th_, reps);
      const double sb = 16.0 * (double)s.dim;
      const size_t ng = vqe_pauli_sum_n_xgroups(&hs);
      if (!json)
        printf("\n== threads %d, <H> of %s: %d qubits, %zu terms, %zu x groups\n"
               "  expectation %.5f s = %.1f in-place passes (%.2f per x group; reads 1 state per group)\n"
               "  H|psi>      %.5f s = %.1f in-place passes (%.2f per x group)\n",
               threads[ti], label, n, hs.n_terms, ng, tex, tex / tin, tex / tin / (double)ng, thp, thp / tin,
               thp / tin / (double)ng);
      cJSON *o = cJSON_CreateObject();
      cJSON_AddNumberToObject(o, "threads", threads[ti]);
      cJSON_AddStringToObject(o, "hamiltonian", label);
      cJSON_AddNumberToObject(o, "n", n);
      cJSON_AddNumberToObject(o, "terms", (double)hs.n_terms);
      cJSON_AddNumberToObject(o, "x_groups", (double)ng);
      cJSON_AddNumberToObject(o, "expectation_s", tex);
      cJSON_AddNumberToObject(o, "expectation_inplace_passes", tex / tin);
      cJSON_AddNumberToObject(o, "apply_s", thp);
      cJSON_AddNumberToObject(o, "apply_inplace_passes", thp / tin);
      cJSON_AddNumberToObject(o, "state_bytes", sb);
      cJSON *arr = cJSON_GetObjectItem(root, "expectation");
      if (!arr) arr = cJSON_AddArrayToObject(root, "expectation");
      cJSON_AddItemToArray(arr, o);
      vqe_statevec_free(&s);
      vqe_statevec_free(&tmp);
      vqe_pauli_sum_free(&hs);
    }
  }
  if (json) {
    char *txt = cJSON_Print(root);
    printf("%s\n", txt);
    free(txt);
  }
  cJSON_Delete(root);
  return 0;
}
