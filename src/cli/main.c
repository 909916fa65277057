/* main.c — entry point of the `vqe` program: dispatches subcommands (table below) and prints help.
 * Each command lives in cmd_<name>.c and uses only the public library headers. */
#include "cli.h"
#include "vqe_config.h"
#include "vqe/dist.h"
#include <stdlib.h>
#include <string.h>

#define DECL(n) int vqe_cmd_##n(int argc, char **argv) __attribute__((weak)); \
                extern const char vqe_help_##n[] __attribute__((weak));
DECL(scf) DECL(hamiltonian) DECL(fci) DECL(run) DECL(sweep) DECL(basis) DECL(scan) DECL(plateau)
#undef DECL

typedef struct {
  const char *name;
  int (*fn)(int, char **);
  const char *help;
  const char *summary;
} command;

#define ROW(n, s) { #n, vqe_cmd_##n, vqe_help_##n, s }
static const command rows[] = {
  ROW(scf, "Hartree–Fock (RHF/ROHF) energy and orbitals"),
  ROW(hamiltonian, "active-space Hamiltonian: summary, qubit operator (OpenFermion), FCIDUMP"),
  ROW(fci, "exact ground state (FCI / CASCI) by Davidson"),
  ROW(run, "one VQE optimisation"),
  ROW(sweep, "VQE over ansatz depths"),
  ROW(basis, "compare basis sets"),
  ROW(scan, "potential-energy scan along a bond or angle"),
  ROW(plateau, "gradient-variance sampling and barren-plateau verdict"),
  { NULL, NULL, NULL, NULL },
};
#undef ROW
#define table(k) rows[k]

static void usage(FILE *f)
{
  fprintf(f, "vqe %s — quantum-chemistry VQE simulator\n\nusage: vqe COMMAND [FILE] [flags]\n\ncommands:\n",
          VQE_VERSION);
  for (int k = 0; table(k).name; k++)
    if (table(k).fn) fprintf(f, "  %-12s %s\n", table(k).name, table(k).summary);
  fprintf(f, "  %-12s %s\n", "help", "help COMMAND: flags and examples of a command");
  fprintf(f, "  %-12s %s\n", "version", "print the version");
  fprintf(f, "\nexit codes: 0 success, 1 a computation failed, 2 bad input\n");
}

int main(int argc, char **argv)
{
  /* MPI (builds with -Dmpi=enabled, started by mpirun): every rank runs the command; only rank 0
   * prints. Without MPI these calls do nothing. */
  vqe_error derr = {0};
  if (vqe_dist_init(&argc, &argv, &derr)) { fprintf(stderr, "vqe: %s\n", derr.msg); return 2; }
  atexit(vqe_dist_finalize);
  vqe_dist_silence_others();
  if (argc < 2) { usage(stderr); return 2; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) { usage(stdout); return 0; }
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) { printf("vqe %s\n", VQE_VERSION); return 0; }
  if (!strcmp(cmd, "help")) {
    if (argc < 3) { usage(stdout); return 0; }
    for (int k = 0; table(k).name; k++)
      if (table(k).fn && !strcmp(table(k).name, argv[2])) {
        fputs(table(k).help ? table(k).help : "(no help)\n", stdout);
        return 0;
      }
    fprintf(stderr, "vqe help: unknown command '%s' (see 'vqe --help')\n", argv[2]);
    return 2;
  }
  for (int k = 0; table(k).name; k++)
    if (table(k).fn && !strcmp(table(k).name, cmd)) {
      for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
          fputs(table(k).help ? table(k).help : "(no help)\n", stdout);
          return 0;
        }
      {
        const int rc = table(k).fn(argc - 1, argv + 1);
        vqe_dist_exit(rc);      /* MPI: a rank that failed alone stops the others (no hang) */
        return rc;
      }
    }
  fprintf(stderr, "vqe: unknown command '%s' (see 'vqe --help')\n", cmd);
  return 2;
}
