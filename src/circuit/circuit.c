/* circuit.c — circuits as data (circuit.h): building and validating gate lists with parameter
 * bindings, running them forwards and backwards gate by gate (the adjoint walk), generators, text
 * output and counts. The fused form is in fuse.c; the gate table in gates.c. */
#include "circuit/circ_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vqe_circuit_init(vqe_circuit *c, int n_qubits)
{
  memset(c, 0, sizeof *c);
  c->n_qubits = n_qubits;
}

void vqe_circuit_free(vqe_circuit *c)
{
  if (!c) return;
  free(c->gates);
  c->gates = NULL;
  c->n_gates = c->capacity = 0;
}

static vqe_status reserve(vqe_circuit *c, size_t need, vqe_error *err)
{
  if (need <= c->capacity) return VQE_OK;
  size_t cap = c->capacity ? c->capacity : 32;
  while (cap < need) cap *= 2;
  vqe_gate *g = realloc(c->gates, cap * sizeof *g);
  if (!g) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory growing a circuit to %zu gates", cap);
  c->gates = g;
  c->capacity = cap;
  return VQE_OK;
}

vqe_status vqe_circuit_copy(vqe_circuit *dst, const vqe_circuit *src, vqe_error *err)
{
  vqe_circuit_init(dst, src->n_qubits);
  dst->n_params = src->n_params;
  vqe_status st = reserve(dst, src->n_gates, err);
  if (st) return st;
  if (src->n_gates) memcpy(dst->gates, src->gates, src->n_gates * sizeof *src->gates);
  dst->n_gates = src->n_gates;
  return VQE_OK;
}

vqe_status vqe_circuit_append(vqe_circuit *dst, const vqe_circuit *src, vqe_error *err)
{
  if (dst->n_qubits != src->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "cannot append a circuit of %d qubits to one of %d qubits",
                         src->n_qubits, dst->n_qubits);
  vqe_status st = reserve(dst, dst->n_gates + src->n_gates, err);
  if (st) return st;
  if (src->n_gates) memcpy(dst->gates + dst->n_gates, src->gates, src->n_gates * sizeof *src->gates);
  dst->n_gates += src->n_gates;
  if (src->n_params > dst->n_params) dst->n_params = src->n_params;
  return VQE_OK;
}

vqe_status vqe_circuit_add(vqe_circuit *c, const vqe_gate *g, vqe_error *err)
{
  const circ_row *r = circ_row_of(g->kind);
  if (!r) return vqe_error_set(err, VQE_ERR_INPUT, "invalid gate kind %d (allowed: 0 to %d)", (int)g->kind, VQE_GATE_COUNT - 1);
  const int n = c->n_qubits;
  if (n < 1 || n > VQE_STATEVEC_MAX_QUBITS)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit of %d qubits (allowed: 1 to %d)", n, VQE_STATEVEC_MAX_QUBITS);
  if (g->kind == VQE_GATE_PAULI_ROT) {
    if ((g->x | g->z) == 0)
      return vqe_error_set(err, VQE_ERR_INPUT, "PAULI_ROT on the identity string (x = z = 0) is a global phase; give a non-empty Pauli string");
    if (n < 64 && ((g->x | g->z) >> n))
      return vqe_error_set(err, VQE_ERR_INPUT, "PAULI_ROT string (x=0x%llx, z=0x%llx) acts beyond the %d qubits of the circuit",
                           (unsigned long long)g->x, (unsigned long long)g->z, n);
  }
  if (g->kind == VQE_GATE_SPIN_DOUBLE) {
    vqe_status sc = circ_spin_double_check(g->q, g->x, n, err);
    if (sc) return sc;
  }
  for (int j = 0; j < r->info.n_qubits && g->kind != VQE_GATE_SPIN_DOUBLE; j++) {
    if (g->q[j] < 0 || g->q[j] >= n)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s: qubit %d is outside the circuit's %d qubits (allowed: 0 to %d)",
                           r->info.name, g->q[j], n, n - 1);
    for (int i = 0; i < j; i++)
      if (g->q[i] == g->q[j])
        return vqe_error_set(err, VQE_ERR_INPUT, "%s: qubit %d appears twice (the gate's qubits must be distinct)",
                             r->info.name, g->q[j]);
  }
  int maxp = -1;
  for (int a = 0; a < r->info.n_angles; a++) {
    const vqe_angle *an = &g->angle[a];
    if (!isfinite(an->offset) || (an->param >= 0 && !isfinite(an->coeff)))
      return vqe_error_set(err, VQE_ERR_INPUT, "%s: angle %d has a non-finite coefficient or offset", r->info.name, a);
    if (an->param > maxp) maxp = an->param;
  }
  vqe_status st = reserve(c, c->n_gates + 1, err);
  if (st) return st;
  vqe_gate gg = *g;
  for (int j = r->info.n_qubits; j < 4; j++) gg.q[j] = 0;
  if (g->kind != VQE_GATE_PAULI_ROT) gg.z = 0;
  if (g->kind != VQE_GATE_PAULI_ROT && g->kind != VQE_GATE_SPIN_DOUBLE) gg.x = 0;
  for (int a = r->info.n_angles; a < 3; a++) gg.angle[a] = vqe_angle_fixed(0.0);
  c->gates[c->n_gates++] = gg;
  if (maxp + 1 > c->n_params) c->n_params = maxp + 1;
  return VQE_OK;
}

vqe_status vqe_circuit_add_fixed(vqe_circuit *c, vqe_gate_kind kind, const int *qubits,
                                 const double *angles, vqe_error *err)
{
  const circ_row *r = circ_row_of(kind);
  if (!r) return vqe_error_set(err, VQE_ERR_INPUT, "invalid gate kind %d", (int)kind);
  if (kind == VQE_GATE_PAULI_ROT)
    return vqe_error_set(err, VQE_ERR_INPUT, "PAULI_ROT takes a Pauli string: use vqe_circuit_add_pauli_rot");
  if (r->info.n_angles && !angles)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s needs %d angle%s", r->info.name, r->info.n_angles,
                         r->info.n_angles > 1 ? "s" : "");
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = kind;
  for (int j = 0; j < r->info.n_qubits; j++) g.q[j] = qubits[j];
  for (int a = 0; a < 3; a++) g.angle[a] = vqe_angle_fixed(a < r->info.n_angles ? angles[a] : 0.0);
  return vqe_circuit_add(c, &g, err);
}

vqe_status vqe_circuit_add_param(vqe_circuit *c, vqe_gate_kind kind, const int *qubits, int param,
                                 double coeff, vqe_error *err)
{
  const circ_row *r = circ_row_of(kind);
  if (!r) return vqe_error_set(err, VQE_ERR_INPUT, "invalid gate kind %d", (int)kind);
  if (r->info.n_angles != 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s has %d angles; vqe_circuit_add_param binds single-angle gates (use vqe_circuit_add)",
                         r->info.name, r->info.n_angles);
  if (kind == VQE_GATE_PAULI_ROT)
    return vqe_error_set(err, VQE_ERR_INPUT, "PAULI_ROT takes a Pauli string: use vqe_circuit_add_pauli_rot");
  if (param < 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s: parameter index %d (allowed: 0 or more)", r->info.name, param);
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = kind;
  for (int j = 0; j < r->info.n_qubits; j++) g.q[j] = qubits[j];
  g.angle[0] = vqe_angle_param(param, coeff);
  g.angle[1] = g.angle[2] = vqe_angle_fixed(0.0);
  return vqe_circuit_add(c, &g, err);
}

vqe_status vqe_circuit_add_pauli_rot(vqe_circuit *c, uint64_t x, uint64_t z, vqe_angle angle, vqe_error *err)
{
  vqe_gate g;
  memset(&g, 0, sizeof g);
  g.kind = VQE_GATE_PAULI_ROT;
  g.x = x;
  g.z = z;
  g.angle[0] = angle;
  g.angle[1] = g.angle[2] = vqe_angle_fixed(0.0);
  return vqe_circuit_add(c, &g, err);
}

double vqe_circuit_angle(const vqe_circuit *c, size_t i, int a, const double *theta)
{
  const vqe_angle *an = &c->gates[i].angle[a];
  return an->param >= 0 ? an->coeff * theta[an->param] + an->offset : an->offset;
}

/* ---- running ------------------------------------------------------------------------------------- */

static vqe_status check_run(const vqe_circuit *c, const double *theta, const vqe_statevec *s, vqe_error *err)
{
  if (!s || !s->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  if (c->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit of %d qubits run on a state of %d qubits", c->n_qubits, s->n_qubits);
  if (c->n_params > 0 && !theta)
    return vqe_error_set(err, VQE_ERR_INPUT, "circuit has %d parameters but no parameter vector was given", c->n_params);
  return VQE_OK;
}

static vqe_status check_index(const vqe_circuit *c, size_t i, vqe_error *err)
{
  if (i >= c->n_gates)
    return vqe_error_set(err, VQE_ERR_INPUT, "gate index %zu outside a circuit of %zu gates", i, c->n_gates);
  return VQE_OK;
}

static void gate_apply(const vqe_gate *g, const double *theta, vqe_statevec *s, int inverse)
{
  double v[3];
  circ_prim f[4];
  int amap[4];
  circ_gate_values(g, theta, v);
  const int nf = circ_prims(g, v, f, amap);
  const int n = s->n_qubits, par = SV_PAR(n);
  if (!inverse)
    for (int j = 0; j < nf; j++) circ_prim_apply(&f[j], s->amp, n, par);
  else
    for (int j = nf - 1; j >= 0; j--) circ_prim_apply_inverse(&f[j], s->amp, n, par);
}

vqe_status vqe_circuit_apply(const vqe_circuit *c, const double *theta, vqe_statevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (st) return st;
  for (size_t i = 0; i < c->n_gates; i++) gate_apply(&c->gates[i], theta, s, 0);
  return VQE_OK;
}

vqe_status vqe_circuit_apply_inverse(const vqe_circuit *c, const double *theta, vqe_statevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (st) return st;
  for (size_t i = c->n_gates; i-- > 0;) gate_apply(&c->gates[i], theta, s, 1);
  return VQE_OK;
}

vqe_status vqe_circuit_apply_gate(const vqe_circuit *c, size_t i, const double *theta, vqe_statevec *s,
                                  vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (st || (st = check_index(c, i, err))) return st;
  gate_apply(&c->gates[i], theta, s, 0);
  return VQE_OK;
}

vqe_status vqe_circuit_apply_gate_inverse(const vqe_circuit *c, size_t i, const double *theta,
                                          vqe_statevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (st || (st = check_index(c, i, err))) return st;
  gate_apply(&c->gates[i], theta, s, 1);
  return VQE_OK;
}

vqe_status vqe_circuit_apply_generator(const vqe_circuit *c, size_t i, int a, const double *theta,
                                       vqe_statevec *s, vqe_error *err)
{
  vqe_status st = check_run(c, theta, s, err);
  if (st || (st = check_index(c, i, err))) return st;
  const vqe_gate *g = &c->gates[i];
  const circ_row *r = circ_row_of(g->kind);
  if (a < 0 || a >= r->info.n_angles)
    return vqe_error_set(err, VQE_ERR_INPUT, "gate %zu (%s) has no angle %d (it has %d)", i, r->info.name, a,
                         r->info.n_angles);
  double v[3];
  circ_prim f[4];
  int amap[4];
  circ_gate_values(g, theta, v);
  const int nf = circ_prims(g, v, f, amap);
  int j = 0;
  while (j < nf && amap[j] != a) j++;
  const int n = s->n_qubits, par = SV_PAR(n);
  /* G̃ = F_m⋯F_{j+1} G_j (F_m⋯F_{j+1})^† */
  for (int k = nf - 1; k > j; k--) circ_prim_apply_inverse(&f[k], s->amp, n, par);
  st = circ_row_of(f[j].kind)->generator(&f[j], s->amp, n, par, err);
  if (st) return st;
  for (int k = j + 1; k < nf; k++) circ_prim_apply(&f[k], s->amp, n, par);
  return VQE_OK;
}

vqe_status vqe_circuit_apply_derivative(const vqe_circuit *c, size_t i, int a, const double *theta,
                                        vqe_statevec *s, vqe_error *err)
{
  vqe_status st = vqe_circuit_apply_generator(c, i, a, theta, s, err);
  if (st) return st;
  sv_k_scale(s->amp, s->dim, -I, SV_PAR(s->n_qubits));
  return VQE_OK;
}

/* ---- text and counts ------------------------------------------------------------------------------ */

typedef struct { char *buf; size_t len, cap; int fail; } sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;
static void sb_printf(sbuf *b, const char *fmt, ...)
{
  if (b->fail) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    const int w = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (w < 0) { b->fail = 1; return; }
    if ((size_t)w < b->cap - b->len) { b->len += (size_t)w; return; }
    size_t cap = 2 * b->cap + (size_t)w + 64;
    char *nb = realloc(b->buf, cap);
    if (!nb) { b->fail = 1; return; }
    b->buf = nb;
    b->cap = cap;
  }
}

char *vqe_circuit_to_text(const vqe_circuit *c, const double *theta)
{
  sbuf b = { malloc(256), 0, 256, 0 };
  if (!b.buf) return NULL;
  b.buf[0] = '\0';
  for (size_t i = 0; i < c->n_gates; i++) {
    const vqe_gate *g = &c->gates[i];
    const circ_row *r = circ_row_of(g->kind);
    char qs[128] = "";
    size_t ql = 0;
    if (g->kind == VQE_GATE_PAULI_ROT) {
      for (int q = 0; q < 64 && ql + 8 < sizeof qs; q++) {
        const int x = (int)(g->x >> q & 1), z = (int)(g->z >> q & 1);
        if (!x && !z) continue;
        ql += (size_t)snprintf(qs + ql, sizeof qs - ql, "%s%c%d", ql ? " " : "", x && z ? 'Y' : x ? 'X' : 'Z', q);
      }
    } else {
      for (int j = 0; j < r->info.n_qubits; j++)
        ql += (size_t)snprintf(qs + ql, sizeof qs - ql, "%sq%d", j ? "," : "", g->q[j]);
      if (g->kind == VQE_GATE_SPIN_DOUBLE && g->x)
        ql += (size_t)snprintf(qs + ql, sizeof qs - ql, " parts 0x%llx", (unsigned long long)g->x);
    }
    sb_printf(&b, "%4zu %-13s %-14s", i, r->info.name, qs);
    for (int a = 0; a < r->info.n_angles; a++) {
      const vqe_angle *an = &g->angle[a];
      if (an->param >= 0) {
        sb_printf(&b, " %s", a ? "; " : "");
        if (an->coeff != 1.0) sb_printf(&b, "%g*", an->coeff);
        sb_printf(&b, "theta[%d]", an->param);
        if (an->offset != 0.0) sb_printf(&b, "%+g", an->offset);
        if (theta) sb_printf(&b, " = %.10f", vqe_circuit_angle(c, i, a, theta));
      } else {
        sb_printf(&b, " %s%.10f", a ? "; " : "", an->offset);
      }
    }
    sb_printf(&b, "\n");
  }
  if (b.fail) { free(b.buf); return NULL; }
  return b.buf;
}

void vqe_circuit_get_stats(const vqe_circuit *c, vqe_circuit_stats *st)
{
  memset(st, 0, sizeof *st);
  size_t t[64] = { 0 };
  for (size_t i = 0; i < c->n_gates; i++) {
    const vqe_gate *g = &c->gates[i];
    const circ_row *r = circ_row_of(g->kind);
    const uint64_t m = circ_gate_support(g);
    const int k = __builtin_popcountll(m);
    if (k == 1) st->n_1q++;
    else if (k == 2) st->n_2q++;
    else st->n_multi++;
    for (int a = 0; a < r->info.n_angles; a++)
      if (g->angle[a].param >= 0) { st->n_param_gates++; break; }
    size_t start = 0;
    for (int q = 0; q < 64; q++)
      if ((m >> q & 1) && t[q] > start) start = t[q];
    for (int q = 0; q < 64; q++)
      if (m >> q & 1) t[q] = start + 1;
    if (start + 1 > st->depth) st->depth = start + 1;
  }
  st->n_gates = c->n_gates;
}
