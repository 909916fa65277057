/* dstatevec.h — a state vector split across MPI ranks (as QuEST's distributed back end: Jones et al.,
 * Sci. Rep. 9, 10736 (2019)): the circuit gates, generators and inverses of circuit.h, Pauli-sum
 * expectation values and H|ψ⟩, inner products, and the adjoint gradient on it. Used by `vqe plateau
 * --distribute-state`, the MPI tests and bench_mpi. Without MPI (or with one rank) it is a plain
 * single-process state behind the same calls.
 *
 * Layout. With 2^k ranks, rank r holds the 2^(n−k) amplitudes whose top k index bits equal r: global
 * index b = r·2^(n−k) + b_local. Qubits 0..n−k−1 are local, qubits n−k..n−1 are global (qubit n−k+j
 * is bit j of the rank number). Conventions as statevec.h / circuit.h (qubit q = bit q of b).
 *
 * Gates. A gate whose qubits (for fermionic gates: with the Jordan–Wigner string) are all local runs
 * the single-process kernels on the local chunk. Otherwise every gate of circuit.h is written as a
 * "two-level" operation on amplitude pairs (b, b ⊕ flip) selected by a condition on some bits
 * (controls, occupations), with a sign (−1)^{|b ∧ smask|}: 1-qubit and controlled gates, SWAP,
 * Givens / double excitations and the fermionic excitations (whose JW parity over global qubits is a
 * constant per rank) — and PAULI_ROT as α·ψ + β·Pψ. When flip (or the Pauli x mask) has global
 * bits the pair lives on the partner rank r ⊕ (flip >> (n−k)): the two ranks swap the amplitudes
 * the other needs (MPI_Sendrecv in messages of at most 2^28 bytes, so no int count overflows) and
 * each updates its own half of every pair. Only pair members are sent, packed in index order: per
 * such gate a rank sends and receives 16·2^(n−k−c) bytes, c = the gate's local condition qubits
 * (c = 0 for a 1-qubit gate on a global qubit: the whole chunk; c = 1 for CNOT with a local control,
 * SWAP or a single excitation with one local qubit: half). Gates whose global bits are only controls
 * or diagonal (RZ, PHASE, CZ, …) need no communication. Generators of multi-angle gates
 * are transported exactly as in circuit.c.
 *
 * Reductions (norms, inner products, expectation values) sum fixed-size chunks in a fixed order on
 * each rank and then MPI_Allreduce: the result is the same on every rank and independent of the
 * thread count; it agrees with the single-process value to rounding (a different summation order).
 *
 * Memory is checked per rank: count chunks of 16·2^(n−k) bytes plus one exchange buffer, against
 * the memory of the node divided by the ranks sharing it.
 *
 * All calls are collective: every rank calls them in the same order with the same arguments. */
#ifndef VQE_DSTATEVEC_H
#define VQE_DSTATEVEC_H

#include "vqe/common.h"
#include "vqe/statevec.h"
#include "vqe/circuit.h"
#include "vqe/pauli.h"
#include "vqe/vqe_run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  int n_qubits;          /* n */
  int n_local;           /* n − k: qubits of the chunk */
  int n_global;          /* k = log2(ranks) */
  int rank, size;
  vqe_statevec local;    /* the chunk: 2^(n−k) amplitudes (local.n_qubits = n − k) */
  vqe_complex *buf;      /* exchange buffer of 2^(n−k) amplitudes (shared by the vectors of one
                            vqe_dstatevec_init_many call; NULL with one rank) */
  int owns_buf;
} vqe_dstatevec;

/* Check, before any work, that the current ranks can hold `count` states of n qubits: the rank count
 * must be a power of two, at most 2^(n−1) (each rank at least one local qubit), and each rank needs
 * count chunks + one exchange buffer. VQE_ERR_INPUT / VQE_ERR_RESOURCE with the numbers and the
 * allowed values; the same answer on every rank. */
vqe_status vqe_dstatevec_check(int n_qubits, int count, vqe_error *err);
/* The rank-count part alone (a power of two), for the CLI to refuse a bad launch before loading
 * anything. */
vqe_status vqe_dstatevec_check_ranks(vqe_error *err);
/* Bytes one rank needs for `count` states of n qubits over `ranks` ranks (with the exchange buffer
 * when ranks > 1); UINT64_MAX on overflow. */
uint64_t vqe_dstatevec_bytes_per_rank(int n_qubits, int count, int ranks);

/* |0…0⟩ split over the ranks (after vqe_dstatevec_check). Collective. */
vqe_status vqe_dstatevec_init(vqe_dstatevec *s, int n_qubits, vqe_error *err);
/* count states sharing one exchange buffer (the adjoint gradient needs 3). */
vqe_status vqe_dstatevec_init_many(vqe_dstatevec *s, int count, int n_qubits, vqe_error *err);
/* Free one state; the buffer is freed with the state that owns it (the first of init_many): free
 * the others first or all of them together with vqe_dstatevec_free_many. */
void vqe_dstatevec_free(vqe_dstatevec *s);
void vqe_dstatevec_free_many(vqe_dstatevec *s, int count);

vqe_status vqe_dstatevec_set_basis(vqe_dstatevec *s, uint64_t b, vqe_error *err);
vqe_status vqe_dstatevec_copy(vqe_dstatevec *dst, const vqe_dstatevec *src, vqe_error *err);
/* From / to a full state present on every rank (tests and small n). */
vqe_status vqe_dstatevec_scatter(vqe_dstatevec *s, const vqe_statevec *full, vqe_error *err);
vqe_status vqe_dstatevec_gather(const vqe_dstatevec *s, vqe_statevec *full, vqe_error *err);

double vqe_dstatevec_norm2(const vqe_dstatevec *s);
vqe_complex vqe_dstatevec_inner(const vqe_dstatevec *a, const vqe_dstatevec *b);   /* ⟨a|b⟩ */
/* The amplitude ⟨b|ψ⟩ (broadcast from the rank that holds it). */
vqe_complex vqe_dstatevec_amplitude(const vqe_dstatevec *s, uint64_t b);

/* ---- gates (circuit.h semantics) --------------------------------------------------------------------- */
/* Does every gate of c have a distributed form on this layout? SPIN_DOUBLE (up to 8 qubits at once,
 * the doubles of sa-uccsd) has none when it reaches the rank-index qubits: VQE_ERR_INPUT naming the
 * gate, the local qubits and what to use instead. */
vqe_status vqe_dstatevec_check_circuit(const vqe_circuit *c, const vqe_dstatevec *s, vqe_error *err);
vqe_status vqe_dstatevec_apply_circuit(const vqe_circuit *c, const double *theta, vqe_dstatevec *s,
                                       vqe_error *err);
vqe_status vqe_dstatevec_apply_gate(const vqe_circuit *c, size_t i, const double *theta,
                                    vqe_dstatevec *s, vqe_error *err);
vqe_status vqe_dstatevec_apply_gate_inverse(const vqe_circuit *c, size_t i, const double *theta,
                                            vqe_dstatevec *s, vqe_error *err);
vqe_status vqe_dstatevec_apply_generator(const vqe_circuit *c, size_t i, int a, const double *theta,
                                         vqe_dstatevec *s, vqe_error *err);

/* ---- observables ------------------------------------------------------------------------------------ */
/* ⟨ψ|H|ψ⟩ (+ projector·|⟨0|ψ⟩|², the plateau tools' global cost; 0 for a Hamiltonian). One exchange
 * per distinct global part of the x masks. */
vqe_status vqe_dstatevec_expect_pauli_sum(const vqe_dstatevec *s, const vqe_pauli_sum *h, double projector,
                                          double *e, vqe_error *err);
/* out = (H + projector·|0⟩⟨0|) in (out ≠ in). */
vqe_status vqe_dstatevec_apply_pauli_sum(const vqe_dstatevec *in, const vqe_pauli_sum *h, double projector,
                                         vqe_dstatevec *out, vqe_error *err);

/* Adjoint gradient (Jones & Gacon, arXiv:2009.02823; the walk of circuit.h) of
 * E(θ) = ⟨ref|U(θ)† (H + projector·|0⟩⟨0|) U(θ)|ref⟩ on distributed states: work holds 3 states of
 * c->n_qubits qubits; grad[c->n_params]. The same numbers on every rank. */
vqe_status vqe_dstatevec_gradient(const vqe_circuit *c, const vqe_pauli_sum *h, double projector,
                                  uint64_t reference, const double *theta, vqe_dstatevec work[3],
                                  double *energy, double *grad, vqe_error *err);

/* ⟨N⟩, ⟨S_z⟩ (diagonal, one pass) and ⟨S²⟩ = ⟨S_−S_+⟩ + ⟨S_z²⟩ + ⟨S_z⟩ with ⟨S_−S_+⟩ = ‖S_+ψ‖²,
 * S_+ = Σ_p a†_{pα} a_{pβ} (interleaved spin orbitals: no JW sign between 2p and 2p+1), divided by
 * ⟨ψ|ψ⟩ — the values of vqe_spin_observables_compute. scratch: 2 states of the same size. */
vqe_status vqe_dstatevec_spin_observables(const vqe_dstatevec *s, vqe_dstatevec scratch[2], vqe_spin_observables *o,
                                          vqe_error *err);

/* vqe_vqe_run (vqe_run.h) with the state vectors split over the MPI ranks: the same ansatz, initial
 * parameters, quick plateau estimate (cfg->plateau_samples), optimiser and result fields; every rank
 * uses rank 0's qubit Hamiltonian and runs the optimiser on the same (reduced) energies and
 * gradients, so all ranks follow the same path and hold the same result. Supports the
 * adjoint gradient only and no penalty (VQE_ERR_INPUT otherwise); cfg->fused is ignored. The rank
 * count and the memory per rank (3 states + the exchange buffer) are checked before any work. */
vqe_status vqe_dstatevec_vqe_run(const vqe_run_config *cfg, vqe_run_result *res, vqe_error *err);

/* Communication counters of this rank since the last reset (bench_mpi). */
typedef struct {
  uint64_t bytes_sent;       /* amplitude bytes sent to partner ranks */
  uint64_t messages;         /* MPI_Sendrecv calls */
  uint64_t exchanges;        /* chunk exchanges (gates or Pauli groups needing a partner) */
  uint64_t reductions;       /* MPI_Allreduce calls */
} vqe_dstatevec_comm;
void vqe_dstatevec_comm_get(vqe_dstatevec_comm *c);
void vqe_dstatevec_comm_reset(void);

#ifdef __cplusplus
}
#endif
#endif
