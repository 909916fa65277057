/* cli_ham.h — loading an active-space Hamiltonian for `vqe hamiltonian` and `vqe fci` (implemented in
 * cmd_hamiltonian.c): a molecule (XYZ → basis → integrals → SCF → MO integrals) or an FCIDUMP, with
 * the shared active-space flags applied; plus atomic output files. Internal to src/cli. */
#ifndef VQE_CLI_HAM_H
#define VQE_CLI_HAM_H

#include "cli.h"
#include <cjson/cJSON.h>

typedef struct {
  int from_fcidump;
  cli_system sys;              /* molecule path only */
  vqe_active_space as;
  vqe_mo_hamiltonian ham;      /* active-space Hamiltonian */
  int nmo_full;                /* orbitals before the active-space restriction */
  double e_scf;                /* SCF energy (FCIDUMP: energy of the lowest determinant of the file) */
  double t_load, t_mo;         /* molecule → SCF (or FCIDUMP read); MO transformation + active space */
} cli_ham;

/* 1 when FILE is an FCIDUMP: content starting with &FCI, or a name ending in .fcidump / FCIDUMP. */
int cli_ham_is_fcidump(const char *path);
/* Load and apply the active-space flags. Molecule-only flags given with an FCIDUMP are usage errors
 * (VQE_ERR_INPUT with the flag named). */
vqe_status cli_ham_load(const cli_common *c, cli_ham *h, vqe_error *err);
void cli_ham_free(cli_ham *h);

/* Write through a temporary file in the target's directory, renamed into place on success, so a
 * failure never leaves a half-written OUT. The writer returns a status; errors name the path. */
typedef vqe_status (*cli_ham_writer)(FILE *f, const void *ctx, vqe_error *err);
vqe_status cli_ham_write_atomic(const char *path, cli_ham_writer w, const void *ctx, vqe_error *err);

/* What a command computed, for the shared JSON document and summary. */
typedef struct {
  const char *command;
  int have_jw;                 /* jw valid */
  vqe_pauli_sum jw;
  double cutoff, t_jw;
  int have_fci;                /* fci valid (converged or not: see fci.converged) */
  vqe_fci_result fci;
  double t_fci, t_total;
} cli_ham_report;

/* Keys: command, file, source (molecule|fcidump), basis, energy_scf, energy_fci (null when not
 * computed), energy_correlation, s2_fci (⟨S²⟩ of the FCI state), energy_core, energy_nuclear, method (FCI|CASCI), n_orbitals,
 * n_frozen, n_alpha, n_beta, n_qubits, n_determinants, n_pauli_terms, n_x_groups, one_norm, cutoff,
 * fci_iterations, fci_converged, fci_residual, timings{load, mo, jw, fci, total}, threads. */
cJSON *cli_ham_json(const cli_common *c, const cli_ham *h, const cli_ham_report *r);
void cli_ham_print(FILE *f, const cli_common *c, const cli_ham *h, const cli_ham_report *r);

#endif
