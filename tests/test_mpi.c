/* test_mpi.c — CUnit suite of dist.h and dstatevec.h, run under `mpirun -np 1|2|4` (tests/meson.build,
 * MPI builds only): every gate kind (apply, inverse, generator) on every qubit position, local and
 * global, equals the single-process engine to 1e-12 for n = 4..12; Pauli-sum expectation values and
 * H|ψ⟩, inner products, the adjoint gradient; work maps, agreement on errors, the split plateau
 * sampling (bitwise equal to one process); and the error messages of bad rank counts and memory.
 * Every rank runs every test on the same data (seeded); each compares its own chunk with its slice of
 * the single-process state, so comparisons need no communication. Only rank 0 prints CUnit output;
 * the exit code is the same on every rank (failures are max-reduced). */
#include "testutil.h"
#include "vqe/dist.h"
#include "vqe/dstatevec.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-12

/* Largest |chunk − slice of full| on this rank. */
static double chunk_diff(const vqe_dstatevec *d, const vqe_statevec *full)
{
  const vqe_complex *f = full->amp + ((uint64_t)d->rank << d->n_local);
  double m = 0;
  for (uint64_t i = 0; i < d->local.dim; i++) {
    const double e = cabs(d->local.amp[i] - f[i]);
    if (e > m) m = e;
  }
  return m;
}

static void random_state(vqe_statevec *s, int n, uint64_t seed)
{
  vqe_error err = {0};
  CU_ASSERT_FATAL(vqe_statevec_init(s, n, &err) == VQE_OK);
  vqe_rng rng;
  vqe_rng_seed(&rng, seed);
  vqe_statevec_set_random(s, &rng);
}

/* Compare apply, inverse and every generator of gate 0 of c on a random state. Returns failures. */
static int check_gate(const vqe_circuit *c, const double *theta, const vqe_statevec *psi, vqe_dstatevec *d,
                      vqe_statevec *ref, const char *what)
{
  vqe_error err = {0};
  int bad = 0;
  const int na = vqe_gate_info_of(c->gates[0].kind)->n_angles;
  for (int mode = 0; mode < 2 + na; mode++) {
    vqe_statevec_copy(ref, psi, &err);
    vqe_dstatevec_scatter(d, psi, &err);
    vqe_status s1, s2;
    if (mode == 0) {
      s1 = vqe_circuit_apply_gate(c, 0, theta, ref, &err);
      s2 = vqe_dstatevec_apply_gate(c, 0, theta, d, &err);
    } else if (mode == 1) {
      s1 = vqe_circuit_apply_gate_inverse(c, 0, theta, ref, &err);
      s2 = vqe_dstatevec_apply_gate_inverse(c, 0, theta, d, &err);
    } else {
      s1 = vqe_circuit_apply_generator(c, 0, mode - 2, theta, ref, &err);
      s2 = vqe_dstatevec_apply_generator(c, 0, mode - 2, theta, d, &err);
    }
    const double diff = chunk_diff(d, ref);
    if (s1 || s2 || !(diff <= TOL)) {
      fprintf(stderr, "\n  rank %d: %s mode %d: diff %.3e (status %d/%d) %s\n", d->rank, what, mode, diff, s1, s2, err.msg);
      bad++;
    }
  }
  return bad;
}

/* One gate of `kind` on qubits q (with angles from rng) checked on n qubits. */
static int one_gate(int n, vqe_gate_kind kind, const int *q, uint64_t x, uint64_t z, vqe_rng *rng,
                    const vqe_statevec *psi, vqe_dstatevec *d, vqe_statevec *ref)
{
  vqe_error err = {0};
  vqe_circuit c;
  vqe_circuit_init(&c, n);
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = kind;
  for (int j = 0; j < 4; j++) g.q[j] = q[j];
  g.x = x;
  g.z = z;
  const int na = vqe_gate_info_of(kind)->n_angles;
  double theta[3];
  for (int a = 0; a < 3; a++) {
    theta[a] = 2 * M_PI * vqe_rng_uniform(rng) - M_PI;
    g.angle[a] = a < na ? vqe_angle_param(a, 1.0) : vqe_angle_fixed(0.0);
  }
  int bad = 0;
  if (vqe_circuit_add(&c, &g, &err)) {
    fprintf(stderr, "\n  cannot build %s: %s\n", vqe_gate_info_of(kind)->name, err.msg);
    bad = 1;
  } else {
    char what[128];
    snprintf(what, sizeof what, "n=%d %s q=%d,%d,%d,%d x=%llx z=%llx", n, vqe_gate_info_of(kind)->name, q[0], q[1], q[2], q[3],
             (unsigned long long)x, (unsigned long long)z);
    bad = check_gate(&c, theta, psi, d, ref, what);
  }
  vqe_circuit_free(&c);
  return bad;
}

static int distinct(const int *q, int k)
{
  for (int i = 0; i < k; i++)
    for (int j = 0; j < i; j++)
      if (q[i] == q[j]) return 0;
  return 1;
}

/* A valid SPIN_DOUBLE placement (circuit.h): orbitals a = b or j = i may coincide, otherwise their
 * qubit pairs (q, q + 1) must not overlap. */
static int spin_double_valid(const int *q)
{
  for (int t = 0; t < 4; t++)
    for (int u = 0; u < t; u++) {
      if (q[t] == q[u] && (t < 2) == (u < 2)) continue;
      if (abs(q[t] - q[u]) < 2) return 0;
    }
  return 1;
}

static void test_gates_every_kind_every_qubit(void)
{
  vqe_error err = {0};
  const int size = vqe_dist_size();
  int total_bad = 0, checked = 0;
  for (int n = 4; n <= 12; n++) {
    if ((1 << (n - 1)) < size) continue;
    vqe_statevec psi, ref;
    random_state(&psi, n, 100 + (uint64_t)n);
    CU_ASSERT_FATAL(vqe_statevec_init(&ref, n, &err) == VQE_OK);
    vqe_dstatevec d;
    CU_ASSERT_FATAL(vqe_dstatevec_init(&d, n, &err) == VQE_OK);
    vqe_rng rng;
    vqe_rng_seed(&rng, 7 + (uint64_t)n);
    for (int kind = 0; kind < VQE_GATE_COUNT; kind++) {
      const int k = vqe_gate_info_of((vqe_gate_kind)kind)->n_qubits;
      if (kind == VQE_GATE_SPIN_DOUBLE) {
        /* orbitals (α qubit q, β q + 1) at valid placements: equal to the single process while every
           touched qubit is local; refused by name once one is a rank qubit */
        for (int t = 0; t < 12; t++) {
          int q[4];
          do {
            for (int j = 0; j < 4; j++) q[j] = (int)(vqe_rng_u64(&rng) % (uint64_t)(n - 1));
            if (t % 3 == 0) q[1] = q[0];
          } while (!spin_double_valid(q));
          int hi = 0;
          for (int j = 0; j < 4; j++) if (q[j] + 1 > hi) hi = q[j] + 1;
          if (hi < d.n_local) total_bad += one_gate(n, (vqe_gate_kind)kind, q, 0, 0, &rng, &psi, &d, &ref);
          else {
            vqe_circuit c;
            vqe_circuit_init(&c, n);
            CU_ASSERT_FATAL(vqe_circuit_add_param(&c, VQE_GATE_SPIN_DOUBLE, q, 0, 1.0, &err) == VQE_OK);
            const double th[1] = { 0.3 };
            CU_ASSERT_EQUAL(vqe_dstatevec_check_circuit(&c, &d, &err), VQE_ERR_INPUT);
            CU_ASSERT_EQUAL(vqe_dstatevec_apply_gate(&c, 0, th, &d, &err), VQE_ERR_INPUT);
            TU_ASSERT_CONTAINS(err.msg, "no distributed form");
            vqe_circuit_free(&c);
          }
          checked++;
        }
        continue;
      }
      if (kind == VQE_GATE_PAULI_ROT) {
        /* strings with X/Y/Z on local and global qubits, every qubit in some string */
        for (int t = 0; t < 3 * n; t++) {
          uint64_t x = vqe_rng_u64(&rng) & ((UINT64_C(1) << n) - 1), z = vqe_rng_u64(&rng) & ((UINT64_C(1) << n) - 1);
          if (t < n) { x = UINT64_C(1) << t; z = t % 2 ? x : 0; }        /* X or Y on one qubit */
          if (!(x | z)) z = 1;
          const int q[4] = {0, 0, 0, 0};
          total_bad += one_gate(n, (vqe_gate_kind)kind, q, x, z, &rng, &psi, &d, &ref);
          checked++;
        }
        continue;
      }
      if (k == 1) {
        for (int q0 = 0; q0 < n; q0++) {
          const int q[4] = {q0, 0, 0, 0};
          total_bad += one_gate(n, (vqe_gate_kind)kind, q, 0, 0, &rng, &psi, &d, &ref);
          checked++;
        }
      } else if (k == 2) {
        /* every ordered pair for n <= 7; beyond, every pair that has a qubit among the lowest two or
           the highest three (the global ones with 2 and 4 ranks) plus neighbours */
        for (int q0 = 0; q0 < n; q0++)
          for (int q1 = 0; q1 < n; q1++) {
            if (q0 == q1) continue;
            const int edge = q0 < 2 || q1 < 2 || q0 >= n - 3 || q1 >= n - 3 || abs(q0 - q1) == 1;
            if (n > 7 && !edge) continue;
            const int q[4] = {q0, q1, 0, 0};
            total_bad += one_gate(n, (vqe_gate_kind)kind, q, 0, 0, &rng, &psi, &d, &ref);
            checked++;
          }
      } else {
        /* 4-qubit kinds: the top four in every order pattern, then random quadruples */
        for (int t = 0; t < 30; t++) {
          int q[4];
          if (t < 6) {
            const int base[4] = {n - 1, n - 2, n - 3, n - 4};
            for (int j = 0; j < 4; j++) q[j] = base[(j + t) % 4];
            if (t % 2) { int tmp = q[0]; q[0] = q[3]; q[3] = tmp; }
          } else {
            do {
              for (int j = 0; j < 4; j++) q[j] = (int)(vqe_rng_u64(&rng) % (uint64_t)n);
            } while (!distinct(q, 4));
          }
          total_bad += one_gate(n, (vqe_gate_kind)kind, q, 0, 0, &rng, &psi, &d, &ref);
          checked++;
        }
      }
    }
    vqe_dstatevec_free(&d);
    vqe_statevec_free(&ref);
    vqe_statevec_free(&psi);
  }
  CU_ASSERT(checked > 1000);
  CU_ASSERT_EQUAL(total_bad, 0);
}

/* Messages of 4 KiB (VQE_MPI_MESSAGE_BYTES) instead of 256 MiB: the chunked exchange gives the same
 * states, in more messages. */
static void test_chunked_messages(void)
{
  vqe_error err = {0};
  const int n = 12;
  vqe_statevec psi, ref;
  random_state(&psi, n, 4242);
  CU_ASSERT_FATAL(vqe_statevec_init(&ref, n, &err) == VQE_OK);
  vqe_dstatevec d;
  CU_ASSERT_FATAL(vqe_dstatevec_init(&d, n, &err) == VQE_OK);
  vqe_dstatevec_scatter(&d, &psi, &err);
  vqe_statevec_copy(&ref, &psi, &err);
  vqe_circuit c;
  vqe_circuit_init(&c, n);
  for (int q = n - 3; q < n; q++) {
    vqe_circuit_add_fixed(&c, VQE_GATE_H, &q, NULL, &err);
    const int cx[2] = {0, q}, fs[2] = {q, 1};
    vqe_circuit_add_fixed(&c, VQE_GATE_CNOT, cx, NULL, &err);
    const double t = 0.3 * q;
    vqe_circuit_add_fixed(&c, VQE_GATE_FERMI_SINGLE, fs, &t, &err);
  }
  setenv("VQE_MPI_MESSAGE_BYTES", "4096", 1);
  vqe_dstatevec_comm_reset();
  CU_ASSERT(vqe_dstatevec_apply_circuit(&c, NULL, &d, &err) == VQE_OK);
  vqe_dstatevec_comm cm;
  vqe_dstatevec_comm_get(&cm);
  unsetenv("VQE_MPI_MESSAGE_BYTES");
  CU_ASSERT(vqe_circuit_apply(&c, NULL, &ref, &err) == VQE_OK);
  TU_ASSERT_CLOSE(chunk_diff(&d, &ref), 0.0, TOL);
  if (vqe_dist_size() > 1) {
    CU_ASSERT(cm.exchanges > 0);
    CU_ASSERT(cm.messages > cm.exchanges);              /* every exchange took several messages */
    CU_ASSERT(cm.bytes_sent <= cm.messages * 4096u);
  }
  vqe_circuit_free(&c);
  vqe_dstatevec_free(&d);
  vqe_statevec_free(&ref);
  vqe_statevec_free(&psi);
}

static void random_pauli_sum(vqe_pauli_sum *h, int n, int terms, uint64_t seed)
{
  vqe_error err = {0};
  vqe_rng rng;
  vqe_rng_seed(&rng, seed);
  vqe_pauli_sum_init(h, n);
  const uint64_t m = (UINT64_C(1) << n) - 1;
  vqe_pauli_sum_add(h, 0, 0, 0.3, &err);
  for (int t = 0; t < terms; t++) {
    uint64_t x = vqe_rng_u64(&rng) & m, z = vqe_rng_u64(&rng) & m;
    if (t % 4 == 0) x = 0;                     /* diagonal terms */
    if (t % 5 == 1) x &= (m >> 2);             /* local x masks */
    vqe_pauli_sum_add(h, x, z, vqe_rng_uniform(&rng) - 0.5, &err);
  }
  vqe_pauli_sum_simplify(h, 0.0);
}

static void test_pauli_sums(void)
{
  vqe_error err = {0};
  for (int n = 4; n <= 12; n += 2) {
    if ((1 << (n - 1)) < vqe_dist_size()) continue;
    vqe_statevec psi, ref;
    random_state(&psi, n, 5 + (uint64_t)n);
    CU_ASSERT_FATAL(vqe_statevec_init(&ref, n, &err) == VQE_OK);
    vqe_dstatevec d[2];
    CU_ASSERT_FATAL(vqe_dstatevec_init_many(d, 2, n, &err) == VQE_OK);
    vqe_dstatevec_scatter(&d[0], &psi, &err);
    vqe_pauli_sum h;
    random_pauli_sum(&h, n, 40 + 5 * n, 11 + (uint64_t)n);
    double e1 = 0, e2 = 0;
    CU_ASSERT(vqe_statevec_expect_pauli_sum(&psi, &h, &e1, &err) == VQE_OK);
    CU_ASSERT(vqe_dstatevec_expect_pauli_sum(&d[0], &h, 0.0, &e2, &err) == VQE_OK);
    TU_ASSERT_CLOSE(e2, e1, TOL);
    /* with the projector of the global cost */
    CU_ASSERT(vqe_dstatevec_expect_pauli_sum(&d[0], &h, -0.7, &e2, &err) == VQE_OK);
    TU_ASSERT_CLOSE(e2, e1 - 0.7 * cabs(psi.amp[0]) * cabs(psi.amp[0]), TOL);
    /* H|ψ⟩ */
    CU_ASSERT(vqe_statevec_apply_pauli_sum(&psi, &h, &ref, &err) == VQE_OK);
    CU_ASSERT(vqe_dstatevec_apply_pauli_sum(&d[0], &h, 0.0, &d[1], &err) == VQE_OK);
    const double diff = chunk_diff(&d[1], &ref);
    TU_ASSERT_CLOSE(diff, 0.0, TOL);
    /* inner products, norms, amplitudes */
    const vqe_complex i1 = vqe_statevec_inner(&psi, &ref), i2 = vqe_dstatevec_inner(&d[0], &d[1]);
    TU_ASSERT_CLOSE(creal(i2), creal(i1), TOL);
    TU_ASSERT_CLOSE(cimag(i2), cimag(i1), TOL);
    TU_ASSERT_CLOSE(vqe_dstatevec_norm2(&d[1]), vqe_statevec_norm2(&ref), TOL);
    const uint64_t last = (UINT64_C(1) << n) - 1;
    TU_ASSERT_CLOSE(cabs(vqe_dstatevec_amplitude(&d[0], last) - psi.amp[last]), 0.0, 0.0);
    /* gather gives back the whole state on every rank */
    CU_ASSERT(vqe_dstatevec_gather(&d[0], &ref, &err) == VQE_OK);
    double g = 0;
    for (uint64_t b = 0; b < ref.dim; b++) g = fmax(g, cabs(ref.amp[b] - psi.amp[b]));
    TU_ASSERT_CLOSE(g, 0.0, 0.0);
    vqe_pauli_sum_free(&h);
    vqe_dstatevec_free_many(d, 2);
    vqe_statevec_free(&ref);
    vqe_statevec_free(&psi);
  }
}

/* Molecular Jordan–Wigner Hamiltonians (FCIDUMPs of tests/data): ⟨ψ|H|ψ⟩ and H|ψ⟩ on random states. */
static void test_molecular_hamiltonians(void)
{
  static const char *files[] = {"tests/data/h2_sto3g.psi4.fcidump", "tests/data/lih_sto3g.psi4.fcidump",
                                "tests/data/h2o_sto3g_fc1.psi4.fcidump"};
  for (int f = 0; f < 3; f++) {
    vqe_error err = {0};
    vqe_mo_hamiltonian ham;
    CU_ASSERT_FATAL(vqe_fcidump_read(tu_src(files[f]), &ham, &err) == VQE_OK);
    vqe_pauli_sum h;
    CU_ASSERT_FATAL(vqe_hamiltonian_jordan_wigner(&ham, -1.0, &h, &err) == VQE_OK);
    const int n = h.n_qubits;
    if ((1 << (n - 1)) >= vqe_dist_size()) {
      vqe_statevec psi, ref;
      random_state(&psi, n, 900 + (uint64_t)f);
      CU_ASSERT_FATAL(vqe_statevec_init(&ref, n, &err) == VQE_OK);
      vqe_dstatevec d[2];
      CU_ASSERT_FATAL(vqe_dstatevec_init_many(d, 2, n, &err) == VQE_OK);
      vqe_dstatevec_scatter(&d[0], &psi, &err);
      double e1, e2;
      vqe_statevec_expect_pauli_sum(&psi, &h, &e1, &err);
      vqe_dstatevec_expect_pauli_sum(&d[0], &h, 0.0, &e2, &err);
      TU_ASSERT_CLOSE(e2, e1, TOL);
      vqe_statevec_apply_pauli_sum(&psi, &h, &ref, &err);
      vqe_dstatevec_apply_pauli_sum(&d[0], &h, 0.0, &d[1], &err);
      TU_ASSERT_CLOSE(chunk_diff(&d[1], &ref), 0.0, TOL);
      vqe_dstatevec_free_many(d, 2);
      vqe_statevec_free(&ref);
      vqe_statevec_free(&psi);
    }
    vqe_pauli_sum_free(&h);
    vqe_mo_hamiltonian_free(&ham);
  }
}

/* A circuit with every parametrised kind on random qubits (a parameter may drive several angles). */
static void mixed_circuit(vqe_circuit *c, int n, uint64_t seed)
{
  vqe_error err = {0};
  vqe_rng rng;
  vqe_rng_seed(&rng, seed);
  vqe_circuit_init(c, n);
  int p = 0;
  for (int rep = 0; rep < 2; rep++)
    for (int kind = 0; kind < VQE_GATE_COUNT; kind++) {
      if (kind == VQE_GATE_SPIN_DOUBLE) continue;   /* no distributed form (test_gates_every_kind_every_qubit) */
      const vqe_gate_info *gi = vqe_gate_info_of((vqe_gate_kind)kind);
      vqe_gate g;
      memset(&g, 0, sizeof g);
      g.kind = (vqe_gate_kind)kind;
      int q[4];
      do {
        for (int j = 0; j < 4; j++) q[j] = (int)(vqe_rng_u64(&rng) % (uint64_t)n);
      } while (!distinct(q, gi->n_qubits > 0 ? gi->n_qubits : 1));
      for (int j = 0; j < 4; j++) g.q[j] = q[j];
      if (kind == VQE_GATE_PAULI_ROT) {
        g.x = vqe_rng_u64(&rng) & ((UINT64_C(1) << n) - 1);
        g.z = vqe_rng_u64(&rng) & ((UINT64_C(1) << n) - 1);
        if (!(g.x | g.z)) g.x = UINT64_C(1) << (n - 1);
      }
      for (int a = 0; a < 3; a++) {
        if (a < gi->n_angles) {
          g.angle[a] = vqe_angle_param(p % 7, 0.5 + vqe_rng_uniform(&rng));
          g.angle[a].offset = 0.1 * a;
          p++;
        } else {
          g.angle[a] = vqe_angle_fixed(0.0);
        }
      }
      vqe_circuit_add(c, &g, &err);
    }
}

static void test_adjoint_gradient(void)
{
  vqe_error err = {0};
  for (int n = 4; n <= 10; n += 3) {
    if ((1 << (n - 1)) < vqe_dist_size()) continue;
    vqe_circuit c;
    mixed_circuit(&c, n, 3 + (uint64_t)n);
    vqe_pauli_sum h;
    random_pauli_sum(&h, n, 30, 17 + (uint64_t)n);
    double theta[16];
    for (int k = 0; k < 16; k++) theta[k] = 0.3 + 0.41 * k;
    for (int proj = 0; proj < 2; proj++) {
      vqe_cost cost;
      CU_ASSERT_FATAL(vqe_cost_from_pauli(&h, "random", &cost, &err) == VQE_OK);
      cost.projector = proj ? -1.0 : 0.0;
      vqe_statevec work[3], psi0;
      CU_ASSERT_FATAL(vqe_statevec_init_many(work, 3, n, &err) == VQE_OK);
      CU_ASSERT_FATAL(vqe_statevec_init(&psi0, n, &err) == VQE_OK);
      const uint64_t refb = 5 % (UINT64_C(1) << n);
      vqe_statevec_set_basis(&psi0, refb, &err);
      double e1, e2, g1[16], g2[16];
      CU_ASSERT(vqe_cost_gradient(&c, &cost, &psi0, theta, work, &e1, g1, &err) == VQE_OK);
      vqe_dstatevec dw[3];
      CU_ASSERT_FATAL(vqe_dstatevec_init_many(dw, 3, n, &err) == VQE_OK);
      CU_ASSERT(vqe_dstatevec_gradient(&c, &cost.pauli, cost.projector, refb, theta, dw, &e2, g2, &err) == VQE_OK);
      TU_ASSERT_CLOSE(e2, e1, TOL);
      for (int k = 0; k < c.n_params; k++) TU_ASSERT_CLOSE(g2[k], g1[k], TOL);
      /* the same numbers on every rank */
      double sum[17];
      for (int k = 0; k < c.n_params; k++) sum[k] = g2[k];
      sum[c.n_params] = e2;
      vqe_dist_sum(sum, (size_t)c.n_params + 1);
      for (int k = 0; k < c.n_params; k++) TU_ASSERT_CLOSE(sum[k], vqe_dist_size() * g2[k], 1e-13);
      vqe_dstatevec_free_many(dw, 3);
      for (int i = 0; i < 3; i++) vqe_statevec_free(&work[i]);
      vqe_statevec_free(&psi0);
      vqe_cost_free(&cost);
    }
    vqe_pauli_sum_free(&h);
    vqe_circuit_free(&c);
  }
}

static void test_dstatevec_errors(void)
{
  vqe_error err = {0};
  const int size = vqe_dist_size();
  if (size > 1) {
    /* 2 ranks need n >= 2, 4 ranks n >= 3 */
    CU_ASSERT_EQUAL(vqe_dstatevec_check(size == 2 ? 1 : 2, 3, &err), VQE_ERR_INPUT);
    TU_ASSERT_CONTAINS(err.msg, "too many for a distributed state");
    TU_ASSERT_CONTAINS(err.msg, "allowed: at most");
  }
  CU_ASSERT_EQUAL(vqe_dstatevec_check(0, 3, &err), VQE_ERR_INPUT);
  setenv("VQE_MEMORY_LIMIT", "1M", 1);
  CU_ASSERT_EQUAL(vqe_dstatevec_check(20, 3, &err), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "per rank");
  TU_ASSERT_CONTAINS(err.msg, "the largest that fits is n = ");
  vqe_dstatevec d;
  CU_ASSERT_EQUAL(vqe_dstatevec_init(&d, 20, &err), VQE_ERR_RESOURCE);
  vqe_dstatevec_free(&d);
  unsetenv("VQE_MEMORY_LIMIT");
  /* sizes per rank: 3 chunks (+ buffer with several ranks) */
  CU_ASSERT_EQUAL(vqe_dstatevec_bytes_per_rank(30, 3, 1), UINT64_C(3) << 34);
  CU_ASSERT_EQUAL(vqe_dstatevec_bytes_per_rank(30, 3, 4), UINT64_C(4) << 32);
  CU_ASSERT_EQUAL(vqe_dstatevec_bytes_per_rank(3, 3, 8), UINT64_MAX);
}

/* The ansätze's own circuits (UCCSD, k-UpCCGSD, GateFabric, HEA on 4 spatial orbitals = 8 qubits,
 * 2 + 2 electrons) gate by gate at random angles: the state after every gate = single process. */
static void test_ansatz_circuits(void)
{
  vqe_error err = {0};
  const vqe_ansatz_kind kinds[] = {VQE_ANSATZ_UCCSD, VQE_ANSATZ_KUPCCGSD, VQE_ANSATZ_GATEFABRIC, VQE_ANSATZ_HEA,
                                   VQE_ANSATZ_SA_UCCSD};
  for (int norb = 3; norb <= 5; norb++)
    for (int k = 0; k < 5; k++) {
      if ((1 << (2 * norb - 1)) < vqe_dist_size()) continue;
      vqe_ansatz_spec spec;
      vqe_ansatz_spec_default(&spec);
      spec.kind = kinds[k];
      spec.norb = norb;
      spec.n_alpha = spec.n_beta = 2;
      spec.layers = 2;
      vqe_ansatz a;
      CU_ASSERT_FATAL(vqe_ansatz_build(&spec, &a, &err) == VQE_OK);
      double theta[4096];
      vqe_rng rng;
      vqe_rng_seed(&rng, 77);
      for (int p = 0; p < a.n_params && p < 4096; p++) theta[p] = 2 * M_PI * vqe_rng_uniform(&rng);
      vqe_statevec ref;
      vqe_dstatevec d;
      CU_ASSERT_FATAL(vqe_statevec_init(&ref, a.n_qubits, &err) == VQE_OK);
      CU_ASSERT_FATAL(vqe_dstatevec_init(&d, a.n_qubits, &err) == VQE_OK);
      vqe_statevec_set_basis(&ref, a.reference, &err);
      vqe_dstatevec_set_basis(&d, a.reference, &err);
      int bad = 0;
      if (vqe_dstatevec_check_circuit(&a.circuit, &d, &err) != VQE_OK) {
        /* sa-uccsd's SPIN_DOUBLE gates have no distributed form once they reach the rank qubits */
        CU_ASSERT_EQUAL(kinds[k], VQE_ANSATZ_SA_UCCSD);
        CU_ASSERT(d.n_local < d.n_qubits);
        TU_ASSERT_CONTAINS(err.msg, "no distributed form");
        bad = 1;
        size_t i = 0;
        while (i < a.circuit.n_gates && a.circuit.gates[i].kind != VQE_GATE_SPIN_DOUBLE) i++;
        CU_ASSERT_EQUAL(vqe_dstatevec_apply_circuit(&a.circuit, theta, &d, &err), VQE_ERR_INPUT);
        CU_ASSERT(i < a.circuit.n_gates);
        vqe_dstatevec_free(&d);
        vqe_statevec_free(&ref);
        vqe_ansatz_free(&a);
        continue;
      }
      for (size_t i = 0; i < a.circuit.n_gates && !bad; i++) {
        vqe_circuit_apply_gate(&a.circuit, i, theta, &ref, &err);
        vqe_dstatevec_apply_gate(&a.circuit, i, theta, &d, &err);
        const double diff = chunk_diff(&d, &ref);
        if (!(diff <= TOL)) {
          const vqe_gate *g = &a.circuit.gates[i];
          fprintf(stderr, "\n  rank %d: ansatz %d norb %d gate %zu %s q=%d,%d,%d,%d: diff %.3e\n", d.rank, (int)kinds[k], norb, i,
                  vqe_gate_info_of(g->kind)->name, g->q[0], g->q[1], g->q[2], g->q[3], diff);
          bad = 1;
        }
      }
      CU_ASSERT_EQUAL(bad, 0);
      vqe_dstatevec_free(&d);
      vqe_statevec_free(&ref);
      vqe_ansatz_free(&a);
    }
}

static void test_spin_observables(void)
{
  vqe_error err = {0};
  for (int n = 4; n <= 10; n += 2) {
    if ((1 << (n - 1)) < vqe_dist_size()) continue;
    vqe_statevec psi;
    random_state(&psi, n, 40 + (uint64_t)n);
    vqe_statevec_scale(&psi, 1.7);                 /* unnormalised: values are divided by <psi|psi> */
    vqe_dstatevec d[3];
    CU_ASSERT_FATAL(vqe_dstatevec_init_many(d, 3, n, &err) == VQE_OK);
    vqe_dstatevec_scatter(&d[0], &psi, &err);
    vqe_spin_observables a, b;
    CU_ASSERT(vqe_spin_observables_compute(&psi, &a, &err) == VQE_OK);
    CU_ASSERT(vqe_dstatevec_spin_observables(&d[0], &d[1], &b, &err) == VQE_OK);
    TU_ASSERT_CLOSE(b.n, a.n, TOL);
    TU_ASSERT_CLOSE(b.sz, a.sz, TOL);
    TU_ASSERT_CLOSE(b.s2, a.s2, TOL);
    vqe_dstatevec_free_many(d, 3);
    vqe_statevec_free(&psi);
  }
}

/* vqe_dstatevec_vqe_run = vqe_vqe_run (H2 and LiH/STO-3G FCIDUMPs, UCCSD and HEA) */
static void test_vqe_run(void)
{
  static const char *files[] = {"tests/data/h2_sto3g.psi4.fcidump", "tests/data/lih_sto3g.psi4.fcidump"};
  for (int f = 0; f < 2; f++)
    for (int an = 0; an < 2; an++) {
      vqe_error err = {0};
      vqe_mo_hamiltonian ham;
      CU_ASSERT_FATAL(vqe_fcidump_read(tu_src(files[f]), &ham, &err) == VQE_OK);
      if ((1 << (2 * ham.norb - 1)) < vqe_dist_size()) { vqe_mo_hamiltonian_free(&ham); continue; }
      vqe_run_config cfg;
      vqe_run_config_default(&cfg);
      cfg.ham = &ham;
      if (an) {
        cfg.ansatz.kind = VQE_ANSATZ_HEA;
        cfg.ansatz.layers = 1;
        cfg.init = VQE_INIT_RANDOM;
        cfg.opt.max_iter = 15;
      } else if (f == 1) {
        cfg.opt.max_iter = 10;
      }
      cfg.plateau_samples = 6;                  /* the quick barren-plateau estimate first */
      vqe_run_result r1, r2;
      CU_ASSERT(vqe_vqe_run(&cfg, &r1, &err) == VQE_OK);
      CU_ASSERT(vqe_dstatevec_vqe_run(&cfg, &r2, &err) == VQE_OK);
      TU_ASSERT_CLOSE(r2.e_hf, r1.e_hf, 1e-11);
      TU_ASSERT_CLOSE(r2.e_initial, r1.e_initial, 1e-11);
      TU_ASSERT_CLOSE(r2.e_vqe, r1.e_vqe, 1e-9);
      TU_ASSERT_CLOSE(r2.e_fci, r1.e_fci, 1e-11);
      CU_ASSERT_EQUAL(r2.n_params, r1.n_params);
      TU_ASSERT_CLOSE(r2.obs.n, r1.obs.n, 1e-8);
      TU_ASSERT_CLOSE(r2.obs.s2, r1.obs.s2, 1e-8);
      CU_ASSERT(r1.have_plateau && r2.have_plateau);
      TU_ASSERT_CLOSE(r2.plateau.variance, r1.plateau.variance, 1e-10 * fabs(r1.plateau.variance) + 1e-14);
      CU_ASSERT_EQUAL(r2.plateau.verdict, r1.plateau.verdict);
      vqe_run_result_free(&r1);
      vqe_run_result_free(&r2);
      vqe_mo_hamiltonian_free(&ham);
    }
  /* what a distributed run refuses */
  vqe_error err = {0};
  vqe_mo_hamiltonian ham;
  CU_ASSERT_FATAL(vqe_fcidump_read(tu_src(files[0]), &ham, &err) == VQE_OK);
  vqe_run_config cfg;
  vqe_run_config_default(&cfg);
  cfg.ham = &ham;
  cfg.gradient = VQE_GRADIENT_PARAMETER_SHIFT;
  vqe_run_result r;
  CU_ASSERT_EQUAL(vqe_dstatevec_vqe_run(&cfg, &r, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "adjoint gradient only");
  vqe_run_result_free(&r);
  vqe_mo_hamiltonian_free(&ham);
}

/* Input errors of the dstatevec calls: the status and a piece of the message. */
static void test_dstatevec_input_errors(void)
{
  vqe_error err = {0};
  const int n = 5;
  vqe_dstatevec d[3], e;
  CU_ASSERT_FATAL(vqe_dstatevec_init_many(d, 3, n, &err) == VQE_OK);
  CU_ASSERT_FATAL(vqe_dstatevec_init(&e, n + 1, &err) == VQE_OK);
  vqe_circuit c, c6;
  vqe_circuit_init(&c, n);
  vqe_circuit_init(&c6, n + 1);
  const int q = 1;
  vqe_circuit_add_param(&c, VQE_GATE_RY, &q, 0, 1.0, &err);
  vqe_circuit_add_fixed(&c, VQE_GATE_H, &q, NULL, &err);
  vqe_circuit_add_fixed(&c6, VQE_GATE_H, &q, NULL, &err);
  const double th[1] = {0.2};
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_gate(&c, 2, th, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "gate index 2 outside a circuit of 2 gates");
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_gate_inverse(&c, 5, th, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "gate index 5");
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_circuit(&c6, NULL, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "circuit of 6 qubits run on a distributed state of 5 qubits");
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_circuit(&c, NULL, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "no parameter vector");
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_generator(&c, 1, 0, th, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "has no angle 0");
  CU_ASSERT_EQUAL(vqe_dstatevec_set_basis(&d[0], 32, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "outside a register of 5 qubits");
  CU_ASSERT_EQUAL(vqe_dstatevec_copy(&e, &d[0], &err), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(vqe_dstatevec_scatter(&e, &d[0].local, &err), VQE_ERR_INPUT);
  vqe_pauli_sum h;
  vqe_pauli_sum_init(&h, n + 1);
  vqe_pauli_sum_add(&h, 1, 0, 1.0, &err);
  double x;
  CU_ASSERT_EQUAL(vqe_dstatevec_expect_pauli_sum(&d[0], &h, 0.0, &x, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "Pauli sum of 6 qubits on a distributed state of 5 qubits");
  h.n_qubits = n;
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_pauli_sum(&d[0], &h, 0.0, &d[0], &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "another state than the input");
  CU_ASSERT_EQUAL(vqe_dstatevec_apply_pauli_sum(&d[0], &h, 0.0, &e, &err), VQE_ERR_INPUT);
  vqe_spin_observables o;
  CU_ASSERT_EQUAL(vqe_dstatevec_spin_observables(&d[0], &d[1], &o, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "even qubit count");
  vqe_pauli_sum_free(&h);
  vqe_circuit_free(&c);
  vqe_circuit_free(&c6);
  vqe_dstatevec_free(&e);
  vqe_dstatevec_free_many(d, 3);
}

/* ---- dist.h ------------------------------------------------------------------------------------------ */

static void test_share_owner(void)
{
  for (size_t n = 0; n < 23; n++) {
    size_t b, e;
    vqe_dist_share(n, &b, &e);
    double cnt[1] = { (double)(e - b) };
    vqe_dist_sum(cnt, 1);
    CU_ASSERT_EQUAL((size_t)cnt[0], n);
    for (size_t i = b; i < e; i++) CU_ASSERT_EQUAL(vqe_dist_owner(i, n), vqe_dist_rank());
  }
}

typedef struct { int next; int order_ok; int fail_item; } map_ctx;

static vqe_status map_work(void *vctx, size_t item, char **result, vqe_error *err)
{
  map_ctx *c = vctx;
  if ((int)item == c->fail_item) return vqe_error_set(err, VQE_ERR_COMPUTE, "item %zu failed on purpose", item);
  char buf[64];
  snprintf(buf, sizeof buf, "{\"key\":\"p%zu\",\"v\":%zu}", item, item * item);
  *result = strdup(buf);
  return VQE_OK;
}

static vqe_status map_done(void *vctx, size_t item, const char *result, vqe_error *err)
{
  map_ctx *c = vctx;
  char buf[64];
  snprintf(buf, sizeof buf, "{\"key\":\"p%zu\",\"v\":%zu}", item, item * item);
  if ((int)item < c->next || strcmp(result, buf)) c->order_ok = 0;
  c->next = (int)item + 1;
  return VQE_OK;
}

static void test_map(void)
{
  vqe_error err = {0};
  unsigned char skip[11] = {0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  map_ctx c = {0, 1, -1};
  CU_ASSERT_EQUAL(vqe_dist_map(11, skip, map_work, map_done, &c, &err), VQE_OK);
  CU_ASSERT(c.order_ok);
  CU_ASSERT_EQUAL(c.next, 10);
  /* a failing item stops every rank with its message */
  map_ctx f = {0, 1, 5};
  CU_ASSERT_EQUAL(vqe_dist_map(9, NULL, map_work, map_done, &f, &err), VQE_ERR_COMPUTE);
  TU_ASSERT_CONTAINS(err.msg, "item 5 failed on purpose");
  if (vqe_dist_size() > 1) TU_ASSERT_CONTAINS(err.msg, "rank ");
  CU_ASSERT(f.next <= 5);
}

static void test_agree(void)
{
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_dist_agree(VQE_OK, &err), VQE_OK);
  const int last = vqe_dist_size() - 1;
  vqe_status st = VQE_OK;
  if (vqe_dist_rank() == last) st = vqe_error_set(&err, VQE_ERR_RESOURCE, "out of something on the last rank");
  CU_ASSERT_EQUAL(vqe_dist_agree(st, &err), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "out of something on the last rank");
  char *s = vqe_dist_rank() == 0 ? strdup("hello from rank 0") : NULL;
  CU_ASSERT_EQUAL(vqe_dist_bcast_string(&s, 0, &err), VQE_OK);
  CU_ASSERT_STRING_EQUAL(s, "hello from rank 0");
  free(s);
  char mine[32], **all = NULL;
  snprintf(mine, sizeof mine, "r%d", vqe_dist_rank());
  CU_ASSERT_EQUAL_FATAL(vqe_dist_allgather_strings(mine, &all, &err), VQE_OK);
  for (int r = 0; r < vqe_dist_size(); r++) {
    char want[32];
    snprintf(want, sizeof want, "r%d", r);
    CU_ASSERT_STRING_EQUAL(all[r], want);
    free(all[r]);
  }
  free(all);
}

/* plateau sampling split over ranks = one process, bitwise */
typedef struct { vqe_circuit c; vqe_cost cost; vqe_statevec work[3]; } pl_ctx;

static vqe_status pl_fn(void *vctx, uint64_t k, vqe_rng *rng, const double *theta, double *e, double *g, vqe_error *err)
{
  pl_ctx *p = vctx;
  (void)k; (void)rng;
  return vqe_cost_gradient(&p->c, &p->cost, NULL, theta, p->work, e, g, err);
}

static void test_plateau_split(void)
{
  vqe_error err = {0};
  pl_ctx p;
  vqe_rng rng;
  vqe_rng_seed(&rng, 3);
  CU_ASSERT_FATAL(vqe_circuit_random_pauli(5, 3, &rng, &p.c, &err) == VQE_OK);
  CU_ASSERT_FATAL(vqe_cost_synthetic(VQE_COST_LOCAL, 5, &p.cost, &err) == VQE_OK);
  CU_ASSERT_FATAL(vqe_statevec_init_many(p.work, 3, 5, &err) == VQE_OK);
  vqe_plateau_options o;
  vqe_plateau_options_default(&o);
  o.n_samples = 37;
  o.seed = 9;
  o.bootstrap = 50;
  vqe_plateau_stats a, b;
  CU_ASSERT_FATAL(vqe_plateau_sample(p.c.n_params, pl_fn, &p, &o, &a, &err) == VQE_OK);
  CU_ASSERT_FATAL(vqe_dist_plateau_sample(p.c.n_params, pl_fn, &p, &o, &b, &err) == VQE_OK);
  CU_ASSERT(a.variance_mean == b.variance_mean);
  CU_ASSERT(a.variance_mean_stderr == b.variance_mean_stderr);
  CU_ASSERT(a.variance_first == b.variance_first);
  CU_ASSERT(a.variance_mean_ci[0] == b.variance_mean_ci[0] && a.variance_mean_ci[1] == b.variance_mean_ci[1]);
  CU_ASSERT(a.energy_mean == b.energy_mean && a.energy_variance == b.energy_variance);
  for (int k = 0; k < p.c.n_params; k++) CU_ASSERT(a.grad_var[k] == b.grad_var[k]);
  vqe_plateau_stats_free(&a);
  vqe_plateau_stats_free(&b);
  for (int i = 0; i < 3; i++) vqe_statevec_free(&p.work[i]);
  vqe_cost_free(&p.cost);
  vqe_circuit_free(&p.c);
}

int main(int argc, char **argv)
{
  vqe_error err = {0};
  if (vqe_dist_init(&argc, &argv, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
  if (vqe_dist_rank() > 0 && !freopen("/dev/null", "w", stdout)) return 1;
  static const tu_test tests[] = {
    {"share and owner cover every item once", test_share_owner},
    {"agree, broadcast and gather strings", test_agree},
    {"work map: item order, skips, a failing item stops every rank", test_map},
    {"plateau sampling over ranks equals one process bitwise", test_plateau_split},
    {"every gate kind on every qubit (apply, inverse, generators) = single process", test_gates_every_kind_every_qubit},
    {"Pauli sums: expectation, H|psi>, projector, inner products, gather", test_pauli_sums},
    {"chunked exchange (4 KiB messages) gives the same state", test_chunked_messages},
    {"molecular Hamiltonians: expectation and H|psi> = single process", test_molecular_hamiltonians},
    {"adjoint gradient on a distributed state = single process", test_adjoint_gradient},
    {"ansatz circuits (UCCSD, k-UpCCGSD, GateFabric, HEA) gate by gate = single process", test_ansatz_circuits},
    {"spin observables N, S_z, S^2 = single process", test_spin_observables},
    {"vqe run on a distributed state = single process (H2, LiH; UCCSD, HEA)", test_vqe_run},
    {"rank count and per-rank memory errors", test_dstatevec_errors},
    {"input errors of the distributed calls", test_dstatevec_input_errors},
    {NULL, NULL},
  };
  int rc = tu_run_suite("mpi", tests);
  rc = vqe_dist_max_int(rc);
  if (vqe_dist_rank() == 0) printf("ranks: %d, result on every rank: %s\n", vqe_dist_size(), rc ? "FAILED" : "passed");
  vqe_dist_finalize();
  return rc;
}
