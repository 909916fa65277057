/* kernels.c — the element kernels of the state-vector engine (sv_internal.h): every gate the circuit
 * layer runs ends up in one of these loops. Each loop enumerates the 2^(n−k) index groups a k-qubit
 * operation mixes by inserting zero bits at the operation's (sorted) qubit positions into a counter,
 * so every iteration is independent: the OpenMP split never changes the result. */
#include "statevec/sv_internal.h"
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

void sv_k_1q(vqe_complex *a, int n, int q, const vqe_complex m[4], int par)
{
  const int64_t half = (int64_t)1 << (n - 1);
  const uint64_t bit = UINT64_C(1) << q;
  const vqe_complex m00 = m[0], m01 = m[1], m10 = m[2], m11 = m[3];
  if (m01 == 0 && m10 == 0) {
    if (m00 == 1) {            /* PHASE, S, T, …: only the |1⟩ half changes */
#pragma omp parallel for schedule(static) if (par)
      for (int64_t i = 0; i < half; i++) {
        const uint64_t i1 = sv_insert0((uint64_t)i, q) | bit;
        a[i1] = sv_cmul(m11, a[i1]);
      }
      return;
    }
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < half; i++) {
      const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
      a[i0] = sv_cmul(m00, a[i0]);
      a[i1] = sv_cmul(m11, a[i1]);
    }
    return;
  }
  if (m00 == 0 && m11 == 0) {
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < half; i++) {
      const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
      const vqe_complex v0 = a[i0], v1 = a[i1];
      a[i0] = sv_cmul(m01, v1);
      a[i1] = sv_cmul(m10, v0);
    }
    return;
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < half; i++) {
    const uint64_t i0 = sv_insert0((uint64_t)i, q), i1 = i0 | bit;
    const vqe_complex v0 = a[i0], v1 = a[i1];
    a[i0] = sv_cmul(m00, v0) + sv_cmul(m01, v1);
    a[i1] = sv_cmul(m10, v0) + sv_cmul(m11, v1);
  }
}

void sv_k_c1q(vqe_complex *a, int n, uint64_t ctrl, int q, const vqe_complex m[4], int par)
{
  int pos[64];
  const uint64_t bit = UINT64_C(1) << q;
  const int k = sv_mask_positions(ctrl | bit, pos);
  const int64_t cnt = (int64_t)1 << (n - k);
  const vqe_complex m00 = m[0], m01 = m[1], m10 = m[2], m11 = m[3];
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t i0 = sv_insert0n((uint64_t)i, pos, k) | ctrl, i1 = i0 | bit;
    const vqe_complex v0 = a[i0], v1 = a[i1];
    a[i0] = sv_cmul(m00, v0) + sv_cmul(m01, v1);
    a[i1] = sv_cmul(m10, v0) + sv_cmul(m11, v1);
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
  if (k == 2) {
    const uint64_t o1 = off[1], o2 = off[2], o3 = off[3];
#pragma omp parallel for schedule(static) if (par)
    for (int64_t i = 0; i < cnt; i++) {
      const uint64_t b = sv_insert0n((uint64_t)i, sorted, 2);
      const vqe_complex v0 = a[b], v1 = a[b | o1], v2 = a[b | o2], v3 = a[b | o3];
      a[b]      = sv_cmul(m[0], v0) + sv_cmul(m[1], v1) + sv_cmul(m[2], v2) + sv_cmul(m[3], v3);
      a[b | o1] = sv_cmul(m[4], v0) + sv_cmul(m[5], v1) + sv_cmul(m[6], v2) + sv_cmul(m[7], v3);
      a[b | o2] = sv_cmul(m[8], v0) + sv_cmul(m[9], v1) + sv_cmul(m[10], v2) + sv_cmul(m[11], v3);
      a[b | o3] = sv_cmul(m[12], v0) + sv_cmul(m[13], v1) + sv_cmul(m[14], v2) + sv_cmul(m[15], v3);
    }
    return;
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    vqe_complex v[64];
    const uint64_t b = sv_insert0n((uint64_t)i, sorted, k);
    for (int l = 0; l < d; l++) v[l] = a[b | off[l]];
    for (int r = 0; r < d; r++) {
      const vqe_complex *row = m + (size_t)r * (size_t)d;
      vqe_complex acc = 0;
      for (int c = 0; c < d; c++) acc += sv_cmul(row[c], v[c]);
      a[b | off[r]] = acc;
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
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, sorted, k);
    for (int l = 0; l < d; l++)
      if (dg[l] != 1) a[b | off[l]] = sv_cmul(dg[l], a[b | off[l]]);
  }
}

void sv_k_cnot(vqe_complex *a, int n, int c, int t, int par)
{
  int pos[2] = { c < t ? c : t, c < t ? t : c };
  const uint64_t cb = UINT64_C(1) << c, tb = UINT64_C(1) << t;
  const int64_t cnt = (int64_t)1 << (n - 2);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, 2) | cb;
    const vqe_complex v = a[b];
    a[b] = a[b | tb];
    a[b | tb] = v;
  }
}

void sv_k_swap(vqe_complex *a, int n, int q0, int q1, int par)
{
  int pos[2] = { q0 < q1 ? q0 : q1, q0 < q1 ? q1 : q0 };
  const uint64_t b0 = UINT64_C(1) << q0, b1 = UINT64_C(1) << q1;
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
    const vqe_complex fp = alpha + bp, fm = alpha - bp;
#pragma omp parallel for schedule(static) if (par)
    for (int64_t b = 0; b < dim; b++)
      a[b] = sv_cmul(sv_parity((uint64_t)b & z) ? fm : fp, a[b]);
    return;
  }
  const int h = 63 - __builtin_clzll(x);
  const int64_t half = (int64_t)1 << (n - 1);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < half; i++) {
    const uint64_t b = sv_insert0((uint64_t)i, h), b2 = b ^ x;
    const vqe_complex v = a[b], w = a[b2];
    /* (P a)[b2] = phase·(−1)^{|b∧z|} a[b],  (P a)[b] = phase·(−1)^{|b2∧z|} a[b2] */
    const vqe_complex pv = sv_parity(b & z) ? -bp : bp, pw = sv_parity(b2 & z) ? -bp : bp;
    a[b2] = sv_cmul(alpha, w) + sv_cmul(pv, v);
    a[b] = sv_cmul(alpha, v) + sv_cmul(pw, w);
  }
}

void sv_k_pauli(vqe_complex *a, int n, uint64_t x, uint64_t z, int par)
{
  sv_k_pauli_comb(a, n, x, z, 0, 1, par);
}

void sv_k_pair_rot(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double c, double s, int par)
{
  int pos[64];
  const uint64_t flip = zero | one;
  const int k = sv_mask_positions(flip, pos);
  const int64_t cnt = (int64_t)1 << (n - k);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, k) | one, b2 = b ^ flip;
    const double ss = (sv_parity(b & smask) ? -sign0 : sign0) * s;
    const vqe_complex v = a[b], w = a[b2];
    a[b] = CMPLX(c * creal(v) - ss * creal(w), c * cimag(v) - ss * cimag(w));
    a[b2] = CMPLX(c * creal(w) + ss * creal(v), c * cimag(w) + ss * cimag(v));
  }
}

void sv_k_pair_gen(vqe_complex *a, int n, uint64_t zero, uint64_t one, uint64_t smask, int sign0,
                   double scale, int par)
{
  int pos[64];
  const uint64_t flip = zero | one;
  const int k = sv_mask_positions(flip, pos);
  const int64_t cnt = (int64_t)1 << (n - k), dim = (int64_t)1 << n;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < cnt; i++) {
    const uint64_t b = sv_insert0n((uint64_t)i, pos, k) | one, b2 = b ^ flip;
    const double ss = (sv_parity(b & smask) ? -sign0 : sign0) * scale;
    const vqe_complex v = a[b], w = a[b2];
    a[b] = CMPLX(ss * cimag(w), -ss * creal(w));     /* −i·ss·w */
    a[b2] = CMPLX(-ss * cimag(v), ss * creal(v));    /*  i·ss·v */
  }
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < dim; b++) {
    const uint64_t t = (uint64_t)b & flip;
    if (t != one && t != zero) a[b] = 0;
  }
}

void sv_k_scale(vqe_complex *a, uint64_t dim, vqe_complex alpha, int par)
{
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < (int64_t)dim; b++) a[b] = sv_cmul(alpha, a[b]);
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
