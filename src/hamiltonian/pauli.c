/* pauli.c — growing, sorting and merging Pauli sums (see pauli.h). Used by the Jordan–Wigner builder
 * and by tests that make synthetic operators. */
#include "vqe/pauli.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vqe_pauli_sum_init(vqe_pauli_sum *s, int n_qubits)
{
  memset(s, 0, sizeof *s);
  s->n_qubits = n_qubits;
}

void vqe_pauli_sum_free(vqe_pauli_sum *s)
{
  if (!s) return;
  free(s->terms);
  s->terms = NULL;
  s->n_terms = s->capacity = 0;
}

vqe_status vqe_pauli_sum_add(vqe_pauli_sum *s, uint64_t x, uint64_t z, double coeff, vqe_error *err)
{
  if (s->n_terms == s->capacity) {
    size_t cap = s->capacity ? 2 * s->capacity : 64;
    vqe_pauli_term *t = realloc(s->terms, cap * sizeof *t);
    if (!t) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory growing a Pauli sum to %zu terms", cap);
    s->terms = t;
    s->capacity = cap;
  }
  s->terms[s->n_terms++] = (vqe_pauli_term){ x, z, coeff };
  return VQE_OK;
}

static int cmp_term(const void *a, const void *b)
{
  const vqe_pauli_term *p = a, *q = b;
  if (p->x != q->x) return p->x < q->x ? -1 : 1;
  if (p->z != q->z) return p->z < q->z ? -1 : 1;
  return 0;
}

void vqe_pauli_sum_simplify(vqe_pauli_sum *s, double cutoff)
{
  if (s->n_terms == 0) return;
  qsort(s->terms, s->n_terms, sizeof *s->terms, cmp_term);
  size_t w = 0;
  for (size_t r = 0; r < s->n_terms;) {
    vqe_pauli_term t = s->terms[r];
    size_t k = r + 1;
    while (k < s->n_terms && s->terms[k].x == t.x && s->terms[k].z == t.z) t.coeff += s->terms[k++].coeff;
    if (fabs(t.coeff) >= cutoff) s->terms[w++] = t;
    r = k;
  }
  s->n_terms = w;
}

size_t vqe_pauli_sum_n_xgroups(const vqe_pauli_sum *s)
{
  size_t g = 0;
  for (size_t i = 0; i < s->n_terms; i++)
    if (i == 0 || s->terms[i].x != s->terms[i - 1].x) g++;
  return g;
}

double vqe_pauli_sum_one_norm(const vqe_pauli_sum *s)
{
  double n = 0;
  for (size_t i = 0; i < s->n_terms; i++) n += fabs(s->terms[i].coeff);
  return n;
}

double vqe_pauli_sum_identity(const vqe_pauli_sum *s)
{
  double c = 0;
  for (size_t i = 0; i < s->n_terms; i++)
    if (s->terms[i].x == 0 && s->terms[i].z == 0) c += s->terms[i].coeff;
  return c;
}
