/* cmd_run.c — `vqe run`: one VQE optimisation of a molecule (XYZ → SCF → active space) or an FCIDUMP,
 * printed as a table or one JSON document. The work is in cli_vqe.c (shared with the studies). */
#include "cli_vqe.h"
#include "vqe/dstatevec.h"
#include <stdlib.h>
#include <string.h>

int vqe_cmd_run(int argc, char **argv);
extern const char vqe_help_run[];

const char vqe_help_run[] =
  "usage: vqe run FILE [flags]\n"
  "\n"
  "One VQE optimisation. FILE is a molecule (.xyz) or an FCIDUMP (detected by its &FCI header).\n"
  "Prints qubits, parameters, E_SCF, E_VQE, E_FCI (when the sector has at most 2e6 determinants),\n"
  "the error in mEh and whether it is within chemical accuracy (1.6 mEh), iterations, energy and\n"
  "gradient evaluations, <N>, <S_z>, <S^2> and the time per stage.\n"
  "\n"
  "flags:\n"
  "  --basis B, --charge Q, --multiplicity M, --cartesian|--spherical, --guess sad|gwh|core,\n"
  "  --scf-max-iter N, --threads T, --json, --quiet   (as for 'vqe scf')\n"
  "  --frozen-core K|auto, --active-orbitals M, --active-electrons E   (active space)\n"
  CLI_VQE_HELP_TEXT
  "  --distribute-state   under mpirun with 2^k ranks: split the state vectors over the ranks (each\n"
  "                       holds 2^(n-k) amplitudes; adjoint gradient, no penalties)\n"
  "\n"
  "Parameter files (--params-out, --init FILE): '#' comment lines, then one number per line.\n"
  "exit codes: 0 done (also when the iteration limit stopped the optimiser: converged false),\n"
  "            1 the computation failed (non-finite energy or gradient, SCF not converged),\n"
  "            2 bad input or flags\n"
  "examples:\n"
  "  vqe run molecules/h2.xyz\n"
  "  vqe run molecules/lih.xyz --frozen-core auto --ansatz gatefabric --layers 4 --json\n"
  "  vqe run molecules/h2.xyz --ansatz hea --layers 2 --init random --seed 7 --params-out p.txt\n";

int vqe_cmd_run(int argc, char **argv)
{
  const char *cmd = "run";
  cli_common c;
  cli_common_init(&c);
  cli_vqe_options o;
  cli_vqe_options_init(&o);
  for (int i = 1; i < argc; i++) {
    int k = cli_common_flag(cmd, &c, argc, argv, &i);
    if (k < 0) return 2;
    if (k) continue;
    if (!strcmp(argv[i], "--distribute-state")) { o.distribute = 1; continue; }
    k = cli_vqe_flag(cmd, &o, argc, argv, &i);
    if (k < 0) return 2;
    if (k) continue;
    if (argv[i][0] == '-' && argv[i][1]) return cli_usage(cmd, "unknown flag '%s'", argv[i]);
    if (c.file) return cli_usage(cmd, "more than one input file ('%s' and '%s')", c.file, argv[i]);
    c.file = argv[i];
  }
  if (!c.file) return cli_usage(cmd, "no input file (a molecule .xyz or an FCIDUMP)");

  vqe_error err = {0};
  if (o.distribute && vqe_dstatevec_check_ranks(&err)) return cli_fail(cmd, &err);   /* before any work */
  cli_vqe_system s;
  vqe_status st = cli_vqe_system_load(&c, &s, &err);
  if (st) { cli_vqe_system_free(&s); return cli_fail(cmd, &err); }
  vqe_run_result r;
  st = cli_vqe_execute(&o, &s, &r, &err);
  if (st) {
    int code = cli_fail(cmd, &err);
    vqe_run_result_free(&r);
    cli_vqe_system_free(&s);
    return code;
  }
  if (r.have_plateau && r.plateau.verdict == VQE_VERDICT_PLATEAU && !c.quiet)
    fprintf(stderr, "vqe run: warning: barren plateau: %s; the optimiser sees an almost flat landscape "
            "(try a problem-inspired ansatz such as gatefabric or uccsd, or fewer layers)\n", r.plateau.reason);
  if (c.json) {
    cJSON *j = cli_vqe_json(&c, &o, &s, &r);
    char *text = j ? cJSON_Print(j) : NULL;
    if (text) { fputs(text, stdout); fputc('\n', stdout); }
    free(text);
    cJSON_Delete(j);
  } else {
    cli_vqe_print(stdout, &c, &o, &s, &r);
  }
  vqe_run_result_free(&r);
  cli_vqe_system_free(&s);
  return 0;
}
