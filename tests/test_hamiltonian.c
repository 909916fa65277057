/* test_hamiltonian.c — hamiltonian.h: FCIDUMP reading (psi4 files, every error path) and writing
 * (round trip), active-space resolution and restriction, the Jordan–Wigner builder (published term
 * counts, structure, cutoff), the OpenFermion export, and — from our own SCF — the MO transformation
 * against every correlated psi4 reference. */
#include "chemtest.h"
#include "vqe/fci.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void load(const char *rel, vqe_mo_hamiltonian *h)
{
  vqe_error err = {0};
  vqe_status st = vqe_fcidump_read(tu_src(rel), h, &err);
  if (st) fprintf(stderr, "\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
}

static double fci(const vqe_mo_hamiltonian *h)
{
  vqe_fci_result r;
  vqe_error err = {0};
  vqe_status st = vqe_fci_solve(h, NULL, &r, &err);
  if (st) fprintf(stderr, "\n  %s\n", err.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  double e = r.energy;
  vqe_fci_result_free(&r);
  return e;
}

/* ---- FCIDUMP ------------------------------------------------------------------------------- */

static void test_read_psi4_h2(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/h2_sto3g.psi4.fcidump", &h);
  CU_ASSERT_EQUAL(h.norb, 2);
  CU_ASSERT_EQUAL(h.n_alpha, 1);
  CU_ASSERT_EQUAL(h.n_beta, 1);
  CU_ASSERT_EQUAL(h.ms2, 0);
  CU_ASSERT(isnan(h.e_nuc));
  TU_ASSERT_CLOSE(h.e_core, 0.713753993350418225461, 1e-15);
  TU_ASSERT_CLOSE(h.h[0], -1.25246357335330449345, 1e-15);
  TU_ASSERT_CLOSE(h.h[3], -0.475948715440681735522, 1e-15);
  CU_ASSERT_EQUAL(h.h[1], 0.0);
  /* (21|21) filled by 8-fold symmetry into (12|12), (12|21), ... */
  TU_ASSERT_CLOSE(h.eri[((0 * 2 + 1) * 2 + 0) * 2 + 1], 0.181288808231110654123, 1e-15);
  TU_ASSERT_CLOSE(h.eri[((1 * 2 + 0) * 2 + 0) * 2 + 1], 0.181288808231110654123, 1e-15);
  TU_ASSERT_CLOSE(fci(&h), -1.1372701746571046, 1e-10);
  TU_ASSERT_CLOSE(vqe_mo_hamiltonian_hf_energy(&h), -1.1166843870661929, 1e-10);
  vqe_mo_hamiltonian_free(&h);
}

static void test_round_trip(void)
{
  vqe_mo_hamiltonian a, b;
  load("tests/data/h2o_sto3g.psi4.fcidump", &a);
  const char *path = tu_tmpfile(".fcidump", "old content\n");
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_fcidump_write(path, &a, -1, &err), VQE_OK);
  CU_ASSERT(vqe_fcidump_detect(path));
  CU_ASSERT_EQUAL_FATAL(vqe_fcidump_read(path, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.norb, a.norb);
  CU_ASSERT_EQUAL(b.n_alpha, a.n_alpha);
  CU_ASSERT_EQUAL(b.n_beta, a.n_beta);
  CU_ASSERT_EQUAL(b.e_core, a.e_core);
  size_t n2 = (size_t)a.norb * a.norb;
  double d = 0;
  for (size_t i = 0; i < n2; i++) d = fmax(d, fabs(a.h[i] - b.h[i]));
  for (size_t i = 0; i < n2 * n2; i++) d = fmax(d, fabs(a.eri[i] - b.eri[i]));
  CU_ASSERT(d < 1e-15);
  TU_ASSERT_CLOSE(fci(&b), -75.01257824121475, 1e-8);
  TU_ASSERT_CLOSE(fci(&b), fci(&a), 1e-12);
  unlink(path);
  vqe_mo_hamiltonian_free(&a);
  vqe_mo_hamiltonian_free(&b);
}

static void test_write_failure_leaves_nothing(void)
{
  vqe_mo_hamiltonian a;
  load("tests/data/h2_sto3g.psi4.fcidump", &a);
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_fcidump_write("/nonexistent_dir_vqe/x.fcidump", &a, -1, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "/nonexistent_dir_vqe/x.fcidump");
  CU_ASSERT(access("/nonexistent_dir_vqe/x.fcidump", F_OK) != 0);
  vqe_mo_hamiltonian_free(&a);
}

/* Variants other writers produce: PySCF one-line header, "/" terminator, D exponents, orbital-energy
 * lines, Molpro keys. */
static void test_read_variants(void)
{
  const char *txt =
    " &FCI NORB=  2,NELEC= 2,MS2=0,\n"
    "  ORBSYM=1,1,\n"
    "  ISYM=1, OCC=1,0, TREL=.TRUE.,\n"
    " /\n"
    "  0.6744887662899974D+00   1   1   1   1\n"
    "\n"
    "  0.663468096362712   2   2   1   1\n"
    "  0.181288808231111   2   1   2   1\n"
    "  0.697393767358556   2   2   2   2\n"
    " -1.252463573353304   1   1   0   0\n"
    " -0.475948715440682   2   2   0   0\n"
    " -0.5   1   0   0   0\n"
    "  0.713753993350418   0   0   0   0\n";
  const char *path = tu_tmpfile(".txt", txt);
  vqe_mo_hamiltonian h;
  vqe_error err = {0};
  CU_ASSERT(vqe_fcidump_detect(path));
  vqe_status st = vqe_fcidump_read(path, &h, &err);
  if (st) fprintf(stderr, "\n  %s\n", err.msg);
  CU_ASSERT_EQUAL_FATAL(st, VQE_OK);
  TU_ASSERT_CLOSE(fci(&h), -1.1372701746571046, 1e-10);
  vqe_mo_hamiltonian_free(&h);
  unlink(path);
}

static const char *good_header = "&FCI NORB=2,NELEC=2,MS2=0,\n ORBSYM=1,1,\n ISYM=1,\n&END\n";

static void expect_error(const char *content, const char *piece)
{
  const char *path = tu_tmpfile(".fcidump", content);
  vqe_mo_hamiltonian h;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_fcidump_read(path, &h, &err), VQE_ERR_INPUT);
  CU_ASSERT_EQUAL(err.status, VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, path);
  TU_ASSERT_CONTAINS(err.msg, piece);
  CU_ASSERT_PTR_NULL(h.h);
  unlink(path);
}

static void expect_body_error(const char *body, const char *piece)
{
  char buf[1024];
  snprintf(buf, sizeof buf, "%s%s", good_header, body);
  expect_error(buf, piece);
}

static void test_read_errors(void)
{
  expect_error("", ":1: empty file");
  expect_error("NORB=2\n", ":1: expected '&FCI'");
  expect_error("&FCINORB=2,NELEC=2\n&END\n", ":1: expected '&FCI' followed by a blank");
  expect_error("&FCI NELEC=2,MS2=0,\n&END\n", ":2: FCIDUMP header has no NORB");
  expect_error("&FCI NORB=2,MS2=0,\n&END\n", "has no NELEC");
  expect_error("&FCI NORB=0,NELEC=0,\n&END\n", "NORB=0 out of range (allowed: 1..");
  expect_error("&FCI NORB=2,NELEC=5,\n&END\n", "NELEC=5 does not fit in NORB=2 orbitals (allowed: 0..4)");
  expect_error("&FCI NORB=2,NELEC=2,MS2=1,\n&END\n", "MS2=1 is impossible with NELEC=2");
  expect_error("&FCI NORB=3,NELEC=2,\n ORBSYM=1,1,\n&END\n", "ORBSYM has 2 entries but NORB=3");
  expect_error("&FCI NORB=2,NELEC=2,\n ORBSYM=1,x,\n&END\n", ":2: ORBSYM entry 'x' is not an irrep number");
  expect_error("&FCI NORB=2,NELEC=2,UHF=.TRUE.,\n&END\n", ":1: unrestricted (UHF=.TRUE.)");
  expect_error("&FCI NORB=2,NELEC=2,UHF=maybe,\n&END\n", "UHF expects .TRUE. or .FALSE.");
  expect_error("&FCI NORB=2,NELEC=2,IUHF=1,\n&END\n", "unrestricted (IUHF=1)");
  expect_error("&FCI NORB=two,NELEC=2,\n&END\n", ":1: NORB expects an integer, got 'two'");
  expect_error("&FCI NORB=2,\nNELEC=2,\n", ":3: end of file inside the FCIDUMP header");
  expect_error("&FCI NORB=2,NELEC=2 3,\n&END\n", ":1: unexpected second value '3' for NELEC");
  expect_error("&FCI 7 NORB=2,NELEC=2\n&END\n", ":1: unexpected '7' in the FCIDUMP header");
  expect_error("&FCI NORB=2,NELEC=2, =3\n&END\n", ":1: '=' without a name");
  expect_error("&FCI NORB=2,NELEC=2,MS2=\n&END\n", ":1: MS2= has no value");
  expect_error("&FCI NORB=2,NELEC=2 &END 1.0 1 1 0 0\n", ":1: unexpected text after the end of the FCIDUMP header");
  expect_body_error("0.5 1 1 1\n", ":5: expected 5 fields 'value i j k l', got 4");
  expect_body_error("0.5 1 1 0 0\n0.5 1 1 1 1 1\n", ":6: expected 5 fields 'value i j k l', got more than 5");
  expect_body_error("abc 1 1 0 0\n", ":5: 'abc' is not a finite number");
  expect_body_error("nan 1 1 0 0\n", ":5: 'nan' is not a finite number");
  expect_body_error("0.5 3 1 0 0\n", ":5: index '3' out of range (allowed: integers 0..2, NORB=2)");
  expect_body_error("0.5 1 -1 0 0\n", "index '-1' out of range");
  expect_body_error("0.5 1 1.5 0 0\n", "index '1.5' out of range");
  expect_body_error("0.5 1 1 1 0\n", ":5: index pattern 1 1 1 0 not recognised");
  expect_body_error("0.5 0 1 0 0\n", "index pattern 0 1 0 0 not recognised");
  expect_body_error("0.5 0 0 0 0\n\n0.25 0 0 0 0\n", ":7: second core-energy line '0 0 0 0' (the first is at line 5)");
  vqe_mo_hamiltonian h;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_fcidump_read("/nonexistent/FCIDUMP", &h, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "/nonexistent/FCIDUMP: cannot open");
  CU_ASSERT(!vqe_fcidump_detect("/nonexistent/FCIDUMP"));
}

/* ---- Active spaces ---------------------------------------------------------------------------- */

static void expect_as_error(const vqe_molecule *mol, int nmo, int na, int nb, int fc, int m, int e, const char *piece)
{
  vqe_active_space as;
  vqe_error err = {0};
  CU_ASSERT_EQUAL(vqe_active_space_resolve(mol, nmo, na, nb, fc, m, e, &as, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, piece);
}

static void test_active_space_resolve(void)
{
  vqe_active_space as;
  vqe_error err = {0};
  /* water: 7 orbitals, 5+5 electrons */
  CU_ASSERT_EQUAL(vqe_active_space_resolve(NULL, 7, 5, 5, VQE_FROZEN_NOT_GIVEN, -1, -1, &as, &err), VQE_OK);
  CU_ASSERT(as.n_frozen == 0 && as.n_active == 7 && as.n_alpha == 5 && as.n_beta == 5);
  CU_ASSERT_EQUAL(vqe_active_space_resolve(NULL, 13, 5, 5, 1, 8, -1, &as, &err), VQE_OK);
  CU_ASSERT(as.n_frozen == 1 && as.n_active == 8 && as.n_alpha == 4 && as.n_beta == 4);
  /* --active-electrons alone fixes the inactive count (CASCI convention) */
  CU_ASSERT_EQUAL(vqe_active_space_resolve(NULL, 13, 5, 5, VQE_FROZEN_NOT_GIVEN, 6, 4, &as, &err), VQE_OK);
  CU_ASSERT(as.n_frozen == 3 && as.n_active == 6 && as.n_alpha == 2 && as.n_beta == 2);
  CU_ASSERT_EQUAL(vqe_active_space_resolve(NULL, 13, 5, 5, 1, 8, 8, &as, &err), VQE_OK);
  /* open shell: OH 5α 4β in 6 orbitals, frozen 1 */
  CU_ASSERT_EQUAL(vqe_active_space_resolve(NULL, 6, 5, 4, 1, -1, -1, &as, &err), VQE_OK);
  CU_ASSERT(as.n_frozen == 1 && as.n_active == 5 && as.n_alpha == 4 && as.n_beta == 3);
  /* auto from the molecule: N2 → 2, H2O → 1 */
  vqe_molecule mol;
  int Z[3] = { 8, 1, 1 };
  double xyz[9] = { 0, 0, 0.1173, 0, 0.7572, -0.4692, 0, -0.7572, -0.4692 };
  CU_ASSERT_EQUAL_FATAL(vqe_molecule_from_atoms(3, Z, xyz, 0, 1, &mol, &err), VQE_OK);
  CU_ASSERT_EQUAL(vqe_active_space_resolve(&mol, 7, 5, 5, VQE_FROZEN_AUTO, -1, -1, &as, &err), VQE_OK);
  CU_ASSERT_EQUAL(as.n_frozen, 1);
  vqe_molecule_free(&mol);
  /* error paths */
  expect_as_error(NULL, 7, 5, 5, VQE_FROZEN_AUTO, -1, -1, "--frozen-core auto needs a molecule");
  expect_as_error(NULL, 7, 5, 5, 6, -1, -1, "6 frozen orbitals but the reference has only 5 doubly occupied orbitals (allowed: 0..5)");
  expect_as_error(NULL, 6, 5, 4, 5, -1, -1, "only 4 doubly occupied");
  expect_as_error(NULL, 7, 5, 5, -3, -1, -1, "frozen-core count -3 is negative");
  expect_as_error(NULL, 7, 5, 5, 1, 7, -1, "7 active orbitals with 1 frozen of 7 orbitals (allowed: 1..6)");
  expect_as_error(NULL, 7, 5, 5, 0, 0, -1, "(allowed: 1..7)");
  expect_as_error(NULL, 7, 5, 5, 0, -4, -1, "--active-orbitals -4 is negative");
  expect_as_error(NULL, 7, 5, 5, VQE_FROZEN_NOT_GIVEN, -1, -2, "--active-electrons -2 is negative");
  expect_as_error(NULL, 7, 5, 5, VQE_FROZEN_NOT_GIVEN, -1, 12, "12 active electrons but the molecule has only 10 (allowed: 0..10)");
  expect_as_error(NULL, 7, 5, 5, VQE_FROZEN_NOT_GIVEN, -1, 5, "5 active electrons leave 5 inactive electrons");
  expect_as_error(NULL, 7, 5, 5, VQE_FROZEN_NOT_GIVEN, -1, 5, "allowed: even numbers of active electrons");
  expect_as_error(NULL, 6, 5, 4, VQE_FROZEN_NOT_GIVEN, -1, 4, "multiplicity 2 allowed: odd");
  expect_as_error(NULL, 13, 5, 5, 1, -1, 6, "6 active electrons do not match 1 frozen orbitals");
  expect_as_error(NULL, 13, 5, 5, 1, -1, 6, "(allowed: --active-electrons 8");
  expect_as_error(NULL, 13, 5, 5, 1, 3, -1, "8 active electrons (4 alpha, 4 beta) do not fit in 3 active orbitals (allowed: at least 4 orbitals)");
  expect_as_error(NULL, 13, 5, 5, 1, -1, 40, "40 active electrons but the molecule has only 10");
}

static void test_restrict(void)
{
  vqe_mo_hamiltonian a, b;
  load("tests/data/h2o_sto3g.psi4.fcidump", &a);
  vqe_error err = {0};
  /* the full space as an "active space" is the identity, bit for bit */
  vqe_active_space all = { 0, 7, 5, 5 };
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_restrict(&a, &all, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(b.e_core, a.e_core);
  CU_ASSERT_EQUAL(memcmp(a.h, b.h, 49 * sizeof(double)), 0);
  CU_ASSERT_EQUAL(memcmp(a.eri, b.eri, 2401 * sizeof(double)), 0);
  vqe_mo_hamiltonian_free(&b);
  /* freezing every occupied orbital leaves E_core = E_HF */
  vqe_active_space core5 = { 5, 2, 0, 0 };
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_restrict(&a, &core5, &b, &err), VQE_OK);
  TU_ASSERT_CLOSE(b.e_core, -74.96302313852723, 1e-10);
  TU_ASSERT_CLOSE(fci(&b), -74.96302313852723, 1e-10);
  CU_ASSERT_EQUAL(b.n_frozen, 5);
  vqe_mo_hamiltonian_free(&b);
  vqe_active_space bad = { 3, 5, 2, 2 };
  CU_ASSERT_EQUAL(vqe_mo_hamiltonian_restrict(&a, &bad, &b, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "does not fit in 7 orbitals");
  vqe_mo_hamiltonian_free(&a);
}

/* ---- Jordan–Wigner ---------------------------------------------------------------------------- */

static int has_term(const vqe_pauli_sum *s, uint64_t x, uint64_t z, double *c)
{
  for (size_t i = 0; i < s->n_terms; i++)
    if (s->terms[i].x == x && s->terms[i].z == z) { if (c) *c = s->terms[i].coeff; return 1; }
  return 0;
}

static void test_jw_h2(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/h2_sto3g.psi4.fcidump", &h);
  vqe_pauli_sum s;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_OK);
  CU_ASSERT_EQUAL(s.n_qubits, 4);
  CU_ASSERT_EQUAL(s.n_terms, 15);
  CU_ASSERT_EQUAL(vqe_pauli_sum_n_xgroups(&s), 2);
  /* I, Z_j, Z_iZ_j and the four XXYY-type strings on qubits 0..3 */
  double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  CU_ASSERT(has_term(&s, 0, 0, &c0));
  for (int j = 0; j < 4; j++) CU_ASSERT(has_term(&s, 0, 1u << j, NULL));
  for (int i = 0; i < 4; i++)
    for (int j = i + 1; j < 4; j++) CU_ASSERT(has_term(&s, 0, (1u << i) | (1u << j), NULL));
  CU_ASSERT(has_term(&s, 0xF, 0xC, &c1));   /* X0 X1 Y2 Y3 */
  CU_ASSERT(has_term(&s, 0xF, 0x3, &c2));   /* Y0 Y1 X2 X3 */
  CU_ASSERT(has_term(&s, 0xF, 0x6, &c3));   /* X0 Y1 Y2 X3 */
  TU_ASSERT_CLOSE(c1, c2, 1e-15);
  TU_ASSERT_CLOSE(c3, -c1, 1e-15);
  /* ½(12|21) = K/2 with the sign fixed by the convention: X0X1Y2Y3 = −K/4 (OpenFermion: −0.0453). */
  TU_ASSERT_CLOSE(c1, -0.181288808231110654123 / 4, 1e-14);
  double za = 0, zb = 1;
  has_term(&s, 0, 1, &za);
  has_term(&s, 0, 2, &zb);
  TU_ASSERT_CLOSE(za, zb, 1e-15);        /* α and β of the same orbital */
  /* identity = trace / 2^n = E_core + Σ h_pp + ... (OpenFermion H2 0.7414: −0.0988639693) */
  TU_ASSERT_CLOSE(c0, -0.09886396933545816, 1e-8);
  TU_ASSERT_CLOSE(vqe_pauli_sum_identity(&s), c0, 0);
  vqe_pauli_sum_free(&s);
  vqe_mo_hamiltonian_free(&h);
}

static void test_jw_counts_and_cutoff(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/lih_sto3g.psi4.fcidump", &h);
  vqe_pauli_sum s;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_OK);
  CU_ASSERT_EQUAL(s.n_terms, 631);   /* published LiH/STO-3G count, identity included */
  size_t n_all = s.n_terms;
  double norm = vqe_pauli_sum_one_norm(&s);
  vqe_pauli_sum_free(&s);
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, 1e-3, &s, &err), VQE_OK);
  CU_ASSERT(s.n_terms < n_all);
  for (size_t i = 0; i < s.n_terms; i++) CU_ASSERT(fabs(s.terms[i].coeff) >= 1e-3);
  CU_ASSERT(vqe_pauli_sum_one_norm(&s) <= norm);
  vqe_pauli_sum_free(&s);
  vqe_mo_hamiltonian_free(&h);
  load("tests/data/h2o_sto3g.psi4.fcidump", &h);
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_OK);
  CU_ASSERT_EQUAL(s.n_terms, 1086);
  vqe_pauli_sum_free(&s);
  vqe_mo_hamiltonian_free(&h);
}

static void test_jw_errors(void)
{
  vqe_mo_hamiltonian h;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_alloc(&h, 33, &err), VQE_OK);
  vqe_pauli_sum s;
  CU_ASSERT_EQUAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "1..32 spatial orbitals");
  vqe_mo_hamiltonian_free(&h);
  /* a non-Hermitian one-body part is refused */
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_alloc(&h, 2, &err), VQE_OK);
  h.h[1] = 0.5;
  CU_ASSERT_EQUAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_ERR_INPUT);
  TU_ASSERT_CONTAINS(err.msg, "not Hermitian");
  vqe_mo_hamiltonian_free(&h);
}

static void test_openfermion_text(void)
{
  vqe_mo_hamiltonian h;
  load("tests/data/h2_sto3g.psi4.fcidump", &h);
  vqe_pauli_sum s;
  vqe_error err = {0};
  CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &s, &err), VQE_OK);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_EQUAL(vqe_pauli_sum_write_openfermion(&s, f, &err), VQE_OK);
  fclose(f);
  TU_ASSERT_CONTAINS(buf, " [] +\n");
  TU_ASSERT_CONTAINS(buf, " [Z0] +\n");
  TU_ASSERT_CONTAINS(buf, " [Z0 Z1] +\n");
  TU_ASSERT_CONTAINS(buf, " [X0 X1 Y2 Y3]");
  /* 15 lines, 14 of them continued with " +", the last not */
  int lines = 0, plus = 0;
  for (char *p = buf; *p; p++) if (*p == '\n') { lines++; if (p - buf >= 2 && p[-1] == '+') plus++; }
  CU_ASSERT_EQUAL(lines, 15);
  CU_ASSERT_EQUAL(plus, 14);
  /* parse back: coefficients round-trip exactly (%.17g) */
  double c = 0;
  has_term(&s, 0xF, 0xC, &c);
  char want[64];
  snprintf(want, sizeof want, "%.17g [X0 X1 Y2 Y3]", c);
  TU_ASSERT_CONTAINS(buf, want);
  free(buf);
  vqe_pauli_sum_free(&s);
  vqe_mo_hamiltonian_free(&h);
}


/* ---- From our own SCF ------------------------------------------------------------------------- */

typedef struct {
  vqe_molecule mol;
  vqe_basis basis;
  vqe_integrals ints;
  vqe_scf_result scf;
} sys_t;

static int run_scf(const char *name, sys_t *s)
{
  memset(s, 0, sizeof *s);
  vqe_error err = {0};
  if (!ct_case_molecule(name, &s->mol)) return 0;
  vqe_status st = vqe_basis_load(ct_case_str(name, "basis"), &s->mol, -1, &s->basis, &err);
  if (!st) st = vqe_integrals_compute(&s->basis, &s->mol, -1, &s->ints, &err);
  if (!st) st = vqe_scf_run(&s->mol, &s->basis, &s->ints, NULL, &s->scf, &err);
  if (st) fprintf(stderr, "\n  %s: %s\n", name, err.msg);
  CU_ASSERT_EQUAL(st, VQE_OK);
  return st == VQE_OK;
}

static void free_sys(sys_t *s)
{
  vqe_scf_result_free(&s->scf);
  vqe_integrals_free(&s->ints);
  vqe_basis_free(&s->basis);
  vqe_molecule_free(&s->mol);
}

/* Every correlated psi4 reference: FCI, frozen-core FCI and CASCI energies to 1e-8 Eh. */
static void test_psi4_correlated_references(void)
{
  const cJSON *c;
  double maxdev = 0;
  int ncase = 0;
  cJSON_ArrayForEach(c, tu_psi4_refs()) {
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(c, "corr_method");
    if (!cJSON_IsString(cm)) continue;
    const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
    sys_t s;
    if (!run_scf(name, &s)) { free_sys(&s); continue; }
    const cJSON *ao = cJSON_GetObjectItemCaseSensitive(c, "active_orbitals");
    int fc = (int)tu_json_num(c, "frozen_core");
    int m = cJSON_IsNumber(ao) ? ao->valueint : -1;
    vqe_active_space as;
    vqe_mo_hamiltonian h;
    vqe_error err = {0};
    vqe_status st = vqe_active_space_resolve(&s.mol, s.scf.nmo, s.scf.n_alpha, s.scf.n_beta, fc, m, -1, &as, &err);
    if (!st) st = vqe_mo_hamiltonian_build(&s.scf, &s.ints, &as, &h, &err);
    if (st) fprintf(stderr, "\n  %s: %s\n", name, err.msg);
    CU_ASSERT_EQUAL(st, VQE_OK);
    if (!st) {
      double e = fci(&h), ref = tu_json_num(c, "e_corr_total");
      TU_ASSERT_CLOSE(e, ref, 1e-8);
      maxdev = fmax(maxdev, fabs(e - ref));
      ncase++;
      /* the HF determinant of the active space is the SCF energy (RHF and ROHF) */
      TU_ASSERT_CLOSE(vqe_mo_hamiltonian_hf_energy(&h), s.scf.e_total, 1e-10);
      TU_ASSERT_CLOSE(h.e_nuc, s.scf.e_nuc, 0);
      vqe_mo_hamiltonian_free(&h);
    }
    free_sys(&s);
  }
  fprintf(stderr, "\n  %d correlated psi4 references, max |E - psi4| = %.2e Eh ", ncase, maxdev);
  CU_ASSERT(ncase >= 12);
}

/* ⟨HF|H_qubit|HF⟩ = E_SCF to 1e-10 through the Pauli sum, RHF (water) and ROHF (OH radical). */
static void test_hf_expectation_rhf_rohf(void)
{
  const char *names[] = { "h2o_sto3g", "oh_radical_sto3g", "lih_sto3g" };
  for (int k = 0; k < 3; k++) {
    sys_t s;
    if (!run_scf(names[k], &s)) { free_sys(&s); continue; }
    vqe_mo_hamiltonian h;
    vqe_error err = {0};
    CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_build(&s.scf, &s.ints, NULL, &h, &err), VQE_OK);
    vqe_pauli_sum H;
    CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &H, &err), VQE_OK);
    size_t dim = (size_t)1 << H.n_qubits;
    double *psi = calloc(dim, sizeof *psi);
    uint64_t b = 0;
    for (int i = 0; i < s.scf.n_alpha; i++) b |= 1ULL << (2 * i);
    for (int i = 0; i < s.scf.n_beta; i++) b |= 1ULL << (2 * i + 1);
    psi[b] = 1.0;
    TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&H, psi), s.scf.e_total, 1e-10);
    if (k == 0) CU_ASSERT_EQUAL(H.n_terms, 1086);
    if (k == 2) CU_ASSERT_EQUAL(H.n_terms, 631);
    /* ⟨Ψ_FCI|H_qubit|Ψ_FCI⟩ = E_FCI */
    vqe_fci_result r;
    CU_ASSERT_EQUAL_FATAL(vqe_fci_solve(&h, NULL, &r, &err), VQE_OK);
    CU_ASSERT_EQUAL(vqe_fci_to_statevector(&r, psi, &err), VQE_OK);
    TU_ASSERT_CLOSE(vqe_pauli_sum_expectation_real(&H, psi), r.energy, 1e-10);
    TU_ASSERT_CLOSE(r.energy, tu_json_num(tu_psi4_case(names[k]), "e_corr_total"), 1e-8);
    vqe_fci_result_free(&r);
    free(psi);
    vqe_pauli_sum_free(&H);
    vqe_mo_hamiltonian_free(&h);
    free_sys(&s);
  }
}

/* An active space equal to the full space gives exactly the full-space numbers; the MO integrals
 * agree with psi4's FCIDUMP up to orbital signs (sign-invariant elements compared). */
static void test_full_active_space_and_psi4_integrals(void)
{
  sys_t s;
  if (!run_scf("h2o_sto3g", &s)) { free_sys(&s); return; }
  vqe_error err = {0};
  vqe_mo_hamiltonian a, b, p;
  vqe_active_space as;
  CU_ASSERT_EQUAL_FATAL(vqe_active_space_resolve(&s.mol, 7, 5, 5, 0, 7, 10, &as, &err), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_build(&s.scf, &s.ints, NULL, &a, &err), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_build(&s.scf, &s.ints, &as, &b, &err), VQE_OK);
  CU_ASSERT_EQUAL(a.e_core, b.e_core);
  CU_ASSERT_EQUAL(a.e_core, s.scf.e_nuc);
  CU_ASSERT_EQUAL(memcmp(a.h, b.h, 49 * sizeof(double)), 0);
  CU_ASSERT_EQUAL(memcmp(a.eri, b.eri, 2401 * sizeof(double)), 0);
  CU_ASSERT_EQUAL(fci(&a), fci(&b));
  load("tests/data/h2o_sto3g.psi4.fcidump", &p);
  double d = fabs(a.e_core - p.e_core);
  for (int i = 0; i < 7; i++)
    for (int j = 0; j < 7; j++) {
      d = fmax(d, fabs(fabs(a.h[i * 7 + j]) - fabs(p.h[i * 7 + j])));
      size_t iijj = ((size_t)(i * 7 + i) * 7 + j) * 7 + j, ijij = ((size_t)(i * 7 + j) * 7 + i) * 7 + j;
      d = fmax(d, fabs(a.eri[iijj] - p.eri[iijj]));
      d = fmax(d, fabs(a.eri[ijij] - p.eri[ijij]));
    }
  fprintf(stderr, "\n  MO integrals vs psi4 FCIDUMP (sign-invariant): max diff %.2e ", d);
  CU_ASSERT(d < 1e-8);
  /* frozen core through the builder = restriction of the full MO Hamiltonian */
  vqe_mo_hamiltonian c, r;
  vqe_active_space fc1;
  CU_ASSERT_EQUAL_FATAL(vqe_active_space_resolve(&s.mol, 7, 5, 5, VQE_FROZEN_AUTO, -1, -1, &fc1, &err), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_build(&s.scf, &s.ints, &fc1, &c, &err), VQE_OK);
  CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_restrict(&a, &fc1, &r, &err), VQE_OK);
  TU_ASSERT_CLOSE(c.e_core, r.e_core, 1e-12);
  TU_ASSERT_CLOSE(fci(&c), -75.0125001540793, 1e-8);
  vqe_mo_hamiltonian_free(&a); vqe_mo_hamiltonian_free(&b); vqe_mo_hamiltonian_free(&p);
  vqe_mo_hamiltonian_free(&c); vqe_mo_hamiltonian_free(&r);
  free_sys(&s);
}

/* Degenerate orbitals (the p shells of H2/cc-pVDZ, N2's π pairs) are rotated to a canonical,
 * axis-aligned form before the transformation, so the Pauli representation does not depend on the
 * rotation the SCF happened to return (which varies with thread count / summation order). */
static void test_degenerate_orbitals_canonical(void)
{
  const char *names[] = { "h2_ccpvdz", "n2_sto3g" };
  const int frozen[] = { 0, 2 };
  const size_t want[] = { 2239, 825 };
  for (int k = 0; k < 2; k++) {
    size_t nterms[2] = {0, 0};
    double norm[2] = {0, 0};
    for (int t = 1; t <= 2; t++) {
      vqe_set_threads(t);
      sys_t s;
      if (!run_scf(names[k], &s)) { free_sys(&s); continue; }
      vqe_error err = {0};
      vqe_active_space as;
      vqe_mo_hamiltonian h;
      vqe_pauli_sum H;
      CU_ASSERT_EQUAL_FATAL(vqe_active_space_resolve(&s.mol, s.scf.nmo, s.scf.n_alpha, s.scf.n_beta, frozen[k], -1, -1, &as, &err), VQE_OK);
      CU_ASSERT_EQUAL_FATAL(vqe_mo_hamiltonian_build(&s.scf, &s.ints, &as, &h, &err), VQE_OK);
      CU_ASSERT_EQUAL_FATAL(vqe_hamiltonian_jordan_wigner(&h, -1, &H, &err), VQE_OK);
      nterms[t - 1] = H.n_terms;
      norm[t - 1] = vqe_pauli_sum_one_norm(&H);
      TU_ASSERT_CLOSE(vqe_mo_hamiltonian_hf_energy(&h), s.scf.e_total, 1e-10);
      vqe_pauli_sum_free(&H);
      vqe_mo_hamiltonian_free(&h);
      free_sys(&s);
    }
    vqe_set_threads(2);
    CU_ASSERT_EQUAL(nterms[0], want[k]);
    CU_ASSERT_EQUAL(nterms[1], want[k]);
    TU_ASSERT_CLOSE(norm[0], norm[1], 1e-9);
  }
}

int main(void)
{
  const tu_test tests[] = {
    { "read psi4 FCIDUMP (H2)", test_read_psi4_h2 },
    { "FCIDUMP round trip reproduces E_FCI", test_round_trip },
    { "FCIDUMP write failure leaves no file", test_write_failure_leaves_nothing },
    { "FCIDUMP variants (PySCF/Molpro)", test_read_variants },
    { "FCIDUMP errors: path:line for each", test_read_errors },
    { "active space resolution and its errors", test_active_space_resolve },
    { "restriction: full space is the identity, all-frozen is HF", test_restrict },
    { "Jordan-Wigner H2: 15 terms, structure", test_jw_h2 },
    { "Jordan-Wigner LiH 631 / H2O 1086 terms, cutoff", test_jw_counts_and_cutoff },
    { "Jordan-Wigner errors", test_jw_errors },
    { "OpenFermion text", test_openfermion_text },
    { "SCF: every correlated psi4 reference to 1e-8", test_psi4_correlated_references },
    { "SCF: <HF|H_qubit|HF> = E_SCF (RHF, ROHF), <FCI|H|FCI> = E_FCI", test_hf_expectation_rhf_rohf },
    { "SCF: full active space = full space; integrals = psi4", test_full_active_space_and_psi4_integrals },
    { "SCF: degenerate orbitals canonical (term count, 1-norm reproducible)", test_degenerate_orbitals_canonical },
    { NULL, NULL },
  };
  return tu_run_suite("hamiltonian", tests);
}
