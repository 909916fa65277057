/* cli.h — shared pieces of the `vqe` command-line program (a thin client of libvqe): the command
 * table, flag parsing helpers, and loading a molecule through SCF. Internal to src/cli. */
#ifndef VQE_CLI_H
#define VQE_CLI_H

#include "vqe/vqe.h"
#include <stdio.h>

/* Every command: int vqe_cmd_NAME(int argc, char **argv) where argv[0] is the command name.
 * Returns the process exit code (0 ok, 1 computation failed, 2 bad input). Commands are declared
 * weak in main.c so a command file can be added without touching the table. */

/* Print "vqe CMD: message" to stderr for an error record and return its exit code. */
int cli_fail(const char *cmd, const vqe_error *err);
/* Print a usage error "vqe CMD: msg (see 'vqe help CMD')" and return 2. */
int cli_usage(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Strict number parsing for flag values: whole string must parse, finite, within [lo, hi].
 * On failure prints "vqe CMD: FLAG expects ... (allowed: lo..hi), got 'S'" and returns 0. */
int cli_int(const char *cmd, const char *flag, const char *s, long lo, long hi, long *out);
int cli_double(const char *cmd, const char *flag, const char *s, double lo, double hi, double *out);

/* Options shared by every command that builds a molecule (scf, hamiltonian, fci, run, sweep, ...). */
typedef struct {
  const char *file;              /* molecule .xyz (or FCIDUMP where a command accepts one) */
  const char *basis;             /* NULL: from the file, else sto-3g */
  int has_charge, charge;
  int has_mult, mult;
  int pure;                      /* -1 as the basis file says, 0 --cartesian, 1 --spherical */
  int threads;                   /* 0: default */
  int json;
  int quiet;
  const char *guess;             /* sad|gwh|core */
  int stability, follow;
  int scf_max_iter;
  /* active space (hamiltonian layer) */
  int frozen_core;               /* -1 auto, -2 not given, >= 0 count */
  int active_orbitals;           /* -1 all */
  int active_electrons;          /* -1 all remaining */
} cli_common;

void cli_common_init(cli_common *c);
/* Try to consume argv[*i] (and its value) as a shared flag. Returns 1 when consumed, 0 when not a
 * shared flag, -1 on a bad value (message printed). */
int cli_common_flag(const char *cmd, cli_common *c, int argc, char **argv, int *i);
/* Text for the shared flags, for help messages (string literals, to concatenate). */
#define CLI_COMMON_HELP_TEXT \
  "  --basis B            basis set name (sto-3g, 6-31g*, cc-pvdz, ...) or .g94/.gbs file\n" \
  "                       (default: basis= on the XYZ comment line, else sto-3g)\n" \
  "  --charge Q           total charge (overrides charge= in the file)\n" \
  "  --multiplicity M     2S+1 (overrides multiplicity= in the file); alias --mult\n" \
  "  --cartesian | --spherical   override the basis file's d/f function type\n" \
  "  --guess sad|gwh|core SCF starting guess (default sad)\n" \
  "  --scf-max-iter N     SCF iteration limit (default 100)\n" \
  "  --stability          report the lowest orbital-Hessian eigenvalue\n" \
  "  --follow             follow an SCF instability to the lower solution\n" \
  "  --threads T          OpenMP threads (also used by OpenBLAS)\n" \
  "  --json               print one JSON document instead of the table\n" \
  "  --quiet              no progress output\n"
#define CLI_ACTIVE_HELP_TEXT \
  "  --frozen-core K|auto inactive doubly occupied orbitals (auto: chemical core, 1 per Li-Ne atom,\n" \
  "                       5 per Na-Ar, 9 per K-Kr)\n" \
  "  --active-orbitals M  active spatial orbitals above the frozen core (default: all)\n" \
  "  --active-electrons E active electrons (default: all not frozen)\n"

/* Molecule → basis → integrals → SCF, with timing. Fills the error record on failure. */
typedef struct {
  vqe_molecule mol;
  vqe_basis basis;
  vqe_integrals ints;
  vqe_scf_result scf;
  double t_read, t_ints, t_scf;
} cli_system;
vqe_status cli_system_load(const cli_common *c, cli_system *sys, vqe_error *err);
/* The same from a molecule built in memory (chains, scan geometries); takes ownership of *mol (left
 * zeroed). c->basis overrides the molecule's basis; c->file is not used. */
vqe_status cli_system_from_molecule(const cli_common *c, vqe_molecule *mol, cli_system *sys, vqe_error *err);
void cli_system_free(cli_system *sys);

#endif
