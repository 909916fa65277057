/* bench_hamiltonian.c — times of the Hamiltonian layer: SCF → MO transformation → Jordan–Wigner →
 * FCI/CASCI on n2/sto-3g (frozen core 2), h2o/6-31g CASCI(8e, 8o) (frozen core 1), h2/cc-pvdz (20
 * qubits), h2o/6-31g frozen-core FCI (245025 determinants: sigma-bound, psi4's start-up no longer
 * dominates) and a large qubit Hamiltonian (h2o/cc-pvdz, frozen core 1, 46 qubits, JW only); and, when
 * psi4 is on PATH, psi4's FCI (detci) on the same cases with the time ratio. Prints figures; asserts
 * nothing. Run from anywhere: molecule paths are under VQE_SOURCE_DIR.
 *
 *   bench_hamiltonian [--no-psi4] [--threads T] */
#include "vqe/vqe.h"
#include "vqe/fci.h"
#include "vqe_config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

typedef struct {
  const char *label, *xyz, *basis;
  int frozen, active;   /* active < 0: all */
  int fci;              /* run FCI (and psi4) */
} bcase;

static const bcase cases[] = {
  { "n2/sto-3g, frozen core 2", "molecules/n2.xyz", "sto-3g", 2, -1, 1 },
  { "h2o/6-31g CASCI(8e,8o), frozen core 1", "molecules/h2o.xyz", "6-31g", 1, 8, 1 },
  { "h2/cc-pvdz (20 qubits)", "molecules/h2.xyz", "cc-pvdz", 0, -1, 1 },
  { "h2o/sto-3g (14 qubits)", "molecules/h2o.xyz", "sto-3g", 0, -1, 1 },
  { "h2o/6-31g, frozen core 1 (full FCI, 245025 determinants)", "molecules/h2o.xyz", "6-31g", 1, -1, 1 },
  { "h2o/cc-pvdz, frozen core 1 (46 qubits, JW only)", "molecules/h2o.xyz", "cc-pvdz", 1, -1, 0 },
};

static int have_psi4(void)
{
  return system("command -v psi4 >/dev/null 2>&1") == 0;
}

/* psi4 detci on the same molecule: returns the wall time (s) and fills *e; NAN on failure. */
static double run_psi4(const vqe_molecule *mol, const bcase *c, int threads, double *e)
{
  char dir[] = "/tmp/vqe_bench_psi4_XXXXXX";
  *e = (double)NAN;
  if (!mkdtemp(dir)) return NAN;
  char path[512];
  snprintf(path, sizeof path, "%s/in.dat", dir);
  FILE *f = fopen(path, "w");
  if (!f) return NAN;
  fprintf(f, "memory 1 gb\nmolecule {\nunits bohr\nno_reorient\nno_com\n%d %d\n", mol->charge, mol->multiplicity);
  for (int a = 0; a < mol->natom; a++)
    fprintf(f, "%s %.12f %.12f %.12f\n", vqe_element_symbol(mol->atoms[a].Z), mol->atoms[a].xyz[0], mol->atoms[a].xyz[1],
            mol->atoms[a].xyz[2]);
  fprintf(f, "symmetry c1\n}\nset basis %s\nset scf_type pk\nset e_convergence 1e-10\nset d_convergence 1e-10\n"
             "set r_convergence 1e-8\n", c->basis);
  if (mol->multiplicity > 1) fprintf(f, "set reference rohf\n");
  if (c->frozen > 0) fprintf(f, "set frozen_docc [%d]\n", c->frozen);
  if (c->active > 0) fprintf(f, "set active [%d]\n", c->active);
  fprintf(f, "e = energy('fci')\nprint_out('\\nBENCH_E %%.12f\\n' %% e)\n");
  fclose(f);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cd %s && psi4 -n %d in.dat out.dat >/dev/null 2>&1", dir, threads);
  double t0 = vqe_wtime();
  int rc = system(cmd);
  double t = vqe_wtime() - t0;
  snprintf(path, sizeof path, "%s/out.dat", dir);
  f = fopen(path, "r");
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f))
      if (!strncmp(line, "BENCH_E ", 8)) *e = strtod(line + 8, NULL);
    fclose(f);
  }
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) { /* leave it */ }
  return rc == 0 ? t : (double)NAN;
}

/* Jordan–Wigner build time for every molecule in molecules/ (basis from the file; frozen core auto
 * when the full space exceeds 64 qubits). */
static void bench_molecules(const char *root)
{
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/molecules", root);
  DIR *d = opendir(dir);
  if (!d) return;
  char names[64][256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    size_t l = strlen(e->d_name);
    if (l > 4 && !strcmp(e->d_name + l - 4, ".xyz")) snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
  printf("Jordan-Wigner for molecules/ (basis of the file, cutoff 1e-12)\n");
  printf("  %-14s %-8s %7s %6s %9s %8s %10s\n", "molecule", "basis", "frozen", "qubits", "terms", "X masks", "JW time/s");
  for (int k = 0; k < n; k++) {
    char path[1400];
    snprintf(path, sizeof path, "%.1023s/%.255s", dir, names[k]);
    vqe_error err = {0};
    vqe_molecule mol = {0};
    vqe_basis basis = {0};
    vqe_integrals ints = {0};
    vqe_scf_result scf = {0};
    vqe_mo_hamiltonian h = {0};
    vqe_pauli_sum jw = {0};
    vqe_active_space as;
    vqe_status st = vqe_molecule_read(path, NULL, &mol, &err);
    const char *bname = !st && mol.basis[0] ? mol.basis : "sto-3g";
    if (!st) st = vqe_basis_load(bname, &mol, -1, &basis, &err);
    if (!st) st = vqe_integrals_compute(&basis, &mol, -1, &ints, &err);
    if (!st) st = vqe_scf_run(&mol, &basis, &ints, NULL, &scf, &err);
    int fc = !st && scf.nmo > 32 ? VQE_FROZEN_AUTO : 0;
    if (!st) st = vqe_active_space_resolve(&mol, scf.nmo, scf.n_alpha, scf.n_beta, fc, -1, -1, &as, &err);
    if (!st) st = vqe_mo_hamiltonian_build(&scf, &ints, &as, &h, &err);
    double t0 = vqe_wtime();
    if (!st) st = vqe_hamiltonian_jordan_wigner(&h, -1, &jw, &err);
    double t = vqe_wtime() - t0;
    if (st) printf("  %-14s failed: %s\n", names[k], err.msg);
    else printf("  %-14s %-8s %7d %6d %9zu %8zu %10.3f\n", names[k], bname, as.n_frozen, 2 * h.norb, jw.n_terms,
                vqe_pauli_sum_n_xgroups(&jw), t);
    vqe_pauli_sum_free(&jw);
    vqe_mo_hamiltonian_free(&h);
    vqe_scf_result_free(&scf);
    vqe_integrals_free(&ints);
    vqe_basis_free(&basis);
    vqe_molecule_free(&mol);
  }
  printf("\n");
}

int main(int argc, char **argv)
{
  int use_psi4 = 1, threads = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--no-psi4")) use_psi4 = 0;
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else { fprintf(stderr, "usage: bench_hamiltonian [--no-psi4] [--threads T]\n"); return 2; }
  }
  vqe_set_threads(threads);
  threads = vqe_get_threads();
  if (use_psi4 && !have_psi4()) { use_psi4 = 0; printf("psi4 not on PATH: psi4 comparison skipped\n"); }
  const char *root = getenv("VQE_SOURCE_DIR");
  if (!root) root = VQE_SOURCE_DIR;
  printf("bench_hamiltonian: %d threads\n\n", threads);
  bench_molecules(root);
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const bcase *c = &cases[k];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, c->xyz);
    vqe_error err = {0};
    vqe_molecule mol = {0};
    vqe_basis basis = {0};
    vqe_integrals ints = {0};
    vqe_scf_result scf = {0};
    vqe_mo_hamiltonian h = {0};
    vqe_pauli_sum jw = {0};
    vqe_fci_result fr = {0};
    vqe_molecule_overrides ov = {0};
    ov.basis = c->basis;
    double t0 = vqe_wtime();
    vqe_status st = vqe_molecule_read(path, &ov, &mol, &err);
    if (!st) st = vqe_basis_load(c->basis, &mol, -1, &basis, &err);
    if (!st) st = vqe_integrals_compute(&basis, &mol, -1, &ints, &err);
    if (!st) st = vqe_scf_run(&mol, &basis, &ints, NULL, &scf, &err);
    double t_scf = vqe_wtime() - t0;
    vqe_active_space as;
    if (!st) st = vqe_active_space_resolve(&mol, scf.nmo, scf.n_alpha, scf.n_beta, c->frozen, c->active, -1, &as, &err);
    t0 = vqe_wtime();
    if (!st) st = vqe_mo_hamiltonian_build(&scf, &ints, &as, &h, &err);
    double t_mo = vqe_wtime() - t0;
    t0 = vqe_wtime();
    if (!st) st = vqe_hamiltonian_jordan_wigner(&h, -1, &jw, &err);
    double t_jw = vqe_wtime() - t0;
    double t_fci = 0;
    if (!st && c->fci) {
      t0 = vqe_wtime();
      st = vqe_fci_solve(&h, NULL, &fr, &err);
      t_fci = vqe_wtime() - t0;
    }
    printf("%s\n", c->label);
    if (st) {
      printf("  failed: %s\n\n", err.msg);
    } else {
      printf("  %-34s %d basis functions, %d active orbitals, %d+%d active electrons, %d qubits\n", "system", basis.nbf,
             h.norb, h.n_alpha, h.n_beta, 2 * h.norb);
      printf("  %-34s %8.3f s   E_SCF %.10f\n", "integrals + SCF", t_scf, scf.e_total);
      printf("  %-34s %8.3f s\n", "MO transformation + active space", t_mo);
      printf("  %-34s %8.3f s   %zu terms, %zu X masks, 1-norm %.4f\n", "Jordan-Wigner", t_jw, jw.n_terms,
             vqe_pauli_sum_n_xgroups(&jw), vqe_pauli_sum_one_norm(&jw));
      if (c->fci) {
        printf("  %-34s %8.3f s   E %.10f, %zu determinants, %d iterations\n", "FCI/CASCI (Davidson)", t_fci, fr.energy,
               fr.n_det, fr.iterations);
        double ours = t_scf + t_mo + t_jw + t_fci;
        printf("  %-34s %8.3f s\n", "total (ours)", ours);
        if (use_psi4) {
          double e4, t4 = run_psi4(&mol, c, threads, &e4);
          if (isfinite(t4))
            printf("  %-34s %8.3f s   E %.10f (diff %.1e), psi4/ours time ratio %.1f\n", "psi4 SCF + detci (whole run)",
                   t4, e4, fabs(e4 - fr.energy), t4 / ours);
          else
            printf("  psi4 run failed\n");
        }
      }
      printf("\n");
    }
    vqe_fci_result_free(&fr);
    vqe_pauli_sum_free(&jw);
    vqe_mo_hamiltonian_free(&h);
    vqe_scf_result_free(&scf);
    vqe_integrals_free(&ints);
    vqe_basis_free(&basis);
    vqe_molecule_free(&mol);
  }
  return 0;
}
