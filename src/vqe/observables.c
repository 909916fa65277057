/* observables.c — ⟨N⟩, ⟨S_z⟩, ⟨S²⟩ of a state on interleaved spin orbitals as direct kernels, the
 * penalty operator μ_N (N − N0)² + μ_S2 S² applied to a state, and N / S_z as Pauli sums (vqe_run.h).
 * Called by the evaluator, the driver and the tests.
 *
 * S² = S_−S_+ + S_z² + S_z with S_+ = Σ_p a†_{2p} a_{2p+1}. The JW sign of a†_{2p} a_{2p+1} is +1
 * (the two modes are adjacent and mode 2p is empty when the move is allowed), so S_+ moves amplitude
 * from b to b − 2^{2p+1} + 2^{2p} without signs; likewise S_−. */
#include "vqe/vqe_run.h"
#include "vqe_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALPHA_MASK UINT64_C(0x5555555555555555)
#define BETA_MASK  UINT64_C(0xAAAAAAAAAAAAAAAA)

static inline double sz_of(uint64_t b)
{
  return 0.5 * ((double)__builtin_popcountll(b & ALPHA_MASK) - (double)__builtin_popcountll(b & BETA_MASK));
}

/* (S_+ψ)[b] = Σ_p [α_p set, β_p empty in b] ψ[b − 2^{2p} + 2^{2p+1}] */
static inline vqe_complex splus_at(const vqe_complex *psi, uint64_t b, int norb)
{
  vqe_complex v = 0;
  uint64_t movable = b & ~(b >> 1) & ALPHA_MASK;      /* α set and β empty */
  for (int p = 0; p < norb; p++) {
    uint64_t m = UINT64_C(1) << (2 * p);
    if (movable & m) v += psi[b - m + (m << 1)];
  }
  return v;
}

vqe_status vqe_spin_observables_compute(const vqe_statevec *s, vqe_spin_observables *o, vqe_error *err)
{
  if (!s || !s->amp) return vqe_error_set(err, VQE_ERR_INPUT, "observables: empty state");
  if (s->n_qubits % 2)
    return vqe_error_set(err, VQE_ERR_INPUT, "observables: N, S_z, S² need an even number of qubits (interleaved spin orbitals), got %d",
                         s->n_qubits);
  int norb = s->n_qubits / 2;
  uint64_t dim = s->dim, chunk = UINT64_C(1) << OBS_CHUNK_BITS;
  if (chunk > dim) chunk = dim;
  uint64_t nchunks = dim / chunk;
  double *part = calloc((size_t)nchunks * 5, sizeof *part);
  if (!part) return vqe_error_set(err, VQE_ERR_RESOURCE, "observables: out of memory");
  const vqe_complex *psi = s->amp;
#pragma omp parallel for schedule(static) if (nchunks > 1)
  for (uint64_t c = 0; c < nchunks; c++) {
    double w = 0, n = 0, sz = 0, sz2 = 0, spm = 0;
    for (uint64_t b = c * chunk; b < (c + 1) * chunk; b++) {
      double p = creal(psi[b]) * creal(psi[b]) + cimag(psi[b]) * cimag(psi[b]);
      vqe_complex sp = splus_at(psi, b, norb);
      spm += creal(sp) * creal(sp) + cimag(sp) * cimag(sp);
      if (p == 0.0) continue;
      double z = sz_of(b);
      w += p;
      n += p * (double)__builtin_popcountll(b);
      sz += p * z;
      sz2 += p * z * z;
    }
    part[5 * c] = w; part[5 * c + 1] = n; part[5 * c + 2] = sz; part[5 * c + 3] = sz2; part[5 * c + 4] = spm;
  }
  double t[5] = {0, 0, 0, 0, 0};
  for (uint64_t c = 0; c < nchunks; c++)
    for (int k = 0; k < 5; k++) t[k] += part[5 * c + k];
  free(part);
  if (!(t[0] > 0)) return vqe_error_set(err, VQE_ERR_COMPUTE, "observables: the state has zero norm");
  o->n = t[1] / t[0];
  o->sz = t[2] / t[0];
  o->s2 = (t[4] + t[3] + t[2]) / t[0];
  return VQE_OK;
}

vqe_status vqe_penalty_apply_add(const vqe_statevec *in, const vqe_penalty *p, vqe_statevec *out,
                                 vqe_error *err)
{
  if (!in || !out || !p || in->n_qubits != out->n_qubits || in == out)
    return vqe_error_set(err, VQE_ERR_INPUT, "penalty: needs two distinct states of the same size");
  if (in->n_qubits % 2)
    return vqe_error_set(err, VQE_ERR_INPUT, "penalty: needs an even number of qubits, got %d", in->n_qubits);
  int norb = in->n_qubits / 2;
  const vqe_complex *psi = in->amp;
  vqe_complex *y = out->amp;
  double mun = p->mu_number, n0 = p->n_target, mus = p->mu_s2;
  uint64_t dim = in->dim;
#pragma omp parallel for schedule(static) if (dim >= (UINT64_C(1) << OBS_CHUNK_BITS))
  for (uint64_t b = 0; b < dim; b++) {
    vqe_complex acc = 0;
    if (mun != 0.0) {
      double dn = (double)__builtin_popcountll(b) - n0;
      acc += mun * dn * dn * psi[b];
    }
    if (mus != 0.0) {
      double z = sz_of(b);
      vqe_complex v = (z * z + z) * psi[b];
      /* (S_−S_+ψ)[b] = Σ_q [β_q set, α_q empty in b] (S_+ψ)[b − 2^{2q+1} + 2^{2q}] */
      uint64_t movable = (b >> 1) & ~b & ALPHA_MASK;    /* bit 2q: β_q set, α_q empty */
      for (int q = 0; q < norb; q++) {
        uint64_t m = UINT64_C(1) << (2 * q);
        if (movable & m) v += splus_at(psi, b - (m << 1) + m, norb);
      }
      acc += mus * v;
    }
    y[b] += acc;
  }
  return VQE_OK;
}

vqe_status vqe_pauli_sum_number(int n_qubits, vqe_pauli_sum *out, vqe_error *err)
{
  vqe_pauli_sum_init(out, n_qubits);
  vqe_status st = vqe_pauli_sum_add(out, 0, 0, 0.5 * n_qubits, err);
  for (int j = 0; j < n_qubits && !st; j++) st = vqe_pauli_sum_add(out, 0, UINT64_C(1) << j, -0.5, err);
  if (st) { vqe_pauli_sum_free(out); return st; }
  vqe_pauli_sum_simplify(out, 0.0);
  return VQE_OK;
}

vqe_status vqe_pauli_sum_sz(int n_qubits, vqe_pauli_sum *out, vqe_error *err)
{
  if (n_qubits % 2) return vqe_error_set(err, VQE_ERR_INPUT, "S_z: needs an even number of qubits, got %d", n_qubits);
  vqe_pauli_sum_init(out, n_qubits);
  vqe_status st = VQE_OK;
  for (int p = 0; p < n_qubits / 2 && !st; p++) {
    st = vqe_pauli_sum_add(out, 0, UINT64_C(1) << (2 * p + 1), 0.25, err);
    if (!st) st = vqe_pauli_sum_add(out, 0, UINT64_C(1) << (2 * p), -0.25, err);
  }
  if (st) { vqe_pauli_sum_free(out); return st; }
  vqe_pauli_sum_simplify(out, 0.0);
  return VQE_OK;
}
