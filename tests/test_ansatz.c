/* test_ansatz.c — ansatz.h and the evaluator of vqe_run.h: family table, parameter and gate counts,
 * conservation of N, S_z, S² at random parameters, identity initialisation, the N/S_z/S² kernels
 * against Pauli sums and known states, and adjoint = parameter-shift = finite-difference gradients
 * for every ansatz (and with penalties). */
#include "testutil.h"
#include <string.h>
#include <stdlib.h>

static vqe_ansatz_spec spec_of(vqe_ansatz_kind k, int norb, int na, int nb, int layers)
{
  vqe_ansatz_spec s;
  vqe_ansatz_spec_default(&s);
  s.kind = k; s.norb = norb; s.n_alpha = na; s.n_beta = nb; s.layers = layers;
  return s;
}

static int n_params_of(vqe_ansatz_spec s)
{
  vqe_ansatz a;
  vqe_error e = {0};
  vqe_status st = vqe_ansatz_build(&s, &a, &e);
  if (st) fprintf(stderr, "\n  build: %s\n", e.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  int n = st ? -1 : a.n_params;
  vqe_ansatz_free(&a);
  return n;
}

static void test_table(void)
{
  CU_ASSERT_PTR_NOT_NULL(vqe_ansatz_find("uccsd"));
  CU_ASSERT_PTR_NOT_NULL(vqe_ansatz_find("GateFabric"));
  CU_ASSERT_PTR_NULL(vqe_ansatz_find("uccsdt"));
  int rows = 0;
  for (int k = 0; vqe_ansatze[k].name; k++) {
    rows++;
    CU_ASSERT_PTR_NOT_NULL(vqe_ansatze[k].build);
    CU_ASSERT(strlen(vqe_ansatze[k].reference) > 10);
    CU_ASSERT_PTR_EQUAL(vqe_ansatz_info_of(vqe_ansatze[k].kind), &vqe_ansatze[k]);
  }
  CU_ASSERT_EQUAL(rows, 5);
  CU_ASSERT_PTR_NOT_NULL(vqe_ansatz_find("SA-UCCSD"));
  CU_ASSERT_EQUAL(vqe_ansatz_find("sa-uccsd")->conserves_s2, 1);
  CU_ASSERT_EQUAL(vqe_ansatz_find("sa-uccsd")->uses_layers, 0);
  CU_ASSERT_EQUAL(vqe_ansatz_find("uccsd")->uses_layers, 0);
  CU_ASSERT_EQUAL(vqe_ansatz_find("hea")->uses_layers, 1);
}

static void test_counts(void)
{
  /* UCCSD with untied amplitudes: the n_params of tests/data/vqe_reference.json */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_UCCSD, 2, 1, 1, 1)), 3);     /* H2 */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_UCCSD, 6, 2, 2, 1)), 92);    /* LiH */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_UCCSD, 5, 1, 1, 1)), 24);    /* LiH fc1 */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_UCCSD, 7, 5, 5, 1)), 140);   /* H2O */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_UCCSD, 8, 5, 5, 1)), 315);   /* N2 fc2 */
  /* spin-adapted UCCSD, closed shells: ov singles + ov(ov+1)/2 doubles */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_SA_UCCSD, 2, 1, 1, 1)), 2);    /* H2 */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_SA_UCCSD, 6, 2, 2, 1)), 44);   /* LiH */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_SA_UCCSD, 5, 1, 1, 1)), 14);   /* LiH fc1 */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_SA_UCCSD, 7, 5, 5, 1)), 65);   /* H2O */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_SA_UCCSD, 8, 5, 5, 1)), 135);  /* N2 fc2 */
  /* open shell (2 alpha, 1 beta in 3 orbitals): O = {0, 1}, V = {1, 2}; pairs (a, i) with E_ai|ref> != 0:
   * (1,0) (through beta), (2,0), (2,1). Doubles: {(1,0),(2,0)}, {(2,0),(2,0)}, {(2,0),(2,1)};
   * {(1,0),(1,0)} and {(2,1),(2,1)} vanish on the reference, {(1,0),(2,1)} creates and annihilates
   * orbital 1 (excluded: see ansatz.h) */
  size_t ns, nd;
  int sg[64], db[128];
  vqe_sa_uccsd_excitations(3, 2, 1, sg, &ns, db, &nd);
  CU_ASSERT_EQUAL(ns, 3);
  CU_ASSERT_EQUAL(nd, 3);
  CU_ASSERT(sg[0] == 1 && sg[1] == 0 && sg[4] == 2 && sg[5] == 1);
  CU_ASSERT(db[0] == 1 && db[1] == 2 && db[2] == 0 && db[3] == 0);
  CU_ASSERT(db[8] == 2 && db[9] == 2 && db[10] == 1 && db[11] == 0);
  for (size_t k = 0; k < nd; k++) {
    const int a = db[4 * k], b = db[4 * k + 1], j = db[4 * k + 2], i = db[4 * k + 3];
    CU_ASSERT(a != i && a != j && b != i && b != j);
  }
  vqe_sa_uccsd_excitations(2, 1, 1, sg, &ns, db, &nd);
  CU_ASSERT_EQUAL(ns, 1);
  CU_ASSERT_EQUAL(nd, 1);
  CU_ASSERT(db[0] == 1 && db[1] == 1 && db[2] == 0 && db[3] == 0);
  /* HEA: 2n(L+1) */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 1)), 16);
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_HEA, 6, 2, 2, 4)), 120);
  /* k-UpCCGSD: k·M(M−1) */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_KUPCCGSD, 3, 1, 1, 2)), 12);
  /* GateFabric: 2 per block, n/2 − 1 blocks for n multiple of 4 */
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_GATEFABRIC, 2, 1, 1, 3)), 6);
  CU_ASSERT_EQUAL(n_params_of(spec_of(VQE_ANSATZ_GATEFABRIC, 6, 2, 2, 2)), 20);

  vqe_ansatz a;
  vqe_error e = {0};
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 1);
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  CU_ASSERT_EQUAL(a.n_qubits, 4);
  CU_ASSERT_EQUAL(a.stats.n_gates, 19u);
  CU_ASSERT_EQUAL(a.stats.n_2q, 3u);
  CU_ASSERT_EQUAL(a.reference, 0u);
  CU_ASSERT(a.stats.depth >= 7);
  vqe_ansatz_free(&a);
  s.entanglement = VQE_ENTANGLE_FULL;
  s.hf_init = 1;
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  CU_ASSERT_EQUAL(a.stats.n_2q, 6u);
  CU_ASSERT_EQUAL(a.reference, 3u);
  vqe_ansatz_free(&a);
  s = spec_of(VQE_ANSATZ_UCCSD, 3, 2, 1, 1);
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  CU_ASSERT_EQUAL(a.reference, 0x7u);   /* α0 β0 α1 */
  vqe_ansatz_free(&a);
}

static void test_bad_specs(void)
{
  vqe_ansatz a;
  vqe_error e = {0};
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 0);
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "layers");
  s = spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 1);
  s.rotations[0] = VQE_GATE_CNOT;
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "RX, RY, RZ");
  s = spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 1);
  s.entangler = VQE_GATE_SWAP;
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "CNOT, CZ");
  s = spec_of(VQE_ANSATZ_GATEFABRIC, 1, 1, 1, 1);
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "at least 4 qubits");
  s = spec_of(VQE_ANSATZ_UCCSD, 2, 3, 1, 1);
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "do not fit");
  s = spec_of(VQE_ANSATZ_UCCSD, 2, 2, 2, 1);
  CU_ASSERT_EQUAL(vqe_ansatz_build(&s, &a, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "no excitations");
  vqe_ansatz_free(&a);   /* empty after failures */
}

static void random_params(double *t, int n, uint64_t seed, double scale)
{
  vqe_rng r;
  vqe_rng_seed(&r, seed);
  for (int k = 0; k < n; k++) t[k] = scale * (2 * vqe_rng_uniform(&r) - 1);
}

/* Conservation at random parameters, several seeds, closed and open shells. */
static void check_conservation(vqe_ansatz_spec s, int check_s2)
{
  vqe_ansatz a;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  vqe_statevec psi;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&psi, a.n_qubits, &e), VQE_OK);
  double *t = malloc((size_t)a.n_params * sizeof *t);
  double n0 = s.n_alpha + s.n_beta, sz0 = 0.5 * (s.n_alpha - s.n_beta), s20 = sz0 * (sz0 + 1);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    random_params(t, a.n_params, seed, M_PI);
    CU_ASSERT_EQUAL_FATAL(vqe_ansatz_prepare(&a, t, &psi, &e), VQE_OK);
    vqe_spin_observables o;
    CU_ASSERT_EQUAL_FATAL(vqe_spin_observables_compute(&psi, &o, &e), VQE_OK);
    TU_ASSERT_CLOSE(vqe_statevec_norm2(&psi), 1.0, 1e-12);
    TU_ASSERT_CLOSE(o.n, n0, 1e-10);
    TU_ASSERT_CLOSE(o.sz, sz0, 1e-10);
    if (check_s2) TU_ASSERT_CLOSE(o.s2, s20, 1e-10);
  }
  free(t);
  vqe_statevec_free(&psi);
  vqe_ansatz_free(&a);
}

static void test_conservation(void)
{
  check_conservation(spec_of(VQE_ANSATZ_UCCSD, 4, 2, 2, 1), 0);
  check_conservation(spec_of(VQE_ANSATZ_UCCSD, 4, 2, 1, 1), 0);
  check_conservation(spec_of(VQE_ANSATZ_SA_UCCSD, 4, 2, 2, 1), 1);
  check_conservation(spec_of(VQE_ANSATZ_SA_UCCSD, 4, 2, 1, 1), 1);
  check_conservation(spec_of(VQE_ANSATZ_SA_UCCSD, 5, 3, 1, 1), 1);
  vqe_ansatz_spec sf = spec_of(VQE_ANSATZ_SA_UCCSD, 4, 1, 1, 1);
  sf.ucc_order = VQE_UCC_SINGLES_FIRST;
  check_conservation(sf, 1);
  check_conservation(spec_of(VQE_ANSATZ_KUPCCGSD, 4, 2, 2, 2), 1);
  check_conservation(spec_of(VQE_ANSATZ_KUPCCGSD, 4, 2, 1, 2), 1);
  check_conservation(spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 2, 3), 1);
  check_conservation(spec_of(VQE_ANSATZ_GATEFABRIC, 5, 3, 2, 2), 1);
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 2, 2);
  s.include_pi = 1;
  check_conservation(s, 1);
  s.n_alpha = 3;
  check_conservation(s, 1);
}

/* UCCSD with untied amplitudes conserves S² at θ = 0 (and at the optimum, tested in test_vqe_run),
 * not at arbitrary θ: the table says so. */
static void test_uccsd_s2_untied(void)
{
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_UCCSD, 3, 1, 1, 1);
  vqe_ansatz a;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  CU_ASSERT_EQUAL(a.conserves_s2, 0);
  vqe_statevec psi;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&psi, a.n_qubits, &e), VQE_OK);
  double *t = calloc((size_t)a.n_params, sizeof *t);
  vqe_spin_observables o;
  CU_ASSERT_EQUAL(vqe_ansatz_prepare(&a, t, &psi, &e), VQE_OK);
  CU_ASSERT_EQUAL(vqe_spin_observables_compute(&psi, &o, &e), VQE_OK);
  TU_ASSERT_CLOSE(o.s2, 0.0, 1e-14);
  free(t);
  vqe_statevec_free(&psi);
  vqe_ansatz_free(&a);
}

static void test_identity_init(void)
{
  vqe_ansatz_kind kinds[4] = { VQE_ANSATZ_UCCSD, VQE_ANSATZ_KUPCCGSD, VQE_ANSATZ_GATEFABRIC, VQE_ANSATZ_SA_UCCSD };
  for (int k = 0; k < 4; k++) {
    vqe_ansatz_spec s = spec_of(kinds[k], 4, 2, 1, 2);
    vqe_ansatz a;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
    vqe_statevec psi;
    CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&psi, a.n_qubits, &e), VQE_OK);
    double *t = calloc((size_t)a.n_params, sizeof *t);
    CU_ASSERT_EQUAL(vqe_ansatz_prepare(&a, t, &psi, &e), VQE_OK);
    TU_ASSERT_CLOSE(cabs(psi.amp[a.reference]), 1.0, 1e-14);
    TU_ASSERT_CLOSE(creal(psi.amp[a.reference]), 1.0, 1e-14);
    free(t);
    vqe_statevec_free(&psi);
    vqe_ansatz_free(&a);
  }
}

static void test_observables(void)
{
  vqe_error e = {0};
  vqe_statevec psi;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&psi, 8, &e), VQE_OK);
  vqe_spin_observables o;
  /* closed shell α0β0α1β1: N 4, Sz 0, S² 0 */
  vqe_statevec_set_basis(&psi, 0xF, &e);
  vqe_spin_observables_compute(&psi, &o, &e);
  TU_ASSERT_CLOSE(o.n, 4, 1e-14); TU_ASSERT_CLOSE(o.sz, 0, 1e-14); TU_ASSERT_CLOSE(o.s2, 0, 1e-14);
  /* α0β0α1 α2: high-spin open shell Sz 1, S² 2 */
  vqe_statevec_set_basis(&psi, 0x17, &e);
  vqe_spin_observables_compute(&psi, &o, &e);
  TU_ASSERT_CLOSE(o.n, 4, 1e-14); TU_ASSERT_CLOSE(o.sz, 1, 1e-14); TU_ASSERT_CLOSE(o.s2, 2, 1e-14);
  /* α0β0 α1β2 (one β moved up from orbital 1... as a determinant with Sz 0 and 2 open shells): S² 1 */
  vqe_statevec_set_basis(&psi, 0x1 | 0x2 | 0x4 | 0x20, &e);
  vqe_spin_observables_compute(&psi, &o, &e);
  TU_ASSERT_CLOSE(o.s2, 1, 1e-14);
  /* singlet and triplet combinations of the two open-shell determinants |α1β2⟩ ± |β1α2⟩ */
  uint64_t d1 = 0x3 | 0x4 | 0x20, d2 = 0x3 | 0x8 | 0x10;
  /* the two combinations give 0 and 2 (which is which depends on the JW sign convention) */
  memset(psi.amp, 0, psi.dim * sizeof *psi.amp);
  psi.amp[d1] = 1 / sqrt(2.0); psi.amp[d2] = 1 / sqrt(2.0);
  vqe_spin_observables_compute(&psi, &o, &e);
  double a = o.s2;
  psi.amp[d2] = -1 / sqrt(2.0);
  vqe_spin_observables_compute(&psi, &o, &e);
  TU_ASSERT_CLOSE(a + o.s2, 2.0, 1e-12);
  /* random state: N and S_z direct = Pauli sum */
  vqe_rng r;
  vqe_rng_seed(&r, 5);
  vqe_statevec_set_random(&psi, &r);
  vqe_spin_observables_compute(&psi, &o, &e);
  vqe_pauli_sum pn, psz;
  CU_ASSERT_EQUAL_FATAL(vqe_pauli_sum_number(8, &pn, &e), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_pauli_sum_sz(8, &psz, &e), VQE_OK);
  double en, esz;
  CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&psi, &pn, &en, &e), VQE_OK);
  CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&psi, &psz, &esz, &e), VQE_OK);
  TU_ASSERT_CLOSE(o.n, en, 1e-12);
  TU_ASSERT_CLOSE(o.sz, esz, 1e-12);
  /* penalty operator: ⟨ψ|P|ψ⟩ = μN⟨(N−N0)²⟩ + μS⟨S²⟩; with μS only, equals ⟨S²⟩ */
  vqe_statevec out;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&out, 8, &e), VQE_OK);
  memset(out.amp, 0, out.dim * sizeof *out.amp);
  vqe_penalty pen = { 0.0, 0.0, 1.0 };
  CU_ASSERT_EQUAL(vqe_penalty_apply_add(&psi, &pen, &out, &e), VQE_OK);
  TU_ASSERT_CLOSE(creal(vqe_statevec_inner(&psi, &out)), o.s2, 1e-12);
  memset(out.amp, 0, out.dim * sizeof *out.amp);
  pen.mu_s2 = 0; pen.mu_number = 1; pen.n_target = 0;
  CU_ASSERT_EQUAL(vqe_penalty_apply_add(&psi, &pen, &out, &e), VQE_OK);
  double n2 = creal(vqe_statevec_inner(&psi, &out));
  CU_ASSERT(n2 >= o.n * o.n - 1e-12);     /* ⟨N²⟩ ≥ ⟨N⟩² */
  vqe_statevec_free(&out);
  vqe_pauli_sum_free(&pn);
  vqe_pauli_sum_free(&psz);
  /* odd qubit count refused */
  vqe_statevec odd;
  CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&odd, 3, &e), VQE_OK);
  CU_ASSERT_EQUAL(vqe_spin_observables_compute(&odd, &o, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "even number of qubits");
  vqe_statevec_free(&odd);
  vqe_statevec_free(&psi);
}

/* A synthetic Hermitian Pauli sum: random strings with real coefficients. */
static void synthetic_h(int n, int terms, uint64_t seed, vqe_pauli_sum *h)
{
  vqe_rng r;
  vqe_rng_seed(&r, seed);
  vqe_error e = {0};
  vqe_pauli_sum_init(h, n);
  uint64_t mask = (UINT64_C(1) << n) - 1;
  vqe_pauli_sum_add(h, 0, 0, -1.5, &e);
  for (int t = 0; t < terms; t++)
    vqe_pauli_sum_add(h, vqe_rng_u64(&r) & mask, vqe_rng_u64(&r) & mask, vqe_rng_normal(&r), &e);
  vqe_pauli_sum_simplify(h, 0.0);
}

static void check_gradients(vqe_ansatz_spec s, const vqe_penalty *pen, uint64_t seed)
{
  vqe_ansatz a;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  vqe_pauli_sum h;
  synthetic_h(a.n_qubits, 60, seed + 100, &h);
  vqe_evaluator *ev;
  CU_ASSERT_EQUAL_FATAL(vqe_evaluator_create_ansatz(&a, &h, pen, &ev, &e), VQE_OK);
  int n = a.n_params;
  double *t = malloc((size_t)n * sizeof *t), *g0 = malloc((size_t)n * sizeof *t),
         *g1 = malloc((size_t)n * sizeof *t), *g2 = malloc((size_t)n * sizeof *t);
  random_params(t, n, seed, 1.0);
  double e0, e1, e2, eplain;
  CU_ASSERT_EQUAL_FATAL(vqe_gradient(ev, t, VQE_GRADIENT_ADJOINT, &e0, g0, &e), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_gradient(ev, t, VQE_GRADIENT_PARAMETER_SHIFT, &e1, g1, &e), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_gradient(ev, t, VQE_GRADIENT_FINITE_DIFFERENCE, &e2, g2, &e), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_energy(ev, t, &eplain, &e), VQE_OK);
  TU_ASSERT_CLOSE(e0, eplain, 1e-11);
  TU_ASSERT_CLOSE(e1, eplain, 1e-11);
  TU_ASSERT_CLOSE(e2, eplain, 1e-11);
  double gmax = 0;
  for (int k = 0; k < n; k++) {
    TU_ASSERT_CLOSE(g0[k], g1[k], 1e-7);
    TU_ASSERT_CLOSE(g0[k], g2[k], 1e-7);
    if (fabs(g0[k]) > gmax) gmax = fabs(g0[k]);
  }
  CU_ASSERT(gmax > 1e-3);      /* a non-trivial gradient */
  int ne, ng;
  vqe_evaluator_counts(ev, &ne, &ng);
  CU_ASSERT_EQUAL(ne, 1);
  CU_ASSERT_EQUAL(ng, 3);
  free(t); free(g0); free(g1); free(g2);
  vqe_evaluator_destroy(ev);
  vqe_pauli_sum_free(&h);
  vqe_ansatz_free(&a);
}

static void test_gradients_hea(void)
{
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_HEA, 3, 2, 1, 2);
  check_gradients(s, NULL, 1);
  s.entangler = VQE_GATE_CZ; s.entanglement = VQE_ENTANGLE_CIRCULAR; s.hf_init = 1;
  check_gradients(s, NULL, 2);
  s.n_rotations = 3; s.rotations[0] = VQE_GATE_RX; s.rotations[1] = VQE_GATE_RY; s.rotations[2] = VQE_GATE_RZ;
  s.entanglement = VQE_ENTANGLE_FULL;
  check_gradients(s, NULL, 3);
}

static void test_gradients_uccsd(void)
{
  check_gradients(spec_of(VQE_ANSATZ_UCCSD, 3, 1, 1, 1), NULL, 4);
  check_gradients(spec_of(VQE_ANSATZ_UCCSD, 4, 2, 1, 1), NULL, 5);
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_UCCSD, 3, 2, 2, 1);
  s.ucc_order = VQE_UCC_SINGLES_FIRST;
  check_gradients(s, NULL, 6);
}

static void test_gradients_sa_uccsd(void)
{
  /* the doubles include all three SPIN_DOUBLE shapes (a = b and i = j; one pair equal; four distinct
   * orbitals, with four spectral parts for the parameter-shift rule) */
  check_gradients(spec_of(VQE_ANSATZ_SA_UCCSD, 3, 1, 1, 1), NULL, 13);
  check_gradients(spec_of(VQE_ANSATZ_SA_UCCSD, 4, 2, 2, 1), NULL, 14);
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_SA_UCCSD, 4, 2, 1, 1);
  s.ucc_order = VQE_UCC_SINGLES_FIRST;
  check_gradients(s, NULL, 15);
}

static void test_gradients_kupccgsd(void)
{
  check_gradients(spec_of(VQE_ANSATZ_KUPCCGSD, 3, 1, 1, 2), NULL, 7);
  check_gradients(spec_of(VQE_ANSATZ_KUPCCGSD, 4, 2, 1, 1), NULL, 8);
}

static void test_gradients_gatefabric(void)
{
  check_gradients(spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 2, 2), NULL, 9);
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_GATEFABRIC, 3, 2, 1, 2);
  s.include_pi = 1;
  check_gradients(s, NULL, 10);
}

static void test_gradients_penalty(void)
{
  vqe_penalty pen = { 0.7, 3.0, 0.4 };
  check_gradients(spec_of(VQE_ANSATZ_HEA, 3, 2, 1, 1), &pen, 11);
  check_gradients(spec_of(VQE_ANSATZ_UCCSD, 3, 1, 1, 1), &pen, 12);
}

/* The fused forward pass gives the same energies and gradients to rounding, for every ansatz. */
static void test_fused(void)
{
  vqe_ansatz_spec specs[6] = { spec_of(VQE_ANSATZ_HEA, 4, 2, 2, 2), spec_of(VQE_ANSATZ_UCCSD, 4, 2, 1, 1),
                               spec_of(VQE_ANSATZ_KUPCCGSD, 4, 2, 2, 2), spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 2, 2),
                               spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 1, 1), spec_of(VQE_ANSATZ_SA_UCCSD, 4, 2, 2, 1) };
  specs[4].include_pi = 1;
  for (int k = 0; k < 6; k++) {
    vqe_ansatz a;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&specs[k], &a, &e), VQE_OK);
    vqe_pauli_sum h;
    synthetic_h(a.n_qubits, 40, 7 + (uint64_t)k, &h);
    vqe_evaluator *ev;
    CU_ASSERT_EQUAL_FATAL(vqe_evaluator_create_ansatz(&a, &h, NULL, &ev, &e), VQE_OK);
    int n = a.n_params;
    double *t = malloc((size_t)n * sizeof *t), *g0 = malloc((size_t)n * sizeof *t), *g1 = malloc((size_t)n * sizeof *t);
    random_params(t, n, 20 + (uint64_t)k, 1.0);
    double e0, e1, eg0, eg1;
    CU_ASSERT_EQUAL(vqe_energy(ev, t, &e0, &e), VQE_OK);
    CU_ASSERT_EQUAL(vqe_gradient(ev, t, VQE_GRADIENT_ADJOINT, &eg0, g0, &e), VQE_OK);
    vqe_evaluator_set_fused(ev, 1);
    CU_ASSERT_EQUAL(vqe_energy(ev, t, &e1, &e), VQE_OK);
    CU_ASSERT_EQUAL(vqe_gradient(ev, t, VQE_GRADIENT_ADJOINT, &eg1, g1, &e), VQE_OK);
    TU_ASSERT_CLOSE(e0, e1, 1e-11);
    TU_ASSERT_CLOSE(eg0, eg1, 1e-11);
    for (int i = 0; i < n; i++) TU_ASSERT_CLOSE(g0[i], g1[i], 1e-10);
    free(t); free(g0); free(g1);
    vqe_evaluator_destroy(ev);
    vqe_pauli_sum_free(&h);
    vqe_ansatz_free(&a);
  }
}

/* Energies, gradients and observables do not depend on the thread count (bitwise). */
static void test_threads(void)
{
  vqe_ansatz_spec specs[3] = { spec_of(VQE_ANSATZ_HEA, 4, 2, 2, 2), spec_of(VQE_ANSATZ_UCCSD, 4, 2, 2, 1),
                               spec_of(VQE_ANSATZ_GATEFABRIC, 4, 2, 2, 2) };
  int t0 = vqe_get_threads();
  for (int k = 0; k < 3; k++) {
    vqe_ansatz a;
    vqe_error e = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&specs[k], &a, &e), VQE_OK);
    vqe_pauli_sum h;
    synthetic_h(a.n_qubits, 40, 30 + (uint64_t)k, &h);
    vqe_evaluator *ev;
    CU_ASSERT_EQUAL_FATAL(vqe_evaluator_create_ansatz(&a, &h, NULL, &ev, &e), VQE_OK);
    int n = a.n_params;
    double *t = malloc((size_t)n * sizeof *t), *g[2] = { malloc((size_t)n * sizeof *t), malloc((size_t)n * sizeof *t) };
    double en[2];
    vqe_spin_observables o[2];
    random_params(t, n, 40 + (uint64_t)k, 1.0);
    for (int r = 0; r < 2; r++) {
      vqe_set_threads(r == 0 ? 1 : 2);
      CU_ASSERT_EQUAL(vqe_gradient(ev, t, VQE_GRADIENT_ADJOINT, &en[r], g[r], &e), VQE_OK);
      CU_ASSERT_EQUAL(vqe_evaluator_report(ev, t, NULL, &o[r], &e), VQE_OK);
    }
    CU_ASSERT(en[0] == en[1]);
    CU_ASSERT(memcmp(g[0], g[1], (size_t)n * sizeof(double)) == 0);
    CU_ASSERT(o[0].n == o[1].n && o[0].sz == o[1].sz && o[0].s2 == o[1].s2);
    free(t); free(g[0]); free(g[1]);
    vqe_evaluator_destroy(ev);
    vqe_pauli_sum_free(&h);
    vqe_ansatz_free(&a);
  }
  vqe_set_threads(t0);
}

static void test_evaluator_errors(void)
{
  vqe_ansatz_spec s = spec_of(VQE_ANSATZ_HEA, 2, 1, 1, 1);
  vqe_ansatz a;
  vqe_error e = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_ansatz_build(&s, &a, &e), VQE_OK);
  vqe_pauli_sum h;
  synthetic_h(6, 5, 1, &h);
  vqe_evaluator *ev = NULL;
  CU_ASSERT_EQUAL(vqe_evaluator_create_ansatz(&a, &h, NULL, &ev, &e), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(e.msg, "6 qubits");
  CU_ASSERT_PTR_NULL(ev);
  vqe_evaluator_destroy(NULL);
  CU_ASSERT_EQUAL(vqe_gradient_method_parse("adjoint"), VQE_GRADIENT_ADJOINT);
  CU_ASSERT_EQUAL(vqe_gradient_method_parse("parameter-shift"), VQE_GRADIENT_PARAMETER_SHIFT);
  CU_ASSERT_EQUAL(vqe_gradient_method_parse("finite-difference"), VQE_GRADIENT_FINITE_DIFFERENCE);
  CU_ASSERT_EQUAL(vqe_gradient_method_parse("backprop"), -1);
  vqe_pauli_sum_free(&h);
  vqe_ansatz_free(&a);
}

int main(void)
{
  static const tu_test tests[] = {
    { "family table", test_table },
    { "parameter and gate counts", test_counts },
    { "bad specs are refused with the allowed values", test_bad_specs },
    { "N, Sz, S2 conserved at random parameters", test_conservation },
    { "UCCSD (untied) S2 at theta=0", test_uccsd_s2_untied },
    { "conserving ansaetze start at the reference", test_identity_init },
    { "N, Sz, S2 kernels and penalties", test_observables },
    { "gradients agree: HEA", test_gradients_hea },
    { "gradients agree: UCCSD", test_gradients_uccsd },
    { "gradients agree: k-UpCCGSD", test_gradients_kupccgsd },
    { "gradients agree: spin-adapted UCCSD", test_gradients_sa_uccsd },
    { "gradients agree: GateFabric", test_gradients_gatefabric },
    { "gradients agree with penalties", test_gradients_penalty },
    { "fused forward pass = unfused", test_fused },
    { "results independent of the thread count", test_threads },
    { "evaluator errors", test_evaluator_errors },
    { NULL, NULL },
  };
  return tu_run_suite("ansatz", tests);
}
