/* hamiltonian.c — active spaces and the MO-basis Hamiltonian (see hamiltonian.h): resolving the user's
 * --frozen-core/--active-* request, the AO→MO transformation of h and (pq|rs) by quarter
 * transformations, and freezing inactive orbitals. Called by the CLI commands and the VQE driver. */
#include "vqe/hamiltonian.h"
#include "vqe_config.h"
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Kernels here go parallel above this many flops (a few milliseconds of work). */
#if VQE_TEST_BUILD
#define HAM_OMP_MIN_WORK 0.0   /* the test build runs every kernel in parallel */
#else
#define HAM_OMP_MIN_WORK 2e7
#endif

void vqe_mo_hamiltonian_free(vqe_mo_hamiltonian *ham)
{
  if (!ham) return;
  vqe_free(ham->h);
  vqe_free(ham->eri);
  ham->h = ham->eri = NULL;
}

vqe_status vqe_mo_hamiltonian_alloc(vqe_mo_hamiltonian *ham, int norb, vqe_error *err)
{
  memset(ham, 0, sizeof *ham);
  if (norb <= 0 || norb > 1000)
    return vqe_error_set(err, VQE_ERR_INPUT, "number of orbitals %d out of range (allowed: 1..1000)", norb);
  size_t n2 = (size_t)norb * norb, n4 = n2 * n2;
  vqe_status st = vqe_mem_check((uint64_t)(n4 + n2) * 8u, "the MO two-electron integrals",
                                "use a smaller active space (--active-orbitals)", err);
  if (st) return st;
  ham->norb = norb;
  ham->h = vqe_aligned_alloc(n2, sizeof *ham->h);
  ham->eri = vqe_aligned_alloc(n4, sizeof *ham->eri);
  if (!ham->h || !ham->eri) {
    vqe_mo_hamiltonian_free(ham);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for MO integrals of %d orbitals", norb);
  }
  memset(ham->h, 0, n2 * sizeof *ham->h);
  memset(ham->eri, 0, n4 * sizeof *ham->eri);
  ham->e_nuc = NAN;
  return VQE_OK;
}

vqe_status vqe_mo_hamiltonian_copy(vqe_mo_hamiltonian *dst, const vqe_mo_hamiltonian *src, vqe_error *err)
{
  vqe_status st = vqe_mo_hamiltonian_alloc(dst, src->norb, err);
  if (st) return st;
  double *h = dst->h, *eri = dst->eri;
  *dst = *src;
  dst->h = h;
  dst->eri = eri;
  size_t n2 = (size_t)src->norb * src->norb;
  memcpy(h, src->h, n2 * sizeof *h);
  memcpy(eri, src->eri, n2 * n2 * sizeof *eri);
  return VQE_OK;
}

vqe_status vqe_active_space_resolve(const vqe_molecule *mol, int nmo, int n_alpha, int n_beta,
                                    int frozen_core, int active_orbitals, int active_electrons,
                                    vqe_active_space *as, vqe_error *err)
{
  memset(as, 0, sizeof *as);
  const int ne = n_alpha + n_beta, s2 = n_alpha - n_beta;
  if (nmo <= 0 || n_alpha < 0 || n_beta < 0 || s2 < 0 || n_alpha > nmo)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space: %d alpha and %d beta electrons in %d orbitals is not a valid reference",
                         n_alpha, n_beta, nmo);
  if (active_orbitals < -1)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space: --active-orbitals %d is negative (allowed: 1..%d)", active_orbitals, nmo);
  if (active_electrons < -1)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space: --active-electrons %d is negative (allowed: 0..%d)", active_electrons, ne);
  int nf;
  if (frozen_core >= 0) {
    nf = frozen_core;
  } else if (frozen_core == VQE_FROZEN_AUTO) {
    if (!mol) return vqe_error_set(err, VQE_ERR_INPUT, "active space: --frozen-core auto needs a molecule (give a number of orbitals instead)");
    nf = 0;
    for (int a = 0; a < mol->natom; a++) nf += vqe_element_core_orbitals(mol->atoms[a].Z);
  } else if (frozen_core == VQE_FROZEN_NOT_GIVEN) {
    nf = 0;
    if (active_electrons >= 0) {
      if (active_electrons > ne)
        return vqe_error_set(err, VQE_ERR_INPUT, "active space: %d active electrons but the molecule has only %d (allowed: 0..%d)",
                             active_electrons, ne, ne);
      if ((ne - active_electrons) % 2)
        return vqe_error_set(err, VQE_ERR_INPUT,
                             "active space: %d active electrons leave %d inactive electrons, which cannot fill doubly occupied orbitals "
                             "(with %d electrons and multiplicity %d allowed: %s numbers of active electrons, at least %d)",
                             active_electrons, ne - active_electrons, ne, s2 + 1, ne % 2 ? "odd" : "even", s2);
      nf = (ne - active_electrons) / 2;
    }
  } else {
    return vqe_error_set(err, VQE_ERR_INPUT, "active space: frozen-core count %d is negative (allowed: 0..%d or auto)", frozen_core, n_beta);
  }
  if (nf > n_beta)
    return vqe_error_set(err, VQE_ERR_INPUT,
                         "active space: %d frozen orbitals but the reference has only %d doubly occupied orbitals (allowed: 0..%d)",
                         nf, n_beta, n_beta);
  int e_act = ne - 2 * nf;
  if (active_electrons >= 0 && active_electrons != e_act) {
    if (active_electrons > ne)
      return vqe_error_set(err, VQE_ERR_INPUT, "active space: %d active electrons but the molecule has only %d (allowed: 0..%d)",
                           active_electrons, ne, ne);
    return vqe_error_set(err, VQE_ERR_INPUT,
                         "active space: %d active electrons do not match %d frozen orbitals: %d electrons − 2×%d leaves %d "
                         "(allowed: --active-electrons %d, or leave out --frozen-core)",
                         active_electrons, nf, ne, nf, e_act, e_act);
  }
  int avail = nmo - nf;
  int m = active_orbitals < 0 ? avail : active_orbitals;
  if (m > avail || m < 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space: %d active orbitals with %d frozen of %d orbitals (allowed: 1..%d)",
                         m, nf, nmo, avail);
  int na = n_alpha - nf, nb = n_beta - nf;
  if (na > m)
    return vqe_error_set(err, VQE_ERR_INPUT,
                         "active space: %d active electrons (%d alpha, %d beta) do not fit in %d active orbitals (allowed: at least %d orbitals)",
                         e_act, na, nb, m, na);
  as->n_frozen = nf;
  as->n_active = m;
  as->n_alpha = na;
  as->n_beta = nb;
  return VQE_OK;
}

vqe_status vqe_mo_hamiltonian_restrict(const vqe_mo_hamiltonian *full, const vqe_active_space *as,
                                       vqe_mo_hamiltonian *out, vqe_error *err)
{
  const int N = full->norb, nf = as->n_frozen, m = as->n_active;
  if (nf < 0 || m < 1 || nf + m > N)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space of %d frozen + %d active orbitals does not fit in %d orbitals", nf, m, N);
  vqe_status st = vqe_mo_hamiltonian_alloc(out, m, err);
  if (st) return st;
  const size_t N2 = (size_t)N * N, N3 = N2 * N;
#define FE(p, q, r, s) full->eri[(size_t)(p) * N3 + (size_t)(q) * N2 + (size_t)(r) * (size_t)N + (size_t)(s)]
  double ecore = full->e_core;
  for (int i = 0; i < nf; i++) {
    ecore += 2.0 * full->h[i * N + i];
    for (int j = 0; j < nf; j++) ecore += 2.0 * FE(i, i, j, j) - FE(i, j, j, i);
  }
  for (int t = 0; t < m; t++)
    for (int u = 0; u < m; u++) {
      int T = t + nf, U = u + nf;
      double v = full->h[T * N + U];
      for (int i = 0; i < nf; i++) v += 2.0 * FE(T, U, i, i) - FE(T, i, i, U);
      out->h[t * m + u] = v;
    }
  const size_t m2 = (size_t)m * m, m3 = m2 * m;
#pragma omp parallel for schedule(static) if ((double)m * m * m * m >= HAM_OMP_MIN_WORK)
  for (int t = 0; t < m; t++)
    for (int u = 0; u < m; u++)
      for (int v = 0; v < m; v++)
        memcpy(out->eri + (size_t)t * m3 + (size_t)u * m2 + (size_t)v * m, &FE(t + nf, u + nf, v + nf, nf), (size_t)m * sizeof(double));
#undef FE
  out->e_core = ecore;
  out->e_nuc = full->e_nuc;
  out->n_frozen = full->n_frozen + nf;
  out->n_alpha = as->n_alpha;
  out->n_beta = as->n_beta;
  out->ms2 = as->n_alpha - as->n_beta;
  return VQE_OK;
}

/* Two-electron MO integrals of the first nt orbitals by quarter transformations:
 *   (μν|rs) = Σ_λσ (μν|λσ) C_λr C_σs     for every packed AO pair μ>=ν  (OpenMP over AO pairs)
 *   (pq|rs) = Σ_μν C_μp C_νq (μν|rs)      for every packed MO pair r>=s  (OpenMP over MO pairs)
 * each half a pair of dgemms on nbf x nbf blocks: O(nbf^4 nt) in all. */
static vqe_status ham_transform_eri(int nbf, int nt, const double *Ct, const double *ao, double *eri, vqe_error *err)
{
  const size_t nb = (size_t)nbf, npa = nb * (nb + 1) / 2, npm = (size_t)nt * (nt + 1) / 2;
  vqe_status st = vqe_mem_check((uint64_t)npa * npm * 8u, "the half-transformed integrals", NULL, err);
  if (st) return st;
  double *X = malloc(npa * npm * sizeof *X);
  if (!X) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for half-transformed integrals (%zu x %zu)", npa, npm);
  int fail = 0;
  /* Thread wake-ups cost more than the work for small bases (see FCI_OMP_MIN_WORK in fci.c). */
  const int par = (double)npa * (double)nb * (double)nb * (double)nt >= HAM_OMP_MIN_WORK;
#pragma omp parallel if (par)
  {
    double *M = malloc(nb * nb * sizeof *M), *T = malloc(nb * (size_t)nt * sizeof *T), *R = malloc((size_t)nt * nt * sizeof *R);
    if (!M || !T || !R) {
#pragma omp atomic write
      fail = 1;
    } else {
#pragma omp for schedule(dynamic, 4)
      for (size_t P = 0; P < npa; P++) {
        for (size_t l = 0; l < nb; l++)
          for (size_t s = 0; s <= l; s++) {
            size_t Q = l * (l + 1) / 2 + s;
            M[l * nb + s] = M[s * nb + l] = ao[P >= Q ? P * (P + 1) / 2 + Q : Q * (Q + 1) / 2 + P];
          }
        /* T = M C (nbf x nt), R = C^T T (nt x nt) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nbf, nt, nbf, 1.0, M, nbf, Ct, nt, 0.0, T, nt);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nt, nt, nbf, 1.0, Ct, nt, T, nt, 0.0, R, nt);
        double *x = X + P * npm;
        for (int r = 0; r < nt; r++)
          for (int s = 0; s <= r; s++) x[(size_t)r * (r + 1) / 2 + s] = R[r * nt + s];
      }
    }
    free(M); free(T); free(R);
  }
  if (fail) { free(X); return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for transformation buffers"); }
  const size_t n1 = (size_t)nt, n2 = n1 * n1, n3 = n2 * n1;
#pragma omp parallel if (par)
  {
    double *M = malloc(nb * nb * sizeof *M), *T = malloc(nb * n1 * sizeof *T), *R = malloc(n2 * sizeof *R);
    if (!M || !T || !R) {
#pragma omp atomic write
      fail = 1;
    } else {
#pragma omp for schedule(dynamic, 4)
      for (size_t RS = 0; RS < npm; RS++) {
        size_t r = (size_t)((sqrt(8.0 * (double)RS + 1.0) - 1.0) / 2.0);
        while (r * (r + 1) / 2 > RS) r--;
        while ((r + 1) * (r + 2) / 2 <= RS) r++;
        size_t s = RS - r * (r + 1) / 2;
        for (size_t mu = 0; mu < nb; mu++)
          for (size_t nu = 0; nu <= mu; nu++)
            M[mu * nb + nu] = M[nu * nb + mu] = X[(mu * (mu + 1) / 2 + nu) * npm + RS];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nbf, nt, nbf, 1.0, M, nbf, Ct, nt, 0.0, T, nt);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nt, nt, nbf, 1.0, Ct, nt, T, nt, 0.0, R, nt);
        for (size_t p = 0; p < n1; p++)
          for (size_t q = 0; q < n1; q++) {
            double v = R[p * n1 + q];
            eri[p * n3 + q * n2 + r * n1 + s] = v;
            eri[p * n3 + q * n2 + s * n1 + r] = v;
          }
      }
    }
    free(M); free(T); free(R);
  }
  free(X);
  if (fail) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for transformation buffers");
  /* Make (pq|rs) = (rs|pq) and (pq|rs) = (qp|rs) exact: copy the canonical element (pq >= rs, p >= q). */
  for (size_t p = 0; p < n1; p++)
    for (size_t q = 0; q < n1; q++)
      for (size_t r = 0; r < n1; r++)
        for (size_t s = 0; s < n1; s++) {
          size_t a = p > q ? p : q, b = p > q ? q : p, c = r > s ? r : s, d = r > s ? s : r;
          size_t ab = a * (a + 1) / 2 + b, cd = c * (c + 1) / 2 + d;
          size_t src = ab >= cd ? a * n3 + b * n2 + c * n1 + d : c * n3 + d * n2 + a * n1 + b;
          eri[p * n3 + q * n2 + r * n1 + s] = eri[src];
        }
  return VQE_OK;
}

/* Degenerate orbitals (π pairs of linear molecules, t2 sets, ...) come out of the SCF in an arbitrary
 * rotation that can change from run to run (summation order in threaded Fock builds). Energies do not
 * care, but the Pauli representation does: its term count and 1-norm change with the rotation. So each
 * block of orbitals with equal energy (|Δε| < HAM_DEGENERATE_EPS), equal occupation and on the same side
 * of the frozen/active boundary is rotated to the eigenvectors of C_b^T W C_b, W = diag(1, 2, …, nbf) on
 * the AOs: a rotation fixed by the block's span alone, which aligns π orbitals with the Cartesian axes
 * (px and py AOs have different weights) and so keeps symmetry zeros exact. Signs: the largest
 * coefficient of each rotated orbital is positive. No energy changes (the rotation stays within one
 * space and one occupation). */
#define HAM_DEGENERATE_EPS 1e-6

static void ham_canonicalize_degenerate(const vqe_scf_result *scf, int nt, int n_frozen, double *Ct)
{
  const int nbf = scf->nbf;
  for (int b0 = 0; b0 < nt;) {
    int b1 = b0 + 1;
    while (b1 < nt && fabs(scf->eps[b1] - scf->eps[b0]) < HAM_DEGENERATE_EPS && scf->occ[b1] == scf->occ[b0] &&
           !(b0 < n_frozen && b1 >= n_frozen))
      b1++;
    int k = b1 - b0;
    if (k > 1) {
      double *M = calloc((size_t)k * k, sizeof *M), *w = malloc((size_t)k * sizeof *w);
      double *Cb = malloc((size_t)nbf * k * sizeof *Cb);
      if (M && w && Cb) {
        for (int mu = 0; mu < nbf; mu++)
          for (int i = 0; i < k; i++) Cb[mu * k + i] = Ct[(size_t)mu * nt + b0 + i];
        for (int i = 0; i < k; i++)
          for (int j = 0; j < k; j++) {
            double v = 0;
            for (int mu = 0; mu < nbf; mu++) v += (mu + 1.0) * Cb[mu * k + i] * Cb[mu * k + j];
            M[i * k + j] = v;
          }
        if (LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', k, M, k, w) == 0) {
          for (int j = 0; j < k; j++) {
            double big = 0;
            for (int mu = 0; mu < nbf; mu++) {
              double v = 0;
              for (int i = 0; i < k; i++) v += Cb[mu * k + i] * M[i * k + j];
              Ct[(size_t)mu * nt + b0 + j] = v;
              if (fabs(v) > fabs(big) + 1e-12) big = v;
            }
            if (big < 0)
              for (int mu = 0; mu < nbf; mu++) Ct[(size_t)mu * nt + b0 + j] = -Ct[(size_t)mu * nt + b0 + j];
          }
        }
      }
      free(M); free(w); free(Cb);
    }
    b0 = b1;
  }
}

vqe_status vqe_mo_hamiltonian_build(const vqe_scf_result *scf, const vqe_integrals *ints,
                                    const vqe_active_space *as, vqe_mo_hamiltonian *ham, vqe_error *err)
{
  memset(ham, 0, sizeof *ham);
  if (!scf || !ints || !scf->C || !scf->H || !ints->eri || scf->nbf != ints->nbf)
    return vqe_error_set(err, VQE_ERR_INPUT, "MO Hamiltonian needs an SCF result and the integrals of the same basis");
  vqe_active_space full = { 0, scf->nmo, scf->n_alpha, scf->n_beta };
  if (!as) as = &full;
  const int nbf = scf->nbf, nmo = scf->nmo, nt = as->n_frozen + as->n_active;
  if (as->n_frozen < 0 || as->n_active < 1 || nt > nmo)
    return vqe_error_set(err, VQE_ERR_INPUT, "active space of %d frozen + %d active orbitals does not fit in %d orbitals",
                         as->n_frozen, as->n_active, nmo);
  vqe_mo_hamiltonian mo;
  vqe_status st = vqe_mo_hamiltonian_alloc(&mo, nt, err);
  if (st) return st;
  double *Ct = malloc((size_t)nbf * nt * sizeof *Ct), *T = malloc((size_t)nbf * nt * sizeof *T);
  if (!Ct || !T) {
    free(Ct); free(T);
    vqe_mo_hamiltonian_free(&mo);
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for MO coefficients");
  }
  for (int mu = 0; mu < nbf; mu++)
    for (int p = 0; p < nt; p++) Ct[mu * nt + p] = scf->C[(size_t)mu * nmo + p];
  if (scf->eps && scf->occ) ham_canonicalize_degenerate(scf, nt, as->n_frozen, Ct);
  /* h = C^T H C */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nbf, nt, nbf, 1.0, scf->H, nbf, Ct, nt, 0.0, T, nt);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nt, nt, nbf, 1.0, Ct, nt, T, nt, 0.0, mo.h, nt);
  for (int p = 0; p < nt; p++)
    for (int q = 0; q < p; q++) mo.h[q * nt + p] = mo.h[p * nt + q] = 0.5 * (mo.h[p * nt + q] + mo.h[q * nt + p]);
  free(T);
  st = ham_transform_eri(nbf, nt, Ct, ints->eri, mo.eri, err);
  free(Ct);
  if (st) { vqe_mo_hamiltonian_free(&mo); return st; }
  mo.e_nuc = scf->e_nuc;
  mo.e_core = scf->e_nuc;
  mo.n_alpha = scf->n_alpha;
  mo.n_beta = scf->n_beta;
  mo.ms2 = scf->n_alpha - scf->n_beta;
  mo.n_frozen = 0;
  if (as->n_frozen == 0) {
    mo.n_alpha = as->n_alpha;
    mo.n_beta = as->n_beta;
    mo.ms2 = as->n_alpha - as->n_beta;
    *ham = mo;
    return VQE_OK;
  }
  st = vqe_mo_hamiltonian_restrict(&mo, as, ham, err);
  vqe_mo_hamiltonian_free(&mo);
  return st;
}

double vqe_mo_hamiltonian_hf_energy(const vqe_mo_hamiltonian *ham)
{
  const int n = ham->norb, na = ham->n_alpha, nb = ham->n_beta;
  const size_t n2 = (size_t)n * n, n3 = n2 * n;
#define E(p, q, r, s) ham->eri[(size_t)(p) * n3 + (size_t)(q) * n2 + (size_t)(r) * (size_t)n + (size_t)(s)]
  double e = ham->e_core;
  for (int i = 0; i < na; i++) e += ham->h[i * n + i];
  for (int i = 0; i < nb; i++) e += ham->h[i * n + i];
  for (int i = 0; i < na; i++)
    for (int j = 0; j < na; j++) e += 0.5 * (E(i, i, j, j) - E(i, j, j, i));
  for (int i = 0; i < nb; i++)
    for (int j = 0; j < nb; j++) e += 0.5 * (E(i, i, j, j) - E(i, j, j, i));
  for (int i = 0; i < na; i++)
    for (int j = 0; j < nb; j++) e += E(i, i, j, j);
#undef E
  return e;
}
