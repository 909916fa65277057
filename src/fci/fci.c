/* fci.c — determinant FCI/CASCI by Davidson (see fci.h). Called by the `fci` and `hamiltonian`
 * commands, the VQE driver and the tests.
 *
 * Sigma build (Knowles–Handy): with E_pq = Σ_σ a†_pσ a_qσ,
 *   H − E_core = Σ_pq k_pq E_pq + ½ Σ_pqrs (pq|rs) E_pq E_rs,   k_pq = h_pq − ½ Σ_r (pr|rq),
 *   D[K,rs] = Σ_J ⟨K|E_rs|J⟩ c_J,   G[K,pq] = Σ_rs (pq|rs) D[K,rs]   (one dgemm),
 *   σ_I = Σ_K Σ_pq ⟨I|E_pq|K⟩ (½ G[K,pq] + k_pq c_K).
 * (pq|rs) is symmetric in p↔q, so D is folded onto packed pairs (D[K,rs] + D[K,sr]) and G is only
 * needed on packed pairs: both arrays are n_det x norb(norb+1)/2. Both gathers run over determinants
 * with the α string outermost, so each thread writes only its own rows (no atomics). */
#include "vqe/fci.h"
#include "fci_internal.h"
#include "vqe_config.h"
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Below this many determinants the solver diagonalises the dense matrix (built column by column from
 * sigma), which is both faster and immune to Davidson start-vector issues. */
#define FCI_DENSE_MAX 64
/* The determinant loops go parallel only above this much work (determinants x orbital pairs): below
 * it a sweep takes well under a millisecond and thread wake-ups cost more than they save, badly so on
 * a loaded machine. */
#if VQE_TEST_BUILD
#define FCI_OMP_MIN_WORK 0   /* the test build runs every loop in parallel */
#else
#define FCI_OMP_MIN_WORK 4000000
#endif
/* Rows of D per dgemm block when turning D into G in place. */
#define FCI_GEMM_BLOCK 2048

void vqe_fci_options_default(vqe_fci_options *o)
{
  o->e_conv = 1e-10;
  o->r_conv = 1e-6;
  o->max_iter = 200;
  o->max_subspace = 24;
  o->verbose = 0;
}

static size_t binom(int n, int k)
{
  if (k < 0 || k > n) return 0;
  if (k > n - k) k = n - k;
  size_t r = 1;
  for (int i = 1; i <= k; i++) {
    if (r > SIZE_MAX / (size_t)(n - k + i)) return SIZE_MAX;
    r = r * (size_t)(n - k + i) / (size_t)i;
  }
  return r;
}

size_t vqe_fci_n_determinants(int norb, int n_alpha, int n_beta)
{
  size_t a = binom(norb, n_alpha), b = binom(norb, n_beta);
  if (a == 0 || b == 0) return 0;
  if (a > SIZE_MAX / b) return SIZE_MAX;
  return a * b;
}

uint64_t vqe_fci_string(int norb, int nel, size_t idx)
{
  /* Unrank in the combinatorial number system: the largest c with C(c, k) <= idx is the k-th bit. */
  uint64_t m = 0;
  for (int k = nel; k >= 1; k--) {
    int c = k - 1;
    while (c + 1 < norb && binom(c + 1, k) <= idx) c++;
    idx -= binom(c, k);
    m |= 1ULL << c;
  }
  return m;
}

/* Rank of a mask among masks with the same popcount, in increasing numeric order (colex):
 * Σ_i C(c_i, i) over set bits c_1 < c_2 < … (i from 1). */
static size_t fci_rank(uint64_t m, const size_t *btab, int stride)
{
  size_t r = 0;
  int i = 1;
  while (m) {
    int c = __builtin_ctzll(m);
    r += btab[c * stride + i];
    i++;
    m &= m - 1;
  }
  return r;
}

static int parity_below(uint64_t m, int p)
{
  return __builtin_popcountll(m & ((1ULL << p) - 1)) & 1;
}

void fci_strings_free(fci_strings *s)
{
  if (!s) return;
  free(s->mask);
  free(s->ex);
  memset(s, 0, sizeof *s);
}

vqe_status fci_strings_build(int norb, int nel, fci_strings *s, vqe_error *err)
{
  memset(s, 0, sizeof *s);
  s->norb = norb;
  s->nel = nel;
  s->n = binom(norb, nel);
  s->n_ex = (size_t)nel * (size_t)(norb - nel + 1);
  s->mask = malloc((s->n ? s->n : 1) * sizeof *s->mask);
  s->ex = malloc((s->n * s->n_ex > 0 ? s->n * s->n_ex : 1) * sizeof *s->ex);
  size_t *btab = calloc((size_t)(norb + 1) * (size_t)(nel + 2), sizeof *btab);
  if (!s->mask || !s->ex || !btab) {
    free(btab);
    fci_strings_free(s);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %zu strings of %d electrons in %d orbitals",
                         binom(norb, nel), nel, norb);
  }
  int stride = nel + 2;
  for (int c = 0; c <= norb; c++)
    for (int i = 0; i <= nel + 1; i++) btab[c * stride + i] = binom(c, i);
  /* Gosper's hack enumerates masks with nel bits in increasing order. */
  uint64_t m = nel ? (1ULL << nel) - 1 : 0;
  for (size_t k = 0; k < s->n; k++) {
    s->mask[k] = m;
    if (m) {
      uint64_t c = m & -m, r = m + c;
      m = (((r ^ m) >> 2) / c) | r;
    }
  }
  for (size_t k = 0; k < s->n; k++) {
    uint64_t mk = s->mask[k];
    fci_excitation *e = s->ex + k * s->n_ex;
    size_t w = 0;
    for (int q = 0; q < norb; q++) {
      if (!(mk >> q & 1)) continue;
      uint64_t m1 = mk ^ (1ULL << q);
      int sq = parity_below(mk, q);
      for (int p = 0; p < norb; p++) {
        if (m1 >> p & 1) continue;
        uint64_t m2 = m1 | (1ULL << p);
        int sgn = sq ^ parity_below(m1, p);
        int hi = p > q ? p : q, lo = p > q ? q : p;
        e[w].pair = (uint32_t)(hi * (hi + 1) / 2 + lo);
        e[w].p = (uint16_t)p;
        e[w].q = (uint16_t)q;
        e[w].sign = sgn ? -1 : 1;
        e[w].target = (uint32_t)fci_rank(m2, btab, stride);
        w++;
      }
    }
  }
  free(btab);
  return VQE_OK;
}

/* Workspace shared by the sigma calls of one solve. */
typedef struct {
  const vqe_mo_hamiltonian *ham;
  int norb, npair;
  fci_strings a, b;
  size_t ndet;
  double *V;      /* npair x npair, (pq|rs) on packed pairs */
  double *kmat;   /* npair, k_pq on packed pairs */
  double *D;      /* ndet x npair */
  double *tmp;    /* FCI_GEMM_BLOCK x npair */
} fci_work;

static void fci_work_free(fci_work *w)
{
  fci_strings_free(&w->a);
  fci_strings_free(&w->b);
  free(w->V);
  free(w->kmat);
  vqe_free(w->D);
  free(w->tmp);
  memset(w, 0, sizeof *w);
}

static vqe_status fci_work_init(fci_work *w, const vqe_mo_hamiltonian *ham, vqe_error *err)
{
  memset(w, 0, sizeof *w);
  w->ham = ham;
  int n = ham->norb;
  w->norb = n;
  w->npair = n * (n + 1) / 2;
  size_t nd = vqe_fci_n_determinants(n, ham->n_alpha, ham->n_beta);
  if (nd == 0 || nd == SIZE_MAX || nd > (size_t)UINT32_MAX)
    return vqe_error_set(err, VQE_ERR_INPUT, "FCI space of %d orbitals with %d alpha and %d beta electrons has %s determinants",
                         n, ham->n_alpha, ham->n_beta, nd == 0 ? "no" : "too many");
  w->ndet = nd;
  uint64_t need = (uint64_t)nd * (uint64_t)w->npair * 8u + (uint64_t)nd * 8u * 60u;
  vqe_status st = vqe_mem_check(need, "FCI sigma build", "use a smaller active space (--active-orbitals)", err);
  if (st) return st;
  if ((st = fci_strings_build(n, ham->n_alpha, &w->a, err))) return st;
  if ((st = fci_strings_build(n, ham->n_beta, &w->b, err))) { fci_work_free(w); return st; }
  size_t np = (size_t)w->npair;
  w->V = malloc(np * np * sizeof *w->V);
  w->kmat = malloc(np * sizeof *w->kmat);
  w->D = vqe_aligned_alloc(nd * np, sizeof *w->D);
  w->tmp = malloc((size_t)FCI_GEMM_BLOCK * np * sizeof *w->tmp);
  if (!w->V || !w->kmat || !w->D || !w->tmp) {
    fci_work_free(w);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for the FCI sigma build (%zu determinants)", nd);
  }
  const double *eri = ham->eri;
  size_t n2 = (size_t)n * n, n3 = n2 * n;
  for (int p = 0; p < n; p++)
    for (int q = 0; q <= p; q++) {
      size_t pq = (size_t)p * (p + 1) / 2 + q;
      for (int r = 0; r < n; r++)
        for (int s = 0; s <= r; s++)
          w->V[pq * np + (size_t)r * (r + 1) / 2 + s] = eri[p * n3 + q * n2 + r * (size_t)n + s];
      double k = ham->h[p * n + q];
      for (int r = 0; r < n; r++) k -= 0.5 * eri[p * n3 + r * n2 + r * (size_t)n + q];
      w->kmat[pq] = k;
    }
  return VQE_OK;
}

/* sigma = (H − E_core) c. */
static void fci_sigma_work(fci_work *w, const double *c, double *sigma)
{
  const size_t na = w->a.n, nb = w->b.n, np = (size_t)w->npair;
  const size_t nexa = w->a.n_ex, nexb = w->b.n_ex;
  double *D = w->D;
  const int par = (double)w->ndet * (double)np >= FCI_OMP_MIN_WORK;
  /* D[K, pair(r,s)] = Σ_J ⟨K|E_rs + E_sr|J⟩ c_J (diagonal pairs once). An entry (p, q, J, sign) of
   * string K means a†_p a_q |K⟩ = sign |J⟩, i.e. ⟨K|E_qp|J⟩ = sign. */
#pragma omp parallel for schedule(dynamic, 4) if (par)
  for (size_t ka = 0; ka < na; ka++) {
    double *dblk = D + ka * nb * np;
    memset(dblk, 0, nb * np * sizeof *dblk);
    /* α excitations: the whole row block of ka at once, so C[ja, :] is read contiguously and D with a
     * constant stride (the α-row-at-a-time order keeps memory traffic streaming). */
    const fci_excitation *ea = w->a.ex + ka * nexa;
    for (size_t x = 0; x < nexa; x++) {
      const double sg = ea[x].sign;
      const double *cj = c + (size_t)ea[x].target * nb;
      double *dp = dblk + ea[x].pair;
      for (size_t kb = 0; kb < nb; kb++) dp[kb * np] += sg * cj[kb];
    }
    const double *crow = c + ka * nb;
    for (size_t kb = 0; kb < nb; kb++) {
      double *d = dblk + kb * np;
      const fci_excitation *eb = w->b.ex + kb * nexb;
      for (size_t x = 0; x < nexb; x++) d[eb[x].pair] += eb[x].sign * crow[eb[x].target];
    }
  }
  /* W[K,pq] = ½ Σ_rs (pq|rs) D[K,rs] + k_pq c_K, in place block by block. */
  const size_t nd = w->ndet;
  for (size_t k0 = 0; k0 < nd; k0 += FCI_GEMM_BLOCK) {
    size_t rows = nd - k0 < FCI_GEMM_BLOCK ? nd - k0 : FCI_GEMM_BLOCK;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)np, (int)np, 0.5,
                D + k0 * np, (int)np, w->V, (int)np, 0.0, w->tmp, (int)np);
    for (size_t r = 0; r < rows; r++) {
      double ck = c[k0 + r];
      double *dst = D + (k0 + r) * np;
      const double *src = w->tmp + r * np;
      for (size_t j = 0; j < np; j++) dst[j] = src[j] + w->kmat[j] * ck;
    }
  }
  /* σ_I = Σ_K Σ_pq ⟨I|E_pq|K⟩ W[K,pq]: entry (p, q, K, sign) of I gives ⟨K|E_pq|I⟩ = ⟨I|E_qp|K⟩. */
#pragma omp parallel for schedule(dynamic, 4) if (par)
  for (size_t ia = 0; ia < na; ia++) {
    double *srow = sigma + ia * nb;
    const double *drow = D + ia * nb * np;
    for (size_t ib = 0; ib < nb; ib++) {
      double s = 0;
      const fci_excitation *eb = w->b.ex + ib * nexb;
      for (size_t x = 0; x < nexb; x++) s += eb[x].sign * drow[(size_t)eb[x].target * np + eb[x].pair];
      srow[ib] = s;
    }
    const fci_excitation *ea = w->a.ex + ia * nexa;
    for (size_t x = 0; x < nexa; x++) {
      const double sg = ea[x].sign;
      const double *wp = D + (size_t)ea[x].target * nb * np + ea[x].pair;
      for (size_t ib = 0; ib < nb; ib++) srow[ib] += sg * wp[ib * np];
    }
  }
}

vqe_status vqe_fci_sigma(const vqe_mo_hamiltonian *ham, const double *c, double *sigma, vqe_error *err)
{
  fci_work w;
  vqe_status st = fci_work_init(&w, ham, err);
  if (st) return st;
  fci_sigma_work(&w, c, sigma);
  fci_work_free(&w);
  return VQE_OK;
}

/* Diagonal ⟨I|H − E_core|I⟩. */
static void fci_diagonal(const fci_work *w, double *diag)
{
  const int n = w->norb;
  const size_t n2 = (size_t)n * n, n3 = n2 * n;
  const double *h = w->ham->h, *eri = w->ham->eri;
  double *J = malloc(n2 * sizeof *J), *K = malloc(n2 * sizeof *K);
  for (int p = 0; p < n; p++)
    for (int q = 0; q < n; q++) {
      J[p * n + q] = eri[p * n3 + p * n2 + q * (size_t)n + q];
      K[p * n + q] = eri[p * n3 + q * n2 + q * (size_t)n + p];
    }
  const size_t nb = w->b.n;
#pragma omp parallel for schedule(static) if ((double)w->ndet * n * n >= FCI_OMP_MIN_WORK)
  for (size_t ia = 0; ia < w->a.n; ia++) {
    uint64_t ma = w->a.mask[ia];
    for (size_t ib = 0; ib < nb; ib++) {
      uint64_t mb = w->b.mask[ib];
      double e = 0;
      for (int p = 0; p < n; p++) {
        int pa = (int)(ma >> p & 1), pb = (int)(mb >> p & 1);
        if (!pa && !pb) continue;
        e += (pa + pb) * h[p * n + p];
        for (int q = 0; q < n; q++) {
          int qa = (int)(ma >> q & 1), qb = (int)(mb >> q & 1);
          e += 0.5 * (pa * qa + pb * qb) * (J[p * n + q] - K[p * n + q]) + pa * qb * J[p * n + q];
        }
      }
      diag[ia * nb + ib] = e;
    }
  }
  free(J);
  free(K);
}

void vqe_fci_result_free(vqe_fci_result *res)
{
  if (!res) return;
  vqe_free(res->ci);
  res->ci = NULL;
}

static void fix_phase(double *c, size_t n)
{
  size_t imax = 0;
  for (size_t i = 1; i < n; i++)
    if (fabs(c[i]) > fabs(c[imax])) imax = i;
  if (c[imax] < 0)
    for (size_t i = 0; i < n; i++) c[i] = -c[i];
}

static vqe_status fci_dense(fci_work *w, vqe_fci_result *res, vqe_error *err)
{
  size_t nd = w->ndet;
  double *H = malloc(nd * nd * sizeof *H), *e = malloc(nd * sizeof *e), *u = calloc(nd, sizeof *u);
  if (!H || !e || !u) {
    free(H); free(e); free(u);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for a %zu x %zu CI matrix", nd, nd);
  }
  for (size_t j = 0; j < nd; j++) {
    u[j] = 1.0;
    fci_sigma_work(w, u, e);
    for (size_t i = 0; i < nd; i++) H[i * nd + j] = e[i];
    u[j] = 0.0;
  }
  lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)nd, H, (lapack_int)nd, e);
  if (info != 0) {
    free(H); free(e); free(u);
    return vqe_error_set(err, VQE_ERR_COMPUTE, "dsyev failed on the %zu x %zu CI matrix (info %d)", nd, nd, (int)info);
  }
  res->energy = e[0] + w->ham->e_core;
  for (size_t i = 0; i < nd; i++) res->ci[i] = H[i * nd];
  res->iterations = 1;
  res->converged = 1;
  res->residual = 0;
  free(H); free(e); free(u);
  return VQE_OK;
}

static double dot(const double *a, const double *b, size_t n)
{
  double s = 0;
#pragma omp parallel for reduction(+ : s) schedule(static) if ((double)n >= FCI_OMP_MIN_WORK / 8.0)
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Davidson–Liu for the lowest root with the diagonal preconditioner. */
static vqe_status fci_davidson(fci_work *w, const vqe_fci_options *o, vqe_fci_result *res, vqe_error *err)
{
  const size_t nd = w->ndet;
  const int maxk = o->max_subspace < 4 ? 4 : o->max_subspace;
  double *diag = malloc(nd * sizeof *diag);
  double *Vb = vqe_aligned_alloc((size_t)maxk * nd, sizeof *Vb);   /* basis vectors */
  double *AV = vqe_aligned_alloc((size_t)maxk * nd, sizeof *AV);   /* sigma vectors */
  double *x = malloc(nd * sizeof *x), *r = malloc(nd * sizeof *r);
  double *S = malloc((size_t)maxk * maxk * sizeof *S), *Y = malloc((size_t)maxk * maxk * sizeof *Y);
  double *th = malloc((size_t)maxk * sizeof *th);
  vqe_status st = VQE_OK;
  if (!diag || !Vb || !AV || !x || !r || !S || !Y || !th) {
    st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for Davidson vectors (%zu determinants)", nd);
    goto done;
  }
  fci_diagonal(w, diag);
  size_t i0 = 0;
  for (size_t i = 1; i < nd; i++)
    if (diag[i] < diag[i0] - 1e-12) i0 = i;
  /* Start: the lowest determinant plus a small deterministic admixture of all others, so that the
   * start has some overlap with a ground state of any spatial symmetry. */
  vqe_rng rng;
  vqe_rng_seed(&rng, 12345);
  for (size_t i = 0; i < nd; i++) Vb[i] = 1e-4 * (vqe_rng_uniform(&rng) - 0.5);
  Vb[i0] = 1.0;
  double nrm = sqrt(dot(Vb, Vb, nd));
  for (size_t i = 0; i < nd; i++) Vb[i] /= nrm;
  int k = 1;
  fci_sigma_work(w, Vb, AV);
  double e_prev = INFINITY, theta = 0, rnorm = INFINITY;
  res->converged = 0;
  int it;
  for (it = 1; it <= o->max_iter; it++) {
    /* Rayleigh matrix (full rebuild: k <= 24, cheap next to sigma). */
    for (int i = 0; i < k; i++)
      for (int j = 0; j <= i; j++) S[i * k + j] = S[j * k + i] = dot(Vb + (size_t)i * nd, AV + (size_t)j * nd, nd);
    memcpy(Y, S, (size_t)k * k * sizeof *S);
    lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', k, Y, k, th);
    if (info) { st = vqe_error_set(err, VQE_ERR_COMPUTE, "Davidson subspace dsyev failed (info %d)", (int)info); goto done; }
    theta = th[0];
    memset(x, 0, nd * sizeof *x);
    memset(r, 0, nd * sizeof *r);
    for (int j = 0; j < k; j++) {
      double y = Y[j * k];
      const double *vj = Vb + (size_t)j * nd, *aj = AV + (size_t)j * nd;
      for (size_t i = 0; i < nd; i++) { x[i] += y * vj[i]; r[i] += y * aj[i]; }
    }
    for (size_t i = 0; i < nd; i++) r[i] -= theta * x[i];
    rnorm = sqrt(dot(r, r, nd));
    double de = fabs(theta - e_prev);
    if (o->verbose) fprintf(stderr, "davidson %3d  E = %.12f  dE = %.2e  |r| = %.2e  subspace %d\n", it, theta + w->ham->e_core, de, rnorm, k);
    if ((de < o->e_conv && rnorm < o->r_conv) || rnorm < 1e-12) { res->converged = 1; break; }
    e_prev = theta;
    if (k == maxk) {
      /* Collapse onto the current Ritz vector and its sigma (A x = r + θ x). */
      for (size_t i = 0; i < nd; i++) r[i] += theta * x[i];   /* r = A x */
      memcpy(Vb, x, nd * sizeof *x);
      memcpy(AV, r, nd * sizeof *r);
      for (size_t i = 0; i < nd; i++) r[i] -= theta * x[i];
      k = 1;
    }
    /* Correction t = r / (theta − D), orthogonalised twice against the basis. */
    double *t = Vb + (size_t)k * nd;
    for (size_t i = 0; i < nd; i++) {
      double den = theta - diag[i];
      if (fabs(den) < 1e-8) den = den < 0 ? -1e-8 : 1e-8;
      t[i] = r[i] / den;
    }
    for (int pass = 0; pass < 2; pass++)
      for (int j = 0; j < k; j++) {
        const double *vj = Vb + (size_t)j * nd;
        double ov = dot(vj, t, nd);
        for (size_t i = 0; i < nd; i++) t[i] -= ov * vj[i];
      }
    nrm = sqrt(dot(t, t, nd));
    if (nrm < 1e-10) {
      /* The correction lies in the subspace: the Ritz pair is as good as this basis gets. */
      res->converged = rnorm < 1e-6;
      break;
    }
    for (size_t i = 0; i < nd; i++) t[i] /= nrm;
    fci_sigma_work(w, t, AV + (size_t)k * nd);
    k++;
  }
  res->iterations = it > o->max_iter ? o->max_iter : it;
  res->energy = theta + w->ham->e_core;
  res->residual = rnorm;
  nrm = sqrt(dot(x, x, nd));
  for (size_t i = 0; i < nd; i++) res->ci[i] = x[i] / nrm;
  if (!res->converged)
    st = vqe_error_set(err, VQE_ERR_COMPUTE, "Davidson did not converge in %d iterations (residual %.2e, energy %.12f)",
                       res->iterations, rnorm, res->energy);
done:
  free(diag); vqe_free(Vb); vqe_free(AV); free(x); free(r); free(S); free(Y); free(th);
  return st;
}

vqe_status vqe_fci_solve(const vqe_mo_hamiltonian *ham, const vqe_fci_options *opt, vqe_fci_result *res,
                         vqe_error *err)
{
  memset(res, 0, sizeof *res);
  if (!ham || !ham->h || !ham->eri || ham->norb <= 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "FCI needs a Hamiltonian with at least one orbital");
  if (ham->norb > 60)
    return vqe_error_set(err, VQE_ERR_INPUT, "FCI supports at most 60 orbitals, got %d", ham->norb);
  if (ham->n_alpha < 0 || ham->n_beta < 0 || ham->n_alpha > ham->norb || ham->n_beta > ham->norb)
    return vqe_error_set(err, VQE_ERR_INPUT, "%d alpha and %d beta electrons do not fit in %d orbitals (allowed: 0..%d each)",
                         ham->n_alpha, ham->n_beta, ham->norb, ham->norb);
  vqe_fci_options o;
  if (opt) o = *opt; else vqe_fci_options_default(&o);
  double t0 = vqe_wtime();
  fci_work w;
  vqe_status st = fci_work_init(&w, ham, err);
  if (st) return st;
  res->norb = ham->norb;
  res->n_alpha = ham->n_alpha;
  res->n_beta = ham->n_beta;
  res->n_astr = w.a.n;
  res->n_bstr = w.b.n;
  res->n_det = w.ndet;
  res->ci = vqe_aligned_alloc(w.ndet, sizeof *res->ci);
  if (!res->ci) {
    fci_work_free(&w);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for a CI vector of %zu determinants", w.ndet);
  }
  st = w.ndet <= FCI_DENSE_MAX ? fci_dense(&w, res, err) : fci_davidson(&w, &o, res, err);
  if (res->ci) fix_phase(res->ci, w.ndet);
  fci_work_free(&w);
  res->time = vqe_wtime() - t0;
  if (!st && !isfinite(res->energy))
    st = vqe_error_set(err, VQE_ERR_COMPUTE, "FCI energy is not finite");
  return st;
}

vqe_status vqe_fci_to_statevector(const vqe_fci_result *res, double *psi, vqe_error *err)
{
  int n = res->norb;
  if (n > 15)
    return vqe_error_set(err, VQE_ERR_INPUT, "a statevector of %d qubits is too large to expand (allowed: up to 30 qubits)", 2 * n);
  size_t dim = (size_t)1 << (2 * n);
  memset(psi, 0, dim * sizeof *psi);
  for (size_t ia = 0; ia < res->n_astr; ia++) {
    uint64_t ma = vqe_fci_string(n, res->n_alpha, ia);
    for (size_t ib = 0; ib < res->n_bstr; ib++) {
      uint64_t mb = vqe_fci_string(n, res->n_beta, ib);
      uint64_t b = 0;
      int par = 0;
      for (int p = 0; p < n; p++) {
        if (ma >> p & 1) { b |= 1ULL << (2 * p); par ^= parity_below(mb, p); }
        if (mb >> p & 1) b |= 1ULL << (2 * p + 1);
      }
      double c = res->ci[ia * res->n_bstr + ib];
      psi[b] = par ? -c : c;
    }
  }
  return VQE_OK;
}

vqe_status vqe_fci_s2(const vqe_fci_result *res, double *s2, vqe_error *err)
{
  const int n = res->norb;
  fci_strings a, b;
  vqe_status st = fci_strings_build(n, res->n_alpha, &a, err);
  if (st) return st;
  if ((st = fci_strings_build(n, res->n_beta, &b, err))) { fci_strings_free(&a); return st; }
  const size_t nb = b.n, n2 = (size_t)n * n;
  /* For each β string: entry of E^β_qp (a†_q a_p) by (q, p), −1 when absent. */
  int32_t *bmap = malloc(nb * n2 * sizeof *bmap);
  if (!bmap) {
    fci_strings_free(&a); fci_strings_free(&b);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for <S^2>");
  }
  for (size_t ib = 0; ib < nb; ib++) {
    int32_t *m = bmap + ib * n2;
    for (size_t k = 0; k < n2; k++) m[k] = -1;
    for (size_t x = 0; x < b.n_ex; x++) m[b.ex[ib * b.n_ex + x].p * n + b.ex[ib * b.n_ex + x].q] = (int32_t)x;
  }
  /* Σ_pq ⟨Ψ|E^β_qp E^α_pq|Ψ⟩ = Σ_I c_I Σ_pq ⟨J| … entries: a†_p a_q|Iα⟩ = sa|Jα⟩ and a†_q a_p|Iβ⟩ = sb|Jβ⟩. */
  double x2 = 0;
  const double *c = res->ci;
#pragma omp parallel for reduction(+ : x2) schedule(static) if ((double)res->n_det * (double)a.n_ex >= FCI_OMP_MIN_WORK)
  for (size_t ia = 0; ia < a.n; ia++)
    for (size_t ib = 0; ib < nb; ib++) {
      double ci = c[ia * nb + ib];
      if (ci == 0.0) continue;
      const int32_t *m = bmap + ib * n2;
      for (size_t x = 0; x < a.n_ex; x++) {
        const fci_excitation *ea = &a.ex[ia * a.n_ex + x];
        int32_t y = m[ea->q * n + ea->p];
        if (y < 0) continue;
        const fci_excitation *eb = &b.ex[ib * b.n_ex + (size_t)y];
        x2 += ci * ea->sign * eb->sign * c[(size_t)ea->target * nb + eb->target];
      }
    }
  double sz = 0.5 * (res->n_alpha - res->n_beta);
  *s2 = sz * (sz + 1) + res->n_beta - x2;
  free(bmap);
  fci_strings_free(&a);
  fci_strings_free(&b);
  return VQE_OK;
}
