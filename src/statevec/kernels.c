/* kernels.c — the element kernels of the state-vector engine (sv_internal.h): every gate the circuit
 * layer runs ends up in one of these loops. Each loop enumerates the 2^(n−k) index groups a k-qubit
 * operation mixes by inserting zero bits at the operation's (sorted) qubit positions into a counter,
 * so every iteration is independent: the OpenMP split never changes the result. */
#include "statevec/sv_internal.h"
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int sv_mask_positions(uint64_t mask, int *pos)
{
  int k = 0;
  while (mask) {
    pos[k++] = __builtin_ctzll(mask);
    mask &= mask - 1;
  }
  return k;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* A 2×2 m split for AVX2 (two complex lanes per register): m·v = re(m)·(vr, vi) + im(m)·(−vi, vr). */
typedef struct { __m256d r00, i00, r01, i01, r10, i10, r11, i11; int real; } m2x2_avx;

__attribute__((target("avx2,fma")))
static inline void m2x2_avx_init(m2x2_avx *c, const vqe_complex m[4])
{
  c->r00 = _mm256_set1_pd(creal(m[0])); c->i00 = _mm256_setr_pd(-cimag(m[0]), cimag(m[0]), -cimag(m[0]), cimag(m[0]));
  c->r01 = _mm256_set1_pd(creal(m[1])); c->i01 = _mm256_setr_pd(-cimag(m[1]), cimag(m[1]), -cimag(m[1]), cimag(m[1]));
  c->r10 = _mm256_set1_pd(creal(m[2])); c->i10 = _mm256_setr_pd(-cimag(m[2]), cimag(m[2]), -cimag(m[2]), cimag(m[2]));
  c->r11 = _mm256_set1_pd(creal(m[3])); c->i11 = _mm256_setr_pd(-cimag(m[3]), cimag(m[3]), -cimag(m[3]), cimag(m[3]));
  c->real = cimag(m[0]) == 0 && cimag(m[1]) == 0 && cimag(m[2]) == 0 && cimag(m[3]) == 0;
}

/* (n0, n1) = m·(v0, v1): a general matrix, and a real one (RY, H: 2 multiplies + 2 FMAs per 4
 * amplitudes). Callers keep one loop per case so the test is outside the loop. */
__attribute__((target("avx2,fma")))
static inline void m2x2_avx_cplx(const m2x2_avx *c, __m256d v0, __m256d v1, __m256d *n0, __m256d *n1)
{
  const __m256d s0 = _mm256_permute_pd(v0, 5), s1 = _mm256_permute_pd(v1, 5);
  __m256d a = _mm256_mul_pd(s1, c->i01), b = _mm256_mul_pd(s1, c->i11);
  a = _mm256_fmadd_pd(v1, c->r01, a);
  b = _mm256_fmadd_pd(v1, c->r11, b);
  a = _mm256_fmadd_pd(s0, c->i00, a);
  b = _mm256_fmadd_pd(s0, c->i10, b);
  *n0 = _mm256_fmadd_pd(v0, c->r00, a);
  *n1 = _mm256_fmadd_pd(v0, c->r10, b);
}

__attribute__((target("avx2,fma")))
static inline void m2x2_avx_real(const m2x2_avx *c, __m256d v0, __m256d v1, __m256d *n0, __m256d *n1)
{
  *n0 = _mm256_fmadd_pd(v0, c->r00, _mm256_mul_pd(v1, c->r01));
  *n1 = _mm256_fmadd_pd(v0, c->r10, _mm256_mul_pd(v1, c->r11));
}

/* m on the pairs (p0[j], p1[j]), j < npairs (even): two streams, two pairs per register; a real matrix
 * (RY, H, the RY part of a layer) needs half the arithmetic. */
__attribute__((target("avx2,fma")))
static inline void m2x2_avx_pairs(const m2x2_avx *c, double *p0, double *p1, int64_t npairs)
{
  __m256d n0, n1;
  if (c->real)
    for (int64_t j = 0; j < 2 * npairs; j += 4) {
      m2x2_avx_real(c, _mm256_loadu_pd(p0 + j), _mm256_loadu_pd(p1 + j), &n0, &n1);
      _mm256_storeu_pd(p0 + j, n0);
      _mm256_storeu_pd(p1 + j, n1);
    }
  else
    for (int64_t j = 0; j < 2 * npairs; j += 4) {
      m2x2_avx_cplx(c, _mm256_loadu_pd(p0 + j), _mm256_loadu_pd(p1 + j), &n0, &n1);
      _mm256_storeu_pd(p0 + j, n0);
      _mm256_storeu_pd(p1 + j, n1);
    }
}

/* General 2×2 with AVX2+FMA (two amplitudes per register), chosen at run time when the CPU has them:
 * the build targets x86-64-v2 (SSE only), and this is the kernel a fused circuit spends its time in.
 * m·v = re(m)·(vr, vi) + im(m)·(−vi, vr) per complex lane. */
__attribute__((target("avx2,fma")))
static void k1q_avx2_range(double *d, int q, const vqe_complex m[4], int64_t i_lo, int64_t i_hi)
{
  if (q == 0) {
    /* pairs (2i, 2i+1) in one register [a0 | a1]; the other one swapped to [a1 | a0] */
    const __m256d dr = _mm256_setr_pd(creal(m[0]), creal(m[0]), creal(m[3]), creal(m[3]));
    const __m256d di = _mm256_setr_pd(-cimag(m[0]), cimag(m[0]), -cimag(m[3]), cimag(m[3]));
    const __m256d orr = _mm256_setr_pd(creal(m[1]), creal(m[1]), creal(m[2]), creal(m[2]));
    const __m256d oi = _mm256_setr_pd(-cimag(m[1]), cimag(m[1]), -cimag(m[2]), cimag(m[2]));
    if (cimag(m[0]) == 0 && cimag(m[1]) == 0 && cimag(m[2]) == 0 && cimag(m[3]) == 0) {   /* real: RY, H */
      for (int64_t i = i_lo; i < i_hi; i++) {
        const __m256d v = _mm256_loadu_pd(d + 4 * i);
        _mm256_storeu_pd(d + 4 * i, _mm256_fmadd_pd(_mm256_permute2f128_pd(v, v, 1), orr, _mm256_mul_pd(v, dr)));
      }
      return;
    }
    for (int64_t i = i_lo; i < i_hi; i++) {
      const __m256d v = _mm256_loadu_pd(d + 4 * i);
      const __m256d w = _mm256_permute2f128_pd(v, v, 1);
      const __m256d vs = _mm256_permute_pd(v, 5), ws = _mm256_permute_pd(w, 5);
      __m256d r = _mm256_mul_pd(vs, di);
      r = _mm256_fmadd_pd(v, dr, r);
      r = _mm256_fmadd_pd(ws, oi, r);
      r = _mm256_fmadd_pd(w, orr, r);
      _mm256_storeu_pd(d + 4 * i, r);
    }
    return;
  }
  const uint64_t bit = UINT64_C(1) << q;
  m2x2_avx c;
  m2x2_avx_init(&c, m);
  if (q <= 3) {
    /* runs of 2, 4 or 8 pairs: one loop over groups of 2^(q+1) amplitudes, no per-run index arithmetic
     * (the generic loop below spent more on it than on the arithmetic for these qubits) */
    const int64_t step = (int64_t)1 << q;   /* pairs per group; i_lo, i_hi are multiples of 8 (k1q_avx2) */
    __m256d n0, n1;
    if (c.real)
      for (int64_t i = i_lo; i < i_hi; i += step) {
        double *p0 = d + 4 * i, *p1 = p0 + 2 * bit;   /* sv_insert0(i, q) = 2i for i a multiple of 2^q */
        for (int j = 0; j < 2 * step; j += 4) {
          m2x2_avx_real(&c, _mm256_loadu_pd(p0 + j), _mm256_loadu_pd(p1 + j), &n0, &n1);
          _mm256_storeu_pd(p0 + j, n0);
          _mm256_storeu_pd(p1 + j, n1);
        }
      }
    else
      for (int64_t i = i_lo; i < i_hi; i += step) {
        double *p0 = d + 4 * i, *p1 = p0 + 2 * bit;
        for (int j = 0; j < 2 * step; j += 4) {
          m2x2_avx_cplx(&c, _mm256_loadu_pd(p0 + j), _mm256_loadu_pd(p1 + j), &n0, &n1);
          _mm256_storeu_pd(p0 + j, n0);
          _mm256_storeu_pd(p1 + j, n1);
        }
      }
    return;
  }
  for (int64_t i = i_lo; i < i_hi;) {
    /* i even and q >= 1: pairs i .. stop−1 have contiguous lower members, two per register (no index
     * arithmetic inside) */
    const int64_t end = ((i >> q) + 1) << q, stop = end < i_hi ? end : i_hi;
    double *p0 = d + 2 * sv_insert0((uint64_t)i, q);
    m2x2_avx_pairs(&c, p0, p0 + 2 * bit, stop - i);
    i = stop;
  }
}


/* The 2×2 over all pairs: serially, or split into even-sized contiguous ranges, one per thread (an
 * `omp parallel for if (0)` still costs a runtime call, which dominated the 1024-amplitude L1
 * sub-blocks of fused runs). */
static void k1q_avx2(vqe_complex *a, int n, int q, const vqe_complex m[4], int par)
{
  const int64_t half = (int64_t)1 << (n - 1);
  if (!par) { k1q_avx2_range((double *)a, q, m, 0, half); return; }
#pragma omp parallel
  {
    const int64_t nt = omp_get_num_threads(), me = omp_get_thread_num();
    const int64_t per = ((half + nt - 1) / nt + 7) & ~INT64_C(7);   /* multiples of 8: the q <= 3 loops take groups of 8 pairs */
    const int64_t lo = me * per < half ? me * per : half, hi = lo + per < half ? lo + per : half;
    k1q_avx2_range((double *)a, q, m, lo, hi);
  }
}

/* Full unrolling of the sweeps' register loops (the -O2 build would keep v[] in memory otherwise); the
 * -O0 sanitizer build ignores the hint and warns, so it gets none. */
#define SV_PRAGMA(x) _Pragma(#x)
#ifdef __OPTIMIZE__
#define SV_UNROLL(n) SV_PRAGMA(GCC unroll n)
#else
#define SV_UNROLL(n)
#endif

/* A sweep's index layout: the lowest `inlane` qubits lie inside each register, the K qubits gq[] across
 * registers. pos: all of them ascending (the zero bits of a group's base index), gm: their mask, off[l]:
 * the offset of register l (bit k of l = qubit gq[k]). */
static inline void sweep_layout(int K, const uint64_t *gq, int inlane, int *pos, uint64_t *gm, uint64_t *off)
{
  *gm = (UINT64_C(1) << inlane) - 1;
  for (int j = 0; j < inlane; j++) pos[j] = j;
  for (int k = 0; k < K; k++) { pos[inlane + k] = (int)gq[k]; *gm |= UINT64_C(1) << gq[k]; }
  for (int l = 0; l < (1 << K); l++) {
    off[l] = 0;
    for (int k = 0; k < K; k++)
      if (l >> k & 1) off[l] |= UINT64_C(1) << gq[k];
  }
}

/* One sweep of the commuting rotations on qubit 0 (inside each register, when h0) and on the K (<= 3)
 * qubits gq[0..K-1] >= 1 (across registers): 2^K registers of two amplitudes each are loaded, rotated
 * K (+1) times and stored. Index groups i_lo .. i_hi−1 of the 2^(n−1−K). */
__attribute__((target("avx2,fma"), always_inline))
static inline void rots_sweep_k(double *d, int K, const uint64_t *gq, const double *gt, const int *gs, int h0,
                                double t0, int s0, double scale, int64_t i_lo, int64_t i_hi)
{
  int pos[4];
  uint64_t gm, off[8];
  sweep_layout(K, gq, 1, pos, &gm, off);
  __m256d T[3], v[8];
  for (int k = 0; k < K; k++) T[k] = _mm256_set1_pd(gt[k]);
  const __m256d T0 = s0 ? _mm256_set1_pd(t0) : _mm256_setr_pd(-t0, -t0, t0, t0);
  const __m256d sgn = _mm256_setr_pd(-0.0, -0.0, 0.0, 0.0), S = _mm256_set1_pd(scale);
  const int scaled = scale != 1;
  uint64_t b = sv_insert0n((uint64_t)i_lo, pos, K + 1);
  for (int64_t i = i_lo; i < i_hi; i++) {
    SV_UNROLL(8)
    for (int l = 0; l < (1 << K); l++) v[l] = _mm256_loadu_pd(d + 2 * (b | off[l]));
    if (h0) {
      SV_UNROLL(8)
      for (int l = 0; l < (1 << K); l++) {
        const __m256d w = _mm256_permute2f128_pd(v[l], v[l], 1);   /* [x|y] → [y|x] */
        v[l] = s0 ? _mm256_fmadd_pd(v[l], T0, _mm256_xor_pd(w, sgn))   /* [t x − y | x + t y] */
                  : _mm256_fmadd_pd(w, T0, v[l]);                      /* [x − t y | y + t x] */
      }
    }
    SV_UNROLL(3)
    for (int k = 0; k < K; k++) {
      SV_UNROLL(8)
      for (int l = 0; l < (1 << K); l++) {
        if (l >> k & 1) continue;
        const __m256d x = v[l], y = v[l | 1 << k];
        if (gs[k]) { v[l] = _mm256_fmsub_pd(T[k], x, y); v[l | 1 << k] = _mm256_fmadd_pd(T[k], y, x); }
        else { v[l] = _mm256_fnmadd_pd(T[k], y, x); v[l | 1 << k] = _mm256_fmadd_pd(T[k], x, y); }
      }
    }
    if (scaled) {
      SV_UNROLL(8)
      for (int l = 0; l < (1 << K); l++) v[l] = _mm256_mul_pd(v[l], S);
    }
    SV_UNROLL(8)
    for (int l = 0; l < (1 << K); l++) _mm256_storeu_pd(d + 2 * (b | off[l]), v[l]);
    b = ((b | gm) + 1) & ~gm;
  }
}
__attribute__((target("avx2,fma"))) static void rots_sweep0(double *d, const uint64_t *q, const double *t, const int *s, int h0, double t0, int s0, double sc, int64_t lo, int64_t hi) { rots_sweep_k(d, 0, q, t, s, h0, t0, s0, sc, lo, hi); }
__attribute__((target("avx2,fma"))) static void rots_sweep1(double *d, const uint64_t *q, const double *t, const int *s, int h0, double t0, int s0, double sc, int64_t lo, int64_t hi) { rots_sweep_k(d, 1, q, t, s, h0, t0, s0, sc, lo, hi); }
__attribute__((target("avx2,fma"))) static void rots_sweep2(double *d, const uint64_t *q, const double *t, const int *s, int h0, double t0, int s0, double sc, int64_t lo, int64_t hi) { rots_sweep_k(d, 2, q, t, s, h0, t0, s0, sc, lo, hi); }
__attribute__((target("avx2,fma"))) static void rots_sweep3(double *d, const uint64_t *q, const double *t, const int *s, int h0, double t0, int s0, double sc, int64_t lo, int64_t hi) { rots_sweep_k(d, 3, q, t, s, h0, t0, s0, sc, lo, hi); }

/* The same sweep with AVX-512 (Zen 4, Ice Lake and later): four amplitudes per register, so qubits 0
 * and 1 rotate inside each register (h0, h1) and up to four more across 16 registers: six rotations
 * per load and store instead of four. Index groups i_lo .. i_hi−1 of the 2^(n−2−K). */
__attribute__((target("avx512f"), always_inline))
static inline void rots_sweepz_k(double *d, int K, const uint64_t *gq, const double *gt, const int *gs, int h0,
                                 double t0, int s0, int h1, double t1, int s1, double scale, int64_t i_lo,
                                 int64_t i_hi)
{
  int pos[6];
  uint64_t gm, off[16];
  sweep_layout(K, gq, 2, pos, &gm, off);
  __m512d T[4], v[16];
  for (int k = 0; k < K; k++) T[k] = _mm512_set1_pd(gt[k]);
  /* in-register partners: qubit 0 swaps neighbouring amplitudes, qubit 1 the two halves */
  const __m512d T0 = s0 ? _mm512_set1_pd(t0) : _mm512_setr_pd(-t0, -t0, t0, t0, -t0, -t0, t0, t0);
  const __m512d T1 = s1 ? _mm512_set1_pd(t1) : _mm512_setr_pd(-t1, -t1, -t1, -t1, t1, t1, t1, t1);
  const __m512d sg0 = _mm512_setr_pd(-1, -1, 1, 1, -1, -1, 1, 1), sg1 = _mm512_setr_pd(-1, -1, -1, -1, 1, 1, 1, 1);
  const __m512d S = _mm512_set1_pd(scale);
  const int scaled = scale != 1;
  uint64_t b = sv_insert0n((uint64_t)i_lo, pos, K + 2);
  for (int64_t i = i_lo; i < i_hi; i++) {
    SV_UNROLL(16)
    for (int l = 0; l < (1 << K); l++) v[l] = _mm512_loadu_pd(d + 2 * (b | off[l]));
    if (h0) {
      SV_UNROLL(16)
      for (int l = 0; l < (1 << K); l++) {
        const __m512d w = _mm512_permutex_pd(v[l], 0x4E);
        v[l] = s0 ? _mm512_fmadd_pd(v[l], T0, _mm512_mul_pd(w, sg0)) : _mm512_fmadd_pd(w, T0, v[l]);
      }
    }
    if (h1) {
      SV_UNROLL(16)
      for (int l = 0; l < (1 << K); l++) {
        const __m512d w = _mm512_shuffle_f64x2(v[l], v[l], 0x4E);
        v[l] = s1 ? _mm512_fmadd_pd(v[l], T1, _mm512_mul_pd(w, sg1)) : _mm512_fmadd_pd(w, T1, v[l]);
      }
    }
    SV_UNROLL(4)
    for (int k = 0; k < K; k++) {
      SV_UNROLL(16)
      for (int l = 0; l < (1 << K); l++) {
        if (l >> k & 1) continue;
        const __m512d x = v[l], y = v[l | 1 << k];
        if (gs[k]) { v[l] = _mm512_fmsub_pd(T[k], x, y); v[l | 1 << k] = _mm512_fmadd_pd(T[k], y, x); }
        else { v[l] = _mm512_fnmadd_pd(T[k], y, x); v[l | 1 << k] = _mm512_fmadd_pd(T[k], x, y); }
      }
    }
    if (scaled) {
      SV_UNROLL(16)
      for (int l = 0; l < (1 << K); l++) v[l] = _mm512_mul_pd(v[l], S);
    }
    SV_UNROLL(16)
    for (int l = 0; l < (1 << K); l++) _mm512_storeu_pd(d + 2 * (b | off[l]), v[l]);
    b = ((b | gm) + 1) & ~gm;
  }
}
#define RZ_ARGS double *d, const uint64_t *q, const double *t, const int *s, int h0, double t0, int s0, int h1, \
                double t1, int s1, double sc, int64_t lo, int64_t hi
#define RZ_PASS q, t, s, h0, t0, s0, h1, t1, s1, sc, lo, hi
__attribute__((target("avx512f"))) static void rots_sweepz0(RZ_ARGS) { rots_sweepz_k(d, 0, RZ_PASS); }
__attribute__((target("avx512f"))) static void rots_sweepz1(RZ_ARGS) { rots_sweepz_k(d, 1, RZ_PASS); }
__attribute__((target("avx512f"))) static void rots_sweepz2(RZ_ARGS) { rots_sweepz_k(d, 2, RZ_PASS); }
__attribute__((target("avx512f"))) static void rots_sweepz3(RZ_ARGS) { rots_sweepz_k(d, 3, RZ_PASS); }
__attribute__((target("avx512f"))) static void rots_sweepz4(RZ_ARGS) { rots_sweepz_k(d, 4, RZ_PASS); }

#endif

int sv_have_avx2(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  static _Atomic int known = -1;   /* decided once: the kernels ask on every call */
  int v = atomic_load_explicit(&known, memory_order_relaxed);
  if (v < 0) {
    const char *off = getenv("VQE_NO_AVX2");
    v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && !(off && *off && strcmp(off, "0"));
    atomic_store_explicit(&known, v, memory_order_relaxed);
  }
  return v;
#else
  return 0;
#endif
}

int sv_have_avx512(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  static _Atomic int known = -1;
  int v = atomic_load_explicit(&known, memory_order_relaxed);
  if (v < 0) {
    const char *off = getenv("VQE_NO_AVX512");
    v = sv_have_avx2() && __builtin_cpu_supports("avx512f") && !(off && *off && strcmp(off, "0"));
    atomic_store_explicit(&known, v, memory_order_relaxed);
  }
  return v;
#else
  return 0;
#endif
}

/* Pairs whose two members lie >= 2^SV_TILE_MIN_QUBIT amplitudes (256 MiB) apart. Streaming both halves
 * element by element runs at 1/10 to 1/4 of the in-place bandwidth on the development machine: a
 * read-modify-write of two streams exactly 256 MiB (or a larger power of two) apart runs at 2.5-11 GB/s
 * instead of 50, while 128 MiB, or 256 MiB + 64 KiB, apart is fine (measured with a two-stream
 * a[i] *= s: an address-aliasing effect, not the arithmetic; split.c and gates.c, far gates, have the
 * numbers). Such gates first try to move the upper halves aside in virtual memory (split.c, c1q_split
 * below: 94-96% with 1 thread at n = 26). Where that is not possible they work tile by tile with one
 * stream at a time: copy the tile's lower members to an L1 buffer (a burst read), update the upper
 * members in place reading the buffer (one stream, read-modify-write) while the buffer takes the new
 * lower values, and copy the buffer back (a burst write). Tiles of 512 pairs (8 KiB) measured best (256: 45-70%,
 * 1024: 67-96%); streaming gets 23% (1 thread) / 40% (2 threads). */
#define SV_TILE_PAIRS 512

/* A split state's pairs are visited in chunks of (at most) this many: a chunk lies inside one pair
 * block. */
#define SV_SPLIT_CHUNK_PAIRS 4096

/* A 2×2 applied to runs of pairs (lo[j], hi[j]), j < len: the AVX2 stream where the CPU has it; or,
 * exchange, the members swapped (CNOT, SWAP: exact, no arithmetic). */
typedef struct {
#if defined(__x86_64__) && defined(__GNUC__)
  m2x2_avx avx;
#endif
  int use_avx, exchange;
  sv_cm m00, m01, m10, m11;
} pair_op;

static const pair_op pair_exchange = { .exchange = 1 };

static void pair_op_init(pair_op *o, const vqe_complex m[4])
{
  o->use_avx = o->exchange = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if ((o->use_avx = sv_have_avx2())) m2x2_avx_init(&o->avx, m);
#endif
  o->m00 = sv_cm_of(m[0]); o->m01 = sv_cm_of(m[1]); o->m10 = sv_cm_of(m[2]); o->m11 = sv_cm_of(m[3]);
}

static inline void pair_op_run(const pair_op *o, vqe_complex *lo, vqe_complex *hi, int64_t len)
{
  if (o->exchange) {
    for (int64_t k = 0; k < len; k++) {
      const sv_v v = sv_ld(lo + k);
      sv_st(lo + k, sv_ld(hi + k));
      sv_st(hi + k, v);
    }
    return;
  }
#if defined(__x86_64__) && defined(__GNUC__)
  if (o->use_avx && !(len & 1)) { m2x2_avx_pairs(&o->avx, (double *)lo, (double *)hi, len); return; }
#endif
  for (int64_t k = 0; k < len; k++) {
    const sv_v v0 = sv_ld(lo + k), v1 = sv_ld(hi + k);
    sv_st(lo + k, sv_add(sv_mul(o->m00, v0), sv_mul(o->m01, v1)));
    sv_st(hi + k, sv_add(sv_mul(o->m10, v0), sv_mul(o->m11, v1)));
  }
}

/* Pairs (b | x, b | y) for the b with zeros at the k qubits pos[] (ascending): with all of them >= 2
 * the pairs come in runs of 2^pos[0] contiguous amplitudes, done run by run in pieces of at most 4096
 * (a run may be half the state: the threads share it), no index arithmetic per amplitude (CNOT(11, 12)
 * at n = 24, 1 thread: 61-65% -> 79-82% of the in-place bandwidth, counting the half it touches;
 * CRY(12, 13) at n = 26 71 -> 26 ms, RY alone 43). 0 when pos[0] < 2 (the caller's element loop). */
static int pair_runs(vqe_complex *a, int n, const int *pos, int k, uint64_t x, uint64_t y, const pair_op *op,
                     int par)
{
  if (pos[0] < 2) return 0;
  const int lg = pos[0] < 12 ? pos[0] : 12;
  const int64_t pieces = (int64_t)1 << (n - k - lg);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t r = 0; r < pieces; r++) {
    const uint64_t b = sv_insert0n((uint64_t)r << lg, pos, k);
    pair_op_run(op, a + (b | x), a + (b | y), (int64_t)1 << lg);
  }
  return 1;
}

/* A far (controlled) 1-qubit gate with the upper halves moved aside (split.c): the pairs stream like a
 * near gate's, now at a harmless virtual distance. ctrl: the control qubits' mask (0: none); those
 * above q select pair blocks, those below select runs inside a block. 0 when the state cannot be split
 * (the tiled path or gates.c's far driver then). */
static int c1q_split(vqe_complex *a, int n, uint64_t ctrl, int q, const pair_op *op, int par)
{
  sv_split s;
  if (!sv_split_begin(a, n, q, &s)) return 0;
  const int64_t per = (int64_t)1 << q;
  const uint64_t lowc = ctrl & (uint64_t)(per - 1), highc = ctrl >> (q + 1);   /* highc: block bits */
  int posl[64], posh[64];
  const int kl = sv_mask_positions(lowc, posl), kh = sv_mask_positions(highc, posh);
  const int lg = kl && posl[0] < 12 ? posl[0] : (q < 12 ? q : 12);   /* runs of 2^lg pairs */
  const int64_t chunk = (int64_t)1 << lg, per_block = (int64_t)1 << (q - kl);   /* selected pairs */
  const int64_t items = (s.n_blocks >> kh) * (per_block >> lg);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t w = 0; w < items; w++) {
    const int64_t b = (int64_t)(sv_insert0n((uint64_t)(w / (per_block >> lg)), posh, kh) | highc);
    const uint64_t j = sv_insert0n((uint64_t)(w % (per_block >> lg)) << lg, posl, kl) | lowc;
    pair_op_run(op, a + 2 * b * per + (int64_t)j, sv_split_upper(&s, b) + j, chunk);
  }
  sv_split_end(&s);
  return 1;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The tile loop with AVX2+FMA: the tiled gate is bound by the core (three passes over L1 per tile), so
 * two amplitudes per register matter here and a real matrix (RY, H) needs half
 * the arithmetic; the next tile's lower half is prefetched while this one is computed. Measured at
 * n = 26, q = 25: 42% (SSE) -> 70-76% of the in-place bandwidth with 1 thread, 85-100% with 2. */
__attribute__((target("avx2,fma")))
static void k1q_tiled_avx2(vqe_complex *a, int n, int q, const vqe_complex m[4], int par)
{
  const int64_t half = (int64_t)1 << (n - 1);
  const uint64_t bit = UINT64_C(1) << q;
  m2x2_avx c;
  m2x2_avx_init(&c, m);
#pragma omp parallel if (par)
  {
    double buf[2 * SV_TILE_PAIRS] __attribute__((aligned(64)));
#pragma omp for schedule(static)
    for (int64_t t = 0; t < half; t += SV_TILE_PAIRS) {
      double *lo = (double *)(a + sv_insert0((uint64_t)t, q)), *hi = lo + 2 * bit;
      for (int j = 0; j < 2 * SV_TILE_PAIRS; j += 4) _mm256_store_pd(buf + j, _mm256_loadu_pd(lo + j));
      const char *next = (const char *)(a + sv_insert0((uint64_t)(t + SV_TILE_PAIRS < half ? t + SV_TILE_PAIRS : t), q));
      __m256d n0, n1;
      if (c.real)   /* RY, H, X, …: half the arithmetic */
        for (int j = 0; j < 2 * SV_TILE_PAIRS; j += 4) {
          if (!(j & 7)) _mm_prefetch(next + 8 * j, _MM_HINT_T0);   /* the next tile's burst read */
          m2x2_avx_real(&c, _mm256_load_pd(buf + j), _mm256_loadu_pd(hi + j), &n0, &n1);
          _mm256_store_pd(buf + j, n0);
          _mm256_storeu_pd(hi + j, n1);
        }
      else for (int j = 0; j < 2 * SV_TILE_PAIRS; j += 4) {
        if (!(j & 7)) _mm_prefetch(next + 8 * j, _MM_HINT_T0);
        m2x2_avx_cplx(&c, _mm256_load_pd(buf + j), _mm256_loadu_pd(hi + j), &n0, &n1);
        _mm256_store_pd(buf + j, n0);
        _mm256_storeu_pd(hi + j, n1);
      }
      for (int j = 0; j < 2 * SV_TILE_PAIRS; j += 4) _mm256_storeu_pd(lo + j, _mm256_load_pd(buf + j));
    }
  }
}
#endif

static void k1q_tiled(vqe_complex *a, int n, int q, const vqe_complex m[4], int par)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (sv_have_avx2()) { k1q_tiled_avx2(a, n, q, m, par); return; }
#endif
  const int64_t half = (int64_t)1 << (n - 1);
  const uint64_t bit = UINT64_C(1) << q;
  const sv_cm m00 = sv_cm_of(m[0]), m01 = sv_cm_of(m[1]), m10 = sv_cm_of(m[2]), m11 = sv_cm_of(m[3]);
#pragma omp parallel if (par)
  {
    vqe_complex buf[SV_TILE_PAIRS];
#pragma omp for schedule(static)
    for (int64_t t = 0; t < half; t += SV_TILE_PAIRS) {
      /* SV_TILE_PAIRS divides 2^q: the tile's lower members are contiguous, so are the upper */
      vqe_complex *lo = a + sv_insert0((uint64_t)t, q), *hi = lo + bit;
      memcpy(buf, lo, sizeof buf);
      for (int j = 0; j < SV_TILE_PAIRS; j++) {
        const sv_v v0 = sv_ld(buf + j), v1 = sv_ld(hi + j);
        sv_st(buf + j, sv_add(sv_mul(m00, v0), sv_mul(m01, v1)));
        sv_st(hi + j, sv_add(sv_mul(m10, v0), sv_mul(m11, v1)));
      }
      memcpy(lo, buf, sizeof buf);
    }
  }
}

void sv_k_1q(vqe_complex *a, int n, int q, const vqe_complex m[4], int par)
{
  const int64_t half = (int64_t)1 << (n - 1);
  const uint64_t bit = UINT64_C(1) << q;
  const sv_cm m00 = sv_cm_of(m[0]), m01 = sv_cm_of(m[1]), m10 = sv_cm_of(m[2]), m11 = sv_cm_of(m[3]);
  if (q >= SV_TILE_MIN_QUBIT && !(m[1] == 0 && m[2] == 0 && m[0] == 1)) {
    pair_op op;
    pair_op_init(&op, m);
    if (!c1q_split(a, n, 0, q, &op, par)) k1q_tiled(a, n, q, m, par);
    return;
  }
  if (m[1] == 0 && m[2] == 0) {
    if (m[0] == 1) {           /* PHASE, S, T, …: only the |1⟩ half changes (one stream) */
#pragma omp parallel for schedule(static) if (par)
      for (int64_t i = 0; i < half; i++) {
        const uint64_t i1 = sv_insert0((uint64_t)i, q) | bit;
        sv_st(a + i1, sv_mul(m11, sv_ld(a + i1)));
      }
      return;
    }
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < half; i++) {
      const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
      sv_st(a + i0, sv_mul(m00, sv_ld(a + i0)));
      sv_st(a + i1, sv_mul(m11, sv_ld(a + i1)));
    }
    return;
  }
  if (m[0] == 0 && m[3] == 0) {
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < half; i++) {
      const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
      const sv_v v0 = sv_ld(a + i0), v1 = sv_ld(a + i1);
      sv_st(a + i0, sv_mul(m01, v1));
      sv_st(a + i1, sv_mul(m10, v0));
    }
    return;
  }
#if defined(__x86_64__) && defined(__GNUC__)
  if (sv_have_avx2()) { k1q_avx2(a, n, q, m, par); return; }
#endif
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < half; i++) {
    const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
    const sv_v v0 = sv_ld(a + i0), v1 = sv_ld(a + i1);
    sv_st(a + i0, sv_add(sv_mul(m00, v0), sv_mul(m01, v1)));
    sv_st(a + i1, sv_add(sv_mul(m10, v0), sv_mul(m11, v1)));
  }
}

/* ---- commuting real rotations (a fused layer's RYs) ------------------------------------------------ */

double sv_rot_factor(int q, double c, double s, sv_rot *r)
{
  r->q = q;
  if (fabs(s) <= fabs(c)) { r->swap = 0; r->t = s / c; return c; }
  r->swap = 1;
  r->t = c / s;
  return s;
}

int sv_rot_cmp(const void *x, const void *y)
{
  const int a = ((const sv_rot *)x)->q, b = ((const sv_rot *)y)->q;
  return (a > b) - (a < b);
}

void sv_k_rots(vqe_complex *a, int n, int nr, const sv_rot *r, double scale)
{
  assert(nr >= 1 && nr <= 64);
  sv_rot g[64];
  memcpy(g, r, (size_t)nr * sizeof *g);
  int sorted = 1;
  while (sorted < nr && g[sorted - 1].q < g[sorted].q) sorted++;
  if (sorted < nr) qsort(g, (size_t)nr, sizeof *g, sv_rot_cmp);   /* fused runs pass them sorted (once per sub-block) */
#if defined(__x86_64__) && defined(__GNUC__)
  if (sv_have_avx512() && n >= 2) {
    /* qubits 0 and 1 inside the registers during the first sweep; the others in sweeps of up to four */
    const int h0 = g[0].q == 0, h1 = nr > h0 && g[h0].q == 1, m = nr - h0 - h1, G = m > 0 ? (m + 3) / 4 : 1;
    static void (*const sweep[5])(RZ_ARGS) = { rots_sweepz0, rots_sweepz1, rots_sweepz2, rots_sweepz3, rots_sweepz4 };
    for (int s = 0, j = h0 + h1; s < G; s++) {
      const int K = m / G + (s < m % G);
      uint64_t gq[4];
      double gt[4];
      int gs[4];
      for (int k = 0; k < K; k++, j++) { gq[k] = (uint64_t)g[j].q; gt[k] = g[j].t; gs[k] = g[j].swap; }
      const int f0 = s == 0 && h0, f1 = s == 0 && h1;
      sweep[K]((double *)a, gq, gt, gs, f0, f0 ? g[0].t : 0, f0 && g[0].swap, f1, f1 ? g[h0].t : 0,
               f1 && g[h0].swap, s == G - 1 ? scale : 1, 0, (int64_t)1 << (n - 2 - K));
    }
    return;
  }
  if (sv_have_avx2() && n >= 1) {
    /* qubit 0 inside the registers during the first sweep; the others in sweeps of up to three (as
     * even as possible: 4 → 2 + 2), the product of the factors applied by the last sweep */
    const int h0 = g[0].q == 0, m = nr - h0, G = m > 0 ? (m + 2) / 3 : 1;
    static void (*const sweep[4])(double *, const uint64_t *, const double *, const int *, int, double, int,
                                  double, int64_t, int64_t) = { rots_sweep0, rots_sweep1, rots_sweep2, rots_sweep3 };
    for (int s = 0, j = h0; s < G; s++) {
      const int K = m / G + (s < m % G);
      uint64_t gq[3];
      double gt[3];
      int gs[3];
      for (int k = 0; k < K; k++, j++) { gq[k] = (uint64_t)g[j].q; gt[k] = g[j].t; gs[k] = g[j].swap; }
      const int first = s == 0 && h0;
      const double t0 = first ? g[0].t : 0, sc = s == G - 1 ? scale : 1;
      const int s0 = first && g[0].swap;
      sweep[K]((double *)a, gq, gt, gs, first, t0, s0, sc, 0, (int64_t)1 << (n - 1 - K));
    }
    return;
  }
#endif
  const int64_t half = (int64_t)1 << (n - 1);
  for (int j = 0; j < nr; j++) {
    const uint64_t bit = UINT64_C(1) << g[j].q;
    const double t = g[j].t;
    if (g[j].swap) {
      for (int64_t i = 0; i < half; i++) {
        const uint64_t i0 = sv_insert0((uint64_t)i, g[j].q), i1 = i0 | bit;
        const vqe_complex x = a[i0], y = a[i1];
        a[i0] = t * x - y;
        a[i1] = x + t * y;
      }
    } else {
      for (int64_t i = 0; i < half; i++) {
        const uint64_t i0 = sv_insert0((uint64_t)i, g[j].q), i1 = i0 | bit;
        const vqe_complex x = a[i0], y = a[i1];
        a[i0] = x - t * y;
        a[i1] = y + t * x;
      }
    }
  }
  if (scale != 1) sv_k_scale(a, UINT64_C(1) << n, scale, 0);
}

void sv_k_c1q(vqe_complex *a, int n, uint64_t ctrl, int q, const vqe_complex m[4], int par)
{
  pair_op op;
  pair_op_init(&op, m);
  if (q >= SV_TILE_MIN_QUBIT && c1q_split(a, n, ctrl, q, &op, par)) return;
  int pos[64];
  const uint64_t bit = UINT64_C(1) << q;
  const int k = sv_mask_positions(ctrl | bit, pos);
  if (pair_runs(a, n, pos, k, ctrl, ctrl | bit, &op, par)) return;
  const int64_t cnt = (int64_t)1 << (n - k);
  const sv_cm m00 = sv_cm_of(m[0]), m01 = sv_cm_of(m[1]), m10 = sv_cm_of(m[2]), m11 = sv_cm_of(m[3]);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t i0 = sv_insert0n((uint64_t)i, pos, k) | ctrl, i1 = i0 | bit;
    const sv_v v0 = sv_ld(a + i0), v1 = sv_ld(a + i1);
    sv_st(a + i0, sv_add(sv_mul(m00, v0), sv_mul(m01, v1)));
    sv_st(a + i1, sv_add(sv_mul(m10, v0), sv_mul(m11, v1)));
  }
}

/* Offsets of the 2^k local basis states (local bit j = qubit qs[j]) and the sorted positions. */
static void local_offsets(int k, const int *qs, uint64_t *off, int *sorted)
{
  const int d = 1 << k;
  for (int l = 0; l < d; l++) {
    uint64_t o = 0;
    for (int j = 0; j < k; j++)
      if (l >> j & 1) o |= UINT64_C(1) << qs[j];
    off[l] = o;
  }
  uint64_t mask = 0;
  for (int j = 0; j < k; j++) mask |= UINT64_C(1) << qs[j];
  sv_mask_positions(mask, sorted);
}

void sv_k_dense(vqe_complex *a, int n, int k, const int *qs, const vqe_complex *m, int par)
{
  if (k == 1) { sv_k_1q(a, n, qs[0], m, par); return; }
  uint64_t off[64];
  int sorted[6];
  local_offsets(k, qs, off, sorted);
  const int d = 1 << k;
  const int64_t cnt = (int64_t)1 << (n - k);
  sv_cm mm[64 * 64];
  for (int i = 0; i < d * d; i++) mm[i] = sv_cm_of(m[i]);
  if (k == 2) {
    const uint64_t o1 = off[1], o2 = off[2], o3 = off[3];
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < cnt; i++) {
      const uint64_t b = sv_insert0n((uint64_t)i, sorted, 2);
      const sv_v v0 = sv_ld(a + b), v1 = sv_ld(a + (b | o1)), v2 = sv_ld(a + (b | o2)), v3 = sv_ld(a + (b | o3));
      sv_st(a + b, sv_add(sv_add(sv_mul(mm[0], v0), sv_mul(mm[1], v1)), sv_add(sv_mul(mm[2], v2), sv_mul(mm[3], v3))));
      sv_st(a + (b | o1), sv_add(sv_add(sv_mul(mm[4], v0), sv_mul(mm[5], v1)), sv_add(sv_mul(mm[6], v2), sv_mul(mm[7], v3))));
      sv_st(a + (b | o2), sv_add(sv_add(sv_mul(mm[8], v0), sv_mul(mm[9], v1)), sv_add(sv_mul(mm[10], v2), sv_mul(mm[11], v3))));
      sv_st(a + (b | o3), sv_add(sv_add(sv_mul(mm[12], v0), sv_mul(mm[13], v1)), sv_add(sv_mul(mm[14], v2), sv_mul(mm[15], v3))));
    }
    return;
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    sv_v v[64];
    const uint64_t b = sv_insert0n((uint64_t)i, sorted, k);
    for (int l = 0; l < d; l++) v[l] = sv_ld(a + (b | off[l]));
    for (int r = 0; r < d; r++) {
      const sv_cm *row = mm + (size_t)r * (size_t)d;
      sv_v acc = sv_zero();
      for (int c = 0; c < d; c++) acc = sv_add(acc, sv_mul(row[c], v[c]));
      sv_st(a + (b | off[r]), acc);
    }
  }
}

void sv_k_diag(vqe_complex *a, int n, int k, const int *qs, const vqe_complex *dg, int par)
{
  uint64_t off[64];
  int sorted[6];
  local_offsets(k, qs, off, sorted);
  const int d = 1 << k;
  const int64_t cnt = (int64_t)1 << (n - k);
  sv_cm dd[64];
  int one[64];
  for (int l = 0; l < d; l++) { dd[l] = sv_cm_of(dg[l]); one[l] = dg[l] == 1; }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, sorted, k);
    for (int l = 0; l < d; l++)
      if (!one[l]) sv_st(a + (b | off[l]), sv_mul(dd[l], sv_ld(a + (b | off[l]))));
  }
}

/* CNOT with a far target (t >= SV_TILE_MIN_QUBIT) on a state that cannot be split (c1q_split): the
 * pairs (b, b + 2^t) are 256 MiB or more apart, so, as for 1-qubit gates (k1q_tiled), tile by tile with
 * one stream at a time: copy the tile's lower members to an L1 buffer, exchange with the upper members
 * in place, copy the buffer back. Tiles whose control bit is 0 (control above the tile) are skipped:
 * only the control = 1 half is read and written. 211 -> ~40 ms for CNOT(24, 25) at 26 qubits (1 thread;
 * bench_statevec "CNOT(n-2, n-1)"; split: 21-23 ms). */
static void cnot_tiled(vqe_complex *a, int n, int c, int t, int par)
{
  const int64_t half = (int64_t)1 << (n - 1);   /* pair indices i: bit t removed */
  const uint64_t tb = UINT64_C(1) << t;
  const int cp = c < t ? c : c - 1;             /* the control bit's position in i */
  const int per_tile = cp >= 9;                 /* 2^9 = SV_TILE_PAIRS: one control value per tile */
  /* the tiles to visit: all, or (per_tile) those with the control bit set, numbered k */
  const int64_t ntiles = (half / SV_TILE_PAIRS) >> per_tile;
#define CNOT_TILE_START(k) ((int64_t)(per_tile ? sv_insert0((uint64_t)(k) * SV_TILE_PAIRS, cp) | (UINT64_C(1) << cp) \
                                               : (uint64_t)(k) * SV_TILE_PAIRS))
#pragma omp parallel if (par)
  {
    vqe_complex buf[SV_TILE_PAIRS];
#pragma omp for schedule(static)
    for (int64_t k = 0; k < ntiles; k++) {
      const int64_t i0 = CNOT_TILE_START(k);
      vqe_complex *lo = a + sv_insert0((uint64_t)i0, t), *hi = lo + tb;
      const char *next = (const char *)(a + sv_insert0((uint64_t)CNOT_TILE_START(k + 1 < ntiles ? k + 1 : k), t));
      memcpy(buf, lo, sizeof buf);
      if (per_tile)
        for (int j = 0; j < SV_TILE_PAIRS; j++) {
          if (!(j & 3)) __builtin_prefetch(next + 16 * j);   /* the next tile's burst read */
          const vqe_complex v = hi[j];
          hi[j] = buf[j];
          buf[j] = v;
        }
      else
        for (int j = 0; j < SV_TILE_PAIRS; j++) {
          if (!(j & 3)) __builtin_prefetch(next + 16 * j);
          if ((i0 + j) >> cp & 1) {
            const vqe_complex v = hi[j];
            hi[j] = buf[j];
            buf[j] = v;
          }
        }
      memcpy(lo, buf, sizeof buf);
    }
  }
#undef CNOT_TILE_START
}

void sv_k_cnot(vqe_complex *a, int n, int c, int t, int par)
{
  if (t >= SV_TILE_MIN_QUBIT) {
    if (!c1q_split(a, n, UINT64_C(1) << c, t, &pair_exchange, par)) cnot_tiled(a, n, c, t, par);
    return;
  }
  int pos[2] = { c < t ? c : t, c < t ? t : c };
  const uint64_t cb = UINT64_C(1) << c, tb = UINT64_C(1) << t;
  if (pair_runs(a, n, pos, 2, cb, cb | tb, &pair_exchange, par)) return;
  const int64_t cnt = (int64_t)1 << (n - 2);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, 2) | cb;
    const vqe_complex v = a[b];
    a[b] = a[b | tb];
    a[b | tb] = v;
  }
}

/* SWAP whose higher qubit h is far, on a split state: the pairs (b + 2^l, b + 2^h) are (lower half at
 * j + 2^l, upper half at j) of a pair block, j with bit l = 0, in runs of 2^min(l, 12). */
static int swap_split(vqe_complex *a, int n, int l, int h, int par)
{
  sv_split s;
  if (!sv_split_begin(a, n, h, &s)) return 0;
  const int64_t per = (int64_t)1 << h, lb = (int64_t)1 << l;
  const int lg = l < 12 ? l : 12;
  const int64_t runs_per_block = (per / 2) >> lg, items = s.n_blocks * runs_per_block;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t w = 0; w < items; w++) {
    const int64_t b = w / runs_per_block;
    const int64_t j = (int64_t)sv_insert0((uint64_t)(w % runs_per_block) << lg, l);
    pair_op_run(&pair_exchange, a + 2 * b * per + j + lb, sv_split_upper(&s, b) + j, (int64_t)1 << lg);
  }
  sv_split_end(&s);
  return 1;
}

void sv_k_swap(vqe_complex *a, int n, int q0, int q1, int par)
{
  int pos[2] = { q0 < q1 ? q0 : q1, q0 < q1 ? q1 : q0 };
  if (pos[1] >= SV_TILE_MIN_QUBIT &&
      sv_far_aliases(sizeof *a * ((UINT64_C(1) << pos[1]) - (UINT64_C(1) << pos[0]))) &&
      swap_split(a, n, pos[0], pos[1], par))
    return;
  const uint64_t b0 = UINT64_C(1) << q0, b1 = UINT64_C(1) << q1;
  if (pair_runs(a, n, pos, 2, b0, b1, &pair_exchange, par)) return;
  const int64_t cnt = (int64_t)1 << (n - 2);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, 2);
    const vqe_complex v = a[b | b0];
    a[b | b0] = a[b | b1];
    a[b | b1] = v;
  }
}

static vqe_complex ipow(int y)
{
  switch (y & 3) {
  case 0: return 1;
  case 1: return I;
  case 2: return -1;
  default: return -I;
  }
}

void sv_k_pauli_comb(vqe_complex *a, int n, uint64_t x, uint64_t z, vqe_complex alpha,
                     vqe_complex beta, int par)
{
  const vqe_complex bp = sv_cmul(beta, ipow(__builtin_popcountll(x & z)));
  if (x == 0) {
    const int64_t dim = (int64_t)1 << n;
    const sv_cm fp = sv_cm_of(alpha + bp), fm = sv_cm_of(alpha - bp);
#pragma omp parallel for schedule(static) if (par)
    for (int64_t b = 0; b < dim; b++)
      sv_st(a + b, sv_mul(sv_parity((uint64_t)b & z) ? fm : fp, sv_ld(a + b)));
    return;
  }
  const int h = 63 - __builtin_clzll(x);
  const int64_t half = (int64_t)1 << (n - 1);
  const sv_cm al = sv_cm_of(alpha), bpp = sv_cm_of(bp), bpm = sv_cm_of(-bp);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < half; i++) {
    const uint64_t b = sv_insert0((uint64_t)i, h), b2 = b ^ x;
    const sv_v v = sv_ld(a + b), w = sv_ld(a + b2);
    /* (P a)[b2] = phase·(−1)^{|b∧z|} a[b],  (P a)[b] = phase·(−1)^{|b2∧z|} a[b2] */
    const sv_cm pv = sv_parity(b & z) ? bpm : bpp, pw = sv_parity(b2 & z) ? bpm : bpp;
    sv_st(a + b2, sv_add(sv_mul(al, w), sv_mul(pv, v)));
    sv_st(a + b, sv_add(sv_mul(al, v), sv_mul(pw, w)));
  }
}

void sv_k_pauli(vqe_complex *a, int n, uint64_t x, uint64_t z, int par)
{
  sv_k_pauli_comb(a, n, x, z, 0, 1, par);
}

/* The pair kernels' loops: index groups lo..hi−1 of the 2^(n−k) (k = |flip|); the zero-bit inserts are
 * done once per range and then carried by b ← ((b | flip) + 1) & ~flip, the next index with the flip
 * bits clear (sv_insert0n per pair cost more than the pair's arithmetic). Serial calls skip the OpenMP
 * runtime: UCCSD on 12 qubits runs hundreds of these per energy on 4096-amplitude states. */
/* The pairs of an excitation come in runs of 2^p (p = its lowest flip bit) with gaps as long between
 * them. For p = 3..6 (runs of 128 bytes to 1 KiB) the hardware prefetcher does not follow that pattern:
 * FERMI_SINGLE(3, 13) at n = 26 took 200-230 ms against 30 ms for (13, 25). So at the start of each run
 * both members' streams are prefetched 4 KiB ahead, run and gap alike: a dense stream, which it does
 * follow. At n = 26, 1 thread: (3, 13) 200-230 -> 39-44 ms, (3, 25) 190 -> 47, (4, 12) 95 -> 53-57,
 * (5, 13) 88 -> 67-70, (6, 14) 95-103 -> 86; p = 2 (60 ms) and p >= 7 it does not help
 * (sv_run_prefetch). */
static inline void pair_prefetch(const vqe_complex *x, const vqe_complex *y, int p)
{
  sv_run_prefetch(x, p, 1);
  sv_run_prefetch(y, p, 1);
}

/* Where amplitude x is: a + x, or, on a split state (up != NULL, split.c), up + x with bit h deleted
 * when x has the top flip bit h set (the upper half of its pair block, moved aside). */
static inline vqe_complex *pair_member(vqe_complex *a, vqe_complex *up, int h, uint64_t x)
{
  return up && (x >> h & 1) ? up + ((x >> (h + 1) << h) | (x & ((UINT64_C(1) << h) - 1))) : a + x;
}

/* (always inlined twice by pair_rot_range, split or not, so the plain loop has no member test) */
static inline __attribute__((always_inline)) void
pair_rot_loop(vqe_complex *a, vqe_complex *up, int h, const int *pos, int k, uint64_t flip, uint64_t one,
              uint64_t smask, int sign0, double c, double s, int64_t lo, int64_t hi)
{
  uint64_t b = sv_insert0n((uint64_t)lo, pos, k);
  const double sg[2] = { sign0 * s, -sign0 * s };   /* by the JW parity: a load, not a branch */
  const int pf = sv_run_prefetch_wanted(pos[0]);
  const uint64_t rm = (UINT64_C(1) << pos[0]) - 1;
  for (int64_t i = lo; i < hi; i++, b = ((b | flip) + 1) & ~flip) {
    const uint64_t b1 = b | one, b2 = b1 ^ flip;
    vqe_complex *p1 = pair_member(a, up, h, b1), *p2 = pair_member(a, up, h, b2);
    if (pf && !(b & rm)) pair_prefetch(p1, p2, pos[0]);
    const double ss = sg[sv_parity(b1 & smask)];
    const vqe_complex v = *p1, w = *p2;
    *p1 = CMPLX(c * creal(v) - ss * creal(w), c * cimag(v) - ss * cimag(w));
    *p2 = CMPLX(c * creal(w) + ss * creal(v), c * cimag(w) + ss * cimag(v));
  }
}

static void pair_rot_range(vqe_complex *a, vqe_complex *up, int h, const int *pos, int k, uint64_t flip,
                           uint64_t one, uint64_t smask, int sign0, double c, double s, int64_t lo, int64_t hi)
{
  if (up) pair_rot_loop(a, up, h, pos, k, flip, one, smask, sign0, c, s, lo, hi);
  else pair_rot_loop(a, NULL, h, pos, k, flip, one, smask, sign0, c, s, lo, hi);
}

static void pair_gen_range(vqe_complex *a, const int *pos, int k, uint64_t flip, uint64_t one, uint64_t smask,
                           int sign0, double scale, int64_t lo, int64_t hi)
{
  uint64_t b = sv_insert0n((uint64_t)lo, pos, k);
  const double sg[2] = { sign0 * scale, -sign0 * scale };
  const int pf = sv_run_prefetch_wanted(pos[0]);
  const uint64_t rm = (UINT64_C(1) << pos[0]) - 1;
  for (int64_t i = lo; i < hi; i++, b = ((b | flip) + 1) & ~flip) {
    const uint64_t b1 = b | one, b2 = b1 ^ flip;
    if (pf && !(b & rm)) pair_prefetch(a + b1, a + b2, pos[0]);
    const double ss = sg[sv_parity(b1 & smask)];
    const vqe_complex v = a[b1], w = a[b2];
    a[b1] = CMPLX(ss * cimag(w), -ss * creal(w));     /* −i·ss·w */
    a[b2] = CMPLX(-ss * cimag(v), ss * creal(v));     /*  i·ss·v */
  }
}

/* this thread's share [lo, hi) of cnt index groups (equal contiguous ranges) */
static void thread_range(int64_t cnt, int64_t *lo, int64_t *hi)
{
  const int64_t nt = omp_get_num_threads(), me = omp_get_thread_num(), per = (cnt + nt - 1) / nt;
  *lo = me * per < cnt ? me * per : cnt;
  *hi = *lo + per < cnt ? *lo + per : cnt;
}

void sv_k_pair_rot(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double c, double s, int par)
{
  int pos[64];
  const uint64_t flip = zero | one;
  const int k = sv_mask_positions(flip, pos);
  const int64_t cnt = (int64_t)1 << (n - k);
  const int h = pos[k - 1];
  /* pairs a fixed |one − zero| apart: split when that distance thrashes (far excitations from orbitals
   * below 8: SINGLE_EXC(24, 25) at n = 26, 1 thread, 112-122 ms chunk by chunk -> 36-43 ms,
   * DOUBLE_EXC(0, 1, 24, 25) 102 -> 24-36 ms) */
  sv_split sp;
  const int split = h >= SV_TILE_MIN_QUBIT && sv_far_aliases(sizeof *a * (one > zero ? one - zero : zero - one)) &&
                    sv_split_begin(a, n, h, &sp);
  vqe_complex *up = split ? (vqe_complex *)sp.away : NULL;
  if (!par) pair_rot_range(a, up, h, pos, k, flip, one, smask, sign0, c, s, 0, cnt);
  else {
#pragma omp parallel
    {
      int64_t lo, hi;
      thread_range(cnt, &lo, &hi);
      pair_rot_range(a, up, h, pos, k, flip, one, smask, sign0, c, s, lo, hi);
    }
  }
  if (split) sv_split_end(&sp);
}

void sv_k_pair_gen(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double scale, int par)
{
  int pos[64];
  const uint64_t flip = zero | one;
  const int k = sv_mask_positions(flip, pos);
  const int64_t cnt = (int64_t)1 << (n - k), dim = (int64_t)1 << n;
  if (!par) pair_gen_range(a, pos, k, flip, one, smask, sign0, scale, 0, cnt);
  else {
#pragma omp parallel
    {
      int64_t lo, hi;
      thread_range(cnt, &lo, &hi);
      pair_gen_range(a, pos, k, flip, one, smask, sign0, scale, lo, hi);
    }
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < dim; b++) {
    const uint64_t t = (uint64_t)b & flip;
    if (t != one && t != zero) a[b] = 0;
  }
}

void sv_k_scale(vqe_complex *a, uint64_t dim, vqe_complex alpha, int par)
{
  const sv_cm al = sv_cm_of(alpha);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < (int64_t)dim; b++) sv_st(a + b, sv_mul(al, sv_ld(a + b)));
}

/* JW sign of a creation/annihilation on orbital j of occupation bits `occ`. */
static int jw_sign(uint64_t occ, int j)
{
  return __builtin_parityll(occ & ((UINT64_C(1) << j) - 1)) ? -1 : 1;
}
static uint64_t below(int j) { return (UINT64_C(1) << j) - 1; }

void sv_fermi_single_masks(int p, int q, uint64_t *zero, uint64_t *one, uint64_t *smask, int *sign0)
{
  /* a†_p a_q |b⟩ (q occupied, p empty): sign (−1)^{N_<q(b)} (−1)^{N_<p(b − q)}; for the bits other
   * than p, q the two counts differ exactly by the orbitals strictly between p and q. */
  *zero = UINT64_C(1) << p;
  *one = UINT64_C(1) << q;
  const uint64_t flip = *zero | *one;
  *smask = (below(p) ^ below(q)) & ~flip;
  const uint64_t b = *one;
  *sign0 = jw_sign(b, q) * jw_sign(b & ~*one, p);
}

void sv_fermi_double_masks(int p, int q, int r, int s, uint64_t *zero, uint64_t *one,
                           uint64_t *smask, int *sign0)
{
  /* a†_p a†_q a_r a_s |b⟩ with r, s occupied and p, q empty, applied right to left. Each factor's JW
   * parity is linear in the occupation bits, so σ(b) = σ(b0)·(−1)^{|b ∧ M|} with b0 = the r,s bits
   * alone and M the XOR of the four "below" masks outside the four orbitals. */
  const uint64_t P = UINT64_C(1) << p, Q = UINT64_C(1) << q, R = UINT64_C(1) << r, S = UINT64_C(1) << s;
  *zero = P | Q;
  *one = R | S;
  const uint64_t flip = *zero | *one;
  *smask = (below(p) ^ below(q) ^ below(r) ^ below(s)) & ~flip;
  uint64_t b = *one;
  int sg = jw_sign(b, s);
  b &= ~S;
  sg *= jw_sign(b, r);
  b &= ~R;
  sg *= jw_sign(b, q);
  b |= Q;
  sg *= jw_sign(b, p);
  *sign0 = sg;
}
