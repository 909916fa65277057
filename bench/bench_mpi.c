/* bench_mpi.c — the distributed state vector (dstatevec.h): time and communication volume per gate on
 * a local qubit vs a global qubit, and the memory
 * each rank needs for n = 30..40 (to size a cluster). Built only with -Dmpi=enabled. Run:
 *   mpirun -np 2 build-mpi/bench/bench_mpi [n=24] [reps=5]
 *   mpirun -np 1 ... gives the single-process times of the same kernels. */
#include "vqe/dist.h"
#include "vqe/dstatevec.h"
#include "vqe/circuit.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double t_gate(const vqe_circuit *c, size_t i, vqe_dstatevec *s, int reps, vqe_dstatevec_comm *cm)
{
  vqe_error err = {0};
  const double theta[1] = { 0.3 };
  vqe_dist_barrier();
  vqe_dstatevec_comm_reset();
  const double t0 = vqe_wtime();
  for (int r = 0; r < reps; r++)
    if (vqe_dstatevec_apply_gate(c, i, theta, s, &err)) { fprintf(stderr, "%s\n", err.msg); exit(1); }
  vqe_dist_barrier();
  double t = (vqe_wtime() - t0) / reps;
  vqe_dstatevec_comm_get(cm);
  double m[1] = { t };
  vqe_dist_sum(m, 1);            /* mean over ranks */
  return m[0] / vqe_dist_size();
}

int main(int argc, char **argv)
{
  vqe_error err = {0};
  if (vqe_dist_init(&argc, &argv, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
  const int n = argc > 1 ? atoi(argv[1]) : 24, reps = argc > 2 ? atoi(argv[2]) : 5;
  const int rank = vqe_dist_rank(), size = vqe_dist_size();
  vqe_dstatevec s;
  if (vqe_dstatevec_init(&s, n, &err)) {
    if (rank == 0) fprintf(stderr, "bench_mpi: %s\n", err.msg);
    vqe_dist_finalize();
    return 2;
  }
  /* a dense state: H on every qubit (the global ones exchange once each) */
  vqe_circuit prep;
  vqe_circuit_init(&prep, n);
  for (int q = 0; q < n; q++) vqe_circuit_add_fixed(&prep, VQE_GATE_H, &q, NULL, &err);
  vqe_dstatevec_apply_circuit(&prep, NULL, &s, &err);
  vqe_circuit_free(&prep);

  const int nl = s.n_local;
  if (rank == 0) {
    printf("bench_mpi: n = %d qubits over %d rank%s (%d local qubits, %d global), %d threads per rank, %d repetitions\n",
           n, size, size > 1 ? "s" : "", nl, n - nl, vqe_get_threads(), reps);
    printf("chunk per rank: 2^%d amplitudes = %.1f MiB; messages of at most 256 MiB\n\n", nl, ldexp(16.0, nl) / 1048576.0);
    printf("%-12s %-10s %-8s %12s %16s %14s\n", "gate", "qubits", "where", "time [ms]", "sent/rank [MiB]", "GiB/s/rank");
  }
  typedef struct { vqe_gate_kind k; int q0, q1; } row;
  const int top = n - 1;
  row rows[] = {
    { VQE_GATE_H, 0, 0 }, { VQE_GATE_H, nl - 1, 0 }, { VQE_GATE_H, top, 0 },
    { VQE_GATE_RY, 0, 0 }, { VQE_GATE_RY, top, 0 },
    { VQE_GATE_RZ, 0, 0 }, { VQE_GATE_RZ, top, 0 },
    { VQE_GATE_CNOT, 0, 1 }, { VQE_GATE_CNOT, top, 0 }, { VQE_GATE_CNOT, 0, top },
    { VQE_GATE_SWAP, 0, 1 }, { VQE_GATE_SWAP, 0, top },
    { VQE_GATE_FERMI_SINGLE, 0, nl - 2 }, { VQE_GATE_FERMI_SINGLE, 0, top },
  };
  const int nrows = (int)(sizeof rows / sizeof rows[0]);
  for (int r = 0; r < nrows; r++) {
    vqe_circuit c;
    vqe_circuit_init(&c, n);
    const int q[2] = { rows[r].q0, rows[r].q1 };
    const vqe_gate_info *gi = vqe_gate_info_of(rows[r].k);
    vqe_status st = gi->n_angles ? vqe_circuit_add_param(&c, rows[r].k, q, 0, 1.0, &err)
                                 : vqe_circuit_add_fixed(&c, rows[r].k, q, NULL, &err);
    if (st) { if (rank == 0) fprintf(stderr, "%s\n", err.msg); return 1; }
    vqe_dstatevec_comm cm;
    t_gate(&c, 0, &s, 1, &cm);                 /* warm-up */
    const double t = t_gate(&c, 0, &s, reps, &cm);
    const double mib = (double)cm.bytes_sent / reps / 1048576.0;
    char qs[32];
    if (gi->n_qubits == 1) snprintf(qs, sizeof qs, "q%d", q[0]);
    else snprintf(qs, sizeof qs, "q%d,q%d", q[0], q[1]);
    const int global = (q[0] >= nl) || (gi->n_qubits > 1 && q[1] >= nl);
    char bw[32] = "-";
    if (mib > 0) snprintf(bw, sizeof bw, "%.2f", mib / 1024.0 / t);
    if (rank == 0)
      printf("%-12s %-10s %-8s %12.2f %16.1f %14s\n", gi->name, qs, global ? "global" : "local", 1e3 * t, mib, bw);
    vqe_circuit_free(&c);
  }

  /* the memory table: what one rank holds for a run (1 state) and an adjoint gradient (3 states) */
  if (rank == 0) {
    printf("\nmemory per rank (state chunks + one exchange buffer when ranks > 1), GiB:\n");
    printf("%-4s", "n");
    const int ranks[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
    for (int j = 0; j < 11; j++) printf(" %9d", ranks[j]);
    printf("   <- ranks; first line of each n: vqe run energy (1 state), second: adjoint gradient (3 states)\n");
    for (int m = 30; m <= 40; m++)
      for (int cnt = 1; cnt <= 3; cnt += 2) {
        if (cnt == 1) printf("%-4d", m);
        else printf("%-4s", "");
        for (int j = 0; j < 11; j++) {
          const uint64_t b = vqe_dstatevec_bytes_per_rank(m, cnt, ranks[j]);
          printf(" %9.1f", (double)b / 1073741824.0);
        }
        printf("  %s\n", cnt == 1 ? "(1 state)" : "(3 states)");
      }
  }
  vqe_dstatevec_free(&s);
  vqe_dist_finalize();
  return 0;
}
