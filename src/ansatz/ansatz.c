/* ansatz.c — the ansatz family table and builders (ansatz.h): hardware-efficient, UCCSD, k-UpCCGSD and
 * GateFabric circuits on interleaved spin orbitals. Called by the VQE driver, plateau tools, studies. */
#include "vqe/ansatz.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static vqe_status build_hea(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err);
static vqe_status build_uccsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err);
static vqe_status build_sa_uccsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err);
static vqe_status build_kupccgsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err);
static vqe_status build_gatefabric(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err);

const vqe_ansatz_info vqe_ansatze[] = {
  { "hea", VQE_ANSATZ_HEA, build_hea, 0, 0, 0,
    "Kandala et al., Nature 549, 242 (2017); Qiskit EfficientSU2 layout", 1 },
  { "uccsd", VQE_ANSATZ_UCCSD, build_uccsd, 1, 1, 0,
    "Romero et al., Quantum Sci. Technol. 4, 014008 (2018); first-order Trotter, doubles then singles", 0 },
  { "sa-uccsd", VQE_ANSATZ_SA_UCCSD, build_sa_uccsd, 1, 1, 1,
    "spin-adapted UCCSD: Paldus, J. Chem. Phys. 67, 303 (1977); OpenFermion uccsd_singlet_generator; exact spin-free exponentials", 0 },
  { "kupccgsd", VQE_ANSATZ_KUPCCGSD, build_kupccgsd, 1, 1, 1,
    "Lee, Huggins, Head-Gordon & Whaley, J. Chem. Theory Comput. 15, 311 (2019)", 1 },
  { "gatefabric", VQE_ANSATZ_GATEFABRIC, build_gatefabric, 1, 1, 1,
    "Anselmetti, Wierichs, Gogolin & Parrish, New J. Phys. 23, 113010 (2021); PennyLane qml.GateFabric", 1 },
  { NULL, 0, NULL, 0, 0, 0, NULL, 0 },
};

const vqe_ansatz_info *vqe_ansatz_find(const char *name)
{
  if (!name) return NULL;
  for (int k = 0; vqe_ansatze[k].name; k++) {
    const char *p = vqe_ansatze[k].name, *q = name;
    while (*p && *q && tolower((unsigned char)*q) == *p) { p++; q++; }
    if (!*p && !*q) return &vqe_ansatze[k];
  }
  return NULL;
}

const vqe_ansatz_info *vqe_ansatz_info_of(vqe_ansatz_kind kind)
{
  for (int k = 0; vqe_ansatze[k].name; k++)
    if (vqe_ansatze[k].kind == kind) return &vqe_ansatze[k];
  return NULL;
}

const char *vqe_ansatz_names(void) { return "hea, uccsd, sa-uccsd, kupccgsd, gatefabric"; }

void vqe_ansatz_spec_default(vqe_ansatz_spec *s)
{
  memset(s, 0, sizeof *s);
  s->kind = VQE_ANSATZ_UCCSD;
  s->layers = 1;
  s->n_rotations = 2;
  s->rotations[0] = VQE_GATE_RY;
  s->rotations[1] = VQE_GATE_RZ;
  s->rotations[2] = VQE_GATE_RX;
  s->entangler = VQE_GATE_CNOT;
  s->entanglement = VQE_ENTANGLE_LINEAR;
  s->hf_init = 0;
  s->ucc_order = VQE_UCC_DOUBLES_FIRST;
  s->include_pi = 0;
}

uint64_t vqe_reference_determinant(int norb, int n_alpha, int n_beta)
{
  uint64_t b = 0;
  for (int p = 0; p < n_alpha && p < norb; p++) b |= UINT64_C(1) << (2 * p);
  for (int p = 0; p < n_beta && p < norb; p++) b |= UINT64_C(1) << (2 * p + 1);
  return b;
}

void vqe_ansatz_free(vqe_ansatz *a)
{
  if (!a) return;
  vqe_circuit_free(&a->circuit);
  memset(a, 0, sizeof *a);
}

vqe_status vqe_ansatz_build(const vqe_ansatz_spec *spec, vqe_ansatz *out, vqe_error *err)
{
  memset(out, 0, sizeof *out);
  if (!spec) return vqe_error_set(err, VQE_ERR_INPUT, "ansatz: no spec given");
  const vqe_ansatz_info *info = vqe_ansatz_info_of(spec->kind);
  if (!info) return vqe_error_set(err, VQE_ERR_INPUT, "ansatz: unknown kind %d (allowed: %s)",
                                  (int)spec->kind, vqe_ansatz_names());
  if (spec->norb < 1 || spec->norb > VQE_STATEVEC_MAX_QUBITS / 2)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz %s: %d spatial orbitals (allowed: 1..%d, i.e. at most %d qubits)",
                         info->name, spec->norb, VQE_STATEVEC_MAX_QUBITS / 2, VQE_STATEVEC_MAX_QUBITS);
  if (spec->n_alpha < 0 || spec->n_alpha > spec->norb || spec->n_beta < 0 || spec->n_beta > spec->norb)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz %s: %d alpha and %d beta electrons do not fit in %d orbitals (allowed: 0..%d each)",
                         info->name, spec->n_alpha, spec->n_beta, spec->norb, spec->norb);
  if (info->uses_layers && (spec->layers < 1 || spec->layers > 10000))
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz %s: %d layers (allowed: 1..10000)", info->name, spec->layers);
  out->spec = *spec;
  out->n_qubits = 2 * spec->norb;
  vqe_circuit_init(&out->circuit, out->n_qubits);
  out->reference = vqe_reference_determinant(spec->norb, spec->n_alpha, spec->n_beta);
  vqe_status st = info->build(spec, out, err);
  if (st) { vqe_ansatz_free(out); return st; }
  out->n_params = out->circuit.n_params;
  out->conserves_n = info->conserves_n;
  out->conserves_sz = info->conserves_sz;
  out->conserves_s2 = info->conserves_s2;
  vqe_circuit_get_stats(&out->circuit, &out->stats);
  return VQE_OK;
}

vqe_status vqe_ansatz_prepare(const vqe_ansatz *a, const double *theta, vqe_statevec *s, vqe_error *err)
{
  if (s->n_qubits != a->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz: state has %d qubits, the ansatz %d", s->n_qubits, a->n_qubits);
  vqe_status st = vqe_statevec_set_basis(s, a->reference, err);
  if (st) return st;
  return vqe_circuit_apply(&a->circuit, theta, s, err);
}

/* ---- hardware-efficient ------------------------------------------------------------------------- */

static vqe_status hea_rotations(const vqe_ansatz_spec *s, vqe_circuit *c, int *param, vqe_error *err)
{
  int n = c->n_qubits;
  for (int r = 0; r < s->n_rotations; r++)
    for (int q = 0; q < n; q++) {
      vqe_status st = vqe_circuit_add_param(c, s->rotations[r], &q, (*param)++, 1.0, err);
      if (st) return st;
    }
  return VQE_OK;
}

static vqe_status hea_pair(const vqe_ansatz_spec *s, vqe_circuit *c, int a, int b, vqe_error *err)
{
  int q[2] = { a, b };
  return vqe_circuit_add_fixed(c, s->entangler, q, NULL, err);
}

static vqe_status build_hea(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err)
{
  if (s->n_rotations < 1 || s->n_rotations > VQE_ANSATZ_MAX_ROTATIONS)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz hea: %d rotation gates per layer (allowed: 1..3 of RX, RY, RZ)", s->n_rotations);
  for (int r = 0; r < s->n_rotations; r++)
    if (s->rotations[r] != VQE_GATE_RX && s->rotations[r] != VQE_GATE_RY && s->rotations[r] != VQE_GATE_RZ) {
      const vqe_gate_info *gi = vqe_gate_info_of(s->rotations[r]);
      return vqe_error_set(err, VQE_ERR_INPUT, "ansatz hea: rotation gate '%s' (allowed: RX, RY, RZ)", gi ? gi->name : "?");
    }
  if (s->entangler != VQE_GATE_CNOT && s->entangler != VQE_GATE_CZ) {
    const vqe_gate_info *gi = vqe_gate_info_of(s->entangler);
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz hea: entangler '%s' (allowed: CNOT, CZ)", gi ? gi->name : "?");
  }
  if (s->entanglement < VQE_ENTANGLE_LINEAR || s->entanglement > VQE_ENTANGLE_FULL)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz hea: unknown entanglement %d (allowed: linear, circular, full)", (int)s->entanglement);
  vqe_circuit *c = &a->circuit;
  int n = c->n_qubits, param = 0;
  vqe_status st;
  if (!s->hf_init) a->reference = 0;
  for (int l = 0; l < s->layers; l++) {
    if ((st = hea_rotations(s, c, &param, err))) return st;
    if (n < 2) continue;
    if (s->entanglement == VQE_ENTANGLE_FULL) {
      for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
          if ((st = hea_pair(s, c, i, j, err))) return st;
    } else {
      if (s->entanglement == VQE_ENTANGLE_CIRCULAR && n > 2 && (st = hea_pair(s, c, n - 1, 0, err))) return st;
      for (int q = 0; q + 1 < n; q++)
        if ((st = hea_pair(s, c, q, q + 1, err))) return st;
    }
  }
  return hea_rotations(s, c, &param, err);
}

/* ---- UCCSD ------------------------------------------------------------------------------------------ */

void vqe_uccsd_excitations(int norb, int n_alpha, int n_beta, int *singles, size_t *n_singles,
                           int *doubles, size_t *n_doubles)
{
  int n = 2 * norb;
  uint64_t ref = vqe_reference_determinant(norb, n_alpha, n_beta);
  size_t ns = 0, nd = 0;
  /* singles: i occupied ascending, a virtual ascending, same spin (same parity) */
  for (int i = 0; i < n; i++) {
    if (!(ref >> i & 1)) continue;
    for (int a = 0; a < n; a++) {
      if (ref >> a & 1 || (a & 1) != (i & 1)) continue;
      if (singles) { singles[2 * ns] = a; singles[2 * ns + 1] = i; }
      ns++;
    }
  }
  /* doubles: i < j occupied, a < b virtual, spin conserved */
  for (int i = 0; i < n; i++) {
    if (!(ref >> i & 1)) continue;
    for (int j = i + 1; j < n; j++) {
      if (!(ref >> j & 1)) continue;
      for (int a = 0; a < n; a++) {
        if (ref >> a & 1) continue;
        for (int b = a + 1; b < n; b++) {
          if (ref >> b & 1) continue;
          if ((i & 1) + (j & 1) != (a & 1) + (b & 1)) continue;
          if (doubles) {
            doubles[4 * nd] = a; doubles[4 * nd + 1] = b; doubles[4 * nd + 2] = j; doubles[4 * nd + 3] = i;
          }
          nd++;
        }
      }
    }
  }
  if (n_singles) *n_singles = ns;
  if (n_doubles) *n_doubles = nd;
}

/* The UCC Trotter product shared by uccsd and sa-uccsd: the excitation lists of `list` (spin orbitals
 * for uccsd, spatial orbitals for sa-uccsd), all doubles then all singles (or the reverse, ucc_order),
 * one parameter per excitation. uccsd: FERMI_DOUBLE / FERMI_SINGLE; sa-uccsd: SPIN_DOUBLE on the α
 * qubits and the α and β FERMI_SINGLE sharing a parameter. */
typedef void (*ucc_list_fn)(int norb, int n_alpha, int n_beta, int *singles, size_t *n_singles,
                            int *doubles, size_t *n_doubles);

static vqe_status build_ucc(const vqe_ansatz_spec *s, vqe_ansatz *a, const char *name, ucc_list_fn list,
                            int spin_adapted, vqe_error *err)
{
  size_t ns, nd;
  list(s->norb, s->n_alpha, s->n_beta, NULL, &ns, NULL, &nd);
  if (ns + nd == 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "ansatz %s: no excitations from the reference (%d alpha, %d beta electrons in %d orbitals): "
                         "the space must have both occupied and virtual orbitals", name, s->n_alpha, s->n_beta, s->norb);
  int *sg = malloc((2 * ns + 1) * sizeof *sg), *db = malloc((4 * nd + 1) * sizeof *db);
  if (!sg || !db) { free(sg); free(db); return vqe_error_set(err, VQE_ERR_RESOURCE, "ansatz %s: out of memory", name); }
  list(s->norb, s->n_alpha, s->n_beta, sg, &ns, db, &nd);
  vqe_circuit *c = &a->circuit;
  vqe_status st = VQE_OK;
  int param = 0;
  for (int block = 0; block < 2 && !st; block++) {
    const int doubles_now = (s->ucc_order == VQE_UCC_DOUBLES_FIRST) == (block == 0);
    if (doubles_now)
      for (size_t k = 0; k < nd && !st; k++) {
        const int *e = db + 4 * k, q[4] = { 2 * e[0], 2 * e[1], 2 * e[2], 2 * e[3] };
        st = spin_adapted ? vqe_circuit_add_param(c, VQE_GATE_SPIN_DOUBLE, q, param++, 1.0, err)
                          : vqe_circuit_add_param(c, VQE_GATE_FERMI_DOUBLE, e, param++, 1.0, err);
      }
    else
      for (size_t k = 0; k < ns && !st; k++) {
        const int *e = sg + 2 * k;
        if (!spin_adapted) { st = vqe_circuit_add_param(c, VQE_GATE_FERMI_SINGLE, e, param++, 1.0, err); continue; }
        const int qa[2] = { 2 * e[0], 2 * e[1] }, qb[2] = { qa[0] + 1, qa[1] + 1 };
        st = vqe_circuit_add_param(c, VQE_GATE_FERMI_SINGLE, qa, param, 1.0, err);
        if (!st) st = vqe_circuit_add_param(c, VQE_GATE_FERMI_SINGLE, qb, param, 1.0, err);
        param++;
      }
  }
  free(sg);
  free(db);
  return st;
}

static vqe_status build_uccsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err)
{
  return build_ucc(s, a, "uccsd", vqe_uccsd_excitations, 0, err);
}

/* ---- spin-adapted UCCSD ------------------------------------------------------------------------------ */

/* Does T = E_ai E_bj (or E_ai when b < 0) map the determinant `ref` to a nonzero vector? The spin terms
 * give distinct determinants or cancel; accumulate signed coefficients per result. */
static int spin_free_nonzero(uint64_t ref, int a, int i, int b, int j)
{
  uint64_t det[4];
  int coef[4], nd = 0;
  for (int s = 0; s < 2; s++)
    for (int u = 0; u < (b >= 0 ? 2 : 1); u++) {
      const int ops[4][2] = { { 2 * j + u, 0 }, { 2 * b + u, 1 }, { 2 * i + s, 0 }, { 2 * a + s, 1 } };
      uint64_t d = ref;
      int sg = 1;
      for (int k = b >= 0 ? 0 : 2; k < 4 && sg; k++) {
        const uint64_t bit = UINT64_C(1) << ops[k][0];
        if (!!(d & bit) == ops[k][1]) { sg = 0; break; }
        if (__builtin_popcountll(d & (bit - 1)) & 1) sg = -sg;
        d ^= bit;
      }
      if (!sg) continue;
      int k = 0;
      while (k < nd && det[k] != d) k++;
      if (k == nd) { det[nd] = d; coef[nd++] = 0; }
      coef[k] += sg;
    }
  for (int k = 0; k < nd; k++) if (coef[k]) return 1;
  return 0;
}

void vqe_sa_uccsd_excitations(int norb, int n_alpha, int n_beta, int *singles, size_t *n_singles,
                              int *doubles, size_t *n_doubles)
{
  const uint64_t ref = vqe_reference_determinant(norb, n_alpha, n_beta);
  const int hi = n_alpha > n_beta ? n_alpha : n_beta, lo = n_alpha < n_beta ? n_alpha : n_beta;
  int pr[32 * 32][2];   /* norb <= 32: the reference is a 64-bit determinant */
  size_t np = 0, ns = 0, nd = 0;
  if (norb > 32) norb = 0;
  for (int i = 0; i < hi && i < norb; i++)
    for (int a = lo; a < norb; a++)
      if (a != i && spin_free_nonzero(ref, a, i, -1, -1)) { pr[np][0] = a; pr[np][1] = i; np++; }
  for (size_t k = 0; k < np; k++) {
    if (singles) { singles[2 * ns] = pr[k][0]; singles[2 * ns + 1] = pr[k][1]; }
    ns++;
  }
  for (size_t p = 0; p < np; p++)
    for (size_t q = p; q < np; q++) {
      const int a = pr[p][0], i = pr[p][1], b = pr[q][0], j = pr[q][1];
      if (a == j || b == i) continue;          /* {i, j} ∩ {a, b} = ∅ (a ≠ i, b ≠ j already) */
      if (!spin_free_nonzero(ref, a, i, b, j)) continue;
      if (doubles) { doubles[4 * nd] = a; doubles[4 * nd + 1] = b; doubles[4 * nd + 2] = j; doubles[4 * nd + 3] = i; }
      nd++;
    }
  if (n_singles) *n_singles = ns;
  if (n_doubles) *n_doubles = nd;
}

static vqe_status build_sa_uccsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err)
{
  return build_ucc(s, a, "sa-uccsd", vqe_sa_uccsd_excitations, 1, err);
}

/* ---- k-UpCCGSD ------------------------------------------------------------------------------------- */

static vqe_status build_kupccgsd(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err)
{
  int m = s->norb, param = 0;
  if (m < 2) return vqe_error_set(err, VQE_ERR_INPUT, "ansatz kupccgsd: needs at least 2 spatial orbitals, got %d", m);
  vqe_status st;
  for (int k = 0; k < s->layers; k++) {
    for (int p = 0; p < m; p++)
      for (int q = p + 1; q < m; q++) {
        int qa[2] = { 2 * p, 2 * q }, qb[2] = { 2 * p + 1, 2 * q + 1 };
        if ((st = vqe_circuit_add_param(&a->circuit, VQE_GATE_FERMI_SINGLE, qa, param, 1.0, err))) return st;
        if ((st = vqe_circuit_add_param(&a->circuit, VQE_GATE_FERMI_SINGLE, qb, param, 1.0, err))) return st;
        param++;
      }
    for (int p = 0; p < m; p++)
      for (int q = p + 1; q < m; q++) {
        int qd[4] = { 2 * p, 2 * p + 1, 2 * q + 1, 2 * q };
        if ((st = vqe_circuit_add_param(&a->circuit, VQE_GATE_FERMI_DOUBLE, qd, param++, 1.0, err))) return st;
      }
  }
  return VQE_OK;
}

/* ---- GateFabric -------------------------------------------------------------------------------------- */

static vqe_status build_gatefabric(const vqe_ansatz_spec *s, vqe_ansatz *a, vqe_error *err)
{
  int n = a->n_qubits, param = 0;
  if (n < 4) return vqe_error_set(err, VQE_ERR_INPUT, "ansatz gatefabric: needs at least 4 qubits (2 spatial orbitals), got %d", n);
  int starts[VQE_STATEVEC_MAX_QUBITS], nb = 0;
  for (int w = 0; w + 4 <= n; w += 4) starts[nb++] = w;
  if (n > 4)
    for (int w = 2; w + 4 <= n; w += 4) starts[nb++] = w;
  vqe_status st;
  for (int l = 0; l < s->layers; l++)
    for (int b = 0; b < nb; b++) {
      int q[4] = { starts[b], starts[b] + 1, starts[b] + 2, starts[b] + 3 };
      if (s->include_pi) {
        double pi = M_PI;
        if ((st = vqe_circuit_add_fixed(&a->circuit, VQE_GATE_ORBITAL_ROT, q, &pi, err))) return st;
      }
      vqe_gate g;
      memset(&g, 0, sizeof g);
      g.kind = VQE_GATE_GATE_FABRIC_Q;
      memcpy(g.q, q, sizeof q);
      g.angle[0] = vqe_angle_param(param++, 1.0);
      g.angle[1] = vqe_angle_param(param++, 1.0);
      g.angle[2] = vqe_angle_fixed(0.0);
      if ((st = vqe_circuit_add(&a->circuit, &g, err))) return st;
    }
  return VQE_OK;
}
