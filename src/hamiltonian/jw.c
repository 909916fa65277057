/* jw.c — Jordan–Wigner qubit Hamiltonian built directly from the MO integrals (see hamiltonian.h),
 * the OpenFermion text export, and a small dense Pauli-sum action for checks. Called by the CLI, the
 * VQE driver and the tests.
 *
 * Each ladder operator is a sum of two "XZ words" X^x Z^z with real coefficients:
 *   a_j  = ½ (X^{e_j} Z^{m_j} − X^{e_j} Z^{m_j|e_j}),  a†_j = ½ (X^{e_j} Z^{m_j} + X^{e_j} Z^{m_j|e_j}),
 * with e_j = 1<<j and m_j = e_j − 1 (the Z string below j); check on one qubit: ½(X + XZ) = |1⟩⟨0|.
 * Words multiply as (X^a Z^b)(X^c Z^d) = (−1)^{|b∧c|} X^{a⊕c} Z^{b⊕d}, and X^x Z^z = (−i)^{|x∧z|} P(x,z)
 * in the P = i^{|x∧z|} X^x Z^z convention of pauli.h. Products of 2 or 4 ladder operators give 4 or 16
 * words; their coefficients are accumulated (real and imaginary parts) in an open-addressing hash
 * table keyed by (x, z), so memory grows with the number of distinct strings, not with N^4. The
 * imaginary parts cancel for a Hermitian H: the builder checks h_pq = h_qp through them and checks the
 * 8-fold symmetry of (pq|rs) directly (the two-body loop relies on it, see there). */
#include "vqe/hamiltonian.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t x, z;
  double re, im;
  int used;
} jw_slot;

typedef struct {
  jw_slot *slot;
  size_t cap, n;   /* cap is a power of two */
} jw_table;

static uint64_t jw_hash(uint64_t x, uint64_t z)
{
  uint64_t h = x * 0x9E3779B97F4A7C15ULL ^ (z + 0x632BE59BD9B4E019ULL + (x << 6) + (x >> 2));
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  return h;
}

static int jw_grow(jw_table *t)
{
  size_t ncap = t->cap ? 2 * t->cap : 1024;
  jw_slot *ns = calloc(ncap, sizeof *ns);
  if (!ns) return -1;
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->slot[i].used) continue;
    size_t k = jw_hash(t->slot[i].x, t->slot[i].z) & (ncap - 1);
    while (ns[k].used) k = (k + 1) & (ncap - 1);
    ns[k] = t->slot[i];
  }
  free(t->slot);
  t->slot = ns;
  t->cap = ncap;
  return 0;
}

/* Add c · X^x Z^z. */
static int jw_add(jw_table *t, uint64_t x, uint64_t z, double c)
{
  if (2 * (t->n + 1) > t->cap && jw_grow(t)) return -1;
  size_t k = jw_hash(x, z) & (t->cap - 1);
  while (t->slot[k].used && (t->slot[k].x != x || t->slot[k].z != z)) k = (k + 1) & (t->cap - 1);
  jw_slot *s = &t->slot[k];
  if (!s->used) { s->used = 1; s->x = x; s->z = z; t->n++; }
  /* X^x Z^z = (−i)^y P with y = |x∧z|: y mod 4 = 0: +1, 1: −i, 2: −1, 3: +i */
  switch (__builtin_popcountll(x & z) & 3) {
    case 0: s->re += c; break;
    case 1: s->im -= c; break;
    case 2: s->re -= c; break;
    default: s->im += c; break;
  }
  return 0;
}

/* A product of two ladder operators: 4 words with signs ±1 (coefficient ¼ not included). */
typedef struct { uint64_t x[4], z[4]; double s[4]; } jw_pair;

/* op(j, dag) word b (0 or 1) and its sign. */
static void jw_ladder(int j, int dag, int b, uint64_t *x, uint64_t *z, double *s)
{
  uint64_t e = 1ULL << j;
  *x = e;
  *z = (e - 1) | (b ? e : 0);
  *s = (b && !dag) ? -1.0 : 1.0;
}

static void jw_pair_make(int i, int di, int j, int dj, jw_pair *p)
{
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      uint64_t x1, z1, x2, z2;
      double s1, s2;
      jw_ladder(i, di, a, &x1, &z1, &s1);
      jw_ladder(j, dj, b, &x2, &z2, &s2);
      double sg = (__builtin_popcountll(z1 & x2) & 1) ? -1.0 : 1.0;
      p->x[2 * a + b] = x1 ^ x2;
      p->z[2 * a + b] = z1 ^ z2;
      p->s[2 * a + b] = s1 * s2 * sg;
    }
}

/* Largest |(pq|rs) − (qp|rs)|, |(pq|rs) − (pq|sr)|, |(pq|rs) − (rs|pq)|. */
static double jw_eri_asymmetry(const vqe_mo_hamiltonian *ham)
{
  const size_t n = (size_t)ham->norb, n2 = n * n, n3 = n2 * n;
  const double *e = ham->eri;
  double d = 0;
  for (size_t p = 0; p < n; p++)
    for (size_t q = 0; q < n; q++)
      for (size_t r = 0; r < n; r++)
        for (size_t s = 0; s < n; s++) {
          double v = e[p * n3 + q * n2 + r * n + s];
          d = fmax(d, fabs(v - e[q * n3 + p * n2 + r * n + s]));
          d = fmax(d, fabs(v - e[p * n3 + q * n2 + s * n + r]));
          d = fmax(d, fabs(v - e[r * n3 + s * n2 + p * n + q]));
        }
  return d;
}

vqe_status vqe_hamiltonian_jordan_wigner(const vqe_mo_hamiltonian *ham, double cutoff, vqe_pauli_sum *out,
                                         vqe_error *err)
{
  const int n = ham->norb, ns = 2 * n;
  if (n < 1 || n > 32)
    return vqe_error_set(err, VQE_ERR_INPUT, "Jordan-Wigner supports 1..32 spatial orbitals (64 qubits), got %d orbitals", n);
  if (cutoff < 0) cutoff = VQE_JW_CUTOFF_DEFAULT;
  vqe_pauli_sum_init(out, ns);
  double asym = jw_eri_asymmetry(ham);
  if (asym > 1e-10)
    return vqe_error_set(err, VQE_ERR_INPUT, "the two-electron integrals lack the 8-fold symmetry (pq|rs) = (qp|rs) = (rs|pq) "
                         "(largest violation %.3e); the Hamiltonian would not be Hermitian", asym);
  /* Pair tables: cre[P*ns+R] = a†_P a†_R, ann[S*ns+Q] = a_S a_Q; one[P*ns+Q] = a†_P a_Q. */
  jw_pair *cre = malloc((size_t)ns * ns * sizeof *cre), *ann = malloc((size_t)ns * ns * sizeof *ann);
  jw_table t = { 0 };
  if (!cre || !ann || jw_grow(&t)) {
    free(cre); free(ann); free(t.slot);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory building the qubit Hamiltonian");
  }
  for (int P = 0; P < ns; P++)
    for (int R = 0; R < ns; R++) {
      jw_pair_make(P, 1, R, 1, &cre[P * ns + R]);
      jw_pair_make(P, 0, R, 0, &ann[P * ns + R]);
    }
  int oom = jw_add(&t, 0, 0, ham->e_core);
  /* One-body: Σ_pq h_pq Σ_σ a†_pσ a_qσ (¼ from the two ladder operators). */
  for (int p = 0; p < n && !oom; p++)
    for (int q = 0; q < n && !oom; q++) {
      double h = ham->h[p * n + q];
      if (h == 0.0) continue;
      for (int sg = 0; sg < 2; sg++) {
        jw_pair pr;
        jw_pair_make(2 * p + sg, 1, 2 * q + sg, 0, &pr);
        for (int k = 0; k < 4; k++) oom |= jw_add(&t, pr.x[k], pr.z[k], 0.25 * h * pr.s[k]);
      }
    }
  /* Two-body: ½ Σ (pq|rs) a†_pσ a†_rτ a_sτ a_qσ = ½ (pq|rs) [a†_P a†_R][a_S a_Q] (1/16 from the words).
   * The spin-orbital tuple t = (P,Q,R,S) shares its coefficient and its operator with the pair swap
   * (R,S,P,Q) (same operator) and with the adjoint (Q,P,S,R) (conjugate operator), given the 8-fold
   * symmetry checked above. Summing an orbit of k distinct tuples gives k · Re(expansion of one), so
   * only the orbit's smallest tuple is expanded, with weight k, and only its real words (even number
   * of Y) are kept: about 8x fewer hash insertions than expanding every tuple. */
  const size_t n2 = (size_t)n * n, n3 = n2 * n;
  const uint64_t ns2 = (uint64_t)ns * ns;
  for (int p = 0; p < n && !oom; p++)
    for (int q = 0; q < n && !oom; q++)
      for (int r = 0; r < n && !oom; r++)
        for (int s = 0; s < n && !oom; s++) {
          double v = ham->eri[p * n3 + q * n2 + r * (size_t)n + s];
          if (v == 0.0) continue;
          for (int sg = 0; sg < 2; sg++)
            for (int tau = 0; tau < 2; tau++) {
              uint64_t P = 2 * p + sg, Q = 2 * q + sg, R = 2 * r + tau, S = 2 * s + tau;
              if (P == R || Q == S) continue;
              uint64_t k0 = (P * ns + Q) * ns2 + R * ns + S, k1 = (R * ns + S) * ns2 + P * ns + Q;
              uint64_t k2 = (Q * ns + P) * ns2 + S * ns + R, k3 = (S * ns + R) * ns2 + Q * ns + P;
              if (k0 > k1 || k0 > k2 || k0 > k3) continue;
              int orbit = 1 + (k1 != k0) + (k2 != k0 && k2 != k1) + (k3 != k0 && k3 != k1 && k3 != k2);
              double c = orbit * v / 32.0;
              const jw_pair *L = &cre[P * ns + R], *Rt = &ann[S * ns + Q];
              for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++) {
                  uint64_t x = L->x[a] ^ Rt->x[b], z = L->z[a] ^ Rt->z[b];
                  if (__builtin_popcountll(x & z) & 1) continue;   /* imaginary: cancels within the orbit */
                  double sgn = (__builtin_popcountll(L->z[a] & Rt->x[b]) & 1) ? -1.0 : 1.0;
                  oom |= jw_add(&t, x, z, c * L->s[a] * Rt->s[b] * sgn);
                }
            }
        }
  free(cre);
  free(ann);
  if (oom) {
    free(t.slot);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory building the qubit Hamiltonian (%zu strings)", t.n);
  }
  double maxim = 0, scale = 1.0;
  vqe_status st = VQE_OK;
  for (size_t i = 0; i < t.cap && !st; i++) {
    if (!t.slot[i].used) continue;
    if (fabs(t.slot[i].im) > maxim) maxim = fabs(t.slot[i].im);
    if (fabs(t.slot[i].re) > scale) scale = fabs(t.slot[i].re);
    if (t.slot[i].re != 0.0 && fabs(t.slot[i].re) >= cutoff) st = vqe_pauli_sum_add(out, t.slot[i].x, t.slot[i].z, t.slot[i].re, err);
  }
  free(t.slot);
  if (st) { vqe_pauli_sum_free(out); return st; }
  if (maxim > 1e-10 * scale) {
    vqe_pauli_sum_free(out);
    return vqe_error_set(err, VQE_ERR_INPUT, "the Hamiltonian is not Hermitian: imaginary Pauli coefficient %.3e (integrals lack the (pq|rs) = (qp|rs) symmetry?)", maxim);
  }
  vqe_pauli_sum_simplify(out, cutoff);
  return VQE_OK;
}

vqe_status vqe_pauli_sum_write_openfermion(const vqe_pauli_sum *s, FILE *f, vqe_error *err)
{
  for (size_t i = 0; i < s->n_terms; i++) {
    const vqe_pauli_term *t = &s->terms[i];
    fprintf(f, "%.17g [", t->coeff);
    int first = 1;
    for (int q = 0; q < 64; q++) {
      int bx = (int)(t->x >> q & 1), bz = (int)(t->z >> q & 1);
      if (!bx && !bz) continue;
      fprintf(f, "%s%c%d", first ? "" : " ", bx ? (bz ? 'Y' : 'X') : 'Z', q);
      first = 0;
    }
    fputs(i + 1 < s->n_terms ? "] +\n" : "]\n", f);
  }
  if (ferror(f)) return vqe_error_set(err, VQE_ERR_INPUT, "write error while writing the qubit operator");
  return VQE_OK;
}

vqe_status vqe_pauli_sum_apply_real(const vqe_pauli_sum *s, const double *psi, double *out, vqe_error *err)
{
  const size_t dim = (size_t)1 << s->n_qubits;
  for (size_t k = 0; k < s->n_terms; k++)
    if (__builtin_popcountll(s->terms[k].x & s->terms[k].z) & 1)
      return vqe_error_set(err, VQE_ERR_INPUT, "Pauli term %zu has an odd number of Y factors (not a real operator)", k);
  memset(out, 0, dim * sizeof *out);
  /* P(x,z)|b⟩ = i^{|x∧z|} (−1)^{|b∧z|} |b⊕x⟩; with an even Y count i^{|x∧z|} = ±1. */
  for (size_t k = 0; k < s->n_terms; k++) {
    const vqe_pauli_term *t = &s->terms[k];
    double c = (__builtin_popcountll(t->x & t->z) & 2) ? -t->coeff : t->coeff;
    for (size_t b = 0; b < dim; b++) {
      double v = psi[b];
      if (v == 0.0) continue;
      out[b ^ t->x] += (__builtin_popcountll(b & t->z) & 1) ? -c * v : c * v;
    }
  }
  return VQE_OK;
}

double vqe_pauli_sum_expectation_real(const vqe_pauli_sum *s, const double *psi)
{
  const size_t dim = (size_t)1 << s->n_qubits;
  double *o = malloc(dim * sizeof *o);
  if (!o) return NAN;
  double e = NAN;
  if (vqe_pauli_sum_apply_real(s, psi, o, NULL) == VQE_OK) {
    e = 0;
    for (size_t b = 0; b < dim; b++) e += psi[b] * o[b];
  }
  free(o);
  return e;
}
