/* test_fci.c — FCI/CASCI solver (fci.h): psi4 energies from psi4-written FCIDUMPs, the CI vector
 * expanded into the JW statevector against the Pauli sum, an independent dense diagonalisation of
 * the qubit Hamiltonian restricted to the (Nα, Nβ) sector, random Hamiltonians, string indexing. */
#include "testutil.h"
#include "vqe/fci.h"
#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

/* psi4 1.3.2 detci energies (tests/data/psi4_reference.json: h2o_sto3g, h2o_sto3g_fc1). */
#define E_FCI_H2O_STO3G -75.01257824121475
#define E_FCI_H2O_STO3G_FC1 -75.0125001540793
#define E_SCF_H2O_STO3G -74.96302313852723

static void load(const char *rel, vqe_mo_hamiltonian *h)
{
  vqe_error err = {0};
  vqe_status st = vqe_fcidump_read(tu_src(rel), h, &err);
  if (st) fprintf(stderr, "\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
}

static double fci_energy(const vqe_mo_hamiltonian *h, vqe_fci_result *r)
{
  vqe_error err = {0};
  vqe_status st = vqe_fci_solve(h, NULL, r, &err);
  if (st) fprintf(stderr, "\n  %s\n", err.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  return r->energy;
}

static void test_psi4_fcidump_h2o(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/h2o_sto3g.psi4.fcidump", &h);
  vqe_fci_result r;
  double e = fci_energy(&h, &r);
  TU_ASSERT_CLOSE(e, E_FCI_H2O_STO3G, 1e-8);
  CU_ASSERT_EQUAL(r.n_det, 441);
  CU_ASSERT(r.converged);
  vqe_fci_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
}

/* Frozen core from the full-space psi4 FCIDUMP: h2o/sto-3g fc1. The psi4-written fc1 FCIDUMP
 * (h2o_sto3g_fc1.psi4.fcidump) is compared piece by piece: psi4 1.3.2's fcidump() slices the frozen-core
 * operator with Slice(frzcpi, active_mopi) (an end index used as a size), so with frozen_docc it
 * writes only the first NORB−1 rows of h — the last orbital's one-body integrals are missing. E_core
 * and every (pq|rs) agree; the FCI energy of that file is therefore wrong and not used. */
static void restrict_fc1(vqe_mo_hamiltonian *out)
{
  vqe_mo_hamiltonian full;
  load("tests/data/h2o_sto3g.psi4.fcidump", &full);
  vqe_active_space as = { 1, 6, 4, 4 };
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_restrict(&full, &as, out, &err), VQE_OK);
  vqe_mo_hamiltonian_free(&full);
}

static void test_psi4_fcidump_h2o_fc1(void)
{
  vqe_mo_hamiltonian h, p;
  restrict_fc1(&h);
  load("tests/data/h2o_sto3g_fc1.psi4.fcidump", &p);
  CU_ASSERT_EQUAL(p.norb, 6);
  CU_ASSERT_EQUAL(p.n_alpha, 4);
  TU_ASSERT_CLOSE(h.e_core, p.e_core, 1e-10);
  double dg = 0, dh = 0;
  for (size_t i = 0; i < 6 * 6 * 6 * 6; i++) dg = fmax(dg, fabs(h.eri[i] - p.eri[i]));
  for (int a = 0; a < 5; a++)
    for (int b = 0; b < 5; b++) dh = fmax(dh, fabs(h.h[a * 6 + b] - p.h[a * 6 + b]));
  CU_ASSERT(dg < 1e-12);
  CU_ASSERT(dh < 1e-12);
  CU_ASSERT_EQUAL(p.h[5 * 6 + 5], 0.0);   /* the psi4 1.3.2 defect described above */
  vqe_fci_result r;
  TU_ASSERT_CLOSE(fci_energy(&h, &r), E_FCI_H2O_STO3G_FC1, 1e-8);
  CU_ASSERT_EQUAL(r.n_det, 225);
  vqe_fci_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
  vqe_mo_hamiltonian_free(&p);
}

/* ⟨Ψ_FCI|H_qubit|Ψ_FCI⟩ = E_FCI and ⟨HF|H_qubit|HF⟩ = E_SCF (14 qubits). */
static void test_statevector_expectation(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/h2o_sto3g.psi4.fcidump", &h);
  vqe_error err = {0};
  vqe_pauli_sum H;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &H, &err), VQE_OK);
  vqe_fci_result r;
  double e = fci_energy(&h, &r);
  size_t dim = (size_t)1 << 14;
  double *psi = calloc(dim, sizeof *psi);
  CU_ASSERT_EQUAL(vqe_fci_to_statevector(&r, psi, &err), VQE_OK);
  double nrm = 0;
  for (size_t b = 0; b < dim; b++) nrm += psi[b] * psi[b];
  TU_ASSERT_CLOSE(nrm, 1.0, 1e-12);
  TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&H, psi), e, 1e-10);
  /* Variance ⟨H²⟩ − ⟨H⟩² vanishes for an eigenstate: ‖Hψ − Eψ‖ small. */
  double *hp = malloc(dim * sizeof *hp);
  CU_ASSERT_EQUAL(vqe_pauli_sum_apply_real(&H, psi, hp, &err), VQE_OK);
  double res = 0;
  for (size_t b = 0; b < dim; b++) res += (hp[b] - e * psi[b]) * (hp[b] - e * psi[b]);
  CU_ASSERT(sqrt(res) < 1e-5);
  /* HF: lowest 5 α and 5 β spin orbitals = bits 0..9. */
  memset(psi, 0, dim * sizeof *psi);
  psi[(1u << 10) - 1] = 1.0;
  TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&H, psi), E_SCF_H2O_STO3G, 1e-10);
  TU_ASSERT_CLOSE(vqe_mo_hamiltonian_hf_energy(&h), E_SCF_H2O_STO3G, 1e-10);
  free(psi);
  free(hp);
  vqe_fci_result_free(&r);
  vqe_pauli_sum_free(&H);
  vqe_mo_hamiltonian_free(&h);
}

/* Independent check: the qubit Hamiltonian as a dense matrix on the basis states with Nα α bits (even
 * positions) and Nβ β bits (odd positions), diagonalised by LAPACK. */
static double sector_ground_energy(const vqe_pauli_sum *H, int nq, int na, int nb)
{
  size_t dim = (size_t)1 << nq, nsec = 0;
  size_t *idx = malloc(dim * sizeof *idx);
  long *pos = malloc(dim * sizeof *pos);
  const uint64_t even = 0x5555555555555555ULL;
  for (size_t b = 0; b < dim; b++) {
    pos[b] = -1;
    if (__builtin_popcountll(b & even) == na && __builtin_popcountll(b & ~even) == nb) { pos[b] = (long)nsec; idx[nsec++] = b; }
  }
  double *M = calloc(nsec * nsec, sizeof *M), *w = malloc(nsec * sizeof *w);
  for (size_t t = 0; t < H->n_terms; t++) {
    const vqe_pauli_term *pt = &H->terms[t];
    int y = __builtin_popcountll(pt->x & pt->z);
    CU_ASSERT_EQUAL(y % 2, 0);
    double c = (y & 2) ? -pt->coeff : pt->coeff;
    for (size_t j = 0; j < nsec; j++) {
      size_t b = idx[j], b2 = b ^ pt->x;
      if (pos[b2] < 0) continue;   /* leaves the sector: cancels in the sum */
      M[(size_t)pos[b2] * nsec + j] += (__builtin_popcountll(b & pt->z) & 1) ? -c : c;
    }
  }
  LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)nsec, M, (lapack_int)nsec, w);
  double e = w[0];
  free(idx); free(pos); free(M); free(w);
  return e;
}

static void test_dense_sector_h2o_fc1(void)
{
  vqe_mo_hamiltonian h;
  restrict_fc1(&h);   /* 12 qubits */
  vqe_error err = {0};
  vqe_pauli_sum H;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &H, &err), VQE_OK);
  double ed = sector_ground_energy(&H, 12, 4, 4);
  vqe_fci_result r;
  TU_ASSERT_CLOSE(fci_energy(&h, &r), ed, 1e-10);
  TU_ASSERT_CLOSE(ed, E_FCI_H2O_STO3G_FC1, 1e-8);
  vqe_fci_result_free(&r);
  vqe_pauli_sum_free(&H);
  vqe_mo_hamiltonian_free(&h);
}

/* Random real Hamiltonian with the 8-fold symmetry (positive-definite-ish ERIs are not needed). */
static void random_ham(int n, int na, int nb, uint64_t seed, vqe_mo_hamiltonian *h)
{
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_alloc(h, n, &err), VQE_OK);
  vqe_rng g;
  vqe_rng_seed(&g, seed);
  size_t N = (size_t)n;
  for (size_t p = 0; p < N; p++)
    for (size_t q = 0; q <= p; q++) h->h[p * N + q] = h->h[q * N + p] = vqe_rng_normal(&g) * (p == q ? 1.0 : 0.3);
  for (size_t p = 0; p < N; p++)
    for (size_t q = 0; q <= p; q++)
      for (size_t r = 0; r < N; r++)
        for (size_t s = 0; s <= r; s++) {
          if (r * (r + 1) / 2 + s > p * (p + 1) / 2 + q) continue;
          double v = 0.2 * vqe_rng_normal(&g);
          size_t ix[8][4] = { {p, q, r, s}, {q, p, r, s}, {p, q, s, r}, {q, p, s, r},
                              {r, s, p, q}, {s, r, p, q}, {r, s, q, p}, {s, r, q, p} };
          for (int k = 0; k < 8; k++) h->eri[((ix[k][0] * N + ix[k][1]) * N + ix[k][2]) * N + ix[k][3]] = v;
        }
  h->e_core = 0.7;
  h->n_alpha = na;
  h->n_beta = nb;
  h->ms2 = na - nb;
}

static void test_random_vs_dense(void)
{
  const int cases[][3] = { {5, 2, 2}, {5, 3, 2}, {6, 3, 3}, {4, 2, 1}, {5, 1, 0}, {6, 4, 2}, {3, 3, 3} };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int n = cases[c][0], na = cases[c][1], nb = cases[c][2];
    vqe_mo_hamiltonian h;
    random_ham(n, na, nb, 100 + c, &h);
    vqe_error err = {0};
    vqe_pauli_sum H;
    CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &H, &err), VQE_OK);
    double ed = sector_ground_energy(&H, 2 * n, na, nb);
    vqe_fci_result r;
    double e = fci_energy(&h, &r);
    TU_ASSERT_CLOSE(e, ed, 1e-9);
    /* statevector of the CI vector reproduces the energy through the Pauli sum */
    double *psi = malloc(((size_t)1 << (2 * n)) * sizeof *psi);
    CU_ASSERT_EQUAL(vqe_fci_to_statevector(&r, psi, &err), VQE_OK);
    TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&H, psi), e, 1e-9);
    free(psi);
    vqe_fci_result_free(&r);
    vqe_pauli_sum_free(&H);
    vqe_mo_hamiltonian_free(&h);
  }
}

/* sigma against the explicit matrix elements of the qubit Hamiltonian between determinants. */
static void test_sigma_matches_qubit_matrix(void)
{
  vqe_mo_hamiltonian h;
  random_ham(4, 2, 2, 7, &h);
  vqe_error err = {0};
  vqe_pauli_sum H;
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, 0, &H, &err), VQE_OK);
  vqe_fci_result r;
  fci_energy(&h, &r);   /* sizes */
  size_t nd = r.n_det, dim = 256;
  double *c = calloc(nd, sizeof *c), *sg = malloc(nd * sizeof *sg), *psi = malloc(dim * sizeof *psi), *hp = malloc(dim * sizeof *hp);
  double maxdiff = 0;
  for (size_t j = 0; j < nd; j++) {
    memset(c, 0, nd * sizeof *c);
    c[j] = 1;
    CU_ASSERT_EQUAL(vqe_fci_sigma(&h, c, sg, &err), VQE_OK);
    /* same column through the statevector */
    double *save = r.ci;
    r.ci = c;
    vqe_fci_to_statevector(&r, psi, &err);
    vqe_pauli_sum_apply_real(&H, psi, hp, &err);
    double *col = malloc(nd * sizeof *col);
    for (size_t i = 0; i < nd; i++) {
      memset(c, 0, nd * sizeof *c);
      c[i] = 1;
      double *ps2 = malloc(dim * sizeof *ps2);
      vqe_fci_to_statevector(&r, ps2, &err);
      double v = 0;
      for (size_t b = 0; b < dim; b++) v += ps2[b] * hp[b];
      col[i] = v - (i == j ? h.e_core : 0);
      free(ps2);
    }
    r.ci = save;
    memset(c, 0, nd * sizeof *c);
    for (size_t i = 0; i < nd; i++) if (fabs(col[i] - sg[i]) > maxdiff) maxdiff = fabs(col[i] - sg[i]);
    free(col);
  }
  CU_ASSERT(maxdiff < 1e-12);
  if (maxdiff >= 1e-12) fprintf(stderr, "\n  sigma vs qubit matrix: max diff %.3e\n", maxdiff);
  free(c); free(sg); free(psi); free(hp);
  vqe_fci_result_free(&r);
  vqe_pauli_sum_free(&H);
  vqe_mo_hamiltonian_free(&h);
}

static void test_strings_and_counts(void)
{
  CU_ASSERT_EQUAL(vqe_fci_n_determinants(7, 5, 5), 441);
  CU_ASSERT_EQUAL(vqe_fci_n_determinants(8, 5, 5), 3136);
  CU_ASSERT_EQUAL(vqe_fci_n_determinants(6, 5, 4), 90);
  CU_ASSERT_EQUAL(vqe_fci_n_determinants(4, 5, 0), 0);
  /* strings of 2 electrons in 4 orbitals in increasing mask order: 0011 0101 0110 1001 1010 1100 */
  const uint64_t want[] = { 3, 5, 6, 9, 10, 12 };
  for (size_t i = 0; i < 6; i++) CU_ASSERT_EQUAL(vqe_fci_string(4, 2, i), want[i]);
  CU_ASSERT_EQUAL(vqe_fci_string(5, 0, 0), 0);
}

/* Sign convention of the statevector: 1α1β in 2 orbitals, determinant (α1, β0) = α†_1 β†_0 |vac⟩
 * = a†_2 a†_1 |vac⟩ = −a†_1 a†_2 |vac⟩: basis state bits {1,2} with amplitude −c. */
static void test_statevector_sign(void)
{
  vqe_fci_result r = {0};
  r.norb = 2; r.n_alpha = 1; r.n_beta = 1; r.n_astr = 2; r.n_bstr = 2; r.n_det = 4;
  double ci[4] = { 0, 0, 1, 0 };   /* (Iα = 1 → orbital 1, Iβ = 0 → orbital 0) */
  r.ci = ci;
  double psi[16];
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_fci_to_statevector(&r, psi, &err), VQE_OK);
  CU_ASSERT_DOUBLE_EQUAL(psi[0x6], -1.0, 1e-15);
  ci[2] = 0; ci[1] = 1;            /* (α0, β1): α†_0 β†_1 = a†_0 a†_3, already ascending */
  vqe_fci_to_statevector(&r, psi, &err);
  CU_ASSERT_DOUBLE_EQUAL(psi[0x9], 1.0, 1e-15);
}

static void test_errors(void)
{
  vqe_mo_hamiltonian h;
  random_ham(3, 2, 2, 1, &h);
  h.n_alpha = 4;
  vqe_fci_result r;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_fci_solve(&h, NULL, &r, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "do not fit in 3 orbitals");
  vqe_mo_hamiltonian_free(&h);
  /* memory refusal */
  random_ham(12, 6, 6, 1, &h);
  setenv("VQE_MEMORY_LIMIT", "1M", 1);
  CU_ASSERT_EQUAL(vqe_fci_solve(&h, NULL, &r, &err), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "FCI sigma build");
  unsetenv("VQE_MEMORY_LIMIT");
  vqe_mo_hamiltonian_free(&h);
}

/* The statevector engine (statevec.h) as a third party: the FCI state expanded into 2^n amplitudes
 * gives E_FCI through its Pauli-sum expectation and through its direct fermionic action (no Jordan–
 * Wigner involved: checks the CI signs and the JW builder independently). */
static void test_statevec_engine_cross_check(void)
{
  vqe_mo_hamiltonian hs[2];
  load("tests/data/h2o_sto3g.psi4.fcidump", &hs[0]);
  random_ham(5, 3, 2, 42, &hs[1]);
  for (int k = 0; k < 2; k++) {
    vqe_mo_hamiltonian *h = &hs[k];
    vqe_error err = {0};
    vqe_pauli_sum H;
    CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(h, -1, &H, &err), VQE_OK);
    vqe_fci_result r;
    double e = fci_energy(h, &r);
    vqe_statevec sv;
    CU_ASSERT_EQUAL_FATAL(vqe_statevec_init(&sv, 2 * h->norb, &err), VQE_OK);
    double *psi = malloc(sv.dim * sizeof *psi);
    CU_ASSERT_EQUAL(vqe_fci_to_statevector(&r, psi, &err), VQE_OK);
    for (uint64_t b = 0; b < sv.dim; b++) sv.amp[b] = psi[b];
    double e1 = NAN, e2 = NAN;
    CU_ASSERT_EQUAL(vqe_statevec_expect_pauli_sum(&sv, &H, &e1, &err), VQE_OK);
    CU_ASSERT_EQUAL(vqe_statevec_expect_fermionic(&sv, h, &e2, &err), VQE_OK);
    TU_ASSERT_CLOSE(e1, e, 1e-10);
    TU_ASSERT_CLOSE(e2, e, 1e-10);
    free(psi);
    vqe_statevec_free(&sv);
    vqe_fci_result_free(&r);
    vqe_pauli_sum_free(&H);
    vqe_mo_hamiltonian_free(h);
  }
}

static void test_s2(void)
{
  vqe_error err = {0};
  double s2;
  vqe_mo_hamiltonian h;
  load("tests/data/h2o_sto3g.psi4.fcidump", &h);
  vqe_fci_result r;
  fci_energy(&h, &r);
  CU_ASSERT_EQUAL(vqe_fci_s2(&r, &s2, &err), VQE_OK);
  TU_ASSERT_CLOSE(s2, 0.0, 1e-8);   /* the lowest Ms = 0 root of water is the singlet */
  vqe_fci_result_free(&r);
  vqe_mo_hamiltonian_free(&h);
  /* spin-free random Hamiltonians: S² = S(S+1) with S >= |Ms| */
  const int cases[][3] = { {5, 3, 2}, {4, 2, 2}, {3, 3, 0}, {6, 4, 2} };
  for (int k = 0; k < 4; k++) {
    random_ham(cases[k][0], cases[k][1], cases[k][2], 900 + k, &h);
    fci_energy(&h, &r);
    CU_ASSERT_EQUAL(vqe_fci_s2(&r, &s2, &err), VQE_OK);
    double S = 0.5 * (sqrt(1 + 4 * s2) - 1), ms = 0.5 * (cases[k][1] - cases[k][2]);
    TU_ASSERT_CLOSE(2 * S, round(2 * S), 1e-7);
    CU_ASSERT(S >= ms - 1e-7);
    if (k == 2) TU_ASSERT_CLOSE(s2, 3.75, 1e-12);   /* one determinant, three α electrons */
    vqe_fci_result_free(&r);
    vqe_mo_hamiltonian_free(&h);
  }
}

int main(void)
{
  const tu_test tests[] = {
    { "psi4 FCIDUMP h2o/sto-3g: FCI = psi4", test_psi4_fcidump_h2o },
    { "psi4 FCIDUMP h2o/sto-3g fc1: FCI = psi4", test_psi4_fcidump_h2o_fc1 },
    { "<FCI|H_qubit|FCI> = E_FCI, <HF|H_qubit|HF> = E_SCF", test_statevector_expectation },
    { "dense sector diagonalisation (12 qubits) = FCI", test_dense_sector_h2o_fc1 },
    { "random Hamiltonians: Davidson = dense qubit sector", test_random_vs_dense },
    { "sigma = qubit matrix between determinants", test_sigma_matches_qubit_matrix },
    { "string order and determinant counts", test_strings_and_counts },
    { "statevector fermionic sign", test_statevector_sign },
    { "statevec engine: Pauli-sum and fermionic expectation = E_FCI", test_statevec_engine_cross_check },
    { "<S^2> of the FCI state", test_s2 },
    { "error paths", test_errors },
    { NULL, NULL },
  };
  return tu_run_suite("fci", tests);
}
