/* test_pauli.c — pauli.h (Pauli sums: add, simplify, x groups, norms) and the dense real action
 * vqe_pauli_sum_apply_real of hamiltonian.h against explicit Kronecker-product matrices on every qubit
 * position. */
#include "testutil.h"
#include <complex.h>
#include <stdlib.h>
#include <string.h>

static void test_add_simplify(void)
{
  vqe_pauli_sum s;
  vqe_error err = {0};
  vqe_pauli_sum_init(&s, 3);
  /* 200 adds force growth; duplicates merge; a pair cancels below the cutoff */
  for (int k = 0; k < 100; k++) CU_ASSERT_EQUAL(vqe_pauli_sum_add(&s, 1, 0, 0.01, &err), VQE_OK);
  for (int k = 0; k < 100; k++) CU_ASSERT_EQUAL(vqe_pauli_sum_add(&s, 0, 2, -0.02, &err), VQE_OK);
  vqe_pauli_sum_add(&s, 6, 6, 0.5, &err);
  vqe_pauli_sum_add(&s, 6, 6, -0.5 + 1e-14, &err);
  vqe_pauli_sum_add(&s, 0, 0, 1.25, &err);
  vqe_pauli_sum_simplify(&s, 1e-12);
  CU_ASSERT_EQUAL(s.n_terms, 3);
  /* sorted by (x, z) */
  CU_ASSERT(s.terms[0].x == 0 && s.terms[0].z == 0);
  CU_ASSERT(s.terms[1].x == 0 && s.terms[1].z == 2);
  CU_ASSERT(s.terms[2].x == 1 && s.terms[2].z == 0);
  TU_ASSERT_CLOSE(s.terms[1].coeff, -2.0, 1e-12);
  TU_ASSERT_CLOSE(s.terms[2].coeff, 1.0, 1e-12);
  CU_ASSERT_EQUAL(vqe_pauli_sum_n_xgroups(&s), 2);
  TU_ASSERT_CLOSE(vqe_pauli_sum_one_norm(&s), 4.25, 1e-12);
  TU_ASSERT_CLOSE(vqe_pauli_sum_identity(&s), 1.25, 0);
  vqe_pauli_sum_free(&s);
  vqe_pauli_sum_free(&s);   /* idempotent */
  CU_ASSERT_EQUAL(s.n_terms, 0);
}

/* Dense complex matrix of P(x, z) on n qubits, qubit q = bit q: ⊗ over q of I, X, Y, Z. */
static void dense_pauli(int n, uint64_t x, uint64_t z, double complex *M)
{
  size_t d = (size_t)1 << n;
  for (size_t r = 0; r < d; r++)
    for (size_t c = 0; c < d; c++) {
      double complex v = 1;
      for (int q = 0; q < n && v != 0; q++) {
        int br = (int)(r >> q & 1), bc = (int)(c >> q & 1), bx = (int)(x >> q & 1), bz = (int)(z >> q & 1);
        double complex e;
        if (!bx && !bz) e = br == bc;
        else if (bx && !bz) e = br != bc;
        else if (!bx && bz) e = br == bc ? (bc ? -1 : 1) : 0;
        else e = br != bc ? (bc ? -I : I) : 0;   /* Y = [[0, −i], [i, 0]]: ⟨1|Y|0⟩ = i */
        v *= e;
      }
      M[r * d + c] = v;
    }
}

static void test_apply_against_dense(void)
{
  const int n = 3;
  const size_t d = 8;
  double psi[8], out[8];
  double complex M[64];
  vqe_rng g;
  vqe_rng_seed(&g, 5);
  for (size_t i = 0; i < d; i++) psi[i] = vqe_rng_normal(&g);
  /* every Pauli string on 3 qubits with an even number of Y factors, alone */
  int checked = 0;
  for (uint64_t x = 0; x < 8; x++)
    for (uint64_t z = 0; z < 8; z++) {
      vqe_pauli_sum s;
      vqe_error err = {0};
      vqe_pauli_sum_init(&s, n);
      vqe_pauli_sum_add(&s, x, z, 0.7, &err);
      vqe_status st = vqe_pauli_sum_apply_real(&s, psi, out, &err);
      if (__builtin_popcountll(x & z) & 1) {
        CU_ASSERT_EQUAL(st, VQE_ERR_INPUT);
        TU_ASSERT_CONTAINS(err.msg, "odd number of Y");
        vqe_pauli_sum_free(&s);
        continue;
      }
      CU_ASSERT_EQUAL(st, VQE_OK);
      dense_pauli(n, x, z, M);
      for (size_t r = 0; r < d; r++) {
        double complex v = 0;
        for (size_t c = 0; c < d; c++) v += M[r * d + c] * psi[c];
        TU_ASSERT_CLOSE(creal(0.7 * v), out[r], 1e-14);
        TU_ASSERT_CLOSE(cimag(v), 0.0, 1e-14);
      }
      checked++;
      vqe_pauli_sum_free(&s);
    }
  CU_ASSERT_EQUAL(checked, 36);   /* 64 strings: (4^3 + 2^3)/2 = 36 with an even Y count */
  /* expectation of a sum: ⟨ψ|(2 Z0Z2 − X1 + Y0Y1)|ψ⟩ */
  vqe_pauli_sum s;
  vqe_error err = {0};
  vqe_pauli_sum_init(&s, n);
  vqe_pauli_sum_add(&s, 0, 5, 2.0, &err);
  vqe_pauli_sum_add(&s, 2, 0, -1.0, &err);
  vqe_pauli_sum_add(&s, 3, 3, 1.0, &err);
  double complex A[64] = {0}, B[64];
  double coef[3] = { 2.0, -1.0, 1.0 };
  uint64_t xs[3] = { 0, 2, 3 }, zs[3] = { 5, 0, 3 };
  for (int t = 0; t < 3; t++) {
    dense_pauli(n, xs[t], zs[t], B);
    for (int k = 0; k < 64; k++) A[k] += coef[t] * B[k];
  }
  double nrm = 0, e = 0;
  for (size_t i = 0; i < d; i++) nrm += psi[i] * psi[i];
  for (size_t r = 0; r < d; r++)
    for (size_t c = 0; c < d; c++) e += psi[r] * creal(A[r * d + c]) * psi[c];
  TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&s, psi), e, 1e-12);
  (void)nrm;
  vqe_pauli_sum_free(&s);
}

int main(void)
{
  const tu_test tests[] = {
    { "add, merge, cutoff, order, x groups, norms", test_add_simplify },
    { "real action = explicit Kronecker matrices, every string", test_apply_against_dense },
    { NULL, NULL },
  };
  return tu_run_suite("pauli", tests);
}
