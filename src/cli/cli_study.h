/* cli_study.h — what `vqe sweep`, `vqe scan` and `vqe basis` share: study flags, the resumable point
 * loop (journal, progress, failed points recorded and skipped), one VQE point as JSON with the keys of
 * `vqe run --json`, systems built from in-memory molecules, and the final JSON / CSV output.
 * Internal to src/cli. */
#ifndef VQE_CLI_STUDY_H
#define VQE_CLI_STUDY_H

#include "cli_vqe.h"
#include "vqe/study.h"

typedef struct {
  const char *output;     /* --output FILE: one JSON line per finished point */
  int resume;             /* --resume */
  const char *csv;        /* --csv FILE */
  const char *plot;       /* --plot FILE.svg|.png */
  int warm_start;         /* sweep: --warm-start; scan: on unless --no-warm-start */
  int no_vqe;             /* scan/basis: HF and FCI only */
} cli_study_flags;

void cli_study_flags_init(cli_study_flags *f);
/* 1 consumed, 0 not a study flag, -1 bad value (printed). */
int cli_study_flag(const char *cmd, cli_study_flags *f, int argc, char **argv, int *i);
extern const char cli_study_help[];
/* One argument of a study command (argv[*i], with its value): a shared, study or VQE flag, or the input
 * file. Returns 0, or 2 after printing the usage error (unknown flag, a second file, a bad value). */
int cli_study_arg(const char *cmd, cli_common *c, cli_study_flags *f, cli_vqe_options *o, int argc, char **argv, int *i);

/* The study loop. */
typedef struct {
  const char *cmd;
  const cli_common *c;
  const cli_study_flags *f;
  vqe_journal jn;
  cJSON *config;
  cJSON *points;          /* in order */
  int n_points, n_failed, n_ok;
  double t_start;
} cli_study;

/* config: what produced the points (the command's arguments without output-only flags; built with
 * cli_study_config). Opens the journal when --output is given. */
vqe_status cli_study_begin(cli_study *s, const char *cmd, const cli_common *c, const cli_study_flags *f,
                           int argc, char **argv, int n_points, vqe_error *err);
/* The point already in the journal (resume), or NULL. Adds it to the points when found. */
const cJSON *cli_study_resumed(cli_study *s, const char *key);
/* Record a finished point (takes ownership): appended to the journal at once. */
vqe_status cli_study_add(cli_study *s, cJSON *point, vqe_error *err);
void cli_study_progress(cli_study *s, int i, const char *label);
void cli_study_end(cli_study *s);

/* Independent points 0..n−1 named keys[i]: those already in the journal are resumed, the others
 * computed by fn — spread over the ranks under mpirun (vqe_dist_map), in order otherwise — and added
 * in item order as they finish (journaled at once). fn returns the point (status ok or failed); NULL
 * with *st set stops the study when it is the first pending point and the error is the user's (input
 * or memory), else the point is recorded as failed. Returns 0 or the exit code of a stop. */
typedef cJSON *(*cli_study_point_fn)(void *ctx, size_t i, vqe_status *st, vqe_error *err);
int cli_study_run_points(cli_study *s, size_t n, const char *const *keys, cli_study_point_fn fn, void *ctx,
                         vqe_error *err);

/* A failed point: {key, status: "failed", reason} plus the varied fields the caller adds. */
cJSON *cli_study_failed_point(const char *key, const char *reason);

/* One VQE on a loaded system; warm (n_warm values, may be NULL) are copied into the first
 * parameters and the rest set to 0 (the padding that extends GateFabric / k-UpCCGSD by identity
 * layers). Returns the point JSON with the keys of `vqe run --json` (the gradient-variance keys
 * included when --plateau-samples > 0) and status "ok"; NULL with *st/err set on failure. */
cJSON *cli_study_vqe_point(const char *key, const cli_common *c, const cli_vqe_options *o, const cli_vqe_system *sys,
                           const double *warm, int n_warm, vqe_status *st, vqe_error *err);

/* Parameters of a point (its "parameters" array): malloc'd, count in *n; NULL if none. */
double *cli_study_point_params(const cJSON *p, int *n);

/* Print the JSON document {command, config, points, ...extra} (extra's items are moved in). */
void cli_study_print_json(const cli_study *s, cJSON *extra);
/* Write --csv with these columns (status and reason are added at the end). */
vqe_status cli_study_write_csv(const cli_study *s, const char *const *columns, vqe_error *err);
/* Exit code of a finished study: 0 when every point is ok, 1 when any failed. */
int cli_study_exit_code(const cli_study *s);

/* For tables: values that round to zero at 4 decimals print as 0.0000, not -0.0000. */
double cli_display(double x);

/* JSON number or null. */
double cli_json_num(const cJSON *o, const char *key);

#endif
