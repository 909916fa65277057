/* sv_internal.h — internal kernels of the state-vector engine on raw amplitude arrays, shared by
 * src/statevec (public wrappers) and src/circuit (gate dispatch, fused cache-blocked runs, which call
 * the same kernels serially on a thread-local block). Kernels assume valid arguments. */
#ifndef VQE_SV_INTERNAL_H
#define VQE_SV_INTERNAL_H

#include "vqe_config.h"
#include "vqe/statevec.h"
#include <assert.h>

/* THE OpenMP threshold: kernels on states of fewer qubits run serially. The test build shrinks it so
 * the suites (n <= 8) exercise the parallel path. */
#if VQE_TEST_BUILD
#define SV_PARALLEL_MIN_QUBITS 3
#else
#define SV_PARALLEL_MIN_QUBITS 14
#endif
#define SV_PAR(n) ((n) >= SV_PARALLEL_MIN_QUBITS)

/* H|ψ⟩ of a Pauli sum: states up to this size (4 MiB) are swept once with all x groups per block of
 * amplitudes; larger ones tile by tile, all x groups on a tile. The test build shrinks both so every
 * path is tested. */
#if VQE_TEST_BUILD
#define SV_HPSI_CACHED_MAX_QUBITS 6
#define SV_HPSI_TILE_QUBITS 5
#else
#define SV_HPSI_CACHED_MAX_QUBITS 18
#define SV_HPSI_TILE_QUBITS 12    /* beyond: output tiles of 2^12 amplitudes (64 KiB), all groups per tile */
#endif

/* "Far" qubits: a kernel pairing amplitudes across qubit >= SV_TILE_MIN_QUBIT (2^24 amplitudes = 256 MiB
 * apart) works tile by tile or chunk by chunk, one stream at a time (kernels.c: 1-qubit gates; gates.c:
 * the others). */
#if VQE_TEST_BUILD
#define SV_TILE_MIN_QUBIT 10   /* tests (n = 11, 12) reach the tiled path; must be >= log2(SV_TILE_PAIRS) */
#else
#define SV_TILE_MIN_QUBIT 24
#endif

/* Far gates on states from sv_split_alloc (split.c) move the upper half of every pair block aside in
 * virtual memory for the gate's duration (mremap: page tables, not data), to a distance ≡ PERIOD/2
 * (mod PERIOD) from the lower half, and then stream both halves like a near gate. PERIOD = the
 * thrashing distance of 2^28 bytes = the pair distance of SV_TILE_MIN_QUBIT. */
#define SV_SPLIT_PERIOD ((size_t)sizeof(vqe_complex) << SV_TILE_MIN_QUBIT)
typedef struct {
  char *amp, *away;     /* the state; where block b's upper half is while split: away + b·dist */
  size_t dist;          /* bytes between pair members: 16·2^q */
  int64_t n_blocks;     /* pair blocks: 2^(n−1−q) */
} sv_split;
/* Whether two streams d bytes apart thrash: d within 4 KiB of a multiple of the period. A gate whose
 * pairs lie d apart is split only then (the split adds PERIOD/2 to d: a d near PERIOD/2, such as
 * SWAP(23, 25)'s, would come to thrash instead). */
static inline int sv_far_aliases(uint64_t d)
{
  const uint64_t r = d % SV_SPLIT_PERIOD;
  return r < 4096 || SV_SPLIT_PERIOD - r < 4096;
}
/* A state of `bytes` (>= 2·PERIOD) with room behind it, or NULL (too small, not Linux, no room): the
 * caller then allocates it the ordinary way. Freed only by sv_split_free, which returns 0 (and does
 * nothing) for a pointer it did not allocate. */
vqe_complex *sv_split_alloc(size_t bytes);
int sv_split_free(void *p);
/* Move the upper halves of the pair blocks of qubit q (n-qubit state a, exactly as sv_split_alloc
 * returned it) aside: 1 on success, then block b's pairs are (a + 2b·2^q + j, sv_split_upper(s, b) + j)
 * for j < 2^q, until sv_split_end. 0 (nothing moved) when not possible: the caller takes another path.
 * VQE_NO_FAR_SPLIT=1 turns it off (tests reach the tiled paths this way). */
int sv_split_begin(vqe_complex *a, int n, int q, sv_split *s);
/* Whether sv_split_begin(a, n, q) would split (moves nothing): gates.c's far driver then leaves SWAP,
 * the controlled 1-qubit gates and the excitation rotations to their kernels, which split as needed. */
int sv_split_possible(const vqe_complex *a, int n, int q);
void sv_split_end(sv_split *s);
static inline vqe_complex *sv_split_upper(const sv_split *s, int64_t b)
{
  return (vqe_complex *)(s->away + (size_t)b * s->dist);
}

/* Reductions sum chunks of 2^SV_REDUCE_CHUNK_QUBITS amplitudes in a fixed order, so the result does
 * not depend on the number of threads. */
#define SV_REDUCE_CHUNK_QUBITS 10

/* Complex product written out: avoids GCC's NaN-recovery call (__muldc3) in inner loops. */
static inline vqe_complex sv_cmul(vqe_complex a, vqe_complex b)
{
  const double ar = creal(a), ai = cimag(a), br = creal(b), bi = cimag(b);
  return CMPLX(ar * br - ai * bi, ar * bi + ai * br);
}

/* Amplitude arithmetic for the kernels: one complex number per SSE2 register when available (every
 * x86-64 has SSE2), else plain scalar code. sv_cm holds a matrix entry pre-split for the product
 * m·v = re(m)·(vr, vi) + im(m)·(−vi, vr). */
#if defined(__SSE2__)
#include <emmintrin.h>
typedef __m128d sv_v;
typedef struct { __m128d re, im; } sv_cm;
static inline sv_cm sv_cm_of(vqe_complex m)
{
  sv_cm r = { _mm_set1_pd(creal(m)), _mm_set_pd(cimag(m), -cimag(m)) };
  return r;
}
static inline sv_v sv_ld(const vqe_complex *p) { return _mm_loadu_pd((const double *)p); }
static inline void sv_st(vqe_complex *p, sv_v v) { _mm_storeu_pd((double *)p, v); }
static inline sv_v sv_mul(sv_cm m, sv_v v)
{
  return _mm_add_pd(_mm_mul_pd(v, m.re), _mm_mul_pd(_mm_shuffle_pd(v, v, 1), m.im));
}
static inline sv_v sv_add(sv_v a, sv_v b) { return _mm_add_pd(a, b); }
static inline sv_v sv_zero(void) { return _mm_setzero_pd(); }
#else
typedef vqe_complex sv_v;
typedef vqe_complex sv_cm;
static inline sv_cm sv_cm_of(vqe_complex m) { return m; }
static inline sv_v sv_ld(const vqe_complex *p) { return *p; }
static inline void sv_st(vqe_complex *p, sv_v v) { *p = v; }
static inline sv_v sv_mul(sv_cm m, sv_v v) { return sv_cmul(m, v); }
static inline sv_v sv_add(sv_v a, sv_v b) { return a + b; }
static inline sv_v sv_zero(void) { return 0; }
#endif

/* Streams that visit runs of 2^p amplitudes separated by gaps as long (the pairs of an excitation,
 * p = its lowest qubit): for p = 3..6 the hardware prefetcher does not follow (kernels.c, pair kernels,
 * has the numbers), so at each run's start the caller prefetches 4 KiB ahead, run and gap alike
 * (2^(p+1) amplitudes, by cache line; rw = 1 for a stream that will be written). Integer addresses:
 * prefetching past the end of the state is harmless, forming such a pointer would not be. */
static inline int sv_run_prefetch_wanted(int p) { return p >= 3 && p <= 6; }
static inline void sv_run_prefetch(const void *x, int p, int rw)
{
  for (uintptr_t l = 0; l < ((uintptr_t)32 << p); l += 64) {
    if (rw) __builtin_prefetch((const void *)((uintptr_t)x + 4096 + l), 1);
    else __builtin_prefetch((const void *)((uintptr_t)x + 4096 + l), 0);
  }
}

/* Insert a zero bit at position p (bits >= p move up by one). */
static inline uint64_t sv_insert0(uint64_t i, int p)
{
  const uint64_t lo = i & ((UINT64_C(1) << p) - 1);
  return ((i >> p) << (p + 1)) | lo;
}
/* Insert zero bits at the k ascending positions pos[0] < pos[1] < … . */
static inline uint64_t sv_insert0n(uint64_t i, const int *pos, int k)
{
  for (int j = 0; j < k; j++) i = sv_insert0(i, pos[j]);
  return i;
}
static inline int sv_parity(uint64_t v) { return __builtin_parityll(v); }

/* A fermionic excitation's partner of basis state b: ops = the modes in application order (right to
 * left: annihilators, then creators); each flips its bit and contributes (−1)^{occupied below it at
 * that moment} (Jordan–Wigner). *sigma = the product of the signs. Modes below the lowest one count
 * an even number of times, so a register holding the excitation's whole range gives the same sign. */
static inline uint64_t sv_fermi_partner(uint64_t b, int n_ops, const int *ops, int *sigma)
{
  int par = 0;
  for (int k = 0; k < n_ops; k++) {
    const uint64_t m = UINT64_C(1) << ops[k];
    par += __builtin_popcountll(b & (m - 1));
    b ^= m;
  }
  *sigma = (par & 1) ? -1 : 1;
  return b;
}

/* Sorted bit positions of a mask into pos (returns the count). */
int sv_mask_positions(uint64_t mask, int *pos);
/* AVX2 and FMA at run time (the build targets x86-64-v2), unless the environment variable VQE_NO_AVX2
 * is set (to anything but 0): then every kernel takes its portable path (the tests run both). Always 0
 * off x86-64. */
int sv_have_avx2(void);
/* AVX-512F as well (and AVX2 allowed), unless VQE_NO_AVX512 is set: the fused rotations' wider sweep
 * (the tests run the circuit suite with it off too). */
int sv_have_avx512(void);

/* ---- element kernels: a = amplitudes of an n-qubit register; par = run OpenMP-parallel ---------- */
void sv_k_1q(vqe_complex *a, int n, int q, const vqe_complex m[4], int par);
/* Commuting real rotations on distinct qubits (a layer's RYs), one FMA per amplitude and rotation: a
 * rotation [[c, −s], [s, c]] (RY(θ): c = cos θ/2, s = sin θ/2) is f·[[1, −t], [t, 1]] with t = s/c, f = c
 * when |s| <= |c|, else f·[[t, −1], [1, t]] with t = c/s, f = s (swap = 1); so |t| <= 1 and
 * |f| >= sqrt(c² + s²)/√2. sv_rot_factor splits one and returns f. */
typedef struct { int q, swap; double t; } sv_rot;
double sv_rot_factor(int q, double c, double s, sv_rot *r);
int sv_rot_cmp(const void *x, const void *y);   /* qsort order: ascending qubit */
/* Apply the unscaled rotations r[0..nr−1] (distinct qubits < n, any order), then multiply by `scale`
 * (the product of their factors, or 1 when the caller folds it into another operation). Serial: it runs
 * on the cache blocks of fused circuits. With AVX2 one sweep applies up to four rotations: qubit 0
 * inside each register and three others across registers. */
void sv_k_rots(vqe_complex *a, int n, int nr, const sv_rot *r, double scale);
void sv_k_c1q(vqe_complex *a, int n, uint64_t ctrl, int q, const vqe_complex m[4], int par);
/* Dense 2^k×2^k on qubits qs[0..k-1] (any order; local bit j = qs[j]); k <= 6. */
void sv_k_dense(vqe_complex *a, int n, int k, const int *qs, const vqe_complex *m, int par);
/* Diagonal on k qubits: a[b] *= d[local(b)]. */
void sv_k_diag(vqe_complex *a, int n, int k, const int *qs, const vqe_complex *d, int par);
void sv_k_cnot(vqe_complex *a, int n, int c, int t, int par);
void sv_k_swap(vqe_complex *a, int n, int q0, int q1, int par);
void sv_k_pauli(vqe_complex *a, int n, uint64_t x, uint64_t z, int par);
/* a ← (cr + i·ci)·a + (kr + i·ki)·P a, the general "α I + β P" (rotations: α = cos, β = −i sin). */
void sv_k_pauli_comb(vqe_complex *a, int n, uint64_t x, uint64_t z, vqe_complex alpha,
                     vqe_complex beta, int par);
/* Two-level rotation of amplitude pairs: for every b with (b & zero) == 0 and (b & one) == one,
 * b' = b ^ (zero|one), σ = sign0·(−1)^{popcount(b & smask)}:
 *   a[b] ← c a[b] − σ s a[b'],   a[b'] ← c a[b'] + σ s a[b]. */
void sv_k_pair_rot(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double c, double s, int par);
/* Its generator times `scale`: a[b] ← −i·scale·σ a[b'], a[b'] ← i·scale·σ a[b]; all other amplitudes
 * (outside every pair) ← 0. */
void sv_k_pair_gen(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double scale, int par);
void sv_k_scale(vqe_complex *a, uint64_t dim, vqe_complex alpha, int par);

/* Masks of the fermionic excitations for sv_k_pair_rot (JW signs folded into smask and sign0). */
void sv_fermi_single_masks(int p, int q, uint64_t *zero, uint64_t *one, uint64_t *smask, int *sign0);
void sv_fermi_double_masks(int p, int q, int r, int s, uint64_t *zero, uint64_t *one,
                           uint64_t *smask, int *sign0);

/* Validation helper: qubit in range. */
vqe_status sv_check_qubit(int n, int q, const char *what, vqe_error *err);

#endif
