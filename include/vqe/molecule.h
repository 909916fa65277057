/* molecule.h — molecules read from XYZ files (ångström by default; bohr inside), charge, spin and
 * electron counts. Used by the basis, integral and SCF layers and by every CLI command. */
#ifndef VQE_MOLECULE_H
#define VQE_MOLECULE_H

#include "vqe/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VQE_MAX_Z 36            /* H..Kr */
#define VQE_MIN_DISTANCE_ANGSTROM 0.1

typedef struct {
  int Z;                 /* atomic number 1..36 */
  double xyz[3];         /* bohr */
  int line;              /* line in the input file (1-based), 0 when built in code */
} vqe_atom;

typedef struct {
  char path[512];        /* file it came from ("" when built in code) */
  int natom;
  vqe_atom *atoms;
  int charge;
  int multiplicity;      /* 2S+1 */
  int n_electrons;       /* sum Z - charge */
  int n_alpha, n_beta;   /* high-spin: n_alpha - n_beta = multiplicity - 1 */
  char basis[256];       /* basis= from the comment line, "" if none */
  char comment[512];     /* the comment line as read */
} vqe_molecule;

/* Values given on the command line; a field applies when its has_ flag is set. */
typedef struct {
  int has_charge, charge;
  int has_multiplicity, multiplicity;
  const char *basis;     /* NULL: keep the file's */
} vqe_molecule_overrides;

/* Read an XYZ file. Comment-line words: charge=Q, multiplicity=M (or mult=M), basis=NAME,
 * units=angstrom|bohr. Unknown key=value words are errors (with the allowed keys); other words are
 * free text. Errors: "path:line: what (allowed)", status VQE_ERR_INPUT. `ov` may be NULL. */
vqe_status vqe_molecule_read(const char *path, const vqe_molecule_overrides *ov, vqe_molecule *mol,
                             vqe_error *err);
/* Build from symbols and ångström coordinates (used by scans and chains). */
vqe_status vqe_molecule_from_atoms(int natom, const int *Z, const double *xyz_angstrom, int charge,
                                   int multiplicity, vqe_molecule *mol, vqe_error *err);
/* Re-derive electron counts after charge/multiplicity changed; validates them. */
vqe_status vqe_molecule_set_spin(vqe_molecule *mol, int charge, int multiplicity, vqe_error *err);
/* Deep copy; dst must be uninitialised or freed. */
vqe_status vqe_molecule_copy(vqe_molecule *dst, const vqe_molecule *src, vqe_error *err);
void vqe_molecule_free(vqe_molecule *mol);   /* accepts NULL / zeroed */

/* Nuclear repulsion sum_{A<B} Z_A Z_B / R_AB, hartree. */
double vqe_molecule_nuclear_repulsion(const vqe_molecule *mol);

/* Element table: "H".."Kr" (case-insensitive lookup); 0 when unknown. */
int vqe_element_z(const char *symbol);
const char *vqe_element_symbol(int Z);
/* Number of core (chemical core) spatial orbitals: 0 for H-He, 1 Li-Ne, 5 Na-Ar, 9 K-Kr. */
int vqe_element_core_orbitals(int Z);

#ifdef __cplusplus
}
#endif
#endif
