/* statevec.h — the state-vector engine: a state of n qubits as 2^n complex amplitudes, the gate
 * kernels the circuit layer (circuit.h) dispatches to, expectation values and H|ψ⟩ of Pauli sums and
 * of the fermionic Hamiltonian, and shot sampling. Used by circuit.c, the ansätze, the adjoint
 * gradient, the plateau tools and the VQE driver.
 *
 * Conventions
 * - Amplitudes are C99/C11 `double complex` (layout: re, im interleaved, 16 bytes each); amp[b] is
 *   ⟨b|ψ⟩. Qubit q is bit q of the basis index b (qubit 0 = least significant bit), as in DESIGN.md.
 * - Small matrices are row-major: m[r*d + c] = ⟨r|M|c⟩ where the local index r of a k-qubit block has
 *   bit j = the state of qubits[j] (so for vqe_statevec_apply_2q(s, q0, q1, m), local index
 *   r = b_{q0} + 2 b_{q1}). 1-qubit m = {m00, m01, m10, m11}.
 * - Rotations: R_P(θ) = exp(−iθP/2) for a Pauli string P (see pauli.h for the x/z mask encoding,
 *   P = i^{popcount(x&z)} X^x Z^z).
 * - Fermionic operators follow the Jordan–Wigner convention of hamiltonian.h: qubit j = spin orbital j,
 *   a†_j = Z_0⋯Z_{j−1}(X_j − iY_j)/2, so a†_j|b⟩ = (−1)^{popcount(b & (2^j − 1))} |b + 2^j⟩ when bit j is
 *   empty. Fermionic gates apply these signs directly to amplitude pairs (no CNOT ladders).
 * - Threads: kernels are OpenMP-parallel above one size threshold (src/statevec/sv_internal.h); element
 *   kernels give bitwise the same state for any thread count, and reductions (norms, inner products,
 *   expectation values) sum fixed-size chunks in a fixed order, so they too are independent of the
 *   thread count.
 * - Memory: every allocation is checked first against vqe_mem_available() (VQE_MEMORY_LIMIT overrides);
 *   a refusal is VQE_ERR_RESOURCE with needed vs available bytes and the largest n that fits. */
#ifndef VQE_STATEVEC_H
#define VQE_STATEVEC_H

#include "vqe/common.h"
#include "vqe/pauli.h"
#include "vqe/hamiltonian.h"

#ifdef __cplusplus
#include <complex>
typedef std::complex<double> vqe_complex;
extern "C" {
#else
#include <complex.h>
typedef double complex vqe_complex;
#endif

/* Largest supported register (index arithmetic is 64-bit; memory is the practical limit). */
#define VQE_STATEVEC_MAX_QUBITS 40

/* A state vector: plain, caller-owned struct (vqe_statevec_init / vqe_statevec_free). */
typedef struct {
  int n_qubits;
  uint64_t dim;        /* 2^n_qubits */
  vqe_complex *amp;    /* dim amplitudes, 64-byte aligned */
} vqe_statevec;

/* ---- memory ------------------------------------------------------------------------------------ */

/* Bytes of n_vectors states of n qubits (16·2^n each); UINT64_MAX on overflow. */
uint64_t vqe_statevec_bytes(int n_qubits, int n_vectors);
/* Largest n such that n_vectors states of n qubits fit in vqe_mem_available(); -1 when not even one
 * qubit fits, VQE_STATEVEC_MAX_QUBITS when the amount of memory is unknown. */
int vqe_statevec_max_qubits(int n_vectors);
/* Check that a run needing n_vectors states of n qubits fits. On refusal: VQE_ERR_RESOURCE with
 * "N state vectors of n qubits need X but only Y is available; the largest that fits is n = m".
 * Requests under 4 MiB skip the /proc query (they are made and freed often) unless VQE_MEMORY_LIMIT is
 * set, which is always honoured. */
vqe_status vqe_statevec_check_memory(int n_qubits, int n_vectors, vqe_error *err);

/* ---- life cycle and basic operations ------------------------------------------------------------ */

/* Allocate |0…0⟩ of n qubits (1 <= n <= VQE_STATEVEC_MAX_QUBITS) after checking memory for one vector.
 * On failure *s is left empty (amp == NULL) and may still be passed to vqe_statevec_free. */
vqe_status vqe_statevec_init(vqe_statevec *s, int n_qubits, vqe_error *err);
/* Allocate `count` states at once, checking memory for all of them together first (e.g. the adjoint
 * gradient needs 3). All-or-nothing. */
vqe_status vqe_statevec_init_many(vqe_statevec *s, int count, int n_qubits, vqe_error *err);
void vqe_statevec_free(vqe_statevec *s);          /* accepts NULL and empty states */

/* |b⟩ (b < dim). */
vqe_status vqe_statevec_set_basis(vqe_statevec *s, uint64_t b, vqe_error *err);
/* A normalised random state (independent normal re/im parts: Haar-distributed), reproducible from
 * the generator state alone (independent of the thread count). */
void vqe_statevec_set_random(vqe_statevec *s, vqe_rng *rng);
/* dst = src (same n_qubits, else VQE_ERR_INPUT). */
vqe_status vqe_statevec_copy(vqe_statevec *dst, const vqe_statevec *src, vqe_error *err);
double vqe_statevec_norm2(const vqe_statevec *s);                         /* ⟨ψ|ψ⟩ */
void vqe_statevec_normalize(vqe_statevec *s);
vqe_complex vqe_statevec_inner(const vqe_statevec *a, const vqe_statevec *b); /* ⟨a|b⟩, same n */
void vqe_statevec_scale(vqe_statevec *s, vqe_complex alpha);              /* ψ ← αψ */
void vqe_statevec_axpy(vqe_complex alpha, const vqe_statevec *x, vqe_statevec *y); /* y ← y + αx */

/* ---- gate kernels -------------------------------------------------------------------------------
 * All validate their qubit arguments (range, distinct) and return VQE_ERR_INPUT with the offending
 * value and the allowed range. The named gates (X, H, RX, CNOT, …) with their matrices are in
 * circuit.h; these are the engines they run on. */

/* ψ ← M_q ψ for a 2×2 matrix m on qubit q. */
vqe_status vqe_statevec_apply_1q(vqe_statevec *s, int q, const vqe_complex m[4], vqe_error *err);
/* Controlled 2×2: M on qubit q applied only to basis states with every bit of `controls` set
 * (q must not be in controls). */
vqe_status vqe_statevec_apply_controlled_1q(vqe_statevec *s, uint64_t controls, int q,
                                            const vqe_complex m[4], vqe_error *err);
/* 4×4 on (q0, q1), local index = b_{q0} + 2 b_{q1}. */
vqe_status vqe_statevec_apply_2q(vqe_statevec *s, int q0, int q1, const vqe_complex m[16],
                                 vqe_error *err);
/* Dense 2^k×2^k on k distinct qubits (1 <= k <= 6), local index bit j = qubits[j]. */
vqe_status vqe_statevec_apply_dense(vqe_statevec *s, int k, const int *qubits, const vqe_complex *m,
                                    vqe_error *err);
/* ψ ← P ψ for the Pauli string P = i^{popcount(x&z)} X^x Z^z (pauli.h encoding). */
vqe_status vqe_statevec_apply_pauli(vqe_statevec *s, uint64_t x, uint64_t z, vqe_error *err);
/* ψ ← exp(−iθP/2) ψ = cos(θ/2) ψ − i sin(θ/2) P ψ, any Pauli string (x = z = 0: global phase). */
vqe_status vqe_statevec_apply_pauli_rotation(vqe_statevec *s, uint64_t x, uint64_t z, double theta,
                                             vqe_error *err);
/* Fermionic single excitation ψ ← exp(θ(a†_p a_q − a†_q a_p)) ψ, p ≠ q, JW signs:
 * for each b with bit q set and bit p empty, b' = b − 2^q + 2^p, σ = (−1)^{occupied strictly between
 * p and q}:  ψ'[b] = cos θ ψ[b] − σ sin θ ψ[b'],  ψ'[b'] = cos θ ψ[b'] + σ sin θ ψ[b]. */
vqe_status vqe_statevec_apply_fermi_single(vqe_statevec *s, int p, int q, double theta,
                                           vqe_error *err);
/* Fermionic double excitation ψ ← exp(θ(a†_p a†_q a_r a_s − a†_s a†_r a_q a_p)) ψ, p,q,r,s distinct:
 * for each b with r, s occupied and p, q empty, b' = b − 2^r − 2^s + 2^p + 2^q and σ the JW sign of
 * a†_p a†_q a_r a_s|b⟩ = σ|b'⟩ (operators applied right to left, each a†_j / a_j contributing
 * (−1)^{occupied below j} at that moment):  ψ'[b] = cos θ ψ[b] − σ sin θ ψ[b'],
 * ψ'[b'] = cos θ ψ[b'] + σ sin θ ψ[b]. */
vqe_status vqe_statevec_apply_fermi_double(vqe_statevec *s, int p, int q, int r, int t, double theta,
                                           vqe_error *err);

/* ---- observables --------------------------------------------------------------------------------- */

/* ⟨ψ|P|ψ⟩ of one Pauli string (without coefficient): Σ_b conj(ψ[b⊕x]) ψ[b] (−1)^{|b∧z|} i^{|x∧z|}. */
vqe_complex vqe_statevec_expect_pauli(const vqe_statevec *s, uint64_t x, uint64_t z);
/* ⟨ψ|H|ψ⟩ for a Pauli sum (h->n_qubits must equal s->n_qubits; terms need not be sorted): terms with
 * the same x mask are evaluated together in one pass over the state, so the cost is one pass per
 * distinct x mask (vqe_pauli_sum_n_xgroups). Real part (H is Hermitian). */
vqe_status vqe_statevec_expect_pauli_sum(const vqe_statevec *s, const vqe_pauli_sum *h, double *e,
                                         vqe_error *err);
/* out = H in (out ≠ in; both n qubits). One gather pass over in per x group. */
vqe_status vqe_statevec_apply_pauli_sum(const vqe_statevec *in, const vqe_pauli_sum *h,
                                        vqe_statevec *out, vqe_error *err);
/* The fermionic Hamiltonian of hamiltonian.h applied directly in the occupation-number basis (2·norb
 * qubits = interleaved spin orbitals): E_core + Σ h_pq a†_pσ a_qσ + ½ Σ (pq|rs) a†_pσ a†_rτ a_sτ a_qσ.
 * No Pauli sum involved; agrees with the Jordan–Wigner Pauli sum to rounding. Cost O(2^n · N_occ² ·
 * norb²): a check and a fallback, not the fast path. */
vqe_status vqe_statevec_expect_fermionic(const vqe_statevec *s, const vqe_mo_hamiltonian *h,
                                         double *e, vqe_error *err);
vqe_status vqe_statevec_apply_fermionic(const vqe_statevec *in, const vqe_mo_hamiltonian *h,
                                        vqe_statevec *out, vqe_error *err);

/* ---- sampling ------------------------------------------------------------------------------------ */

/* `shots` computational-basis outcomes drawn from |ψ[b]|² (ψ need not be normalised: probabilities
 * are divided by ⟨ψ|ψ⟩) into out[shots], in the order drawn. Same rng state ⇒ same outcomes. */
vqe_status vqe_statevec_sample(const vqe_statevec *s, size_t shots, vqe_rng *rng, uint64_t *out,
                               vqe_error *err);

/* Qubit-wise commuting groups (greedy, in term order): group_of_term[t] for every term; two terms share
 * a group when on every qubit they act on both they carry the same Pauli. The identity term joins
 * group 0 (it needs no measurement). *n_groups receives the count. */
vqe_status vqe_statevec_qwc_groups(const vqe_pauli_sum *h, size_t *group_of_term, size_t *n_groups,
                                   vqe_error *err);

/* Shot estimate of ⟨H⟩: per QWC group, rotate a copy of ψ into the group's basis (H for X, S†·H for
 * Y), draw shots_per_group outcomes, and average Σ_t c_t (−1)^{|b ∧ support_t|} over the shots. The
 * standard error is sqrt(Σ_g s²_g / shots_per_group) with s²_g the sample variance of the group's
 * per-shot value. Needs one extra state vector (checked). */
typedef struct {
  double estimate;        /* ⟨H⟩ estimate, hartree */
  double std_error;       /* its standard error */
  size_t n_groups;        /* measured QWC groups (the identity needs none) */
  size_t total_shots;     /* n_groups · shots_per_group */
} vqe_shot_estimate;
vqe_status vqe_statevec_estimate_shots(const vqe_statevec *s, const vqe_pauli_sum *h,
                                       size_t shots_per_group, vqe_rng *rng, vqe_shot_estimate *out,
                                       vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
