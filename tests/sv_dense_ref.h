/* sv_dense_ref.h — a tiny dense reference simulator for test_statevec.c and test_circuit.c: explicit
 * 2^n×2^n matrices built from Kronecker products of 2×2 factors (qubit q = bit q, so the leftmost
 * factor is qubit n−1), Jordan–Wigner a†/a matrices, a matrix exponential (scaling and squaring), and
 * the reference matrix of every gate in circuit.h built from its definition — independent of the
 * engine's kernels. Header-only (static functions) so each suite stays one executable. */
#ifndef VQE_SV_DENSE_REF_H
#define VQE_SV_DENSE_REF_H

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "vqe/circuit.h"

typedef double complex cplx;
#define RF_I CMPLX(0.0, 1.0)
#define RF_FN static __attribute__((unused))

RF_FN cplx *rf_new(int d) { return calloc((size_t)d * (size_t)d, sizeof(cplx)); }

RF_FN void rf_eye(int d, cplx *m)
{
  memset(m, 0, (size_t)d * d * sizeof *m);
  for (int i = 0; i < d; i++) m[i * d + i] = 1;
}

/* C = A·B (C distinct from A, B) */
RF_FN void rf_mul(int d, const cplx *A, const cplx *B, cplx *C)
{
  /* i-k-j order skipping zeros of A: the Kronecker-built operators are sparse */
  memset(C, 0, (size_t)d * d * sizeof *C);
  for (int i = 0; i < d; i++)
    for (int k = 0; k < d; k++) {
      const cplx a = A[i * d + k];
      if (a == 0) continue;
      for (int j = 0; j < d; j++) C[i * d + j] += a * B[k * d + j];
    }
}

/* A ← A·B in place */
RF_FN void rf_mul_into(int d, cplx *A, const cplx *B)
{
  cplx *t = rf_new(d);
  rf_mul(d, A, B, t);
  memcpy(A, t, (size_t)d * d * sizeof *t);
  free(t);
}

RF_FN void rf_axpy(int d, cplx a, const cplx *X, cplx *Y)
{
  for (int i = 0; i < d * d; i++) Y[i] += a * X[i];
}

RF_FN void rf_adjoint(int d, const cplx *A, cplx *B)
{
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) B[j * d + i] = conj(A[i * d + j]);
}

/* Full matrix of ⊗ factors: f[q] is the 2×2 on qubit q (NULL = identity). */
RF_FN void rf_kron_chain(int n, const cplx *const *f, cplx *out)
{
  static const cplx id[4] = { 1, 0, 0, 1 };
  int d = 1;
  cplx *cur = rf_new(1 << n), *nxt = rf_new(1 << n);
  cur[0] = 1;
  for (int q = n - 1; q >= 0; q--) {       /* leftmost factor = most significant qubit */
    const cplx *m = f[q] ? f[q] : id;
    const int nd = 2 * d;
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++)
        for (int a = 0; a < 2; a++)
          for (int b = 0; b < 2; b++) nxt[(2 * i + a) * nd + 2 * j + b] = cur[i * d + j] * m[a * 2 + b];
    cplx *t = cur; cur = nxt; nxt = t;
    d = nd;
  }
  memcpy(out, cur, (size_t)d * d * sizeof *cur);
  free(cur);
  free(nxt);
}

static const cplx RF_X[4] = { 0, 1, 1, 0 }, RF_Y[4] = { 0, -RF_I, RF_I, 0 }, RF_Z[4] = { 1, 0, 0, -1 };
static const cplx RF_P0[4] = { 1, 0, 0, 0 }, RF_P1[4] = { 0, 0, 0, 1 };
static const cplx RF_LOWER[4] = { 0, 1, 0, 0 }, RF_RAISE[4] = { 0, 0, 1, 0 };   /* |0⟩⟨1|, |1⟩⟨0| */

RF_FN void rf_op1(int n, int q, const cplx *m, cplx *out)
{
  const cplx *f[64] = { 0 };
  f[q] = m;
  rf_kron_chain(n, f, out);
}

/* P = ⊗ (I, X, Z, Y by the x/z bits) */
RF_FN void rf_pauli(int n, uint64_t x, uint64_t z, cplx *out)
{
  const cplx *f[64] = { 0 };
  for (int q = 0; q < n; q++) {
    const int bx = (int)(x >> q & 1), bz = (int)(z >> q & 1);
    f[q] = bx && bz ? RF_Y : bx ? RF_X : bz ? RF_Z : NULL;
  }
  rf_kron_chain(n, f, out);
}

/* a_j (annihilation, JW: Z on qubits below j, |0⟩⟨1| on j) or a†_j */
RF_FN void rf_fermion(int n, int j, int dagger, cplx *out)
{
  const cplx *f[64] = { 0 };
  for (int q = 0; q < j; q++) f[q] = RF_Z;
  f[j] = dagger ? RF_RAISE : RF_LOWER;
  rf_kron_chain(n, f, out);
}

/* product of operators (each a full matrix), left to right: out = A1 A2 … */
RF_FN void rf_prod(int d, int k, cplx *const *ops, cplx *out)
{
  rf_eye(d, out);
  for (int i = 0; i < k; i++) rf_mul_into(d, out, ops[i]);
}

/* exp(t·A) by scaling and squaring with a Taylor series */
RF_FN void rf_expm(int d, const cplx *A, cplx t, cplx *out)
{
  double nrm = 0;
  for (int i = 0; i < d; i++) {
    double r = 0;
    for (int j = 0; j < d; j++) r += cabs(A[i * d + j]);
    if (r > nrm) nrm = r;
  }
  nrm *= cabs(t);
  int s = 0;
  while (nrm > 0.25) { nrm *= 0.5; s++; }
  const cplx ts = t / (double)(1 << s);
  cplx *term = rf_new(d), *tmp = rf_new(d);
  rf_eye(d, out);
  rf_eye(d, term);
  for (int k = 1; k <= 24; k++) {
    rf_mul(d, term, A, tmp);
    for (int i = 0; i < d * d; i++) term[i] = tmp[i] * ts / (double)k;
    for (int i = 0; i < d * d; i++) out[i] += term[i];
  }
  for (int k = 0; k < s; k++) {
    rf_mul(d, out, out, tmp);
    memcpy(out, tmp, (size_t)d * d * sizeof *tmp);
  }
  free(term);
  free(tmp);
}

/* exp(t·A): the closed form I + sin t A + (1 − cos t) A² when A³ = −A (every single-generator gate
 * here: −iP for Pauli strings, the two-level excitation generators), else rf_expm. */
RF_FN void rf_exp(int d, const cplx *A, double t, cplx *out)
{
  cplx *A2 = rf_new(d), *A3 = rf_new(d);
  rf_mul(d, A, A, A2);
  rf_mul(d, A2, A, A3);
  double dev = 0;
  for (int i = 0; i < d * d; i++) dev = fmax(dev, cabs(A3[i] + A[i]));
  if (dev < 1e-13) {
    rf_eye(d, out);
    for (int i = 0; i < d * d; i++) out[i] += sin(t) * A[i] + (1 - cos(t)) * A2[i];
  } else {
    rf_expm(d, A, t, out);
  }
  free(A2);
  free(A3);
}

/* G = (operator) − (operator)† */
RF_FN void rf_antiherm(int d, const cplx *T, cplx *A)
{
  cplx *td = rf_new(d);
  rf_adjoint(d, T, td);
  for (int i = 0; i < d * d; i++) A[i] = T[i] - td[i];
  free(td);
}

/* a†_p a_q (full matrix) */
RF_FN void rf_hop(int n, int p, int q, cplx *out)
{
  const int d = 1 << n;
  cplx *ap = rf_new(d), *aq = rf_new(d);
  rf_fermion(n, p, 1, ap);
  rf_fermion(n, q, 0, aq);
  rf_mul(d, ap, aq, out);
  free(ap);
  free(aq);
}

/* exp(θ(a†_p a_q − a†_q a_p)) */
RF_FN void rf_fermi_single(int n, int p, int q, double th, cplx *out)
{
  const int d = 1 << n;
  cplx *T = rf_new(d), *A = rf_new(d);
  rf_hop(n, p, q, T);
  rf_antiherm(d, T, A);
  rf_exp(d, A, th, out);
  free(T);
  free(A);
}

/* a†_p a†_q a_r a_s − h.c. */
RF_FN void rf_double_gen(int n, int p, int q, int r, int s, cplx *A)
{
  const int d = 1 << n;
  cplx *o[4], *T = rf_new(d);
  for (int i = 0; i < 4; i++) o[i] = rf_new(d);
  rf_fermion(n, p, 1, o[0]);
  rf_fermion(n, q, 1, o[1]);
  rf_fermion(n, r, 0, o[2]);
  rf_fermion(n, s, 0, o[3]);
  rf_prod(d, 4, o, T);
  rf_antiherm(d, T, A);
  for (int i = 0; i < 4; i++) free(o[i]);
  free(T);
}

/* ½ Σ_σ (a†_{q0} a_{q2} − h.c.) + (a†_{q1} a_{q3} − h.c.) */
RF_FN void rf_orbital_gen(int n, const int *q, cplx *A)
{
  const int d = 1 << n;
  cplx *T = rf_new(d), *B = rf_new(d);
  memset(A, 0, (size_t)d * d * sizeof *A);
  rf_hop(n, q[0], q[2], T);
  rf_antiherm(d, T, B);
  rf_axpy(d, 0.5, B, A);
  rf_hop(n, q[1], q[3], T);
  rf_antiherm(d, T, B);
  rf_axpy(d, 0.5, B, A);
  free(T);
  free(B);
}

RF_FN void rf_scale(int d, cplx *A, cplx a)
{
  for (int i = 0; i < d * d; i++) A[i] *= a;
}

/* ORBITAL_ROT(φ) = exp(φ/2 (a†_{q0}a_{q2} − h.c.)) · exp(φ/2 (a†_{q1}a_{q3} − h.c.)): the two
 * spin parts commute (test_circuit checks this product against rf_expm of the summed generator). */
RF_FN void rf_orbital(int n, const int *q, double phi, cplx *out)
{
  const int d = 1 << n;
  cplx *A = rf_new(d), *B = rf_new(d);
  rf_fermi_single(n, q[0], q[2], 0.5 * phi, A);
  rf_fermi_single(n, q[1], q[3], 0.5 * phi, B);
  rf_mul(d, A, B, out);
  free(A);
  free(B);
}

/* SPIN_DOUBLE generator A = T − T†, T = E_ai E_bj = Σ_{στ} a†_{aσ} a_{iσ} a†_{bτ} a_{jτ}, with
 * q = α qubits of (a, b, j, i) and β = α + 1 (circuit.h) */
RF_FN void rf_spin_double_gen(int n, const int *q, cplx *A)
{
  const int d = 1 << n;
  cplx *o[4], *T = rf_new(d), *P = rf_new(d);
  for (int i = 0; i < 4; i++) o[i] = rf_new(d);
  for (int s = 0; s < 2; s++)
    for (int u = 0; u < 2; u++) {
      rf_fermion(n, q[0] + s, 1, o[0]);
      rf_fermion(n, q[3] + s, 0, o[1]);
      rf_fermion(n, q[1] + u, 1, o[2]);
      rf_fermion(n, q[2] + u, 0, o[3]);
      rf_prod(d, 4, o, P);
      rf_axpy(d, 1, P, T);
    }
  rf_antiherm(d, T, A);
  for (int i = 0; i < 4; i++) free(o[i]);
  free(T);
  free(P);
}

/* qubit "excitation" E = Π σ+ on `up` qubits · Π σ− on `down` qubits */
RF_FN void rf_qubit_exc(int n, int nu, const int *up, int nd, const int *down, cplx *E)
{
  const cplx *f[64] = { 0 };
  for (int i = 0; i < nu; i++) f[up[i]] = RF_RAISE;
  for (int i = 0; i < nd; i++) f[down[i]] = RF_LOWER;
  rf_kron_chain(n, f, E);
}

/* The reference matrix of a gate (angles v[]), from its definition in circuit.h. */
RF_FN void rf_gate(int n, const vqe_gate *g, const double *v, cplx *U)
{
  const int d = 1 << n;
  const int *q = g->q;
  cplx *A = rf_new(d), *B = rf_new(d), *C = rf_new(d);
  const double r2 = 1.0 / sqrt(2.0);
  cplx m[4];
  switch (g->kind) {
  case VQE_GATE_X: rf_op1(n, q[0], RF_X, U); break;
  case VQE_GATE_Y: rf_op1(n, q[0], RF_Y, U); break;
  case VQE_GATE_Z: rf_op1(n, q[0], RF_Z, U); break;
  case VQE_GATE_H: m[0] = r2; m[1] = r2; m[2] = r2; m[3] = -r2; rf_op1(n, q[0], m, U); break;
  case VQE_GATE_S: m[0] = 1; m[1] = 0; m[2] = 0; m[3] = RF_I; rf_op1(n, q[0], m, U); break;
  case VQE_GATE_SDG: m[0] = 1; m[1] = 0; m[2] = 0; m[3] = -RF_I; rf_op1(n, q[0], m, U); break;
  case VQE_GATE_T: m[0] = 1; m[1] = 0; m[2] = 0; m[3] = cexp(RF_I * M_PI / 4); rf_op1(n, q[0], m, U); break;
  case VQE_GATE_TDG: m[0] = 1; m[1] = 0; m[2] = 0; m[3] = cexp(-RF_I * M_PI / 4); rf_op1(n, q[0], m, U); break;
  case VQE_GATE_RX: rf_op1(n, q[0], RF_X, A); rf_scale(d, A, -RF_I); rf_exp(d, A, 0.5 * v[0], U); break;
  case VQE_GATE_RY: rf_op1(n, q[0], RF_Y, A); rf_scale(d, A, -RF_I); rf_exp(d, A, 0.5 * v[0], U); break;
  case VQE_GATE_RZ: rf_op1(n, q[0], RF_Z, A); rf_scale(d, A, -RF_I); rf_exp(d, A, 0.5 * v[0], U); break;
  case VQE_GATE_PHASE: m[0] = 1; m[1] = 0; m[2] = 0; m[3] = cexp(RF_I * v[0]); rf_op1(n, q[0], m, U); break;
  case VQE_GATE_U3: {
    const double c = cos(v[0] / 2), s = sin(v[0] / 2);
    m[0] = c; m[1] = -cexp(RF_I * v[2]) * s; m[2] = cexp(RF_I * v[1]) * s; m[3] = cexp(RF_I * (v[1] + v[2])) * c;
    rf_op1(n, q[0], m, U);
    break;
  }
  case VQE_GATE_CNOT: case VQE_GATE_CZ: case VQE_GATE_CRX: case VQE_GATE_CRY: case VQE_GATE_CRZ:
  case VQE_GATE_CPHASE: {
    /* |0⟩⟨0|_c ⊗ I + |1⟩⟨1|_c ⊗ W_t */
    if (g->kind == VQE_GATE_CNOT) rf_op1(n, q[1], RF_X, C);
    else if (g->kind == VQE_GATE_CZ) rf_op1(n, q[1], RF_Z, C);
    else if (g->kind == VQE_GATE_CPHASE) { m[0] = 1; m[1] = 0; m[2] = 0; m[3] = cexp(RF_I * v[0]); rf_op1(n, q[1], m, C); }
    else {
      rf_op1(n, q[1], g->kind == VQE_GATE_CRX ? RF_X : g->kind == VQE_GATE_CRY ? RF_Y : RF_Z, B);
      rf_scale(d, B, -RF_I);
      rf_exp(d, B, 0.5 * v[0], C);
    }
    rf_op1(n, q[0], RF_P1, A);
    rf_mul(d, A, C, U);
    rf_op1(n, q[0], RF_P0, A);
    rf_axpy(d, 1, A, U);
    break;
  }
  case VQE_GATE_SWAP: {
    /* ½(I + XX + YY + ZZ) */
    const uint64_t b = (UINT64_C(1) << q[0]) | (UINT64_C(1) << q[1]);
    rf_eye(d, U);
    rf_pauli(n, b, 0, A); rf_axpy(d, 1, A, U);
    rf_pauli(n, b, b, A); rf_axpy(d, 1, A, U);
    rf_pauli(n, 0, b, A); rf_axpy(d, 1, A, U);
    for (int i = 0; i < d * d; i++) U[i] *= 0.5;
    break;
  }
  case VQE_GATE_PAULI_ROT: rf_pauli(n, g->x, g->z, A); rf_scale(d, A, -RF_I); rf_exp(d, A, 0.5 * v[0], U); break;
  case VQE_GATE_SINGLE_EXC: {
    const int up = q[0], dn = q[1];
    rf_qubit_exc(n, 1, &up, 1, &dn, B);
    rf_antiherm(d, B, A);
    rf_exp(d, A, 0.5 * v[0], U);
    break;
  }
  case VQE_GATE_DOUBLE_EXC: case VQE_GATE_GATE_FABRIC_Q: {
    const int up[2] = { q[0], q[1] }, dn[2] = { q[2], q[3] };
    rf_qubit_exc(n, 2, up, 2, dn, B);
    rf_antiherm(d, B, A);
    rf_exp(d, A, 0.5 * v[0], U);
    if (g->kind == VQE_GATE_GATE_FABRIC_Q) {
      rf_orbital(n, q, v[1], C);
      rf_mul(d, C, U, B);
      memcpy(U, B, (size_t)d * d * sizeof *U);
    }
    break;
  }
  case VQE_GATE_FERMI_SINGLE: rf_fermi_single(n, q[0], q[1], v[0], U); break;
  case VQE_GATE_FERMI_DOUBLE: rf_double_gen(n, q[0], q[1], q[2], q[3], A); rf_exp(d, A, v[0], U); break;
  case VQE_GATE_ORBITAL_ROT: rf_orbital(n, q, v[0], U); break;
  case VQE_GATE_SPIN_DOUBLE: rf_spin_double_gen(n, q, A); rf_expm(d, A, v[0], U); break;
  default: rf_eye(d, U); break;
  }
  free(A);
  free(B);
  free(C);
}

RF_FN void rf_matvec(int d, const cplx *M, const cplx *x, cplx *y)
{
  for (int i = 0; i < d; i++) {
    cplx s = 0;
    for (int j = 0; j < d; j++) s += M[i * d + j] * x[j];
    y[i] = s;
  }
}

RF_FN double rf_maxdiff(size_t len, const cplx *a, const cplx *b)
{
  double m = 0;
  for (size_t i = 0; i < len; i++) {
    const double e = cabs(a[i] - b[i]);
    if (e > m) m = e;
  }
  return m;
}

/* Dense fermionic Hamiltonian from a†/a matrices (hamiltonian.h convention). */
RF_FN void rf_fermionic_h(const vqe_mo_hamiltonian *h, cplx *H)
{
  const int m = h->norb, n = 2 * m, d = 1 << n;
  cplx **ad = malloc((size_t)n * sizeof *ad), **an = malloc((size_t)n * sizeof *an);
  for (int j = 0; j < n; j++) {
    ad[j] = rf_new(d); an[j] = rf_new(d);
    rf_fermion(n, j, 1, ad[j]);
    rf_fermion(n, j, 0, an[j]);
  }
  cplx *T = rf_new(d), *T2 = rf_new(d);
  rf_eye(d, H);
  for (int i = 0; i < d * d; i++) H[i] *= h->e_core;
  for (int p = 0; p < m; p++)
    for (int q = 0; q < m; q++)
      for (int s = 0; s < 2; s++) {
        rf_mul(d, ad[2 * p + s], an[2 * q + s], T);
        rf_axpy(d, h->h[p * m + q], T, H);
      }
  for (int p = 0; p < m; p++)
    for (int q = 0; q < m; q++)
      for (int r = 0; r < m; r++)
        for (int s = 0; s < m; s++) {
          const double g = h->eri[((p * m + q) * m + r) * m + s];
          if (g == 0) continue;
          for (int si = 0; si < 2; si++)
            for (int ta = 0; ta < 2; ta++) {
              cplx *o[4] = { ad[2 * p + si], ad[2 * r + ta], an[2 * s + ta], an[2 * q + si] };
              rf_prod(d, 4, o, T);
              rf_axpy(d, 0.5 * g, T, H);
            }
        }
  (void)T2;
  free(T); free(T2);
  for (int j = 0; j < n; j++) { free(ad[j]); free(an[j]); }
  free(ad); free(an);
}

/* Pauli decomposition of a Hermitian dense H: c_P = Tr(P H)/2^n for every string, |c| > 1e-14. */
RF_FN void rf_pauli_decompose(int n, const cplx *H, vqe_pauli_sum *out)
{
  const int d = 1 << n;
  vqe_pauli_sum_init(out, n);
  for (uint64_t x = 0; x < (UINT64_C(1) << n); x++)
    for (uint64_t z = 0; z < (UINT64_C(1) << n); z++) {
      /* P = i^{|x∧z|} X^x Z^z: ⟨b⊕x|P|b⟩ = i^{|x∧z|}(−1)^{|b∧z|}; Tr(PH) = Σ_b ⟨b|P|b⊕x⟩⟨b⊕x|H|b⟩ */
      static const cplx ph[4] = { 1, RF_I, -1, -RF_I };
      cplx tr = 0;
      for (int b = 0; b < d; b++) {
        const uint64_t c = (uint64_t)b ^ x;   /* ⟨b|P|c⟩ with P|c⟩ = phase (−1)^{|c∧z|}|c⊕x⟩ = |b⟩ */
        const cplx pel = ph[__builtin_popcountll(x & z) & 3] * (__builtin_parityll(c & z) ? -1.0 : 1.0);
        tr += pel * H[c * (uint64_t)d + (uint64_t)b];
      }
      const double cr = creal(tr) / d;
      if (fabs(cr) > 1e-14) vqe_pauli_sum_add(out, x, z, cr, NULL);
    }
}

#endif
