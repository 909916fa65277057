/* gates.c — the gate family table of circuit.h: one row per kind with its name, size, matrix text,
 * apply kernel, Hermitian generator, inverse and (for multi-angle kinds) its factors. Adding a gate is
 * adding a row plus its apply/generator functions. Used by circuit.c and fuse.c. */
#include "circuit/circ_internal.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BIT(q) (UINT64_C(1) << (q))

/* ---- 2×2 matrices of the single-qubit kinds ------------------------------------------------------ */
static void m1q(vqe_gate_kind k, double a, vqe_complex m[4])
{
  const double c = cos(0.5 * a), s = sin(0.5 * a), r2 = 1.0 / sqrt(2.0);
  const vqe_complex z = 0, one = 1;
  switch (k) {
  case VQE_GATE_X: m[0] = z; m[1] = one; m[2] = one; m[3] = z; break;
  case VQE_GATE_Y: m[0] = z; m[1] = -I; m[2] = I; m[3] = z; break;
  case VQE_GATE_Z: m[0] = one; m[1] = z; m[2] = z; m[3] = -1; break;
  case VQE_GATE_H: m[0] = r2; m[1] = r2; m[2] = r2; m[3] = -r2; break;
  case VQE_GATE_S: m[0] = one; m[1] = z; m[2] = z; m[3] = I; break;
  case VQE_GATE_SDG: m[0] = one; m[1] = z; m[2] = z; m[3] = -I; break;
  case VQE_GATE_T: m[0] = one; m[1] = z; m[2] = z; m[3] = CMPLX(r2, r2); break;
  case VQE_GATE_TDG: m[0] = one; m[1] = z; m[2] = z; m[3] = CMPLX(r2, -r2); break;
  case VQE_GATE_RX: case VQE_GATE_CRX: m[0] = c; m[1] = CMPLX(0, -s); m[2] = CMPLX(0, -s); m[3] = c; break;
  case VQE_GATE_RY: case VQE_GATE_CRY: m[0] = c; m[1] = -s; m[2] = s; m[3] = c; break;
  case VQE_GATE_RZ: case VQE_GATE_CRZ: m[0] = CMPLX(c, -s); m[1] = z; m[2] = z; m[3] = CMPLX(c, s); break;
  case VQE_GATE_PHASE: case VQE_GATE_CPHASE: m[0] = one; m[1] = z; m[2] = z; m[3] = CMPLX(cos(a), sin(a)); break;
  default: m[0] = one; m[1] = z; m[2] = z; m[3] = one; break;
  }
}

/* Pauli axis of the rotation kinds as (x, z) bits on one qubit. */
static void axis(vqe_gate_kind k, uint64_t b, uint64_t *x, uint64_t *z)
{
  switch (k) {
  case VQE_GATE_RX: case VQE_GATE_CRX: *x = b; *z = 0; break;
  case VQE_GATE_RY: case VQE_GATE_CRY: *x = b; *z = b; break;
  default: *x = 0; *z = b; break;
  }
}

/* ---- apply kernels ------------------------------------------------------------------------------- */
static void ap_1q(const circ_prim *p, vqe_complex *a, int n, int par)
{
  vqe_complex m[4];
  m1q(p->kind, p->angle, m);
  sv_k_1q(a, n, p->q[0], m, par);
}
static void ap_cnot(const circ_prim *p, vqe_complex *a, int n, int par) { sv_k_cnot(a, n, p->q[0], p->q[1], par); }
static void ap_swap(const circ_prim *p, vqe_complex *a, int n, int par) { sv_k_swap(a, n, p->q[0], p->q[1], par); }
static void ap_cz(const circ_prim *p, vqe_complex *a, int n, int par)
{
  const vqe_complex m[4] = { 1, 0, 0, -1 };
  sv_k_c1q(a, n, BIT(p->q[0]), p->q[1], m, par);
}
static void ap_c1q(const circ_prim *p, vqe_complex *a, int n, int par)
{
  vqe_complex m[4];
  m1q(p->kind, p->angle, m);
  sv_k_c1q(a, n, BIT(p->q[0]), p->q[1], m, par);
}
static void ap_pauli_rot(const circ_prim *p, vqe_complex *a, int n, int par)
{
  sv_k_pauli_comb(a, n, p->x, p->z, cos(0.5 * p->angle), CMPLX(0.0, -sin(0.5 * p->angle)), par);
}
static void ap_single_exc(const circ_prim *p, vqe_complex *a, int n, int par)
{
  sv_k_pair_rot(a, n, BIT(p->q[0]), BIT(p->q[1]), 0, 1, cos(0.5 * p->angle), sin(0.5 * p->angle), par);
}
static void ap_double_exc(const circ_prim *p, vqe_complex *a, int n, int par)
{
  sv_k_pair_rot(a, n, BIT(p->q[0]) | BIT(p->q[1]), BIT(p->q[2]) | BIT(p->q[3]), 0, 1,
                cos(0.5 * p->angle), sin(0.5 * p->angle), par);
}
static void ap_fermi_single(const circ_prim *p, vqe_complex *a, int n, int par)
{
  uint64_t zero, one, sm;
  int s0;
  sv_fermi_single_masks(p->q[0], p->q[1], &zero, &one, &sm, &s0);
  sv_k_pair_rot(a, n, zero, one, sm, s0, cos(p->angle), sin(p->angle), par);
}
static void ap_fermi_double(const circ_prim *p, vqe_complex *a, int n, int par)
{
  uint64_t zero, one, sm;
  int s0;
  sv_fermi_double_masks(p->q[0], p->q[1], p->q[2], p->q[3], &zero, &one, &sm, &s0);
  sv_k_pair_rot(a, n, zero, one, sm, s0, cos(p->angle), sin(p->angle), par);
}
static void ap_orbital_rot(const circ_prim *p, vqe_complex *a, int n, int par)
{
  circ_prim f = { VQE_GATE_FERMI_SINGLE, { p->q[0], p->q[2], 0, 0 }, 0, 0, 0.5 * p->angle };
  ap_fermi_single(&f, a, n, par);
  f.q[0] = p->q[1];
  f.q[1] = p->q[3];
  ap_fermi_single(&f, a, n, par);
}

static void ap_spin_double(const circ_prim *p, vqe_complex *a, int n, int par)
{
  circ_spin_double_apply(p->q, p->x, p->angle, a, n, par);
}

/* ---- generators (U = exp(−iαG)) --------------------------------------------------------------- */
static vqe_status gen_rot(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  uint64_t x, z;
  axis(p->kind, BIT(p->q[0]), &x, &z);
  sv_k_pauli_comb(a, n, x, z, 0, 0.5, par);
  return VQE_OK;
}
static vqe_status gen_phase(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  const vqe_complex m[4] = { 0, 0, 0, -1 };
  sv_k_1q(a, n, p->q[0], m, par);
  return VQE_OK;
}
static vqe_status gen_crot(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  /* |1⟩⟨1|_{q0} ⊗ P_{q1}/2 (CPHASE: |1⟩⟨1| ⊗ (−|1⟩⟨1|)) */
  vqe_complex m[4];
  if (p->kind == VQE_GATE_CPHASE) { m[0] = 0; m[1] = 0; m[2] = 0; m[3] = -1; }
  else {
    uint64_t x, z;
    axis(p->kind, 1, &x, &z);
    if (x && z) { m[0] = 0; m[1] = CMPLX(0.0, -0.5); m[2] = CMPLX(0.0, 0.5); m[3] = 0; }
    else if (x) { m[0] = 0; m[1] = 0.5; m[2] = 0.5; m[3] = 0; }
    else { m[0] = 0.5; m[1] = 0; m[2] = 0; m[3] = -0.5; }
  }
  sv_k_c1q(a, n, BIT(p->q[0]), p->q[1], m, par);
  const vqe_complex proj[4] = { 0, 0, 0, 1 };
  sv_k_1q(a, n, p->q[0], proj, par);
  return VQE_OK;
}
static vqe_status gen_pauli_rot(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  sv_k_pauli_comb(a, n, p->x, p->z, 0, 0.5, par);
  return VQE_OK;
}
static vqe_status gen_single_exc(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  sv_k_pair_gen(a, n, BIT(p->q[0]), BIT(p->q[1]), 0, 1, 0.5, par);
  return VQE_OK;
}
static vqe_status gen_double_exc(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  sv_k_pair_gen(a, n, BIT(p->q[0]) | BIT(p->q[1]), BIT(p->q[2]) | BIT(p->q[3]), 0, 1, 0.5, par);
  return VQE_OK;
}
static void fermi_single_gen(int p, int q, double scale, vqe_complex *a, int n, int par)
{
  uint64_t zero, one, sm;
  int s0;
  sv_fermi_single_masks(p, q, &zero, &one, &sm, &s0);
  sv_k_pair_gen(a, n, zero, one, sm, s0, scale, par);
}
static vqe_status gen_fermi_single(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  fermi_single_gen(p->q[0], p->q[1], 1.0, a, n, par);
  return VQE_OK;
}
static vqe_status gen_fermi_double(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  uint64_t zero, one, sm;
  int s0;
  sv_fermi_double_masks(p->q[0], p->q[1], p->q[2], p->q[3], &zero, &one, &sm, &s0);
  sv_k_pair_gen(a, n, zero, one, sm, s0, 1.0, par);
  return VQE_OK;
}
static vqe_status gen_orbital_rot(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  /* G = G_α + G_β, each (i/2)(a†_{Φ0σ} a_{Φ1σ} − h.c.): a sum, so one scratch vector. */
  vqe_statevec t;
  vqe_status st = vqe_statevec_init(&t, n, err);
  if (st) return st;
  const int64_t dim = (int64_t)1 << n;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < dim; b++) t.amp[b] = a[b];
  fermi_single_gen(p->q[0], p->q[2], 0.5, a, n, par);
  fermi_single_gen(p->q[1], p->q[3], 0.5, t.amp, n, par);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t b = 0; b < dim; b++) a[b] += t.amp[b];
  vqe_statevec_free(&t);
  return VQE_OK;
}

static vqe_status gen_spin_double(const circ_prim *p, vqe_complex *a, int n, int par, vqe_error *err)
{
  circ_spin_double_generator(p->q, p->x, a, n, par);
  return VQE_OK;
}

/* ---- multi-angle kinds --------------------------------------------------------------------------- */
static int fac_u3(const vqe_gate *g, const double *v, circ_prim *f, int *amap)
{
  /* U3(θ,φ,λ) = PHASE(φ)·RY(θ)·PHASE(λ): applied λ first. */
  const circ_prim p = { VQE_GATE_PHASE, { g->q[0], 0, 0, 0 }, 0, 0, 0 };
  f[0] = p; f[0].angle = v[2]; amap[0] = 2;
  f[1] = p; f[1].kind = VQE_GATE_RY; f[1].angle = v[0]; amap[1] = 0;
  f[2] = p; f[2].angle = v[1]; amap[2] = 1;
  return 3;
}
static int fac_gf_q(const vqe_gate *g, const double *v, circ_prim *f, int *amap)
{
  /* Q(θ,φ) = ORBITAL_ROT(φ)·DOUBLE_EXC(θ): the double excitation first. */
  circ_prim p = { VQE_GATE_DOUBLE_EXC, { g->q[0], g->q[1], g->q[2], g->q[3] }, 0, 0, v[0] };
  f[0] = p; amap[0] = 0;
  p.kind = VQE_GATE_ORBITAL_ROT; p.angle = v[1];
  f[1] = p; amap[1] = 1;
  return 2;
}

#define NONE VQE_GATE_COUNT
static const circ_row table[VQE_GATE_COUNT] = {
  [VQE_GATE_X] = { { "X", 1, 0, "[[0,1],[1,0]]" }, ap_1q, NULL, VQE_GATE_X, NULL, 0 },
  [VQE_GATE_Y] = { { "Y", 1, 0, "[[0,-i],[i,0]]" }, ap_1q, NULL, VQE_GATE_Y, NULL, 0 },
  [VQE_GATE_Z] = { { "Z", 1, 0, "diag(1,-1)" }, ap_1q, NULL, VQE_GATE_Z, NULL, 0 },
  [VQE_GATE_H] = { { "H", 1, 0, "[[1,1],[1,-1]]/sqrt2" }, ap_1q, NULL, VQE_GATE_H, NULL, 0 },
  [VQE_GATE_S] = { { "S", 1, 0, "diag(1,i)" }, ap_1q, NULL, VQE_GATE_SDG, NULL, 0 },
  [VQE_GATE_SDG] = { { "SDG", 1, 0, "diag(1,-i)" }, ap_1q, NULL, VQE_GATE_S, NULL, 0 },
  [VQE_GATE_T] = { { "T", 1, 0, "diag(1,e^{i pi/4})" }, ap_1q, NULL, VQE_GATE_TDG, NULL, 0 },
  [VQE_GATE_TDG] = { { "TDG", 1, 0, "diag(1,e^{-i pi/4})" }, ap_1q, NULL, VQE_GATE_T, NULL, 0 },
  [VQE_GATE_RX] = { { "RX", 1, 1, "exp(-i a X/2) = [[c,-is],[-is,c]]; G = X/2" }, ap_1q, gen_rot, NONE, NULL, 0 },
  [VQE_GATE_RY] = { { "RY", 1, 1, "exp(-i a Y/2) = [[c,-s],[s,c]]; G = Y/2" }, ap_1q, gen_rot, NONE, NULL, 0 },
  [VQE_GATE_RZ] = { { "RZ", 1, 1, "exp(-i a Z/2) = diag(e^{-ia/2},e^{ia/2}); G = Z/2" }, ap_1q, gen_rot, NONE, NULL, 0 },
  [VQE_GATE_PHASE] = { { "PHASE", 1, 1, "diag(1,e^{ia}); G = -|1><1|" }, ap_1q, gen_phase, NONE, NULL, 0 },
  [VQE_GATE_U3] = { { "U3", 1, 3, "[[c,-e^{il}s],[e^{ip}s,e^{i(p+l)}c]] = PHASE(p) RY(t) PHASE(l)" }, NULL, NULL, NONE, fac_u3, 0 },
  [VQE_GATE_CNOT] = { { "CNOT", 2, 0, "|0><0| x I + |1><1| x X (q0 control)" }, ap_cnot, NULL, VQE_GATE_CNOT, NULL, 0 },
  [VQE_GATE_CZ] = { { "CZ", 2, 0, "diag(1,1,1,-1)" }, ap_cz, NULL, VQE_GATE_CZ, NULL, 0 },
  [VQE_GATE_SWAP] = { { "SWAP", 2, 0, "|ab> -> |ba>" }, ap_swap, NULL, VQE_GATE_SWAP, NULL, 0 },
  [VQE_GATE_CRX] = { { "CRX", 2, 1, "|0><0| x I + |1><1| x RX(a); G = |1><1| x X/2" }, ap_c1q, gen_crot, NONE, NULL, 0 },
  [VQE_GATE_CRY] = { { "CRY", 2, 1, "|0><0| x I + |1><1| x RY(a); G = |1><1| x Y/2" }, ap_c1q, gen_crot, NONE, NULL, 0 },
  [VQE_GATE_CRZ] = { { "CRZ", 2, 1, "|0><0| x I + |1><1| x RZ(a); G = |1><1| x Z/2" }, ap_c1q, gen_crot, NONE, NULL, 0 },
  [VQE_GATE_CPHASE] = { { "CPHASE", 2, 1, "diag(1,1,1,e^{ia}); G = -|11><11|" }, ap_c1q, gen_crot, NONE, NULL, 0 },
  [VQE_GATE_PAULI_ROT] = { { "PAULI_ROT", 0, 1, "exp(-i a P/2); G = P/2" }, ap_pauli_rot, gen_pauli_rot, NONE, NULL, 0 },
  [VQE_GATE_SINGLE_EXC] = { { "SINGLE_EXC", 2, 1, "|q1> -> c|q1> + s|q0>, |q0> -> c|q0> - s|q1>; G = Y_e/2" }, ap_single_exc, gen_single_exc, NONE, NULL, 0 },
  [VQE_GATE_DOUBLE_EXC] = { { "DOUBLE_EXC", 4, 1, "|q2q3> -> c|q2q3> + s|q0q1>, |q0q1> -> c|q0q1> - s|q2q3>; G = Y_e/2" }, ap_double_exc, gen_double_exc, NONE, NULL, 0 },
  [VQE_GATE_FERMI_SINGLE] = { { "FERMI_SINGLE", 2, 1, "exp(t(a+_p a_q - h.c.)) with JW signs; G = i(a+_p a_q - h.c.)" }, ap_fermi_single, gen_fermi_single, NONE, NULL, 1 },
  [VQE_GATE_FERMI_DOUBLE] = { { "FERMI_DOUBLE", 4, 1, "exp(t(a+_p a+_q a_r a_s - h.c.)) with JW signs; G = i(... - h.c.)" }, ap_fermi_double, gen_fermi_double, NONE, NULL, 1 },
  [VQE_GATE_ORBITAL_ROT] = { { "ORBITAL_ROT", 4, 1, "exp(p/2 sum_s (a+_{0s} a_{1s} - h.c.)), JW signs" }, ap_orbital_rot, gen_orbital_rot, NONE, NULL, 1 },
  [VQE_GATE_GATE_FABRIC_Q] = { { "GATE_FABRIC_Q", 4, 2, "Q(t,p) = ORBITAL_ROT(p) DOUBLE_EXC(t)" }, NULL, NULL, NONE, fac_gf_q, 1 },
  [VQE_GATE_SPIN_DOUBLE] = { { "SPIN_DOUBLE", 4, 1, "exp(t(E_ai E_bj - h.c.)), E_pq = sum_s a+_ps a_qs, q = alpha qubits of a,b,j,i (beta = q+1); G = i(... - h.c.)" }, ap_spin_double, gen_spin_double, NONE, NULL, 1 },
};

const circ_row *circ_row_of(vqe_gate_kind k)
{
  if ((int)k < 0 || k >= VQE_GATE_COUNT) return NULL;
  return &table[k];
}

const vqe_gate_info *vqe_gate_info_of(vqe_gate_kind kind)
{
  const circ_row *r = circ_row_of(kind);
  return r ? &r->info : NULL;
}

vqe_status vqe_gate_lookup(const char *name, vqe_gate_kind *kind, vqe_error *err)
{
  for (int k = 0; k < VQE_GATE_COUNT; k++)
    if (name && !strcasecmp(name, table[k].info.name)) { *kind = (vqe_gate_kind)k; return VQE_OK; }
  return vqe_error_set(err, VQE_ERR_INPUT, "unknown gate '%s' (allowed: X Y Z H S SDG T TDG RX RY RZ PHASE U3 CNOT CZ SWAP CRX CRY CRZ CPHASE PAULI_ROT SINGLE_EXC DOUBLE_EXC FERMI_SINGLE FERMI_DOUBLE ORBITAL_ROT GATE_FABRIC_Q SPIN_DOUBLE)",
                       name ? name : "(null)");
}

int circ_prims(const vqe_gate *g, const double *vals, circ_prim *f, int *amap)
{
  const circ_row *r = &table[g->kind];
  if (r->factors) return r->factors(g, vals, f, amap);
  circ_prim p = { g->kind, { g->q[0], g->q[1], g->q[2], g->q[3] }, g->x, g->z,
                  r->info.n_angles ? vals[0] : 0.0 };
  f[0] = p;
  amap[0] = 0;
  return 1;
}

/* Renumber a primitive's qubits through map[global] = local. */
circ_prim circ_prim_remap(const circ_prim *p, const int *map)
{
  circ_prim r = *p;
  const int nq = circ_row_of(p->kind)->info.n_qubits;
  for (int j = 0; j < nq; j++) r.q[j] = map[p->q[j]];
  if (p->kind == VQE_GATE_PAULI_ROT) {
    r.x = r.z = 0;
    for (int q = 0; q < 64; q++) {
      if (p->x >> q & 1) r.x |= UINT64_C(1) << map[q];
      if (p->z >> q & 1) r.z |= UINT64_C(1) << map[q];
    }
  }
  return r;
}

void circ_segment_offsets(const int *lq, int low, int nl, uint64_t *off)
{
  for (int s = 0; s < (1 << (nl - low)); s++) {
    off[s] = 0;
    for (int j = 0; j < nl - low; j++)
      if (s >> j & 1) off[s] |= BIT(lq[low + j]);
  }
}

void circ_gather(vqe_complex *buf, const vqe_complex *a, uint64_t base, const uint64_t *off, int nseg, int low)
{
  for (int s = 0; s < nseg; s++) memcpy(buf + ((size_t)s << low), a + (base | off[s]), sizeof *a << low);
}

void circ_scatter(vqe_complex *a, const vqe_complex *buf, uint64_t base, const uint64_t *off, int nseg, int low)
{
  for (int s = 0; s < nseg; s++) memcpy(a + (base | off[s]), buf + ((size_t)s << low), sizeof *a << low);
}

/* ---- far gates -------------------------------------------------------------------------------------
 * On the development machine (AMD Zen 4) two streams exactly 2^28 bytes (2^24 amplitudes) or a larger
 * power of two apart thrash: a two-stream a[i] *= s runs at 2.5 GB/s at 256 MiB distance and at 50 GB/s
 * at 256 MiB + 64 KiB (consistent with the L1 way predictor hashing only virtual address bits below 28).
 * A gate whose index groups pair amplitudes across a qubit >= SV_TILE_MIN_QUBIT touches such streams in
 * every iteration: CNOT(24, 25) at 26 qubits took 211 ms against 30 ms for CNOT(12, 13). Such gates run
 * chunk by chunk instead: the qubits below FAR_BLOCK_QUBITS − k and the gate's k qubits above them form a
 * local register; each chunk's 2^k segments (contiguous runs of 2^(FAR_BLOCK_QUBITS−k) amplitudes) are
 * copied one after the other into a buffer, the gate runs there with its qubits renumbered (monotone,
 * so Jordan-Wigner strings keep their meaning when they lie inside the register), and the segments are
 * copied back: one stream at a time, as the fused circuits' cache blocks do. 1-qubit gates and CNOT
 * have their own far paths (kernels.c: halves moved aside in virtual memory, split.c, else tiled), and
 * so have SWAP, the controlled rotations and the excitation rotations where the state can be split (at
 * n = 26, 1 thread: SWAP(24, 25) 106-120 ms chunk by chunk, 25-32 ms split; CRY(24, 25) 211 -> 22-27;
 * SINGLE_EXC(24, 25) 112-122 -> 36-43); diagonal kinds touch one amplitude per group and stay as they
 * are. */
#if VQE_TEST_BUILD
#define FAR_BLOCK_QUBITS 7    /* tests (n = 12) reach it with several chunks */
#else
#define FAR_BLOCK_QUBITS 14   /* 256 KiB per chunk */
#endif

static int far_apply(const circ_prim *p, vqe_complex *a, int n, int par, int inverse)
{
  if (n <= SV_TILE_MIN_QUBIT || n <= FAR_BLOCK_QUBITS) return 0;
  const uint64_t sup = circ_prim_support(p), far = sup >> SV_TILE_MIN_QUBIT << SV_TILE_MIN_QUBIT;
  if (!far || table[p->kind].info.n_qubits == 1 || p->kind == VQE_GATE_CZ || p->kind == VQE_GATE_CPHASE ||
      p->kind == VQE_GATE_CNOT ||   /* has its own tiled kernel */
      (p->kind == VQE_GATE_PAULI_ROT && !(p->x & far)) ||
      ((p->kind == VQE_GATE_CRX || p->kind == VQE_GATE_CRY || p->kind == VQE_GATE_CRZ) && !(BIT(p->q[1]) & far)))
    return 0;   /* no pairs across a far qubit (a far control only selects amplitudes) */
  switch (p->kind) {   /* kernels that move the state's upper halves aside instead where needed (split.c) */
  case VQE_GATE_SWAP: case VQE_GATE_SINGLE_EXC: case VQE_GATE_DOUBLE_EXC: case VQE_GATE_FERMI_SINGLE:
  case VQE_GATE_FERMI_DOUBLE: case VQE_GATE_ORBITAL_ROT:
    if (sv_split_possible(a, n, 63 - __builtin_clzll(far))) return 0;
    break;
  case VQE_GATE_CRX: case VQE_GATE_CRY: case VQE_GATE_CRZ:
    if (sv_split_possible(a, n, p->q[1])) return 0;
    break;
  default: break;
  }
  int k = 0;
  while (k <= 4 && __builtin_popcountll(sup >> (FAR_BLOCK_QUBITS - k)) > k) k++;
  if (k > 4) return 0;   /* a long Jordan-Wigner string: the gate stays as it is */
  const int low = FAR_BLOCK_QUBITS - k;
  const uint64_t hs = sup >> low << low;
  int lq[64], nl = 0, map[64];
  for (int q = 0; q < n; q++)
    if (q < low || (hs >> q & 1)) { map[q] = nl; lq[nl++] = q; }
  const int nh = nl - low;
  int threads = par ? omp_get_max_threads() : 1;
  vqe_complex **bufs = calloc((size_t)threads, sizeof *bufs);
  for (int t = 0; bufs && t < threads; t++)
    if (!(bufs[t] = vqe_aligned_alloc((size_t)1 << nl, sizeof **bufs))) {
      for (int u = 0; u < t; u++) vqe_free(bufs[u]);
      free(bufs);
      bufs = NULL;
    }
  if (!bufs) return 0;   /* no memory for the buffers: the gate runs as it is, only slower */
  uint64_t soff[16];
  circ_segment_offsets(lq, low, nl, soff);
  const circ_prim lp = circ_prim_remap(p, map);
  const int64_t nchunks = (int64_t)1 << (n - nl);
#pragma omp parallel num_threads(threads) if (par)
  {
    vqe_complex *buf = bufs[par ? omp_get_thread_num() : 0];
#pragma omp for schedule(static)
    for (int64_t ci = 0; ci < nchunks; ci++) {
      const uint64_t base = sv_insert0n((uint64_t)ci, lq, nl);
      circ_gather(buf, a, base, soff, 1 << nh, low);
      if (inverse) circ_prim_apply_inverse(&lp, buf, nl, 0);
      else circ_prim_apply(&lp, buf, nl, 0);
      circ_scatter(a, buf, base, soff, 1 << nh, low);
    }
  }
  for (int t = 0; t < threads; t++) vqe_free(bufs[t]);
  free(bufs);
  return 1;
}

void circ_prim_apply(const circ_prim *p, vqe_complex *a, int n, int par)
{
  if (!far_apply(p, a, n, par, 0)) table[p->kind].apply(p, a, n, par);
}

void circ_prim_apply_inverse(const circ_prim *p, vqe_complex *a, int n, int par)
{
  if (far_apply(p, a, n, par, 1)) return;
  const circ_row *r = &table[p->kind];
  circ_prim q = *p;
  if (r->info.n_angles == 0) q.kind = r->inverse_fixed;
  else q.angle = -p->angle;
  table[q.kind].apply(&q, a, n, par);
}

uint64_t circ_gate_support(const vqe_gate *g)
{
  const circ_row *r = &table[g->kind];
  if (g->kind == VQE_GATE_PAULI_ROT) return g->x | g->z;
  uint64_t m = 0;
  int lo = 64, hi = -1;
  for (int j = 0; j < r->info.n_qubits; j++) {
    m |= BIT(g->q[j]);
    if (g->q[j] < lo) lo = g->q[j];
    if (g->q[j] > hi) hi = g->q[j];
  }
  if (g->kind == VQE_GATE_SPIN_DOUBLE) {   /* and the β qubits q + 1 */
    for (int j = 0; j < 4; j++) m |= BIT(g->q[j] + 1);
    hi++;
  }
  if (r->fermionic && hi >= 0) m |= (BIT(hi) - 1) & ~(BIT(lo) - 1);
  if (r->fermionic && hi >= 0) m |= BIT(hi);
  return m;
}

uint64_t circ_prim_support(const circ_prim *p)
{
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = p->kind;
  memcpy(g.q, p->q, sizeof g.q);
  g.x = p->x;
  g.z = p->z;
  return circ_gate_support(&g);
}

int circ_gate_qubits(const vqe_gate *g, int *qs)
{
  if (g->kind == VQE_GATE_PAULI_ROT) return sv_mask_positions(g->x | g->z, qs);
  const int k = table[g->kind].info.n_qubits;
  for (int j = 0; j < k; j++) qs[j] = g->q[j];
  return k;
}

void circ_gate_values(const vqe_gate *g, const double *theta, double *vals)
{
  const int na = table[g->kind].info.n_angles;
  for (int a = 0; a < na; a++) {
    const vqe_angle *an = &g->angle[a];
    vals[a] = an->param >= 0 ? an->coeff * theta[an->param] + an->offset : an->offset;
  }
}

/* The matrix of a gate from its kernels: apply it to each basis state of a register made of just its
 * own qubits (local qubit j = qs[j]). */
vqe_status vqe_gate_matrix(const vqe_gate *g, const double *angle_values, vqe_complex *m, vqe_error *err)
{
  if (!circ_row_of(g->kind)) return vqe_error_set(err, VQE_ERR_INPUT, "invalid gate kind %d", (int)g->kind);
  const circ_row *r = &table[g->kind];
  if (r->fermionic)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s has Jordan-Wigner signs from qubits outside its own; it has no local matrix",
                         r->info.name);
  int qs[64];
  const int k = circ_gate_qubits(g, qs);
  if (k < 1 || k > 6)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s acts on %d qubits (a local matrix needs 1 to 6)", r->info.name, k);
  vqe_gate lg = *g;
  for (int j = 0; j < r->info.n_qubits; j++) lg.q[j] = j;
  if (g->kind == VQE_GATE_PAULI_ROT) {
    lg.x = lg.z = 0;
    for (int j = 0; j < k; j++) {
      if (g->x >> qs[j] & 1) lg.x |= BIT(j);
      if (g->z >> qs[j] & 1) lg.z |= BIT(j);
    }
  }
  circ_prim f[4];
  int amap[4];
  const int nf = circ_prims(&lg, angle_values, f, amap);
  const int d = 1 << k;
  vqe_complex col[64];
  for (int c = 0; c < d; c++) {
    for (int i = 0; i < d; i++) col[i] = (i == c);
    for (int j = 0; j < nf; j++) circ_prim_apply(&f[j], col, k, 0);
    for (int i = 0; i < d; i++) m[i * d + c] = col[i];
  }
  return VQE_OK;
}
