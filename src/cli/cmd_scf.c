/* cmd_scf.c — `vqe scf FILE`: Hartree–Fock (RHF for singlets, ROHF for open shells) on a molecule,
 * printed as a table or one JSON document. A thin client of cli_system_load (molecule → basis →
 * integrals → SCF). */
#include "cli.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Looked up (weakly) by the command table in main.c. */
extern const char vqe_help_scf[];
int vqe_cmd_scf(int argc, char **argv);

const char vqe_help_scf[] =
  "usage: vqe scf FILE [flags]\n"
  "\n"
  "Hartree–Fock energy and orbitals of the molecule in FILE (.xyz): RHF for closed shells, ROHF when\n"
  "the multiplicity is above 1. Prints nuclear repulsion, electronic and total energy, orbital\n"
  "energies with occupations, iterations, and the time of each stage.\n"
  "\n"
  "flags:\n"
  CLI_COMMON_HELP_TEXT
  "\n"
  "Basis files are looked up in $VQE_BASIS_PATH (colon-separated), the source tree's basis/ and the\n"
  "installed data directory, with psi4's file names (6-31G* -> 6-31gs.gbs, cc-pVDZ -> cc-pvdz.gbs).\n"
  "\n"
  "examples:\n"
  "  vqe scf molecules/h2o.xyz --basis cc-pvdz\n"
  "  vqe scf molecules/oh.xyz --basis sto-3g --multiplicity 2 --json\n"
  "  vqe scf molecules/n2.xyz --guess core --follow     # core guess lands on a saddle; follow it down\n"
  "\n"
  "exit codes: 0 converged, 1 SCF did not converge (nothing is printed as an energy), 2 bad input\n";

/* Every shell carries the basis' kind (basis.h); it decides the d/f counts and the AO order. */
static const char *basis_kind(const vqe_basis *b)
{
  return b->nshell > 0 && b->shells[0].pure ? "spherical" : "cartesian";
}

static void print_table(const cli_common *c, const cli_system *s, double t_total)
{
  const vqe_scf_result *r = &s->scf;
  const vqe_molecule *m = &s->mol;
  printf("vqe scf: %s\n\n", c->file);
  printf("  %-22s %s (%d functions, %s)\n", "basis", s->basis.name, s->basis.nbf, basis_kind(&s->basis));
  printf("  %-22s %s\n", "basis file", s->basis.path);
  printf("  %-22s %d (alpha %d, beta %d), charge %d, multiplicity %d\n", "electrons", m->n_electrons, m->n_alpha,
         m->n_beta, m->charge, m->multiplicity);
  printf("  %-22s %s", "reference", r->is_rohf ? "ROHF" : "RHF");
  if (r->nmo < r->nbf) printf(" (%d orbitals: %d linear dependencies removed)", r->nmo, r->nbf - r->nmo);
  printf("\n\n");
  printf("  %-22s %20.12f Eh\n", "nuclear repulsion", r->e_nuc);
  printf("  %-22s %20.12f Eh\n", "electronic energy", r->e_elec);
  printf("  %-22s %20.12f Eh\n", "total energy (SCF)", r->e_total);
  printf("  %-22s %d (converged: |dE| %.1e, gradient %.1e)\n", "iterations", r->iterations, fabs(r->last_de), r->last_grad);
  if (r->stable >= 0)
    printf("  %-22s lowest orbital-Hessian eigenvalue %.6f (%s)\n", "stability", r->stability_lowest,
           r->stable ? "stable: a minimum" : "UNSTABLE: a saddle point, try --follow");
  printf("\n  orbital energies (Eh)\n   %4s  %4s  %16s\n", "#", "occ", "energy");
  for (int p = 0; p < r->nmo; p++) printf("   %4d  %4.0f  %16.8f\n", p + 1, r->occ[p], r->eps[p]);
  printf("\n  timings (s): read + basis %.3f, integrals %.3f (%zu quartets, %zu screened), SCF %.3f, total %.3f (%d threads)\n",
         s->t_read, s->t_ints, s->ints.n_quartets_computed, s->ints.n_quartets_screened, s->t_scf, t_total,
         vqe_get_threads());
}

static int print_json(const cli_common *c, const cli_system *s, double t_total)
{
  const vqe_scf_result *r = &s->scf;
  const vqe_molecule *m = &s->mol;
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "command", "scf");
  cJSON_AddStringToObject(j, "molecule", c->file);
  cJSON_AddStringToObject(j, "basis", s->basis.name);
  cJSON_AddStringToObject(j, "basis_file", s->basis.path);
  cJSON_AddStringToObject(j, "basis_kind", basis_kind(&s->basis));
  cJSON_AddStringToObject(j, "scf_reference", r->is_rohf ? "ROHF" : "RHF");
  cJSON_AddNumberToObject(j, "n_basis", r->nbf);
  cJSON_AddNumberToObject(j, "n_mo", r->nmo);
  cJSON_AddNumberToObject(j, "n_electrons", m->n_electrons);
  cJSON_AddNumberToObject(j, "n_alpha", r->n_alpha);
  cJSON_AddNumberToObject(j, "n_beta", r->n_beta);
  cJSON_AddNumberToObject(j, "charge", m->charge);
  cJSON_AddNumberToObject(j, "multiplicity", m->multiplicity);
  cJSON_AddNumberToObject(j, "energy_nuclear", r->e_nuc);
  cJSON_AddNumberToObject(j, "energy_electronic", r->e_elec);
  cJSON_AddNumberToObject(j, "energy_scf", r->e_total);
  cJSON_AddNumberToObject(j, "iterations", r->iterations);
  cJSON_AddBoolToObject(j, "converged", r->converged);
  cJSON_AddNumberToObject(j, "last_delta_e", r->last_de);
  cJSON_AddNumberToObject(j, "last_gradient", r->last_grad);
  if (r->stable >= 0) {
    cJSON_AddNumberToObject(j, "stability_lowest_eigenvalue", r->stability_lowest);
    cJSON_AddBoolToObject(j, "stable", r->stable == 1);
  }
  cJSON_AddItemToObject(j, "orbital_energies", cJSON_CreateDoubleArray(r->eps, r->nmo));
  cJSON_AddItemToObject(j, "occupations", cJSON_CreateDoubleArray(r->occ, r->nmo));
  cJSON *t = cJSON_AddObjectToObject(j, "timings");
  cJSON_AddNumberToObject(t, "read_basis", s->t_read);
  cJSON_AddNumberToObject(t, "integrals", s->t_ints);
  cJSON_AddNumberToObject(t, "scf", s->t_scf);
  cJSON_AddNumberToObject(t, "total", t_total);
  cJSON_AddNumberToObject(j, "threads", vqe_get_threads());
  char *txt = cJSON_Print(j);
  int ok = txt != NULL;
  if (ok) printf("%s\n", txt);
  free(txt);
  cJSON_Delete(j);
  return ok ? 0 : 1;
}

int vqe_cmd_scf(int argc, char **argv)
{
  const char *cmd = "scf";
  cli_common c;
  cli_common_init(&c);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1]) {
      int r = cli_common_flag(cmd, &c, argc, argv, &i);
      if (r < 0) return 2;
      if (r == 0) return cli_usage(cmd, "unknown flag '%s'", a);
      continue;
    }
    if (c.file) return cli_usage(cmd, "one molecule file expected, got '%s' and '%s'", c.file, a);
    c.file = a;
  }
  if (!c.file) return cli_usage(cmd, "missing molecule file (vqe scf FILE)");
  if (c.frozen_core != -2 || c.active_orbitals != -1 || c.active_electrons != -1)
    return cli_usage(cmd, "active-space flags do not apply to scf (use 'vqe hamiltonian' or 'vqe fci')");

  const double t0 = vqe_wtime();
  cli_system s;
  vqe_error err = {0};
  vqe_status st = cli_system_load(&c, &s, &err);
  const double t_total = vqe_wtime() - t0;
  if (st) {
    int code = cli_fail(cmd, &err);
    if (st == VQE_ERR_COMPUTE && s.scf.C && !c.quiet)
      fprintf(stderr, "vqe scf: the last iterate (E = %.10f Eh, not converged) is not reported as an energy\n",
              s.scf.e_total);
    cli_system_free(&s);
    return code;
  }
  int rc = c.json ? print_json(&c, &s, t_total) : (print_table(&c, &s, t_total), 0);
  cli_system_free(&s);
  return rc;
}
