/* study.h — what the studies (`vqe sweep`, `vqe scan`, `vqe basis`, `vqe plateau`) share: a
 * crash-safe JSON-lines journal that makes them resumable, atomic CSV tables, progress lines, and
 * plots drawn by gnuplot from a generated script. Used by the study commands in src/cli. */
#ifndef VQE_STUDY_H
#define VQE_STUDY_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "vqe/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- journal ------------------------------------------------------------------------------------
 * File format (one JSON document per line):
 *   line 1: {"vqe_study": "<kind>", "config": {...}}      what produced the file
 *   then:   one finished point per line, each an object with a string "key" naming the point
 *           (e.g. "hea/L=3"), written and fsync'ed the moment the point is done.
 * Opening with resume = 1 reads the points back. A line that does not parse (a write cut short by a
 * kill) is not trusted: the file is rewritten without it (atomically) and the point is redone. The
 * config must match the one the file was written with, otherwise VQE_ERR_INPUT (the user mixed up
 * studies). Opening an existing non-empty file without resume is refused (nothing is overwritten). */
typedef struct {
  char path[1024];
  FILE *f;
  cJSON *points;        /* array of points read back (resume) and appended since */
  int n_resumed;        /* points read back */
  int n_dropped;        /* corrupt lines dropped */
} vqe_journal;

vqe_status vqe_journal_open(const char *path, const char *kind, const cJSON *config, int resume,
                            vqe_journal *j, vqe_error *err);
/* The point with this key, or NULL. */
const cJSON *vqe_journal_find(const vqe_journal *j, const char *key);
/* Append (a copy of) the point; it must carry a string "key". Flushed and fsync'ed. */
vqe_status vqe_journal_append(vqe_journal *j, const cJSON *point, vqe_error *err);
void vqe_journal_close(vqe_journal *j);     /* accepts a zeroed journal */

/* ---- tables ----------------------------------------------------------------------------------------
 * CSV of the points' fields named in columns (NULL-terminated), header first; numbers with %.12g,
 * missing fields empty. Written to path.tmp and renamed: never half-written. */
vqe_status vqe_write_csv(const char *path, const cJSON *points, const char *const *columns, vqe_error *err);

/* Progress "[i/n] label  elapsed 12 s, about 30 s left" on stderr, only when stderr is a terminal
 * and quiet is 0. t_start from vqe_wtime(). Ends with \r; vqe_progress_done clears the line. */
void vqe_progress(int i, int n, double t_start, const char *label, int quiet);
void vqe_progress_done(int quiet);

/* ---- plots -----------------------------------------------------------------------------------------
 * Drawn by gnuplot (Debian: gnuplot-nox) from a generated script; the format follows the extension
 * (.svg or .png). */
typedef struct {
  const char *label;
  int n;
  const double *x, *y;
  const double *yerr;      /* optional error bars (NULL) */
  int points_only;         /* 1: markers without lines (data with a fitted curve) */
  const char *function;    /* optional gnuplot expression in x drawn instead of data, e.g. "exp(-0.69*x)" */
} vqe_plot_series;

typedef struct {
  const char *title, *xlabel, *ylabel;
  int logx, logy;
  int has_hline;           /* horizontal reference line (e.g. chemical accuracy) */
  double hline;
  const char *hline_label;
  int n_series;
  const vqe_plot_series *series;
} vqe_plot_spec;

/* 1 when a gnuplot program is available (VQE_GNUPLOT overrides the program name). */
int vqe_plot_available(void);
/* Draw to path (.svg/.png). Without gnuplot: VQE_ERR_INPUT "plotting needs gnuplot: apt-get install
 * gnuplot-nox". Output written to a temporary name and renamed; an empty result is an error. */
vqe_status vqe_plot(const char *path, const vqe_plot_spec *spec, vqe_error *err);

#ifdef __cplusplus
}
#endif
#endif
