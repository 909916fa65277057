/* cmd_fci.c — `vqe fci FILE`: exact ground state (FCI, or CASCI with an active space) of a molecule or
 * an FCIDUMP by determinant Davidson. A thin client of fci.h through the loader in cmd_hamiltonian.c. */
#include "cli_ham.h"
#include "vqe/fci.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const char vqe_help_fci[];
int vqe_cmd_fci(int argc, char **argv);

const char vqe_help_fci[] =
  "usage: vqe fci FILE [flags]\n"
  "\n"
  "Exact ground-state energy in the (N_alpha, N_beta) sector of the Hamiltonian of FILE: a molecule\n"
  "(.xyz; SCF orbitals, then FCI) or an FCIDUMP. With an active space this is CASCI on the canonical\n"
  "SCF orbitals (no orbital optimisation), as psi4 detci with frozen_docc / active. Determinant-based\n"
  "Davidson (Knowles-Handy sigma), converged to 1e-10 Eh. Also reports the size of the Jordan-Wigner\n"
  "qubit Hamiltonian.\n"
  "\n"
  "flags:\n"
  "  --frozen-core K|auto inactive doubly occupied orbitals (auto: chemical core, 1 per Li-Ne atom,\n"
  "                       5 per Na-Ar, 9 per K-Kr; not with an FCIDUMP)\n"
  "  --active-orbitals M  active spatial orbitals above the frozen core (default: all)\n"
  "  --active-electrons E active electrons (default: all not frozen)\n"
  "  --basis B            basis set name or .g94/.gbs file (molecules only)\n"
  "  --charge Q, --multiplicity M, --cartesian | --spherical, --guess sad|gwh|core,\n"
  "  --scf-max-iter N, --stability, --follow   as for 'vqe scf'\n"
  "  --max-iter N         Davidson iteration limit (default 200)\n"
  "  --verbose            Davidson iterations on stderr\n"
  "  --threads T          OpenMP threads\n"
  "  --json               one JSON document (energy_scf, energy_fci, energy_core, n_qubits,\n"
  "                       n_determinants, n_pauli_terms, n_x_groups, one_norm, timings, ...)\n"
  "\n"
  "examples:\n"
  "  vqe fci molecules/h2o.xyz --basis sto-3g\n"
  "  vqe fci molecules/n2.xyz --basis sto-3g --frozen-core 2\n"
  "  vqe fci molecules/h2o.xyz --basis 6-31g --frozen-core 1 --active-orbitals 8 --json\n"
  "  vqe fci h2o.fcidump\n"
  "\n"
  "exit codes: 0 success, 1 SCF or Davidson did not converge, 2 bad input\n";

int vqe_cmd_fci(int argc, char **argv)
{
  const char *cmd = "fci";
  cli_common c;
  cli_common_init(&c);
  vqe_fci_options fo;
  vqe_fci_options_default(&fo);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--max-iter")) {
      long n;
      if (i + 1 >= argc) return cli_usage(cmd, "--max-iter needs a value");
      if (!cli_int(cmd, a, argv[++i], 1, 100000, &n)) return 2;
      fo.max_iter = (int)n;
      continue;
    }
    if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) { fo.verbose = 1; continue; }
    if (a[0] == '-' && a[1]) {
      int r = cli_common_flag(cmd, &c, argc, argv, &i);
      if (r < 0) return 2;
      if (r == 0) return cli_usage(cmd, "unknown flag '%s'", a);
      continue;
    }
    if (c.file) return cli_usage(cmd, "one input file expected, got '%s' and '%s'", c.file, a);
    c.file = a;
  }
  if (!c.file) return cli_usage(cmd, "missing input file (vqe fci FILE: a molecule .xyz or an FCIDUMP)");

  const double t0 = vqe_wtime();
  cli_ham h;
  vqe_error err = {0};
  vqe_status st = cli_ham_load(&c, &h, &err);
  if (st) {
    int code = cli_fail(cmd, &err);
    cli_ham_free(&h);
    return code;
  }
  cli_ham_report rep = {0};
  rep.command = cmd;
  rep.cutoff = VQE_JW_CUTOFF_DEFAULT;
  int code = 0;
  if (h.ham.norb <= 32) {
    double t = vqe_wtime();
    st = vqe_hamiltonian_jordan_wigner(&h.ham, rep.cutoff, &rep.jw, &err);
    rep.t_jw = vqe_wtime() - t;
    if (st) { code = cli_fail(cmd, &err); goto done; }
    rep.have_jw = 1;
  }
  double t = vqe_wtime();
  st = vqe_fci_solve(&h.ham, &fo, &rep.fci, &err);
  rep.t_fci = vqe_wtime() - t;
  if (st && st != VQE_ERR_COMPUTE) { code = cli_fail(cmd, &err); goto done; }
  rep.have_fci = 1;
  if (st) code = cli_fail(cmd, &err);
  rep.t_total = vqe_wtime() - t0;
  if (c.json) {
    cJSON *j = cli_ham_json(&c, &h, &rep);
    char *txt = cJSON_Print(j);
    if (txt) printf("%s\n", txt);
    free(txt);
    cJSON_Delete(j);
  } else {
    cli_ham_print(stdout, &c, &h, &rep);
  }
done:
  vqe_pauli_sum_free(&rep.jw);
  vqe_fci_result_free(&rep.fci);
  cli_ham_free(&h);
  return code;
}
