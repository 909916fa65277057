/* fcidump.c — FCIDUMP reader and writer (Molpro / PySCF / psi4 format; see hamiltonian.h). Called by
 * `vqe hamiltonian`, `vqe fci` and anything that can start from an FCIDUMP instead of a molecule.
 * The reader is strict: every malformed header item or integral line is reported as
 * "path:line: what is wrong (what is allowed)" with VQE_ERR_INPUT. */
#include "vqe/hamiltonian.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FCIDUMP_MAX_NORB 500

static char *ham_slurp(const char *path, size_t *len, vqe_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f) return vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open FCIDUMP file: %s", path, strerror(errno)), NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf) { fclose(f); vqe_error_set(err, VQE_ERR_RESOURCE, "%s: out of memory reading the file", path); return NULL; }
    n += fread(buf + n, 1, cap - n - 1, f);
    if (n < cap - 1) break;
    cap *= 2;
    char *nb = realloc(buf, cap);
    if (!nb) free(buf);
    buf = nb;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); vqe_error_set(err, VQE_ERR_INPUT, "%s: read error", path); return NULL; }
  buf[n] = '\0';
  *len = n;
  return buf;
}

int vqe_fcidump_detect(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  char buf[256];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *p = buf;
  while (*p && isspace((unsigned char)*p)) p++;
  return strncasecmp(p, "&FCI", 4) == 0;
}

/* Header lexer: names, '=', values (anything else up to a separator), separators ',' and blanks;
 * the namelist ends with "&END", "$END" or "/". */
typedef struct {
  const char *path;
  const char *s;
  int line;
} hdr_lex;

typedef enum { TK_EOF, TK_NAME, TK_EQ, TK_VALUE, TK_END } tk_kind;

static tk_kind hdr_next(hdr_lex *L, char *tok, size_t cap, int *line)
{
  while (*L->s == ' ' || *L->s == '\t' || *L->s == '\r' || *L->s == ',' || *L->s == '\n') {
    if (*L->s == '\n') L->line++;
    L->s++;
  }
  *line = L->line;
  if (!*L->s) return TK_EOF;
  if (*L->s == '=') { L->s++; strcpy(tok, "="); return TK_EQ; }
  if (*L->s == '/') { L->s++; strcpy(tok, "/"); return TK_END; }
  size_t k = 0;
  while (*L->s && !isspace((unsigned char)*L->s) && *L->s != ',' && *L->s != '=' && *L->s != '/') {
    if (k + 1 < cap) tok[k++] = *L->s;
    L->s++;
  }
  tok[k] = '\0';
  if (!strcasecmp(tok, "&END") || !strcasecmp(tok, "$END") || !strcasecmp(tok, "&")) return TK_END;
  if (isalpha((unsigned char)tok[0]) || tok[0] == '_') {
    /* a name only when '=' follows (possibly after blanks) */
    const char *q = L->s;
    while (*q == ' ' || *q == '\t') q++;
    if (*q == '=') return TK_NAME;
  }
  return TK_VALUE;
}

static int parse_long(const char *s, long *v)
{
  char *end;
  errno = 0;
  *v = strtol(s, &end, 10);
  return *s && !*end && !errno;
}

/* Fortran-style real: D exponents accepted. */
static int parse_real(const char *s, double *v)
{
  char buf[64];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof buf) return 0;
  for (size_t i = 0; i <= n; i++) buf[i] = (s[i] == 'D' || s[i] == 'd') ? 'E' : s[i];
  char *end;
  errno = 0;
  *v = strtod(buf, &end);
  return !*end && !errno && isfinite(*v);
}

static int known_key(const char *k)
{
  static const char *const keys[] = { "NORB", "NELEC", "MS2", "ISYM", "IUHF", "UHF", "ORBSYM", NULL };
  for (int i = 0; keys[i]; i++)
    if (!strcasecmp(k, keys[i])) return 1;
  return 0;
}

vqe_status vqe_fcidump_read(const char *path, vqe_mo_hamiltonian *ham, vqe_error *err)
{
  memset(ham, 0, sizeof *ham);
  size_t len;
  char *text = ham_slurp(path, &len, err);
  if (!text) return err ? err->status : VQE_ERR_INPUT;
  vqe_status st = VQE_OK;
  hdr_lex L = { path, text, 1 };
  char tok[256], name[64] = "";
  int line, name_line = 0;
  tk_kind k = hdr_next(&L, tok, sizeof tok, &line);
  if (k == TK_EOF) { st = vqe_error_set(err, VQE_ERR_INPUT, "%s:1: empty file (expected an FCIDUMP starting with &FCI)", path); goto out; }
  if (strncasecmp(tok, "&FCI", 4) != 0) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected '&FCI' to open the FCIDUMP header, got '%s'", path, line, tok);
    goto out;
  }
  long norb = -1, nelec = -1, ms2 = 0, isym = 1;
  int nsym = 0, have_ms2 = 0, header_line_end;
  /* "&FCI NORB=..." may have the first item glued after &FCI with a blank; "&FCINORB" is not valid. */
  if (tok[4] != '\0') {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected '&FCI' followed by a blank, got '%s'", path, line, tok);
    goto out;
  }
  for (;;) {
    k = hdr_next(&L, tok, sizeof tok, &line);
    if (k == TK_END) break;
    if (k == TK_EOF) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: end of file inside the FCIDUMP header (expected '&END' or '/')", path, line);
      goto out;
    }
    if (k == TK_VALUE) {
      if (!name[0]) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unexpected '%s' in the FCIDUMP header (expected NAME=value)", path, line, tok);
        goto out;
      }
      if (!strcasecmp(name, "ORBSYM")) {
        long v;
        if (!parse_long(tok, &v) || v < 0 || v > 8) {
          st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: ORBSYM entry '%s' is not an irrep number (allowed: 1..8)", path, line, tok);
          goto out;
        }
        nsym++;
        continue;
      }
      if (!known_key(name)) continue;   /* lists of other Molpro keys (OCC=1,0,...) */
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unexpected second value '%s' for %s in the FCIDUMP header", path, line, tok, name);
      goto out;
    }
    if (k == TK_EQ) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: '=' without a name in the FCIDUMP header", path, line);
      goto out;
    }
    /* NAME = VALUE */
    snprintf(name, sizeof name, "%.63s", tok);
    name_line = line;
    k = hdr_next(&L, tok, sizeof tok, &line);   /* '=' guaranteed by the lexer */
    if (!strcasecmp(name, "ORBSYM")) continue;   /* values follow as TK_VALUE */
    k = hdr_next(&L, tok, sizeof tok, &line);
    if (k != TK_VALUE) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: %s= has no value in the FCIDUMP header", path, name_line, name);
      goto out;
    }
    long v;
    if (!strcasecmp(name, "NORB") || !strcasecmp(name, "NELEC") || !strcasecmp(name, "MS2") || !strcasecmp(name, "ISYM") ||
        !strcasecmp(name, "IUHF")) {
      if (!parse_long(tok, &v)) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: %s expects an integer, got '%s'", path, line, name, tok);
        goto out;
      }
      if (!strcasecmp(name, "NORB")) norb = v;
      else if (!strcasecmp(name, "NELEC")) nelec = v;
      else if (!strcasecmp(name, "MS2")) { ms2 = v; have_ms2 = 1; }
      else if (!strcasecmp(name, "ISYM")) isym = v;
      else if (v != 0) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unrestricted (IUHF=%ld) FCIDUMP files are not supported (allowed: restricted orbitals)", path, line, v);
        goto out;
      }
    } else if (!strcasecmp(name, "UHF")) {
      if (!strcasecmp(tok, ".TRUE.") || !strcasecmp(tok, "T") || !strcmp(tok, "1")) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unrestricted (UHF=%s) FCIDUMP files are not supported (allowed: UHF=.FALSE.)", path, line, tok);
        goto out;
      }
      if (strcasecmp(tok, ".FALSE.") && strcasecmp(tok, "F") && strcmp(tok, "0")) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: UHF expects .TRUE. or .FALSE., got '%s'", path, line, tok);
        goto out;
      }
    }
    /* other Molpro keys (OCC, CLOSED, TREL, ...) are accepted and ignored */
  }
  (void)isym;
  header_line_end = L.line;
  if (norb < 0) { st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: FCIDUMP header has no NORB", path, header_line_end); goto out; }
  if (nelec < 0) { st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: FCIDUMP header has no NELEC", path, header_line_end); goto out; }
  if (norb < 1 || norb > FCIDUMP_MAX_NORB) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: NORB=%ld out of range (allowed: 1..%d)", path, header_line_end, norb, FCIDUMP_MAX_NORB);
    goto out;
  }
  if (nelec > 2 * norb) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: NELEC=%ld does not fit in NORB=%ld orbitals (allowed: 0..%ld)", path, header_line_end, nelec, norb, 2 * norb);
    goto out;
  }
  if (!have_ms2) ms2 = nelec % 2;
  if (ms2 < 0 || ms2 > nelec || (nelec - ms2) % 2 || (nelec + ms2) / 2 > norb) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: MS2=%ld is impossible with NELEC=%ld in %ld orbitals (allowed: %ld, %ld, ... up to %ld)",
                       path, header_line_end, ms2, nelec, norb, nelec % 2, nelec % 2 + 2,
                       nelec <= norb ? nelec : 2 * norb - nelec);
    goto out;
  }
  if (nsym && nsym != norb) {
    st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: ORBSYM has %d entries but NORB=%ld", path, header_line_end, nsym, norb);
    goto out;
  }
  if ((st = vqe_mo_hamiltonian_alloc(ham, (int)norb, err))) goto out;
  ham->n_alpha = (int)((nelec + ms2) / 2);
  ham->n_beta = (int)((nelec - ms2) / 2);
  ham->ms2 = (int)ms2;
  ham->e_nuc = NAN;
  /* Integral lines: the rest of the line holding &END belongs to nothing; start at the next line. */
  const char *p = L.s;
  int lno = L.line;
  while (*p && *p != '\n') {
    if (!isspace((unsigned char)*p)) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: unexpected text after the end of the FCIDUMP header", path, lno);
      goto fail;
    }
    p++;
  }
  const size_t n = (size_t)norb, n2 = n * n, n3 = n2 * n;
  int core_line = 0;
  while (*p) {
    if (*p == '\n') p++;
    lno++;
    const char *eol = strchr(p, '\n');
    if (!eol) eol = p + strlen(p);
    char lbuf[512];
    size_t ll = (size_t)(eol - p);
    if (ll >= sizeof lbuf) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: line too long for an integral line (expected: value i j k l)", path, lno);
      goto fail;
    }
    memcpy(lbuf, p, ll);
    lbuf[ll] = '\0';
    p = eol;
    char *f[6];
    int nf = 0;
    char *save = NULL;
    for (char *tk = strtok_r(lbuf, " \t\r", &save); tk; tk = strtok_r(NULL, " \t\r", &save)) {
      if (nf == 6) break;
      f[nf++] = tk;
    }
    if (nf == 0) continue;
    if (nf != 5) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: expected 5 fields 'value i j k l', got %s%d", path, lno, nf > 5 ? "more than " : "", nf > 5 ? 5 : nf);
      goto fail;
    }
    double v;
    if (!parse_real(f[0], &v)) {
      st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: '%s' is not a finite number (expected: value i j k l)", path, lno, f[0]);
      goto fail;
    }
    long ix[4];
    for (int a = 0; a < 4; a++)
      if (!parse_long(f[a + 1], &ix[a]) || ix[a] < 0 || ix[a] > norb) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: index '%s' out of range (allowed: integers 0..%ld, NORB=%ld)", path, lno, f[a + 1], norb, norb);
        goto fail;
      }
    long i = ix[0], j = ix[1], kk = ix[2], l = ix[3];
    if (i && j && kk && l) {
      size_t a = (size_t)i - 1, b = (size_t)j - 1, c = (size_t)kk - 1, d = (size_t)l - 1;
      double *e = ham->eri;
      e[a * n3 + b * n2 + c * n + d] = e[b * n3 + a * n2 + c * n + d] = e[a * n3 + b * n2 + d * n + c] = e[b * n3 + a * n2 + d * n + c] = v;
      e[c * n3 + d * n2 + a * n + b] = e[d * n3 + c * n2 + a * n + b] = e[c * n3 + d * n2 + b * n + a] = e[d * n3 + c * n2 + b * n + a] = v;
    } else if (i && j && !kk && !l) {
      ham->h[(i - 1) * norb + (j - 1)] = ham->h[(j - 1) * norb + (i - 1)] = v;
    } else if (i && !j && !kk && !l) {
      /* orbital energy: not needed */
    } else if (!i && !j && !kk && !l) {
      if (core_line) {
        st = vqe_error_set(err, VQE_ERR_INPUT, "%s:%d: second core-energy line '0 0 0 0' (the first is at line %d)", path, lno, core_line);
        goto fail;
      }
      core_line = lno;
      ham->e_core = v;
    } else {
      st = vqe_error_set(err, VQE_ERR_INPUT,
                         "%s:%d: index pattern %ld %ld %ld %ld not recognised (allowed: i j k l > 0 two-electron, i j 0 0 one-electron, "
                         "i 0 0 0 orbital energy, 0 0 0 0 core energy)", path, lno, i, j, kk, l);
      goto fail;
    }
  }
  free(text);
  return VQE_OK;
fail:
  vqe_mo_hamiltonian_free(ham);
out:
  free(text);
  return st;
}

vqe_status vqe_fcidump_write_stream(FILE *f, const vqe_mo_hamiltonian *ham, double cutoff, vqe_error *err)
{
  if (cutoff < 0) cutoff = 1e-15;
  const int n = ham->norb;
  const size_t N = (size_t)n, N2 = N * N, N3 = N2 * N;
  fprintf(f, " &FCI NORB=%d,NELEC=%d,MS2=%d,\n  ORBSYM=", n, ham->n_alpha + ham->n_beta, ham->n_alpha - ham->n_beta);
  for (int p = 0; p < n; p++) fputs("1,", f);
  fputs("\n  ISYM=1,\n &END\n", f);
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j <= i; j++)
      for (size_t k = 0; k <= i; k++)
        for (size_t l = 0; l <= (k == i ? j : k); l++) {
          double v = ham->eri[i * N3 + j * N2 + k * N + l];
          if (fabs(v) >= cutoff) fprintf(f, "%25.17e %4zu %4zu %4zu %4zu\n", v, i + 1, j + 1, k + 1, l + 1);
        }
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j <= i; j++) {
      double v = ham->h[i * N + j];
      if (fabs(v) >= cutoff) fprintf(f, "%25.17e %4zu %4zu %4d %4d\n", v, i + 1, j + 1, 0, 0);
    }
  fprintf(f, "%25.17e %4d %4d %4d %4d\n", ham->e_core, 0, 0, 0, 0);
  if (ferror(f)) return vqe_error_set(err, VQE_ERR_INPUT, "write error while writing the FCIDUMP");
  return VQE_OK;
}

vqe_status vqe_fcidump_write(const char *path, const vqe_mo_hamiltonian *ham, double cutoff, vqe_error *err)
{
  size_t len = strlen(path);
  char *tmp = malloc(len + 16);
  if (!tmp) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory");
  snprintf(tmp, len + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    vqe_status st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
    free(tmp);
    return st;
  }
  FILE *f = fdopen(fd, "w");
  vqe_status st = f ? vqe_fcidump_write_stream(f, ham, cutoff, err) : VQE_ERR_INPUT;
  if (!f) { close(fd); st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot open a temporary file: %s", path, strerror(errno)); }
  if (f && fclose(f) != 0 && !st) st = vqe_error_set(err, VQE_ERR_INPUT, "%s: write error: %s", path, strerror(errno));
  if (!st && rename(tmp, path) != 0) st = vqe_error_set(err, VQE_ERR_INPUT, "%s: cannot rename the temporary file into place: %s", path, strerror(errno));
  if (st) unlink(tmp);
  free(tmp);
  return st;
}
