/* observables.c — ⟨ψ|H|ψ⟩ and H|ψ⟩ for Pauli sums (terms sharing an x mask in one pass) and for the
 * fermionic Hamiltonian applied directly in the occupation-number basis. Called by the VQE energy,
 * the adjoint gradient (H|ψ⟩) and the tests (Pauli sum = fermionic direct). */
#include "statevec/sv_internal.h"
#include <stdlib.h>
#include <string.h>

#define WB_BITS 4            /* diag_block: blocks of WB amplitudes */
#define WB (1 << WB_BITS)

/* Terms regrouped by x mask: group g spans term slots [start[g], start[g+1]); per slot the z mask and
 * the complex coefficient k = c·i^{popcount(x∧z)} split into (kr, ki). */
typedef struct {
  size_t n_groups, n_terms;
  size_t *start;
  uint64_t *gx;
  unsigned char *gim;   /* group has a term with an imaginary k (never for a real Hamiltonian) */
  uint64_t *z;
  double *kr, *ki;
  double sign[WB][WB];  /* sign[c][j] = (−1)^{|j∧c|}: a term's signs within a block (diag_block) */
} xgroups;

typedef struct { uint64_t x; size_t idx; } xkey;

static int cmp_xkey(const void *a, const void *b)
{
  const xkey *p = a, *q = b;
  if (p->x != q->x) return p->x < q->x ? -1 : 1;
  return p->idx < q->idx ? -1 : (p->idx > q->idx);
}

static void xgroups_free(xgroups *g)
{
  free(g->start); free(g->gx); free(g->gim); free(g->z); free(g->kr); free(g->ki);
  memset(g, 0, sizeof *g);
}

static vqe_status xgroups_build(const vqe_pauli_sum *h, xgroups *g, vqe_error *err)
{
  memset(g, 0, sizeof *g);
  const size_t nt = h->n_terms;
  xkey *k = malloc((nt ? nt : 1) * sizeof *k);
  g->start = malloc((nt + 1) * sizeof *g->start);
  g->gx = malloc((nt ? nt : 1) * sizeof *g->gx);
  g->gim = calloc(nt ? nt : 1, sizeof *g->gim);
  g->z = malloc((nt ? nt : 1) * sizeof *g->z);
  g->kr = malloc((nt ? nt : 1) * sizeof *g->kr);
  g->ki = malloc((nt ? nt : 1) * sizeof *g->ki);
  if (!k || !g->start || !g->gx || !g->gim || !g->z || !g->kr || !g->ki) {
    free(k);
    xgroups_free(g);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory grouping %zu Pauli terms", nt);
  }
  for (size_t t = 0; t < nt; t++) k[t] = (xkey){ h->terms[t].x, t };
  qsort(k, nt, sizeof *k, cmp_xkey);
  static const double re4[4] = { 1, 0, -1, 0 }, im4[4] = { 0, 1, 0, -1 };
  for (size_t s = 0; s < nt; s++) {
    const vqe_pauli_term *t = &h->terms[k[s].idx];
    if (s == 0 || t->x != k[s - 1].x) {
      g->start[g->n_groups] = s;
      g->gx[g->n_groups++] = t->x;
    }
    const int y = __builtin_popcountll(t->x & t->z) & 3;
    g->z[s] = t->z;
    g->kr[s] = t->coeff * re4[y];
    g->ki[s] = t->coeff * im4[y];
    if (g->ki[s] != 0) g->gim[g->n_groups - 1] = 1;
  }
  g->start[g->n_groups] = nt;
  g->n_terms = nt;
  for (int c = 0; c < WB; c++)
    for (int j = 0; j < WB; j++) g->sign[c][j] = sv_parity((uint64_t)(c & j)) ? -1.0 : 1.0;
  free(k);
  return VQE_OK;
}

static vqe_status check_sum(const vqe_statevec *s, const vqe_pauli_sum *h, vqe_error *err)
{
  if (!s || !s->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  if (h->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "Pauli sum on %d qubits applied to a state of %d qubits",
                         h->n_qubits, s->n_qubits);
  for (size_t t = 0; t < h->n_terms; t++)
    if (s->n_qubits < 64 && ((h->terms[t].x | h->terms[t].z) >> s->n_qubits))
      return vqe_error_set(err, VQE_ERR_INPUT, "Pauli term %zu acts on a qubit beyond the %d of the state",
                           t, s->n_qubits);
  return VQE_OK;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* Σ over the pairs i ∈ [lo, hi) of sgn(b)·Re(k conj(ψ[b⊕x]) ψ[b]) for one term (k = kr + i·ki), two pairs
 * per step with AVX2: for b even the partners of b and b+1 are the two amplitudes of the aligned pair
 * around b⊕x (swapped when x is odd), and sgn(b+1) = sgn(b)·(−1)^{z_0}. Re(k·w) with w = conj(u)·v:
 * kr·(ur vr + ui vi) − ki·(ur vi − ui vr), i.e. u·v and u·swap(v) summed lane-wise with signs. Runs of
 * odd length (h = 0) go to the scalar loop. */
__attribute__((target("avx2,fma")))
static double term_pairs_avx2(const vqe_complex *a, uint64_t x, int h, uint64_t z, double kr, double ki,
                              uint64_t lo, uint64_t hi)
{
  const double *d = (const double *)a;
  const __m256d imsign = _mm256_setr_pd(1.0, -1.0, 1.0, -1.0);
  const double zo = (z & 1) ? -0.0 : 0.0;   /* sign bits: xor with −0.0 flips a lane's sign */
  const __m256d odd = _mm256_setr_pd(0.0, 0.0, zo, zo);
  __m256d r0 = _mm256_setzero_pd(), r1 = r0, i0 = r0, i1 = r0;
  for (uint64_t i = lo; i < hi;) {
    const uint64_t end = ((i >> h) + 1) << h, stop = end < hi ? end : hi;
    const uint64_t b0 = sv_insert0(i, h), len = stop - i;
    for (uint64_t j = 0; j < len; j += 2) {
      const uint64_t b = b0 + j, p = (b ^ x) & ~UINT64_C(1);
      if (!(j & 3) && j + 128 < len) __builtin_prefetch(a + ((b + 128) ^ x));
      __m256d u = _mm256_loadu_pd(d + 2 * p);
      if (x & 1) u = _mm256_permute2f128_pd(u, u, 1);
      const __m256d v = _mm256_loadu_pd(d + 2 * b);
      const __m256d sg = _mm256_xor_pd(odd, _mm256_set1_pd(sv_parity(b & z) ? -0.0 : 0.0));
      const __m256d uv = _mm256_xor_pd(_mm256_mul_pd(u, v), sg);
      const __m256d us = _mm256_xor_pd(_mm256_mul_pd(u, _mm256_permute_pd(v, 5)), sg);
      if (j & 2) { r1 = _mm256_add_pd(r1, uv); i1 = _mm256_fmadd_pd(us, imsign, i1); }
      else { r0 = _mm256_add_pd(r0, uv); i0 = _mm256_fmadd_pd(us, imsign, i0); }
    }
    i = stop;
  }
  double rr[4], ii[4];
  _mm256_storeu_pd(rr, _mm256_add_pd(r0, r1));
  _mm256_storeu_pd(ii, _mm256_add_pd(i0, i1));
  return kr * ((rr[0] + rr[1]) + (rr[2] + rr[3])) - ki * ((ii[0] + ii[1]) + (ii[2] + ii[3]));
}
#endif

/* ---- a group's diagonal factor, block by block ----------------------------------------------------
 * The terms of one x group differ only in the diagonal factor d(b) = Σ_t k_t (−1)^{|b∧z_t|} that
 * multiplies conj(ψ[b⊕x])ψ[b] (or ψ[b⊕x] in H|ψ⟩). Evaluated term by term it costs a parity and a sign
 * the branch predictor cannot learn per term and amplitude: 2 ns per term and pair, H2O/STO-3G ⟨H⟩ (162
 * groups of 6.7 terms) took 20 ms for a 14-qubit state. Over a block of WB = 16 amplitudes b0 + j that
 * share every bit above the lowest four the sign factorises, (−1)^{|(b0+j)∧z|} = (−1)^{|b0∧z|}(−1)^{|j∧z|},
 * so the terms are binned by their low bits, g[c] = Σ_{z_t mod 16 = c} k_t (−1)^{|b0∧z_t|}, and
 * d(b0 + j) = Σ_c (−1)^{|j∧c|} g[c] is the 16-point Walsh–Hadamard transform of g: one sign per term per
 * block and 64 additions; a group of a few terms adds its terms' ±1 rows (xgroups.sign) instead.
 * The partners b⊕x of a block are the block p0 = (b0⊕x) rounded down to WB, in the order j⊕(x mod WB).
 * Each piece has a portable version and an AVX2 one (the tests run both: VQE_NO_AVX2). */
#define WB_FEW 8   /* up to this many terms: rows (4 FMAs per term, AVX2) beat binning + transform */

static void wht16(double *v)
{
  for (int d = 1; d < WB; d <<= 1)
    for (int j = 0; j < WB; j++)
      if (!(j & d)) {
        const double p = v[j], q = v[j | d];
        v[j] = p + q;
        v[j | d] = p - q;
      }
}

/* dr[j] + i·di[j] = d(b0 + j) for j < WB over the term slots [s0, s1); b0 a multiple of WB; di only
 * when im (a group with an imaginary k_t). */
static void diag_block(const xgroups *g, size_t s0, size_t s1, int im, uint64_t b0, double *restrict dr,
                       double *restrict di)
{
  for (int j = 0; j < WB; j++) dr[j] = 0;
  if (im) for (int j = 0; j < WB; j++) di[j] = 0;
  if (s1 - s0 <= WB_FEW) {
    for (size_t s = s0; s < s1; s++) {
      const double *row = g->sign[g->z[s] & (WB - 1)];
      const double sg = sv_parity(b0 & g->z[s]) ? -1.0 : 1.0, vr = sg * g->kr[s], vi = sg * g->ki[s];
      for (int j = 0; j < WB; j++) dr[j] += vr * row[j];
      if (im) for (int j = 0; j < WB; j++) di[j] += vi * row[j];
    }
    return;
  }
  for (size_t s = s0; s < s1; s++) {
    const double sg = 1.0 - 2.0 * (double)sv_parity(b0 & g->z[s]);   /* no branch on the sign */
    const unsigned c = (unsigned)(g->z[s] & (WB - 1));
    dr[c] += sg * g->kr[s];
    if (im) di[c] += sg * g->ki[s];
  }
  wht16(dr);
  if (im) wht16(di);
}

/* Σ_j Re(d(b0+j)·conj(ψ[(b0+j)⊕x])ψ[b0+j]) (x ≠ 0), or Σ_j d(b0+j)|ψ[b0+j]|² (x = 0). */
static double pair_block(const vqe_complex *a, uint64_t x, const xgroups *g, size_t s0, size_t s1, int im,
                         uint64_t b0)
{
  double dr[WB], di[WB], acc = 0;
  diag_block(g, s0, s1, im, b0, dr, di);
  const unsigned xl = (unsigned)(x & (WB - 1));
  const vqe_complex *u = a + ((b0 ^ x) & ~(uint64_t)(WB - 1)), *v = a + b0;
  for (unsigned j = 0; j < WB; j++) {
    const vqe_complex uu = u[j ^ xl], vv = v[j];
    acc += dr[j] * (creal(uu) * creal(vv) + cimag(uu) * cimag(vv));
    if (im) acc -= di[j] * (creal(uu) * cimag(vv) - cimag(uu) * creal(vv));
  }
  return acc;
}

/* o[j] += d(b) ψ[b] at b = (b0 + j)⊕x for one group; o holds WB complex numbers interleaved. */
static void hpsi_block(const vqe_complex *a, uint64_t x, const xgroups *g, size_t s0, size_t s1, int im,
                       uint64_t b0, double *restrict o)
{
  double dr[WB], di[WB];
  const uint64_t p0 = (b0 ^ x) & ~(uint64_t)(WB - 1);
  const unsigned xl = (unsigned)(x & (WB - 1));
  diag_block(g, s0, s1, im, p0, dr, di);
  const vqe_complex *u = a + p0;
  for (unsigned j = 0; j < WB; j++) {
    const unsigned k = j ^ xl;
    o[2 * j] += dr[k] * creal(u[k]) - (im ? di[k] * cimag(u[k]) : 0);
    o[2 * j + 1] += dr[k] * cimag(u[k]) + (im ? di[k] * creal(u[k]) : 0);
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
/* AVX2: d in 4 registers D[q] = d(4q .. 4q+3); an amplitude register holds 2 complex (j, j+1). */
#define AVX2_FN __attribute__((target("avx2,fma"), always_inline)) static inline

/* one register's butterflies at distance 2 and 1 (lanes 0..3) */
AVX2_FN __m256d wht4_avx2(__m256d v)
{
  __m256d t = _mm256_permute2f128_pd(v, v, 1);
  v = _mm256_blend_pd(_mm256_add_pd(v, t), _mm256_sub_pd(t, v), 0xC);
  t = _mm256_permute_pd(v, 5);
  return _mm256_blend_pd(_mm256_add_pd(v, t), _mm256_sub_pd(t, v), 0xA);
}

AVX2_FN void diag_block_avx2(const xgroups *g, size_t s0, size_t s1, uint64_t b0, const double *kv, __m256d D[4])
{
  D[0] = D[1] = D[2] = D[3] = _mm256_setzero_pd();
  if (s1 - s0 <= WB_FEW) {
    for (size_t s = s0; s < s1; s++) {
      const double *row = g->sign[g->z[s] & (WB - 1)];
      const __m256d v = _mm256_xor_pd(_mm256_set1_pd(kv[s]), _mm256_castsi256_pd(_mm256_set1_epi64x(
                          (long long)((uint64_t)sv_parity(b0 & g->z[s]) << 63))));   /* no branch */
      for (int q = 0; q < 4; q++) D[q] = _mm256_fmadd_pd(v, _mm256_loadu_pd(row + 4 * q), D[q]);
    }
    return;
  }
  double bins[WB] = { 0 };
  for (size_t s = s0; s < s1; s++)
    bins[g->z[s] & (WB - 1)] += (1.0 - 2.0 * (double)sv_parity(b0 & g->z[s])) * kv[s];
  for (int q = 0; q < 4; q++) D[q] = _mm256_loadu_pd(bins + 4 * q);
  for (int q = 0; q < 2; q++) {   /* distance 8, then 4 */
    const __m256d p = D[q], r = D[q + 2];
    D[q] = _mm256_add_pd(p, r);
    D[q + 2] = _mm256_sub_pd(p, r);
  }
  for (int q = 0; q < 4; q += 2) {
    const __m256d p = D[q], r = D[q + 1];
    D[q] = wht4_avx2(_mm256_add_pd(p, r));
    D[q + 1] = wht4_avx2(_mm256_sub_pd(p, r));
  }
}

/* hadd/hsub of the registers for (j, j+1) and (j+2, j+3) give lanes in the order j, j+2, j+1, j+3 */
#define PERM_HADD 0xD8

/* pair_block with AVX2 */
AVX2_FN __m256d pair_block_avx2(const vqe_complex *a, uint64_t x, const xgroups *g, size_t s0, size_t s1,
                                int im, uint64_t b0, __m256d acc)
{
  const double *d = (const double *)a;
  const unsigned xl = (unsigned)(x & (WB - 1)), xk = xl >> 1;
  const double *u = d + 2 * ((b0 ^ x) & ~(uint64_t)(WB - 1)), *v = d + 2 * b0;
  __m256d D[4];
  diag_block_avx2(g, s0, s1, b0, g->kr, D);
  for (unsigned q = 0; q < 4; q++) {
    __m256d u0 = _mm256_loadu_pd(u + 4 * ((2 * q) ^ xk)), u1 = _mm256_loadu_pd(u + 4 * ((2 * q + 1) ^ xk));
    if (xl & 1) { u0 = _mm256_permute2f128_pd(u0, u0, 1); u1 = _mm256_permute2f128_pd(u1, u1, 1); }
    const __m256d w = _mm256_hadd_pd(_mm256_mul_pd(u0, _mm256_loadu_pd(v + 8 * q)),
                                     _mm256_mul_pd(u1, _mm256_loadu_pd(v + 8 * q + 4)));
    acc = _mm256_fmadd_pd(_mm256_permute4x64_pd(D[q], PERM_HADD), w, acc);
  }
  if (im) {   /* − Σ di·(ur vi − ui vr) */
    diag_block_avx2(g, s0, s1, b0, g->ki, D);
    for (unsigned q = 0; q < 4; q++) {
      __m256d u0 = _mm256_loadu_pd(u + 4 * ((2 * q) ^ xk)), u1 = _mm256_loadu_pd(u + 4 * ((2 * q + 1) ^ xk));
      if (xl & 1) { u0 = _mm256_permute2f128_pd(u0, u0, 1); u1 = _mm256_permute2f128_pd(u1, u1, 1); }
      const __m256d w = _mm256_hsub_pd(_mm256_mul_pd(u0, _mm256_permute_pd(_mm256_loadu_pd(v + 8 * q), 5)),
                                       _mm256_mul_pd(u1, _mm256_permute_pd(_mm256_loadu_pd(v + 8 * q + 4), 5)));
      acc = _mm256_fnmadd_pd(_mm256_permute4x64_pd(D[q], PERM_HADD), w, acc);
    }
  }
  return acc;
}

AVX2_FN __m256d diag_block_norm_avx2(const vqe_complex *a, const xgroups *g, size_t s0, size_t s1, uint64_t b0,
                                    __m256d acc)
{
  const double *v = (const double *)(a + b0);
  __m256d D[4];
  diag_block_avx2(g, s0, s1, b0, g->kr, D);
  for (int q = 0; q < 4; q++) {
    const __m256d p = _mm256_loadu_pd(v + 8 * q), r = _mm256_loadu_pd(v + 8 * q + 4);
    acc = _mm256_fmadd_pd(_mm256_permute4x64_pd(D[q], PERM_HADD), _mm256_hadd_pd(_mm256_mul_pd(p, p), _mm256_mul_pd(r, r)), acc);
  }
  return acc;
}

/* group_chunk_blocks (below) with AVX2 */
__attribute__((target("avx2,fma"))) static double group_chunk_blocks_avx2(const vqe_complex *a, uint64_t x, int h,
                                                                        const xgroups *g, size_t s0, size_t s1,
                                                                        int im, uint64_t lo, uint64_t hi)
{
  __m256d acc = _mm256_setzero_pd();
  const int runs = x && h >= WB_BITS;
  const uint64_t first = x && !runs ? 2 * lo : lo, last = x && !runs ? 2 * hi : hi;
  for (uint64_t i = first; i < last; i += WB) {
    if (!x) { acc = diag_block_norm_avx2(a, g, s0, s1, i, acc); continue; }
    if (runs && i + 128 < hi) {
      const vqe_complex *p = a + ((sv_insert0(i + 128, h) ^ x) & ~(uint64_t)(WB - 1));
      for (int l = 0; l < WB; l += 4) __builtin_prefetch(p + l);
    }
    acc = pair_block_avx2(a, x, g, s0, s1, im, runs ? sv_insert0(i, h) : i, acc);
  }
  double r[4];
  _mm256_storeu_pd(r, acc);
  const double sum = (r[0] + r[1]) + (r[2] + r[3]);
  return runs ? 2 * sum : sum;
}

AVX2_FN void hpsi_block_avx2(const vqe_complex *a, uint64_t x, const xgroups *g, size_t s0, size_t s1, int im,
                             uint64_t b0, double *restrict o)
{
  const uint64_t p0 = (b0 ^ x) & ~(uint64_t)(WB - 1);
  const unsigned xl = (unsigned)(x & (WB - 1)), xk = xl >> 1;
  const double *u = (const double *)(a + p0);
  __m256d D[4], P[8];
  diag_block_avx2(g, s0, s1, p0, g->kr, D);
  for (int q = 0; q < 4; q++) {   /* P = d·ψ on the source block, natural order */
    P[2 * q] = _mm256_mul_pd(_mm256_permute4x64_pd(D[q], 0x50), _mm256_loadu_pd(u + 8 * q));
    P[2 * q + 1] = _mm256_mul_pd(_mm256_permute4x64_pd(D[q], 0xFA), _mm256_loadu_pd(u + 8 * q + 4));
  }
  if (im) {   /* + i·di·ψ = di·(−ψi, ψr) */
    const __m256d ns = _mm256_setr_pd(-1.0, 1.0, -1.0, 1.0);
    diag_block_avx2(g, s0, s1, p0, g->ki, D);
    for (int q = 0; q < 4; q++) {
      const __m256d iu0 = _mm256_mul_pd(_mm256_permute_pd(_mm256_loadu_pd(u + 8 * q), 5), ns);
      const __m256d iu1 = _mm256_mul_pd(_mm256_permute_pd(_mm256_loadu_pd(u + 8 * q + 4), 5), ns);
      P[2 * q] = _mm256_fmadd_pd(_mm256_permute4x64_pd(D[q], 0x50), iu0, P[2 * q]);
      P[2 * q + 1] = _mm256_fmadd_pd(_mm256_permute4x64_pd(D[q], 0xFA), iu1, P[2 * q + 1]);
    }
  }
  for (unsigned k = 0; k < 8; k++) {
    __m256d p = P[k ^ xk];
    if (xl & 1) p = _mm256_permute2f128_pd(p, p, 1);
    _mm256_storeu_pd(o + 4 * k, _mm256_add_pd(_mm256_loadu_pd(o + 4 * k), p));
  }
}
#endif

/* The chunk sum for a multi-term group (or x = 0) on a chunk of at least WB indices. x = 0: the states
 * b ∈ [lo, hi). x ≠ 0, h = the top bit of x: pair indices [lo, hi); for h ≥ WB_BITS a block of WB pair
 * indices is WB consecutive lower members, counted twice (both members of a pair contribute the same,
 * see group_chunk); for h < WB_BITS the pairs interleave within a block, so every b of the chunk's range
 * [2lo, 2hi) (both members: each pair once per member) is visited instead. */
static double group_chunk_blocks(const vqe_complex *a, uint64_t x, int h, const xgroups *g, size_t s0,
                                 size_t s1, int im, uint64_t lo, uint64_t hi)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (sv_have_avx2()) return group_chunk_blocks_avx2(a, x, h, g, s0, s1, im, lo, hi);
#endif
  double acc = 0;
  const int runs = x && h >= WB_BITS;
  const uint64_t first = x && !runs ? 2 * lo : lo, last = x && !runs ? 2 * hi : hi;
  for (uint64_t i = first; i < last; i += WB) {
    if (runs && i + 128 < hi) {   /* the partner blocks come in an order the prefetcher does not follow */
      const vqe_complex *p = a + ((sv_insert0(i + 128, h) ^ x) & ~(uint64_t)(WB - 1));
      for (int l = 0; l < WB; l += 4) __builtin_prefetch(p + l);
    }
    acc += pair_block(a, x, g, s0, s1, im, runs ? sv_insert0(i, h) : i);   /* x = 0: k_t = c_t real */
  }
  return runs ? 2 * acc : acc;
}

/* o[b] += Σ_g d_g(b⊕x_g) ψ[b⊕x_g] over the groups [g0, g1), in order, for b in [lo, hi) (multiples of
 * WB), block by block: with lo..hi one block, all of H on a block (the state in cache); with a tile of
 * many blocks, one group at a time over the tile, whose partners ψ[b⊕x] are a tile too (streamed,
 * prefetched as in group_chunk_blocks) while the output tile stays in L2. */
/* The loop of hpsi_range, instantiated once per block kernel (a constant after inlining, so the AVX2
 * one is inlined into its AVX2 caller as before). */
typedef void hpsi_block_fn(const vqe_complex *, uint64_t, const xgroups *, size_t, size_t, int, uint64_t,
                           double *restrict);
__attribute__((always_inline)) static inline void hpsi_groups(const vqe_complex *a, const xgroups *g, size_t g0,
                                                              size_t g1, uint64_t lo, uint64_t hi,
                                                              hpsi_block_fn *block, vqe_complex *o)
{
  for (size_t gi = g0; gi < g1; gi++) {
    const uint64_t x = g->gx[gi];
    for (uint64_t b0 = lo; b0 < hi; b0 += WB) {
      if (b0 + 128 < hi)
        for (int l = 0; l < WB; l += 4) __builtin_prefetch(a + ((b0 + 128 + (uint64_t)l) ^ x));
      block(a, x, g, g->start[gi], g->start[gi + 1], g->gim[gi], b0, (double *)(o + b0));
    }
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) static void hpsi_range_avx2(const vqe_complex *a, const xgroups *g, size_t g0,
                                                              size_t g1, uint64_t lo, uint64_t hi, vqe_complex *o)
{
  hpsi_groups(a, g, g0, g1, lo, hi, hpsi_block_avx2, o);
}
#endif

static void hpsi_range(const vqe_complex *a, const xgroups *g, size_t g0, size_t g1, uint64_t lo, uint64_t hi,
                       int avx2, vqe_complex *o)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (avx2) { hpsi_range_avx2(a, g, g0, g1, lo, hi, o); return; }
#endif
  hpsi_groups(a, g, g0, g1, lo, hi, hpsi_block, o);
}

/* One x group over pair indices [lo, hi). For x ≠ 0 the pair (b, b⊕x) contributes twice the b term:
 * w_{b⊕x} = conj(w_b) and sgn_t(b⊕x) = sgn_t(b)(−1)^{|x∧z_t|}, and k_t = c_t i^{|x∧z_t|} is real or
 * imaginary exactly when that sign is + or −, so Re(k_t w) sgn is the same for both members. Each
 * amplitude is therefore read once per group. For x = 0 the index runs over all b. */
static double group_chunk(const vqe_complex *a, uint64_t x, int h, const xgroups *g, size_t s0, size_t s1,
                          int im, uint64_t lo, uint64_t hi)
{
  if ((x == 0 || s1 - s0 > 1) && hi - lo >= WB) return group_chunk_blocks(a, x, h, g, s0, s1, im, lo, hi);
  double acc = 0;
  if (x == 0) {
    for (uint64_t b = lo; b < hi; b++) {
      double A = 0;
      for (size_t s = s0; s < s1; s++) A += sv_parity(b & g->z[s]) ? -g->kr[s] : g->kr[s];
      acc += A * (creal(a[b]) * creal(a[b]) + cimag(a[b]) * cimag(a[b]));
    }
    return acc;
  }
  if (s1 - s0 == 1) {
    /* one term: the common case of large sums. Pairs i .. stop−1 have contiguous lower members, and
     * two accumulators halve the add-latency chain. */
    const uint64_t z = g->z[s0];
    const double kr = g->kr[s0], ki = g->ki[s0];
#if defined(__x86_64__) && defined(__GNUC__)
    if (h > 0 && sv_have_avx2()) return 2 * term_pairs_avx2(a, x, h, z, kr, ki, lo, hi);
#endif
    double acc0 = 0, acc1 = 0;
    for (uint64_t i = lo; i < hi;) {
      const uint64_t end = ((i >> h) + 1) << h, stop = end < hi ? end : hi;
      const uint64_t b0 = sv_insert0(i, h), len = stop - i;
      const vqe_complex *v = a + b0;
      for (uint64_t j = 0; j < len; j++) {
        const uint64_t b = b0 + j;
        /* the partners b⊕x come in an order the hardware prefetcher does not follow (x flips low
         * bits too): fetch them 128 amplitudes ahead (that load took 60% of the time; 2.5x faster
         * at n = 20) */
        if (!(j & 3) && j + 128 < len) __builtin_prefetch(a + ((b + 128) ^ x));
        const vqe_complex uu = a[b ^ x], vv = v[j];
        const double wr = creal(uu) * creal(vv) + cimag(uu) * cimag(vv);
        const double wi = creal(uu) * cimag(vv) - cimag(uu) * creal(vv);
        const double t = kr * wr - ki * wi;
        if (j & 1) acc1 += sv_parity(b & z) ? -t : t;
        else acc0 += sv_parity(b & z) ? -t : t;
      }
      i = stop;
    }
    acc = acc0 + acc1;
    return 2 * acc;
  }
  for (uint64_t i = lo; i < hi; i++) {
    const uint64_t b = sv_insert0(i, h);
    if (!(i & 3) && i + 128 < hi) __builtin_prefetch(a + (sv_insert0(i + 128, h) ^ x));
    double A = 0, B = 0;
    for (size_t s = s0; s < s1; s++) {
      if (sv_parity(b & g->z[s])) { A -= g->kr[s]; B -= g->ki[s]; }
      else { A += g->kr[s]; B += g->ki[s]; }
    }
    const vqe_complex u = a[b ^ x], v = a[b];
    const double wr = creal(u) * creal(v) + cimag(u) * cimag(v);
    const double wi = creal(u) * cimag(v) - cimag(u) * creal(v);
    acc += A * wr - B * wi;
  }
  return 2 * acc;
}

/* Value of group gi: its chunks (fixed size, fixed order) summed serially. */
static double group_value(const vqe_complex *a, int n, int cq, const xgroups *g, size_t gi, double *part, int par)
{
  const uint64_t x = g->gx[gi];
  const size_t s0 = g->start[gi], s1 = g->start[gi + 1];
  /* index space: all 2^n states (x = 0) or the 2^(n−1) pairs; fixed chunks of it */
  const int ni = x ? n - 1 : n;
  const int cqi = ni < cq ? ni : cq;
  const int nc = 1 << (ni - cqi);
  const int hb = x ? 63 - __builtin_clzll(x) : 0;
#pragma omp parallel for schedule(static) if (par)
  for (int c = 0; c < nc; c++) {
    const uint64_t lo = (uint64_t)c << cqi;
    part[c] = group_chunk(a, x, hb, g, s0, s1, g->gim[gi], lo, lo + (UINT64_C(1) << cqi));
  }
  double gs = 0;
  for (int c = 0; c < nc; c++) gs += part[c];
  return gs;
}

vqe_status vqe_statevec_expect_pauli_sum(const vqe_statevec *s, const vqe_pauli_sum *h, double *e,
                                         vqe_error *err)
{
  vqe_status st = check_sum(s, h, err);
  if (st) return st;
  xgroups g;
  if ((st = xgroups_build(h, &g, err))) return st;
  const int n = s->n_qubits;
  const int cq = n < SV_REDUCE_CHUNK_QUBITS ? n : SV_REDUCE_CHUNK_QUBITS;
  const int ncmax = 1 << (n - cq);
  const vqe_complex *a = s->amp;
  double *gval = malloc((g.n_groups + 1) * sizeof *gval);
  if (!gval) { xgroups_free(&g); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); }
  /* Few chunks per group (small states): threads take whole groups; else they split each group's
   * chunks. Either way each group's value is the same ordered chunk sum, so the result does not
   * depend on the thread count. */
  const int by_group = SV_PAR(n) && ncmax < 64 && g.n_groups > 1;
  int fail = 0;
  if (by_group) {
#pragma omp parallel
    {
      double *part = malloc((size_t)ncmax * sizeof *part);
      if (!part) {
#pragma omp atomic write
        fail = 1;
      }
#pragma omp for schedule(dynamic, 1)
      for (size_t gi = 0; gi < g.n_groups; gi++)
        if (part) gval[gi] = group_value(a, n, cq, &g, gi, part, 0);
      free(part);
    }
  } else {
    double *part = malloc((size_t)ncmax * sizeof *part);
    if (!part) fail = 1;
    for (size_t gi = 0; part && gi < g.n_groups; gi++) gval[gi] = group_value(a, n, cq, &g, gi, part, SV_PAR(n));
    free(part);
  }
  double total = 0;
  for (size_t gi = 0; gi < g.n_groups; gi++) total += gval[gi];
  free(gval);
  xgroups_free(&g);
  if (fail) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
  *e = total;
  return VQE_OK;
}

vqe_complex vqe_statevec_expect_pauli(const vqe_statevec *s, uint64_t x, uint64_t z)
{
  /* Σ_b conj(ψ[b⊕x])ψ[b](−1)^{|b∧z|}, complex (P need not be Hermitian-weighted here). */
  const int n = s->n_qubits;
  const int cq = n < SV_REDUCE_CHUNK_QUBITS ? n : SV_REDUCE_CHUNK_QUBITS;
  const int nc = 1 << (n - cq);
  double *part = malloc(2 * (size_t)nc * sizeof *part);
  const vqe_complex *a = s->amp;
  const int par = SV_PAR(n);
#pragma omp parallel for schedule(static) if (par)
  for (int c = 0; c < nc; c++) {
    double re = 0, im = 0;
    const uint64_t lo = (uint64_t)c << cq, hi = lo + (UINT64_C(1) << cq);
    for (uint64_t b = lo; b < hi; b++) {
      const vqe_complex u = a[b ^ x], v = a[b];
      const double wr = creal(u) * creal(v) + cimag(u) * cimag(v);
      const double wi = creal(u) * cimag(v) - cimag(u) * creal(v);
      if (sv_parity(b & z)) { re -= wr; im -= wi; } else { re += wr; im += wi; }
    }
    part[2 * c] = re;
    part[2 * c + 1] = im;
  }
  double re = 0, im = 0;
  for (int c = 0; c < nc; c++) { re += part[2 * c]; im += part[2 * c + 1]; }
  free(part);
  static const vqe_complex ph[4] = { 1, I, -1, -I };
  return ph[__builtin_popcountll(x & z) & 3] * CMPLX(re, im);
}

vqe_status vqe_statevec_apply_pauli_sum(const vqe_statevec *in, const vqe_pauli_sum *h,
                                        vqe_statevec *out, vqe_error *err)
{
  vqe_status st = check_sum(in, h, err);
  if (st) return st;
  if (!out || !out->amp || out->n_qubits != in->n_qubits || out->amp == in->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "H|psi> needs a distinct output state of %d qubits", in->n_qubits);
  xgroups g;
  if ((st = xgroups_build(h, &g, err))) return st;
  const int n = in->n_qubits;
  const int par = SV_PAR(n);
  const int64_t dim = (int64_t)in->dim;
  const vqe_complex *a = in->amp;
  vqe_complex *o = out->amp;
  const int avx2 = sv_have_avx2();
  if (dim < WB) {   /* 1-3 qubits: term by term */
    for (int64_t b = 0; b < dim; b++) {
      vqe_complex acc = 0;
      for (size_t gi = 0; gi < g.n_groups; gi++) {
        const uint64_t src = (uint64_t)b ^ g.gx[gi];
        double A = 0, B = 0;
        for (size_t t = g.start[gi]; t < g.start[gi + 1]; t++) {
          if (sv_parity(src & g.z[t])) { A -= g.kr[t]; B -= g.ki[t]; }
          else { A += g.kr[t]; B += g.ki[t]; }
        }
        acc += sv_cmul(CMPLX(A, B), a[src]);
      }
      o[b] = acc;
    }
  } else if (n <= SV_HPSI_CACHED_MAX_QUBITS) {
    /* State in cache: one parallel loop over blocks, the groups inside (no barrier per group; each
     * out[b] is accumulated in group order, exactly as below). */
#pragma omp parallel for schedule(static) if (par)
    for (int64_t blk = 0; blk < dim / WB; blk++) {
      vqe_complex *ob = o + blk * WB;
      for (int j = 0; j < WB; j++) ob[j] = 0;
      hpsi_range(a, &g, 0, g.n_groups, (uint64_t)blk * WB, (uint64_t)(blk + 1) * WB, avx2, o);
    }
  } else {
    /* output tiles of 2^SV_HPSI_TILE_QUBITS amplitudes, each thread its own (a gather: no two threads
     * write one b): per group the partners are read once from memory and the tile is updated in L2,
     * instead of a read-modify-write pass over the whole output per group (3.2 -> x passes per group
     * for a random 1000-term sum on 20 qubits) */
    const int64_t tile = dim < ((int64_t)1 << SV_HPSI_TILE_QUBITS) ? dim : (int64_t)1 << SV_HPSI_TILE_QUBITS;
#pragma omp parallel for schedule(static) if (par)
    for (int64_t t0 = 0; t0 < dim; t0 += tile) {
      for (int64_t b = t0; b < t0 + tile; b++) o[b] = 0;
      hpsi_range(a, &g, 0, g.n_groups, (uint64_t)t0, (uint64_t)(t0 + tile), avx2, o);
    }
  }
  xgroups_free(&g);
  return VQE_OK;
}

/* ---- fermionic Hamiltonian in the occupation-number basis ------------------------------------- */

static inline double jw(uint64_t occ, int j)
{
  return sv_parity(occ & ((UINT64_C(1) << j) - 1)) ? -1.0 : 1.0;
}

/* (Hψ)[b] = Σ_c ⟨b|H|c⟩ψ[c] = Σ_c ⟨c|H|b⟩ψ[c] (H real symmetric): enumerate H|b⟩. */
static vqe_complex fermi_row(const vqe_mo_hamiltonian *h, const vqe_complex *psi, uint64_t b)
{
  const int m = h->norb, ns = 2 * m;
  const double *hh = h->h, *g = h->eri;
  double re = h->e_core * creal(psi[b]), im = h->e_core * cimag(psi[b]);
  for (int Q = 0; Q < ns; Q++) {
    if (!(b >> Q & 1)) continue;
    const int q = Q >> 1, sig = Q & 1;
    const uint64_t b1 = b ^ (UINT64_C(1) << Q);
    const double s1 = jw(b, Q);
    /* one-body a†_P a_Q */
    for (int p = 0; p < m; p++) {
      const int P = 2 * p + sig;
      const double hpq = hh[p * m + q];
      if (hpq == 0) continue;
      if (P == Q) { re += hpq * creal(psi[b]); im += hpq * cimag(psi[b]); continue; }
      if (b1 >> P & 1) continue;
      const uint64_t c = b1 | (UINT64_C(1) << P);
      const double f = hpq * s1 * jw(b1, P);
      re += f * creal(psi[c]);
      im += f * cimag(psi[c]);
    }
    /* two-body ½ (pq|rs) a†_P a†_R a_S a_Q */
    for (int S = 0; S < ns; S++) {
      if (S == Q || !(b1 >> S & 1)) continue;
      const int sidx = S >> 1, tau = S & 1;
      const uint64_t b2 = b1 ^ (UINT64_C(1) << S);
      const double s2 = s1 * jw(b1, S);
      for (int r = 0; r < m; r++) {
        const int R = 2 * r + tau;
        if (b2 >> R & 1) continue;
        const uint64_t b3 = b2 | (UINT64_C(1) << R);
        const double s3 = s2 * jw(b2, R);
        for (int p = 0; p < m; p++) {
          const int P = 2 * p + sig;
          if (b3 >> P & 1) continue;
          const double v = g[(((size_t)p * m + q) * m + r) * m + sidx];
          if (v == 0) continue;
          const uint64_t c = b3 | (UINT64_C(1) << P);
          const double f = 0.5 * v * s3 * jw(b3, P);
          re += f * creal(psi[c]);
          im += f * cimag(psi[c]);
        }
      }
    }
  }
  return CMPLX(re, im);
}

static vqe_status check_fermi(const vqe_statevec *s, const vqe_mo_hamiltonian *h, vqe_error *err)
{
  if (!s || !s->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  if (!h || !h->h || !h->eri || 2 * h->norb != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "fermionic Hamiltonian of %d spatial orbitals needs %d qubits, the state has %d",
                         h ? h->norb : 0, h ? 2 * h->norb : 0, s->n_qubits);
  return VQE_OK;
}

vqe_status vqe_statevec_apply_fermionic(const vqe_statevec *in, const vqe_mo_hamiltonian *h,
                                        vqe_statevec *out, vqe_error *err)
{
  vqe_status st = check_fermi(in, h, err);
  if (st) return st;
  if (!out || !out->amp || out->n_qubits != in->n_qubits || out->amp == in->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "H|psi> needs a distinct output state of %d qubits", in->n_qubits);
  const vqe_complex *a = in->amp;
  vqe_complex *o = out->amp;
  const int par = SV_PAR(in->n_qubits);
#pragma omp parallel for schedule(dynamic, 64) if (par)
  for (int64_t b = 0; b < (int64_t)in->dim; b++) o[b] = fermi_row(h, a, (uint64_t)b);
  return VQE_OK;
}

vqe_status vqe_statevec_expect_fermionic(const vqe_statevec *s, const vqe_mo_hamiltonian *h,
                                         double *e, vqe_error *err)
{
  vqe_status st = check_fermi(s, h, err);
  if (st) return st;
  const int n = s->n_qubits;
  const int cq = n < SV_REDUCE_CHUNK_QUBITS ? n : SV_REDUCE_CHUNK_QUBITS;
  const int nc = 1 << (n - cq);
  double *part = malloc((size_t)nc * sizeof *part);
  if (!part) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
  const vqe_complex *a = s->amp;
  const int par = SV_PAR(n);
#pragma omp parallel for schedule(dynamic, 1) if (par)
  for (int c = 0; c < nc; c++) {
    double acc = 0;
    const uint64_t lo = (uint64_t)c << cq, hi = lo + (UINT64_C(1) << cq);
    for (uint64_t b = lo; b < hi; b++) {
      const vqe_complex r = fermi_row(h, a, b);
      acc += creal(a[b]) * creal(r) + cimag(a[b]) * cimag(r);
    }
    part[c] = acc;
  }
  double t = 0;
  for (int c = 0; c < nc; c++) t += part[c];
  free(part);
  *e = t;
  return VQE_OK;
}
