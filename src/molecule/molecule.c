/* molecule.c — XYZ reader with strict validation, the element table and nuclear repulsion.
 * Called by the CLI (every command that takes a molecule) and by studies that build geometries. */
#include "vqe/molecule.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const symbols[VQE_MAX_Z + 1] = {
  "", "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl",
  "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se",
  "Br", "Kr"};

int vqe_element_z(const char *symbol)
{
  for (int z = 1; z <= VQE_MAX_Z; z++)
    if (!strcasecmp(symbol, symbols[z])) return z;
  return 0;
}

const char *vqe_element_symbol(int Z) { return Z >= 1 && Z <= VQE_MAX_Z ? symbols[Z] : "?"; }

int vqe_element_core_orbitals(int Z)
{
  if (Z <= 2) return 0;
  if (Z <= 10) return 1;
  if (Z <= 18) return 5;
  return 9;   /* K..Kr: 1s 2s 2p 3s 3p */
}

void vqe_molecule_free(vqe_molecule *mol)
{
  if (!mol) return;
  free(mol->atoms);
  mol->atoms = NULL;
  mol->natom = 0;
}

double vqe_molecule_nuclear_repulsion(const vqe_molecule *mol)
{
  double e = 0.0;
  for (int a = 0; a < mol->natom; a++)
    for (int b = 0; b < a; b++) {
      const double *p = mol->atoms[a].xyz, *q = mol->atoms[b].xyz;
      double r = sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
      e += (double)(mol->atoms[a].Z * mol->atoms[b].Z) / r;
    }
  return e;
}

/* Where a charge/multiplicity came from, for messages: "path:2" or "--charge". */
static vqe_status spin_error(vqe_error *err, const char *where, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
static vqe_status spin_error(vqe_error *err, const char *where, const char *fmt, ...)
{
  char msg[VQE_ERRMSG_MAX - 64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return vqe_error_set(err, VQE_ERR_INPUT, "%s: %s", where, msg);
}

static vqe_status set_spin(vqe_molecule *mol, int charge, int mult, int mult_given, const char *where_q,
                           const char *where_m, vqe_error *err)
{
  int zsum = 0;
  for (int a = 0; a < mol->natom; a++) zsum += mol->atoms[a].Z;
  int ne = zsum - charge;
  if (ne < 1)
    return spin_error(err, where_q, "charge %d leaves %d electrons: it removes more electrons than the %d the "
                      "nuclei bring (allowed: charge <= %d)", charge, ne, zsum, zsum - 1);
  if (!mult_given) mult = (ne % 2) ? 2 : 1;
  if (mult < 1)
    return spin_error(err, where_m, "multiplicity %d is impossible (allowed: 2S+1 >= 1)", mult);
  int unpaired = mult - 1;
  if (unpaired > ne || (ne - unpaired) % 2 != 0) {
    char allowed[128];
    if (ne % 2) snprintf(allowed, sizeof allowed, "2, 4, ... up to %d", ne + 1);
    else snprintf(allowed, sizeof allowed, "1, 3, ... up to %d", ne + 1);
    return spin_error(err, where_m, "multiplicity %d is impossible with %d electrons (allowed: %s)", mult, ne, allowed);
  }
  mol->charge = charge;
  mol->multiplicity = mult;
  mol->n_electrons = ne;
  mol->n_alpha = (ne + unpaired) / 2;
  mol->n_beta = (ne - unpaired) / 2;
  return VQE_OK;
}

vqe_status vqe_molecule_set_spin(vqe_molecule *mol, int charge, int multiplicity, vqe_error *err)
{
  return set_spin(mol, charge, multiplicity, 1, "charge", "multiplicity", err);
}

static vqe_status check_distances(const vqe_molecule *mol, vqe_error *err)
{
  const double dmin = VQE_MIN_DISTANCE_ANGSTROM / VQE_BOHR_ANGSTROM;
  for (int a = 0; a < mol->natom; a++)
    for (int b = 0; b < a; b++) {
      const double *p = mol->atoms[a].xyz, *q = mol->atoms[b].xyz;
      double r = sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
      if (r < dmin) {
        if (mol->atoms[a].line)
          return vqe_error_set(err, VQE_ERR_INPUT,
                               "%s:%d: atom %d (%s) is %.4f Å from atom %d (%s, line %d) (allowed: at least %.1f Å apart)",
                               mol->path, mol->atoms[a].line, a + 1, symbols[mol->atoms[a].Z], r * VQE_BOHR_ANGSTROM,
                               b + 1, symbols[mol->atoms[b].Z], mol->atoms[b].line, VQE_MIN_DISTANCE_ANGSTROM);
        return vqe_error_set(err, VQE_ERR_INPUT, "atoms %d and %d are %.4f Å apart (allowed: at least %.1f Å)",
                             b + 1, a + 1, r * VQE_BOHR_ANGSTROM, VQE_MIN_DISTANCE_ANGSTROM);
      }
    }
  return VQE_OK;
}

vqe_status vqe_molecule_from_atoms(int natom, const int *Z, const double *xyz_angstrom, int charge,
                                   int multiplicity, vqe_molecule *mol, vqe_error *err)
{
  memset(mol, 0, sizeof *mol);
  if (natom < 1) return vqe_error_set(err, VQE_ERR_INPUT, "a molecule needs at least one atom");
  mol->atoms = calloc((size_t)natom, sizeof *mol->atoms);
  if (!mol->atoms) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %d atoms", natom);
  mol->natom = natom;
  for (int a = 0; a < natom; a++) {
    if (Z[a] < 1 || Z[a] > VQE_MAX_Z) {
      vqe_molecule_free(mol);
      return vqe_error_set(err, VQE_ERR_INPUT, "atom %d: atomic number %d is not supported (allowed: 1..%d, H..Kr)",
                           a + 1, Z[a], VQE_MAX_Z);
    }
    mol->atoms[a].Z = Z[a];
    for (int k = 0; k < 3; k++) mol->atoms[a].xyz[k] = xyz_angstrom[3 * a + k] / VQE_BOHR_ANGSTROM;
  }
  vqe_status st = check_distances(mol, err);
  if (!st) st = set_spin(mol, charge, multiplicity, multiplicity > 0, "charge", "multiplicity", err);
  if (st) vqe_molecule_free(mol);
  return st;
}

vqe_status vqe_molecule_copy(vqe_molecule *dst, const vqe_molecule *src, vqe_error *err)
{
  *dst = *src;
  dst->atoms = malloc((size_t)src->natom * sizeof *dst->atoms);
  if (!dst->atoms) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory copying a molecule");
  memcpy(dst->atoms, src->atoms, (size_t)src->natom * sizeof *dst->atoms);
  return VQE_OK;
}

/* ---- XYZ reading ------------------------------------------------------------------------------ */

typedef struct {
  FILE *f;
  const char *path;
  int line;
  char buf[4096];
} reader;

/* Next line (without the newline) or NULL at EOF. Lines longer than the buffer are an error. */
static char *next_line(reader *r, vqe_error *err, int *toolong)
{
  *toolong = 0;
  if (!fgets(r->buf, sizeof r->buf, r->f)) return NULL;
  r->line++;
  size_t n = strlen(r->buf);
  if (n == sizeof r->buf - 1 && r->buf[n - 1] != '\n' && !feof(r->f)) {
    *toolong = 1;
    vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: line longer than %zu characters", r->path, r->line, sizeof r->buf - 2);
    return NULL;
  }
  while (n && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r')) r->buf[--n] = '\0';
  return r->buf;
}

static int blank(const char *s)
{
  while (*s && isspace((unsigned char)*s)) s++;
  return *s == '\0';
}

static int parse_int_word(const char *s, long *v)
{
  char *end;
  errno = 0;
  *v = strtol(s, &end, 10);
  return *s && !*end && !errno;
}

/* Parse key=value words of the comment line. */
static vqe_status parse_comment(reader *r, const char *line, vqe_molecule *mol, int *has_q, int *has_m,
                                double *unit, vqe_error *err)
{
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", line);
  snprintf(mol->comment, sizeof mol->comment, "%s", line);
  /* extended XYZ (ASE, ...) carries keys of its own: read ours, leave theirs alone */
  int extxyz = strstr(line, "Properties=") || strstr(line, "Lattice=");
  char *save = NULL;
  for (char *w = strtok_r(tmp, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
    char *eq = strchr(w, '=');
    if (!eq || eq == w || eq[1] == '\0') continue;   /* free text */
    *eq = '\0';
    const char *key = w, *val = eq + 1;
    long v;
    if (!strcasecmp(key, "charge")) {
      if (!parse_int_word(val, &v) || v < -200 || v > 200)
        return vqe_error_set(err, VQE_ERR_INPUT, "%s:2: charge=%s is not an integer (allowed: e.g. charge=0, charge=-1)", r->path, val);
      mol->charge = (int)v; *has_q = 1;
    } else if (!strcasecmp(key, "multiplicity") || !strcasecmp(key, "mult")) {
      if (!parse_int_word(val, &v) || v < 1 || v > 100)
        return vqe_error_set(err, VQE_ERR_INPUT, "%s:2: %s=%s is not a positive integer (allowed: 1 singlet, 2 doublet, 3 triplet, ...)", r->path, key, val);
      mol->multiplicity = (int)v; *has_m = 1;
    } else if (!strcasecmp(key, "basis")) {
      snprintf(mol->basis, sizeof mol->basis, "%s", val);
    } else if (!strcasecmp(key, "units") || !strcasecmp(key, "unit")) {
      if (!strcasecmp(val, "angstrom") || !strcasecmp(val, "angstroms") || !strcasecmp(val, "ang")) *unit = 1.0 / VQE_BOHR_ANGSTROM;
      else if (!strcasecmp(val, "bohr") || !strcasecmp(val, "au")) *unit = 1.0;
      else return vqe_error_set(err, VQE_ERR_INPUT, "%s:2: units=%s is unknown (allowed: units=angstrom, units=bohr)", r->path, val);
    } else if (!extxyz) {
      return vqe_error_set(err, VQE_ERR_INPUT, "%s:2: unknown key '%s=' on the comment line (allowed: charge=, multiplicity= (or mult=), basis=, units=)",
                           r->path, key);
    }
  }
  return VQE_OK;
}

static vqe_status parse_coord(reader *r, const char *tok, int k, double *out, vqe_error *err)
{
  static const char axis[] = "xyz";
  if (!tok)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: missing %c coordinate (expected 'Symbol x y z')", r->path, r->line, axis[k]);
  char *end;
  errno = 0;
  double v = strtod(tok, &end);
  if (end == tok || *end)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: %c coordinate '%s' is not a number (expected 'Symbol x y z')", r->path, r->line, axis[k], tok);
  if (!isfinite(v) || errno == ERANGE)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: %c coordinate '%s' is not finite (allowed: finite numbers)", r->path, r->line, axis[k], tok);
  *out = v;
  return VQE_OK;
}

static vqe_status read_xyz(reader *r, const vqe_molecule_overrides *ov, vqe_molecule *mol, vqe_error *err)
{
  int toolong;
  char *line = next_line(r, err, &toolong);
  if (toolong) return VQE_ERR_INPUT;
  if (!line || (blank(line) && feof(r->f)))
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:1: empty file (expected the number of atoms on line 1, then a comment line, then 'Symbol x y z' lines)", r->path);
  char first[64] = "";
  long natom;
  if (sscanf(line, " %63s", first) != 1 || !parse_int_word(first, &natom) || natom < 1 || natom > 100000) {
    char extra[64] = "";
    (void)extra;
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:1: expected the number of atoms (a positive integer), got '%s'", r->path, line);
  }
  {
    char a[64], b[64];
    if (sscanf(line, " %63s %63s", a, b) == 2)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s:1: expected only the number of atoms, got '%s'", r->path, line);
  }
  line = next_line(r, err, &toolong);
  if (toolong) return VQE_ERR_INPUT;
  if (!line)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:2: file ends before the comment line (line 1 says %ld atoms)", r->path, natom);
  int has_q = 0, has_m = 0;
  double unit = 1.0 / VQE_BOHR_ANGSTROM;
  vqe_status st = parse_comment(r, line, mol, &has_q, &has_m, &unit, err);
  if (st) return st;

  mol->atoms = calloc((size_t)natom, sizeof *mol->atoms);
  if (!mol->atoms) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory for %ld atoms", natom);
  int n = 0;
  while ((line = next_line(r, err, &toolong))) {
    if (blank(line)) continue;
    if (n == natom)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: more atom lines than the %ld given on line 1", r->path, r->line, natom);
    char *save = NULL;
    char *sym = strtok_r(line, " \t", &save);
    vqe_atom *at = &mol->atoms[n];
    long zz;
    int Z = parse_int_word(sym, &zz) ? (zz >= 1 && zz <= VQE_MAX_Z ? (int)zz : 0) : vqe_element_z(sym);
    if (!Z)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unknown element '%s' (allowed: H to Kr, or atomic numbers 1..%d)", r->path, r->line, sym, VQE_MAX_Z);
    at->Z = Z;
    at->line = r->line;
    for (int k = 0; k < 3; k++) {
      double v = 0.0;
      if ((st = parse_coord(r, strtok_r(NULL, " \t", &save), k, &v, err))) return st;
      at->xyz[k] = v * unit;
    }
    char *extra = strtok_r(NULL, " \t", &save);
    if (extra)
      return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unexpected field '%s' after the coordinates (expected 'Symbol x y z')", r->path, r->line, extra);
    n++;
  }
  if (toolong) return VQE_ERR_INPUT;
  mol->natom = n;
  if (n < natom)
    return vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: file ends after %d atom lines but line 1 says %ld", r->path, r->line, n, natom);
  if ((st = check_distances(mol, err))) return st;

  char wq[600], wm[600];
  int charge = mol->charge, mult = mol->multiplicity;
  snprintf(wq, sizeof wq, "%s:2", r->path);
  snprintf(wm, sizeof wm, "%s:2", r->path);
  if (ov && ov->has_charge) { charge = ov->charge; snprintf(wq, sizeof wq, "%s: --charge %d", r->path, charge); }
  if (ov && ov->has_multiplicity) {
    mult = ov->multiplicity; has_m = 1;
    snprintf(wm, sizeof wm, "%s: --multiplicity %d", r->path, mult);
  } else if (!has_m && ov && ov->has_charge) {
    snprintf(wm, sizeof wm, "%s: --charge %d", r->path, charge);
  }
  if (ov && ov->basis) snprintf(mol->basis, sizeof mol->basis, "%s", ov->basis);
  return set_spin(mol, charge, mult, has_m, wq, wm, err);
}

vqe_status vqe_molecule_read(const char *path, const vqe_molecule_overrides *ov, vqe_molecule *mol, vqe_error *err)
{
  memset(mol, 0, sizeof *mol);
  if (!path || !*path) return vqe_error_set(err, VQE_ERR_INPUT, "no molecule file given (expected an .xyz file)");
  snprintf(mol->path, sizeof mol->path, "%s", path);
  reader r = { .path = mol->path, .line = 0 };
  r.f = fopen(path, "r");
  if (!r.f) return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  vqe_status st = read_xyz(&r, ov, mol, err);
  fclose(r.f);
  if (st) vqe_molecule_free(mol);
  return st;
}
