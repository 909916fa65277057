/* cli.c — flag parsing shared by the subcommands and the molecule → SCF pipeline they all start with. */
#include "cli.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *cmd, const vqe_error *err)
{
  fprintf(stderr, "vqe %s: %s\n", cmd, err->msg[0] ? err->msg : vqe_status_name(err->status));
  return vqe_status_exit_code(err->status);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "vqe %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see 'vqe help %s')\n", cmd);
  va_end(ap);
  return 2;
}

int cli_int(const char *cmd, const char *flag, const char *s, long lo, long hi, long *out)
{
  char *end;
  errno = 0;
  long v = s ? strtol(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || v < lo || v > hi) {
    cli_usage(cmd, "%s expects an integer in %ld..%ld, got '%s'", flag, lo, hi, s ? s : "");
    return 0;
  }
  *out = v;
  return 1;
}

int cli_double(const char *cmd, const char *flag, const char *s, double lo, double hi, double *out)
{
  char *end;
  errno = 0;
  double v = s ? strtod(s, &end) : 0;
  if (!s || !*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
    cli_usage(cmd, "%s expects a number in %g..%g, got '%s'", flag, lo, hi, s ? s : "");
    return 0;
  }
  *out = v;
  return 1;
}

void cli_common_init(cli_common *c)
{
  memset(c, 0, sizeof *c);
  c->pure = -1;
  c->frozen_core = -2;
  c->active_orbitals = -1;
  c->active_electrons = -1;
  c->scf_max_iter = 100;
}

static const char *need_value(const char *cmd, int argc, char **argv, int *i)
{
  if (*i + 1 >= argc) {
    cli_usage(cmd, "%s needs a value", argv[*i]);
    return NULL;
  }
  return argv[++*i];
}

int cli_common_flag(const char *cmd, cli_common *c, int argc, char **argv, int *i)
{
  const char *a = argv[*i];
  const char *v;
  long n;
#define VALUE() do { if (!(v = need_value(cmd, argc, argv, i))) return -1; } while (0)
  if (!strcmp(a, "--basis")) { VALUE(); c->basis = v; return 1; }
  if (!strcmp(a, "--charge")) {
    VALUE(); if (!cli_int(cmd, a, v, -200, 200, &n)) return -1;
    c->has_charge = 1; c->charge = (int)n; return 1;
  }
  if (!strcmp(a, "--multiplicity") || !strcmp(a, "--mult")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 100, &n)) return -1;
    c->has_mult = 1; c->mult = (int)n; return 1;
  }
  if (!strcmp(a, "--cartesian")) { c->pure = 0; return 1; }
  if (!strcmp(a, "--spherical")) { c->pure = 1; return 1; }
  if (!strcmp(a, "--threads")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 4096, &n)) return -1;
    c->threads = (int)n; return 1;
  }
  if (!strcmp(a, "--json")) { c->json = 1; return 1; }
  if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) { c->quiet = 1; return 1; }
  if (!strcmp(a, "--guess")) {
    VALUE();
    if (strcmp(v, "sad") && strcmp(v, "gwh") && strcmp(v, "core")) {
      cli_usage(cmd, "--guess expects sad, gwh or core, got '%s'", v);
      return -1;
    }
    c->guess = v; return 1;
  }
  if (!strcmp(a, "--scf-max-iter")) {
    VALUE(); if (!cli_int(cmd, a, v, 1, 100000, &n)) return -1;
    c->scf_max_iter = (int)n; return 1;
  }
  if (!strcmp(a, "--stability")) { c->stability = 1; return 1; }
  if (!strcmp(a, "--follow")) { c->stability = 1; c->follow = 1; return 1; }
  if (!strcmp(a, "--frozen-core")) {
    VALUE();
    if (!strcmp(v, "auto")) { c->frozen_core = -1; return 1; }
    if (!cli_int(cmd, a, v, 0, 100000, &n)) return -1;
    c->frozen_core = (int)n; return 1;
  }
  if (!strcmp(a, "--active-orbitals")) {
    VALUE(); if (!cli_int(cmd, a, v, 0, 100000, &n)) return -1;
    c->active_orbitals = (int)n; return 1;
  }
  if (!strcmp(a, "--active-electrons")) {
    VALUE(); if (!cli_int(cmd, a, v, 0, 100000, &n)) return -1;
    c->active_electrons = (int)n; return 1;
  }
#undef VALUE
  return 0;
}

vqe_status cli_system_load(const cli_common *c, cli_system *sys, vqe_error *err)
{
  memset(sys, 0, sizeof *sys);
  vqe_molecule_overrides ov = {0};
  ov.has_charge = c->has_charge; ov.charge = c->charge;
  ov.has_multiplicity = c->has_mult; ov.multiplicity = c->mult;
  ov.basis = c->basis;
  double t0 = vqe_wtime();
  vqe_molecule mol;
  vqe_status st = vqe_molecule_read(c->file, &ov, &mol, err);
  if (st) return st;
  st = cli_system_from_molecule(c, &mol, sys, err);
  sys->t_read += vqe_wtime() - t0 - sys->t_ints - sys->t_scf;
  return st;
}

vqe_status cli_system_from_molecule(const cli_common *c, vqe_molecule *mol, cli_system *sys, vqe_error *err)
{
  memset(sys, 0, sizeof *sys);
  sys->mol = *mol;                 /* ownership moves into sys */
  memset(mol, 0, sizeof *mol);
  vqe_set_threads(c->threads);
  if (c->basis) snprintf(sys->mol.basis, sizeof sys->mol.basis, "%s", c->basis);
  double t0 = vqe_wtime();
  const char *bname = sys->mol.basis[0] ? sys->mol.basis : "sto-3g";
  vqe_status st = vqe_basis_load(bname, &sys->mol, c->pure, &sys->basis, err);
  if (st) return st;
  sys->t_read = vqe_wtime() - t0;
  t0 = vqe_wtime();
  st = vqe_integrals_compute(&sys->basis, &sys->mol, -1.0, &sys->ints, err);
  if (st) return st;
  sys->t_ints = vqe_wtime() - t0;
  vqe_scf_options o;
  vqe_scf_options_default(&o);
  o.max_iter = c->scf_max_iter;
  if (c->guess) o.guess = !strcmp(c->guess, "gwh") ? VQE_GUESS_GWH : !strcmp(c->guess, "core") ? VQE_GUESS_CORE : VQE_GUESS_SAD;
  o.stability = c->stability;
  o.follow = c->follow;
  t0 = vqe_wtime();
  st = vqe_scf_run(&sys->mol, &sys->basis, &sys->ints, &o, &sys->scf, err);
  sys->t_scf = vqe_wtime() - t0;
  return st;
}

void cli_system_free(cli_system *sys)
{
  vqe_scf_result_free(&sys->scf);
  vqe_integrals_free(&sys->ints);
  vqe_basis_free(&sys->basis);
  vqe_molecule_free(&sys->mol);
}
