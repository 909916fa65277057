/* basis.c — Gaussian94 basis-set files (psi4's .gbs, EMSL .g94): name → file lookup, parsing, and
 * placing shells on a molecule. Called by vqe_basis_load users (CLI, studies) before the integrals. */
#include "vqe/basis.h"
#include "vqe_config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One contracted shell as read from the file (no centre yet). */
typedef struct {
  int l;
  int nprim;
  double *exps, *coefs;
} raw_shell;

/* Shells of one element, in file order. SP shells are already split into S then P (psi4 does the
 * same, so the AO order matches). */
typedef struct {
  int present;
  int line;            /* line of the element header */
  int nshell, cap;
  raw_shell *sh;
} raw_element;

typedef struct {
  int pure;            /* from the header word; spherical when absent */
  raw_element el[VQE_MAX_Z + 1];
} raw_basis;

static void raw_free(raw_basis *rb)
{
  for (int z = 0; z <= VQE_MAX_Z; z++) {
    for (int s = 0; s < rb->el[z].nshell; s++) {
      free(rb->el[z].sh[s].exps);
      free(rb->el[z].sh[s].coefs);
    }
    free(rb->el[z].sh);
  }
  memset(rb, 0, sizeof *rb);
}

static int file_exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* psi4's file naming: lower case, '*' -> 's', '+' -> 'p', '(' ')' ',' -> '_'. "6-31G*" -> "6-31gs". */
static int basis_file_stem(const char *name, char *out, size_t outsz)
{
  size_t k = 0;
  for (const char *c = name; *c; c++) {
    char r;
    if (*c == '*') r = 's';
    else if (*c == '+') r = 'p';
    else if (*c == '(' || *c == ')' || *c == ',') r = '_';
    else if (isspace((unsigned char)*c)) continue;
    else r = (char)tolower((unsigned char)*c);
    if (k + 1 >= outsz) return 0;
    out[k++] = r;
  }
  out[k] = '\0';
  return k > 0;
}

static int ends_with(const char *s, const char *suf)
{
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

static int is_path_name(const char *name)
{
  return strchr(name, '/') || ends_with(name, ".g94") || ends_with(name, ".gbs") ||
         ends_with(name, ".G94") || ends_with(name, ".GBS");
}

vqe_status vqe_basis_find(const char *name, char *out, size_t outsz, vqe_error *err)
{
  if (!name || !*name) return vqe_error_set(err, VQE_ERR_INPUT, "empty basis-set name");
  if (is_path_name(name)) {
    if (!file_exists(name))
      return vqe_error_set(err, VQE_ERR_INPUT, "basis file '%s' not found", name);
    if ((size_t)snprintf(out, outsz, "%s", name) >= outsz)
      return vqe_error_set(err, VQE_ERR_INPUT, "basis file path '%s' is too long", name);
    return VQE_OK;
  }
  char stem[256];
  if (!basis_file_stem(name, stem, sizeof stem))
    return vqe_error_set(err, VQE_ERR_INPUT, "basis-set name '%s' is too long", name);

  /* Directories in search order; "looked" lists them for the error message. */
  char looked[VQE_ERRMSG_MAX / 2];
  size_t nl = 0;
  looked[0] = '\0';
  const char *env = getenv("VQE_BASIS_PATH");
  char dirs[8192];
  size_t nd = 0;
  dirs[0] = '\0';
  if (env && *env) nd += (size_t)snprintf(dirs, sizeof dirs, "%s:", env);
  if (nd < sizeof dirs) nd += (size_t)snprintf(dirs + nd, sizeof dirs - nd, "%s/basis:%s", VQE_SOURCE_DIR, VQE_BASIS_DIR);
  static const char *const exts[] = { ".gbs", ".g94" };
  char *save = NULL;
  for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    if (!*d) continue;
    for (size_t e = 0; e < 2; e++) {
      char cand[1024];
      snprintf(cand, sizeof cand, "%s/%s%s", d, stem, exts[e]);
      if (file_exists(cand)) {
        if ((size_t)snprintf(out, outsz, "%s", cand) >= outsz)
          return vqe_error_set(err, VQE_ERR_INPUT, "basis file path '%s' is too long", cand);
        return VQE_OK;
      }
    }
    if (nl + strlen(d) + 3 < sizeof looked)
      nl += (size_t)snprintf(looked + nl, sizeof looked - nl, "%s%s", nl ? ", " : "", d);
  }
  return vqe_error_set(err, VQE_ERR_INPUT,
                       "unknown basis set '%s' (no file %s.gbs or %s.g94 in %s; set VQE_BASIS_PATH or give a path)",
                       name, stem, stem, looked);
}

/* ---- parser ---- */

typedef struct {
  const char *path;
  FILE *f;
  int line;
  char buf[1024];
  int pushed;          /* buf holds a line that was read but not consumed */
} reader;

/* Next line with content (comments '!' and blank lines skipped); returns 0 at end of file. */
static int next_line(reader *r)
{
  if (r->pushed) { r->pushed = 0; return 1; }
  while (fgets(r->buf, sizeof r->buf, r->f)) {
    r->line++;
    char *bang = strchr(r->buf, '!');
    if (bang) *bang = '\0';
    char *s = r->buf;
    while (isspace((unsigned char)*s)) s++;
    if (*s) return 1;
  }
  return 0;
}

/* Fortran-style number: accepts 1.0D+01 / 1.0d-3 as well as C syntax. */
static int parse_num(const char *tok, double *v)
{
  char t[64];
  size_t n = strlen(tok);
  if (n == 0 || n >= sizeof t) return 0;
  for (size_t i = 0; i <= n; i++) t[i] = (tok[i] == 'D' || tok[i] == 'd') ? 'E' : tok[i];
  char *end;
  errno = 0;
  *v = strtod(t, &end);
  return *end == '\0' && errno == 0 && isfinite(*v);
}

static int split(char *s, char **tok, int maxtok)
{
  int n = 0;
  char *save = NULL;
  for (char *p = strtok_r(s, " \t\r\n", &save); p && n < maxtok; p = strtok_r(NULL, " \t\r\n", &save))
    tok[n++] = p;
  return n;
}

static char *trim(char *s)
{
  while (isspace((unsigned char)*s)) s++;
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
  return s;
}

static int am_of(char c)
{
  switch (toupper((unsigned char)c)) {
  case 'S': return 0;
  case 'P': return 1;
  case 'D': return 2;
  case 'F': return 3;
  case 'G': return 4;
  case 'H': return 5;
  case 'I': return 6;
  default: return -1;
  }
}

static int push_shell(raw_element *e, int l, int nprim, const double *ex, const double *co)
{
  if (e->nshell == e->cap) {
    int nc = e->cap ? 2 * e->cap : 8;
    raw_shell *ns = realloc(e->sh, (size_t)nc * sizeof *ns);
    if (!ns) return 0;
    e->sh = ns;
    e->cap = nc;
  }
  raw_shell *s = &e->sh[e->nshell];
  s->l = l;
  s->nprim = nprim;
  s->exps = malloc((size_t)nprim * sizeof(double));
  s->coefs = malloc((size_t)nprim * sizeof(double));
  if (!s->exps || !s->coefs) { free(s->exps); free(s->coefs); return 0; }
  memcpy(s->exps, ex, (size_t)nprim * sizeof(double));
  memcpy(s->coefs, co, (size_t)nprim * sizeof(double));
  e->nshell++;
  return 1;
}

#define MAX_PRIM 64

static vqe_status parse_file(const char *path, raw_basis *rb, vqe_error *err)
{
  memset(rb, 0, sizeof *rb);
  rb->pure = 1;
  reader r = { path, fopen(path, "r"), 0, {0}, 0 };
  if (!r.f) return vqe_error_set(err, VQE_ERR_INPUT, "cannot open basis file '%s': %s", path, strerror(errno));
  vqe_status st = VQE_OK;
  char *tok[8];
  int first = 1;
  raw_element *cur = NULL;     /* element block being read; NULL between blocks */
  raw_element skip = {0};      /* sink for elements beyond VQE_MAX_Z (read, checked, dropped) */
  int nblocks = 0;
  double ex[MAX_PRIM], c1[MAX_PRIM], c2[MAX_PRIM];

  while (next_line(&r)) {
    char line[1024];
    memcpy(line, r.buf, sizeof line);
    int nt = split(line, tok, 8);
    if (first) {
      first = 0;
      if (nt == 1 && !strcasecmp(tok[0], "spherical")) { rb->pure = 1; continue; }
      if (nt == 1 && !strcasecmp(tok[0], "cartesian")) { rb->pure = 0; continue; }
    }
    if (!strcmp(tok[0], "****")) { cur = NULL; continue; }
    if (!cur) {
      /* element header "Sym 0" */
      char *end;
      long idx = nt == 2 ? strtol(tok[1], &end, 10) : -1;
      if (nt != 2 || *end || idx != 0 || !isalpha((unsigned char)tok[0][0]) || strlen(tok[0]) > 2 ||
          (tok[0][1] && !isalpha((unsigned char)tok[0][1]))) {
        if (nt >= 1 && strstr(tok[0], "-ECP")) break;
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected an element header like 'H 0' or '****', got '%s'",
                           path, r.line, tok[0]);
        goto done;
      }
      /* An element header followed by "XX-ECP n m" starts the ECP section: basis data ends. */
      int hdr_line = r.line;
      if (next_line(&r)) {
        char l2[1024];
        memcpy(l2, r.buf, sizeof l2);
        char *t2[8];
        int n2 = split(l2, t2, 8);
        r.pushed = 1;
        if (n2 >= 1 && strstr(t2[0], "-ECP")) break;
      }
      int z = vqe_element_z(tok[0]);
      if (z >= 1 && z <= VQE_MAX_Z) {
        cur = &rb->el[z];
        if (cur->present) {
          st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: element %s appears twice (first at line %d)",
                             path, hdr_line, tok[0], cur->line);
          goto done;
        }
        cur->present = 1;
        cur->line = hdr_line;
      } else {
        cur = &skip;      /* heavier element (or unknown symbol): parse for syntax, drop */
      }
      nblocks++;
      continue;
    }
    /* shell header "S 3 1.00" / "SP 2 1.00" */
    int shell_line = r.line;
    int sp = !strcasecmp(tok[0], "SP") || !strcasecmp(tok[0], "L");
    int l = (!sp && strlen(tok[0]) == 1) ? am_of(tok[0][0]) : -1;
    if (!sp && l < 0) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unknown shell type '%s' (allowed: S, P, D, F, G, SP)",
                         path, r.line, tok[0]);
      goto done;
    }
    if (l > VQE_MAX_L && cur != &skip) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: angular momentum %s (l = %d) is not supported (at most l = %d, G)",
                         path, r.line, tok[0], l, VQE_MAX_L);
      goto done;
    }
    char *end = NULL;
    long np = nt >= 2 ? strtol(tok[1], &end, 10) : 0;
    double scale = 1.0;
    if (nt < 2 || *end || np < 1 || np > MAX_PRIM || (nt >= 3 && !parse_num(tok[2], &scale)) || scale <= 0) {
      st = vqe_error_set(err, VQE_ERR_INPUT,
                         "%s:%d: expected a shell header 'TYPE NPRIM SCALE' with 1..%d primitives, got '%s'",
                         path, r.line, MAX_PRIM, trim(r.buf));
      goto done;
    }
    for (long k = 0; k < np; k++) {
      if (!next_line(&r)) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unexpected end of file: %ld of %ld primitives read (shell starting at line %d)",
                           path, r.line, k, np, shell_line);
        goto done;
      }
      char pl[1024];
      memcpy(pl, r.buf, sizeof pl);
      char *pt[8];
      int npt = split(pl, pt, 8);
      int want = sp ? 3 : 2;
      if (npt != want || !parse_num(pt[0], &ex[k]) || !parse_num(pt[1], &c1[k]) ||
          (sp && !parse_num(pt[2], &c2[k]))) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected exponent and %s (shell starting at line %d)",
                           path, r.line, sp ? "two coefficients (S and P)" : "coefficient", shell_line);
        goto done;
      }
      if (!(ex[k] > 0)) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: exponent %g must be positive (shell starting at line %d)",
                           path, r.line, ex[k], shell_line);
        goto done;
      }
      ex[k] *= scale * scale;
    }
    if (cur == &skip && l > VQE_MAX_L) continue;
    int ok = sp ? push_shell(cur, 0, (int)np, ex, c1) && push_shell(cur, 1, (int)np, ex, c2)
                : push_shell(cur, l, (int)np, ex, c1);
    if (!ok) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory reading basis file '%s'", path); goto done; }
    if (cur == &skip) {      /* do not keep heavy-element shells */
      for (int s = 0; s < skip.nshell; s++) { free(skip.sh[s].exps); free(skip.sh[s].coefs); }
      skip.nshell = 0;
    }
  }
  if (nblocks == 0) st = vqe_error_set(err, VQE_ERR_INPUT, "%s: no element blocks found (not a Gaussian94 basis file?)", path);
done:
  free(skip.sh);
  fclose(r.f);
  if (st) raw_free(rb);
  return st;
}

static void canonical_name(const char *name, char *out, size_t outsz)
{
  const char *base = name;
  if (is_path_name(name)) {
    const char *sl = strrchr(name, '/');
    base = sl ? sl + 1 : name;
  }
  size_t k = 0;
  for (const char *c = base; *c && k + 1 < outsz; c++) out[k++] = (char)tolower((unsigned char)*c);
  out[k] = '\0';
  if (is_path_name(name)) {
    char *dot = strrchr(out, '.');
    if (dot && (!strcmp(dot, ".g94") || !strcmp(dot, ".gbs"))) *dot = '\0';
  }
}

vqe_status vqe_basis_load(const char *name, const vqe_molecule *mol, int pure_override,
                          vqe_basis *basis, vqe_error *err)
{
  memset(basis, 0, sizeof *basis);
  if (!mol || mol->natom < 1) return vqe_error_set(err, VQE_ERR_INPUT, "basis: molecule has no atoms");
  if (pure_override < -1 || pure_override > 1)
    return vqe_error_set(err, VQE_ERR_INPUT, "basis: pure_override %d is invalid (allowed: -1, 0, 1)", pure_override);
  char path[512];
  vqe_status st = vqe_basis_find(name, path, sizeof path, err);
  if (st) return st;
  raw_basis *rb = calloc(1, sizeof *rb);
  if (!rb) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
  st = parse_file(path, rb, err);
  if (st) { free(rb); return st; }
  int pure = pure_override >= 0 ? pure_override : rb->pure;

  canonical_name(name, basis->name, sizeof basis->name);
  snprintf(basis->path, sizeof basis->path, "%s", path);
  int nshell = 0;
  for (int a = 0; a < mol->natom; a++) {
    int z = mol->atoms[a].Z;
    if (z < 1 || z > VQE_MAX_Z || !rb->el[z].present) {
      const char *sym = vqe_element_symbol(z);
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s%s%d: element %s is not in basis set '%s' (%s)",
                         mol->path[0] ? mol->path : "", mol->path[0] ? ":" : "atom ",
                         mol->atoms[a].line ? mol->atoms[a].line : a + 1, sym ? sym : "?", basis->name, path);
      goto fail;
    }
    nshell += rb->el[z].nshell;
  }
  basis->shells = calloc((size_t)nshell, sizeof *basis->shells);
  basis->shell_offset = calloc((size_t)nshell + 1, sizeof *basis->shell_offset);
  if (!basis->shells || !basis->shell_offset) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); goto fail; }
  int k = 0, nbf = 0;
  for (int a = 0; a < mol->natom; a++) {
    const raw_element *e = &rb->el[mol->atoms[a].Z];
    for (int s = 0; s < e->nshell; s++, k++) {
      vqe_shell *sh = &basis->shells[k];
      const raw_shell *rs = &e->sh[s];
      sh->l = rs->l;
      /* every shell takes the basis' kind, as in psi4: in a spherical basis a p shell is pure and
       * ordered z, x, y (m = 0, +1, -1); in a cartesian one it is x, y, z */
      sh->pure = pure;
      sh->nprim = rs->nprim;
      sh->exps = malloc((size_t)rs->nprim * sizeof(double));
      sh->coefs = malloc((size_t)rs->nprim * sizeof(double));
      basis->nshell = k + 1;
      if (!sh->exps || !sh->coefs) { st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory"); goto fail; }
      memcpy(sh->exps, rs->exps, (size_t)rs->nprim * sizeof(double));
      memcpy(sh->coefs, rs->coefs, (size_t)rs->nprim * sizeof(double));
      memcpy(sh->center, mol->atoms[a].xyz, sizeof sh->center);
      sh->atom = a;
      basis->shell_offset[k] = nbf;
      nbf += sh->pure ? 2 * sh->l + 1 : (sh->l + 1) * (sh->l + 2) / 2;
      if (sh->l > basis->max_l) basis->max_l = sh->l;
      if (sh->nprim > basis->max_nprim) basis->max_nprim = sh->nprim;
    }
  }
  basis->nshell = nshell;
  basis->shell_offset[nshell] = nbf;
  basis->nbf = nbf;
  raw_free(rb);
  free(rb);
  return VQE_OK;
fail:
  raw_free(rb);
  free(rb);
  vqe_basis_free(basis);
  return st;
}

void vqe_basis_free(vqe_basis *basis)
{
  if (!basis) return;
  for (int s = 0; s < basis->nshell; s++) {
    free(basis->shells[s].exps);
    free(basis->shells[s].coefs);
  }
  free(basis->shells);
  free(basis->shell_offset);
  memset(basis, 0, sizeof *basis);
}
