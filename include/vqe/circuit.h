/* circuit.h — circuits as data: a list of gates whose angles are read from a parameter vector, built
 * once and re-run with new parameters; the gate family table with every matrix; per-gate forward,
 * inverse and generator application for the adjoint gradient and the plateau tools; text output and
 * counts; and a fused / cache-blocked form of a circuit at fixed parameters. Runs on statevec.h.
 * Used by the ansätze (ansatz.h), the VQE driver, the adjoint gradient and the plateau tools.
 *
 * Conventions (see statevec.h): qubit q = bit q of the basis index; c = cos(α/2), s = sin(α/2) for an
 * angle α unless stated; R_P(α) = exp(−iαP/2). Every gate with angles has a Hermitian generator G with
 * U(α) = exp(−iαG) (up to nothing: the equality is exact, no global phase is dropped), hence
 * dU/dα = −iG U = −i U G.
 *
 * Gate family (q[j] = the gate's j-th qubit; matrices in the gate's local basis, index bit j = q[j]):
 *   X        q0          [[0,1],[1,0]]
 *   Y        q0          [[0,−i],[i,0]]
 *   Z        q0          diag(1,−1)
 *   H        q0          [[1,1],[1,−1]]/√2
 *   S        q0          diag(1,i)                 SDG: diag(1,−i)
 *   T        q0          diag(1,e^{iπ/4})          TDG: diag(1,e^{−iπ/4})
 *   RX(α)    q0          exp(−iαX/2) = [[c,−is],[−is,c]]            G = X/2
 *   RY(α)    q0          exp(−iαY/2) = [[c,−s],[s,c]]               G = Y/2
 *   RZ(α)    q0          exp(−iαZ/2) = diag(e^{−iα/2}, e^{iα/2})     G = Z/2
 *   PHASE(λ) q0          diag(1, e^{iλ})                            G = −|1⟩⟨1|
 *   U3(θ,φ,λ) q0         [[c, −e^{iλ}s],[e^{iφ}s, e^{i(φ+λ)}c]] (c,s of θ/2)
 *                        = PHASE(φ)·RY(θ)·PHASE(λ); angle[0]=θ, angle[1]=φ, angle[2]=λ
 *   CNOT     q0=control q1=target   |0⟩⟨0|⊗I + |1⟩⟨1|⊗X
 *   CZ       q0,q1       diag(1,1,1,−1)
 *   SWAP     q0,q1       |ab⟩ → |ba⟩
 *   CRX/CRY/CRZ(α) q0=control q1=target   |0⟩⟨0|⊗I + |1⟩⟨1|⊗R(α)     G = |1⟩⟨1|_{q0} ⊗ P_{q1}/2
 *   CPHASE(λ) q0,q1      diag(1,1,1,e^{iλ})                         G = −|11⟩⟨11|
 *   PAULI_ROT(α) on the string (x, z) of the gate (pauli.h encoding): exp(−iαP/2)   G = P/2
 *   SINGLE_EXC(α) q0,q1  (Givens rotation; PennyLane qml.SingleExcitation, wires=[q0,q1]) identity on
 *                        |q0q1⟩ = |00⟩, |11⟩; on e0 = |q0=0,q1=1⟩, e1 = |q0=1,q1=0⟩:
 *                        e0 → c e0 + s e1,  e1 → c e1 − s e0        G = Y_{e}/2 (Y on the {e0,e1} pair)
 *                        (no Jordan–Wigner string: a qubit gate; for adjacent qubits it equals
 *                        exp(α/2 (a†_{q0} a_{q1} − a†_{q1} a_{q0})))
 *   DOUBLE_EXC(α) q0..q3 (PennyLane qml.DoubleExcitation, wires=[q0,q1,q2,q3]) identity except on
 *                        e0 = |q2,q3 occupied; q0,q1 empty⟩, e1 = |q0,q1 occupied; q2,q3 empty⟩:
 *                        e0 → c e0 + s e1,  e1 → c e1 − s e0        G = Y_{e}/2
 *   FERMI_SINGLE(θ) p=q0, q=q1   exp(θ(a†_p a_q − a†_q a_p)) with JW signs (statevec.h):
 *                        full angle θ (cos θ, sin θ), G = i(a†_p a_q − a†_q a_p)
 *   FERMI_DOUBLE(θ) p,q,r,s = q0..q3   exp(θ(a†_p a†_q a_r a_s − h.c.)) with JW signs:
 *                        G = i(a†_p a†_q a_r a_s − h.c.)
 *   ORBITAL_ROT(φ) q0..q3 = (Φ0α, Φ0β, Φ1α, Φ1β) (PennyLane qml.OrbitalRotation, wires=[q0..q3]):
 *                        exp((φ/2) Σ_{σ} (a†_{Φ0σ} a_{Φ1σ} − a†_{Φ1σ} a_{Φ0σ})) with JW signs
 *                        = FERMI_SINGLE(φ/2; q0,q2) · FERMI_SINGLE(φ/2; q1,q3);
 *                        G = (i/2) Σ_σ (a†_{Φ0σ} a_{Φ1σ} − h.c.). On four consecutive qubits it is
 *                        PennyLane's 16×16 matrix, e.g. |1100⟩ (q0,q1 occupied) at φ = 0.1 →
 *                        0.99750|q0q1⟩ + 0.04992|q1q2⟩ − 0.04992|q0q3⟩ + 0.00250|q2q3⟩.
 *   GATE_FABRIC_Q(θ,φ) q0..q3   Q(θ,φ) = ORBITAL_ROT(φ) · DOUBLE_EXC(θ) (Anselmetti et al., New J.
 *                        Phys. 23, 113010 (2021); PennyLane qml.GateFabric block); angle[0]=θ, angle[1]=φ.
 *   SPIN_DOUBLE(θ) q0..q3 = α qubits of the spatial orbitals (a, b, j, i); each orbital's β spin orbital
 *                        is the next qubit (the interleaved register of ansatz.h), so the gate touches
 *                        up to 8 qubits. The spin-adapted (spin-free) double excitation
 *                        exp(θ(T − T†)), T = E_ai E_bj, E_pq = Σ_σ a†_{pσ} a_{qσ}, with JW signs, exact;
 *                        G = i(T − T†). a = b or i = j allowed; {a, b} ∩ {j, i} = ∅. Commutes with N,
 *                        S_z and S² (E_pq is a spin-free operator). Its spectrum splits into commuting
 *                        parts with frequencies λ ∈ {1, √2, 2, 2√2} (the parts present depend on which
 *                        orbitals coincide); x = a part mask (bit p: the p-th smallest λ; 0 = the whole
 *                        gate) selects exp(θ A_p) for a product of parts — the parameter-shift gradient
 *                        uses it (circuit/spin_double.c has the method).
 *
 * Multi-angle gates (U3, GATE_FABRIC_Q) are products of single-angle factors U = F_m(α_m)⋯F_1(α_1);
 * the generator of angle a is the transported one, G̃_a = F_m⋯F_{a+1} G_a (F_m⋯F_{a+1})^†, so that
 * again ∂U/∂α_a = −i G̃_a U (Hermitian G̃_a acting on the state after the gate).
 *
 * Adjoint gradient with this API (Jones & Gacon, arXiv:2009.02823): with |φ_i⟩ = U_i⋯U_1|ψ0⟩ and
 * |λ_i⟩ = U_{i+1}^†⋯U_N^† H|ψ⟩, angle a of gate i bound to θ_k with coefficient c contributes
 * ∂E/∂θ_k += c · 2 Im⟨λ_i|G̃_{i,a}|φ_i⟩. Walk: φ ← U|ψ0⟩, λ ← Hφ; for i = N…1: μ ← G̃_i φ,
 * grad += 2c Im⟨λ|μ⟩, φ ← U_i^† φ, λ ← U_i^† λ (vqe_circuit_apply_gate_inverse, at the same θ). */
#ifndef VQE_CIRCUIT_H
#define VQE_CIRCUIT_H

#include "vqe/common.h"
#include "vqe/statevec.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  VQE_GATE_X, VQE_GATE_Y, VQE_GATE_Z, VQE_GATE_H, VQE_GATE_S, VQE_GATE_SDG, VQE_GATE_T, VQE_GATE_TDG,
  VQE_GATE_RX, VQE_GATE_RY, VQE_GATE_RZ, VQE_GATE_PHASE, VQE_GATE_U3,
  VQE_GATE_CNOT, VQE_GATE_CZ, VQE_GATE_SWAP,
  VQE_GATE_CRX, VQE_GATE_CRY, VQE_GATE_CRZ, VQE_GATE_CPHASE,
  VQE_GATE_PAULI_ROT,
  VQE_GATE_SINGLE_EXC, VQE_GATE_DOUBLE_EXC,
  VQE_GATE_FERMI_SINGLE, VQE_GATE_FERMI_DOUBLE,
  VQE_GATE_ORBITAL_ROT, VQE_GATE_GATE_FABRIC_Q,
  VQE_GATE_SPIN_DOUBLE,
  VQE_GATE_COUNT
} vqe_gate_kind;

/* One row of the gate family table (circuit/gates.c). */
typedef struct {
  const char *name;      /* as printed: "RY", "CNOT", "FERMI_DOUBLE", … */
  int n_qubits;          /* qubits in q[] (0 for PAULI_ROT: its support is x|z) */
  int n_angles;          /* 0..3 */
  const char *matrix;    /* the matrix / definition, as in the comment above */
} vqe_gate_info;

const vqe_gate_info *vqe_gate_info_of(vqe_gate_kind kind);     /* NULL for an invalid kind */
/* Kind from its name (case-insensitive); VQE_ERR_INPUT naming the unknown name otherwise. */
vqe_status vqe_gate_lookup(const char *name, vqe_gate_kind *kind, vqe_error *err);

/* Angle of a gate: value = coeff·θ[param] + offset, or just offset when param < 0 (a fixed angle).
 * One parameter may drive several gates (and several angles). */
typedef struct {
  int param;
  double coeff;
  double offset;
} vqe_angle;

static inline vqe_angle vqe_angle_fixed(double value) { vqe_angle a = { -1, 0.0, value }; return a; }
static inline vqe_angle vqe_angle_param(int param, double coeff)
{ vqe_angle a = { param, coeff, 0.0 }; return a; }

typedef struct {
  vqe_gate_kind kind;
  int q[4];              /* qubits, meaning per kind (table above); unused entries ignored */
  uint64_t x, z;         /* the Pauli string of PAULI_ROT; for SPIN_DOUBLE x = the part mask (0 =
                            the whole gate); else 0 */
  vqe_angle angle[3];    /* the first n_angles are used */
} vqe_gate;

/* A circuit: plain, caller-owned (vqe_circuit_init / vqe_circuit_free). n_params = 1 + the largest
 * parameter index any gate uses (grown by vqe_circuit_add; may be raised by the caller). */
typedef struct {
  int n_qubits;
  int n_params;
  size_t n_gates, capacity;
  vqe_gate *gates;
} vqe_circuit;

void vqe_circuit_init(vqe_circuit *c, int n_qubits);
void vqe_circuit_free(vqe_circuit *c);                          /* accepts NULL */
vqe_status vqe_circuit_copy(vqe_circuit *dst, const vqe_circuit *src, vqe_error *err); /* dst uninit */
/* Append dst ← dst followed by src (same n_qubits). */
vqe_status vqe_circuit_append(vqe_circuit *dst, const vqe_circuit *src, vqe_error *err);

/* Append a gate after validating it (kind, qubits in range and distinct, Pauli masks inside the
 * register and non-empty, parameter indices >= 0 or fixed). VQE_ERR_INPUT names what is wrong. */
vqe_status vqe_circuit_add(vqe_circuit *c, const vqe_gate *g, vqe_error *err);
/* Builders: fixed angles (angles may be NULL for gates without angles), or one angle bound to θ[param]
 * with a coefficient (single-angle gates only). */
vqe_status vqe_circuit_add_fixed(vqe_circuit *c, vqe_gate_kind kind, const int *qubits,
                                 const double *angles, vqe_error *err);
vqe_status vqe_circuit_add_param(vqe_circuit *c, vqe_gate_kind kind, const int *qubits, int param,
                                 double coeff, vqe_error *err);
vqe_status vqe_circuit_add_pauli_rot(vqe_circuit *c, uint64_t x, uint64_t z, vqe_angle angle,
                                     vqe_error *err);

/* Value of angle a of gate i at parameters theta (theta may be NULL only if the angle is fixed). */
double vqe_circuit_angle(const vqe_circuit *c, size_t i, int a, const double *theta);

/* The dense 2^k×2^k matrix of one gate at the given angle values (k = number of its qubits, local
 * index bit j = q[j]; for PAULI_ROT the support qubits in increasing order). Not defined for
 * FERMI_SINGLE / FERMI_DOUBLE / ORBITAL_ROT / GATE_FABRIC_Q, whose JW signs depend on qubits outside
 * q[] (VQE_ERR_INPUT), nor for k > 6. m holds 4^k entries. */
vqe_status vqe_gate_matrix(const vqe_gate *g, const double *angle_values, vqe_complex *m,
                           vqe_error *err);

/* SPIN_DOUBLE on the placement q (valid, see the table above): the number of its spectral parts and
 * their frequencies λ_p in ascending order into lam (may be NULL). Each part's generator G_p satisfies
 * G_p³ = λ_p² G_p. */
int vqe_spin_double_parts(const int *q, double *lam);

/* ---- running (the unfused path; the adjoint walk uses these) ------------------------------------ */

/* ψ ← U(θ)ψ, gates in order. c->n_qubits must equal s->n_qubits. */
vqe_status vqe_circuit_apply(const vqe_circuit *c, const double *theta, vqe_statevec *s,
                             vqe_error *err);
/* ψ ← U(θ)^† ψ (inverse gates in reverse order). */
vqe_status vqe_circuit_apply_inverse(const vqe_circuit *c, const double *theta, vqe_statevec *s,
                                     vqe_error *err);
/* ψ ← U_i ψ / U_i^† ψ for gate i at parameters θ. */
vqe_status vqe_circuit_apply_gate(const vqe_circuit *c, size_t i, const double *theta,
                                  vqe_statevec *s, vqe_error *err);
vqe_status vqe_circuit_apply_gate_inverse(const vqe_circuit *c, size_t i, const double *theta,
                                          vqe_statevec *s, vqe_error *err);
/* ψ ← G̃_{i,a} ψ: the Hermitian generator of angle a of gate i (at θ, which matters only for
 * multi-angle gates), with ∂U_i/∂α_a = −i G̃_{i,a} U_i. Applied to |φ_i⟩ = U_i|φ_{i−1}⟩ it gives
 * i (∂U_i/∂α_a)|φ_{i−1}⟩. VQE_ERR_INPUT if gate i has no angle a. */
vqe_status vqe_circuit_apply_generator(const vqe_circuit *c, size_t i, int a, const double *theta,
                                       vqe_statevec *s, vqe_error *err);
/* The adjoint gradient's backward walk (Jones & Gacon, arXiv:2009.02823) over a run of gates at once,
 * cache block by cache block. done[i] != 0 marks the gates walked already; top is the highest gate not
 * walked (every gate above it is), stop the lowest gate to walk. On entry phi holds the state and lam
 * the adjoint state (⟨λ| = ⟨ψ|H U_N⋯) with the walked gates undone. The run: from top down, every gate
 * not walked whose qubits fit one cache block together with the run's and that shares no qubit with a
 * gate passed over (so it commutes with them and may be walked first). For each bound angle a of each
 * gate i of the run, grad[param] += coeff·2 Im⟨λ_i|G̃_{i,a}|φ_i⟩, and phi and lam step back through the
 * gate; its done[i] is set and *walked counts the run (gate by gate the walk costs about four passes
 * over the state per gate; here two over each state per run). Nothing is walked (*walked = 0, VQE_OK)
 * when the run would have fewer than two gates, for states of fewer than 2^16 amplitudes (they stay in
 * cache anyway), or with VQE_NO_BLOCKED_ADJOINT=1 in the environment: the caller then walks gate top
 * itself. The result does not depend on the thread count. VQE_ERR_RESOURCE: out of memory (the states
 * are then partly walked). */
vqe_status vqe_circuit_adjoint_run(const vqe_circuit *c, const double *theta, size_t top, size_t stop,
                                   unsigned char *done, vqe_statevec *phi, vqe_statevec *lam, double *grad,
                                   size_t *walked, vqe_error *err);
/* ψ ← (∂U_i/∂α_a) U_i^† ψ = −i G̃_{i,a} ψ (the same, with the factor). */
vqe_status vqe_circuit_apply_derivative(const vqe_circuit *c, size_t i, int a, const double *theta,
                                        vqe_statevec *s, vqe_error *err);

/* ---- text and counts ------------------------------------------------------------------------------ */

/* One gate per line: "<index> <NAME> q<a>[,q<b>…] [α = <binding> = <value>]", e.g.
 * "   3 RY      q2          θ[5]·0.5+0.1 = 0.4000000000"; PAULI_ROT prints its string as
 * "X0 Z3 Y4". theta may be NULL (bindings only). Returns a malloc'd string (caller frees), NULL when
 * out of memory. */
char *vqe_circuit_to_text(const vqe_circuit *c, const double *theta);

typedef struct {
  size_t n_gates;
  size_t n_1q;          /* gates acting on one qubit */
  size_t n_2q;          /* on two */
  size_t n_multi;       /* on three or more (PAULI_ROT by its support; fermionic gates by the range
                           they touch including the JW string) */
  size_t n_param_gates; /* gates with at least one angle bound to a parameter */
  size_t depth;         /* layers: a gate starts after every earlier gate sharing a qubit ends */
} vqe_circuit_stats;
void vqe_circuit_get_stats(const vqe_circuit *c, vqe_circuit_stats *st);

/* ---- fused form at fixed parameters ------------------------------------------------------------------
 * vqe_circuit_fuse evaluates every angle at θ and rewrites the circuit into fewer, larger operations:
 * consecutive gates on the same qubits are multiplied into one dense matrix, and gates on up to
 * max_fused_qubits qubits are merged into one dense block across commuting neighbours (as Qulacs and
 * qsim do). Runs of blocks whose high qubits fit together are then applied cache block by cache block:
 * a block of 2^cache_block_qubits amplitudes is gathered per thread, all the run's operations act on
 * it while it is resident, and it is written back — one pass over the state per run instead of one
 * per gate. Runs are scheduled with look-ahead (an operation may join a run ahead of operations it
 * commutes with, i.e. shares no qubit with), and consecutive CNOT/SWAPs inside a run become one
 * table-driven permutation of the block; inside a run the 1-qubit diagonals (RZ, phase, S, T) become
 * one product-table diagonal applied with that permutation, and consecutive real rotations (RY) on
 * distinct qubits one scaled-rotation sweep (four rotations per load and store). The fused form equals
 * the unfused circuit to rounding; it has no per-gate access (the adjoint walk uses the unfused path). */
/* Defaults (vqe_fuse_options_default): max_fused_qubits = 1 — consecutive single-qubit gates on a
 * qubit become one 2×2, two-qubit gates stay permutations/diagonals/controlled kernels. A k-qubit
 * dense block costs 2^k complex multiply-adds per amplitude, so inside a cache block (where memory
 * traffic is already paid once) larger blocks only add arithmetic on SSE-class cores; measured on the
 * development machine (bench_statevec) 1 beats 2. Raise it on wide-SIMD machines. */
typedef struct {
  int max_fused_qubits;    /* 1..4: dense blocks of at most this many qubits (default 1) */
  int cache_block_qubits;  /* log2 amplitudes per cache block, 8..20; 0 = off; -1 = auto (default):
                              14 (256 KiB) up to n = 22, then n − 8 up to 16 (1 MiB) from n = 24, so
                              the run on the high qubits copies longer chunks (measured best) */
} vqe_fuse_options;
void vqe_fuse_options_default(vqe_fuse_options *o);

typedef struct vqe_fused vqe_fused;   /* opaque workspace */
vqe_status vqe_circuit_fuse(const vqe_circuit *c, const double *theta, const vqe_fuse_options *opt,
                            vqe_fused **out, vqe_error *err);
vqe_status vqe_fused_apply(const vqe_fused *f, vqe_statevec *s, vqe_error *err);
void vqe_fused_destroy(vqe_fused *f);                           /* accepts NULL */

typedef struct {
  size_t n_gates_in;      /* gates of the source circuit */
  size_t n_ops;           /* operations after fusion (dense blocks + special gates) */
  size_t n_passes;        /* sweeps over the state vector a vqe_fused_apply makes */
} vqe_fused_stats;
void vqe_fused_get_stats(const vqe_fused *f, vqe_fused_stats *st);

/* Convenience: fuse at θ (opt NULL = defaults), apply, destroy. */
vqe_status vqe_circuit_apply_fused(const vqe_circuit *c, const double *theta,
                                   const vqe_fuse_options *opt, vqe_statevec *s, vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
