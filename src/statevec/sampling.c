/* sampling.c — computational-basis shots from a state and the shot estimate of ⟨H⟩ by qubit-wise
 * commuting groups, so users see shot noise next to the exact energy. Called by the VQE driver's
 * --shots mode and the tests. */
#include "statevec/sv_internal.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double u; size_t k; } draw;

static int cmp_draw(const void *a, const void *b)
{
  const draw *p = a, *q = b;
  return (p->u > q->u) - (p->u < q->u);
}

vqe_status vqe_statevec_sample(const vqe_statevec *s, size_t shots, vqe_rng *rng, uint64_t *out,
                               vqe_error *err)
{
  if (!s || !s->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  if (shots == 0) return VQE_OK;
  const double norm = vqe_statevec_norm2(s);
  if (!(norm > 0))
    return vqe_error_set(err, VQE_ERR_COMPUTE, "cannot sample from a state of norm %g", norm);
  draw *d = malloc(shots * sizeof *d);
  if (!d) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %zu shots", shots);
  for (size_t k = 0; k < shots; k++) d[k] = (draw){ vqe_rng_uniform(rng) * norm, k };
  qsort(d, shots, sizeof *d, cmp_draw);
  /* One sweep of the cumulative distribution against the sorted draws. */
  double cum = 0;
  uint64_t last_nz = 0;
  size_t k = 0;
  for (uint64_t b = 0; b < s->dim && k < shots; b++) {
    const double p = creal(s->amp[b]) * creal(s->amp[b]) + cimag(s->amp[b]) * cimag(s->amp[b]);
    if (p == 0) continue;
    last_nz = b;
    cum += p;
    while (k < shots && d[k].u < cum) out[d[k++].k] = b;
  }
  while (k < shots) out[d[k++].k] = last_nz;   /* rounding at the top end */
  free(d);
  return VQE_OK;
}

vqe_status vqe_statevec_qwc_groups(const vqe_pauli_sum *h, size_t *group_of_term, size_t *n_groups,
                                   vqe_error *err)
{
  const size_t nt = h->n_terms;
  uint64_t *gx = malloc((nt + 1) * sizeof *gx), *gz = malloc((nt + 1) * sizeof *gz),
           *gm = malloc((nt + 1) * sizeof *gm);
  if (!gx || !gz || !gm) {
    free(gx); free(gz); free(gm);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory grouping %zu Pauli terms", nt);
  }
  size_t ng = 0;
  for (size_t t = 0; t < nt; t++) {
    const uint64_t x = h->terms[t].x, z = h->terms[t].z, m = x | z;
    if (m == 0) { group_of_term[t] = SIZE_MAX; continue; }   /* identity: placed below */
    size_t g = 0;
    for (; g < ng; g++) {
      const uint64_t common = m & gm[g];
      if (((x ^ gx[g]) & common) == 0 && ((z ^ gz[g]) & common) == 0) break;
    }
    if (g == ng) { gx[g] = gz[g] = gm[g] = 0; ng++; }
    gx[g] |= x;
    gz[g] |= z;
    gm[g] |= m;
    group_of_term[t] = g;
  }
  if (ng == 0 && nt > 0) ng = 1;   /* only the identity: one (trivial) group */
  for (size_t t = 0; t < nt; t++)
    if (group_of_term[t] == SIZE_MAX) group_of_term[t] = 0;
  free(gx); free(gz); free(gm);
  *n_groups = ng;
  return VQE_OK;
}

vqe_status vqe_statevec_estimate_shots(const vqe_statevec *s, const vqe_pauli_sum *h,
                                       size_t shots_per_group, vqe_rng *rng, vqe_shot_estimate *out,
                                       vqe_error *err)
{
  memset(out, 0, sizeof *out);
  if (!s || !s->amp)
    return vqe_error_set(err, VQE_ERR_INPUT, "state vector is not initialised (use vqe_statevec_init)");
  if (h->n_qubits != s->n_qubits)
    return vqe_error_set(err, VQE_ERR_INPUT, "Pauli sum on %d qubits measured on a state of %d qubits",
                         h->n_qubits, s->n_qubits);
  if (shots_per_group < 2)
    return vqe_error_set(err, VQE_ERR_INPUT, "%zu shots per group give no standard error (allowed: 2 or more)",
                         shots_per_group);
  const size_t nt = h->n_terms;
  size_t *grp = malloc((nt + 1) * sizeof *grp);
  uint64_t *outc = malloc(shots_per_group * sizeof *outc);
  double *val = malloc(shots_per_group * sizeof *val);
  if (!grp || !outc || !val) {
    free(grp); free(outc); free(val);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %zu shots", shots_per_group);
  }
  size_t ng = 0;
  vqe_status st = vqe_statevec_qwc_groups(h, grp, &ng, err);
  vqe_statevec tmp = { 0, 0, NULL };
  if (!st) st = vqe_statevec_init(&tmp, s->n_qubits, err);
  if (st) { free(grp); free(outc); free(val); return st; }

  double est = vqe_pauli_sum_identity(h), var = 0;
  size_t measured = 0;
  const double r2 = 1.0 / sqrt(2.0);
  const vqe_complex Hm[4] = { r2, r2, r2, -r2 }, Sdg[4] = { 1, 0, 0, -I };
  const int n = s->n_qubits, par = SV_PAR(n);
  for (size_t g = 0; g < ng && !st; g++) {
    uint64_t bx = 0, by = 0, any = 0;
    for (size_t t = 0; t < nt; t++) {
      const vqe_pauli_term *pt = &h->terms[t];
      if (grp[t] != g || (pt->x | pt->z) == 0) continue;
      bx |= pt->x & ~pt->z;
      by |= pt->x & pt->z;
      any = 1;
    }
    if (!any) continue;
    vqe_statevec_copy(&tmp, s, NULL);
    for (int q = 0; q < n; q++) {
      if (by >> q & 1) { sv_k_1q(tmp.amp, n, q, Sdg, par); sv_k_1q(tmp.amp, n, q, Hm, par); }
      else if (bx >> q & 1) sv_k_1q(tmp.amp, n, q, Hm, par);
    }
    if ((st = vqe_statevec_sample(&tmp, shots_per_group, rng, outc, err))) break;
    for (size_t k = 0; k < shots_per_group; k++) val[k] = 0;
    for (size_t t = 0; t < nt; t++) {
      const vqe_pauli_term *pt = &h->terms[t];
      const uint64_t m = pt->x | pt->z;
      if (grp[t] != g || m == 0) continue;
      for (size_t k = 0; k < shots_per_group; k++)
        val[k] += sv_parity(outc[k] & m) ? -pt->coeff : pt->coeff;
    }
    double mean = 0, ss = 0;
    for (size_t k = 0; k < shots_per_group; k++) mean += val[k];
    mean /= (double)shots_per_group;
    for (size_t k = 0; k < shots_per_group; k++) ss += (val[k] - mean) * (val[k] - mean);
    est += mean;
    var += ss / (double)(shots_per_group - 1) / (double)shots_per_group;
    measured++;
  }
  vqe_statevec_free(&tmp);
  free(grp); free(outc); free(val);
  if (st) return st;
  out->estimate = est;
  out->std_error = sqrt(var);
  out->n_groups = measured;
  out->total_shots = measured * shots_per_group;
  return VQE_OK;
}
