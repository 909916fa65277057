/* circ_internal.h — the gate family table behind circuit.h: single-angle primitives, their apply /
 * generator kernels, and the decomposition of multi-angle gates. Shared by gates.c, circuit.c and
 * fuse.c. */
#ifndef VQE_CIRC_INTERNAL_H
#define VQE_CIRC_INTERNAL_H

#include "vqe/circuit.h"
#include "statevec/sv_internal.h"

/* A primitive: one gate of a single-angle (or fixed) kind with its angle value. */
typedef struct {
  vqe_gate_kind kind;
  int q[4];
  uint64_t x, z;
  double angle;
} circ_prim;

/* One row of the family table. Single-angle and fixed kinds have apply (and generator when they have
 * an angle); multi-angle kinds have factors instead. */
typedef struct {
  vqe_gate_info info;
  void (*apply)(const circ_prim *p, vqe_complex *a, int n, int par);
  /* a ← G a (Hermitian generator, U = exp(−iαG)); may need scratch (status). */
  vqe_status (*generator)(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err);
  vqe_gate_kind inverse_fixed;   /* fixed kinds: the kind of the inverse */
  /* Multi-angle kinds: fill f[] with the factors in application order and amap[j] = which angle
   * factor j carries; returns the count. */
  int (*factors)(const vqe_gate *g, const double *vals, circ_prim *f, int *amap);
  int fermionic;                 /* JW signs depend on qubits outside q[] */
} circ_row;

const circ_row *circ_row_of(vqe_gate_kind k);

/* Primitives of a gate at angle values vals[0..n_angles-1]: one for single/fixed kinds. */
int circ_prims(const vqe_gate *g, const double *vals, circ_prim *f, int *amap);
/* Apply a primitive (or its inverse) to an n-qubit register. A gate that pairs amplitudes across a
 * qubit >= SV_TILE_MIN_QUBIT runs chunk by chunk in a buffer (gates.c: far gates). */
void circ_prim_apply(const circ_prim *p, vqe_complex *a, int n, int par);
void circ_prim_apply_inverse(const circ_prim *p, vqe_complex *a, int n, int par);
/* Renumber a primitive's qubits through map[global] = local (map monotone on the support, so that the
 * Jordan-Wigner strings of fermionic kinds keep their meaning). */
circ_prim circ_prim_remap(const circ_prim *p, const int *map);

/* A fermionic excitation's modes in application order (for sv_fermi_partner) and the states it
 * moves: those with the occ modes occupied and the emp modes empty. FERMI_SINGLE a†_p a_q (q = {p, q}):
 * a_q, then a†_p; FERMI_DOUBLE a†_p a†_q a_r a_s (q = {p, q, r, s}): a_s, a_r, a†_q, a†_p. Returns the
 * number of modes. */
static inline int circ_fermi_ops(vqe_gate_kind kind, const int *q, int *ops, uint64_t *occ, uint64_t *emp)
{
  if (kind == VQE_GATE_FERMI_SINGLE) {
    ops[0] = q[1]; ops[1] = q[0];
    *occ = UINT64_C(1) << q[1];
    *emp = UINT64_C(1) << q[0];
    return 2;
  }
  ops[0] = q[3]; ops[1] = q[2]; ops[2] = q[1]; ops[3] = q[0];
  *occ = (UINT64_C(1) << q[2]) | (UINT64_C(1) << q[3]);
  *emp = (UINT64_C(1) << q[0]) | (UINT64_C(1) << q[1]);
  return 4;
}

/* Σ σ·Re(conj(λ[b'])φ[b] − conj(λ[b])φ[b']) over `count` of the states an excitation moves: b = r | occ
 * with r running over the indices whose sel = occ | emp bits are clear, from r, carried by
 * r ← ((r | sel) + 1) & ~sel; b' and σ from sv_fermi_partner. The excitation's derivative cross product
 * is twice the sum over all of them (the evaluator's fermi_cross, the blocked adjoint walk's blocks).
 * pf: the lowest sel bit when its runs want prefetching (sv_run_prefetch_wanted), else −1. */
static inline double circ_fermi_cross_range(const vqe_complex *l, const vqe_complex *f, int n_ops, const int *ops,
                                            uint64_t occ, uint64_t sel, uint64_t r, uint64_t count, int pf)
{
  const uint64_t rm = pf >= 0 ? (UINT64_C(1) << pf) - 1 : 0;
  double acc = 0;
  for (uint64_t i = 0; i < count; i++, r = ((r | sel) + 1) & ~sel) {
    const uint64_t b = r | occ;
    int sg;
    const uint64_t bp = sv_fermi_partner(b, n_ops, ops, &sg);
    if (pf >= 0 && !(r & rm)) {
      sv_run_prefetch(l + b, pf, 0);
      sv_run_prefetch(f + b, pf, 0);
      sv_run_prefetch(l + bp, pf, 0);
      sv_run_prefetch(f + bp, pf, 0);
    }
    /* written out (no complex products) */
    const double t = creal(l[bp]) * creal(f[b]) + cimag(l[bp]) * cimag(f[b]) -
                     creal(l[b]) * creal(f[bp]) - cimag(l[b]) * cimag(f[bp]);
    acc += sg > 0 ? t : -t;
  }
  return acc;
}

/* A register of local qubits lq[0..nl) (ascending) whose lowest `low` are 0..low−1: a block of it is
 * 2^(nl−low) contiguous segments of 2^low amplitudes. off[s] = the offset of segment s (its bits
 * deposited on lq[low..nl)); gather copies the block at base into buf segment by segment (one stream at
 * a time), scatter copies it back. Used by fused cache blocks (fuse.c) and far gates (gates.c). */
void circ_segment_offsets(const int *lq, int low, int nl, uint64_t *off);
/* The register of a cache block of B qubits that holds the qubits of T (popcount <= B): T filled up
 * with the lowest qubits not in it, ascending into lq[0..B); returns low. */
static inline int circ_block_register(uint64_t T, int B, int *lq)
{
  for (int q = 0; __builtin_popcountll(T) < B; q++) T |= UINT64_C(1) << q;
  sv_mask_positions(T, lq);
  int low = 0;
  while (low < B && lq[low] == low) low++;
  return low;
}
void circ_gather(vqe_complex *buf, const vqe_complex *a, uint64_t base, const uint64_t *off, int nseg, int low);
void circ_scatter(vqe_complex *a, const vqe_complex *buf, uint64_t base, const uint64_t *off, int nseg, int low);

/* Qubits a gate touches (for PAULI_ROT its support; for fermionic kinds the range with the JW
 * string). */
uint64_t circ_gate_support(const vqe_gate *g);
uint64_t circ_prim_support(const circ_prim *p);   /* the same rule for a primitive */
/* The qubits that define a gate's matrix: q[] (or the sorted support of PAULI_ROT); returns k. */
int circ_gate_qubits(const vqe_gate *g, int *qs);

/* SPIN_DOUBLE (spin_double.c): q = α qubits of orbitals (a, b, j, i), parts = spectral part mask
 * (0 = the whole gate). check validates q and parts; parts returns the number of spectral parts and
 * their frequencies λ_p ascending (lam may be NULL); apply: a ← exp(angle·A_parts) a; generator:
 * a ← i·A_parts a (A = T − T†). */
vqe_status circ_spin_double_check(const int *q, uint64_t parts, int n, vqe_error *err);
int circ_spin_double_parts(const int *q, double *lam);
void circ_spin_double_apply(const int *q, uint64_t parts, double angle, vqe_complex *a, int n, int par);
void circ_spin_double_generator(const int *q, uint64_t parts, vqe_complex *a, int n, int par);

/* Angle values of gate g at θ. */
void circ_gate_values(const vqe_gate *g, const double *theta, double *vals);

#endif
