/* bench_scf.c — times the integrals and the SCF for water and benzene in cc-pVDZ (median of a few
 * runs, 2 threads by default) and, when `psi4` is on PATH, psi4 on the same input for a ratio.
 * Run by hand: build-dir/bench/bench_scf [--runs N] [--threads T] [--no-psi4]. Prints figures only. */
#include "vqe/vqe.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vqe_config.h"

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n)
{
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int on_path(const char *prog)
{
  const char *path = getenv("PATH");
  if (!path) return 0;
  char *dup = strdup(path), *save = NULL;
  int found = 0;
  for (char *d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
    char cand[1024];
    snprintf(cand, sizeof cand, "%s/%s", d, prog);
    found = access(cand, X_OK) == 0;
  }
  free(dup);
  return found;
}

/* Run psi4 on the molecule (same geometry in bohr, c1, no reorientation, PK integrals, the same
 * convergence); returns wall seconds (including psi4's start-up) and its SCF energy, or -1. */
static double run_psi4(const vqe_molecule *mol, const char *basis, int threads, double *energy)
{
  char dir[] = "/tmp/vqe_bench_psi4_XXXXXX";
  if (!mkdtemp(dir)) return -1;
  char in[600], out[600], cmd[2048];
  snprintf(in, sizeof in, "%s/in.dat", dir);
  snprintf(out, sizeof out, "%s/out.dat", dir);
  FILE *f = fopen(in, "w");
  if (!f) return -1;
  fprintf(f, "memory 2 gb\nmolecule {\n%d %d\n", mol->charge, mol->multiplicity);
  for (int a = 0; a < mol->natom; a++)
    fprintf(f, "%s %.12f %.12f %.12f\n", vqe_element_symbol(mol->atoms[a].Z), mol->atoms[a].xyz[0],
            mol->atoms[a].xyz[1], mol->atoms[a].xyz[2]);
  fprintf(f, "units bohr\nsymmetry c1\nno_reorient\nno_com\n}\n");
  fprintf(f, "set basis %s\nset scf_type pk\nset reference %s\nset e_convergence 1e-10\nset d_convergence 1e-8\n"
             "energy('scf')\n", basis, mol->multiplicity > 1 ? "rohf" : "rhf");
  fclose(f);
  snprintf(cmd, sizeof cmd, "cd %s && psi4 -n %d in.dat out.dat >/dev/null 2>&1", dir, threads);
  double t0 = vqe_wtime();
  int rc = system(cmd);
  double t = vqe_wtime() - t0;
  *energy = 0;
  f = fopen(out, "r");
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      const char *k = strstr(line, "Total Energy =");
      if (k) *energy = strtod(k + strlen("Total Energy ="), NULL);
    }
    fclose(f);
  }
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return rc == 0 && *energy != 0 ? t : -1;
}

int main(int argc, char **argv)
{
  int runs = 3, threads = 2, psi4 = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--no-psi4")) psi4 = 0;
    else { fprintf(stderr, "usage: bench_scf [--runs N] [--threads T] [--no-psi4]\n"); return 2; }
  }
  if (runs < 1 || runs > 100) runs = 3;
  vqe_set_threads(threads);
  psi4 = psi4 && on_path("psi4");
  static const struct { const char *file, *basis; } cases[] = {
    { "molecules/h2o.xyz", "cc-pvdz" },
    { "molecules/benzene.xyz", "cc-pvdz" },
  };
  printf("bench_scf: %d threads, median of %d runs%s\n", vqe_get_threads(), runs, psi4 ? "" : " (psi4 not run)");
  printf("%-22s %-8s %4s %10s %10s %10s %18s %10s %16s %8s\n", "molecule", "basis", "nbf", "ints_s", "scf_s", "total_s",
         "E_scf", "psi4_s", "E_psi4-E", "psi4/us");
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VQE_SOURCE_DIR, cases[k].file);
    vqe_molecule mol;
    vqe_basis basis;
    vqe_error err = {0};
    if (vqe_molecule_read(path, NULL, &mol, &err) || vqe_basis_load(cases[k].basis, &mol, -1, &basis, &err)) {
      fprintf(stderr, "bench_scf: %s\n", err.msg);
      return 1;
    }
    double ti[100], ts[100], E = 0;
    int iters = 0;
    for (int r = 0; r < runs; r++) {
      vqe_integrals ints;
      vqe_scf_result res;
      double t0 = vqe_wtime();
      if (vqe_integrals_compute(&basis, &mol, -1, &ints, &err)) { fprintf(stderr, "bench_scf: %s\n", err.msg); return 1; }
      double t1 = vqe_wtime();
      if (vqe_scf_run(&mol, &basis, &ints, NULL, &res, &err)) { fprintf(stderr, "bench_scf: %s\n", err.msg); return 1; }
      double t2 = vqe_wtime();
      ti[r] = t1 - t0;
      ts[r] = t2 - t1;
      E = res.e_total;
      iters = res.iterations;
      vqe_scf_result_free(&res);
      vqe_integrals_free(&ints);
    }
    const double mi = median(ti, runs), ms = median(ts, runs);
    const char *name = strrchr(cases[k].file, '/') + 1;
    printf("%-22s %-8s %4d %10.3f %10.3f %10.3f %18.10f", name, cases[k].basis, basis.nbf, mi, ms, mi + ms, E);
    if (psi4) {
      double Ep = 0, tp = run_psi4(&mol, cases[k].basis, threads, &Ep);
      if (tp > 0) printf(" %10.3f %16.3e %8.2f", tp, Ep - E, tp / (mi + ms));
      else printf(" %10s", "failed");
    }
    printf("   (%d SCF iterations)\n", iters);
    fflush(stdout);
    vqe_basis_free(&basis);
    vqe_molecule_free(&mol);
  }
  if (psi4) printf("psi4 time is the wall time of `psi4 -n %d` including its start-up (about 1-3 s of Python).\n", threads);
  return 0;
}
