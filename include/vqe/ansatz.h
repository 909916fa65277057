/* ansatz.h — the VQE ansätze as a table of families (name, builder, reference), each built once from a
 * spec into a parameterised vqe_circuit (circuit.h) plus the basis state it starts from, then re-run
 * with new parameters. Used by the VQE driver (vqe_run.h), the plateau tools and the studies.
 *
 * Register: 2·norb qubits, qubit j = spin orbital j, interleaved (2p = α of spatial orbital p, 2p+1 =
 * β), Jordan–Wigner as in hamiltonian.h. The reference determinant ("HF") occupies the lowest n_alpha
 * α and the lowest n_beta β spin orbitals (the ROHF occupation for open shells):
 * ref = Σ_{p<n_alpha} 2^{2p} + Σ_{p<n_beta} 2^{2p+1}. The reference is prepared as a basis state
 * (vqe_statevec_set_basis), equivalent to X gates on the occupied qubits; those X gates are not part
 * of the circuit and not counted in its statistics.
 *
 * Families
 * - "hea"  Hardware-efficient ansatz: Kandala et al., Nature 549, 242 (2017), in the layout of Qiskit's
 *          EfficientSU2. Rotation layer (for each gate of the rotation set, in order, that rotation on
 *          every qubit 0..n−1: by default RY on all qubits, then RZ on all), then an entangler layer
 *          (CNOT or CZ; linear: (q, q+1) for q = 0..n−2; circular: (n−1, 0) first, then linear; full:
 *          every (i, j), i < j, in lexicographic order), repeated L times, then a final rotation layer.
 *          Parameters in gate order: n·|rotations|·(L+1) (2n(L+1) by default). Starts from |0…0⟩, or
 *          from the reference determinant when hf_init is set. Conserves nothing.
 * - "uccsd" Unitary coupled cluster, singles and doubles (Romero et al., Quantum Sci. Technol. 4,
 *          014008 (2018)), one untied parameter per spin-conserving excitation from the reference:
 *          singles i→a (i occupied, a virtual spin orbital of the same spin), doubles (i<j)→(a<b) with
 *          spin(i)+spin(j) = spin(a)+spin(b). Each excitation is the exact exponential
 *          FERMI_SINGLE(θ; a, i) = exp(θ(a†_a a_i − h.c.)) / FERMI_DOUBLE(θ; a, b, j, i) =
 *          exp(θ(a†_a a†_b a_j a_i − h.c.)) (no CNOT ladders). First-order Trotter product in the
 *          order: all doubles, then all singles (order = VQE_UCC_DOUBLES_FIRST, the default; the
 *          `trotter_doubles_then_singles` variant of tests/data/vqe_reference.json) or singles first.
 *          Within a block excitations are listed with i ascending, then j, then a, then b (spin-orbital
 *          indices), and applied in that order (the first listed acts first on the reference).
 *          Parameters: H2 3, LiH 92, H2O 140 (STO-3G, all electrons). Conserves N and S_z; with untied
 *          amplitudes S² is conserved at θ = 0 and (to the accuracy of the fit) at the optimum, not at
 *          arbitrary θ.
 * - "sa-uccsd" Spin-adapted UCCSD: the same singles-and-doubles Trotter product with spin-free
 *          generators, so that every factor commutes with S² (Paldus, J. Chem. Phys. 67, 303 (1977) for
 *          spin-adapted coupled cluster; the generators are those of OpenFermion's
 *          uccsd_singlet_generator, here exponentiated exactly instead of term by term). With the
 *          spatial orbitals O = {p < max(n_alpha, n_beta)} (occupied in the reference) and
 *          V = {p >= min(n_alpha, n_beta)} (not doubly occupied), the excitation pairs are (a, i),
 *          i ∈ O ascending, then a ∈ V ascending, a ≠ i, with E_ai|ref⟩ ≠ 0 (E_pq = Σ_σ a†_{pσ} a_{qσ}).
 *          Singles: one parameter per pair, exp(θ(E_ai − E_ia)) = FERMI_SINGLE(θ; 2a, 2i) ·
 *          FERMI_SINGLE(θ; 2a+1, 2i+1) (the α and β parts commute: exact). Doubles: one parameter per
 *          unordered pair of pairs {(a,i), (b,j)} (listed P <= Q in the pair order, a pair with itself
 *          included) with {i, j} ∩ {a, b} = ∅ and T|ref⟩ ≠ 0, T = E_ai E_bj:
 *          SPIN_DOUBLE(θ; 2a, 2b, 2j, 2i) = exp(θ(T − T†)) exactly (circuit.h). Order as for uccsd
 *          (ucc_order; default all doubles, then all singles, each in list order). Parameters for a
 *          closed shell with o occupied and v virtual orbitals: ov + ov(ov+1)/2 — H2 2, LiH 44, H2O 65
 *          (STO-3G, all electrons) against 3, 92, 140 for uccsd. Conserves N, S_z and S² for every
 *          parameter vector (products of spin-free exponentials commute with S²; the ROHF reference
 *          is high-spin, an S² eigenstate).
 * - "kupccgsd" k-UpCCGSD (Lee, Huggins, Head-Gordon & Whaley, JCTC 15, 311 (2019)): k repetitions
 *          (layers = k) of generalised spin-adapted singles — for every spatial pair p < q one
 *          parameter driving FERMI_SINGLE(θ; 2p, 2q)·FERMI_SINGLE(θ; 2p+1, 2q+1) (α and β parts
 *          commute, so this is exp(θ(E_pq − E_qp)) exactly) — followed by generalised paired doubles,
 *          for every p < q one parameter: FERMI_DOUBLE(θ; 2p, 2p+1, 2q+1, 2q) moving the electron pair
 *          of orbital q to orbital p. Parameters: k·norb(norb−1). Conserves N, S_z and S².
 * - "gatefabric" GateFabric (Anselmetti, Wierichs, Gogolin & Parrish, New J. Phys. 23, 113010 (2021);
 *          as PennyLane's qml.GateFabric): L layers, each applying the four-qubit block
 *          Q(θ,φ) = ORBITAL_ROT(φ)·DOUBLE_EXC(θ) (preceded by the constant Π = ORBITAL_ROT(π) when
 *          include_pi) on the qubit windows [4k, 4k+3] (k = 0, 1, …) and then [4k+2, 4k+5]; two
 *          parameters per block (θ then φ). Blocks per layer: n/2 − 1 for n a multiple of 4.
 *          Needs n ≥ 4. At zero parameters without Π the circuit is the identity (starts at the
 *          reference); with Π it is a fixed orbital permutation (still in the reference's N, S_z, S²
 *          sector). Conserves N, S_z and S².
 *
 * For the conserving families the zero parameter vector is the reference determinant (HF energy). */
#ifndef VQE_ANSATZ_H
#define VQE_ANSATZ_H

#include "vqe/common.h"
#include "vqe/circuit.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  VQE_ANSATZ_HEA = 0, VQE_ANSATZ_UCCSD, VQE_ANSATZ_KUPCCGSD, VQE_ANSATZ_GATEFABRIC, VQE_ANSATZ_SA_UCCSD
} vqe_ansatz_kind;

typedef enum { VQE_ENTANGLE_LINEAR = 0, VQE_ENTANGLE_CIRCULAR, VQE_ENTANGLE_FULL } vqe_entanglement;
typedef enum { VQE_UCC_DOUBLES_FIRST = 0, VQE_UCC_SINGLES_FIRST } vqe_ucc_order;

#define VQE_ANSATZ_MAX_ROTATIONS 3

/* What to build. vqe_ansatz_spec_default fills the defaults noted per field. */
typedef struct {
  vqe_ansatz_kind kind;         /* default UCCSD */
  int norb;                     /* active spatial orbitals: 2·norb qubits */
  int n_alpha, n_beta;          /* active electrons (reference determinant) */
  int layers;                   /* HEA: L (default 1); k-UpCCGSD: k (default 1); GateFabric: L
                                   (default 1); ignored by UCCSD */
  /* hardware-efficient */
  int n_rotations;              /* 1..3, default 2 */
  vqe_gate_kind rotations[VQE_ANSATZ_MAX_ROTATIONS];  /* RX/RY/RZ; default {RY, RZ} */
  vqe_gate_kind entangler;      /* CNOT (default) or CZ */
  vqe_entanglement entanglement;/* default linear */
  int hf_init;                  /* 1: start from the reference determinant; default 0 (|0…0⟩) */
  /* UCCSD */
  vqe_ucc_order ucc_order;      /* default doubles first */
  /* GateFabric */
  int include_pi;               /* default 0 */
} vqe_ansatz_spec;

void vqe_ansatz_spec_default(vqe_ansatz_spec *s);

/* A built ansatz: caller-owned (vqe_ansatz_build / vqe_ansatz_free). */
typedef struct {
  vqe_ansatz_spec spec;
  vqe_circuit circuit;          /* parameterised gates (without the reference preparation) */
  uint64_t reference;           /* basis state the circuit acts on */
  int n_qubits, n_params;
  vqe_circuit_stats stats;      /* gates, two-qubit gates, depth, ... of circuit */
  int conserves_n, conserves_sz, conserves_s2;   /* for every parameter vector */
} vqe_ansatz;

/* One row of the family table. */
typedef struct {
  const char *name;             /* CLI name: hea, uccsd, sa-uccsd, kupccgsd, gatefabric */
  vqe_ansatz_kind kind;
  vqe_status (*build)(const vqe_ansatz_spec *spec, vqe_ansatz *out, vqe_error *err);
  int conserves_n, conserves_sz, conserves_s2;
  const char *reference;        /* the paper followed */
  int uses_layers;              /* 0: one circuit per molecule (the UCCSD variants), layers ignored */
} vqe_ansatz_info;

extern const vqe_ansatz_info vqe_ansatze[];        /* terminated by a row with name == NULL */
const vqe_ansatz_info *vqe_ansatz_find(const char *name);   /* case-insensitive; NULL if unknown */
const vqe_ansatz_info *vqe_ansatz_info_of(vqe_ansatz_kind kind);
const char *vqe_ansatz_names(void);                /* "hea, uccsd, sa-uccsd, kupccgsd, gatefabric" */

/* Validate the spec (orbitals 1..32, electrons fit, layers 1..10000, rotation set, entangler, ...;
 * VQE_ERR_INPUT naming the field and the allowed range) and build. *out is left empty on failure
 * and may be passed to vqe_ansatz_free. */
vqe_status vqe_ansatz_build(const vqe_ansatz_spec *spec, vqe_ansatz *out, vqe_error *err);
void vqe_ansatz_free(vqe_ansatz *a);               /* accepts NULL and empty */

/* The reference determinant of (norb, n_alpha, n_beta) as a basis-state index. */
uint64_t vqe_reference_determinant(int norb, int n_alpha, int n_beta);

/* Prepare ψ = U(θ)|reference⟩ (s must have a->n_qubits qubits). */
vqe_status vqe_ansatz_prepare(const vqe_ansatz *a, const double *theta, vqe_statevec *s,
                              vqe_error *err);

/* Excitation lists of UCCSD in the documented order (for inspection and tests): *n_singles pairs
 * (a, i) into singles[2k], *n_doubles quadruples (a, b, j, i) into doubles[4k]; either array may be
 * NULL to count only. */
void vqe_uccsd_excitations(int norb, int n_alpha, int n_beta, int *singles, size_t *n_singles,
                           int *doubles, size_t *n_doubles);

/* Excitation lists of sa-uccsd in the documented order (norb <= 32), spatial orbitals: *n_singles pairs (a, i) into
 * singles[2k], *n_doubles quadruples (a, b, j, i) (T = E_ai E_bj) into doubles[4k]; either array may be
 * NULL to count only. */
void vqe_sa_uccsd_excitations(int norb, int n_alpha, int n_beta, int *singles, size_t *n_singles,
                              int *doubles, size_t *n_doubles);

#ifdef __cplusplus
}
#endif
#endif
