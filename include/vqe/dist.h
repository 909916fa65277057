/* dist.h — MPI distribution of independent work: ranks, "my share of items 0..N−1", work maps whose
 * results every rank receives in item order, agreement on errors, a journal shared by all ranks, and
 * the abort-all helper of the CLI. Used by the study commands (sweep, scan, basis, plateau) and by
 * the distributed state vector (dstatevec.h).
 *
 * Built without MPI (the default, -Dmpi=disabled) every function is a trivial stub: one process is
 * rank 0 of 1, maps run every item in order, collectives copy or do nothing. Callers need no #if.
 * Built with MPI (-Dmpi=enabled, OpenMPI), vqe_dist_init calls MPI_Init_thread (FUNNELED: our OpenMP
 * threads never call MPI) only when the process was started by an MPI launcher (mpirun/srun set
 * OMPI_COMM_WORLD_SIZE / PMI_SIZE / PMIX_RANK); a plain `vqe ...` stays a single process without
 * MPI's start-up cost.
 *
 * Determinism: work items are numbered, every item's result is computed from the item alone (seeded
 * streams vqe_rng_stream(seed, item)), and results are delivered in item order, so the output is the
 * same for any rank count. Collectives must be called by every rank in the same order. */
#ifndef VQE_DIST_H
#define VQE_DIST_H

#include <stddef.h>
#include <stdint.h>
#include "vqe/common.h"
#include "vqe/study.h"
#include "vqe/plateau.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this build has MPI (VQE_HAVE_MPI), else 0. */
int vqe_dist_compiled(void);
/* Start MPI when launched by mpirun (see above); safe to call more than once and in every build.
 * Returns VQE_OK, or VQE_ERR_RESOURCE when MPI could not start. */
vqe_status vqe_dist_init(int *argc, char ***argv, vqe_error *err);
/* Finish MPI if vqe_dist_init started it (every rank must call it; no collective may follow). */
void vqe_dist_finalize(void);
int vqe_dist_active(void);      /* 1 when MPI runs with this process in it */
int vqe_dist_rank(void);        /* 0 without MPI */
int vqe_dist_size(void);        /* 1 without MPI */
int vqe_dist_node_ranks(void);  /* ranks sharing this node's memory (1 without MPI) */

/* Memory for work replicated on every rank (each rank holds its own copy, e.g. the state vectors of
 * the samples it computes): all ranks of a node together need node_ranks · bytes_per_rank. On
 * refusal VQE_ERR_RESOURCE "<what>: R ranks on this node need R × X but only Y is available (hint)";
 * agreed over the ranks. Without MPI: vqe_mem_check(bytes_per_rank). */
vqe_status vqe_dist_check_memory(uint64_t bytes_per_rank, const char *what, const char *hint, vqe_error *err);

/* The contiguous block [*begin, *end) of items 0..n−1 this rank owns (block distribution: the first
 * n mod size ranks get one more). */
void vqe_dist_share(size_t n, size_t *begin, size_t *end);
/* The rank that owns item i of n in that distribution. */
int vqe_dist_owner(size_t i, size_t n);

/* ---- collectives (every rank calls them, in the same order) -------------------------------------- */
void vqe_dist_barrier(void);
/* buf[0..n) ← sum over ranks (in place). With a single contributor per entry (others 0) the result is
 * that contributor's value exactly. */
void vqe_dist_sum(double *buf, size_t n);
/* Maximum of an int over ranks. */
int vqe_dist_max_int(int v);
/* Broadcast a malloc'd NUL-terminated string from root: on the other ranks *s is replaced by a
 * malloc'd copy (their old *s is freed). VQE_ERR_RESOURCE when out of memory (on any rank). */
vqe_status vqe_dist_bcast_string(char **s, int root, vqe_error *err);
/* Replace h on every rank by rank 0's (terms and qubit count). Inputs built on each rank (SCF
 * orbitals, whose signs may depend on the thread count) then agree exactly across ranks. */
vqe_status vqe_dist_bcast_pauli_sum(vqe_pauli_sum *h, vqe_error *err);
/* Gather one string per rank to every rank: out[r] (malloc'd, caller frees each and the array). */
vqe_status vqe_dist_allgather_strings(const char *mine, char ***out, vqe_error *err);

/* Agree on an error: every rank passes its own status (and record); all ranks return the status of
 * the lowest-numbered failing rank, and err holds that rank's message prefixed with "rank R: " when
 * more than one rank runs. VQE_OK everywhere when no rank failed. Call it before any collective that
 * a failing rank would skip, so that a failure never leaves the others waiting. */
vqe_status vqe_dist_agree(vqe_status st, vqe_error *err);

/* ---- work maps ------------------------------------------------------------------------------------
 * vqe_dist_map runs work(item) for the items 0..n−1 whose skip[item] is 0 (skip may be NULL), spread
 * over the ranks in rounds: round r gives the r-th group of `size` pending items one each (rank k the
 * k-th). After each round every rank receives the round's results and done(item, json) is called on
 * every rank for each of them in item order — rank 0 then appends them to its journal, so a finished
 * point is journaled within one round and is never lost or repeated on --resume.
 * work returns its result as a malloc'd string (usually a JSON point); a non-OK status from work or
 * done stops the map on every rank after that round, with the first failing item's message (agreed
 * as in vqe_dist_agree). A computation that should only mark its point as failed should put that
 * into the JSON and return VQE_OK. */
/* A study loop (sweep / scan / basis) without a warm start, for example:
 *     skip[i] = vqe_journal_find(&jn, key_i) != NULL;            (jn from vqe_dist_journal_open)
 *     work(i):  point = compute(i); *result = cJSON_PrintUnformatted(point);
 *     done(i):  point = cJSON_Parse(result); vqe_dist_journal_append(&jn, point); keep it in order
 *     st = vqe_dist_map(n, skip, work, done, ctx, &err);
 * then print / write CSV and plots on rank 0 only (vqe_dist_rank() == 0). A warm-started chain (point
 * i starts from point i − 1) cannot be split: run it on every rank (the result is the same) and let
 * rank 0 write. */
typedef vqe_status (*vqe_dist_work_fn)(void *ctx, size_t item, char **result, vqe_error *err);
typedef vqe_status (*vqe_dist_done_fn)(void *ctx, size_t item, const char *result, vqe_error *err);
vqe_status vqe_dist_map(size_t n, const unsigned char *skip, vqe_dist_work_fn work, vqe_dist_done_fn done,
                        void *ctx, vqe_error *err);

/* ---- a journal shared by all ranks (study.h) ----------------------------------------------------------
 * Rank 0 opens the file (vqe_journal_open, resume as there) and sends the points it read back to the
 * other ranks, whose journal holds the same points but no file; status agreed on every rank. Append:
 * rank 0 writes the point; every rank adds it to its in-memory points, so vqe_journal_find gives the
 * same answer everywhere. Close with vqe_journal_close. Without MPI these are the plain calls. */
vqe_status vqe_dist_journal_open(const char *path, const char *kind, const cJSON *config, int resume,
                                 vqe_journal *j, vqe_error *err);
vqe_status vqe_dist_journal_append(vqe_journal *j, const cJSON *point, vqe_error *err);

/* ---- gradient-variance sampling over ranks (plateau.h) ---------------------------------------------------
 * vqe_plateau_sample with the M samples split over the ranks (block distribution, vqe_dist_share):
 * each rank draws θ for its samples from the same streams vqe_rng_stream(seed, k) and calls fn, the
 * energies and gradients are summed to every rank (each entry has one contributor: exact), and the
 * statistics are computed from them exactly as by vqe_plateau_sample — so every number is identical
 * for any rank count with the same seed (st->time is the wall time of the whole call). fn runs only
 * for the calling rank's samples and must not call collectives. A failing sample stops every rank
 * with its message (agreed). With one rank: vqe_plateau_sample. */
vqe_status vqe_dist_plateau_sample(int n_params, vqe_plateau_grad_fn fn, void *ctx, const vqe_plateau_options *opt,
                                   vqe_plateau_stats *st, vqe_error *err);

/* ---- output of the ranks ------------------------------------------------------------------------------
 * For the CLI: on ranks other than 0 send stdout to /dev/null and keep stderr in a temporary file, so
 * tables, JSON and agreed error messages appear once (from rank 0). vqe_dist_abort_all and
 * vqe_dist_exit still reach the terminal (a saved copy of the original stderr). No effect on rank 0
 * or without MPI. */
void vqe_dist_silence_others(void);

/* For the CLI, when a command has returned its exit code rc (every rank calls it): ranks meet in a
 * non-blocking barrier. A rank with rc = 0 waits for the others; a rank with rc ≠ 0 waits at most a
 * few seconds — if another rank is still inside a collective (this rank failed alone: it cannot have
 * told them), it prints what it wrote to stderr, names itself and stops every rank with
 * MPI_Abort(rc), so a failure on one rank never leaves the others hanging. Returns normally when all
 * ranks arrived (then MPI_Finalize, at exit, is safe) and without MPI. */
void vqe_dist_exit(int rc);

/* ---- the CLI's abort-all ----------------------------------------------------------------------------
 * For a rank that fails where the others cannot be told (outside a collective): print
 * "vqe CMD: rank R: message" to stderr and stop every rank with MPI_Abort(exit_code). Returns
 * normally (doing nothing) when MPI is not running or runs with one rank: the caller then returns its
 * exit code as usual. The only place the library ends a process. */
void vqe_dist_abort_all(const char *cmd, const vqe_error *err, int exit_code);

#ifdef __cplusplus
}
#endif
#endif
