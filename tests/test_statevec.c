/* test_statevec.c — CUnit suite for statevec.h: the raw kernels on every qubit position against the
 * dense reference (sv_dense_ref.h), vector arithmetic, Pauli-sum ⟨H⟩ and H|ψ⟩ against dense
 * matrices, grouped = ungrouped = fermionic direct = dense (and = the project's Jordan–Wigner
 * builder, including H2O/STO-3G), sampling and shot estimates, the memory refusal, error paths, and
 * 1 vs 2 threads. */
#include "testutil.h"
#include "statevec/sv_internal.h"
#include "sv_dense_ref.h"
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-12

static void rstate(vqe_statevec *s, int n, vqe_rng *rng)
{
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(s, n, NULL), VQE_OK);
  vqe_statevec_set_random(s, rng);
}

static double diff_ref(const vqe_statevec *s, const cplx *r) { return rf_maxdiff(s->dim, (const cplx *)s->amp, r); }

/* y = M x for the state x (dense) */
static void ref_apply(int n, const cplx *M, const vqe_statevec *x, cplx *y) { rf_matvec(1 << n, M, (const cplx *)x->amp, y); }

static void random_2x2(vqe_rng *rng, vqe_complex *m, int k)
{
  for (int i = 0; i < (1 << (2 * k)); i++) m[i] = CMPLX(vqe_rng_normal(rng), vqe_rng_normal(rng));
}

/* Full matrix of a dense k-qubit block m on qubits qs (local bit j = qs[j]) from Kronecker products:
 * m = Σ_{rc} m_rc |r⟩⟨c|, and |r⟩⟨c| = ⊗_j |r_j⟩⟨c_j| on qs[j]. */
static void ref_dense(int n, int k, const int *qs, const vqe_complex *m, cplx *out)
{
  const int d = 1 << n, dk = 1 << k;
  cplx *T = rf_new(d);
  memset(out, 0, (size_t)d * d * sizeof *out);
  cplx e[4][4] = { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };   /* |a⟩⟨b| at index 2a+b */
  for (int r = 0; r < dk; r++)
    for (int c = 0; c < dk; c++) {
      if (m[r * dk + c] == 0) continue;
      const cplx *f[64] = { 0 };
      for (int j = 0; j < k; j++) f[qs[j]] = e[2 * (r >> j & 1) + (c >> j & 1)];
      rf_kron_chain(n, f, T);
      rf_axpy(d, m[r * dk + c], T, out);
    }
  free(T);
}

static void test_kernels_every_position(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 1);
  double worst = 0;
  vqe_error err;
  for (int n = 1; n <= 6; n++) {
    const int d = 1 << n;
    cplx *M = rf_new(d), *y = malloc((size_t)d * sizeof *y);
    vqe_statevec s, s0;
    rstate(&s0, n, &rng);
    vqe_statevec_init(&s, n, NULL);
#define CHECK(call) do { \
      vqe_statevec_copy(&s, &s0, NULL); \
      CU_ASSERT_EQUAL(call, VQE_OK); \
      ref_apply(n, M, &s0, y); \
      const double e_ = diff_ref(&s, y); \
      if (e_ > worst) worst = e_; \
      if (e_ > TOL) fprintf(stderr, "\n  %s n=%d: error %.2e\n", #call, n, e_); \
      CU_ASSERT(e_ <= TOL); } while (0)
    vqe_complex m[64 * 64];
    for (int q = 0; q < n; q++) {
      random_2x2(&rng, m, 1);
      ref_dense(n, 1, &q, m, M);
      CHECK(vqe_statevec_apply_1q(&s, q, m, &err));
      const vqe_complex dg[4] = { 1, 0, 0, CMPLX(0.3, 0.9) };   /* phase-type fast path */
      ref_dense(n, 1, &q, dg, M);
      CHECK(vqe_statevec_apply_1q(&s, q, dg, &err));
      const vqe_complex ad[4] = { 0, CMPLX(0.1, 2), CMPLX(-1, 0.5), 0 };
      ref_dense(n, 1, &q, ad, M);
      CHECK(vqe_statevec_apply_1q(&s, q, ad, &err));
      const vqe_complex dd[4] = { CMPLX(0.7, -0.2), 0, 0, CMPLX(0.3, 0.9) };
      ref_dense(n, 1, &q, dd, M);
      CHECK(vqe_statevec_apply_1q(&s, q, dd, &err));
      /* controlled on every other single qubit and on all others together */
      for (int c = 0; c < n; c++) {
        if (c == q) continue;
        const int qs[2] = { c, q };
        vqe_complex cm[16] = { 0 };
        for (int i = 0; i < 4; i++) cm[i * 4 + i] = 1;
        random_2x2(&rng, m, 1);
        /* local index = b_c + 2 b_q: control-set rows/cols are 1 and 3 */
        cm[1 * 4 + 1] = m[0]; cm[1 * 4 + 3] = m[1]; cm[3 * 4 + 1] = m[2]; cm[3 * 4 + 3] = m[3];
        ref_dense(n, 2, qs, cm, M);
        CHECK(vqe_statevec_apply_controlled_1q(&s, UINT64_C(1) << c, q, m, &err));
        random_2x2(&rng, cm, 2);
        ref_dense(n, 2, qs, cm, M);
        CHECK(vqe_statevec_apply_2q(&s, c, q, cm, &err));
      }
      if (n >= 3) {
        const uint64_t ctrl = ((UINT64_C(1) << n) - 1) & ~(UINT64_C(1) << q);
        random_2x2(&rng, m, 1);
        /* reference: |1…1⟩⟨1…1| on the controls ⊗ m + (I − that) ⊗ I, built column by column */
        for (int c = 0; c < d; c++)
          for (int r = 0; r < d; r++) {
            const int ctl = ((uint64_t)c & ctrl) == ctrl;
            cplx v = 0;
            if (((r ^ c) & ~(1 << q)) == 0) {
              if (ctl) v = m[2 * (r >> q & 1) + (c >> q & 1)];
              else v = (r == c);
            }
            M[r * d + c] = v;
          }
        CHECK(vqe_statevec_apply_controlled_1q(&s, ctrl, q, m, &err));
      }
    }
    /* dense 3-qubit blocks on a few orderings */
    if (n >= 3)
      for (int t = 0; t < 6; t++) {
        int qs[3], used[8] = { 0 };
        for (int j = 0; j < 3; j++) {
          int v;
          do v = (int)(vqe_rng_u64(&rng) % (uint64_t)n); while (used[v]);
          used[v] = 1;
          qs[j] = v;
        }
        random_2x2(&rng, m, 3);
        ref_dense(n, 3, qs, m, M);
        CHECK(vqe_statevec_apply_dense(&s, 3, qs, m, &err));
      }
    /* Pauli strings and rotations: every string for n <= 3, random ones above */
    const uint64_t all = (uint64_t)d - 1;
    const int npaul = n <= 3 ? d * d : 40;
    for (int t = 0; t < npaul; t++) {
      uint64_t x, z;
      if (n <= 3) { x = (uint64_t)t / (uint64_t)d; z = (uint64_t)t % (uint64_t)d; }
      else { x = vqe_rng_u64(&rng) & all; z = vqe_rng_u64(&rng) & all; }
      rf_pauli(n, x, z, M);
      CHECK(vqe_statevec_apply_pauli(&s, x, z, &err));
      const double th = vqe_rng_uniform(&rng) * 6 - 3;
      rf_scale(d, M, -RF_I);
      cplx *R = rf_new(d);
      rf_exp(d, M, 0.5 * th, R);
      memcpy(M, R, (size_t)d * d * sizeof *R);
      free(R);
      CHECK(vqe_statevec_apply_pauli_rotation(&s, x, z, th, &err));
    }
    /* fermionic excitations on every ordered pair; doubles on every 4-tuple (sampled at n = 6) */
    for (int p = 0; p < n; p++)
      for (int q = 0; q < n; q++) {
        if (p == q) continue;
        const double th = vqe_rng_uniform(&rng) * 6 - 3;
        rf_fermi_single(n, p, q, th, M);
        CHECK(vqe_statevec_apply_fermi_single(&s, p, q, th, &err));
      }
    if (n >= 4)
      for (int t = 0; t < (n == 4 ? 24 : 60); t++) {
        int qs[4], used[8] = { 0 };
        for (int j = 0; j < 4; j++) {
          int v;
          do v = (int)(vqe_rng_u64(&rng) % (uint64_t)n); while (used[v]);
          used[v] = 1;
          qs[j] = v;
        }
        const double th = vqe_rng_uniform(&rng) * 6 - 3;
        cplx *A = rf_new(d);
        rf_double_gen(n, qs[0], qs[1], qs[2], qs[3], A);
        rf_exp(d, A, th, M);
        free(A);
        CHECK(vqe_statevec_apply_fermi_double(&s, qs[0], qs[1], qs[2], qs[3], th, &err));
      }
#undef CHECK
    free(M);
    free(y);
    vqe_statevec_free(&s);
    vqe_statevec_free(&s0);
  }
  fprintf(stderr, "\n  worst kernel error vs dense reference: %.2e\n", worst);
}

static void test_vector_ops(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 2);
  vqe_statevec a, b;
  rstate(&a, 5, &rng);
  rstate(&b, 5, &rng);
  TU_ASSERT_CLOSE(vqe_statevec_norm2(&a), 1.0, 1e-14);
  vqe_complex ref = 0;
  for (uint64_t i = 0; i < a.dim; i++) ref += conj(a.amp[i]) * b.amp[i];
  const vqe_complex ip = vqe_statevec_inner(&a, &b);
  TU_ASSERT_CLOSE(creal(ip), creal(ref), 1e-14);
  TU_ASSERT_CLOSE(cimag(ip), cimag(ref), 1e-14);
  vqe_statevec_axpy(CMPLX(0.5, -1.0), &a, &b);
  vqe_statevec_scale(&b, CMPLX(0.0, 2.0));
  vqe_statevec_normalize(&b);
  TU_ASSERT_CLOSE(vqe_statevec_norm2(&b), 1.0, 1e-14);
  vqe_error err;
  CU_ASSERT_EQUAL(vqe_statevec_set_basis(&a, 31, &err), VQE_OK);
  CU_ASSERT(a.amp[31] == 1 && a.amp[0] == 0);
  CU_ASSERT_EQUAL(vqe_statevec_set_basis(&a, 32, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "basis state 32 is outside a register of 5 qubits");
  vqe_statevec c;
  vqe_statevec_init(&c, 4, NULL);
  CU_ASSERT_EQUAL(vqe_statevec_copy(&c, &a, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "5 qubits into one of 4");
  /* same seed, same state */
  vqe_rng r1, r2;
  vqe_rng_seed(&r1, 77);
  vqe_rng_seed(&r2, 77);
  vqe_statevec_set_random(&a, &r1);
  vqe_statevec_set_random(&b, &r2);
  CU_ASSERT(rf_maxdiff(a.dim, (const cplx *)a.amp, (const cplx *)b.amp) == 0);
  vqe_statevec_free(&a);
  vqe_statevec_free(&b);
  vqe_statevec_free(&c);
  vqe_statevec_free(NULL);
}

/* Random Pauli sum with several terms per x mask (x = 0; an x within the lowest 4 bits, whose pairs
 * interleave within the 16-amplitude blocks of the grouped kernels; random x), a few x masks with a
 * single term, and complex phases i^{|x∧z|} from random z. */
static void random_sum(vqe_pauli_sum *h, int n, int nt, vqe_rng *rng)
{
  vqe_pauli_sum_init(h, n);
  const uint64_t all = (UINT64_C(1) << n) - 1;
  uint64_t xs[5];
  for (int i = 0; i < 5; i++) xs[i] = vqe_rng_u64(rng) & all;
  xs[0] = 0;
  xs[1] = (vqe_rng_u64(rng) & 15 & all) | 1;
  for (int t = 0; t < nt; t++)
    vqe_pauli_sum_add(h, xs[vqe_rng_u64(rng) % 5], vqe_rng_u64(rng) & all, vqe_rng_uniform(rng) * 2 - 1, NULL);
  for (int t = 0; t < 3; t++)
    vqe_pauli_sum_add(h, vqe_rng_u64(rng) & all, vqe_rng_u64(rng) & all, vqe_rng_uniform(rng) * 2 - 1, NULL);
}

static void dense_of_sum(const vqe_pauli_sum *h, cplx *H)
{
  const int n = h->n_qubits, d = 1 << n;
  cplx *P = rf_new(d);
  memset(H, 0, (size_t)d * d * sizeof *H);
  for (size_t t = 0; t < h->n_terms; t++) {
    rf_pauli(n, h->terms[t].x, h->terms[t].z, P);
    rf_axpy(d, h->terms[t].coeff, P, H);
  }
  free(P);
}

static void test_pauli_sum_vs_dense(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 3);
  for (int n = 1; n <= 8; n++) {
    const int d = 1 << n;
    vqe_pauli_sum h;
    random_sum(&h, n, 10 * n, &rng);   /* unsorted, with repeats; groups of 1 to ~3n terms */
    cplx *H = rf_new(d), *y = malloc((size_t)d * sizeof *y);
    dense_of_sum(&h, H);
    vqe_statevec s, o;
    rstate(&s, n, &rng);
    vqe_statevec_init(&o, n, NULL);
    ref_apply(n, H, &s, y);
    cplx ev = 0;
    for (int i = 0; i < d; i++) ev += conj(s.amp[i]) * y[i];
    double e;
    vqe_error err;
    CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &h, &e, &err), VQE_OK);
    TU_ASSERT_CLOSE(e, creal(ev), TOL);
    /* ungrouped: term by term */
    double eu = 0;
    for (size_t t = 0; t < h.n_terms; t++)
      eu += h.terms[t].coeff * creal(vqe_statevec_expect_pauli(&s, h.terms[t].x, h.terms[t].z));
    TU_ASSERT_CLOSE(eu, e, TOL);
    CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(&s, &h, &o, &err), VQE_OK);
    CU_ASSERT(diff_ref(&o, y) <= TOL);
    /* a non-Hermitian string's expectation is complex: ⟨Y⟩ on |+i⟩ = 1 via P = i X Z */
    vqe_statevec_free(&s);
    vqe_statevec_free(&o);
    vqe_pauli_sum_free(&h);
    free(H);
    free(y);
  }
  vqe_statevec s;
  vqe_statevec_init(&s, 1, NULL);
  const vqe_complex plus_i[4] = { M_SQRT1_2, M_SQRT1_2, CMPLX(0, M_SQRT1_2), CMPLX(0, -M_SQRT1_2) };
  vqe_statevec_apply_1q(&s, 0, plus_i, NULL);   /* (|0⟩ + i|1⟩)/√2 */
  TU_ASSERT_CLOSE(creal(vqe_statevec_expect_pauli(&s, 1, 1)), 1.0, 1e-15);
  TU_ASSERT_CLOSE(creal(vqe_statevec_expect_pauli(&s, 1, 0)), 0.0, 1e-15);
  vqe_statevec_free(&s);
}

/* Random active-space Hamiltonian with 8-fold symmetric (pq|rs) and symmetric h. */
static void random_mo(vqe_mo_hamiltonian *h, int m, vqe_rng *rng)
{
  memset(h, 0, sizeof *h);
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_alloc(h, m, NULL), VQE_OK);
  h->e_core = 0.7;
  for (int p = 0; p < m; p++)
    for (int q = 0; q <= p; q++) h->h[p * m + q] = h->h[q * m + p] = vqe_rng_uniform(rng) - 0.5;
  for (int p = 0; p < m; p++)
    for (int q = 0; q < m; q++)
      for (int r = 0; r < m; r++)
        for (int s = 0; s < m; s++) {
          /* canonical representative of the 8-fold orbit decides the value */
          int a = p > q ? p : q, b = p > q ? q : p, c = r > s ? r : s, e = r > s ? s : r;
          int pq = a * (a + 1) / 2 + b, rs = c * (c + 1) / 2 + e;
          int hi = pq > rs ? pq : rs, lo = pq > rs ? rs : pq;
          uint64_t key = (uint64_t)hi * 1000 + (uint64_t)lo;
          vqe_rng kr;
          vqe_rng_stream(&kr, 4242, key);
          h->eri[((p * m + q) * m + r) * m + s] = 0.3 * (vqe_rng_uniform(&kr) - 0.5);
        }
}

static void test_fermionic_equals_pauli(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 4);
  for (int m = 1; m <= 3; m++) {
    const int n = 2 * m, d = 1 << n;
    vqe_mo_hamiltonian mo;
    random_mo(&mo, m, &rng);
    cplx *H = rf_new(d), *y = malloc((size_t)d * sizeof *y);
    rf_fermionic_h(&mo, H);
    vqe_pauli_sum jw;
    rf_pauli_decompose(n, H, &jw);          /* the test's own Jordan–Wigner sum */
    vqe_statevec s, o1, o2;
    rstate(&s, n, &rng);
    vqe_statevec_init(&o1, n, NULL);
    vqe_statevec_init(&o2, n, NULL);
    ref_apply(n, H, &s, y);
    cplx ev = 0;
    for (int i = 0; i < d; i++) ev += conj(s.amp[i]) * y[i];
    double eg, ef, eu = 0;
    vqe_error err;
    CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &jw, &eg, &err), VQE_OK);
    CU_ASSERT_EQUAL(vqe_statevec_expect_fermionic(&s, &mo, &ef, &err), VQE_OK);
    for (size_t t = 0; t < jw.n_terms; t++)
      eu += jw.terms[t].coeff * creal(vqe_statevec_expect_pauli(&s, jw.terms[t].x, jw.terms[t].z));
    TU_ASSERT_CLOSE(eg, creal(ev), TOL);
    TU_ASSERT_CLOSE(eu, eg, TOL);
    TU_ASSERT_CLOSE(ef, eg, TOL);
    CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(&s, &jw, &o1, &err), VQE_OK);
    CU_ASSERT_EQUAL(vqe_statevec_apply_fermionic(&s, &mo, &o2, &err), VQE_OK);
    CU_ASSERT(diff_ref(&o1, y) <= TOL);
    CU_ASSERT(diff_ref(&o2, y) <= TOL);
    /* the project's Jordan–Wigner builder agrees too */
    vqe_pauli_sum jw2;
    CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&mo, 0.0, &jw2, &err), VQE_OK);
    double e2;
    CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &jw2, &e2, &err), VQE_OK);
    TU_ASSERT_CLOSE(e2, eg, TOL);
    vqe_pauli_sum_free(&jw2);
    vqe_pauli_sum_free(&jw);
    vqe_statevec_free(&s);
    vqe_statevec_free(&o1);
    vqe_statevec_free(&o2);
    vqe_mo_hamiltonian_free(&mo);
    free(H);
    free(y);
  }
}

/* H2O/STO-3G (14 qubits, psi4 FCIDUMP): Pauli sum (x-grouped and term by term) = fermionic direct on
 * a random state, and ⟨HF|H|HF⟩ = the Hamiltonian's HF energy. */
static void test_h2o_fermionic_equals_jw(void)
{
  vqe_mo_hamiltonian mo;
  vqe_error err;
  memset(&mo, 0, sizeof mo);
  CU_ASSERT_EQUAL_FATAL(vqe_fcidump_read(tu_src("tests/data/h2o_sto3g.psi4.fcidump"), &mo, &err), VQE_OK);
  const int n = 2 * mo.norb;
  CU_ASSERT_EQUAL(n, 14);
  vqe_pauli_sum jw;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&mo, -1, &jw, &err), VQE_OK);
  fprintf(stderr, "\n  H2O/STO-3G: %zu JW terms, %zu x groups\n", jw.n_terms, vqe_pauli_sum_n_xgroups(&jw));
  vqe_rng rng;
  vqe_rng_seed(&rng, 14);
  vqe_statevec s;
  rstate(&s, n, &rng);
  double eg, ef, eu = 0;
  CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &jw, &eg, &err), VQE_OK);
  CU_ASSERT_EQUAL(vqe_statevec_expect_fermionic(&s, &mo, &ef, &err), VQE_OK);
  for (size_t t = 0; t < jw.n_terms; t++)
    eu += jw.terms[t].coeff * creal(vqe_statevec_expect_pauli(&s, jw.terms[t].x, jw.terms[t].z));
  TU_ASSERT_CLOSE(ef, eg, 1e-11);   /* |E| ~ 75 Eh: 1e-11 absolute is ~1e-13 relative */
  TU_ASSERT_CLOSE(eu, eg, 1e-11);
  /* H|psi>: Pauli sum (multi-term groups through the blocked diagonal) = fermionic direct */
  vqe_statevec o1, o2;
  vqe_statevec_init(&o1, n, NULL);
  vqe_statevec_init(&o2, n, NULL);
  CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(&s, &jw, &o1, &err), VQE_OK);
  CU_ASSERT_EQUAL(vqe_statevec_apply_fermionic(&s, &mo, &o2, &err), VQE_OK);
  double md = 0;
  for (size_t i = 0; i < o1.dim; i++) md = fmax(md, cabs(o1.amp[i] - o2.amp[i]));
  CU_ASSERT(md <= 1e-12);
  vqe_statevec_free(&o1);
  vqe_statevec_free(&o2);
  uint64_t hf = 0;
  for (int i = 0; i < mo.n_alpha; i++) hf |= UINT64_C(1) << (2 * i);
  for (int i = 0; i < mo.n_beta; i++) hf |= UINT64_C(1) << (2 * i + 1);
  vqe_statevec_set_basis(&s, hf, NULL);
  CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &jw, &eg, &err), VQE_OK);
  CU_ASSERT_EQUAL(vqe_statevec_expect_fermionic(&s, &mo, &ef, &err), VQE_OK);
  TU_ASSERT_CLOSE(eg, vqe_mo_hamiltonian_hf_energy(&mo), 1e-10);
  TU_ASSERT_CLOSE(ef, vqe_mo_hamiltonian_hf_energy(&mo), 1e-10);
  vqe_statevec_free(&s);
  vqe_pauli_sum_free(&jw);
  vqe_mo_hamiltonian_free(&mo);
}

static void test_sampling(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 5);
  vqe_statevec s;
  rstate(&s, 3, &rng);
  const size_t shots = 200000;
  uint64_t *out = malloc(shots * sizeof *out);
  vqe_error err;
  CU_ASSERT_EQUAL(vqe_statevec_sample(&s, shots, &rng, out, &err), VQE_OK);
  size_t cnt[8] = { 0 };
  for (size_t k = 0; k < shots; k++) { CU_ASSERT_FATAL(out[k] < 8); cnt[out[k]]++; }
  for (int b = 0; b < 8; b++) {
    const double p = creal(s.amp[b]) * creal(s.amp[b]) + cimag(s.amp[b]) * cimag(s.amp[b]);
    const double sd = sqrt(p * (1 - p) / (double)shots);
    CU_ASSERT(fabs((double)cnt[b] / (double)shots - p) <= 5 * sd + 1e-12);
  }
  /* reproducible: same seed, same outcomes */
  uint64_t *o2 = malloc(shots * sizeof *o2);
  vqe_rng r1, r2;
  vqe_rng_seed(&r1, 9);
  vqe_rng_seed(&r2, 9);
  vqe_statevec_sample(&s, shots, &r1, out, NULL);
  vqe_statevec_sample(&s, shots, &r2, o2, NULL);
  CU_ASSERT(memcmp(out, o2, shots * sizeof *out) == 0);
  free(out);
  free(o2);
  vqe_statevec_free(&s);
}

static void test_shot_estimate(void)
{
  vqe_mo_hamiltonian mo;
  vqe_error err;
  memset(&mo, 0, sizeof mo);
  CU_ASSERT_EQUAL_FATAL(vqe_fcidump_read(tu_src("tests/data/h2_sto3g.psi4.fcidump"), &mo, &err), VQE_OK);
  vqe_pauli_sum jw;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&mo, -1, &jw, &err), VQE_OK);
  const int n = jw.n_qubits;
  size_t *grp = malloc(jw.n_terms * sizeof *grp), ng;
  CU_ASSERT_EQUAL(vqe_statevec_qwc_groups(&jw, grp, &ng, &err), VQE_OK);
  /* every pair in a group commutes qubit-wise */
  for (size_t a = 0; a < jw.n_terms; a++)
    for (size_t b = 0; b < jw.n_terms; b++) {
      if (grp[a] != grp[b]) continue;
      const uint64_t common = (jw.terms[a].x | jw.terms[a].z) & (jw.terms[b].x | jw.terms[b].z);
      CU_ASSERT(((jw.terms[a].x ^ jw.terms[b].x) & common) == 0 && ((jw.terms[a].z ^ jw.terms[b].z) & common) == 0);
    }
  fprintf(stderr, "\n  H2/STO-3G: %zu terms in %zu qubit-wise commuting groups\n", jw.n_terms, ng);
  CU_ASSERT(ng <= 5);
  vqe_rng rng;
  vqe_rng_seed(&rng, 6);
  vqe_statevec s;
  rstate(&s, n, &rng);
  double exact;
  vqe_statevec_expect_pauli_sum(&s, &jw, &exact, NULL);
  vqe_shot_estimate est;
  int within = 0;
  double se_prev = 0;
  for (int rep = 0; rep < 3; rep++) {
    const size_t shots = (size_t)2000 << (2 * rep);   /* 2000, 8000, 32000 */
    CU_ASSERT_EQUAL(vqe_statevec_estimate_shots(&s, &jw, shots, &rng, &est, &err), VQE_OK);
    fprintf(stderr, "  shots/group %6zu: %.6f +- %.6f (exact %.6f)\n", shots, est.estimate, est.std_error, exact);
    CU_ASSERT(est.std_error > 0);
    CU_ASSERT_EQUAL(est.total_shots, shots * est.n_groups);
    within += fabs(est.estimate - exact) <= 3 * est.std_error;
    CU_ASSERT(fabs(est.estimate - exact) <= 5 * est.std_error);
    if (rep > 0) TU_ASSERT_CLOSE(est.std_error / se_prev, 0.5, 0.1);   /* 1/sqrt(shots) */
    se_prev = est.std_error;
  }
  CU_ASSERT(within >= 2);
  CU_ASSERT_EQUAL(vqe_statevec_estimate_shots(&s, &jw, 1, &rng, &est, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "allowed: 2 or more");
  free(grp);
  vqe_statevec_free(&s);
  vqe_pauli_sum_free(&jw);
  vqe_mo_hamiltonian_free(&mo);
}

static void test_memory_refusal(void)
{
  const char *old = getenv("VQE_MEMORY_LIMIT");
  char *saved = old ? strdup(old) : NULL;
  setenv("VQE_MEMORY_LIMIT", "1M", 1);
  vqe_statevec s;
  vqe_error err;
  CU_ASSERT_EQUAL(vqe_statevec_init(&s, 20, &err), VQE_ERR_RESOURCE);
  CU_ASSERT_PTR_NULL(s.amp);
  TU_ASSERT_CONTAINS(err.msg, "1 state vector of 20 qubits");
  TU_ASSERT_CONTAINS(err.msg, "needs 16.00 MiB but only 1.00 MiB is available");
  TU_ASSERT_CONTAINS(err.msg, "the largest that fits is n = 16 qubits");
  vqe_statevec v[3];
  CU_ASSERT_EQUAL(vqe_statevec_init_many(v, 3, 15, &err), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "3 state vectors of 15 qubits");
  TU_ASSERT_CONTAINS(err.msg, "need 1.50 MiB");
  TU_ASSERT_CONTAINS(err.msg, "n = 14 qubits");
  CU_ASSERT_EQUAL(vqe_statevec_max_qubits(3), 14);
  CU_ASSERT_EQUAL(vqe_statevec_init_many(v, 3, 14, &err), VQE_OK);
  for (int i = 0; i < 3; i++) vqe_statevec_free(&v[i]);
  setenv("VQE_MEMORY_LIMIT", "8", 1);
  CU_ASSERT_EQUAL(vqe_statevec_check_memory(1, 1, &err), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "not even 1 qubit fits");
  if (saved) { setenv("VQE_MEMORY_LIMIT", saved, 1); free(saved); }
  else unsetenv("VQE_MEMORY_LIMIT");
  CU_ASSERT_EQUAL(vqe_statevec_init(&s, 0, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "allowed: 1 to 40");
  CU_ASSERT_EQUAL(vqe_statevec_init(&s, 41, &err), VQE_ERR_INPUT);
}

static void test_errors(void)
{
  vqe_statevec s;
  vqe_statevec_init(&s, 3, NULL);
  vqe_error err;
  const vqe_complex m[4] = { 1, 0, 0, 1 };
  CU_ASSERT_EQUAL(vqe_statevec_apply_1q(&s, 3, m, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "qubit 3 is outside a register of 3 qubits (allowed: 0 to 2)");
  CU_ASSERT_EQUAL(vqe_statevec_apply_2q(&s, 1, 1, (const vqe_complex[16]){ 0 }, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "appears twice");
  CU_ASSERT_EQUAL(vqe_statevec_apply_controlled_1q(&s, 0x2, 1, m, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "also a control");
  CU_ASSERT_EQUAL(vqe_statevec_apply_pauli(&s, 0x8, 0, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "beyond a register of 3 qubits");
  CU_ASSERT_EQUAL(vqe_statevec_apply_dense(&s, 7, (const int[7]){ 0 }, m, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "allowed: 1 to 6");
  CU_ASSERT_EQUAL(vqe_statevec_apply_fermi_double(&s, 0, 1, 2, 2, 0.1, &err), VQE_ERR_INPUT);
  vqe_pauli_sum h;
  vqe_pauli_sum_init(&h, 4);
  vqe_pauli_sum_add(&h, 1, 0, 1.0, NULL);
  double e;
  CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&s, &h, &e, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "Pauli sum on 4 qubits applied to a state of 3 qubits");
  CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(&s, &h, &s, &err), VQE_ERR_INPUT);
  vqe_pauli_sum_free(&h);
  vqe_mo_hamiltonian mo;
  vqe_rng rng;
  vqe_rng_seed(&rng, 1);
  random_mo(&mo, 2, &rng);
  CU_ASSERT_EQUAL(vqe_statevec_expect_fermionic(&s, &mo, &e, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "needs 4 qubits, the state has 3");
  vqe_mo_hamiltonian_free(&mo);
  vqe_statevec u = { 0, 0, NULL };
  CU_ASSERT_EQUAL(vqe_statevec_apply_1q(&u, 0, m, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "not initialised");
  vqe_statevec_free(&s);
}

/* Single-qubit gates and CNOT on far qubits (q >= 10 in the test build, >= 24 otherwise) against the
 * element-by-element definition, real and complex matrices, 1 and 2 threads, both ways a far gate can
 * run (kernels.c): with the state's upper halves moved aside (split.c; the test build's states from
 * 2^11 amplitudes are splittable) and tile by tile (VQE_NO_FAR_SPLIT=1). */
static void test_far_qubit_tiles(void)
{
  const int saved = omp_get_max_threads();
  const vqe_complex ms[3][4] = {
    { 0.8, -0.6, 0.6, 0.8 },                                               /* RY: real */
    { CMPLX(0.6, 0.1), CMPLX(-0.3, 0.7), CMPLX(0.2, -0.5), CMPLX(0.9, 0.4) },   /* general */
    { CMPLX(0, -1), 0.5, 0.25, CMPLX(1, 1) } };
  double worst = 0;
  for (int tiled = 0; tiled <= 1; tiled++) {
    setenv("VQE_NO_FAR_SPLIT", tiled ? "1" : "0", 1);
    for (int n = 11; n <= 12; n++)
      for (int q = 9; q < n; q++)
        for (int k = 0; k < 4; k++)   /* k = 3: CNOT(c, q) for every control c */
          for (int t = 1; t <= 2; t++) {
            omp_set_num_threads(t);
            vqe_rng r;
            vqe_rng_seed(&r, 40 + (uint64_t)(n * 100 + q * 10 + k));
            vqe_statevec s;
            rstate(&s, n, &r);
            cplx *ref = malloc(s.dim * sizeof *ref);
            const uint64_t bit = UINT64_C(1) << q;
            for (int c = 0; c < (k == 3 ? n : 1); c++) {
              if (k == 3 && c == q) continue;
              for (uint64_t i = 0; i < s.dim; i++) {
                const uint64_t i0 = i & ~bit, i1 = i | bit;
                if (k == 3) ref[i] = (i >> c & 1) ? s.amp[i ^ bit] : s.amp[i];
                else ref[i] = (i & bit) ? ms[k][2] * s.amp[i0] + ms[k][3] * s.amp[i1]
                                        : ms[k][0] * s.amp[i0] + ms[k][1] * s.amp[i1];
              }
              if (k == 3) sv_k_cnot(s.amp, n, c, q, SV_PAR(n));
              else CU_ASSERT_EQUAL(vqe_statevec_apply_1q(&s, q, ms[k], NULL), VQE_OK);
              const double e = rf_maxdiff(s.dim, (const cplx *)s.amp, ref);
              if (e > worst) worst = e;
            }
            free(ref);
            vqe_statevec_free(&s);
          }
  }
  unsetenv("VQE_NO_FAR_SPLIT");
  omp_set_num_threads(saved);
  CU_ASSERT(worst <= 1e-14);
}

/* The split itself (split.c): the upper halves of qubit q's pair blocks move to other addresses with
 * their contents, writes there land in the state once they are back, and a state that is not from
 * sv_split_alloc (or a near qubit) is refused. Needs the test build's small period (2^14 bytes). */
static void test_far_split_moves(void)
{
#if VQE_TEST_BUILD && defined(__linux__)
  const int n = 13;
  vqe_statevec s;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&s, n, NULL), VQE_OK);
  for (uint64_t i = 0; i < s.dim; i++) s.amp[i] = (double)i;
  for (int q = SV_TILE_MIN_QUBIT; q < n; q++) {
    sv_split sp;
    CU_ASSERT_EQUAL_FATAL(sv_split_begin(s.amp, n, q, &sp), 1);
    const int64_t per = (int64_t)1 << q, nb = (int64_t)1 << (n - 1 - q);
    CU_ASSERT_EQUAL(sp.n_blocks, nb);
    int same = 1, moved = 1;
    for (int64_t b = 0; b < nb; b++) {
      vqe_complex *hi = sv_split_upper(&sp, b);
      const ptrdiff_t d = (char *)hi - (char *)(s.amp + 2 * b * per);   /* the new distance, bytes */
      moved &= d % (ptrdiff_t)SV_SPLIT_PERIOD == (ptrdiff_t)SV_SPLIT_PERIOD / 2;
      for (int64_t j = 0; j < per; j++) {
        same &= hi[j] == (double)((2 * b + 1) * per + j);
        hi[j] += 0.5;
      }
      for (int64_t j = 0; j < per; j++) same &= s.amp[2 * b * per + j] == (double)(2 * b * per + j);
    }
    CU_ASSERT(same);
    CU_ASSERT(moved);
    sv_split_end(&sp);
    int back = 1;
    for (uint64_t i = 0; i < s.dim; i++) {
      back &= s.amp[i] == (double)i + ((i >> q & 1) ? 0.5 : 0);
      s.amp[i] = (double)i;
    }
    CU_ASSERT(back);
  }
  sv_split sp;
  CU_ASSERT_EQUAL(sv_split_begin(s.amp, n, SV_TILE_MIN_QUBIT - 1, &sp), 0);   /* near: not needed */
  vqe_complex *plain = vqe_aligned_alloc(s.dim, sizeof *plain);
  CU_ASSERT_EQUAL(sv_split_begin(plain, n, n - 1, &sp), 0);                 /* not ours */
  CU_ASSERT_EQUAL(sv_split_free(plain), 0);
  vqe_free(plain);
  setenv("VQE_NO_FAR_SPLIT", "1", 1);
  CU_ASSERT_EQUAL(sv_split_begin(s.amp, n, n - 1, &sp), 0);
  unsetenv("VQE_NO_FAR_SPLIT");
  vqe_statevec_free(&s);
#endif
}

/* 1 thread vs 2: kernels, reductions, H|ψ⟩ and the fermionic path give identical numbers. */
static void test_threads_identical(void)
{
  const int saved = omp_get_max_threads();
  vqe_mo_hamiltonian mo;
  vqe_rng rng;
  vqe_rng_seed(&rng, 8);
  random_mo(&mo, 5, &rng);
  vqe_pauli_sum jw;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&mo, 0.0, &jw, NULL), VQE_OK);
  double E[2][4];
  vqe_statevec out[2];
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(t + 1);
    vqe_rng r;
    vqe_rng_seed(&r, 99);
    vqe_statevec s;
    rstate(&s, 10, &r);
    vqe_statevec_apply_pauli_rotation(&s, 0x2A5, 0x1C3, 0.7, NULL);
    vqe_statevec_apply_fermi_double(&s, 9, 0, 4, 6, 0.4, NULL);
    vqe_statevec_apply_2q(&s, 7, 2, (const vqe_complex[16]){ 0.5, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, -0.5, 0.5, 0.5, -0.5, -0.5, 0.5, -0.5, -0.5, 0.5 }, NULL);
    vqe_statevec_init(&out[t], 10, NULL);
    vqe_statevec_expect_pauli_sum(&s, &jw, &E[t][0], NULL);
    vqe_statevec_expect_fermionic(&s, &mo, &E[t][1], NULL);
    E[t][2] = vqe_statevec_norm2(&s);
    E[t][3] = creal(vqe_statevec_expect_pauli(&s, 0x11, 0x30));
    vqe_statevec_apply_pauli_sum(&s, &jw, &out[t], NULL);
    vqe_statevec_free(&s);
  }
  omp_set_num_threads(saved);
  for (int k = 0; k < 4; k++) TU_ASSERT_CLOSE(E[0][k], E[1][k], 1e-12);
  CU_ASSERT(rf_maxdiff(out[0].dim, (const cplx *)out[0].amp, (const cplx *)out[1].amp) <= 1e-12);
  TU_ASSERT_CLOSE(E[0][0], E[0][1], 1e-11);
  vqe_statevec_free(&out[0]);
  vqe_statevec_free(&out[1]);
  vqe_pauli_sum_free(&jw);
  vqe_mo_hamiltonian_free(&mo);
}

int main(void)
{
  static const tu_test tests[] = {
    { "1-qubit gates and CNOT on far qubits (split and tiled) = definition", test_far_qubit_tiles },
    { "far gates' split: halves move aside with their contents and come back", test_far_split_moves },
    { "kernels on every qubit position, n = 1..6, vs dense reference", test_kernels_every_position },
    { "vector operations and basis states", test_vector_ops },
    { "Pauli-sum expectation and H|psi> vs dense, grouped = ungrouped", test_pauli_sum_vs_dense },
    { "fermionic direct = Pauli sum (own JW and vqe_hamiltonian_jordan_wigner) = dense", test_fermionic_equals_pauli },
    { "H2O/STO-3G: fermionic direct = JW Pauli sum; <HF|H|HF> = E_HF", test_h2o_fermionic_equals_jw },
    { "sampling: frequencies and reproducibility", test_sampling },
    { "shot estimate converges within its standard error (H2)", test_shot_estimate },
    { "too-large state is refused with needed/available/largest n", test_memory_refusal },
    { "error paths", test_errors },
    { "1 thread and 2 threads give the same numbers", test_threads_identical },
    { NULL, NULL }
  };
  return tu_run_suite("statevec", tests);
}
