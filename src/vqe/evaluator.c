/* evaluator.c — energy and gradient of a parameterised circuit under a Pauli-sum Hamiltonian (plus
 * optional penalties): adjoint differentiation, generalised parameter-shift rules and central finite
 * differences (vqe_run.h). Called by the VQE driver, the plateau tools and the tests. */
#include "vqe/vqe_run.h"
#include "vqe_internal.h"
#include "statevec/sv_internal.h"   /* sv_mask_positions, sv_insert0n, sv_fermi_partner */
#include "circuit/circ_internal.h"   /* circ_fermi_ops */
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct vqe_evaluator {
  vqe_circuit c;               /* own copy: parameter-shift moves one angle's offset temporarily */
  uint64_t ref;
  const vqe_pauli_sum *h;
  vqe_penalty pen;
  int has_pen;
  vqe_statevec v[3];           /* φ, λ, μ */
  size_t first_param_gate;     /* the adjoint walk stops here */
  int n_energy, n_grad;
  int fused;                   /* forward pass through the fused / cache-blocked circuit */
  vqe_complex *part;           /* per-chunk partial sums of the Pauli cross products */
  unsigned char *done;         /* the adjoint walk: gates walked (runs may take gates out of order) */
  uint64_t n_chunks, chunk;
};

int vqe_gradient_method_parse(const char *name)
{
  if (!name) return -1;
  if (!strcmp(name, "adjoint")) return VQE_GRADIENT_ADJOINT;
  if (!strcmp(name, "parameter-shift") || !strcmp(name, "param-shift")) return VQE_GRADIENT_PARAMETER_SHIFT;
  if (!strcmp(name, "finite-difference") || !strcmp(name, "fd")) return VQE_GRADIENT_FINITE_DIFFERENCE;
  return -1;
}

const char *vqe_gradient_method_name(vqe_gradient_method m)
{
  switch (m) {
  case VQE_GRADIENT_ADJOINT: return "adjoint";
  case VQE_GRADIENT_PARAMETER_SHIFT: return "parameter-shift";
  case VQE_GRADIENT_FINITE_DIFFERENCE: return "finite-difference";
  }
  return "?";
}

vqe_status vqe_evaluator_create(const vqe_circuit *c, uint64_t reference, const vqe_pauli_sum *h,
                                const vqe_penalty *penalty, vqe_evaluator **out, vqe_error *err)
{
  *out = NULL;
  if (!c || !h) return vqe_error_set(err, VQE_ERR_INPUT, "evaluator: circuit and Hamiltonian are required");
  if (h->n_qubits != c->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "evaluator: the Hamiltonian acts on %d qubits but the circuit on %d",
                         h->n_qubits, c->n_qubits);
  if (c->n_qubits < 64 && (reference >> c->n_qubits) != 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "evaluator: reference state %llu outside %d qubits",
                         (unsigned long long)reference, c->n_qubits);
  vqe_evaluator *ev = calloc(1, sizeof *ev);
  if (!ev) return vqe_error_set(err, VQE_ERR_RESOURCE, "evaluator: out of memory");
  vqe_status st = vqe_circuit_copy(&ev->c, c, err);
  if (st) { free(ev); return st; }
  ev->ref = reference;
  ev->h = h;
  if (penalty && (penalty->mu_number != 0.0 || penalty->mu_s2 != 0.0)) {
    ev->pen = *penalty;
    ev->has_pen = 1;
    if (c->n_qubits % 2) {
      vqe_evaluator_destroy(ev);
      return vqe_error_set(err, VQE_ERR_INPUT, "evaluator: penalties need an even number of qubits (spin orbitals), got %d", c->n_qubits);
    }
  }
  st = vqe_statevec_init_many(ev->v, 3, c->n_qubits, err);
  if (st) { vqe_circuit_free(&ev->c); free(ev); return st; }
  ev->chunk = UINT64_C(1) << OBS_CHUNK_BITS;
  if (ev->chunk > ev->v[0].dim) ev->chunk = ev->v[0].dim;
  ev->n_chunks = ev->v[0].dim / ev->chunk;
  ev->part = malloc((size_t)ev->n_chunks * sizeof *ev->part);
  ev->done = malloc(ev->c.n_gates + 1);
  if (!ev->part || !ev->done) { vqe_evaluator_destroy(ev); return vqe_error_set(err, VQE_ERR_RESOURCE, "evaluator: out of memory"); }
  ev->first_param_gate = ev->c.n_gates;
  for (size_t i = 0; i < ev->c.n_gates; i++) {
    const vqe_gate_info *gi = vqe_gate_info_of(ev->c.gates[i].kind);
    int bound = 0;
    for (int a = 0; gi && a < gi->n_angles; a++) bound |= ev->c.gates[i].angle[a].param >= 0;
    if (bound) { ev->first_param_gate = i; break; }
  }
  *out = ev;
  return VQE_OK;
}

vqe_status vqe_evaluator_create_ansatz(const vqe_ansatz *a, const vqe_pauli_sum *h,
                                       const vqe_penalty *penalty, vqe_evaluator **out, vqe_error *err)
{
  return vqe_evaluator_create(&a->circuit, a->reference, h, penalty, out, err);
}

void vqe_evaluator_destroy(vqe_evaluator *ev)
{
  if (!ev) return;
  for (int k = 0; k < 3; k++) vqe_statevec_free(&ev->v[k]);
  vqe_circuit_free(&ev->c);
  free(ev->part);
  free(ev->done);
  free(ev);
}

int vqe_evaluator_n_params(const vqe_evaluator *ev) { return ev->c.n_params; }

void vqe_evaluator_set_fused(vqe_evaluator *ev, int on) { ev->fused = on != 0; }

void vqe_evaluator_counts(const vqe_evaluator *ev, int *n_energy, int *n_gradient)
{
  if (n_energy) *n_energy = ev->n_energy;
  if (n_gradient) *n_gradient = ev->n_grad;
}

/* φ ← U(θ)|ref⟩ into v[0]. */
static vqe_status ev_prepare(vqe_evaluator *ev, const double *theta, vqe_error *err)
{
  vqe_status st = vqe_statevec_set_basis(&ev->v[0], ev->ref, err);
  if (st) return st;
  if (ev->fused) return vqe_circuit_apply_fused(&ev->c, theta, NULL, &ev->v[0], err);
  return vqe_circuit_apply(&ev->c, theta, &ev->v[0], err);
}

/* out = H' in */
static vqe_status ev_apply_h(vqe_evaluator *ev, const vqe_statevec *in, vqe_statevec *out, vqe_error *err)
{
  vqe_status st = vqe_statevec_apply_pauli_sum(in, ev->h, out, err);
  if (st || !ev->has_pen) return st;
  return vqe_penalty_apply_add(in, &ev->pen, out, err);
}

/* ⟨φ|H'|φ⟩ of v[0] (v[1] used as scratch when a penalty is on). */
static vqe_status ev_expect(vqe_evaluator *ev, double *e, vqe_error *err)
{
  if (!ev->has_pen) return vqe_statevec_expect_pauli_sum(&ev->v[0], ev->h, e, err);
  vqe_status st = ev_apply_h(ev, &ev->v[0], &ev->v[1], err);
  if (st) return st;
  *e = creal(vqe_statevec_inner(&ev->v[0], &ev->v[1]));
  return VQE_OK;
}

static vqe_status ev_energy(vqe_evaluator *ev, const double *theta, double *e, vqe_error *err)
{
  vqe_status st = ev_prepare(ev, theta, err);
  if (st) return st;
  return ev_expect(ev, e, err);
}

vqe_status ev_basis_energy(vqe_evaluator *ev, uint64_t b, double *e, vqe_error *err)
{
  vqe_status st = vqe_statevec_set_basis(&ev->v[0], b, err);
  if (st) return st;
  return vqe_statevec_expect_pauli_sum(&ev->v[0], ev->h, e, err);
}

vqe_status vqe_energy(vqe_evaluator *ev, const double *theta, double *e, vqe_error *err)
{
  ev->n_energy++;
  return ev_energy(ev, theta, e, err);
}

vqe_status vqe_evaluator_state(vqe_evaluator *ev, const double *theta, const vqe_statevec **psi,
                               vqe_error *err)
{
  vqe_status st = ev_prepare(ev, theta, err);
  *psi = st ? NULL : &ev->v[0];
  return st;
}

vqe_status vqe_evaluator_report(vqe_evaluator *ev, const double *theta, double *e_bare,
                                vqe_spin_observables *obs, vqe_error *err)
{
  vqe_status st = ev_prepare(ev, theta, err);
  if (st) return st;
  if (e_bare && (st = vqe_statevec_expect_pauli_sum(&ev->v[0], ev->h, e_bare, err))) return st;
  if (obs) {
    if (ev->c.n_qubits % 2) { obs->n = obs->sz = obs->s2 = NAN; return VQE_OK; }
    return vqe_spin_observables_compute(&ev->v[0], obs, err);
  }
  return VQE_OK;
}

/* ---- adjoint ---------------------------------------------------------------------------------------- */

/* Im⟨λ|P|φ⟩ for P = i^{|x∧z|} X^x Z^z in one read of both vectors: (Pφ)[b] = i^{|x∧z|}
 * (−1)^{|(b⊕x)∧z|} φ[b⊕x]. Partial sums per fixed chunk, added in chunk order (thread-count
 * independent). Used for the generators P/2 of RX, RY, RZ and PAULI_ROT instead of copy + generator +
 * inner product (three passes over the state). */
static double im_pauli_cross(vqe_evaluator *ev, const vqe_statevec *lam, const vqe_statevec *phi,
                             uint64_t x, uint64_t z)
{
  const vqe_complex *l = lam->amp, *f = phi->amp;
  uint64_t chunk = ev->chunk, nch = ev->n_chunks;
  vqe_complex *part = ev->part;
#pragma omp parallel for schedule(static) if (nch > 1)
  for (uint64_t c = 0; c < nch; c++) {
    vqe_complex acc = 0;
    for (uint64_t b = c * chunk; b < (c + 1) * chunk; b++) {
      uint64_t src = b ^ x;
      vqe_complex t = conj(l[b]) * f[src];
      acc += (__builtin_popcountll(src & z) & 1) ? -t : t;
    }
    part[c] = acc;
  }
  vqe_complex sum = 0;
  for (uint64_t c = 0; c < nch; c++) sum += part[c];
  switch (__builtin_popcountll(x & z) & 3) {   /* Im(i^k · sum) */
  case 1: return creal(sum);
  case 2: return -cimag(sum);
  case 3: return -creal(sum);
  default: return cimag(sum);
  }
}

/* Im⟨λ|P_q|φ⟩ for a single-qubit Pauli P = X (kind 0), Y (1) or Z (2) on qubit q, over amplitude pairs
 * (b0, b1 = b0 + 2^q): Z: Im(λ0*φ0) − Im(λ1*φ1); X: Im(λ0*φ1) + Im(λ1*φ0); Y (Yφ: b0 ← −iφ1,
 * b1 ← iφ0): Re(λ1*φ0) − Re(λ0*φ1). Pair index j → b0 = (j >> q) << (q+1) | (j mod 2^q). Chunks of
 * pairs in a fixed order as in im_pauli_cross. */
static double im_pauli1_cross(vqe_evaluator *ev, const vqe_statevec *lam, const vqe_statevec *phi,
                              int q, int kind)
{
  const double *L = (const double *)lam->amp, *F = (const double *)phi->amp;
  uint64_t m = UINT64_C(1) << q, lo = m - 1;
  uint64_t pchunk = ev->chunk / 2 ? ev->chunk / 2 : 1, nch = (lam->dim / 2) / pchunk;
  vqe_complex *part = ev->part;
#pragma omp parallel for schedule(static) if (nch > 1)
  for (uint64_t c = 0; c < nch; c++) {
    double acc = 0;
    for (uint64_t j = c * pchunk; j < (c + 1) * pchunk; j++) {
      uint64_t b0 = ((j & ~lo) << 1) | (j & lo), b1 = b0 | m;
      double l0r = L[2 * b0], l0i = L[2 * b0 + 1], l1r = L[2 * b1], l1i = L[2 * b1 + 1];
      double f0r = F[2 * b0], f0i = F[2 * b0 + 1], f1r = F[2 * b1], f1i = F[2 * b1 + 1];
      if (kind == 2) acc += (l0r * f0i - l0i * f0r) - (l1r * f1i - l1i * f1r);
      else if (kind == 0) acc += (l0r * f1i - l0i * f1r) + (l1r * f0i - l1i * f0r);
      else acc += (l1r * f0r + l1i * f0i) - (l0r * f1r + l0i * f1i);
    }
    part[c] = acc;
  }
  double sum = 0;
  for (uint64_t c = 0; c < nch; c++) sum += creal(part[c]);
  return sum;
}

/* ∂E/∂θ contribution of a fermionic excitation exp(θ(A − A†)) at |φ⟩ (after the gate) with
 * ⟨λ| = ⟨ψ|H U_N⋯U_{i+1}: the gate rotates pairs (b, b') with b' = A b / σ (statevec.h), so
 * (∂U U†φ)[b] = −σφ[b'], (∂U U†φ)[b'] = σφ[b] and the contribution is
 * 2 Σ_pairs σ Re(conj(λ[b'])φ[b] − conj(λ[b])φ[b']). One read of the pairs instead of copy +
 * generator + inner product. b runs over the states with the annihilated modes occupied and the
 * created ones empty (circ_fermi_cross_range). */
static double fermi_cross(vqe_evaluator *ev, const vqe_statevec *lam, const vqe_statevec *phi,
                          const vqe_gate *g)
{
  int ops[4];
  uint64_t occ, emp;
  const int n_ops = circ_fermi_ops(g->kind, g->q, ops, &occ, &emp);
  /* only the states with the annihilated modes occupied and the created ones empty (1/4 or 1/16 of
   * them): r runs over the indices with the `sel` bits clear, carried by r ← ((r | sel) + 1) & ~sel;
   * fixed chunks of them (partial sums added in chunk order, whatever the thread count) */
  const vqe_complex *l = lam->amp, *f = phi->amp;
  const uint64_t sel = occ | emp;
  int pos[64];
  const int ks = sv_mask_positions(sel, pos);
  const uint64_t cnt = lam->dim >> ks, nrc = ev->n_chunks < cnt ? ev->n_chunks : cnt, rc = cnt / nrc;
  vqe_complex *part = ev->part;
  const int pf = sv_run_prefetch_wanted(pos[0]) ? pos[0] : -1;   /* runs of 2^pos[0] states, gaps as long */
#pragma omp parallel for schedule(static) if (nrc > 1)
  for (uint64_t c = 0; c < nrc; c++)
    part[c] = circ_fermi_cross_range(l, f, n_ops, ops, occ, sel, sv_insert0n(c * rc, pos, ks), rc, pf);
  double sum = 0;
  for (uint64_t c = 0; c < nrc; c++) sum += creal(part[c]);
  return 2.0 * sum;
}

static vqe_status grad_adjoint(vqe_evaluator *ev, const double *theta, double *e, double *grad,
                               vqe_error *err)
{
  vqe_statevec *phi = &ev->v[0], *lam = &ev->v[1], *mu = &ev->v[2];
  vqe_status st = ev_prepare(ev, theta, err);
  if (st) return st;
  if ((st = ev_apply_h(ev, phi, lam, err))) return st;
  if (e) *e = creal(vqe_statevec_inner(phi, lam));
  const vqe_circuit *c = &ev->c;
  memset(ev->done, 0, c->n_gates);
  size_t top = c->n_gates;
  while (top > ev->first_param_gate) {
    if (ev->done[top - 1]) { top--; continue; }
    /* runs of gates that fit a cache block: walked block by block (circuit.h); else gate by gate */
    size_t walked;
    if ((st = vqe_circuit_adjoint_run(c, theta, top - 1, ev->first_param_gate, ev->done, phi, lam, grad, &walked,
                                      err)))
      return st;
    if (walked) continue;
    const size_t i = --top;
    const vqe_gate *g = &c->gates[i];
    const vqe_gate_info *gi = vqe_gate_info_of(g->kind);
    for (int a = 0; a < gi->n_angles; a++) {
      if (g->angle[a].param < 0 || g->angle[a].coeff == 0.0) continue;
      if (g->kind == VQE_GATE_RX || g->kind == VQE_GATE_RY || g->kind == VQE_GATE_RZ ||
          g->kind == VQE_GATE_PAULI_ROT) {
        /* G = P/2: 2c Im⟨λ|G|φ⟩ = c Im⟨λ|P|φ⟩ */
        double d;
        if (g->kind == VQE_GATE_PAULI_ROT) d = im_pauli_cross(ev, lam, phi, g->x, g->z);
        else d = im_pauli1_cross(ev, lam, phi, g->q[0],
                                 g->kind == VQE_GATE_RX ? 0 : g->kind == VQE_GATE_RY ? 1 : 2);
        grad[g->angle[a].param] += g->angle[a].coeff * d;
        continue;
      }
      if (g->kind == VQE_GATE_FERMI_SINGLE || g->kind == VQE_GATE_FERMI_DOUBLE) {
        grad[g->angle[a].param] += g->angle[a].coeff * fermi_cross(ev, lam, phi, g);
        continue;
      }
      if ((st = vqe_statevec_copy(mu, phi, err))) return st;
      if ((st = vqe_circuit_apply_generator(c, i, a, theta, mu, err))) return st;
      grad[g->angle[a].param] += 2.0 * g->angle[a].coeff * cimag(vqe_statevec_inner(lam, mu));
    }
    if (i == ev->first_param_gate) break;
    if ((st = vqe_circuit_apply_gate_inverse(c, i, theta, phi, err))) return st;
    if ((st = vqe_circuit_apply_gate_inverse(c, i, theta, lam, err))) return st;
  }
  return VQE_OK;
}

/* ---- parameter shift ---------------------------------------------------------------------------------- */

/* Frequencies of angle a of a gate kind: eigenvalue differences ω0·{1..R}. */
static void shift_spectrum(vqe_gate_kind k, int a, double *w0, int *R)
{
  *w0 = 1.0; *R = 1;
  switch (k) {
  case VQE_GATE_FERMI_SINGLE: case VQE_GATE_FERMI_DOUBLE: *w0 = 1.0; *R = 2; break;
  case VQE_GATE_SINGLE_EXC: case VQE_GATE_DOUBLE_EXC:
  case VQE_GATE_CRX: case VQE_GATE_CRY: case VQE_GATE_CRZ: *w0 = 0.5; *R = 2; break;
  case VQE_GATE_ORBITAL_ROT: *w0 = 0.5; *R = 4; break;
  case VQE_GATE_GATE_FABRIC_Q: *w0 = 0.5; *R = a == 0 ? 2 : 4; break;
  default: break;     /* RX RY RZ PHASE CPHASE U3 PAULI_ROT: two-term rule */
  }
}

/* ∂E/∂α for angle a of gate i of ev->c by the shift rule with frequencies ω0·{1..R}. */
static vqe_status shift_angle(vqe_evaluator *ev, size_t i, int a, double w0, int R, const double *theta,
                              double *d, vqe_error *err)
{
  vqe_gate *g = &ev->c.gates[i];
  const double saved = g->angle[a].offset;
  *d = 0.0;
  for (int m = 1; m <= 2 * R; m++) {
    double y = (2 * m - 1) * M_PI / (2.0 * R);
    double s = sin(y / 2.0), coef = ((m & 1) ? 1.0 : -1.0) * w0 / (4.0 * R * s * s), em;
    g->angle[a].offset = saved + y / w0;
    vqe_status st = ev_energy(ev, theta, &em, err);
    g->angle[a].offset = saved;
    if (st) return st;
    *d += coef * em;
  }
  return VQE_OK;
}

/* SPIN_DOUBLE: the spectrum is not equidistant, but the gate is a product of commuting spectral parts,
 * each with frequencies λ_p·{1, 2} (circuit.h). Shift one part at a time: gate i is replaced, in a
 * scratch copy of the circuit, by the other parts followed by part p, whose angle is shifted. */
static vqe_status shift_spin_double(vqe_evaluator *ev, size_t i, const double *theta, double *d,
                                    vqe_error *err)
{
  const vqe_gate g0 = ev->c.gates[i];
  double lam[4];
  const int np = vqe_spin_double_parts(g0.q, lam);
  const uint64_t mask = g0.x ? g0.x : (UINT64_C(1) << np) - 1;
  const vqe_circuit orig = ev->c;
  vqe_status st = VQE_OK;
  *d = 0.0;
  for (int p = 0; p < np && !st; p++) {
    if (!(mask >> p & 1)) continue;
    vqe_circuit tmp;
    vqe_circuit_init(&tmp, orig.n_qubits);
    size_t at = 0;
    for (size_t j = 0; j < orig.n_gates && !st; j++) {
      if (j != i) { st = vqe_circuit_add(&tmp, &orig.gates[j], err); continue; }
      vqe_gate rest = g0, part = g0;
      rest.x = mask & ~(UINT64_C(1) << p);
      part.x = UINT64_C(1) << p;
      if (rest.x) st = vqe_circuit_add(&tmp, &rest, err);
      at = tmp.n_gates;
      if (!st) st = vqe_circuit_add(&tmp, &part, err);
    }
    if (!st) {
      double dp = 0.0;
      tmp.n_params = orig.n_params;
      ev->c = tmp;
      st = shift_angle(ev, at, 0, lam[p], 2, theta, &dp, err);
      ev->c = orig;
      *d += dp;
    }
    vqe_circuit_free(&tmp);
  }
  return st;
}

static vqe_status grad_shift(vqe_evaluator *ev, const double *theta, double *e, double *grad,
                             vqe_error *err)
{
  vqe_status st;
  if (e && (st = ev_energy(ev, theta, e, err))) return st;
  vqe_circuit *c = &ev->c;
  for (size_t i = 0; i < c->n_gates; i++) {
    vqe_gate *g = &c->gates[i];
    const vqe_gate_info *gi = vqe_gate_info_of(g->kind);
    for (int a = 0; a < gi->n_angles; a++) {
      if (g->angle[a].param < 0 || g->angle[a].coeff == 0.0) continue;
      double d;
      if (g->kind == VQE_GATE_SPIN_DOUBLE) st = shift_spin_double(ev, i, theta, &d, err);
      else {
        double w0; int R;
        shift_spectrum(g->kind, a, &w0, &R);
        st = shift_angle(ev, i, a, w0, R, theta, &d, err);
      }
      if (st) return st;
      grad[g->angle[a].param] += g->angle[a].coeff * d;
    }
  }
  return VQE_OK;
}

/* ---- finite differences ------------------------------------------------------------------------------ */

#define FD_STEP 1e-5

static vqe_status grad_fd(vqe_evaluator *ev, const double *theta, double *e, double *grad, vqe_error *err)
{
  vqe_status st = VQE_OK;
  int n = ev->c.n_params;
  if (e && (st = ev_energy(ev, theta, e, err))) return st;
  double *t = malloc((size_t)(n > 0 ? n : 1) * sizeof *t);
  if (!t) return vqe_error_set(err, VQE_ERR_RESOURCE, "finite differences: out of memory");
  memcpy(t, theta, (size_t)n * sizeof *t);
  for (int k = 0; k < n; k++) {
    double ep, em;
    t[k] = theta[k] + FD_STEP;
    if ((st = ev_energy(ev, t, &ep, err))) break;
    t[k] = theta[k] - FD_STEP;
    if ((st = ev_energy(ev, t, &em, err))) break;
    t[k] = theta[k];
    grad[k] = (ep - em) / (2.0 * FD_STEP);
  }
  free(t);
  return st;
}

vqe_status vqe_gradient(vqe_evaluator *ev, const double *theta, vqe_gradient_method m, double *e,
                        double *grad, vqe_error *err)
{
  ev->n_grad++;
  for (int k = 0; k < ev->c.n_params; k++) grad[k] = 0.0;
  switch (m) {
  case VQE_GRADIENT_ADJOINT: return grad_adjoint(ev, theta, e, grad, err);
  case VQE_GRADIENT_PARAMETER_SHIFT: return grad_shift(ev, theta, e, grad, err);
  case VQE_GRADIENT_FINITE_DIFFERENCE: return grad_fd(ev, theta, e, grad, err);
  }
  return vqe_error_set(err, VQE_ERR_INPUT, "gradient: unknown method %d (allowed: adjoint, parameter-shift, finite-difference)", (int)m);
}
