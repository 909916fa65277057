/* basis.h — Gaussian basis sets: Gaussian94 (.g94/.gbs) parsing and shells placed on a molecule.
 * Used by the libint bridge (integrals.h). */
#ifndef VQE_BASIS_H
#define VQE_BASIS_H

#include "vqe/common.h"
#include "vqe/molecule.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VQE_MAX_L 4   /* S P D F G */

/* One contracted shell on one centre. Exponents in bohr^-2; coefficients as written in the file
 * (for unnormalised primitives; libint normalises). */
typedef struct {
  int l;                 /* angular momentum 0..VQE_MAX_L */
  int pure;              /* 1: 2l+1 spherical functions, 0: (l+1)(l+2)/2 cartesian */
  int nprim;
  double *exps;
  double *coefs;
  double center[3];      /* bohr */
  int atom;              /* index into the molecule */
} vqe_shell;

/* Shells of a basis placed on a molecule, in atom order, then in file order within an atom (an SP
 * shell becomes S then P). The AO ordering is psi4's: shells in this order; within a pure shell
 * m = 0, +1, -1, +2, -2, ... (a pure p shell is z, x, y; every shell of a spherical basis is pure, as
 * in psi4); within a cartesian shell libint2's standard order xx, xy, xz, yy, yz, zz, ... (p: x, y, z).
 * Normalisation as libint2 and psi4: pure functions and the x^l cartesian component have unit norm. */
typedef struct {
  char name[128];        /* canonical lower-case name, e.g. "6-31g*" */
  char path[512];        /* file it was read from */
  int nshell;
  vqe_shell *shells;
  int nbf;               /* number of basis functions */
  int *shell_offset;     /* first function of each shell */
  int max_l;
  int max_nprim;
} vqe_basis;

/* pure_override: -1 as the file says (its first line `spherical`/`cartesian`; files without the
 * word: spherical), 0 cartesian, 1 spherical. `name` is a basis name (case-insensitive, e.g.
 * "6-31G*", "cc-pVDZ") looked up in $VQE_BASIS_PATH (colon-separated directories), then in the
 * project's basis/ directory, then the installed data directory; or a path to a file (contains '/'
 * or ends in .g94/.gbs). Errors: unknown basis (lists where it looked), element missing from the
 * basis (names both), malformed file ("path:line: ... (shell starting at line N)"). */
vqe_status vqe_basis_load(const char *name, const vqe_molecule *mol, int pure_override,
                          vqe_basis *basis, vqe_error *err);
void vqe_basis_free(vqe_basis *basis);
/* Resolve a basis name to a file path (into out, size outsz). */
vqe_status vqe_basis_find(const char *name, char *out, size_t outsz, vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
