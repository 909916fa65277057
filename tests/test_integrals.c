/* test_integrals.c — integrals.h: one-electron matrices, 8-fold packed ERIs (permutational symmetry,
 * invariance under reordering the atoms, which exercises every shell-quartet orientation), Schwarz
 * screening and the memory refusal. */
#include "chemtest.h"
#include <stdlib.h>
#include <string.h>

static int setup(const char *casename, const char *basis, int pure, int reverse, vqe_molecule *mol,
                 vqe_basis *b, vqe_integrals *ints, double thr)
{
  if (!ct_case_molecule(casename, mol)) return 0;
  if (reverse)
    for (int a = 0; a < mol->natom / 2; a++) {
      vqe_atom t = mol->atoms[a];
      mol->atoms[a] = mol->atoms[mol->natom - 1 - a];
      mol->atoms[mol->natom - 1 - a] = t;
    }
  vqe_error err = {0};
  if (vqe_basis_load(basis, mol, pure, b, &err)) { fprintf(stderr, "%s\n", err.msg); CU_FAIL("basis"); return 0; }
  if (vqe_integrals_compute(b, mol, thr, ints, &err)) { fprintf(stderr, "%s\n", err.msg); CU_FAIL("ints"); return 0; }
  return 1;
}

static void teardown(vqe_molecule *mol, vqe_basis *b, vqe_integrals *ints)
{
  vqe_integrals_free(ints);
  vqe_basis_free(b);
  vqe_molecule_free(mol);
}

static void test_one_body(void)
{
  vqe_molecule mol;
  vqe_basis b;
  vqe_integrals ints;
  if (!setup("h2o_ccpvdz", "cc-pvdz", -1, 0, &mol, &b, &ints, -1)) return;
  const int n = ints.nbf;
  CU_ASSERT_EQUAL(n, 24);
  double dmax = 0, asym = 0;
  for (int i = 0; i < n; i++) {
    dmax = fmax(dmax, fabs(ints.S[i * n + i] - 1.0));   /* spherical functions are unit-normalised */
    CU_ASSERT(ints.T[i * n + i] > 0);
    CU_ASSERT(ints.V[i * n + i] < 0);
    for (int j = 0; j < n; j++) {
      asym = fmax(asym, fabs(ints.S[i * n + j] - ints.S[j * n + i]));
      asym = fmax(asym, fabs(ints.T[i * n + j] - ints.T[j * n + i]));
      asym = fmax(asym, fabs(ints.V[i * n + j] - ints.V[j * n + i]));
    }
  }
  TU_ASSERT_CLOSE(dmax, 0.0, 1e-12);
  TU_ASSERT_CLOSE(asym, 0.0, 1e-14);
  CU_ASSERT(ints.time_one_body >= 0 && ints.time_eri >= 0);
  teardown(&mol, &b, &ints);
}

/* Cartesian shells: libint normalises the axis-aligned component (x^l); xx, yy, zz have unit norm. */
static void test_cartesian_norm(void)
{
  vqe_molecule mol;
  vqe_basis b;
  vqe_integrals ints;
  if (!setup("h2o_631gs", "6-31g*", -1, 0, &mol, &b, &ints, -1)) return;
  const int n = ints.nbf;
  CU_ASSERT_EQUAL(n, 19);
  for (int s = 0; s < b.nshell; s++) {
    int o = b.shell_offset[s];
    if (b.shells[s].l < 2) {
      for (int f = o; f < b.shell_offset[s + 1]; f++) TU_ASSERT_CLOSE(ints.S[f * n + f], 1.0, 1e-12);
    } else {   /* d: xx xy xz yy yz zz */
      static const int axis[] = { 0, 3, 5 };
      for (int k = 0; k < 3; k++) TU_ASSERT_CLOSE(ints.S[(o + axis[k]) * n + o + axis[k]], 1.0, 1e-12);
      TU_ASSERT_CLOSE(ints.S[(o + 1) * n + o + 1], 1.0 / 3.0, 1e-12);
    }
  }
  teardown(&mol, &b, &ints);
}

/* psi4's AO order and normalisation: row 0 and the diagonal of V for water (the psi4 reference
 * geometry), from psi4 1.3.2 MintsHelper.ao_potential(). cc-pVDZ is spherical (p: z, x, y; d: 0, +1,
 * -1, +2, -2), 6-31G* cartesian (p: x, y, z; d: xx, xy, xz, yy, yz, zz). */
static void check_psi4_v(const char *basis, int nbf, const double *row0, const double *diag)
{
  vqe_molecule mol;
  vqe_basis b;
  vqe_integrals ints;
  if (!setup("h2o_ccpvdz", basis, -1, 0, &mol, &b, &ints, -1)) return;
  CU_ASSERT_EQUAL_FATAL(ints.nbf, nbf);
  double dev = 0;
  for (int i = 0; i < nbf; i++) {
    dev = fmax(dev, fabs(ints.V[i] - row0[i]));
    dev = fmax(dev, fabs(ints.V[i * nbf + i] - diag[i]));
  }
  TU_ASSERT_CLOSE(dev, 0.0, 2e-10);
  teardown(&mol, &b, &ints);
}

static void test_psi4_ao_order(void)
{
  static const double pv_row0[24] = {
    -62.212780001137, 23.818395204505, -6.097098841507, 0.030629422126, 0.000000000000, 0.000000000000,
    0.005728599746, 0.000000000000, 0.000000000000, -0.000386938339, 0.000000000000, 0.000000000000,
    0.003352671548, 0.000000000000, -1.617715409626, -2.123454152347, -2.100793644483, 0.000000000000,
    2.714380488367, -1.617715409626, -2.123454152347, -2.100793644483, 0.000000000000, -2.714380488367 };
  static const double pv_diag[24] = {
    -62.212780001137, -20.639152353625, -8.072624674782, -12.844257415302, -12.780579826989, -12.886718043207,
    -5.430071399910, -5.294717617797, -5.520326177614, -8.491427619870, -8.442511011510, -8.637202098232,
    -8.522129852250, -8.478771017478, -6.101012911700, -4.399961541470, -5.674718921254, -5.199645689201,
    -6.035506245464, -6.101012911700, -4.399961541470, -5.674718921254, -5.199645689201, -6.035506245464 };
  static const double cv_row0[19] = {
    -62.586213684613, -5.182073870985, 0.000000000000, 0.000000000000, 0.027182529380, -5.503248109878,
    0.000000000000, 0.000000000000, 0.003745703457, -0.634256159851, 0.000000000000, 0.000000000000,
    -0.635644668356, 0.000000000000, -0.635089195077, -1.106918200772, -2.240576905421, -1.106918200772,
    -2.240576905421 };
  static const double cv_diag[19] = {
    -62.586213684613, -11.635816075246, -12.682834082597, -12.790589400787, -12.747481850711, -7.672295844378,
    -5.247436412611, -5.471355256412, -5.381776450149, -7.014080730437, -2.373475166653, -2.359294080112,
    -7.321248937191, -2.451424782595, -7.175690365272, -6.411652966307, -4.757373455452, -6.411652966307,
    -4.757373455452 };
  check_psi4_v("cc-pvdz", 24, pv_row0, pv_diag);
  check_psi4_v("6-31g*", 19, cv_row0, cv_diag);
}

/* Unpack the packed array into the full tensor and check all eight permutations. */
static void check_eightfold(const vqe_integrals *ints)
{
  const size_t n = (size_t)ints->nbf;
  double *full = malloc(n * n * n * n * sizeof(double));
  CU_ASSERT_PTR_NOT_NULL_FATAL(full);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      for (size_t k = 0; k < n; k++)
        for (size_t l = 0; l < n; l++) full[((i * n + j) * n + k) * n + l] = ints->eri[vqe_eri_index(i, j, k, l)];
#define F(a, b, c, d) full[(((a) * n + (b)) * n + (c)) * n + (d)]
  double dev = 0, diag_min = 1e300;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      diag_min = fmin(diag_min, F(i, j, i, j));   /* (ij|ij) >= 0 */
      for (size_t k = 0; k < n; k++)
        for (size_t l = 0; l < n; l++) {
          double v = F(i, j, k, l);
          dev = fmax(dev, fabs(v - F(j, i, k, l)));
          dev = fmax(dev, fabs(v - F(i, j, l, k)));
          dev = fmax(dev, fabs(v - F(j, i, l, k)));
          dev = fmax(dev, fabs(v - F(k, l, i, j)));
          dev = fmax(dev, fabs(v - F(l, k, i, j)));
          dev = fmax(dev, fabs(v - F(k, l, j, i)));
          dev = fmax(dev, fabs(v - F(l, k, j, i)));
        }
    }
#undef F
  TU_ASSERT_CLOSE(dev, 0.0, 1e-12);
  CU_ASSERT(diag_min >= -1e-14);
  free(full);
}

/* Map AO functions of the reversed molecule onto the original: atoms reversed, order within an
 * atom kept. Every ERI must agree, which checks that each canonical shell quartet (whatever the
 * orientation of its shells) lands in the right packed slots. */
static void check_reordered(const char *casename, const char *basis)
{
  vqe_molecule m1, m2;
  vqe_basis b1, b2;
  vqe_integrals i1, i2;
  if (!setup(casename, basis, -1, 0, &m1, &b1, &i1, 0.0)) return;
  if (!setup(casename, basis, -1, 1, &m2, &b2, &i2, 0.0)) return;
  check_eightfold(&i1);
  const int n = i1.nbf, na = m1.natom;
  CU_ASSERT_EQUAL_FATAL(n, i2.nbf);
  int *first1 = calloc((size_t)na + 1, sizeof(int)), *first2 = calloc((size_t)na + 1, sizeof(int));
  int *map = malloc((size_t)n * sizeof(int));
  for (int s = 0; s < b1.nshell; s++) first1[b1.shells[s].atom + 1] = b1.shell_offset[s + 1];
  for (int s = 0; s < b2.nshell; s++) first2[b2.shells[s].atom + 1] = b2.shell_offset[s + 1];
  for (int a = 0; a < na; a++) {
    int a2 = na - 1 - a;   /* atom a of m1 is atom a2 of m2 */
    for (int f = first1[a]; f < first1[a + 1]; f++) map[f] = first2[a2] + (f - first1[a]);
  }
  double dev = 0, dev1 = 0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      dev1 = fmax(dev1, fabs(i1.S[i * n + j] - i2.S[map[i] * n + map[j]]));
      dev1 = fmax(dev1, fabs(i1.V[i * n + j] - i2.V[map[i] * n + map[j]]));
      for (int k = 0; k < n; k++)
        for (int l = 0; l <= k; l++)
          dev = fmax(dev, fabs(i1.eri[vqe_eri_index((size_t)i, (size_t)j, (size_t)k, (size_t)l)] -
                               i2.eri[vqe_eri_index((size_t)map[i], (size_t)map[j], (size_t)map[k], (size_t)map[l])]));
    }
  }
  TU_ASSERT_CLOSE(dev1, 0.0, 1e-12);
  TU_ASSERT_CLOSE(dev, 0.0, 1e-12);
  free(first1); free(first2); free(map);
  teardown(&m1, &b1, &i1);
  teardown(&m2, &b2, &i2);
}

static void test_eri_symmetry_cartesian_d(void) { check_reordered("h2o_631gs", "6-31g*"); }
static void test_eri_symmetry_pure_d(void) { check_reordered("h2o_ccpvdz", "cc-pvdz"); }

static void test_schwarz(void)
{
  vqe_molecule mol;
  vqe_basis b;
  vqe_integrals a, c;
  if (!setup("h4_chain_sto3g", "cc-pvdz", -1, 0, &mol, &b, &a, 0.0)) return;
  CU_ASSERT_EQUAL(a.n_quartets_screened, 0);
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_integrals_compute(&b, &mol, 1e-6, &c, &err), VQE_OK);
  CU_ASSERT(c.n_quartets_screened > 0);
  CU_ASSERT_EQUAL(c.n_quartets_screened + c.n_quartets_computed, a.n_quartets_computed);
  double dev = 0;
  for (size_t k = 0; k < a.n_eri; k++) dev = fmax(dev, fabs(a.eri[k] - c.eri[k]));
  CU_ASSERT(dev < 1e-6);
  vqe_integrals_free(&c);
  teardown(&mol, &b, &a);
}

static void test_memory_refusal(void)
{
  vqe_molecule mol;
  vqe_basis b;
  vqe_error err = {0};
  if (!ct_case_molecule("h2o_ccpvdz", &mol)) return;
  CU_ASSERT_EQUAL_FATAL(vqe_basis_load("cc-pvdz", &mol, -1, &b, &err), VQE_OK);
  setenv("VQE_MEMORY_LIMIT", "64K", 1);
  vqe_integrals ints;
  vqe_status st = vqe_integrals_compute(&b, &mol, -1, &ints, &err);
  unsetenv("VQE_MEMORY_LIMIT");
  CU_ASSERT_EQUAL(st, VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(err.msg, "two-electron integrals (24 basis functions");
  TU_ASSERT_CONTAINS(err.msg, "needs");
  TU_ASSERT_CONTAINS(err.msg, "64.00 KiB is available");
  CU_ASSERT_PTR_NULL(ints.eri);
  /* 24 functions: 300 pairs, 45150 unique integrals */
  CU_ASSERT_EQUAL(vqe_integrals_eri_bytes(24), 45150u * 8u);
  vqe_integrals_free(&ints);
  vqe_integrals_free(NULL);
  vqe_basis_free(&b);
  vqe_molecule_free(&mol);
}

int main(void)
{
  static const tu_test tests[] = {
    { "one-electron matrices (cc-pVDZ water)", test_one_body },
    { "cartesian d normalisation", test_cartesian_norm },
    { "psi4 AO order (pure and cartesian)", test_psi4_ao_order },
    { "ERI 8-fold symmetry + atom reordering, cartesian d", test_eri_symmetry_cartesian_d },
    { "ERI 8-fold symmetry + atom reordering, pure d", test_eri_symmetry_pure_d },
    { "Schwarz screening", test_schwarz },
    { "memory refusal", test_memory_refusal },
    { NULL, NULL },
  };
  return tu_run_suite("integrals", tests);
}
