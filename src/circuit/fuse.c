/* fuse.c — the fused, cache-blocked form of a circuit at fixed parameters (circuit.h). Gates become
 * dense blocks of at most max_fused_qubits qubits (a gate joins the last block it does not commute
 * past when the union still fits, as in Qulacs' and qsim's fusers); consecutive blocks whose qubits
 * fit in one cache block of 2^B amplitudes form a run, applied while each block of amplitudes is
 * resident (gathered into a thread-local buffer, all the run's operations, scattered back). Inside a
 * run, a layer's 1-qubit diagonals (RZ, …) become one product-table diagonal, its RYs scaled rotations
 * applied several per sweep (sv_k_rots), its CNOT/SWAP ladder one permutation; the diagonal rides on
 * the permutation's pass, and a gathered run's final permutation writes straight back to the state. */
#include "circuit/circ_internal.h"
#include <stdlib.h>
#include <string.h>
#include <omp.h>

#define LOW_FIXED 3   /* the lowest qubits always local: contiguous copies of >= 8 amplitudes */
/* Inside a cache block (L2), consecutive ops on the lowest SUB_QUBITS local qubits run sub-block by
 * sub-block of 2^SUB_QUBITS amplitudes (16 KiB, L1): a 2×2 on an L2-resident block is bound by L2
 * bandwidth (0.32-0.39 ns per amplitude measured), on an L1-resident one by the arithmetic. */
#define SUB_QUBITS 10

typedef enum { OP_DENSE, OP_DIAG, OP_SPECIAL, OP_PERM, OP_DIAGN, OP_ROTS } op_type;

typedef struct {
  op_type type;
  int k;                 /* dense/diag: number of qubits */
  int qs[6];             /* dense/diag: qubits, ascending (local bit j = qs[j]) */
  vqe_complex *m;        /* dense: 4^k entries; diag: 2^k */
  circ_prim prim;        /* special */
  uint64_t mask;         /* qubits touched (special: incl. the JW string) */
  uint64_t lmask;        /* ops of a blocked run: the same in local positions (OP_PERM: all) */
  uint32_t *ptab;        /* OP_PERM (cache blocks only): l → T[0][l & 127] ^ T[1][l>>7 & 127] ^ T[2][l>>14] */
  vqe_complex *dtab;     /* OP_DIAGN (cache blocks only): a product of 1-qubit diagonals on local qubits,
                          * D(l) = dtab[l & 127]·dtab[128 + (l>>7 & 127)]·dtab[256 + (l>>14)] */
  double *dsplit;        /* OP_DIAGN: dtab[0..127] for AVX2, per pair j, j+1: re, re, re', re', −im, im, −im', im' */
  sv_rot *rots;          /* OP_ROTS (cache blocks only): commuting real rotations on distinct local qubits, */
  int nrots;             /* applied unscaled (one FMA per amplitude and rotation), then times rscale */
  double rscale;
} fop;

typedef struct {
  size_t op0, op1;       /* ops [op0, op1) */
  int blocked;           /* 1: gather/scatter cache blocks */
  int lq[64];            /* local qubits, ascending (blocked runs) */
  int low;               /* lq[0..low-1] = 0..low-1: contiguous chunk of 2^low amplitudes */
  fop *local;            /* the run's ops with qubits renumbered to local positions */
  uint64_t *hoff;        /* blocked runs: offset of the h-th chunk of 2^low amplitudes of a block */
  int perm_out;          /* gathered runs ending in a permutation that keeps the chunks (1 <= low <= 7,
                          * π(l) = π(l & ~(2^low−1)) + (l & (2^low−1))): it writes straight to the state */
  size_t nlocal;         /* (consecutive CNOT/SWAPs merged into one OP_PERM) */
} frun;

struct vqe_fused {
  int n_qubits, B;
  size_t n_gates_in;
  fop *ops;
  size_t n_ops;
  frun *runs;
  size_t n_runs;
};

void vqe_fuse_options_default(vqe_fuse_options *o)
{
  o->max_fused_qubits = 1;
  o->cache_block_qubits = -1;   /* auto */
}

/* Dense matrix of a primitive on its (ascending) qubits qs: apply it to each local basis state. */
static void prim_matrix(const circ_prim *p, int k, const int *qs, vqe_complex *m)
{
  int map[64];
  for (int j = 0; j < k; j++) map[qs[j]] = j;
  const circ_prim lp = circ_prim_remap(p, map);
  const int d = 1 << k;
  vqe_complex col[64];
  for (int c = 0; c < d; c++) {
    for (int i = 0; i < d; i++) col[i] = (i == c);
    circ_prim_apply(&lp, col, k, 0);
    for (int i = 0; i < d; i++) m[i * d + c] = col[i];
  }
}

/* out (on the qubits of umask) = M (on those of mmask ⊆ umask) ⊗ I. */
static void expand(const vqe_complex *M, uint64_t mmask, uint64_t umask, vqe_complex *out)
{
  int up[6];
  const int ku = sv_mask_positions(umask, up), du = 1 << ku;
  const int dm = 1 << __builtin_popcountll(mmask);
  int pos[6];                /* for U-local bit j: index within M's qubits, or -1 */
  unsigned inm = 0;
  for (int j = 0, t = 0; j < ku; j++) {
    if (mmask >> up[j] & 1) { pos[j] = t++; inm |= 1u << j; }
    else pos[j] = -1;
  }
  for (int r = 0; r < du; r++)
    for (int c = 0; c < du; c++) {
      vqe_complex v = 0;
      if (((unsigned)r & ~inm) == ((unsigned)c & ~inm)) {
        int rm = 0, cm = 0;
        for (int j = 0; j < ku; j++)
          if (pos[j] >= 0) { rm |= (r >> j & 1) << pos[j]; cm |= (c >> j & 1) << pos[j]; }
        v = M[rm * dm + cm];
      }
      out[r * du + c] = v;
    }
}

static void matmul(int d, const vqe_complex *A, const vqe_complex *B, vqe_complex *C)
{
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      vqe_complex acc = 0;
      for (int k = 0; k < d; k++) acc += sv_cmul(A[i * d + k], B[k * d + j]);
      C[i * d + j] = acc;
    }
}

static void fop_apply(const fop *o, vqe_complex *a, int n, int par)
{
  switch (o->type) {
  case OP_DENSE: sv_k_dense(a, n, o->k, o->qs, o->m, par); break;
  case OP_DIAG: sv_k_diag(a, n, o->k, o->qs, o->m, par); break;
  case OP_ROTS: sv_k_rots(a, n, o->nrots, o->rots, o->rscale); break;   /* cache blocks only: serial */
  default: circ_prim_apply(&o->prim, a, n, par); break;
  }
}

void vqe_fused_destroy(vqe_fused *f)
{
  if (!f) return;
  for (size_t i = 0; i < f->n_ops; i++) free(f->ops[i].m);
  for (size_t r = 0; r < f->n_runs; r++) {
    for (size_t t = 0; t < f->runs[r].nlocal; t++) {
      free(f->runs[r].local[t].ptab);
      free(f->runs[r].local[t].dtab);
      free(f->runs[r].local[t].rots);
      free(f->runs[r].local[t].dsplit);
    }
    free(f->runs[r].local);
    free(f->runs[r].hoff);
  }
  free(f->ops);
  free(f->runs);
  free(f);
}

/* A dense 1-qubit op with a diagonal matrix. */
static int diag1(const fop *o)
{
  return o->type == OP_DENSE && o->k == 1 && o->m[1] == 0 && o->m[2] == 0;
}

/* Merge dense op g into dense block b (g after b). */
static int merge_into(fop *b, const fop *g)
{
  const uint64_t u = b->mask | g->mask;
  const int ku = __builtin_popcountll(u), du = 1 << ku;
  vqe_complex *eb = malloc((size_t)du * du * sizeof *eb), *eg = malloc((size_t)du * du * sizeof *eg),
              *r = malloc((size_t)du * du * sizeof *r);
  if (!eb || !eg || !r) { free(eb); free(eg); free(r); return -1; }
  expand(b->m, b->mask, u, eb);
  expand(g->m, g->mask, u, eg);
  matmul(du, eg, eb, r);
  free(eb);
  free(eg);
  free(b->m);
  b->m = r;
  b->mask = u;
  b->k = sv_mask_positions(u, b->qs);
  return 0;
}

/* GF(2)-affine image of a local index under CNOT(c,t) / SWAP(p,q). */
static uint32_t perm_gate(const circ_prim *p, uint32_t v)
{
  if (p->kind == VQE_GATE_CNOT) return v ^ (((v >> p->q[0]) & 1u) << p->q[1]);
  const uint32_t a = (v >> p->q[0]) & 1u, b = (v >> p->q[1]) & 1u;
  return a == b ? v : v ^ ((1u << p->q[0]) | (1u << p->q[1]));
}

static int is_perm(const fop *o)
{
  return o->type == OP_SPECIAL && (o->prim.kind == VQE_GATE_CNOT || o->prim.kind == VQE_GATE_SWAP);
}

/* A merge pass that runs out of memory after moving ops [0, w) into place leaves stale copies in [w, t):
 * drop them (keeping the unprocessed [t, n)), so the destructor frees every table once. */
static int merge_failed(fop *ops, size_t *nops, size_t w, size_t t)
{
  memmove(ops + w, ops + t, (*nops - t) * sizeof *ops);
  *nops = w + (*nops - t);
  return -1;
}

/* Merge runs of consecutive CNOT/SWAP ops of a cache-block op list (local qubits < B <= 21) into one
 * permutation with byte-chunk tables: one pass over the block instead of one per gate. */
static int merge_perms(fop *ops, size_t *nops, int B)
{
  size_t w = 0;
  for (size_t t = 0; t < *nops;) {
    if (!is_perm(&ops[t]) || t + 1 >= *nops || !is_perm(&ops[t + 1])) { ops[w++] = ops[t++]; continue; }
    uint32_t col[32], k = 0;
    for (int j = 0; j < B; j++) col[j] = 1u << j;
    size_t e = t;
    for (; e < *nops && is_perm(&ops[e]); e++) {
      for (int j = 0; j < B; j++) col[j] = perm_gate(&ops[e].prim, col[j]);
      k = perm_gate(&ops[e].prim, k);   /* linear: k stays 0, kept for clarity */
    }
    fop p;
    memset(&p, 0, sizeof p);
    p.type = OP_PERM;
    p.lmask = ~UINT64_C(0);
    p.ptab = malloc(3 * 128 * sizeof *p.ptab);
    if (!p.ptab) return merge_failed(ops, nops, w, t);
    for (int c = 0; c < 3; c++)
      for (uint32_t v = 0; v < 128; v++) {
        uint32_t img = c == 0 ? k : 0;
        for (int j = 0; j < 7; j++)
          if ((v >> j & 1u) && 7 * c + j < B) img ^= col[7 * c + j];
        p.ptab[c * 128 + v] = img;
      }
    for (size_t u = t; u < e; u++) p.mask |= ops[u].mask;
    ops[w++] = p;
    t = e;
  }
  *nops = w;
  return 0;
}

/* Collect the 1-qubit diagonals of a cache-block op list (RZ, phase, S, T, …) into one OP_DIAGN placed
 * just before the first later op that acts on one of their qubits: they commute with ops on other
 * qubits and with each other. A layer RY, RZ on every qubit then runs as real 2×2s (RY) and one
 * diagonal pass (or none: a diagonal followed by a permutation is applied during the permutation),
 * instead of one complex 2×2 per qubit (RZ·RY), at about twice the arithmetic. */
static int merge_diags(fop *ops, size_t *nops, int B)
{
  vqe_complex d[32][2];
  uint64_t pend = 0, gmask = 0;
  int np = 0;
  fop one;
  memset(&one, 0, sizeof one);
  size_t w = 0;   /* w <= t: every flush emits one op for at least one taken */
  for (size_t t = 0; t <= *nops; t++) {
    const fop *o = t < *nops ? &ops[t] : NULL;
    if (o && o->type == OP_DIAG && o->k == 1) {
      const int q = o->qs[0];
      if (!(pend >> q & 1)) d[q][0] = d[q][1] = 1;
      d[q][0] = sv_cmul(d[q][0], o->m[0]);
      d[q][1] = sv_cmul(d[q][1], o->m[1]);
      pend |= UINT64_C(1) << q;
      gmask |= o->mask;
      if (np++ == 0) one = *o;
      continue;
    }
    if (pend && (!o || (o->type != OP_DIAG && (o->lmask & pend)))) {
      if (np == 1) ops[w++] = one;
      else {
        fop p;
        memset(&p, 0, sizeof p);
        p.type = OP_DIAGN;
        p.lmask = pend;
        p.mask = gmask;
        if (!(p.dtab = malloc(3 * 128 * sizeof *p.dtab))) return merge_failed(ops, nops, w, t);
        for (int c = 0; c < 3; c++)
          for (int v = 0; v < 128; v++) {
            vqe_complex x = 1;
            for (int j = 0; j < 7; j++)
              if (7 * c + j < B && (pend >> (7 * c + j) & 1)) x = sv_cmul(x, d[7 * c + j][v >> j & 1]);
            p.dtab[c * 128 + v] = x;
          }
        ops[w++] = p;
      }
      pend = gmask = 0;
      np = 0;
    }
    if (o) ops[w++] = *o;   /* other diagonals commute with the pending ones: no flush */
  }
  *nops = w;
  return 0;
}

/* A dense 1-qubit op that is a real rotation [[c, −s], [s, c]] (RY, or RY times a real number). */
static int rot1(const fop *o)
{
  if (o->type != OP_DENSE || o->k != 1) return 0;
  const vqe_complex *m = o->m;
  return cimag(m[0]) == 0 && cimag(m[1]) == 0 && cimag(m[2]) == 0 && cimag(m[3]) == 0 &&
         creal(m[0]) == creal(m[3]) && creal(m[1]) == -creal(m[2]);
}

/* Turn consecutive real rotations of a cache-block op list (a layer's RYs) into OP_ROTS: on distinct
 * qubits they commute, and applied together (sv_k_rots) they cost one FMA per amplitude each instead of
 * two, several per load and store. Those on the sub-block qubits (< SUB_QUBITS) and the others form
 * two ops, so the first still runs L1 sub-block by sub-block. The rotations' common factors are one
 * number: it is folded into the run's first OP_DIAGN when there is one (scalars commute with every op),
 * else the OP_ROTS applies it. */
static int merge_rots(fop *ops, size_t *nops)
{
  size_t w = 0;
  for (size_t t = 0; t < *nops;) {
    size_t e = t;
    uint64_t seen = 0;
    while (e < *nops && rot1(&ops[e]) && !(seen & ops[e].lmask)) seen |= ops[e++].lmask;
    if (e - t < 2) { ops[w++] = ops[t++]; continue; }
    fop part[2];
    memset(part, 0, sizeof part);
    for (int h = 0; h < 2; h++) {
      part[h].type = OP_ROTS;
      part[h].rscale = 1;
      if (!(part[h].rots = malloc((e - t) * sizeof *part[h].rots))) { free(part[0].rots); return merge_failed(ops, nops, w, t); }
    }
    for (size_t u = t; u < e; u++) {
      const int h = (int)(ops[u].lmask >> SUB_QUBITS != 0);
      fop *p = &part[h];
      p->rscale *= sv_rot_factor(ops[u].qs[0], creal(ops[u].m[0]), creal(ops[u].m[2]), &p->rots[p->nrots++]);
      p->mask |= ops[u].mask;
      p->lmask |= ops[u].lmask;
    }
    for (int h = 0; h < 2; h++) {
      if (part[h].nrots) {
        qsort(part[h].rots, (size_t)part[h].nrots, sizeof *part[h].rots, sv_rot_cmp);   /* sv_k_rots' order */
        ops[w++] = part[h];
      } else {
        free(part[h].rots);
      }
    }
    t = e;
  }
  *nops = w;
  /* the factors into the first product-table diagonal (its lowest table: every D(l) takes one entry) */
  fop *dn = NULL;
  for (size_t t = 0; t < w && !dn; t++)
    if (ops[t].type == OP_DIAGN) dn = &ops[t];
  if (dn)
    for (size_t t = 0; t < w; t++)
      if (ops[t].type == OP_ROTS) {
        for (int v = 0; v < 128; v++) dn->dtab[v] *= ops[t].rscale;
        ops[t].rscale = 1;
      }
  return 0;
}

/* One segment of 128 amplitudes of a cache block (local indices l0 .. l0+127, l0 a multiple of 128):
 * out(π(l)) = D(l)·src[l − l0], with π(l) = T[l & 127] ^ th (T = NULL: the identity) and D(l) =
 * dtab[l & 127]·h (dtab = NULL: 1). out(p) is dst[p], or, with hoff (chunk-keeping permutations only),
 * dst[hoff[p >> low] + (p & (2^low − 1))]: the state itself, dst = a + base. */
typedef struct {
  vqe_complex *dst;
  const uint64_t *hoff;
  int low;
  const uint32_t *T;
  uint32_t th;
  const vqe_complex *dtab;
  const double *dsplit;
  vqe_complex h;
} seg_job;

static inline vqe_complex *seg_out(const seg_job *g, uint32_t p)
{
  return g->hoff ? g->dst + g->hoff[p >> g->low] + (p & ((1u << g->low) - 1)) : g->dst + p;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* Two amplitudes per register; the diagonal's low table pre-split (dsplit) so a complex product is one
 * permute, one multiply and one FMA. A chunk-keeping permutation moves pairs (low >= 1). */
__attribute__((target("avx2,fma")))
static void seg_avx2(const seg_job *g, const vqe_complex *src)
{
  /* the job in locals: the stores (may-alias vector types) would otherwise reload it every step */
  const __m256d hr = _mm256_set1_pd(creal(g->h)), hi = _mm256_setr_pd(-cimag(g->h), cimag(g->h), -cimag(g->h), cimag(g->h));
  const double *const ds = g->dsplit;
  const uint32_t *const T = g->T, th = g->th;
  const uint64_t *const hoff = g->hoff;
  const int low = g->low;
  const uint32_t lm = (1u << low) - 1;
  double *const dst = (double *)g->dst;
  for (uint32_t j = 0; j < 128; j += 2) {
    __m256d v = _mm256_loadu_pd((const double *)(src + j));
    if (ds) {
      v = _mm256_fmadd_pd(v, _mm256_loadu_pd(ds + 4 * j), _mm256_mul_pd(_mm256_permute_pd(v, 5), _mm256_loadu_pd(ds + 4 * j + 4)));
      v = _mm256_fmadd_pd(v, hr, _mm256_mul_pd(_mm256_permute_pd(v, 5), hi));
    }
    if (!T) _mm256_storeu_pd(dst + 2 * j, v);
    else if (hoff) {
      const uint32_t p = T[j] ^ th;
      _mm256_storeu_pd(dst + 2 * (hoff[p >> low] + (p & lm)), v);
    } else {
      _mm_storeu_pd(dst + 2 * (T[j] ^ th), _mm256_castpd256_pd128(v));
      _mm_storeu_pd(dst + 2 * (T[j + 1] ^ th), _mm256_extractf128_pd(v, 1));
    }
  }
}
#endif

static void seg_apply(const seg_job *g, const vqe_complex *src)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (sv_have_avx2()) { seg_avx2(g, src); return; }
#endif
  const sv_cm h = sv_cm_of(g->h);
  for (uint32_t j = 0; j < 128; j++) {
    sv_v v = sv_ld(src + j);
    if (g->dtab) v = sv_mul(h, sv_mul(sv_cm_of(g->dtab[j]), v));
    sv_st(g->T ? seg_out(g, g->T[j] ^ g->th) : g->dst + j, v);
  }
}

/* The diagonal's factor for the segment at local index l (a multiple of 128). */
static vqe_complex diagn_high(const vqe_complex *D, uint32_t l)
{
  return sv_cmul(D[128 + (l >> 7 & 127)], D[256 + (l >> 14)]);
}

/* a[l] *= D(l0 + l) for l < len (OP_DIAGN on the part of a block starting at local index l0; both
 * multiples of 128, as cache blocks and their L1 sub-blocks are) */
static void diagn_apply(const fop *o, vqe_complex *a, size_t len, size_t l0)
{
  seg_job g = { .dtab = o->dtab, .dsplit = o->dsplit };
  for (size_t l = 0; l < len; l += 128) {
    g.dst = a + l;
    g.h = diagn_high(o->dtab, (uint32_t)(l0 + l));
    seg_apply(&g, a + l);
  }
}

/* The AVX2 form of an OP_DIAGN's low table (seg_avx2). */
static int diagn_split(fop *o)
{
  if (!(o->dsplit = malloc(512 * sizeof *o->dsplit))) return -1;
  for (int j = 0; j < 128; j++) {
    double *p = o->dsplit + 8 * (j / 2) + 2 * (j & 1);
    p[0] = p[1] = creal(o->dtab[j]);
    p[4] = -cimag(o->dtab[j]);
    p[5] = cimag(o->dtab[j]);
  }
  return 0;
}

/* Whether a permutation table keeps chunks of 2^low amplitudes together (seg_job.hoff). */
static int perm_keeps_chunks(const uint32_t *T, int low)
{
  if (low < 1 || low > 7) return 0;
  const uint32_t lm = (1u << low) - 1;
  for (uint32_t v = 0; v < 3 * 128; v++)
    if ((T[v] & lm) != (v < 128 ? v & lm : 0)) return 0;
  return 1;
}

/* Per-run data the apply loop needs once the op list is final. */
static int finish_run(frun *r)
{
  for (size_t t = 0; t < r->nlocal; t++)
    if (r->local[t].type == OP_DIAGN && diagn_split(&r->local[t])) return -1;
  r->perm_out = r->nlocal > 0 && r->local[r->nlocal - 1].type == OP_PERM &&
                perm_keeps_chunks(r->local[r->nlocal - 1].ptab, r->low);
  return 0;
}

vqe_status vqe_circuit_fuse(const vqe_circuit *c, const double *theta, const vqe_fuse_options *opt,
                            vqe_fused **out, vqe_error *err)
{
  *out = NULL;
  vqe_fuse_options o;
  if (opt) o = *opt; else vqe_fuse_options_default(&o);
  if (o.max_fused_qubits < 1 || o.max_fused_qubits > 4)
    return vqe_error_set(err, VQE_ERR_INPUT, "max_fused_qubits %d (allowed: 1 to 4)", o.max_fused_qubits);
  if (o.cache_block_qubits != 0 && o.cache_block_qubits != -1 && (o.cache_block_qubits < 8 || o.cache_block_qubits > 20))
    return vqe_error_set(err, VQE_ERR_INPUT, "cache_block_qubits %d (allowed: -1 = auto, 0 = off, or 8 to 20)", o.cache_block_qubits);
  if (o.cache_block_qubits == -1) {
    /* 2^14 amplitudes (256 KiB) up to n = 22, then larger, up to 2^16 (1 MiB, the L2) from n = 24: the
     * run on the high qubits then copies longer chunks (2^(2B−n) amplitudes for a layer touching every
     * qubit), and its 128-byte chunks at B = 14 cost more than the larger blocks' spill from L2 (an
     * RY, RZ, CNOT-ladder layer at n = 24: 13.2 in-place passes at B = 14, 11.0 at 15, 10.1 at 16, 1 thread;
     * 7.8 / 6.5 / 6.1 with 2). Two runs cover every qubit while 2B >= n + 4. */
    o.cache_block_qubits = c->n_qubits - 8;
    if (o.cache_block_qubits < 14) o.cache_block_qubits = 14;
    if (o.cache_block_qubits > 16) o.cache_block_qubits = 16;
  }
  if (c->n_params > 0 && !theta)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit has %d parameters but no parameter vector was given", c->n_params);
  const int n = c->n_qubits, F = o.max_fused_qubits;
  vqe_fused *f = calloc(1, sizeof *f);
  if (!f) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit");
  f->n_qubits = n;
  f->B = o.cache_block_qubits;
  f->n_gates_in = c->n_gates;
  size_t cap = 4 * c->n_gates + 4;
  f->ops = calloc(cap, sizeof *f->ops);
  if (!f->ops) { vqe_fused_destroy(f); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit"); }

  /* 1. primitives → dense candidates or special ops, merged greedily. When the state is cache-blocked,
   * 1-qubit diagonals are kept apart from non-diagonal blocks (merge_diags collects them per run). */
  const int split_diag = f->B > 0 && n > f->B;
  for (size_t i = 0; i < c->n_gates; i++) {
    double v[3];
    circ_prim pr[4];
    int amap[4];
    circ_gate_values(&c->gates[i], theta, v);
    const int np = circ_prims(&c->gates[i], v, pr, amap);
    for (int j = 0; j < np; j++) {
      fop g;
      memset(&g, 0, sizeof g);
      g.mask = circ_prim_support(&pr[j]);
      const int k = __builtin_popcountll(g.mask);
      if (!circ_row_of(pr[j].kind)->fermionic && k <= F) {
        g.type = OP_DENSE;
        g.k = sv_mask_positions(g.mask, g.qs);
        g.m = malloc((size_t)(1 << (2 * k)) * sizeof *g.m);
        if (!g.m) { vqe_fused_destroy(f); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit"); }
        prim_matrix(&pr[j], g.k, g.qs, g.m);
        /* the last block g does not commute past */
        size_t b = f->n_ops;
        while (b > 0 && !(f->ops[b - 1].mask & g.mask)) b--;
        if (b > 0 && f->ops[b - 1].type == OP_DENSE && __builtin_popcountll(f->ops[b - 1].mask | g.mask) <= F &&
            (!split_diag || diag1(&g) == diag1(&f->ops[b - 1]))) {
          const int rc = merge_into(&f->ops[b - 1], &g);
          free(g.m);
          if (rc) { vqe_fused_destroy(f); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit"); }
          continue;
        }
      } else {
        g.type = OP_SPECIAL;
        g.prim = pr[j];
      }
      f->ops[f->n_ops++] = g;
    }
  }
  /* 2. diagonal blocks run as diagonals */
  for (size_t i = 0; i < f->n_ops; i++) {
    fop *op = &f->ops[i];
    if (op->type != OP_DENSE) continue;
    const int d = 1 << op->k;
    int diag = 1;
    for (int r = 0; r < d && diag; r++)
      for (int cc = 0; cc < d; cc++)
        if (r != cc && op->m[r * d + cc] != 0) { diag = 0; break; }
    if (diag) {
      for (int r = 0; r < d; r++) op->m[r] = op->m[r * d + r];
      op->type = OP_DIAG;
    }
  }
  /* 3. runs. Blocked mode schedules greedily with look-ahead: an op joins the current run when its
   * qubits fit in the cache block together with the run's and it commutes with every op skipped so
   * far (disjoint qubits), so e.g. a CNOT ladder's low half joins the run of the low rotations. */
  f->runs = calloc(f->n_ops + 1, sizeof *f->runs);
  if (!f->runs) { vqe_fused_destroy(f); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit"); }
  const int B = f->B;
  const int blocking = B > 0 && n > B;
  const uint64_t lowm = (UINT64_C(1) << LOW_FIXED) - 1, allm = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
  fop *sched = malloc((f->n_ops + 1) * sizeof *sched);
  char *done = calloc(f->n_ops + 1, 1);
  if (!sched || !done) {
    free(sched); free(done);
    vqe_fused_destroy(f);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit");
  }
  size_t ns = 0, first = 0;
  while (ns < f->n_ops) {
    while (done[first]) first++;
    frun *r = &f->runs[f->n_runs++];
    r->op0 = ns;
    uint64_t T = lowm | f->ops[first].mask;
    if (!blocking || __builtin_popcountll(T) > B) {
      sched[ns++] = f->ops[first];
      done[first] = 1;
      r->op1 = ns;
      continue;
    }
    uint64_t skipped = 0;
    for (size_t j = first; j < f->n_ops && (skipped & allm) != allm; j++) {
      if (done[j]) continue;
      const uint64_t m = f->ops[j].mask;
      if (!(m & skipped) && __builtin_popcountll(T | m) <= B) {
        T |= m;
        sched[ns++] = f->ops[j];
        done[j] = 1;
      } else {
        skipped |= m;
      }
    }
    r->op1 = ns;
    if (r->op1 - r->op0 > 1) {
      r->blocked = 1;
      r->low = circ_block_register(T, B, r->lq);
      int map[64];
      for (int t = 0; t < B; t++) map[r->lq[t]] = t;
      r->local = calloc(r->op1 - r->op0, sizeof *r->local);
      if (!r->local) {
        free(sched); free(done);
        vqe_fused_destroy(f);
        return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit");
      }
      for (size_t t = r->op0; t < r->op1; t++) {
        fop lo = sched[t];
        if (lo.type == OP_SPECIAL) { lo.prim = circ_prim_remap(&lo.prim, map); lo.lmask = circ_prim_support(&lo.prim); }
        else {
          lo.lmask = 0;
          for (int q = 0; q < lo.k; q++) { lo.qs[q] = map[lo.qs[q]]; lo.lmask |= UINT64_C(1) << lo.qs[q]; }   /* order kept: map is monotone */
        }
        r->local[t - r->op0] = lo;
      }
      r->nlocal = r->op1 - r->op0;
      const int nh = 1 << (B - r->low);
      r->hoff = malloc((size_t)nh * sizeof *r->hoff);
      if (r->hoff) circ_segment_offsets(r->lq, r->low, B, r->hoff);
      if (!r->hoff || merge_diags(r->local, &r->nlocal, B) || merge_rots(r->local, &r->nlocal) ||
          merge_perms(r->local, &r->nlocal, B) || finish_run(r)) {
        free(sched); free(done);
        vqe_fused_destroy(f);
        return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory fusing a circuit");
      }
    }
  }
  memcpy(f->ops, sched, f->n_ops * sizeof *sched);   /* same ops (matrices moved, not copied) */
  free(sched);
  free(done);
  *out = f;
  return VQE_OK;
}

/* Ops a cache block may apply sub-block by sub-block (L1): those on the lowest SUB_QUBITS local qubits,
 * and element-wise diagonals. */
static int sub_local(const fop *o)
{
  return o->type == OP_DIAGN || !(o->lmask >> SUB_QUBITS);
}

/* one op of a run on the amplitudes [l0, l0 + 2^nq) of a cache block (nq < B only for sub_local ops) */
static void local_apply(const fop *o, vqe_complex *blk, size_t l0, int nq)
{
  if (o->type == OP_DIAGN) diagn_apply(o, blk + l0, (size_t)1 << nq, l0);
  else fop_apply(o, blk + l0, nq, 0);
}

static void run_blocked(const vqe_fused *f, const frun *r, vqe_complex *a, vqe_complex **bufs, int par)
{
  const int n = f->n_qubits, B = f->B, low = r->low;
  const int64_t nout = (int64_t)1 << (n - B);
  const int nh = 1 << (B - low);
  const size_t dimb = (size_t)1 << B;
  const uint64_t *hoff = r->hoff;
#pragma omp parallel if (par)
  {
    const int me = par ? omp_get_thread_num() : 0;
    vqe_complex *b0 = bufs[2 * me], *b1 = bufs[2 * me + 1];
#pragma omp for schedule(static)
    for (int64_t oi = 0; oi < nout; oi++) {
      const uint64_t base = sv_insert0n((uint64_t)oi, r->lq, B);
      /* a block of contiguous amplitudes (local qubits 0..B−1) is worked on in place */
      vqe_complex *const home = nh == 1 ? a + base : b0;
      vqe_complex *buf = home, *spare = nh == 1 ? b0 : b1;
      int out = 0;   /* written back already */
      if (nh > 1)
        circ_gather(buf, a, base, hoff, nh, low);
      for (size_t t = 0; t < r->nlocal; t++) {
        const fop *o = &r->local[t];
        const int then_perm = t + 1 < r->nlocal && r->local[t + 1].type == OP_PERM;
        if (B > SUB_QUBITS && sub_local(o) && !(o->type == OP_DIAGN && then_perm)) {
          size_t e = t + 1;
          while (e < r->nlocal && sub_local(&r->local[e]) &&
                 !(r->local[e].type == OP_DIAGN && e + 1 < r->nlocal && r->local[e + 1].type == OP_PERM))
            e++;
          if (e - t > 1) {   /* several ops on low local qubits: L1 sub-block by sub-block */
            for (size_t sb = 0; sb < dimb; sb += (size_t)1 << SUB_QUBITS)
              for (size_t u = t; u < e; u++) local_apply(&r->local[u], buf, sb, SUB_QUBITS);
            t = e - 1;
            continue;
          }
        }
        if (o->type == OP_PERM || (o->type == OP_DIAGN && then_perm)) {
          /* a diagonal followed by a permutation: both in the permutation's pass; the last op of a
           * gathered run writes its chunks straight back to the state (no second copy) */
          seg_job g = { .dst = spare, .low = low };
          if (o->type == OP_DIAGN) { g.dtab = o->dtab; g.dsplit = o->dsplit; ++t; }
          g.T = r->local[t].ptab;
          if (nh > 1 && t + 1 == r->nlocal && r->perm_out) { g.dst = a + base; g.hoff = hoff; out = 1; }
          for (uint32_t l = 0; l < (uint32_t)dimb; l += 128) {
            g.th = g.T[128 + (l >> 7 & 127)] ^ g.T[256 + (l >> 14)];
            if (g.dtab) g.h = diagn_high(g.dtab, l);
            seg_apply(&g, buf + l);
          }
          vqe_complex *x = buf; buf = spare; spare = x;
        } else {
          local_apply(o, buf, 0, B);
        }
      }
      if (out) continue;
      if (nh > 1)
        circ_scatter(a, buf, base, hoff, nh, low);
      else if (buf != home)
        memcpy(home, buf, dimb * sizeof *a);
    }
  }
}

vqe_status vqe_fused_apply(const vqe_fused *f, vqe_statevec *s, vqe_error *err)
{
  if (!s || !s->amp || s->n_qubits != f->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "fused circuit of %d qubits run on a state of %d qubits",
                         f->n_qubits, s ? s->n_qubits : 0);
  const int n = f->n_qubits, par = SV_PAR(n);
  vqe_complex **bufs = NULL;
  int nb = 0;
  for (size_t r = 0; r < f->n_runs; r++) {
    const frun *run = &f->runs[r];
    if (!run->blocked) {
      for (size_t t = run->op0; t < run->op1; t++) fop_apply(&f->ops[t], s->amp, n, par);
      continue;
    }
    if (!bufs) {
      nb = 2 * (par ? omp_get_max_threads() : 1);   /* two per thread: permutations go out of place */
      bufs = calloc((size_t)nb, sizeof *bufs);
      for (int t = 0; bufs && t < nb; t++)
        if (!(bufs[t] = vqe_aligned_alloc((size_t)1 << f->B, sizeof(vqe_complex)))) {
          for (int u = 0; u < t; u++) vqe_free(bufs[u]);
          free(bufs);
          bufs = NULL;
        }
      if (!bufs) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for cache-block buffers");
    }
    run_blocked(f, run, s->amp, bufs, par);
  }
  if (bufs) {
    for (int t = 0; t < nb; t++) vqe_free(bufs[t]);
    free(bufs);
  }
  return VQE_OK;
}

void vqe_fused_get_stats(const vqe_fused *f, vqe_fused_stats *st)
{
  st->n_gates_in = f->n_gates_in;
  st->n_ops = f->n_ops;
  st->n_passes = 0;
  for (size_t r = 0; r < f->n_runs; r++)
    st->n_passes += f->runs[r].blocked ? 1 : f->runs[r].op1 - f->runs[r].op0;
}

vqe_status vqe_circuit_apply_fused(const vqe_circuit *c, const double *theta, const vqe_fuse_options *opt,
                                   vqe_statevec *s, vqe_error *err)
{
  if (!s || !s->amp || s->n_qubits != c->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit of %d qubits run on a state of %d qubits",
                         c->n_qubits, s ? s->n_qubits : 0);
  vqe_fused *f;
  vqe_status st = vqe_circuit_fuse(c, theta, opt, &f, err);
  if (st) return st;
  st = vqe_fused_apply(f, s, err);
  vqe_fused_destroy(f);
  return st;
}
