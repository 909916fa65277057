// libint_bridge.cpp — the only C++ file of libvqe: S, T, V and 8-fold packed (pq|rs) over a vqe_basis
// through libint2, exposed as the plain C API of integrals.h (and ints_internal.h for the SCF guess).
// OpenMP over shell pairs / quartets with one libint2::Engine per thread; Schwarz screening.
#include "vqe/integrals.h"
#include "integrals/ints_internal.h"

// libint2 pulls in boost::container::small_vector, whose memcpy trips GCC's -Wstringop-overread in
// a system header; the warning is not about our code.
#pragma GCC diagnostic ignored "-Wstringop-overread"
#include <libint2.hpp>

#include <omp.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <utility>
#include <vector>

namespace {

// libint2::initialize() builds global tables (solid harmonics, Boys function); once per process, and
// never finalized: finalize() while another thread still holds an Engine would free tables under it.
std::once_flag libint_once;
void libint_init() { std::call_once(libint_once, [] { libint2::initialize(); }); }

std::vector<libint2::Shell> make_shells(const vqe_basis *b)
{
  std::vector<libint2::Shell> out;
  out.reserve((size_t)b->nshell);
  for (int s = 0; s < b->nshell; s++) {
    const vqe_shell &sh = b->shells[s];
    std::vector<double> ex(sh.exps, sh.exps + sh.nprim), co(sh.coefs, sh.coefs + sh.nprim);
    out.emplace_back(libint2::svector<double>(ex.begin(), ex.end()),
                     libint2::svector<libint2::Shell::Contraction>{{sh.l, sh.pure != 0,
                       libint2::svector<double>(co.begin(), co.end())}},
                     std::array<double, 3>{{sh.center[0], sh.center[1], sh.center[2]}});
  }
  return out;
}

int shell_size(const vqe_shell &s) { return s.pure ? 2 * s.l + 1 : (s.l + 1) * (s.l + 2) / 2; }

// AO index of each libint function. libint2 (Debian build: standard ordering) gives pure shells as
// m = -l..l; psi4 orders them m = 0, +1, -1, +2, -2, ... (so a pure p shell is z, x, y), which is the
// order basis.h promises. Cartesian shells are the same in both (xx, xy, xz, yy, yz, zz, ...).
std::vector<std::vector<int>> ao_maps(const vqe_basis *b)
{
  std::vector<std::vector<int>> maps((size_t)b->nshell);
  for (int s = 0; s < b->nshell; s++) {
    const vqe_shell &sh = b->shells[s];
    const int n = shell_size(sh), o = b->shell_offset[s];
    maps[(size_t)s].resize((size_t)n);
    for (int k = 0; k < n; k++) {
      int pos = k;
      if (sh.pure && sh.l > 0) {
        const int m = k - sh.l;
        pos = m == 0 ? 0 : m > 0 ? 2 * m - 1 : -2 * m;
      }
      maps[(size_t)s][(size_t)k] = o + pos;
    }
  }
  return maps;
}

using charges_t = std::vector<std::pair<double, std::array<double, 3>>>;

// One-body matrix (row-major nbf x nbf) for an operator; OpenMP over shell pairs.
void one_body(const vqe_basis *b, const std::vector<libint2::Shell> &shells, libint2::Operator op,
              const charges_t *charges, double *M)
{
  const auto maps = ao_maps(b);
  const int ns = b->nshell, nbf = b->nbf;
  const int nthr = omp_get_max_threads();
  std::vector<libint2::Engine> eng((size_t)nthr);
  eng[0] = libint2::Engine(op, b->max_nprim, b->max_l, 0);
  if (charges) eng[0].set_params(*charges);
  for (int t = 1; t < nthr; t++) eng[(size_t)t] = eng[0];
  const long npairs = (long)ns * (ns + 1) / 2;
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthr)
  for (long pq = 0; pq < npairs; pq++) {
    int s1 = (int)((std::sqrt(8.0 * (double)pq + 1.0) - 1.0) / 2.0);
    while ((long)s1 * (s1 + 1) / 2 > pq) s1--;
    while ((long)(s1 + 1) * (s1 + 2) / 2 <= pq) s1++;
    const int s2 = (int)(pq - (long)s1 * (s1 + 1) / 2);
    libint2::Engine &e = eng[(size_t)omp_get_thread_num()];
    const auto &buf = e.results();
    e.compute(shells[(size_t)s1], shells[(size_t)s2]);
    const std::vector<int> &m1 = maps[(size_t)s1], &m2 = maps[(size_t)s2];
    const int n1 = (int)m1.size(), n2 = (int)m2.size();
    const double *v = buf[0];
    for (int f1 = 0; f1 < n1; f1++)
      for (int f2 = 0; f2 < n2; f2++) {
        const double x = v ? v[f1 * n2 + f2] : 0.0;
        M[(size_t)m1[(size_t)f1] * nbf + m2[(size_t)f2]] = x;
        M[(size_t)m2[(size_t)f2] * nbf + m1[(size_t)f1]] = x;
      }
  }
}

charges_t molecule_charges(const vqe_molecule *mol, int only_atom)
{
  charges_t q;
  for (int a = 0; a < mol->natom; a++)
    if (only_atom < 0 || a == only_atom)
      q.push_back({(double)mol->atoms[a].Z, {{mol->atoms[a].xyz[0], mol->atoms[a].xyz[1], mol->atoms[a].xyz[2]}}});
  return q;
}

}  // namespace

extern "C" {

uint64_t vqe_integrals_eri_bytes(int nbf)
{
  const uint64_t npair = (uint64_t)nbf * ((uint64_t)nbf + 1) / 2;
  return npair * (npair + 1) / 2 * sizeof(double);
}

void vqe_integrals_free(vqe_integrals *ints)
{
  if (!ints) return;
  vqe_free(ints->S);
  vqe_free(ints->T);
  vqe_free(ints->V);
  vqe_free(ints->eri);
  std::memset(ints, 0, sizeof *ints);
}

vqe_status ints_potential(const vqe_basis *basis, const vqe_molecule *mol, int only_atom, double *V, vqe_error *err)
{
  try {
    libint_init();
    auto shells = make_shells(basis);
    auto q = molecule_charges(mol, only_atom);
    one_body(basis, shells, libint2::Operator::nuclear, &q, V);
  } catch (const std::exception &ex) {
    return vqe_error_set(err, VQE_ERR_INTERNAL, "libint2 failed computing nuclear attraction: %s", ex.what());
  }
  return VQE_OK;
}

vqe_status vqe_integrals_compute(const vqe_basis *basis, const vqe_molecule *mol, double schwarz_threshold,
                                 vqe_integrals *ints, vqe_error *err)
{
  std::memset(ints, 0, sizeof *ints);
  if (!basis || !mol || basis->nbf < 1 || basis->nshell < 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "integrals: empty basis");
  if (basis->max_l > LIBINT2_MAX_AM_eri)
    return vqe_error_set(err, VQE_ERR_INPUT, "integrals: angular momentum %d exceeds what this libint2 build supports (%d)",
                         basis->max_l, (int)LIBINT2_MAX_AM_eri);
  const int nbf = basis->nbf, ns = basis->nshell;
  const double thr = schwarz_threshold < 0 ? 1e-14 : schwarz_threshold;
  const uint64_t npair = (uint64_t)nbf * (nbf + 1) / 2;
  const uint64_t eri_bytes = vqe_integrals_eri_bytes(nbf);
  const uint64_t need = eri_bytes + 3ull * (uint64_t)nbf * (uint64_t)nbf * sizeof(double);
  char what[128];
  std::snprintf(what, sizeof what, "the two-electron integrals (%d basis functions, 8-fold packed)", nbf);
  vqe_status st = vqe_mem_check(need, what, "use a smaller basis set or molecule", err);
  if (st) return st;

  ints->nbf = nbf;
  ints->schwarz_threshold = thr;
  ints->n_eri = (size_t)(npair * (npair + 1) / 2);
  ints->S = (double *)vqe_aligned_alloc((size_t)nbf * nbf, sizeof(double));
  ints->T = (double *)vqe_aligned_alloc((size_t)nbf * nbf, sizeof(double));
  ints->V = (double *)vqe_aligned_alloc((size_t)nbf * nbf, sizeof(double));
  ints->eri = (double *)vqe_aligned_alloc(ints->n_eri, sizeof(double));
  if (!ints->S || !ints->T || !ints->V || !ints->eri) {
    vqe_integrals_free(ints);
    char b1[32];
    return vqe_error_set(err, VQE_ERR_RESOURCE, "allocating %s for %s failed", vqe_format_bytes(need, b1), what);
  }

  try {
    libint_init();
    auto shells = make_shells(basis);
    double t0 = vqe_wtime();
    one_body(basis, shells, libint2::Operator::overlap, nullptr, ints->S);
    one_body(basis, shells, libint2::Operator::kinetic, nullptr, ints->T);
    auto q = molecule_charges(mol, -1);
    one_body(basis, shells, libint2::Operator::nuclear, &q, ints->V);
    ints->time_one_body = vqe_wtime() - t0;

    t0 = vqe_wtime();
    const int nthr = omp_get_max_threads();
    std::vector<libint2::Engine> eng((size_t)nthr);
    eng[0] = libint2::Engine(libint2::Operator::coulomb, basis->max_nprim, basis->max_l, 0);
    for (int t = 1; t < nthr; t++) eng[(size_t)t] = eng[0];

    // Shell pairs (s1 >= s2) and their Schwarz factors Q = sqrt(max |(ab|ab)|).
    std::vector<std::pair<int, int>> pairs;
    pairs.reserve((size_t)ns * (ns + 1) / 2);
    for (int s1 = 0; s1 < ns; s1++)
      for (int s2 = 0; s2 <= s1; s2++) pairs.emplace_back(s1, s2);
    const long np = (long)pairs.size();
    std::vector<double> Q((size_t)np, 0.0);
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthr)
    for (long p = 0; p < np; p++) {
      libint2::Engine &e = eng[(size_t)omp_get_thread_num()];
      const auto &buf = e.results();
      const int s1 = pairs[(size_t)p].first, s2 = pairs[(size_t)p].second;
      e.compute(shells[(size_t)s1], shells[(size_t)s2], shells[(size_t)s1], shells[(size_t)s2]);
      double m = 0.0;
      if (buf[0]) {
        const size_t n = shells[(size_t)s1].size() * shells[(size_t)s2].size();
        for (size_t k = 0; k < n * n; k++) m = std::max(m, std::fabs(buf[0][k]));
      }
      Q[(size_t)p] = std::sqrt(m);
    }

    std::memset(ints->eri, 0, ints->n_eri * sizeof(double));
    size_t computed = 0, screened = 0;
    int failed = 0;
    char failmsg[256] = "";
    double *eri = ints->eri;
    const auto maps = ao_maps(basis);
    // Canonical quartets: pair P = (s1 >= s2) >= pair R = (s3 >= s4). Every packed index belongs to
    // exactly one canonical quartet, so threads never write the same element.
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthr) reduction(+ : computed, screened)
    for (long P = np - 1; P >= 0; P--) {
      if (failed) continue;
      try {
        libint2::Engine &e = eng[(size_t)omp_get_thread_num()];
        const auto &buf = e.results();
        const int s1 = pairs[(size_t)P].first, s2 = pairs[(size_t)P].second;
        const int n1 = (int)shells[(size_t)s1].size(), n2 = (int)shells[(size_t)s2].size();
        for (long R = 0; R <= P; R++) {
          if (Q[(size_t)P] * Q[(size_t)R] < thr) { screened++; continue; }
          const int s3 = pairs[(size_t)R].first, s4 = pairs[(size_t)R].second;
          const int n3 = (int)shells[(size_t)s3].size(), n4 = (int)shells[(size_t)s4].size();
          e.compute(shells[(size_t)s1], shells[(size_t)s2], shells[(size_t)s3], shells[(size_t)s4]);
          computed++;
          const double *v = buf[0];
          if (!v) continue;   // libint screened the whole quartet: zeros
          const int *m1 = maps[(size_t)s1].data(), *m2 = maps[(size_t)s2].data();
          const int *m3 = maps[(size_t)s3].data(), *m4 = maps[(size_t)s4].data();
          for (int f1 = 0, k = 0; f1 < n1; f1++) {
            const size_t i = (size_t)m1[f1];
            for (int f2 = 0; f2 < n2; f2++) {
              const size_t j = (size_t)m2[f2];
              const size_t ij = vqe_pair_index(i, j);
              for (int f3 = 0; f3 < n3; f3++) {
                const size_t kk = (size_t)m3[f3];
                for (int f4 = 0; f4 < n4; f4++, k++) {
                  const size_t l = (size_t)m4[f4];
                  eri[vqe_pair_index(ij, vqe_pair_index(kk, l))] = v[k];
                }
              }
            }
          }
        }
      } catch (const std::exception &ex) {
#pragma omp critical(vqe_ints_fail)
        {
          failed = 1;
          std::snprintf(failmsg, sizeof failmsg, "%s", ex.what());
        }
      }
    }
    if (failed) {
      vqe_integrals_free(ints);
      return vqe_error_set(err, VQE_ERR_INTERNAL, "libint2 failed computing two-electron integrals: %s", failmsg);
    }
    ints->n_quartets_computed = computed;
    ints->n_quartets_screened = screened;
    ints->time_eri = vqe_wtime() - t0;
  } catch (const std::exception &ex) {
    vqe_integrals_free(ints);
    return vqe_error_set(err, VQE_ERR_INTERNAL, "libint2 failed: %s", ex.what());
  }
  return VQE_OK;
}

}  // extern "C"
