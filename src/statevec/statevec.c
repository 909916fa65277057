/* statevec.c — state life cycle, memory checks, vector arithmetic and the validated public gate
 * entry points of statevec.h (the kernels themselves are in kernels.c). */
#include "statevec/sv_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SV_MEMCHECK_MIN_BYTES (UINT64_C(4) << 20)

uint64_t vqe_statevec_bytes(int n_qubits, int n_vectors)
{
  if (n_qubits < 0 || n_vectors < 0) return 0;
  if (n_qubits > 58) return UINT64_MAX;
  const uint64_t one = (UINT64_C(16) << n_qubits);
  if (n_vectors && one > UINT64_MAX / (uint64_t)n_vectors) return UINT64_MAX;
  return one * (uint64_t)n_vectors;
}

int vqe_statevec_max_qubits(int n_vectors)
{
  const uint64_t avail = vqe_mem_available();
  if (avail == 0) return VQE_STATEVEC_MAX_QUBITS;
  if (n_vectors < 1) n_vectors = 1;
  int best = -1;
  for (int n = 1; n <= VQE_STATEVEC_MAX_QUBITS; n++)
    if (vqe_statevec_bytes(n, n_vectors) <= avail) best = n;
  return best;
}

vqe_status vqe_statevec_check_memory(int n_qubits, int n_vectors, vqe_error *err)
{
  if (n_qubits < 1 || n_qubits > VQE_STATEVEC_MAX_QUBITS)
    return vqe_error_set(err, VQE_ERR_INPUT, "a state of %d qubits is not supported (allowed: 1 to %d)",
                         n_qubits, VQE_STATEVEC_MAX_QUBITS);
  if (n_vectors < 1) n_vectors = 1;
  const uint64_t need = vqe_statevec_bytes(n_qubits, n_vectors);
  /* Below SV_MEMCHECK_MIN_BYTES no query of /proc (small states are made and freed often, e.g. by
   * tests and sector solvers); an explicit VQE_MEMORY_LIMIT is always honoured. */
  const char *lim = getenv("VQE_MEMORY_LIMIT");
  if (need < SV_MEMCHECK_MIN_BYTES && !(lim && *lim)) return VQE_OK;
  const uint64_t avail = vqe_mem_available();
  if (avail == 0 || need <= avail) return VQE_OK;
  char a[32], b[32], what[256];
  const int fit = vqe_statevec_max_qubits(n_vectors);
  snprintf(what, sizeof what, "%d state vector%s of %d qubits (16 B x 2^%d each)", n_vectors,
           n_vectors == 1 ? "" : "s", n_qubits, n_qubits);
  if (fit >= 1)
    return vqe_error_set(err, VQE_ERR_RESOURCE,
                         "%s need%s %s but only %s is available; the largest that fits is n = %d qubits",
                         what, n_vectors == 1 ? "s" : "", vqe_format_bytes(need, a), vqe_format_bytes(avail, b), fit);
  return vqe_error_set(err, VQE_ERR_RESOURCE, "%s need%s %s but only %s is available; not even 1 qubit fits",
                       what, n_vectors == 1 ? "s" : "", vqe_format_bytes(need, a), vqe_format_bytes(avail, b));
}

vqe_status vqe_statevec_init_many(vqe_statevec *s, int count, int n_qubits, vqe_error *err)
{
  for (int i = 0; i < count; i++) memset(&s[i], 0, sizeof s[i]);
  vqe_status st = vqe_statevec_check_memory(n_qubits, count, err);
  if (st) return st;
  const uint64_t dim = UINT64_C(1) << n_qubits;
  for (int i = 0; i < count; i++) {
    s[i].amp = sv_split_alloc(sizeof(vqe_complex) * (size_t)dim);   /* large states: far gates can split them */
    if (!s[i].amp) s[i].amp = vqe_aligned_alloc((size_t)dim, sizeof(vqe_complex));
    if (!s[i].amp) {
      for (int j = 0; j < i; j++) vqe_statevec_free(&s[j]);
      char a[32];
      return vqe_error_set(err, VQE_ERR_RESOURCE, "allocating a state vector of %d qubits (%s) failed",
                           n_qubits, vqe_format_bytes(vqe_statevec_bytes(n_qubits, 1), a));
    }
    s[i].n_qubits = n_qubits;
    s[i].dim = dim;
    vqe_complex *a = s[i].amp;
    const int par = SV_PAR(n_qubits);
#pragma omp parallel for schedule(static) if (par)
    for (int64_t b = 0; b < (int64_t)dim; b++) a[b] = 0;   /* first touch by the threads that use it */
    a[0] = 1;
  }
  return VQE_OK;
}

vqe_status vqe_statevec_init(vqe_statevec *s, int n_qubits, vqe_error *err)
{
  return vqe_statevec_init_many(s, 1, n_qubits, err);
}

void vqe_statevec_free(vqe_statevec *s)
{
  if (!s) return;
  if (!sv_split_free(s->amp)) vqe_free(s->amp);
  s->amp = NULL;
  s->dim = 0;
  s->n_qubits = 0;
}

vqe_status vqe_statevec_set_basis(vqe_statevec *s, uint64_t b, vqe_error *err)
{
  if (b >= s->dim)
    return vqe_error_set(err, VQE_ERR_INPUT, "basis state %llu is outside a register of %d qubits (allowed: 0 to %llu)",
                         (unsigned long long)b, s->n_qubits, (unsigned long long)(s->dim - 1));
  const int par = SV_PAR(s->n_qubits);
  vqe_complex *a = s->amp;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < (int64_t)s->dim; i++) a[i] = 0;
  a[b] = 1;
  return VQE_OK;
}

void vqe_statevec_set_random(vqe_statevec *s, vqe_rng *rng)
{
  /* Serial: the numbers depend on the generator alone. */
  for (uint64_t i = 0; i < s->dim; i++) {
    const double re = vqe_rng_normal(rng), im = vqe_rng_normal(rng);
    s->amp[i] = CMPLX(re, im);
  }
  vqe_statevec_normalize(s);
}

vqe_status vqe_statevec_copy(vqe_statevec *dst, const vqe_statevec *src, vqe_error *err)
{
  if (dst->n_qubits != src->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "cannot copy a state of %d qubits into one of %d qubits",
                         src->n_qubits, dst->n_qubits);
  const int par = SV_PAR(src->n_qubits);
  vqe_complex *d = dst->amp;
  const vqe_complex *a = src->amp;
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < (int64_t)src->dim; i++) d[i] = a[i];
  return VQE_OK;
}

/* Fixed-order chunked reductions (see SV_REDUCE_CHUNK_QUBITS). */
static int n_chunks(int n, int *cq)
{
  *cq = n < SV_REDUCE_CHUNK_QUBITS ? n : SV_REDUCE_CHUNK_QUBITS;
  return 1 << (n - *cq);
}

double vqe_statevec_norm2(const vqe_statevec *s)
{
  int cq;
  const int nc = n_chunks(s->n_qubits, &cq);
  double *part = malloc((size_t)nc * sizeof *part);
  const vqe_complex *a = s->amp;
  const int par = SV_PAR(s->n_qubits);
#pragma omp parallel for schedule(static) if (par)
  for (int c = 0; c < nc; c++) {
    double acc = 0;
    const uint64_t lo = (uint64_t)c << cq, hi = lo + (UINT64_C(1) << cq);
    for (uint64_t b = lo; b < hi; b++) acc += creal(a[b]) * creal(a[b]) + cimag(a[b]) * cimag(a[b]);
    part[c] = acc;
  }
  double t = 0;
  for (int c = 0; c < nc; c++) t += part[c];
  free(part);
  return t;
}

void vqe_statevec_normalize(vqe_statevec *s)
{
  const double nn = vqe_statevec_norm2(s);
  if (nn > 0) sv_k_scale(s->amp, s->dim, 1.0 / sqrt(nn), SV_PAR(s->n_qubits));
}

vqe_complex vqe_statevec_inner(const vqe_statevec *x, const vqe_statevec *y)
{
  int cq;
  const int nc = n_chunks(x->n_qubits, &cq);
  double *part = malloc(2 * (size_t)nc * sizeof *part);
  const vqe_complex *a = x->amp, *b = y->amp;
  const int par = SV_PAR(x->n_qubits);
#pragma omp parallel for schedule(static) if (par)
  for (int c = 0; c < nc; c++) {
    double re = 0, im = 0;
    const uint64_t lo = (uint64_t)c << cq, hi = lo + (UINT64_C(1) << cq);
    for (uint64_t i = lo; i < hi; i++) {
      const double ar = creal(a[i]), ai = cimag(a[i]), br = creal(b[i]), bi = cimag(b[i]);
      re += ar * br + ai * bi;
      im += ar * bi - ai * br;
    }
    part[2 * c] = re;
    part[2 * c + 1] = im;
  }
  double re = 0, im = 0;
  for (int c = 0; c < nc; c++) { re += part[2 * c]; im += part[2 * c + 1]; }
  free(part);
  return CMPLX(re, im);
}

void vqe_statevec_scale(vqe_statevec *s, vqe_complex alpha)
{
  sv_k_scale(s->amp, s->dim, alpha, SV_PAR(s->n_qubits));
}

void vqe_statevec_axpy(vqe_complex alpha, const vqe_statevec *x, vqe_statevec *y)
{
  const vqe_complex *a = x->amp;
  vqe_complex *b = y->amp;
  const int par = SV_PAR(x->n_qubits);
#pragma omp parallel for schedule(static) if (par)
  for (int64_t i = 0; i < (int64_t)x->dim; i++) b[i] += sv_cmul(alpha, a[i]);
}

/* ---- validated gate entry points ------------------------------------------------------------------ */

vqe_status sv_check_qubit(int n, int q, const char *what, vqe_error *err)
{
  if (q < 0 || q >= n)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s qubit %d is outside a register of %d qubits (allowed: 0 to %d)",
                         what, q, n, n - 1);
  return VQE_OK;
}

static vqe_status check_state(const vqe_statevec *s, vqe_error *err)
{
  if (!s || !s->amp || s->n_qubits < 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  return VQE_OK;
}

/* Distinct qubits, each in range. */
static vqe_status check_qubits(const vqe_statevec *s, int k, const int *qs, vqe_error *err)
{
  vqe_status st = check_state(s, err);
  if (st) return st;
  for (int j = 0; j < k; j++) {
    if ((st = sv_check_qubit(s->n_qubits, qs[j], "gate", err))) return st;
    for (int i = 0; i < j; i++)
      if (qs[i] == qs[j])
        return vqe_error_set(err, VQE_ERR_INPUT, "qubit %d appears twice in one gate (qubits must be distinct)", qs[j]);
  }
  return VQE_OK;
}

static vqe_status check_mask(const vqe_statevec *s, uint64_t mask, const char *what, vqe_error *err)
{
  vqe_status st = check_state(s, err);
  if (st) return st;
  if (s->n_qubits < 64 && (mask >> s->n_qubits))
    return vqe_error_set(err, VQE_ERR_INPUT, "%s mask 0x%llx reaches beyond a register of %d qubits",
                         what, (unsigned long long)mask, s->n_qubits);
  return VQE_OK;
}

vqe_status vqe_statevec_apply_1q(vqe_statevec *s, int q, const vqe_complex m[4], vqe_error *err)
{
  vqe_status st = check_qubits(s, 1, &q, err);
  if (st) return st;
  sv_k_1q(s->amp, s->n_qubits, q, m, SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_controlled_1q(vqe_statevec *s, uint64_t controls, int q,
                                            const vqe_complex m[4], vqe_error *err)
{
  vqe_status st = check_qubits(s, 1, &q, err);
  if (st || (st = check_mask(s, controls, "control", err))) return st;
  if (controls >> q & 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "target qubit %d is also a control (controls must differ from the target)", q);
  sv_k_c1q(s->amp, s->n_qubits, controls, q, m, SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_2q(vqe_statevec *s, int q0, int q1, const vqe_complex m[16], vqe_error *err)
{
  const int qs[2] = { q0, q1 };
  vqe_status st = check_qubits(s, 2, qs, err);
  if (st) return st;
  sv_k_dense(s->amp, s->n_qubits, 2, qs, m, SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_dense(vqe_statevec *s, int k, const int *qubits, const vqe_complex *m,
                                    vqe_error *err)
{
  if (k < 1 || k > 6)
    return vqe_error_set(err, VQE_ERR_INPUT, "dense gate on %d qubits (allowed: 1 to 6)", k);
  vqe_status st = check_qubits(s, k, qubits, err);
  if (st) return st;
  if (k > s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "dense gate on %d qubits exceeds the register of %d", k, s->n_qubits);
  sv_k_dense(s->amp, s->n_qubits, k, qubits, m, SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_pauli(vqe_statevec *s, uint64_t x, uint64_t z, vqe_error *err)
{
  vqe_status st = check_mask(s, x | z, "Pauli", err);
  if (st) return st;
  sv_k_pauli(s->amp, s->n_qubits, x, z, SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_pauli_rotation(vqe_statevec *s, uint64_t x, uint64_t z, double theta,
                                             vqe_error *err)
{
  vqe_status st = check_mask(s, x | z, "Pauli", err);
  if (st) return st;
  sv_k_pauli_comb(s->amp, s->n_qubits, x, z, cos(0.5 * theta), CMPLX(0.0, -sin(0.5 * theta)),
                  SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_fermi_single(vqe_statevec *s, int p, int q, double theta, vqe_error *err)
{
  const int qs[2] = { p, q };
  vqe_status st = check_qubits(s, 2, qs, err);
  if (st) return st;
  uint64_t zero, one, smask;
  int sign0;
  sv_fermi_single_masks(p, q, &zero, &one, &smask, &sign0);
  sv_k_pair_rot(s->amp, s->n_qubits, zero, one, smask, sign0, cos(theta), sin(theta), SV_PAR(s->n_qubits));
  return VQE_OK;
}

vqe_status vqe_statevec_apply_fermi_double(vqe_statevec *s, int p, int q, int r, int t, double theta,
                                           vqe_error *err)
{
  const int qs[4] = { p, q, r, t };
  vqe_status st = check_qubits(s, 4, qs, err);
  if (st) return st;
  uint64_t zero, one, smask;
  int sign0;
  sv_fermi_double_masks(p, q, r, t, &zero, &one, &smask, &sign0);
  sv_k_pair_rot(s->amp, s->n_qubits, zero, one, smask, sign0, cos(theta), sin(theta), SV_PAR(s->n_qubits));
  return VQE_OK;
}
