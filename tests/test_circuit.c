/* test_circuit.c — CUnit suite for circuit.h: every gate on every qubit position (n = 1..6) against
 * the dense reference of sv_dense_ref.h, unitarity, gate·inverse = identity, generators by finite
 * differences, the adjoint-gradient walk, fused = unfused, text/counts, error paths, 1 vs 2 threads. */
#include "testutil.h"
#include "sv_dense_ref.h"
#include <omp.h>
#include <stdio.h>
#include <string.h>

#define TOL 1e-12

static int gate_k(vqe_gate_kind k) { return vqe_gate_info_of(k)->n_qubits; }

/* SPIN_DOUBLE placements: q = α qubits of (a, b, j, i), each orbital also on q + 1; a = b and i = j
 * allowed, otherwise orbitals must not overlap (circuit.h). */
static int spin_double_valid(int n, const int *q)
{
  for (int t = 0; t < 4; t++) {
    if (q[t] < 0 || q[t] + 1 >= n) return 0;
    for (int u = 0; u < t; u++) {
      if (q[t] == q[u] && (t < 2) == (u < 2)) continue;
      if (abs(q[t] - q[u]) < 2) return 0;
    }
  }
  return 1;
}

static int random_spin_double(int n, vqe_rng *rng, int *q)
{
  if (n < 4) return 0;
  do {
    for (int t = 0; t < 4; t++) q[t] = (int)(vqe_rng_u64(rng) % (uint64_t)(n - 1));
    if (vqe_rng_uniform(rng) < 0.3) q[1] = q[0];
    if (vqe_rng_uniform(rng) < 0.3) q[3] = q[2];
  } while (!spin_double_valid(n, q));
  return 1;
}

/* A one-gate circuit; angle a bound to θ[a] with coefficient 1. */
static void one_gate(vqe_circuit *c, int n, vqe_gate_kind kind, const int *q, uint64_t x, uint64_t z)
{
  vqe_circuit_init(c, n);
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = kind;
  for (int j = 0; j < gate_k(kind); j++) g.q[j] = q[j];
  g.x = x;
  g.z = z;
  for (int a = 0; a < 3; a++) g.angle[a] = vqe_angle_param(a, 1.0);
  vqe_error err;
  CU_ASSERT_EQUAL_FATAL(vqe_circuit_add(c, &g, &err), VQE_OK);
}

static void random_state(vqe_statevec *s, int n, vqe_rng *rng)
{
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(s, n, NULL), VQE_OK);
  vqe_statevec_set_random(s, rng);
}

static double sv_diff(const vqe_statevec *a, const cplx *b)
{
  return rf_maxdiff(a->dim, (const cplx *)a->amp, b);
}

static double sv_diff2(const vqe_statevec *a, const vqe_statevec *b)
{
  return rf_maxdiff(a->dim, (const cplx *)a->amp, (const cplx *)b->amp);
}

/* Check one gate: forward against the reference, inverse, generator by central differences. */
static double worst_fwd, worst_inv, worst_gen;
static void check_gate(int n, vqe_gate_kind kind, const int *q, uint64_t x, uint64_t z, vqe_rng *rng)
{
  const int d = 1 << n;
  vqe_circuit c;
  one_gate(&c, n, kind, q, x, z);
  const int na = vqe_gate_info_of(kind)->n_angles;
  double th[3];
  for (int a = 0; a < 3; a++) th[a] = 2 * M_PI * vqe_rng_uniform(rng) - M_PI;
  vqe_statevec s, s0, t;
  random_state(&s, n, rng);
  vqe_statevec_init(&s0, n, NULL);
  vqe_statevec_init(&t, n, NULL);
  vqe_statevec_copy(&s0, &s, NULL);
  cplx *U = rf_new(d), *ref = malloc((size_t)d * sizeof *ref);
  rf_gate(n, &c.gates[0], th, U);
  rf_matvec(d, U, (const cplx *)s0.amp, ref);
  vqe_error err;
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &s, &err), VQE_OK);
  double e = sv_diff(&s, ref);
  if (e > worst_fwd) worst_fwd = e;
  if (e > TOL) fprintf(stderr, "\n  %s n=%d q=%d,%d,%d,%d x=%llx z=%llx: forward error %.2e\n", vqe_gate_info_of(kind)->name, n,
                       q[0], q[1], q[2], q[3], (unsigned long long)x, (unsigned long long)z, e);
  CU_ASSERT(e <= TOL);
  /* gate · inverse = identity */
  vqe_statevec_copy(&t, &s, NULL);
  CU_ASSERT_EQUAL(vqe_circuit_apply_gate_inverse(&c, 0, th, &t, &err), VQE_OK);
  e = sv_diff2(&t, &s0);
  if (e > worst_inv) worst_inv = e;
  CU_ASSERT(e <= TOL);
  /* generator: (∂U/∂α_a)ψ0 = −i G̃ U ψ0 vs central differences of the reference */
  for (int a = 0; a < na; a++) {
    vqe_statevec_copy(&t, &s, NULL);
    CU_ASSERT_EQUAL(vqe_circuit_apply_derivative(&c, 0, a, th, &t, &err), VQE_OK);
    const double h = 1e-5;
    double tp[3] = { th[0], th[1], th[2] }, tm[3] = { th[0], th[1], th[2] };
    tp[a] += h;
    tm[a] -= h;
    /* central differences of the engine (its forward map was checked against the reference) */
    vqe_statevec sp, sm;
    vqe_statevec_init(&sp, n, NULL);
    vqe_statevec_init(&sm, n, NULL);
    vqe_statevec_copy(&sp, &s0, NULL);
    vqe_statevec_copy(&sm, &s0, NULL);
    vqe_circuit_apply(&c, tp, &sp, NULL);
    vqe_circuit_apply(&c, tm, &sm, NULL);
    cplx *yp = malloc((size_t)d * sizeof *yp);
    for (int i = 0; i < d; i++) yp[i] = (sp.amp[i] - sm.amp[i]) / (2 * h);
    vqe_statevec_free(&sp);
    vqe_statevec_free(&sm);
    e = sv_diff(&t, yp);
    if (e > worst_gen) worst_gen = e;
    if (e > 1e-8) fprintf(stderr, "\n  %s angle %d: generator error %.2e\n", vqe_gate_info_of(kind)->name, a, e);
    CU_ASSERT(e <= 1e-8);
    free(yp);
  }
  free(U);
  free(ref);
  vqe_statevec_free(&s);
  vqe_statevec_free(&s0);
  vqe_statevec_free(&t);
  vqe_circuit_free(&c);
}

/* Every ordered tuple of k distinct qubits of n (or `limit` random ones when there are more). */
static void for_tuples(int n, int k, int limit, vqe_rng *rng, vqe_gate_kind kind)
{
  int q[4] = { 0, 0, 0, 0 };
  size_t total = 1;
  for (int j = 0; j < k; j++) total *= (size_t)(n - j);
  if ((int)total <= limit) {
    for (size_t t = 0; t < total; t++) {
      /* decode t as a k-permutation */
      size_t r = t;
      int used[64] = { 0 };
      for (int j = 0; j < k; j++) {
        const size_t left = (size_t)(n - j);
        size_t pick = r % left;
        r /= left;
        for (int v = 0; v < n; v++)
          if (!used[v]) {
            if (pick == 0) { q[j] = v; used[v] = 1; break; }
            pick--;
          }
      }
      check_gate(n, kind, q, 0, 0, rng);
    }
  } else {
    for (int t = 0; t < limit; t++) {
      int used[64] = { 0 };
      for (int j = 0; j < k; j++) {
        int v;
        do v = (int)(vqe_rng_u64(rng) % (uint64_t)n); while (used[v]);
        used[v] = 1;
        q[j] = v;
      }
      check_gate(n, kind, q, 0, 0, rng);
    }
  }
}

static void test_every_gate_every_position(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 11);
  worst_fwd = worst_inv = worst_gen = 0;
  for (int n = 1; n <= 6; n++)
    for (int kind = 0; kind < VQE_GATE_COUNT; kind++) {
      if (kind == VQE_GATE_PAULI_ROT) {
        const uint64_t all = (UINT64_C(1) << n) - 1;
        if (n <= 2) {
          for (uint64_t x = 0; x <= all; x++)
            for (uint64_t z = 0; z <= all; z++)
              if (x | z) { int q[4] = { 0, 0, 0, 0 }; check_gate(n, VQE_GATE_PAULI_ROT, q, x, z, &rng); }
        } else {
          for (int t = 0; t < 24; t++) {
            uint64_t x = vqe_rng_u64(&rng) & all, z = vqe_rng_u64(&rng) & all;
            if (!(x | z)) x = 1;
            int q[4] = { 0, 0, 0, 0 };
            check_gate(n, VQE_GATE_PAULI_ROT, q, x, z, &rng);
          }
        }
        continue;
      }
      if (kind == VQE_GATE_SPIN_DOUBLE) continue;   /* its own test: test_spin_double */
      const int k = gate_k((vqe_gate_kind)kind);
      if (k > n) continue;
      for_tuples(n, k, 400, &rng, (vqe_gate_kind)kind);   /* all tuples: at most 6·5·4·3 = 360 */
    }
  fprintf(stderr, "\n  worst: forward %.2e, inverse %.2e, generator (finite differences) %.2e\n",
          worst_fwd, worst_inv, worst_gen);
}

static void test_gate_matrix_and_unitarity(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 5);
  for (int kind = 0; kind < VQE_GATE_COUNT; kind++) {
    const vqe_gate_info *gi = vqe_gate_info_of((vqe_gate_kind)kind);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gi);
    vqe_gate g;
    memset(&g, 0, sizeof g);
    g.kind = (vqe_gate_kind)kind;
    int k = gi->n_qubits;
    for (int j = 0; j < k; j++) g.q[j] = j;
    if (kind == VQE_GATE_PAULI_ROT) { g.x = 0x5; g.z = 0x6; k = 3; }
    double v[3] = { 0.7, -1.3, 2.1 };
    const int d = 1 << k;
    vqe_complex m[64 * 64];
    vqe_error err;
    vqe_status st = vqe_gate_matrix(&g, v, m, &err);
    if (gi->n_qubits == 4 && (kind == VQE_GATE_FERMI_DOUBLE || kind == VQE_GATE_ORBITAL_ROT || kind == VQE_GATE_GATE_FABRIC_Q ||
                              kind == VQE_GATE_SPIN_DOUBLE)) {
      CU_ASSERT_EQUAL(st, VQE_ERR_INPUT);
      TU_ASSERT_CONTAINS(err.msg, "Jordan-Wigner");
      continue;
    }
    if (kind == VQE_GATE_FERMI_SINGLE) { CU_ASSERT_EQUAL(st, VQE_ERR_INPUT); continue; }
    CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
    cplx *U = rf_new(d), *UdU = rf_new(d), *Ud = rf_new(d);
    rf_gate(k, &g, v, U);
    CU_ASSERT(rf_maxdiff((size_t)d * d, (const cplx *)m, U) <= TOL);
    /* unitarity of the engine's matrix */
    rf_adjoint(d, (const cplx *)m, Ud);
    rf_mul(d, Ud, (const cplx *)m, UdU);
    rf_eye(d, U);
    const double e = rf_maxdiff((size_t)d * d, UdU, U);
    if (e > TOL) fprintf(stderr, "\n  %s: |U^dag U - I| = %.2e\n", gi->name, e);
    CU_ASSERT(e <= TOL);
    free(U); free(UdU); free(Ud);
  }
  /* unitarity of the fermionic gates through the engine (columns on 6 qubits) */
  const vqe_gate_kind fk[4] = { VQE_GATE_FERMI_SINGLE, VQE_GATE_FERMI_DOUBLE, VQE_GATE_ORBITAL_ROT, VQE_GATE_GATE_FABRIC_Q };
  const int qs[4][4] = { { 4, 1, 0, 0 }, { 5, 0, 3, 1 }, { 1, 2, 3, 4 }, { 0, 2, 3, 5 } };
  for (int t = 0; t < 4; t++) {
    vqe_circuit c;
    one_gate(&c, 6, fk[t], qs[t], 0, 0);
    const double th[3] = { 0.4, 1.1, 0 };
    const int d = 64;
    cplx *M = rf_new(d), *Md = rf_new(d), *P = rf_new(d), *E = rf_new(d);
    vqe_statevec s;
    vqe_statevec_init(&s, 6, NULL);
    for (int col = 0; col < d; col++) {
      vqe_statevec_set_basis(&s, (uint64_t)col, NULL);
      vqe_circuit_apply(&c, th, &s, NULL);
      for (int r = 0; r < d; r++) M[r * d + col] = s.amp[r];
    }
    rf_adjoint(d, M, Md);
    rf_mul(d, Md, M, P);
    rf_eye(d, E);
    CU_ASSERT(rf_maxdiff((size_t)d * d, P, E) <= TOL);
    free(M); free(Md); free(P); free(E);
    vqe_statevec_free(&s);
    vqe_circuit_free(&c);
  }
}

/* PennyLane's documented OrbitalRotation example: |1100⟩ (wires 0,1 occupied) at φ = 0.1. */
static void test_orbital_rotation_pennylane_example(void)
{
  vqe_circuit c;
  const int q[4] = { 0, 1, 2, 3 };
  one_gate(&c, 4, VQE_GATE_ORBITAL_ROT, q, 0, 0);
  vqe_statevec s;
  vqe_statevec_init(&s, 4, NULL);
  vqe_statevec_set_basis(&s, 0x3, NULL);           /* qubits 0 and 1 occupied */
  const double th[1] = { 0.1 };
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &s, NULL), VQE_OK);
  /* PennyLane index (wire 0 = MSB) → ours (wire j = qubit j) */
  const double c2 = cos(0.05), s2 = sin(0.05);
  TU_ASSERT_CLOSE(creal(s.amp[0x3]), c2 * c2, 1e-14);        /* |1100⟩_PL: 0.99750208 */
  TU_ASSERT_CLOSE(creal(s.amp[0x6]), c2 * s2, 1e-14);        /* q1,q2: |0110⟩_PL: +0.04991671 */
  TU_ASSERT_CLOSE(creal(s.amp[0x9]), -c2 * s2, 1e-14);       /* q0,q3: |1001⟩_PL: −0.04991671 */
  TU_ASSERT_CLOSE(creal(s.amp[0xC]), s2 * s2, 1e-14);        /* q2,q3: |0011⟩_PL: 0.00249792 */
  TU_ASSERT_CLOSE(creal(s.amp[0x6]), 0.04991671, 1e-8);
  TU_ASSERT_CLOSE(vqe_statevec_norm2(&s), 1.0, 1e-14);
  vqe_statevec_free(&s);
  vqe_circuit_free(&c);
  /* the reference's product form equals the exponential of the summed generator */
  const int n = 5, d = 32, qq[4] = { 1, 2, 3, 4 };
  cplx *A = rf_new(d), *E1 = rf_new(d), *E2 = rf_new(d);
  rf_orbital_gen(n, qq, A);
  rf_expm(d, A, 0.83, E1);
  rf_orbital(n, qq, 0.83, E2);
  CU_ASSERT(rf_maxdiff((size_t)d * d, E1, E2) <= 1e-13);
  free(A); free(E1); free(E2);
}

/* exp(θA)ψ by its Taylor series (dense A; the terms fall below 1e-18 long before 400) */
static void taylor_expv(int d, const cplx *A, double th, const cplx *psi, cplx *out)
{
  cplx *t = malloc((size_t)d * sizeof *t), *u = malloc((size_t)d * sizeof *u);
  memcpy(t, psi, (size_t)d * sizeof *t);
  memcpy(out, psi, (size_t)d * sizeof *out);
  for (int k = 1; k < 400; k++) {
    rf_matvec(d, A, t, u);
    double nrm = 0;
    for (int i = 0; i < d; i++) { t[i] = u[i] * th / k; out[i] += t[i]; nrm += cabs(t[i]); }
    if (nrm < 1e-18) break;
  }
  free(t);
  free(u);
}

/* SPIN_DOUBLE against T − T† built from dense a†/a matrices: every placement on 4..6 qubits (orbital
 * coincidences, orders and spectator qubits between the orbitals, which carry JW signs), random ones
 * on 7 and 8; forward (Taylor series of the dense generator), inverse, generator, the spectral parts
 * (their product in either order is the gate; their generators sum to the gate's, and each part obeys
 * G³ = λ²G with λ from its frequencies). */
static void check_spin_double(int n, const int *q, vqe_rng *rng, double *worst)
{
  const int d = 1 << n;
  cplx *A = rf_new(d), *ref = malloc((size_t)d * sizeof *ref), *gref = malloc((size_t)d * sizeof *gref);
  rf_spin_double_gen(n, q, A);
  vqe_circuit c;
  one_gate(&c, n, VQE_GATE_SPIN_DOUBLE, q, 0, 0);
  const double th[3] = { 2 * M_PI * vqe_rng_uniform(rng) - M_PI, 0, 0 };
  vqe_statevec s, s0, t, u;
  random_state(&s, n, rng);
  vqe_statevec_init(&s0, n, NULL);
  vqe_statevec_init(&t, n, NULL);
  vqe_statevec_init(&u, n, NULL);
  vqe_statevec_copy(&s0, &s, NULL);
  taylor_expv(d, A, th[0], (const cplx *)s0.amp, ref);
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &s, NULL), VQE_OK);
  double e = sv_diff(&s, ref);
  /* inverse */
  vqe_statevec_copy(&t, &s, NULL);
  vqe_circuit_apply_gate_inverse(&c, 0, th, &t, NULL);
  e = fmax(e, sv_diff2(&t, &s0));
  /* generator G = iA */
  vqe_statevec_copy(&t, &s0, NULL);
  CU_ASSERT_EQUAL(vqe_circuit_apply_generator(&c, 0, 0, th, &t, NULL), VQE_OK);
  rf_matvec(d, A, (const cplx *)s0.amp, gref);
  for (int i = 0; i < d; i++) gref[i] *= RF_I;
  e = fmax(e, sv_diff(&t, gref));
  /* parts: product (forwards and backwards) = the gate; generators sum to G; G_p³ = λ_p² G_p */
  double lam[4];
  const int np = vqe_spin_double_parts(q, lam);
  CU_ASSERT(np >= 1 && np <= 4);
  for (int dir = 0; dir < 2; dir++) {
    vqe_statevec_copy(&t, &s0, NULL);
    for (int k = 0; k < np; k++) {
      vqe_circuit cp;
      one_gate(&cp, n, VQE_GATE_SPIN_DOUBLE, q, UINT64_C(1) << (dir ? np - 1 - k : k), 0);
      vqe_circuit_apply(&cp, th, &t, NULL);
      vqe_circuit_free(&cp);
    }
    e = fmax(e, sv_diff(&t, ref));
  }
  for (int i = 0; i < d; i++) gref[i] = 0;
  for (int k = 0; k < np; k++) {
    vqe_circuit cp;
    one_gate(&cp, n, VQE_GATE_SPIN_DOUBLE, q, UINT64_C(1) << k, 0);
    vqe_statevec_copy(&t, &s0, NULL);
    vqe_circuit_apply_generator(&cp, 0, 0, th, &t, NULL);
    for (int i = 0; i < d; i++) gref[i] += t.amp[i];
    vqe_statevec_copy(&u, &t, NULL);
    vqe_circuit_apply_generator(&cp, 0, 0, th, &u, NULL);
    vqe_circuit_apply_generator(&cp, 0, 0, th, &u, NULL);
    for (int i = 0; i < d; i++) e = fmax(e, cabs(u.amp[i] - lam[k] * lam[k] * t.amp[i]));
    vqe_circuit_free(&cp);
  }
  rf_matvec(d, A, (const cplx *)s0.amp, ref);
  for (int i = 0; i < d; i++) e = fmax(e, cabs(gref[i] - RF_I * ref[i]));
  if (e > TOL) fprintf(stderr, "\n  SPIN_DOUBLE n=%d q=%d,%d,%d,%d: error %.2e\n", n, q[0], q[1], q[2], q[3], e);
  CU_ASSERT(e <= TOL);
  if (e > *worst) *worst = e;
  free(A); free(ref); free(gref);
  vqe_statevec_free(&s); vqe_statevec_free(&s0); vqe_statevec_free(&t); vqe_statevec_free(&u);
  vqe_circuit_free(&c);
}

static void test_spin_double(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 31);
  double worst = 0;
  int cases = 0, parts_seen[5] = { 0 };
  for (int n = 4; n <= 6; n++)
    for (int code = 0; code < 625; code++) {
      int q[4] = { code % 5, code / 5 % 5, code / 25 % 5, code / 125 % 5 };
      if (!spin_double_valid(n, q)) continue;
      check_spin_double(n, q, &rng, &worst);
      parts_seen[vqe_spin_double_parts(q, NULL)]++;
      cases++;
    }
  for (int n = 7; n <= 8; n++)
    for (int r = 0; r < 12; r++) {
      int q[4];
      random_spin_double(n, &rng, q);
      check_spin_double(n, q, &rng, &worst);
      cases++;
    }
  const int all8[4] = { 4, 6, 2, 0 }, gap[4] = { 5, 5, 0, 2 };   /* four orbitals; spectator qubit 4 */
  check_spin_double(8, all8, &rng, &worst);
  check_spin_double(7, gap, &rng, &worst);
  CU_ASSERT_EQUAL(vqe_spin_double_parts(all8, NULL), 4);
  CU_ASSERT(parts_seen[1] > 0 && parts_seen[2] > 0);
  fprintf(stderr, "\n  SPIN_DOUBLE: %d placements, worst error %.2e\n", cases + 2, worst);
  /* bad placements are refused */
  vqe_circuit c;
  vqe_circuit_init(&c, 8);
  vqe_error err;
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = VQE_GATE_SPIN_DOUBLE;
  g.angle[0] = vqe_angle_param(0, 1.0);
  const int over[4] = { 2, 3, 0, 5 }, same[4] = { 2, 4, 2, 0 }, out[4] = { 7, 2, 0, 4 };
  memcpy(g.q, over, sizeof over);
  CU_ASSERT_EQUAL(vqe_circuit_add(&c, &g, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "overlap");
  memcpy(g.q, same, sizeof same);
  CU_ASSERT_EQUAL(vqe_circuit_add(&c, &g, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "both created and annihilated");
  memcpy(g.q, out, sizeof out);
  CU_ASSERT_EQUAL(vqe_circuit_add(&c, &g, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "outside");
  memcpy(g.q, all8, sizeof all8);
  g.x = 0x10;
  CU_ASSERT_EQUAL(vqe_circuit_add(&c, &g, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "4 spectral parts");
  g.x = 0x5;
  CU_ASSERT_EQUAL(vqe_circuit_add(&c, &g, &err), VQE_OK);
  char *txt = vqe_circuit_to_text(&c, NULL);
  TU_ASSERT_CONTAINS(txt, "SPIN_DOUBLE   q4,q6,q2,q0 parts 0x5");
  free(txt);
  vqe_circuit_stats st;
  vqe_circuit_get_stats(&c, &st);
  CU_ASSERT_EQUAL(st.n_multi, 1);
  vqe_circuit_free(&c);
}

/* A random circuit using every kind, several parameters shared with coefficients and offsets. */
static void random_circuit(vqe_circuit *c, int n, int n_gates, int n_params, vqe_rng *rng, int only_dense)
{
  vqe_circuit_init(c, n);
  for (int i = 0; i < n_gates; i++) {
    vqe_gate g;
    memset(&g, 0, sizeof g);
    int kind;
    do {
      kind = (int)(vqe_rng_u64(rng) % VQE_GATE_COUNT);
    } while (gate_k((vqe_gate_kind)kind) > n ||
             (only_dense && (kind == VQE_GATE_FERMI_SINGLE || kind == VQE_GATE_FERMI_DOUBLE ||
                             kind == VQE_GATE_ORBITAL_ROT || kind == VQE_GATE_GATE_FABRIC_Q ||
                             kind == VQE_GATE_SPIN_DOUBLE)));
    g.kind = (vqe_gate_kind)kind;
    int used[64] = { 0 };
    if (kind == VQE_GATE_SPIN_DOUBLE) {
      random_spin_double(n, rng, g.q);
      g.x = vqe_rng_uniform(rng) < 0.3;      /* sometimes only the first spectral part */
    }
    for (int j = 0; j < gate_k(g.kind) && kind != VQE_GATE_SPIN_DOUBLE; j++) {
      int v;
      do v = (int)(vqe_rng_u64(rng) % (uint64_t)n); while (used[v]);
      used[v] = 1;
      g.q[j] = v;
    }
    if (kind == VQE_GATE_PAULI_ROT) {
      const uint64_t all = (UINT64_C(1) << n) - 1;
      g.x = vqe_rng_u64(rng) & vqe_rng_u64(rng) & all;
      g.z = vqe_rng_u64(rng) & vqe_rng_u64(rng) & all;
      if (!(g.x | g.z)) g.z = UINT64_C(1) << (vqe_rng_u64(rng) % (uint64_t)n);
    }
    for (int a = 0; a < 3; a++) {
      if (vqe_rng_uniform(rng) < 0.25) g.angle[a] = vqe_angle_fixed(vqe_rng_uniform(rng) * 3);
      else {
        g.angle[a] = vqe_angle_param((int)(vqe_rng_u64(rng) % (uint64_t)n_params), vqe_rng_uniform(rng) * 2 - 1);
        g.angle[a].offset = vqe_rng_uniform(rng) - 0.5;
      }
    }
    CU_ASSERT_EQUAL_FATAL(vqe_circuit_add(c, &g, NULL), VQE_OK);
  }
}

/* Hardware-efficient layer: RY, RZ on every qubit, then a CNOT ladder. */
static void hea_circuit(vqe_circuit *c, int n, int layers)
{
  vqe_circuit_init(c, n);
  int p = 0;
  for (int l = 0; l < layers; l++) {
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

/* Gates on far qubits (>= 10 in the test build, >= 24 otherwise) run chunk by chunk in a buffer (gates.c;
 * 1-qubit gates and CNOT on a split state or tile by tile, kernels.c).
 * Check: a random circuit C on the window of qubits w..n−1 applied to ψ equals the same circuit on
 * qubits 0..n−w−1 applied to the state whose qubits are rotated down by w (qubit q → (q − w) mod n), for
 * every kind (Jordan-Wigner strings stay inside the window), forwards and inverted, 1 and 2 threads. */
static uint64_t rot_bits(uint64_t b, int w, int n)
{
  const uint64_t all = (UINT64_C(1) << n) - 1;
  return ((b >> w) | (b << (n - w))) & all;
}

static void test_far_gates(void)
{
  const int n = 12, w = 6, saved = omp_get_max_threads();
  vqe_rng rng;
  vqe_rng_seed(&rng, 2026);
  double worst = 0;
  for (int rep = 0; rep < 8; rep++) {
    setenv("VQE_NO_FAR_SPLIT", rep < 4 ? "0" : "1", 1);   /* 1-qubit gates, CNOT: split, then tiled */
    vqe_circuit c6, hi, lo;
    random_circuit(&c6, n - w, 80, 7, &rng, 0);
    vqe_circuit_init(&hi, n);
    vqe_circuit_init(&lo, n);
    for (size_t i = 0; i < c6.n_gates; i++) {
      vqe_gate g = c6.gates[i];
      CU_ASSERT_EQUAL_FATAL(vqe_circuit_add(&lo, &g, NULL), VQE_OK);
      for (int j = 0; j < 4; j++) g.q[j] += w;
      if (g.kind == VQE_GATE_PAULI_ROT) { g.x <<= w; g.z <<= w; }
      CU_ASSERT_EQUAL_FATAL(vqe_circuit_add(&hi, &g, NULL), VQE_OK);
    }
    double th[7];
    for (int i = 0; i < 7; i++) th[i] = vqe_rng_uniform(&rng) * 4 - 2;
    vqe_statevec psi, phi;
    random_state(&psi, n, &rng);
    vqe_statevec_init(&phi, n, NULL);
    for (uint64_t b = 0; b < psi.dim; b++) phi.amp[rot_bits(b, w, n)] = psi.amp[b];
    omp_set_num_threads(1 + rep % 2);
    if (rep % 4 < 2) {
      CU_ASSERT_EQUAL(vqe_circuit_apply(&hi, th, &psi, NULL), VQE_OK);
      CU_ASSERT_EQUAL(vqe_circuit_apply(&lo, th, &phi, NULL), VQE_OK);
    } else {
      CU_ASSERT_EQUAL(vqe_circuit_apply_inverse(&hi, th, &psi, NULL), VQE_OK);
      CU_ASSERT_EQUAL(vqe_circuit_apply_inverse(&lo, th, &phi, NULL), VQE_OK);
    }
    for (uint64_t b = 0; b < psi.dim; b++) {
      const double e = cabs(phi.amp[rot_bits(b, w, n)] - psi.amp[b]);
      if (e > worst) worst = e;
    }
    vqe_statevec_free(&psi);
    vqe_statevec_free(&phi);
    vqe_circuit_free(&c6);
    vqe_circuit_free(&hi);
    vqe_circuit_free(&lo);
  }
  unsetenv("VQE_NO_FAR_SPLIT");
  omp_set_num_threads(saved);
  CU_ASSERT(worst <= 1e-12);
}

static void test_fused_equals_unfused(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 99);
  const int ns[7] = { 2, 5, 9, 10, 11, 12, 13 };
  double worst = 0;
  for (int t = 0; t < 7; t++) {
    const int n = ns[t];
    for (int rep = 0; rep < 3; rep++) {
      vqe_circuit c;
      if (rep == 0) hea_circuit(&c, n, 2);
      else random_circuit(&c, n, 60, 7, &rng, rep == 1);
      double th[64];
      for (int i = 0; i < 64; i++) th[i] = vqe_rng_uniform(&rng) * 4 - 2;
      vqe_statevec a, b;
      random_state(&a, n, &rng);
      vqe_statevec_init(&b, n, NULL);
      vqe_statevec_copy(&b, &a, NULL);
      CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &a, NULL), VQE_OK);
      for (int F = 1; F <= 4; F++)
        for (int B = 0; B <= 11; B += B == 8 ? 3 : 8) {   /* off; 8; 11 (> the L1 sub-blocks' 10) */
          vqe_statevec s;
          vqe_statevec_init(&s, n, NULL);
          vqe_statevec_copy(&s, &b, NULL);
          vqe_fuse_options o = { F, B };
          vqe_fused *f = NULL;
          vqe_error err;
          CU_ASSERT_EQUAL_FATAL(vqe_circuit_fuse(&c, th, &o, &f, &err), VQE_OK);
          CU_ASSERT_EQUAL(vqe_fused_apply(f, &s, &err), VQE_OK);
          vqe_fused_stats fs;
          vqe_fused_get_stats(f, &fs);
          CU_ASSERT_EQUAL(fs.n_gates_in, c.n_gates);
          CU_ASSERT(fs.n_ops <= 3 * c.n_gates);
          const double e = sv_diff2(&s, &a);
          if (e > worst) worst = e;
          if (e > 1e-11) fprintf(stderr, "\n  fused n=%d rep=%d F=%d B=%d: error %.2e\n", n, rep, F, B, e);
          CU_ASSERT(e <= 1e-11);
          vqe_fused_destroy(f);
          vqe_statevec_free(&s);
        }
      vqe_statevec_free(&a);
      vqe_statevec_free(&b);
      vqe_circuit_free(&c);
    }
  }
  /* the layer's RYs run as scaled rotations f·[[1, −t], [t, 1]] or f·[[t, −1], [1, t]] (|t| <= 1): angles
   * at and around the switch (θ = ±π/2), where cos θ/2 = 0 (±π) or sin θ/2 = 0 (0, 2π), and tiny ones */
  const double special[12] = { 0, M_PI, -M_PI, M_PI / 2, -M_PI / 2, M_PI / 2 + 1e-12, 2 * M_PI, 1e-9,
                                -3.1, 2.9, 7.0, -5.5 };
  for (int n = 11; n <= 13; n++)
    for (int L = 1; L <= 2; L++) {   /* one layer: runs holding a single permutation */
    vqe_circuit c;
    hea_circuit(&c, n, L);
    double th[52];
    for (int i = 0; i < 2 * L * n; i++) th[i] = special[(i / 2 + i % 2 * 5 + n) % 12];
    vqe_statevec a, s;
    random_state(&a, n, &rng);
    vqe_statevec_init(&s, n, NULL);
    vqe_statevec_copy(&s, &a, NULL);
    CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &a, NULL), VQE_OK);
    for (int B = 8; B <= 11; B++) {
      vqe_statevec t;
      vqe_statevec_init(&t, n, NULL);
      vqe_statevec_copy(&t, &s, NULL);
      vqe_fuse_options o = { 1, B };
      CU_ASSERT_EQUAL(vqe_circuit_apply_fused(&c, th, &o, &t, NULL), VQE_OK);
      const double e = sv_diff2(&t, &a);
      if (e > worst) worst = e;
      CU_ASSERT(e <= 1e-12);
      vqe_statevec_free(&t);
    }
    vqe_statevec_free(&a);
    vqe_statevec_free(&s);
    vqe_circuit_free(&c);
  }
  /* a fused, cache-blocked HEA layer makes few passes */
  vqe_circuit c;
  hea_circuit(&c, 20, 1);
  double th[40];
  for (int i = 0; i < 40; i++) th[i] = 0.1 * i;
  vqe_fused *f;
  CU_ASSERT_EQUAL_FATAL(vqe_circuit_fuse(&c, th, NULL, &f, NULL), VQE_OK);
  vqe_fused_stats fs;
  vqe_fused_get_stats(f, &fs);
  fprintf(stderr, "\n  HEA layer n=20: %zu gates -> %zu ops, %zu passes (worst fused error %.2e)\n",
          fs.n_gates_in, fs.n_ops, fs.n_passes, worst);
  CU_ASSERT(fs.n_passes <= 4);
  vqe_fused_destroy(f);
  vqe_circuit_free(&c);
}

/* Adjoint gradient per the recipe in circuit.h vs central differences of the energy. */
static void test_adjoint_walk(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 2024);
  const int n = 5, np = 6;
  vqe_circuit c;
  random_circuit(&c, n, 40, np, &rng, 0);
  vqe_pauli_sum h;
  vqe_pauli_sum_init(&h, n);
  for (int t = 0; t < 30; t++)
    vqe_pauli_sum_add(&h, vqe_rng_u64(&rng) & 31, vqe_rng_u64(&rng) & 31, vqe_rng_uniform(&rng) - 0.5, NULL);
  /* make every term Hermitian-real: real coefficients on P are Hermitian already */
  double th[6];
  for (int i = 0; i < np; i++) th[i] = vqe_rng_uniform(&rng) * 2 - 1;
  vqe_statevec v[3];
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init_many(v, 3, n, NULL), VQE_OK);
  vqe_statevec *phi = &v[0], *lam = &v[1], *mu = &v[2];
  vqe_statevec_set_basis(phi, 0x5, NULL);
  vqe_statevec_apply_1q(phi, 1, (const vqe_complex[4]){ 0.6, 0.8, 0.8, -0.6 }, NULL);
  vqe_statevec psi0;
  vqe_statevec_init(&psi0, n, NULL);
  vqe_statevec_copy(&psi0, phi, NULL);
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, phi, NULL), VQE_OK);
  CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(phi, &h, lam, NULL), VQE_OK);
  double grad[6] = { 0 };
  for (size_t i = c.n_gates; i-- > 0;) {
    const vqe_gate *g = &c.gates[i];
    for (int a = 0; a < vqe_gate_info_of(g->kind)->n_angles; a++) {
      if (g->angle[a].param < 0) continue;
      vqe_statevec_copy(mu, phi, NULL);
      CU_ASSERT_EQUAL(vqe_circuit_apply_generator(&c, i, a, th, mu, NULL), VQE_OK);
      grad[g->angle[a].param] += 2 * g->angle[a].coeff * cimag(vqe_statevec_inner(lam, mu));
    }
    vqe_circuit_apply_gate_inverse(&c, i, th, phi, NULL);
    vqe_circuit_apply_gate_inverse(&c, i, th, lam, NULL);
  }
  CU_ASSERT(sv_diff2(phi, &psi0) <= 1e-12);   /* the walk returns to the start */
  for (int k = 0; k < np; k++) {
    double e[2];
    for (int sgn = 0; sgn < 2; sgn++) {
      double tt[6];
      memcpy(tt, th, sizeof tt);
      tt[k] += sgn ? -1e-5 : 1e-5;
      vqe_statevec_copy(mu, &psi0, NULL);
      vqe_circuit_apply(&c, tt, mu, NULL);
      vqe_statevec_expect_pauli_sum(mu, &h, &e[sgn], NULL);
    }
    TU_ASSERT_CLOSE(grad[k], (e[0] - e[1]) / 2e-5, 1e-8);
  }
  for (int i = 0; i < 3; i++) vqe_statevec_free(&v[i]);
  vqe_statevec_free(&psi0);
  vqe_pauli_sum_free(&h);
  vqe_circuit_free(&c);
}

/* The blocked backward walk (vqe_circuit_adjoint_run: runs of gates cache block by cache block) gives
 * the gate-by-gate gradient to rounding, returns the states to the start, and does not depend on the
 * thread count; so does the evaluator's adjoint gradient that uses it. Every gate kind, shared
 * parameters with coefficients, wide gates that fall back to the gate-by-gate path. n = 17 takes the
 * blocked path in every build (blocks of 2^14), n = 9 and 12 in the test build (2^6). */
static int blocked_walk(const vqe_circuit *c, const double *th, vqe_statevec *phi, vqe_statevec *lam,
                        vqe_statevec *mu, double *grad)
{
  int runs = 0;
  unsigned char done[256] = { 0 };
  CU_ASSERT_FATAL(c->n_gates <= sizeof done);
  size_t top = c->n_gates;
  while (top > 0) {
    if (done[top - 1]) { top--; continue; }
    size_t walked;
    CU_ASSERT_EQUAL_FATAL(vqe_circuit_adjoint_run(c, th, top - 1, 0, done, phi, lam, grad, &walked, NULL), VQE_OK);
    if (walked) { runs++; continue; }
    const size_t i = --top;
    const vqe_gate *g = &c->gates[i];
    for (int a = 0; a < vqe_gate_info_of(g->kind)->n_angles; a++) {
      if (g->angle[a].param < 0) continue;
      vqe_statevec_copy(mu, phi, NULL);
      CU_ASSERT_EQUAL(vqe_circuit_apply_generator(c, i, a, th, mu, NULL), VQE_OK);
      grad[g->angle[a].param] += 2 * g->angle[a].coeff * cimag(vqe_statevec_inner(lam, mu));
    }
    vqe_circuit_apply_gate_inverse(c, i, th, phi, NULL);
    vqe_circuit_apply_gate_inverse(c, i, th, lam, NULL);
  }
  return runs;
}

static void test_adjoint_blocked(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 77);
  const int saved = omp_get_max_threads(), ns[3] = { 9, 12, 17 };
  double worst = 0, worst_ev = 0;
  int blocked_runs = 0;
  for (int t = 0; t < 3; t++) {
    const int n = ns[t], np = 7;
    for (int rep = 0; rep < 2; rep++) {
      vqe_circuit c;
      random_circuit(&c, n, n == 17 ? 50 : 80, np, &rng, 0);
      if (rep == 1) {   /* and a hardware-efficient tail: long runs of 1- and 2-qubit gates */
        for (int q = 0; q < n; q++) {
          vqe_circuit_add_param(&c, VQE_GATE_RY, &q, q % np, 0.7, NULL);
          vqe_circuit_add_param(&c, VQE_GATE_RZ, &q, (q + 3) % np, -1.1, NULL);
        }
        for (int q = 0; q + 1 < n; q++) vqe_circuit_add_fixed(&c, VQE_GATE_CNOT, (const int[2]){ q, q + 1 }, NULL, NULL);
      }
      vqe_pauli_sum h;
      vqe_pauli_sum_init(&h, n);
      const uint64_t all = (UINT64_C(1) << n) - 1;
      for (int k = 0; k < 25; k++)
        vqe_pauli_sum_add(&h, vqe_rng_u64(&rng) & vqe_rng_u64(&rng) & all, vqe_rng_u64(&rng) & all,
                          vqe_rng_uniform(&rng) - 0.5, NULL);
      double th[7];
      for (int i = 0; i < np; i++) th[i] = vqe_rng_uniform(&rng) * 4 - 2;
      vqe_statevec v[3], psi0;
      CU_ASSERT_EQUAL_FATAL(vqe_statevec_init_many(v, 3, n, NULL), VQE_OK);
      random_state(&psi0, n, &rng);
      double gref[7] = { 0 }, gblk[2][7] = { { 0 } };
      for (int mode = 0; mode < 3; mode++) {   /* gate by gate; blocked with 1 thread; blocked with 2 */
        if (mode == 0) setenv("VQE_NO_BLOCKED_ADJOINT", "1", 1);
        omp_set_num_threads(mode == 2 ? 2 : 1);
        vqe_statevec_copy(&v[0], &psi0, NULL);
        CU_ASSERT_EQUAL(vqe_circuit_apply(&c, th, &v[0], NULL), VQE_OK);
        CU_ASSERT_EQUAL(vqe_statevec_apply_pauli_sum(&v[0], &h, &v[1], NULL), VQE_OK);
        const int runs = blocked_walk(&c, th, &v[0], &v[1], &v[2], mode ? gblk[mode - 1] : gref);
        if (mode == 0) CU_ASSERT_EQUAL(runs, 0);
        if (mode == 1) blocked_runs += runs;
        CU_ASSERT(sv_diff2(&v[0], &psi0) <= 1e-12);   /* back at the start */
        unsetenv("VQE_NO_BLOCKED_ADJOINT");
      }
      for (int k = 0; k < np; k++) {
        const double e = fabs(gblk[0][k] - gref[k]);
        if (e > worst) worst = e;
        CU_ASSERT(e <= 1e-11);
        CU_ASSERT(gblk[0][k] == gblk[1][k]);   /* thread count: bitwise */
      }
      /* the evaluator's adjoint gradient (its own cross products for the gate-by-gate gates) */
      vqe_evaluator *ev;
      CU_ASSERT_EQUAL_FATAL(vqe_evaluator_create(&c, 0x5, &h, NULL, &ev, NULL), VQE_OK);
      double ge[3][7], ee[3];
      for (int mode = 0; mode < 3; mode++) {
        if (mode == 0) setenv("VQE_NO_BLOCKED_ADJOINT", "1", 1);
        omp_set_num_threads(mode == 2 ? 2 : 1);
        CU_ASSERT_EQUAL(vqe_gradient(ev, th, VQE_GRADIENT_ADJOINT, &ee[mode], ge[mode], NULL), VQE_OK);
        unsetenv("VQE_NO_BLOCKED_ADJOINT");
      }
      for (int k = 0; k < np; k++) {
        const double e = fabs(ge[1][k] - ge[0][k]);
        if (e > worst_ev) worst_ev = e;
        CU_ASSERT(e <= 1e-11);
        CU_ASSERT(ge[1][k] == ge[2][k]);
      }
      CU_ASSERT(ee[0] == ee[1]);
      vqe_evaluator_destroy(ev);
      for (int i = 0; i < 3; i++) vqe_statevec_free(&v[i]);
      vqe_statevec_free(&psi0);
      vqe_pauli_sum_free(&h);
      vqe_circuit_free(&c);
    }
  }
  omp_set_num_threads(saved);
  fprintf(stderr, "\n  blocked adjoint: %d runs walked block by block, worst |blocked - gate by gate| %.1e (walk), %.1e (evaluator)\n",
          blocked_runs, worst, worst_ev);
  CU_ASSERT(blocked_runs >= 2);
}

static void test_text_and_stats(void)
{
  vqe_circuit c;
  vqe_circuit_init(&c, 4);
  const int q0 = 0, q2 = 2, cn[2] = { 0, 1 }, cz[2] = { 2, 3 }, ex[4] = { 0, 1, 2, 3 };
  vqe_circuit_add_fixed(&c, VQE_GATE_H, &q0, NULL, NULL);
  vqe_circuit_add_param(&c, VQE_GATE_RY, &q2, 3, 0.5, NULL);
  vqe_circuit_add_fixed(&c, VQE_GATE_CNOT, cn, NULL, NULL);
  vqe_circuit_add_fixed(&c, VQE_GATE_CZ, cz, NULL, NULL);
  vqe_circuit_add_pauli_rot(&c, 0x3, 0x6, vqe_angle_param(1, 1.0), NULL);
  vqe_circuit_add_param(&c, VQE_GATE_FERMI_DOUBLE, ex, 0, -1.0, NULL);
  CU_ASSERT_EQUAL(c.n_params, 4);
  vqe_circuit_stats st;
  vqe_circuit_get_stats(&c, &st);
  CU_ASSERT_EQUAL(st.n_gates, 6);
  CU_ASSERT_EQUAL(st.n_1q, 2);
  CU_ASSERT_EQUAL(st.n_2q, 2);
  CU_ASSERT_EQUAL(st.n_multi, 2);
  CU_ASSERT_EQUAL(st.n_param_gates, 3);
  CU_ASSERT_EQUAL(st.depth, 4);   /* H,RY | CNOT,CZ | PAULI_ROT | FERMI_DOUBLE */
  const double th[4] = { 0.1, 0.2, 0.3, 0.4 };
  char *txt = vqe_circuit_to_text(&c, th);
  CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
  TU_ASSERT_CONTAINS(txt, "RY");
  TU_ASSERT_CONTAINS(txt, "0.5*theta[3] = 0.2000000000");
  TU_ASSERT_CONTAINS(txt, "CNOT          q0,q1");
  TU_ASSERT_CONTAINS(txt, "X0 Y1 Z2");
  TU_ASSERT_CONTAINS(txt, "FERMI_DOUBLE");
  int lines = 0;
  for (const char *p = txt; *p; p++) lines += *p == '\n';
  CU_ASSERT_EQUAL(lines, 6);
  free(txt);
  vqe_circuit d;
  CU_ASSERT_EQUAL(vqe_circuit_copy(&d, &c, NULL), VQE_OK);
  CU_ASSERT_EQUAL(vqe_circuit_append(&d, &c, NULL), VQE_OK);
  CU_ASSERT_EQUAL(d.n_gates, 12);
  vqe_circuit_free(&d);
  vqe_circuit_free(&c);
}

static void test_errors(void)
{
  vqe_circuit c;
  vqe_circuit_init(&c, 3);
  vqe_error err;
  const int bad[2] = { 0, 3 }, dup[2] = { 1, 1 };
  CU_ASSERT_EQUAL(vqe_circuit_add_fixed(&c, VQE_GATE_CNOT, bad, NULL, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "qubit 3 is outside");
  TU_ASSERT_CONTAINS(err.msg, "allowed: 0 to 2");
  CU_ASSERT_EQUAL(vqe_circuit_add_fixed(&c, VQE_GATE_SWAP, dup, NULL, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "appears twice");
  CU_ASSERT_EQUAL(vqe_circuit_add_pauli_rot(&c, 0, 0, vqe_angle_fixed(1), &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "identity");
  CU_ASSERT_EQUAL(vqe_circuit_add_pauli_rot(&c, 0x8, 0, vqe_angle_fixed(1), &err), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(vqe_circuit_add_fixed(&c, VQE_GATE_RX, bad, NULL, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "needs 1 angle");
  CU_ASSERT_EQUAL(vqe_circuit_add_param(&c, VQE_GATE_U3, bad, 0, 1, &err), VQE_ERR_INPUT);
  vqe_gate_kind k;
  CU_ASSERT_EQUAL(vqe_gate_lookup("cnot", &k, &err), VQE_OK);
  CU_ASSERT_EQUAL(k, VQE_GATE_CNOT);
  CU_ASSERT_EQUAL(vqe_gate_lookup("toffoli", &k, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "unknown gate 'toffoli'");
  const int q = 1;
  CU_ASSERT_EQUAL(vqe_circuit_add_param(&c, VQE_GATE_RZ, &q, 2, 1.0, &err), VQE_OK);
  CU_ASSERT_EQUAL(c.n_params, 3);
  vqe_statevec s;
  vqe_statevec_init(&s, 4, NULL);
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, (const double[3]){ 0, 0, 0 }, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "circuit of 3 qubits run on a state of 4");
  vqe_statevec_free(&s);
  vqe_statevec_init(&s, 3, NULL);
  CU_ASSERT_EQUAL(vqe_circuit_apply(&c, NULL, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "no parameter vector");
  CU_ASSERT_EQUAL(vqe_circuit_apply_generator(&c, 0, 1, (const double[3]){ 0, 0, 0 }, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "has no angle 1");
  CU_ASSERT_EQUAL(vqe_circuit_apply_gate(&c, 5, (const double[3]){ 0, 0, 0 }, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "gate index 5");
  vqe_fuse_options o = { 5, 14 };
  vqe_fused *f;
  CU_ASSERT_EQUAL(vqe_circuit_fuse(&c, (const double[3]){ 0, 0, 0 }, &o, &f, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "max_fused_qubits 5");
  /* the blocked adjoint walk: states of another size, a top gate out of range or walked already */
  vqe_statevec s4;
  vqe_statevec_init(&s4, 4, NULL);
  unsigned char done[16] = { 0 };
  double gr[3] = { 0 };
  size_t walked = 7;
  CU_ASSERT_FATAL(c.n_gates >= 1 && c.n_gates < sizeof done);
  CU_ASSERT_EQUAL(vqe_circuit_adjoint_run(&c, (const double[3]){ 0, 0, 0 }, 0, 0, done, &s, &s4, gr, &walked, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "the circuit's 3 qubits");
  CU_ASSERT_EQUAL(walked, 0);
  CU_ASSERT_EQUAL(vqe_circuit_adjoint_run(&c, (const double[3]){ 0, 0, 0 }, c.n_gates, 0, done, &s, &s, gr, &walked, &err),
                  VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "top gate");
  done[0] = 1;
  CU_ASSERT_EQUAL(vqe_circuit_adjoint_run(&c, (const double[3]){ 0, 0, 0 }, 0, 0, done, &s, &s, gr, &walked, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "not one still to walk");
  vqe_statevec_free(&s4);
  vqe_statevec_free(&s);
  vqe_circuit_free(&c);
}

static void test_threads_identical(void)
{
  vqe_rng rng;
  vqe_rng_seed(&rng, 7);
  const int n = 12;
  vqe_circuit c;
  random_circuit(&c, n, 80, 5, &rng, 0);
  double th[5] = { 0.3, -1.2, 0.8, 2.0, -0.4 };
  vqe_statevec r[4];
  const int saved = omp_get_max_threads();
  for (int t = 0; t < 2; t++) {
    omp_set_num_threads(t + 1);
    vqe_rng rr;
    vqe_rng_seed(&rr, 3);
    random_state(&r[2 * t], n, &rr);
    vqe_statevec_init(&r[2 * t + 1], n, NULL);
    vqe_statevec_copy(&r[2 * t + 1], &r[2 * t], NULL);
    vqe_circuit_apply(&c, th, &r[2 * t], NULL);
    vqe_fuse_options o = { 2, 8 };
    vqe_circuit_apply_fused(&c, th, &o, &r[2 * t + 1], NULL);
    vqe_circuit_apply_generator(&c, 3, 0, th, &r[2 * t + 1], NULL);
  }
  omp_set_num_threads(saved);
  CU_ASSERT(sv_diff2(&r[0], &r[2]) <= 1e-12);
  CU_ASSERT(sv_diff2(&r[1], &r[3]) <= 1e-12);
  for (int i = 0; i < 4; i++) vqe_statevec_free(&r[i]);
  vqe_circuit_free(&c);
}

int main(void)
{
  static const tu_test tests[] = {
    { "every gate on every position, n = 1..6, vs dense reference (+ inverse, generator)", test_every_gate_every_position },
    { "gate matrices vs reference; unitarity", test_gate_matrix_and_unitarity },
    { "OrbitalRotation matches PennyLane's documented example", test_orbital_rotation_pennylane_example },
    { "SPIN_DOUBLE vs dense a+/a generator, every placement; spectral parts", test_spin_double },
    { "fused / cache-blocked circuit equals unfused", test_fused_equals_unfused },
    { "gates on far qubits (chunked) equal the same gates on low qubits", test_far_gates },
    { "adjoint walk gradient equals finite differences", test_adjoint_walk },
    { "blocked adjoint walk = gate by gate, any thread count", test_adjoint_blocked },
    { "text output and counts", test_text_and_stats },
    { "error paths", test_errors },
    { "1 thread and 2 threads give the same state", test_threads_identical },
    { NULL, NULL }
  };
  return tu_run_suite("circuit", tests);
}
