/* scf.c — RHF and ROHF with Pulay DIIS, SAD/GWH/core guesses, psi4's ROHF canonicalisation and an
 * orbital-Hessian stability check (with instability following). Called by the CLI (`vqe scf` and every
 * command that starts from a molecule) and by the Hamiltonian layer through vqe_scf_result.
 *
 * One code path serves both references. The state is Ct (nmo x nmo, orthonormal): MOs C = X Ct with X
 * the orthogonaliser (S^-1/2 or canonical). Each iteration builds Fα, Fβ from the densities, forms the
 * effective MO Fock matrix (RHF: F; ROHF: Guest–Saunders / psi4 form below), takes its off-diagonal
 * occupied–unoccupied blocks as the orbital gradient, extrapolates Ct Feff Ct^T with DIIS and
 * diagonalises it. References: Pulay, Chem. Phys. Lett. 73, 393 (1980); J. Comput. Chem. 3, 556
 * (1982); Guest & Saunders, Mol. Phys. 28, 819 (1974). */
#include "vqe/scf.h"
#include "integrals/ints_internal.h"
#include "vqe_config.h"
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fock builds go parallel above this many unique ERIs (about 1 ms of work, nbf >= 40; below it a
 * parallel region costs more than it saves, and much more when the cores are oversubscribed); the test
 * build (-Dtest_build=true) makes every build parallel so the tests exercise the reduction. */
#if VQE_TEST_BUILD
#define SCF_JK_PARALLEL_MIN 1
#else
#define SCF_JK_PARALLEL_MIN 200000
#endif
/* Stability: finite-difference step for Hessian-vector products, and the eigenvalue below which a
 * solution counts as a saddle point (the zero modes of degenerate open shells give |λ| ~ 1e-8). */
#define SCF_FD_STEP 1e-4
#define SCF_UNSTABLE (-1e-5)

typedef struct {
  int n, nmo;
  int ndocc, nsocc;      /* closed = n_beta, open = n_alpha - n_beta */
  int rohf;
  const double *S, *H, *eri;
  double *X;             /* n x nmo orthogonaliser */
  int verbose;
} scf_ctx;

/* ---------------- small dense helpers (row-major) ---------------- */

static double *dalloc(size_t n) { return calloc(n ? n : 1, sizeof(double)); }

/* C = op(A) op(B), A is m x k (or k x m when ta), B is k x n (or n x k when tb). */
static void mm(int ta, int tb, int m, int n, int k, double alpha, const double *A, const double *B,
               double beta, double *C)
{
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, A,
              ta ? m : k, B, tb ? k : n, beta, C, n);
}

/* Symmetric eigenproblem in place: A (n x n) -> eigenvectors in columns, w ascending. */
static int syev(int n, double *A, double *w)
{
  if (n == 0) return 0;
  return LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', n, A, n, w);
}

/* B = A^T M A for symmetric M (n x n), A (n x m): B is m x m. tmp n x m. */
static void transform(int n, int m, const double *M, const double *A, double *B, double *tmp)
{
  mm(0, 0, n, m, n, 1.0, M, A, 0.0, tmp);
  mm(1, 0, m, m, n, 1.0, A, tmp, 0.0, B);
}

/* ---------------- J and K from the 8-fold packed ERIs ---------------- */

/* J[d] = sum_rs (pq|rs) D[d]_rs, K[d] = sum_rs (pr|qs) D[d]_rs for nd symmetric densities.
 * Each unique integral (pq|rs), pq >= rs, is scaled by its degeneracy (1/2 when p = q, r = s or
 * pq = rs) and added to half-matrices Jh, Kh whose symmetrisation J = Jh + Jh^T gives all eight
 * permutations: (pq|rs) feeds Jh_pq, Jh_rs and Kh_pr, Kh_qr, Kh_ps, Kh_qs. Threads accumulate
 * private copies that are summed at the end. */
static void scf_jk(const scf_ctx *c, int nd, const double *const *D, double **J, double **K)
{
  const int n = c->n;
  const size_t nn = (size_t)n * n, npair = (size_t)n * (n + 1) / 2;
  const double *eri = c->eri;
  int *pi = malloc(npair * sizeof(int)), *qi = malloc(npair * sizeof(int));
  for (int p = 0, k = 0; p < n; p++)
    for (int q = 0; q <= p; q++, k++) { pi[k] = p; qi[k] = q; }
  for (int d = 0; d < nd; d++) {
    memset(J[d], 0, nn * sizeof(double));
    memset(K[d], 0, nn * sizeof(double));
  }
  const size_t neri = npair * (npair + 1) / 2;
  const int nthr = neri >= SCF_JK_PARALLEL_MIN ? omp_get_max_threads() : 1;
  /* Each thread accumulates its fixed share of rows (static round-robin chunks) into its own buffers,
   * which are then summed in thread order: the same numbers on every run with the same thread count
   * (a dynamic schedule plus a critical-section reduction summed in arrival order, so SCF energies
   * differed in the last bits between identical runs, enough to break resumed studies' equality). */
  double **jb = calloc((size_t)nthr, sizeof *jb), **kb = calloc((size_t)nthr, sizeof *kb);
#pragma omp parallel num_threads(nthr)
  {
    const int me = omp_get_thread_num();
    double *Jh = jb[me] = dalloc((size_t)nd * nn), *Kh = kb[me] = dalloc((size_t)nd * nn);
#pragma omp for schedule(static, 8)
    for (long PQ = (long)npair - 1; PQ >= 0; PQ--) {
      const size_t pq = (size_t)PQ;
      const int p = pi[pq], q = qi[pq];
      const double *row = eri + pq * (pq + 1) / 2;
      const double fpq = p == q ? 0.5 : 1.0;
      for (size_t rs = 0; rs <= pq; rs++) {
        double v = row[rs];
        if (v == 0.0) continue;
        const int r = pi[rs], s = qi[rs];
        v *= fpq;
        if (r == s) v *= 0.5;
        if (rs == pq) v *= 0.5;
        for (int d = 0; d < nd; d++) {
          const double *Dd = D[d];
          double *jh = Jh + (size_t)d * nn, *kh = Kh + (size_t)d * nn;
          jh[p * n + q] += 2.0 * v * Dd[r * n + s];
          jh[r * n + s] += 2.0 * v * Dd[p * n + q];
          kh[p * n + r] += v * Dd[q * n + s];
          kh[q * n + r] += v * Dd[p * n + s];
          kh[p * n + s] += v * Dd[q * n + r];
          kh[q * n + s] += v * Dd[p * n + r];
        }
      }
    }
  }
  for (int t = 0; t < nthr; t++) {
    if (!jb[t] || !kb[t]) { free(jb[t]); free(kb[t]); continue; }   /* a thread the runtime did not start */
    for (int d = 0; d < nd; d++)
      for (size_t k = 0; k < nn; k++) {
        J[d][k] += jb[t][(size_t)d * nn + k];
        K[d][k] += kb[t][(size_t)d * nn + k];
      }
    free(jb[t]);
    free(kb[t]);
  }
  free(jb);
  free(kb);
  for (int d = 0; d < nd; d++)
    for (int i = 0; i < n; i++)
      for (int j = 0; j <= i; j++) {
        double a = J[d][i * n + j] + J[d][j * n + i], b = K[d][i * n + j] + K[d][j * n + i];
        J[d][i * n + j] = J[d][j * n + i] = a;
        K[d][i * n + j] = K[d][j * n + i] = b;
      }
  free(pi);
  free(qi);
}

/* ---------------- Fock matrices and energy from orbitals ---------------- */

typedef struct {
  double *C;         /* n x nmo */
  double *Da, *Db;   /* n x n */
  double *Fa, *Fb;   /* n x n (AO) */
  double *Ja, *Jb, *Ka, *Kb;
  double *moFa, *moFb, *Feff, *G;   /* nmo x nmo */
  double *tmp;       /* n x max(n, nmo) */
} scf_work;

static int work_alloc(scf_work *w, int n, int nmo)
{
  const size_t nn = (size_t)n * n, mm2 = (size_t)nmo * nmo, big = (size_t)n * (size_t)(n > nmo ? n : nmo);
  w->C = dalloc((size_t)n * nmo);
  w->Da = dalloc(nn); w->Db = dalloc(nn);
  w->Fa = dalloc(nn); w->Fb = dalloc(nn);
  w->Ja = dalloc(nn); w->Jb = dalloc(nn); w->Ka = dalloc(nn); w->Kb = dalloc(nn);
  w->moFa = dalloc(mm2); w->moFb = dalloc(mm2); w->Feff = dalloc(mm2); w->G = dalloc(mm2);
  w->tmp = dalloc(big);
  return w->C && w->Da && w->Db && w->Fa && w->Fb && w->Ja && w->Jb && w->Ka && w->Kb && w->moFa &&
         w->moFb && w->Feff && w->G && w->tmp;
}

static void work_free(scf_work *w)
{
  free(w->C); free(w->Da); free(w->Db); free(w->Fa); free(w->Fb);
  free(w->Ja); free(w->Jb); free(w->Ka); free(w->Kb);
  free(w->moFa); free(w->moFb); free(w->Feff); free(w->G); free(w->tmp);
  memset(w, 0, sizeof *w);
}

static double trace_prod(int n, const double *A, const double *B)   /* sum_ij A_ij B_ij */
{
  double s = 0;
  for (size_t k = 0; k < (size_t)n * n; k++) s += A[k] * B[k];
  return s;
}

/* Orbital class of MO p: 0 closed, 1 open, 2 virtual. */
static int mo_class(const scf_ctx *c, int p) { return p < c->ndocc ? 0 : p < c->ndocc + c->nsocc ? 1 : 2; }

/* From Ct: C = X Ct, densities, Fock matrices, energy, MO Fock matrices, the effective Fock matrix
 * and the antisymmetric orbital gradient G (off-diagonal class blocks). Returns E_elec. */
static double scf_build(const scf_ctx *c, const double *Ct, scf_work *w, double *gnorm)
{
  const int n = c->n, nmo = c->nmo, na = c->ndocc + c->nsocc, nb = c->ndocc;
  mm(0, 0, n, nmo, nmo, 1.0, c->X, Ct, 0.0, w->C);
  /* D = C_occ C_occ^T: the first k columns of row-major C have leading dimension nmo. */
  if (na) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, na, 1.0, w->C, nmo, w->C, nmo, 0.0, w->Da, n);
  else memset(w->Da, 0, (size_t)n * n * sizeof(double));
  double E;
  if (!c->rohf) {
    const double *D[1] = { w->Da };
    double *J[1] = { w->Ja }, *K[1] = { w->Ka };
    scf_jk(c, 1, D, J, K);
    for (size_t k = 0; k < (size_t)n * n; k++) w->Fa[k] = c->H[k] + 2.0 * w->Ja[k] - w->Ka[k];
    memcpy(w->Db, w->Da, (size_t)n * n * sizeof(double));
    memcpy(w->Fb, w->Fa, (size_t)n * n * sizeof(double));
    E = trace_prod(n, w->Da, c->H) + trace_prod(n, w->Da, w->Fa);
    transform(n, nmo, w->Fa, w->C, w->moFa, w->tmp);
    memcpy(w->moFb, w->moFa, (size_t)nmo * nmo * sizeof(double));
    memcpy(w->Feff, w->moFa, (size_t)nmo * nmo * sizeof(double));
  } else {
    if (nb) cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, nb, 1.0, w->C, nmo, w->C, nmo, 0.0, w->Db, n);
    else memset(w->Db, 0, (size_t)n * n * sizeof(double));
    const double *D[2] = { w->Da, w->Db };
    double *J[2] = { w->Ja, w->Jb }, *K[2] = { w->Ka, w->Kb };
    scf_jk(c, 2, D, J, K);
    for (size_t k = 0; k < (size_t)n * n; k++) {
      const double jt = w->Ja[k] + w->Jb[k];
      w->Fa[k] = c->H[k] + jt - w->Ka[k];
      w->Fb[k] = c->H[k] + jt - w->Kb[k];
    }
    E = 0.5 * (trace_prod(n, w->Da, c->H) + trace_prod(n, w->Da, w->Fa) + trace_prod(n, w->Db, c->H) +
               trace_prod(n, w->Db, w->Fb));
    transform(n, nmo, w->Fa, w->C, w->moFa, w->tmp);
    transform(n, nmo, w->Fb, w->C, w->moFb, w->tmp);
    /* psi4's effective Fock matrix: (Fα+Fβ)/2 everywhere except closed–open (Fβ) and open–virtual (Fα). */
    for (int p = 0; p < nmo; p++)
      for (int q = 0; q < nmo; q++) {
        const int cp = mo_class(c, p), cq = mo_class(c, q);
        double v = 0.5 * (w->moFa[p * nmo + q] + w->moFb[p * nmo + q]);
        if ((cp == 0 && cq == 1) || (cp == 1 && cq == 0)) v = w->moFb[p * nmo + q];
        else if ((cp == 1 && cq == 2) || (cp == 2 && cq == 1)) v = w->moFa[p * nmo + q];
        w->Feff[p * nmo + q] = v;
      }
  }
  double g2 = 0;
  for (int p = 0; p < nmo; p++)
    for (int q = 0; q < nmo; q++) {
      const int cp = mo_class(c, p), cq = mo_class(c, q);
      double g = 0;
      if (cp != cq) g = cp < cq ? w->Feff[p * nmo + q] : -w->Feff[p * nmo + q];
      w->G[p * nmo + q] = g;
      g2 += g * g;
    }
  *gnorm = sqrt(g2);
  return E;
}

/* ---------------- orthogonaliser ---------------- */

static vqe_status make_orthogonaliser(scf_ctx *c, double lindep, vqe_error *err)
{
  const int n = c->n;
  double *U = dalloc((size_t)n * n), *s = dalloc((size_t)n);
  memcpy(U, c->S, (size_t)n * n * sizeof(double));
  if (syev(n, U, s)) { free(U); free(s); return vqe_error_set(err, VQE_ERR_COMPUTE, "SCF: diagonalising the overlap matrix failed"); }
  if (s[0] <= 0 && s[n - 1] <= 0) { free(U); free(s); return vqe_error_set(err, VQE_ERR_COMPUTE, "SCF: overlap matrix is not positive"); }
  int keep = 0;
  for (int k = 0; k < n; k++) keep += s[k] >= lindep;
  if (keep == n) {
    /* symmetric (Löwdin) X = U s^-1/2 U^T */
    c->nmo = n;
    c->X = dalloc((size_t)n * n);
    double *Us = dalloc((size_t)n * n);
    for (int i = 0; i < n; i++)
      for (int k = 0; k < n; k++) Us[i * n + k] = U[i * n + k] / sqrt(s[k]);
    mm(0, 1, n, n, n, 1.0, Us, U, 0.0, c->X);
    free(Us);
  } else {
    /* canonical: drop eigenvectors with s < lindep */
    c->nmo = keep;
    c->X = dalloc((size_t)n * keep);
    for (int i = 0; i < n; i++)
      for (int k = n - keep, j = 0; k < n; k++, j++) c->X[i * keep + j] = U[i * n + k] / sqrt(s[k]);
    if (c->verbose)
      fprintf(stderr, "scf: %d linear dependencies removed (overlap eigenvalues below %.1e)\n", n - keep, lindep);
  }
  free(U);
  free(s);
  return VQE_OK;
}

/* Diagonalise a symmetric nmo x nmo orthonormal-basis Fock matrix: Ct (eigenvectors), eps. */
static int diag_orth(int nmo, const double *F, double *Ct, double *eps)
{
  memcpy(Ct, F, (size_t)nmo * nmo * sizeof(double));
  return syev(nmo, Ct, eps);
}

/* Orbitals Ct from an AO Fock-like matrix F: Ct = eigenvectors of X^T F X. */
static int orbitals_from_ao(const scf_ctx *c, const double *F, double *Ct, double *eps, double *tmp, double *Fo)
{
  transform(c->n, c->nmo, F, c->X, Fo, tmp);
  return diag_orth(c->nmo, Fo, Ct, eps);
}

/* ---------------- SAD guess ---------------- */

/* Fractional-occupation, spin-restricted SCF of one neutral atom in its own basis functions
 * [f0, f1) with its own nucleus; returns the per-spin density (nf x nf) in Da. Spherical: the
 * electrons at the Fermi level are spread evenly over (near-)degenerate orbitals. */
static vqe_status sad_atom(const vqe_basis *basis, const vqe_molecule *mol, const vqe_integrals *ints, int atom,
                           int f0, int f1, double *Da, vqe_error *err)
{
  const int N = ints->nbf, nf = f1 - f0, Z = mol->atoms[atom].Z;
  double *Vfull = dalloc((size_t)N * N);
  vqe_status st = ints_potential(basis, mol, atom, Vfull, err);
  if (st) { free(Vfull); return st; }
  /* atom-block integrals */
  double *S = dalloc((size_t)nf * nf), *H = dalloc((size_t)nf * nf);
  const size_t np = (size_t)nf * (nf + 1) / 2;
  double *eri = dalloc(np * (np + 1) / 2);
  for (int i = 0; i < nf; i++)
    for (int j = 0; j < nf; j++) {
      S[i * nf + j] = ints->S[(f0 + i) * N + f0 + j];
      H[i * nf + j] = ints->T[(f0 + i) * N + f0 + j] + Vfull[(f0 + i) * N + f0 + j];
    }
  for (int i = 0; i < nf; i++)
    for (int j = 0; j <= i; j++)
      for (int k = 0; k < nf; k++)
        for (int l = 0; l <= k; l++) {
          size_t a = vqe_pair_index((size_t)i, (size_t)j), b = vqe_pair_index((size_t)k, (size_t)l);
          if (b > a) continue;
          eri[vqe_pair_index(a, b)] = ints->eri[vqe_eri_index((size_t)(f0 + i), (size_t)(f0 + j), (size_t)(f0 + k), (size_t)(f0 + l))];
        }
  free(Vfull);
  scf_ctx c = { 0 };
  c.n = nf; c.S = S; c.H = H; c.eri = eri;
  st = make_orthogonaliser(&c, 1e-7, err);
  if (st) { free(S); free(H); free(eri); return st; }
  const int nmo = c.nmo;
  double *F = dalloc((size_t)nf * nf), *J = dalloc((size_t)nf * nf), *K = dalloc((size_t)nf * nf);
  double *Fo = dalloc((size_t)nmo * nmo), *Ct = dalloc((size_t)nmo * nmo), *eps = dalloc((size_t)nmo);
  double *C = dalloc((size_t)nf * nmo), *tmp = dalloc((size_t)nf * (nf > nmo ? nf : nmo)), *occ = dalloc((size_t)nmo);
  memcpy(F, H, (size_t)nf * nf * sizeof(double));
  const double nel = 0.5 * Z;   /* electrons per spin */
  double Eold = 0;
  for (int it = 0; it < 100; it++) {
    orbitals_from_ao(&c, F, Ct, eps, tmp, Fo);
    mm(0, 0, nf, nmo, nmo, 1.0, c.X, Ct, 0.0, C);
    /* occupations: aufbau; the level at the Fermi energy shares what is left evenly */
    double left = nel;
    for (int p = 0; p < nmo; p++) occ[p] = 0;
    for (int p = 0; p < nmo && left > 1e-12;) {
      int q = p;
      while (q + 1 < nmo && fabs(eps[q + 1] - eps[p]) < 1e-4 * (1.0 + fabs(eps[p]))) q++;
      const int deg = q - p + 1;
      const double put = left >= deg ? 1.0 : left / deg;
      for (int k = p; k <= q; k++) occ[k] = put;
      left -= put * deg;
      p = q + 1;
    }
    memset(Da, 0, (size_t)nf * nf * sizeof(double));
    for (int p = 0; p < nmo; p++)
      if (occ[p] > 0)
        for (int i = 0; i < nf; i++)
          for (int j = 0; j < nf; j++) Da[i * nf + j] += occ[p] * C[i * nmo + p] * C[j * nmo + p];
    const double *Dp[1] = { Da };
    double *Jp[1] = { J }, *Kp[1] = { K };
    scf_jk(&c, 1, Dp, Jp, Kp);
    for (size_t k = 0; k < (size_t)nf * nf; k++) F[k] = H[k] + 2.0 * J[k] - K[k];
    double E = trace_prod(nf, Da, H) + trace_prod(nf, Da, F);
    /* a guess only needs a rough atomic density: stop at 1e-7 Eh or after 100 plain iterations */
    if (it > 0 && fabs(E - Eold) < 1e-7) break;
    Eold = E;
  }
  free(F); free(J); free(K); free(Fo); free(Ct); free(eps); free(C); free(tmp); free(occ);
  free(S); free(H); free(eri); free(c.X);
  return VQE_OK;
}

/* SAD: block-diagonal sum of atomic densities (per spin), then one Fock build and diagonalisation. */
static vqe_status guess_sad(const scf_ctx *c, const vqe_basis *basis, const vqe_molecule *mol,
                            const vqe_integrals *ints, double *Ct, double *eps, scf_work *w, vqe_error *err)
{
  const int n = c->n;
  double *D = dalloc((size_t)n * n);
  int *first = malloc(((size_t)mol->natom + 1) * sizeof(int)), *done_from = malloc((size_t)mol->natom * sizeof(int));
  for (int a = 0; a <= mol->natom; a++) first[a] = -1;
  for (int s = 0; s < basis->nshell; s++)
    if (first[basis->shells[s].atom] < 0) first[basis->shells[s].atom] = basis->shell_offset[s];
  first[mol->natom] = n;
  for (int a = mol->natom - 1; a >= 0; a--)
    if (first[a] < 0) first[a] = first[a + 1];
  vqe_status st = VQE_OK;
  for (int a = 0; a < mol->natom && !st; a++) {
    const int f0 = first[a], nf = first[a + 1] - f0;
    done_from[a] = -1;
    for (int b = 0; b < a; b++)   /* same element seen before: reuse its density */
      if (mol->atoms[b].Z == mol->atoms[a].Z && first[b + 1] - first[b] == nf) { done_from[a] = b; break; }
    if (nf == 0) continue;
    double *Datom = dalloc((size_t)nf * nf);
    if (done_from[a] >= 0) {
      const int g0 = first[done_from[a]];
      for (int i = 0; i < nf; i++)
        for (int j = 0; j < nf; j++) Datom[i * nf + j] = D[(g0 + i) * n + g0 + j];
    } else {
      st = sad_atom(basis, mol, ints, a, f0, f0 + nf, Datom, err);
    }
    for (int i = 0; i < nf; i++)
      for (int j = 0; j < nf; j++) D[(f0 + i) * n + f0 + j] = Datom[i * nf + j];
    free(Datom);
  }
  free(first);
  free(done_from);
  if (!st) {
    /* a charged molecule: scale the neutral-atom density to the right electron count */
    double ne = 0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) ne += D[i * n + j] * c->S[i * n + j];
    const double want = 0.5 * (c->ndocc * 2 + c->nsocc);
    if (ne > 0)
      for (size_t k = 0; k < (size_t)n * n; k++) D[k] *= want / ne;
    const double *Dp[1] = { D };
    double *Jp[1] = { w->Ja }, *Kp[1] = { w->Ka };
    scf_jk(c, 1, Dp, Jp, Kp);
    for (size_t k = 0; k < (size_t)n * n; k++) w->Fa[k] = c->H[k] + 2.0 * w->Ja[k] - w->Ka[k];
    if (orbitals_from_ao(c, w->Fa, Ct, eps, w->tmp, w->Feff)) st = vqe_error_set(err, VQE_ERR_COMPUTE, "SCF: SAD guess diagonalisation failed");
  }
  free(D);
  return st;
}

/* GWH: F_ij = K/2 (H_ii + H_jj) S_ij with K = 1.75 (Wolfsberg & Helmholz, J. Chem. Phys. 20, 837 (1952)). */
static void guess_gwh(const scf_ctx *c, double *Ct, double *eps, scf_work *w)
{
  const int n = c->n;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      w->Fa[i * n + j] = i == j ? c->H[i * n + i] : 0.875 * (c->H[i * n + i] + c->H[j * n + j]) * c->S[i * n + j];
  orbitals_from_ao(c, w->Fa, Ct, eps, w->tmp, w->Feff);
}

/* ---------------- DIIS ---------------- */

typedef struct {
  int max, count, head, len;
  double *F, *e;      /* max x len each */
} diis_t;

static void diis_init(diis_t *d, int max, int len)
{
  d->max = max; d->count = 0; d->head = 0; d->len = len;
  d->F = max ? dalloc((size_t)max * len) : NULL;
  d->e = max ? dalloc((size_t)max * len) : NULL;
}

static void diis_free(diis_t *d) { free(d->F); free(d->e); memset(d, 0, sizeof *d); }

/* Add (F, e); overwrite F with the extrapolated matrix sum c_i F_i where c minimises |sum c_i e_i|
 * subject to sum c_i = 1. Falls back to dropping the oldest vectors when the system is singular. */
static void diis_extrapolate(diis_t *d, double *F, const double *e)
{
  if (!d->max) return;
  memcpy(d->F + (size_t)d->head * d->len, F, (size_t)d->len * sizeof(double));
  memcpy(d->e + (size_t)d->head * d->len, e, (size_t)d->len * sizeof(double));
  d->head = (d->head + 1) % d->max;
  if (d->count < d->max) d->count++;
  for (int use = d->count; use >= 2; use--) {
    /* the `use` newest entries */
    int idx[64];
    for (int k = 0; k < use; k++) idx[k] = ((d->head - 1 - k) % d->max + d->max) % d->max;
    const int m = use + 1;
    double B[65 * 65], rhs[65];
    for (int i = 0; i < use; i++) {
      for (int j = 0; j <= i; j++) {
        const double *ei = d->e + (size_t)idx[i] * d->len, *ej = d->e + (size_t)idx[j] * d->len;
        double s = 0;
        for (int k = 0; k < d->len; k++) s += ei[k] * ej[k];
        B[i * m + j] = B[j * m + i] = s;
      }
      B[i * m + use] = B[use * m + i] = -1.0;
      rhs[i] = 0.0;
    }
    B[use * m + use] = 0.0;
    rhs[use] = -1.0;
    /* scale for conditioning */
    double sc = 0;
    for (int i = 0; i < use; i++) sc = fmax(sc, fabs(B[i * m + i]));
    if (sc <= 0) return;
    for (int i = 0; i < use; i++)
      for (int j = 0; j < use; j++) B[i * m + j] /= sc;
    lapack_int ipiv[65];
    if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, m, 1, B, m, ipiv, rhs, 1) != 0) continue;
    int ok = 1;
    for (int i = 0; i < use; i++) ok &= isfinite(rhs[i]) && fabs(rhs[i]) < 1e8;
    if (!ok) continue;
    memset(F, 0, (size_t)d->len * sizeof(double));
    for (int i = 0; i < use; i++) cblas_daxpy(d->len, rhs[i], d->F + (size_t)idx[i] * d->len, 1, F, 1);
    return;
  }
}

/* ---------------- the SCF iterations ---------------- */

/* Block canonicalisation: diagonalise Fc = (Fα+Fβ)/2 (RHF: F) within the closed, open and virtual
 * blocks; rotates Ct within each block (density and energy unchanged), eps = block eigenvalues. */
static void canonicalise(const scf_ctx *c, scf_work *w, double *Ct, double *eps)
{
  const int nmo = c->nmo;
  const int lo[3] = { 0, c->ndocc, c->ndocc + c->nsocc }, hi[3] = { c->ndocc, c->ndocc + c->nsocc, nmo };
  double *Ctn = dalloc((size_t)nmo * nmo);
  memcpy(Ctn, Ct, (size_t)nmo * nmo * sizeof(double));
  for (int b = 0; b < 3; b++) {
    const int m = hi[b] - lo[b];
    if (m <= 0) continue;
    double *U = dalloc((size_t)m * m), *wv = dalloc((size_t)m);
    for (int i = 0; i < m; i++)
      for (int j = 0; j < m; j++)
        U[i * m + j] = 0.5 * (w->moFa[(lo[b] + i) * nmo + lo[b] + j] + w->moFb[(lo[b] + i) * nmo + lo[b] + j]);
    syev(m, U, wv);
    for (int r = 0; r < nmo; r++)
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int i = 0; i < m; i++) s += Ct[r * nmo + lo[b] + i] * U[i * m + j];
        Ctn[r * nmo + lo[b] + j] = s;
      }
    for (int j = 0; j < m; j++) eps[lo[b] + j] = wv[j];
    free(U);
    free(wv);
  }
  memcpy(Ct, Ctn, (size_t)nmo * nmo * sizeof(double));
  free(Ctn);
}

typedef struct {
  double E;
  int iterations, converged;
  double last_de, last_grad;
} scf_outcome;

/* Iterate from orbitals Ct (in/out). On return Ct holds canonicalised orbitals, eps their energies. */
static void scf_iterate(const scf_ctx *c, const vqe_scf_options *opt, double e_nuc, double *Ct, double *eps,
                        scf_work *w, scf_outcome *out)
{
  const int nmo = c->nmo;
  const size_t mm2 = (size_t)nmo * nmo;
  diis_t d;
  diis_init(&d, opt->diis_size > 60 ? 60 : opt->diis_size, nmo * nmo);
  double *Fo = dalloc(mm2), *eo = dalloc(mm2), *t = dalloc(mm2);
  double Eold = 0, E = 0, g = 0, dE = 0;
  out->converged = 0;
  int it;
  for (it = 1; it <= opt->max_iter; it++) {
    E = scf_build(c, Ct, w, &g);
    dE = E - Eold;
    if (c->verbose)
      fprintf(stderr, "scf %s iter %3d  E = %.12f  dE = %+.3e  grad = %.3e%s\n", c->rohf ? "ROHF" : "RHF", it,
              E + e_nuc, it > 1 ? dE : 0.0, g, d.count >= 2 ? "  DIIS" : "");
    if (it > 1 && fabs(dE) < opt->e_conv && g < opt->g_conv) { out->converged = 1; break; }
    Eold = E;
    if (it == opt->max_iter) break;
    /* orthonormal basis: Fo = Ct Feff Ct^T, eo = Ct G Ct^T */
    mm(0, 0, nmo, nmo, nmo, 1.0, Ct, w->Feff, 0.0, t);
    mm(0, 1, nmo, nmo, nmo, 1.0, t, Ct, 0.0, Fo);
    mm(0, 0, nmo, nmo, nmo, 1.0, Ct, w->G, 0.0, t);
    mm(0, 1, nmo, nmo, nmo, 1.0, t, Ct, 0.0, eo);
    diis_extrapolate(&d, Fo, eo);
    diag_orth(nmo, Fo, Ct, eps);
  }
  if (it > opt->max_iter) it = opt->max_iter;
  /* canonical orbitals for the last density (Fock matrices from scf_build are current) */
  canonicalise(c, w, Ct, eps);
  out->E = E;
  out->iterations = it;
  out->last_de = dE;
  out->last_grad = g;
  free(Fo); free(eo); free(t);
  diis_free(&d);
}

/* ---------------- stability: orbital Hessian by finite differences of the gradient ---------------- */

typedef struct { int p, q; } rot_pair;   /* rotate occupied-ish q with unoccupied-ish p (class q < class p) */

static int rotation_pairs(const scf_ctx *c, rot_pair **out)
{
  int np = 0;
  for (int p = 0; p < c->nmo; p++)
    for (int q = 0; q < p; q++) np += mo_class(c, q) < mo_class(c, p);
  rot_pair *r = malloc((size_t)(np ? np : 1) * sizeof *r);
  int k = 0;
  for (int p = 0; p < c->nmo; p++)
    for (int q = 0; q < p; q++)
      if (mo_class(c, q) < mo_class(c, p)) r[k++] = (rot_pair){ p, q };
  *out = r;
  return np;
}

/* U = exp(A) for antisymmetric A (m x m): scaling and squaring with a Taylor series. */
static void expm_antisym(int m, const double *A, double *U)
{
  double nrm = 0;
  for (size_t k = 0; k < (size_t)m * m; k++) nrm = fmax(nrm, fabs(A[k]));
  nrm *= m;
  int sq = 0;
  while (nrm > 0.25) { nrm /= 2; sq++; }
  const double scale = ldexp(1.0, -sq);
  double *As = dalloc((size_t)m * m), *term = dalloc((size_t)m * m), *t2 = dalloc((size_t)m * m);
  for (size_t k = 0; k < (size_t)m * m; k++) As[k] = A[k] * scale;
  memset(U, 0, (size_t)m * m * sizeof(double));
  memset(term, 0, (size_t)m * m * sizeof(double));
  for (int i = 0; i < m; i++) U[i * m + i] = term[i * m + i] = 1.0;
  for (int k = 1; k <= 16; k++) {
    mm(0, 0, m, m, m, 1.0 / k, term, As, 0.0, t2);
    memcpy(term, t2, (size_t)m * m * sizeof(double));
    for (size_t j = 0; j < (size_t)m * m; j++) U[j] += term[j];
  }
  for (int s = 0; s < sq; s++) {
    mm(0, 0, m, m, m, 1.0, U, U, 0.0, t2);
    memcpy(U, t2, (size_t)m * m * sizeof(double));
  }
  free(As); free(term); free(t2);
}

/* Ct_out = Ct exp(K(x)), K_pq = x_k, K_qp = -x_k for rotation pair k = (p, q). */
static void rotate(const scf_ctx *c, const rot_pair *rp, int np, const double *x, double step, const double *Ct,
                   double *Ct_out)
{
  const int m = c->nmo;
  double *K = dalloc((size_t)m * m), *U = dalloc((size_t)m * m);
  for (int k = 0; k < np; k++) {
    K[rp[k].p * m + rp[k].q] = step * x[k];
    K[rp[k].q * m + rp[k].p] = -step * x[k];
  }
  expm_antisym(m, K, U);
  mm(0, 0, m, m, m, 1.0, Ct, U, 0.0, Ct_out);
  free(K); free(U);
}

/* Energy gradient wrt the rotation parameters at orbitals Ct: dE/dx_(p,q) = 2 sum_s (n_q^s - n_p^s) F^s_pq. */
static void rot_gradient(const scf_ctx *c, const rot_pair *rp, int np, const double *Ct, scf_work *w, double *g)
{
  double gn;
  scf_build(c, Ct, w, &gn);
  const int m = c->nmo;
  for (int k = 0; k < np; k++) {
    const int p = rp[k].p, q = rp[k].q, cp = mo_class(c, p), cq = mo_class(c, q);
    const double na_q = cq <= 1, na_p = cp <= 1, nb_q = cq == 0, nb_p = cp == 0;
    g[k] = 2.0 * ((na_q - na_p) * w->moFa[p * m + q] + (nb_q - nb_p) * w->moFb[p * m + q]);
  }
}

static void hessian_vec(const scf_ctx *c, const rot_pair *rp, int np, const double *Ct, scf_work *w,
                        const double *v, double *Hv, double *Ctt, double *gp, double *gm)
{
  rotate(c, rp, np, v, SCF_FD_STEP, Ct, Ctt);
  rot_gradient(c, rp, np, Ctt, w, gp);
  rotate(c, rp, np, v, -SCF_FD_STEP, Ct, Ctt);
  rot_gradient(c, rp, np, Ctt, w, gm);
  for (int k = 0; k < np; k++) Hv[k] = (gp[k] - gm[k]) / (2.0 * SCF_FD_STEP);
}

/* Lowest eigenpair of the orbital Hessian by Davidson (Hessian-vector products by finite differences;
 * preconditioner from orbital-energy differences). */
static double stability_lowest(const scf_ctx *c, const double *Ct, const double *eps, scf_work *w, double *xbest,
                               int *np_out)
{
  rot_pair *rp;
  const int np = rotation_pairs(c, &rp);
  *np_out = np;
  if (np == 0) { free(rp); return NAN; }
  const int maxsub = np < 30 ? np : 30;
  double *diag = dalloc((size_t)np);
  for (int k = 0; k < np; k++) {
    const int dn = (mo_class(c, rp[k].p) - mo_class(c, rp[k].q)) * (c->rohf ? 1 : 2);
    diag[k] = 2.0 * dn * (eps[rp[k].p] - eps[rp[k].q]);
  }
  double *V = dalloc((size_t)maxsub * np), *AV = dalloc((size_t)maxsub * np);
  double *Ctt = dalloc((size_t)c->nmo * c->nmo), *gp = dalloc((size_t)np), *gm = dalloc((size_t)np);
  double *r = dalloc((size_t)np), *x = dalloc((size_t)np);
  double lam = NAN;
  /* start from the unit vector of the smallest diagonal element */
  int k0 = 0;
  for (int k = 1; k < np; k++) if (diag[k] < diag[k0]) k0 = k;
  V[k0] = 1.0;
  int nv = 1;
  for (int iter = 0; iter < 100; iter++) {
    hessian_vec(c, rp, np, Ct, w, V + (size_t)(nv - 1) * np, AV + (size_t)(nv - 1) * np, Ctt, gp, gm);
    double Hs[30 * 30], ws[30];
    for (int i = 0; i < nv; i++)
      for (int j = 0; j <= i; j++) {
        double s = 0, s2 = 0;
        for (int k = 0; k < np; k++) { s += V[(size_t)i * np + k] * AV[(size_t)j * np + k]; s2 += V[(size_t)j * np + k] * AV[(size_t)i * np + k]; }
        Hs[i * nv + j] = Hs[j * nv + i] = 0.5 * (s + s2);
      }
    syev(nv, Hs, ws);
    lam = ws[0];
    for (int k = 0; k < np; k++) {
      double xv = 0, ax = 0;
      for (int i = 0; i < nv; i++) { xv += Hs[i * nv] * V[(size_t)i * np + k]; ax += Hs[i * nv] * AV[(size_t)i * np + k]; }
      x[k] = xv;
      r[k] = ax - lam * xv;
    }
    double rn = cblas_dnrm2(np, r, 1);
    if (rn < 1e-5 || nv == np) break;
    if (nv == maxsub) {   /* restart from the current best vector */
      memcpy(V, x, (size_t)np * sizeof(double));
      double nx = cblas_dnrm2(np, V, 1);
      cblas_dscal(np, 1.0 / nx, V, 1);
      nv = 1;
      continue;
    }
    double *t = V + (size_t)nv * np;
    for (int k = 0; k < np; k++) {
      double den = diag[k] - lam;
      if (fabs(den) < 1e-3) den = den < 0 ? -1e-3 : 1e-3;
      t[k] = -r[k] / den;
    }
    for (int pass = 0; pass < 2; pass++)
      for (int i = 0; i < nv; i++) {
        double s = cblas_ddot(np, t, 1, V + (size_t)i * np, 1);
        cblas_daxpy(np, -s, V + (size_t)i * np, 1, t, 1);
      }
    double tn = cblas_dnrm2(np, t, 1);
    if (tn < 1e-10) break;
    cblas_dscal(np, 1.0 / tn, t, 1);
    nv++;
  }
  if (xbest) memcpy(xbest, x, (size_t)np * sizeof(double));
  free(diag); free(V); free(AV); free(Ctt); free(gp); free(gm); free(r); free(x); free(rp);
  return lam;
}

/* ---------------- public API ---------------- */

void vqe_scf_options_default(vqe_scf_options *o)
{
  memset(o, 0, sizeof *o);
  o->max_iter = 100;
  o->e_conv = 1e-10;
  o->g_conv = 1e-8;
  o->guess = VQE_GUESS_SAD;
  o->diis_size = 8;
  o->lindep = 1e-7;
  o->stability = 0;
  o->follow = 0;
  o->verbose = 0;
}

void vqe_scf_result_free(vqe_scf_result *res)
{
  if (!res) return;
  free(res->C);
  free(res->eps);
  free(res->occ);
  free(res->H);
  memset(res, 0, sizeof *res);
  res->stability_lowest = NAN;
  res->stable = -1;
}

vqe_status vqe_scf_run(const vqe_molecule *mol, const vqe_basis *basis, const vqe_integrals *ints,
                       const vqe_scf_options *opt_in, vqe_scf_result *res, vqe_error *err)
{
  memset(res, 0, sizeof *res);
  res->stability_lowest = NAN;
  res->stable = -1;
  vqe_scf_options opt;
  if (opt_in) opt = *opt_in; else vqe_scf_options_default(&opt);
  if (opt.follow) opt.stability = 1;
  if (!mol || !basis || !ints || !ints->eri || ints->nbf != basis->nbf)
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: integrals were not computed for this basis");
  if (opt.max_iter < 1 || opt.max_iter > 1000000)
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: max_iter %d is out of range (allowed: 1..1000000)", opt.max_iter);
  if (!(opt.e_conv > 0) || !(opt.g_conv > 0))
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: convergence thresholds must be positive");
  if (opt.diis_size < 0 || opt.diis_size > 60)
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: DIIS size %d is out of range (allowed: 0..60)", opt.diis_size);
  if (mol->n_alpha < mol->n_beta || mol->n_beta < 0)
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: n_alpha %d < n_beta %d (high-spin only)", mol->n_alpha, mol->n_beta);
  const double t0 = vqe_wtime();
  scf_ctx c = { 0 };
  c.n = ints->nbf;
  c.S = ints->S;
  c.eri = ints->eri;
  c.verbose = opt.verbose;
  c.ndocc = mol->n_beta;
  c.nsocc = mol->n_alpha - mol->n_beta;
  c.rohf = c.nsocc > 0;
  const int n = c.n;
  double *H = dalloc((size_t)n * n);
  if (!H) return vqe_error_set(err, VQE_ERR_RESOURCE, "SCF: out of memory");
  for (size_t k = 0; k < (size_t)n * n; k++) H[k] = ints->T[k] + ints->V[k];
  c.H = H;
  vqe_status st = make_orthogonaliser(&c, opt.lindep > 0 ? opt.lindep : 1e-7, err);
  if (st) { free(H); return st; }
  const int nmo = c.nmo;
  if (mol->n_alpha > nmo) {
    free(H); free(c.X);
    return vqe_error_set(err, VQE_ERR_INPUT, "SCF: %d alpha electrons do not fit in %d orbitals of basis '%s'",
                         mol->n_alpha, nmo, basis->name);
  }
  scf_work w;
  double *Ct = dalloc((size_t)nmo * nmo), *eps = dalloc((size_t)nmo);
  if (!work_alloc(&w, n, nmo) || !Ct || !eps) {
    work_free(&w); free(Ct); free(eps); free(H); free(c.X);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "SCF: out of memory");
  }
  const double e_nuc = vqe_molecule_nuclear_repulsion(mol);
  switch (opt.guess) {
  case VQE_GUESS_CORE: orbitals_from_ao(&c, H, Ct, eps, w.tmp, w.Feff); break;
  case VQE_GUESS_GWH: guess_gwh(&c, Ct, eps, &w); break;
  default: st = guess_sad(&c, basis, mol, ints, Ct, eps, &w, err); break;
  }
  scf_outcome out = { 0 };
  if (!st) {
    scf_iterate(&c, &opt, e_nuc, Ct, eps, &w, &out);
    /* stability check, and following an instability downhill */
    for (int round = 0; opt.stability && out.converged && round < 4; round++) {
      int np = 0;
      double *x = dalloc((size_t)nmo * nmo);
      double lam = stability_lowest(&c, Ct, eps, &w, x, &np);
      res->stability_lowest = lam;
      res->stable = isnan(lam) ? 1 : lam > SCF_UNSTABLE;
      if (c.verbose) fprintf(stderr, "scf stability: lowest orbital-Hessian eigenvalue %.6e over %d rotations\n", lam, np);
      if (res->stable || !opt.follow) { free(x); break; }
      /* line search along the unstable mode, then reconverge */
      rot_pair *rp;
      rotation_pairs(&c, &rp);
      double *Ctt = dalloc((size_t)nmo * nmo), *Cbest = dalloc((size_t)nmo * nmo);
      double gn, Ebest = out.E;
      int found = 0;
      for (double th = 0.05; th < 1.6; th *= 1.6) {
        rotate(&c, rp, np, x, th, Ct, Ctt);
        double E = scf_build(&c, Ctt, &w, &gn);
        if (E < Ebest - 1e-9) { Ebest = E; memcpy(Cbest, Ctt, (size_t)nmo * nmo * sizeof(double)); found = 1; }
      }
      free(rp); free(Ctt); free(x);
      if (!found) { free(Cbest); break; }
      memcpy(Ct, Cbest, (size_t)nmo * nmo * sizeof(double));
      free(Cbest);
      const int it_before = out.iterations;
      scf_iterate(&c, &opt, e_nuc, Ct, eps, &w, &out);
      out.iterations += it_before;
      res->stable = -1;
      res->stability_lowest = NAN;
    }
  }
  if (st) {
    work_free(&w); free(Ct); free(eps); free(H); free(c.X);
    return st;
  }
  /* fill the result */
  res->is_rohf = c.rohf;
  res->nbf = n;
  res->nmo = nmo;
  res->n_alpha = mol->n_alpha;
  res->n_beta = mol->n_beta;
  res->e_nuc = e_nuc;
  res->e_elec = out.E;
  res->e_total = out.E + e_nuc;
  res->C = dalloc((size_t)n * nmo);
  res->eps = eps;
  res->occ = dalloc((size_t)nmo);
  res->H = H;
  mm(0, 0, n, nmo, nmo, 1.0, c.X, Ct, 0.0, res->C);
  for (int p = 0; p < nmo; p++) res->occ[p] = p < c.ndocc ? 2.0 : p < c.ndocc + c.nsocc ? 1.0 : 0.0;
  res->iterations = out.iterations;
  res->converged = out.converged;
  res->last_de = out.last_de;
  res->last_grad = out.last_grad;
  res->time_total = vqe_wtime() - t0;
  work_free(&w);
  free(Ct);
  free(c.X);
  if (!isfinite(res->e_total))
    return vqe_error_set(err, VQE_ERR_COMPUTE, "SCF energy is not finite");
  if (!out.converged)
    return vqe_error_set(err, VQE_ERR_COMPUTE,
                         "SCF did not converge in %d iterations (last ΔE %.3e, gradient %.3e; thresholds %.0e, %.0e): "
                         "try --scf-max-iter or another --guess",
                         out.iterations, out.last_de, out.last_grad, opt.e_conv, opt.g_conv);
  return VQE_OK;
}
