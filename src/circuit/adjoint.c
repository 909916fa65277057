/* adjoint.c — the adjoint method's backward walk, cache block by cache block (circuit.h).
 *
 * The adjoint gradient (Jones & Gacon, arXiv:2009.02823) walks two states back through the circuit:
 * φ_i = U_i⋯U_1|ψ0⟩ and λ_i = U_{i+1}^†⋯U_N^† H|ψ_N⟩; gate i contributes 2 Im⟨λ_i|G̃|φ_i⟩ per bound
 * angle and then both states step back through U_i^†. Gate by gate that is about four passes over the
 * state per gate (the cross product reads both states, each inverse reads and writes one): at 24 qubits
 * a four-layer hardware-efficient circuit made ~1100 passes per gradient. Here a run of gates whose
 * qubits fit one cache block of 2^B amplitudes is walked block by block: the block's amplitudes of φ
 * and λ are gathered (the run's qubits and the lowest ones, as the fused forward pass does, fuse.c),
 * every gate of the run contributes and steps back on the block, and both are scattered back: two
 * passes over each state per run instead of four per gate. The run is scheduled as the forward pass's:
 * from the top gate down, a gate joins when it fits and shares no qubit with the gates passed over, so
 * it commutes with them (its generator too) and the states it sees are the ones gate by gate would
 * give it. A cross product Im⟨λ|G̃|φ⟩ with G̃ acting on the block's qubits is the sum of its values on
 * the blocks; the per-block values are kept and added in block order, so the gradient does not depend
 * on the thread count. HEA L = 4, 24 qubits, 1 thread: the walk ~15 s -> ~3 s. */
#include "circuit/circ_internal.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#if VQE_TEST_BUILD
#define ADJ_BLOCK_QUBITS 6   /* tests (n = 8..12) walk several blocks, and wide gates fall back */
#else
#define ADJ_BLOCK_QUBITS 14  /* φ and λ blocks of 256 KiB each (and a third for generic generators), in L2;
                              * HEA L = 4 at n = 24: 13 / 14 / 15 / 16 gave 4.7 / 4.2 / 4.3 / 4.3 s */
#endif
#define ADJ_LOW 3            /* the lowest qubits always local: contiguous copies of >= 8 amplitudes */

typedef struct {
  int nf;
  circ_prim f[4];            /* the gate's primitives on local qubits */
  int amap[4];
  int step;                  /* RX/RY/RZ with a bound angle: X/Y/Z = 0/1/2, cross product and inverse in one
                              * pass on local qubit f[0].q[0] (rot_step); else −1 */
} adj_gate;

typedef struct {
  size_t g;                  /* index into the run's gates (in walk order, 0 = the top gate) */
  int prim;                  /* the primitive that carries the angle */
  int param;
  double coeff;
} adj_term;

static int adj_disabled(void)
{
  const char *s = getenv("VQE_NO_BLOCKED_ADJOINT");
  return s && *s && strcmp(s, "0");
}

/* A rotation gate's whole step on a block in one pass over its pairs: returns Im⟨λ|P_q|φ⟩ (P = X, Y, Z
 * for kind 0, 1, 2; pairs (b0, b1 = b0 + 2^q), as the evaluator's im_pauli1_cross), then applies R_P(angle)^† = exp(+i·angle·P/2)
 * to both λ and φ. Gate by gate that is three passes (the cross product and two inverses). */
#if defined(__x86_64__) && defined(__GNUC__)
static double rot_step_avx2(vqe_complex *lam, vqe_complex *phi, int nq, int q, int kind, double angle);
#endif
static double rot_step(vqe_complex *lam, vqe_complex *phi, int nq, int q, int kind, double angle)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (q >= 1 && sv_have_avx2()) return rot_step_avx2(lam, phi, nq, q, kind, angle);
#endif
  const double c = cos(0.5 * angle), s = sin(0.5 * angle);
  double *const L = (double *)lam, *const F = (double *)phi;
  const uint64_t m = UINT64_C(1) << q, nrun = UINT64_C(1) << (nq - 1 - q);
  double acc = 0;
  for (uint64_t h = 0; h < nrun; h++) {
    double *const L0 = L + 2 * (h << (q + 1)), *const L1 = L0 + 2 * m;
    double *const F0 = F + 2 * (h << (q + 1)), *const F1 = F0 + 2 * m;
    if (kind == 2) {         /* RZ^† = diag(c + is, c − is) */
      for (uint64_t j = 0; j < m; j++) {
        const double l0r = L0[2 * j], l0i = L0[2 * j + 1], l1r = L1[2 * j], l1i = L1[2 * j + 1];
        const double f0r = F0[2 * j], f0i = F0[2 * j + 1], f1r = F1[2 * j], f1i = F1[2 * j + 1];
        acc += (l0r * f0i - l0i * f0r) - (l1r * f1i - l1i * f1r);
        L0[2 * j] = c * l0r - s * l0i; L0[2 * j + 1] = s * l0r + c * l0i;
        L1[2 * j] = c * l1r + s * l1i; L1[2 * j + 1] = c * l1i - s * l1r;
        F0[2 * j] = c * f0r - s * f0i; F0[2 * j + 1] = s * f0r + c * f0i;
        F1[2 * j] = c * f1r + s * f1i; F1[2 * j + 1] = c * f1i - s * f1r;
      }
    } else if (kind == 1) {  /* RY^† = [[c, s], [−s, c]] */
      for (uint64_t j = 0; j < m; j++) {
        const double l0r = L0[2 * j], l0i = L0[2 * j + 1], l1r = L1[2 * j], l1i = L1[2 * j + 1];
        const double f0r = F0[2 * j], f0i = F0[2 * j + 1], f1r = F1[2 * j], f1i = F1[2 * j + 1];
        acc += (l1r * f0r + l1i * f0i) - (l0r * f1r + l0i * f1i);
        L0[2 * j] = c * l0r + s * l1r; L0[2 * j + 1] = c * l0i + s * l1i;
        L1[2 * j] = c * l1r - s * l0r; L1[2 * j + 1] = c * l1i - s * l0i;
        F0[2 * j] = c * f0r + s * f1r; F0[2 * j + 1] = c * f0i + s * f1i;
        F1[2 * j] = c * f1r - s * f0r; F1[2 * j + 1] = c * f1i - s * f0i;
      }
    } else {                 /* RX^† = [[c, is], [is, c]] */
      for (uint64_t j = 0; j < m; j++) {
        const double l0r = L0[2 * j], l0i = L0[2 * j + 1], l1r = L1[2 * j], l1i = L1[2 * j + 1];
        const double f0r = F0[2 * j], f0i = F0[2 * j + 1], f1r = F1[2 * j], f1i = F1[2 * j + 1];
        acc += (l0r * f1i - l0i * f1r) + (l1r * f0i - l1i * f0r);
        L0[2 * j] = c * l0r - s * l1i; L0[2 * j + 1] = c * l0i + s * l1r;
        L1[2 * j] = c * l1r - s * l0i; L1[2 * j + 1] = c * l1i + s * l0r;
        F0[2 * j] = c * f0r - s * f1i; F0[2 * j + 1] = c * f0i + s * f1r;
        F1[2 * j] = c * f1r - s * f0i; F1[2 * j + 1] = c * f1i + s * f0r;
      }
    }
  }
  return acc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* rot_step with two amplitudes per register (q >= 1: each run of pairs has an even length). The cross
 * product is accumulated per lane and reduced at the end (Z, X: lanes lr·fi − li·fr; Y: lr·fr + li·fi). */
__attribute__((target("avx2,fma")))
static double rot_step_avx2(vqe_complex *lam, vqe_complex *phi, int nq, int q, int kind, double angle)
{
  const double c = cos(0.5 * angle), s = sin(0.5 * angle);
  double *const L = (double *)lam, *const F = (double *)phi;
  const uint64_t m = UINT64_C(1) << q, nrun = UINT64_C(1) << (nq - 1 - q);
  const __m256d C = _mm256_set1_pd(c), S = _mm256_set1_pd(s);
  const __m256d SA = _mm256_setr_pd(-s, s, -s, s), SB = _mm256_setr_pd(s, -s, s, -s);
  __m256d acc = _mm256_setzero_pd();
  for (uint64_t h = 0; h < nrun; h++) {
    double *const L0 = L + 2 * (h << (q + 1)), *const L1 = L0 + 2 * m;
    double *const F0 = F + 2 * (h << (q + 1)), *const F1 = F0 + 2 * m;
    for (uint64_t j = 0; j < 2 * m; j += 4) {
      const __m256d l0 = _mm256_loadu_pd(L0 + j), l1 = _mm256_loadu_pd(L1 + j);
      const __m256d f0 = _mm256_loadu_pd(F0 + j), f1 = _mm256_loadu_pd(F1 + j);
      const __m256d l0s = _mm256_permute_pd(l0, 5), l1s = _mm256_permute_pd(l1, 5);
      const __m256d f0s = _mm256_permute_pd(f0, 5), f1s = _mm256_permute_pd(f1, 5);
      if (kind == 2) {
        acc = _mm256_add_pd(acc, _mm256_fmsub_pd(l0, f0s, _mm256_mul_pd(l1, f1s)));
        _mm256_storeu_pd(L0 + j, _mm256_fmadd_pd(l0, C, _mm256_mul_pd(l0s, SA)));
        _mm256_storeu_pd(L1 + j, _mm256_fmadd_pd(l1, C, _mm256_mul_pd(l1s, SB)));
        _mm256_storeu_pd(F0 + j, _mm256_fmadd_pd(f0, C, _mm256_mul_pd(f0s, SA)));
        _mm256_storeu_pd(F1 + j, _mm256_fmadd_pd(f1, C, _mm256_mul_pd(f1s, SB)));
      } else if (kind == 1) {
        acc = _mm256_add_pd(acc, _mm256_fmsub_pd(l1, f0, _mm256_mul_pd(l0, f1)));
        _mm256_storeu_pd(L0 + j, _mm256_fmadd_pd(l0, C, _mm256_mul_pd(l1, S)));
        _mm256_storeu_pd(L1 + j, _mm256_fmsub_pd(l1, C, _mm256_mul_pd(l0, S)));
        _mm256_storeu_pd(F0 + j, _mm256_fmadd_pd(f0, C, _mm256_mul_pd(f1, S)));
        _mm256_storeu_pd(F1 + j, _mm256_fmsub_pd(f1, C, _mm256_mul_pd(f0, S)));
      } else {
        acc = _mm256_add_pd(acc, _mm256_fmadd_pd(l0, f1s, _mm256_mul_pd(l1, f0s)));
        _mm256_storeu_pd(L0 + j, _mm256_fmadd_pd(l0, C, _mm256_mul_pd(l1s, SA)));
        _mm256_storeu_pd(L1 + j, _mm256_fmadd_pd(l1, C, _mm256_mul_pd(l0s, SA)));
        _mm256_storeu_pd(F0 + j, _mm256_fmadd_pd(f0, C, _mm256_mul_pd(f1s, SA)));
        _mm256_storeu_pd(F1 + j, _mm256_fmadd_pd(f1, C, _mm256_mul_pd(f0s, SA)));
      }
    }
  }
  double v[4];
  _mm256_storeu_pd(v, acc);
  return kind == 1 ? (v[0] + v[1]) + (v[2] + v[3]) : (v[0] - v[1]) + (v[2] - v[3]);
}
#endif

/* A fermionic excitation's derivative on a block, as the evaluator's fermi_cross: 2 Σ_pairs σ
 * Re(conj(λ[b'])φ[b] − conj(λ[b])φ[b']) over the states b the excitation moves (the block holds the
 * excitation's whole range, so the Jordan–Wigner signs are the global ones). */
static double fermi_block(const vqe_complex *lam, const vqe_complex *phi, int nq, const circ_prim *p)
{
  int ops[4];
  uint64_t occ, emp;
  const int n_ops = circ_fermi_ops(p->kind, p->q, ops, &occ, &emp);
  const uint64_t sel = occ | emp;
  return 2.0 * circ_fermi_cross_range(lam, phi, n_ops, ops, occ, sel, 0, UINT64_C(1) << (nq - __builtin_popcountll(sel)), -1);
}

/* Im⟨λ|μ⟩ on a block. */
static double im_inner_block(const vqe_complex *lam, const vqe_complex *mu, uint64_t dim)
{
  const double *L = (const double *)lam, *M = (const double *)mu;
  double acc = 0;
  for (uint64_t b = 0; b < dim; b++) acc += L[2 * b] * M[2 * b + 1] - L[2 * b + 1] * M[2 * b];
  return acc;
}

vqe_status vqe_circuit_adjoint_run(const vqe_circuit *c, const double *theta, size_t top, size_t stop,
                                   unsigned char *done, vqe_statevec *phi, vqe_statevec *lam, double *grad,
                                   size_t *walked, vqe_error *err)
{
  *walked = 0;
  const int n = c->n_qubits, B = ADJ_BLOCK_QUBITS;
  if (!phi || !lam || !phi->amp || !lam->amp || phi->n_qubits != n || lam->n_qubits != n)
    return vqe_error_set(err, VQE_ERR_INPUT, "adjoint walk: the states must have the circuit's %d qubits", n);
  if (top >= c->n_gates || stop > top || done[top])
    return vqe_error_set(err, VQE_ERR_INPUT, "adjoint walk: the top gate %zu is not one still to walk in [%zu, %zu)",
                         top, stop, c->n_gates);
  if (n < B + 2 || adj_disabled()) return VQE_OK;
  /* the run, in walk order: from gate top down, every gate not walked yet whose qubits fit the block with
   * the run's (and the lowest ADJ_LOW) and that commutes with the gates passed over (disjoint qubits), as
   * the fused forward pass schedules its runs (fuse.c); it may be walked before them */
  const uint64_t allm = n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
  uint64_t T = (UINT64_C(1) << ADJ_LOW) - 1, skipped = 0;
  size_t *idx = malloc((top - stop + 1) * sizeof *idx), ng = 0;
  if (!idx) return vqe_error_set(err, VQE_ERR_RESOURCE, "adjoint walk: out of memory");
  for (size_t j = top + 1; j-- > stop && (skipped & allm) != allm;) {
    if (done[j]) continue;
    const uint64_t m = circ_gate_support(&c->gates[j]);
    if (!(m & skipped) && __builtin_popcountll(T | m) <= B) {
      T |= m;
      idx[ng++] = j;
    } else {
      skipped |= m;
    }
  }
  if (ng < 2) { free(idx); return VQE_OK; }   /* a lone gate: the caller's gate-by-gate path costs about the same */
  int lq[64], map[64];
  const int low = circ_block_register(T, B, lq);
  for (int j = 0; j < B; j++) map[lq[j]] = j;
  const int nh = 1 << (B - low);
  const int64_t nb = (int64_t)1 << (n - B);
  const uint64_t dimb = UINT64_C(1) << B;

  vqe_status st = VQE_OK;
  adj_gate *lg = malloc(ng * sizeof *lg);
  adj_term *tm = malloc(3 * ng * sizeof *tm);
  uint64_t *hoff = malloc((size_t)nh * sizeof *hoff);
  if (!lg || !tm || !hoff) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "adjoint walk: out of memory"); goto out_early; }
  circ_segment_offsets(lq, low, B, hoff);
  size_t nt = 0;
  int generic = 0;
  for (size_t k = 0; k < ng; k++) {
    const vqe_gate *g = &c->gates[idx[k]];
    double v[3];
    circ_prim f[4];
    circ_gate_values(g, theta, v);
    lg[k].nf = circ_prims(g, v, f, lg[k].amap);
    for (int j = 0; j < lg[k].nf; j++) lg[k].f[j] = circ_prim_remap(&f[j], map);
    const int na = vqe_gate_info_of(g->kind)->n_angles;
    const int pauli = g->kind == VQE_GATE_RX ? 0 : g->kind == VQE_GATE_RY ? 1 : g->kind == VQE_GATE_RZ ? 2 : -1;
    const int fermi = g->kind == VQE_GATE_FERMI_SINGLE || g->kind == VQE_GATE_FERMI_DOUBLE;
    lg[k].step = -1;
    for (int a = 0; a < na; a++) {
      if (g->angle[a].param < 0 || g->angle[a].coeff == 0.0) continue;
      adj_term *t = &tm[nt++];
      t->g = k;
      t->param = g->angle[a].param;
      t->coeff = g->angle[a].coeff;
      t->prim = 0;
      while (t->prim < lg[k].nf && lg[k].amap[t->prim] != a) t->prim++;
      lg[k].step = pauli;
      generic |= pauli < 0 && !fermi;
    }
  }
  double *part = nt ? malloc(nt * (size_t)nb * sizeof *part) : NULL;
  if (nt && !part) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "adjoint walk: out of memory"); goto out_early; }

  const int par = SV_PAR(n);
  int fail = 0;
#pragma omp parallel if (par)
  {
    vqe_complex *pb = vqe_aligned_alloc(dimb, sizeof *pb), *lb = vqe_aligned_alloc(dimb, sizeof *lb);
    vqe_complex *mb = generic ? vqe_aligned_alloc(dimb, sizeof *mb) : NULL;
    vqe_error lerr;
    int bad = !pb || !lb || (generic && !mb);
    if (bad) {
#pragma omp atomic write
      fail = 1;
    }
#pragma omp for schedule(static)
    for (int64_t oi = 0; oi < nb; oi++) {
      if (bad) continue;
      const uint64_t base = sv_insert0n((uint64_t)oi, lq, B);
      circ_gather(pb, phi->amp, base, hoff, nh, low);
      circ_gather(lb, lam->amp, base, hoff, nh, low);
      size_t t = 0;
      for (size_t k = 0; k < ng && !bad; k++) {
        const adj_gate *G = &lg[k];
        if (G->step >= 0) {
          part[t * (size_t)nb + (size_t)oi] = rot_step(lb, pb, B, G->f[0].q[0], G->step, G->f[0].angle);
          t++;
          continue;
        }
        for (; t < nt && tm[t].g == k; t++) {
          const adj_term *u = &tm[t];
          const int j = u->prim;
          if (G->nf == 1 && (G->f[0].kind == VQE_GATE_FERMI_SINGLE || G->f[0].kind == VQE_GATE_FERMI_DOUBLE)) {
            part[t * (size_t)nb + (size_t)oi] = fermi_block(lb, pb, B, &G->f[0]);
            continue;
          }
          /* μ = G̃ φ with G̃ = F_m⋯F_{j+1} G_j (F_m⋯F_{j+1})^† (vqe_circuit_apply_generator) */
          memcpy(mb, pb, dimb * sizeof *mb);
          for (int r = G->nf - 1; r > j; r--) circ_prim_apply_inverse(&G->f[r], mb, B, 0);
          if (circ_row_of(G->f[j].kind)->generator(&G->f[j], mb, B, 0, &lerr)) {
            bad = 1;
#pragma omp atomic write
            fail = 2;
            break;
          }
          for (int r = j + 1; r < G->nf; r++) circ_prim_apply(&G->f[r], mb, B, 0);
          part[t * (size_t)nb + (size_t)oi] = 2.0 * im_inner_block(lb, mb, dimb);
        }
        for (int r = G->nf - 1; r >= 0; r--) {
          circ_prim_apply_inverse(&G->f[r], pb, B, 0);
          circ_prim_apply_inverse(&G->f[r], lb, B, 0);
        }
      }
      circ_scatter(phi->amp, pb, base, hoff, nh, low);
      circ_scatter(lam->amp, lb, base, hoff, nh, low);
    }
    vqe_free(pb);
    vqe_free(lb);
    vqe_free(mb);
  }
  if (fail) {
    /* the states are partly walked: the gradient of this call is lost, and so are they */
    st = vqe_error_set(err, VQE_ERR_RESOURCE, fail == 1 ? "adjoint walk: out of memory for cache blocks"
                                                       : "adjoint walk: a generator failed (out of memory)");
  } else {
    for (size_t t = 0; t < nt; t++) {
      double s = 0;
      for (int64_t oi = 0; oi < nb; oi++) s += part[t * (size_t)nb + (size_t)oi];
      grad[tm[t].param] += tm[t].coeff * s;
    }
    for (size_t k = 0; k < ng; k++) done[idx[k]] = 1;
    *walked = ng;
  }
  free(part);
out_early:
  free(idx);
  free(lg);
  free(tm);
  free(hoff);
  return st;
}
