/* dist.c — ranks, shares, collectives, work maps, the shared journal and abort-all of dist.h. All MPI
 * calls sit under VQE_HAVE_MPI; without MPI (or when not started by a launcher) the functions are the
 * single-process stubs. Called by the study commands and by dstatevec.c. */
#include "vqe_config.h"
#include "vqe/dist.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if VQE_HAVE_MPI
#include <mpi.h>
#endif

static int d_started;    /* vqe_dist_init started MPI (we finalize it) */
static int d_rank, d_size = 1, d_node_ranks = 1;
static int d_stderr_fd = -1;   /* the original stderr of a silenced rank (abort messages) */
static FILE *d_err_log;         /* a silenced rank's stderr, shown when it fails alone */
#define D_EXIT_WAIT 5.0         /* seconds a failing rank waits for the others at exit */
#if VQE_HAVE_MPI
static MPI_Comm d_exit_comm = MPI_COMM_NULL;   /* the exit barrier's own communicator: it never
                                                  matches a collective another rank is inside */
#endif

int vqe_dist_compiled(void) { return VQE_HAVE_MPI ? 1 : 0; }
int vqe_dist_rank(void) { return d_rank; }
int vqe_dist_size(void) { return d_size; }
int vqe_dist_node_ranks(void) { return d_node_ranks; }

#if VQE_HAVE_MPI
static void d_count_node_ranks(void)
{
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, d_rank, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &d_node_ranks);
  MPI_Comm_free(&node);
}
#endif

vqe_status vqe_dist_check_memory(uint64_t bytes, const char *what, const char *hint, vqe_error *err)
{
  if (d_size == 1 || d_node_ranks == 1) return vqe_dist_agree(vqe_mem_check(bytes, what, hint, err), err);
  const uint64_t avail = vqe_mem_available(), R = (uint64_t)d_node_ranks;
  vqe_status st = VQE_OK;
  if (avail && (bytes > avail / R)) {
    char b1[32], b2[32];
    st = vqe_error_set(err, VQE_ERR_RESOURCE, "%s: %d ranks on this node need %d x %s but only %s is available%s%s",
                       what, d_node_ranks, d_node_ranks, vqe_format_bytes(bytes, b1), vqe_format_bytes(avail, b2),
                       hint ? " (" : "", hint ? hint : "");
    if (hint) { size_t l = strlen(err->msg); if (l + 1 < sizeof err->msg) { err->msg[l] = ')'; err->msg[l + 1] = 0; } }
  }
  return vqe_dist_agree(st, err);
}

int vqe_dist_active(void)
{
#if VQE_HAVE_MPI
  int on = 0, off = 0;
  MPI_Initialized(&on);
  if (on) MPI_Finalized(&off);
  return on && !off;
#else
  return 0;
#endif
}

vqe_status vqe_dist_init(int *argc, char ***argv, vqe_error *err)
{
#if VQE_HAVE_MPI
  if (vqe_dist_active()) {
    MPI_Comm_rank(MPI_COMM_WORLD, &d_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d_size);
    if (d_exit_comm == MPI_COMM_NULL) { MPI_Comm_dup(MPI_COMM_WORLD, &d_exit_comm); d_count_node_ranks(); }
    return VQE_OK;
  }
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return VQE_OK;
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return vqe_error_set(err, VQE_ERR_RESOURCE, "MPI could not start (MPI_Init_thread failed)");
  d_started = 1;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  MPI_Comm_rank(MPI_COMM_WORLD, &d_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &d_size);
  MPI_Comm_dup(MPI_COMM_WORLD, &d_exit_comm);
  d_count_node_ranks();
#else
  (void)argc; (void)argv; (void)err;
#endif
  return VQE_OK;
}

void vqe_dist_finalize(void)
{
#if VQE_HAVE_MPI
  if (d_exit_comm != MPI_COMM_NULL && vqe_dist_active()) MPI_Comm_free(&d_exit_comm);
  d_exit_comm = MPI_COMM_NULL;
  if (d_started && vqe_dist_active()) MPI_Finalize();
#endif
  d_started = 0;
  d_rank = 0;
  d_size = 1;
  d_node_ranks = 1;
}

void vqe_dist_share(size_t n, size_t *begin, size_t *end)
{
  const size_t P = (size_t)d_size, r = (size_t)d_rank, q = n / P, m = n % P;
  *begin = r * q + (r < m ? r : m);
  *end = *begin + q + (r < m ? 1 : 0);
}

int vqe_dist_owner(size_t i, size_t n)
{
  const size_t P = (size_t)d_size, q = n / P, m = n % P;
  /* the first m ranks hold q + 1 items, the rest q */
  if (i < m * (q + 1)) return (int)(i / (q + 1));
  return q ? (int)(m + (i - m * (q + 1)) / q) : (int)m;
}

/* ---- collectives ------------------------------------------------------------------------------------ */

void vqe_dist_barrier(void)
{
#if VQE_HAVE_MPI
  if (d_size > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

void vqe_dist_sum(double *buf, size_t n)
{
#if VQE_HAVE_MPI
  if (d_size < 2) return;
  const size_t piece = (size_t)1 << 26;        /* int counts: stay far below 2^31 */
  for (size_t o = 0; o < n; o += piece) {
    const size_t c = n - o < piece ? n - o : piece;
    MPI_Allreduce(MPI_IN_PLACE, buf + o, (int)c, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  }
#else
  (void)buf; (void)n;
#endif
}

int vqe_dist_max_int(int v)
{
#if VQE_HAVE_MPI
  if (d_size > 1) MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
#endif
  return v;
}

vqe_status vqe_dist_bcast_string(char **s, int root, vqe_error *err)
{
#if VQE_HAVE_MPI
  if (d_size < 2) return VQE_OK;
  long long len = d_rank == root ? (long long)(*s ? strlen(*s) : 0) : 0;
  MPI_Bcast(&len, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
  char *buf = d_rank == root ? *s : malloc((size_t)len + 1);
  int bad = d_rank != root && !buf;
  if (vqe_dist_max_int(bad))
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory receiving %lld bytes from rank %d", len, root);
  if (len > 0) {
    const long long piece = 1LL << 28;
    for (long long o = 0; o < len; o += piece)
      MPI_Bcast(buf + o, (int)(len - o < piece ? len - o : piece), MPI_CHAR, root, MPI_COMM_WORLD);
  }
  if (d_rank != root) {
    buf[len] = '\0';
    free(*s);
    *s = buf;
  }
#else
  (void)s; (void)root; (void)err;
#endif
  return VQE_OK;
}

vqe_status vqe_dist_allgather_strings(const char *mine, char ***out, vqe_error *err)
{
  *out = calloc((size_t)d_size, sizeof **out);
  int bad = *out == NULL;
  if (!bad && d_size == 1) {
    (*out)[0] = strdup(mine ? mine : "");
    bad = (*out)[0] == NULL;
  }
#if VQE_HAVE_MPI
  if (d_size > 1 && !vqe_dist_max_int(bad)) {
    for (int r = 0; r < d_size && !bad; r++) {
      char *s = r == d_rank ? strdup(mine ? mine : "") : NULL;
      if (r == d_rank && !s) bad = 1;
      if (vqe_dist_max_int(bad)) { free(s); bad = 1; break; }
      if (vqe_dist_bcast_string(&s, r, err)) { free(s); bad = 1; break; }
      (*out)[r] = s;
    }
  }
#endif
  if (vqe_dist_max_int(bad)) {
    if (*out) for (int r = 0; r < d_size; r++) free((*out)[r]);
    free(*out);
    *out = NULL;
    return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory gathering results from %d ranks", d_size);
  }
  return VQE_OK;
}

vqe_status vqe_dist_agree(vqe_status st, vqe_error *err)
{
#if VQE_HAVE_MPI
  if (d_size < 2) return st;
  int first = st ? d_rank : d_size;
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == d_size) return VQE_OK;
  int code = (int)st;
  MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
  char msg[VQE_ERRMSG_MAX];
  if (d_rank == first) snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
  MPI_Bcast(msg, VQE_ERRMSG_MAX, MPI_CHAR, first, MPI_COMM_WORLD);
  msg[VQE_ERRMSG_MAX - 1] = '\0';
  if (!strncmp(msg, "rank ", 5)) return vqe_error_set(err, (vqe_status)code, "%s", msg);
  return vqe_error_set(err, (vqe_status)code, "rank %d: %s", first, msg);
#else
  return st;
#endif
}

vqe_status vqe_dist_bcast_pauli_sum(vqe_pauli_sum *h, vqe_error *err)
{
#if VQE_HAVE_MPI
  if (d_size < 2) return VQE_OK;
  long long meta[2] = { h->n_qubits, (long long)h->n_terms };
  MPI_Bcast(meta, 2, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
  const size_t T = (size_t)meta[1];
  int bad = 0;
  if (d_rank != 0 && T > h->capacity) {
    vqe_pauli_term *t = realloc(h->terms, T * sizeof *t);
    if (t) { h->terms = t; h->capacity = T; } else bad = 1;
  }
  if (vqe_dist_max_int(bad)) return vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory receiving %zu Pauli terms", T);
  h->n_qubits = (int)meta[0];
  h->n_terms = T;
  /* x, z, coeff: 24 bytes per term, sent as bytes in pieces of at most 2^28 */
  char *p = (char *)h->terms;
  const size_t bytes = T * sizeof *h->terms, piece = (size_t)1 << 28;
  for (size_t o = 0; o < bytes; o += piece)
    MPI_Bcast(p + o, (int)(bytes - o < piece ? bytes - o : piece), MPI_BYTE, 0, MPI_COMM_WORLD);
#else
  (void)h; (void)err;
#endif
  return VQE_OK;
}

/* ---- work maps ---------------------------------------------------------------------------------- */

vqe_status vqe_dist_map(size_t n, const unsigned char *skip, vqe_dist_work_fn work, vqe_dist_done_fn done,
                        void *ctx, vqe_error *err)
{
  size_t *pending = malloc((n ? n : 1) * sizeof *pending);
  vqe_status st = pending ? VQE_OK : vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory listing %zu work items", n);
  if ((st = vqe_dist_agree(st, err))) { free(pending); return st; }
  size_t np = 0;
  for (size_t i = 0; i < n; i++)
    if (!skip || !skip[i]) pending[np++] = i;
  const size_t P = (size_t)d_size;
  for (size_t r0 = 0; r0 < np && !st; r0 += P) {
    const size_t cnt = np - r0 < P ? np - r0 : P;
    char *mine = NULL;
    if ((size_t)d_rank < cnt) st = work(ctx, pending[r0 + (size_t)d_rank], &mine, err);
    if (!st && (size_t)d_rank < cnt && !mine) st = vqe_error_set(err, VQE_ERR_INTERNAL, "work item %zu gave no result", pending[r0 + (size_t)d_rank]);
    if ((st = vqe_dist_agree(st, err))) { free(mine); break; }
    if (P == 1) {
      st = done(ctx, pending[r0], mine, err);
      free(mine);
      continue;
    }
    char **all = NULL;
    st = vqe_dist_allgather_strings(mine, &all, err);
    free(mine);
    if ((st = vqe_dist_agree(st, err))) break;
    for (size_t k = 0; k < cnt && !st; k++) st = done(ctx, pending[r0 + k], all[k], err);
    for (size_t k = 0; k < P; k++) free(all[k]);
    free(all);
    st = vqe_dist_agree(st, err);
  }
  free(pending);
  return st;
}

/* ---- journal -------------------------------------------------------------------------------------- */

vqe_status vqe_dist_journal_open(const char *path, const char *kind, const cJSON *config, int resume,
                                 vqe_journal *j, vqe_error *err)
{
  if (d_size == 1) return vqe_journal_open(path, kind, config, resume, j, err);
  vqe_status st = VQE_OK;
  memset(j, 0, sizeof *j);
  if (d_rank == 0) st = vqe_journal_open(path, kind, config, resume, j, err);
  if ((st = vqe_dist_agree(st, err))) return st;
  char *text = d_rank == 0 ? cJSON_PrintUnformatted(j->points) : NULL;
  int bad = d_rank == 0 && !text;
  if (vqe_dist_max_int(bad)) st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory sending the journal");
  if (!st) st = vqe_dist_bcast_string(&text, 0, err);
  if (!st && d_rank != 0) {
    snprintf(j->path, sizeof j->path, "%s", path);
    j->points = cJSON_Parse(text);
    if (!j->points) st = vqe_error_set(err, VQE_ERR_RESOURCE, "out of memory reading the journal sent by rank 0");
  }
  free(text);
  st = vqe_dist_agree(st, err);
  if (st) vqe_journal_close(j);
  return st;
}

vqe_status vqe_dist_journal_append(vqe_journal *j, const cJSON *point, vqe_error *err)
{
  /* only rank 0 holds the file (j->f); the others keep the point in memory */
  return vqe_journal_append(j, point, err);
}

/* ---- output ---------------------------------------------------------------------------------------- */

void vqe_dist_silence_others(void)
{
  if (d_rank == 0 || d_stderr_fd >= 0) return;
  fflush(stdout);
  fflush(stderr);
  d_stderr_fd = dup(2);
  if (!freopen("/dev/null", "w", stdout)) return;
  d_err_log = tmpfile();
  if (d_err_log) dup2(fileno(d_err_log), 2);
  else if (!freopen("/dev/null", "w", stderr)) return;
}

#if VQE_HAVE_MPI
/* Copy what this silenced rank wrote to stderr to the real stderr. */
static void d_show_log(void)
{
  if (!d_err_log || d_stderr_fd < 0) return;
  fflush(stderr);
  rewind(d_err_log);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, d_err_log)) > 0)
    if (write(d_stderr_fd, buf, n) < 0) break;
}
#endif

void vqe_dist_exit(int rc)
{
#if VQE_HAVE_MPI
  if (d_size < 2 || !vqe_dist_active() || d_exit_comm == MPI_COMM_NULL) return;
  MPI_Request req;
  MPI_Ibarrier(d_exit_comm, &req);
  if (rc == 0) {
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    return;
  }
  int done = 0;
  const double t0 = vqe_wtime();
  while (!done && vqe_wtime() - t0 < D_EXIT_WAIT) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (!done) usleep(2000);
  }
  if (done) return;
  d_show_log();
  char line[256];
  snprintf(line, sizeof line, "vqe: rank %d of %d stopped (exit code %d) while other ranks were still working; stopping all ranks\n",
           d_rank, d_size, rc);
  const int fd = d_stderr_fd >= 0 ? d_stderr_fd : 2;
  if (write(fd, line, strlen(line)) < 0) { /* nothing more we can do */ }
  MPI_Abort(MPI_COMM_WORLD, rc);
#else
  (void)rc;
#endif
}

/* ---- abort-all -------------------------------------------------------------------------------------- */

void vqe_dist_abort_all(const char *cmd, const vqe_error *err, int exit_code)
{
#if VQE_HAVE_MPI
  if (d_size < 2 || !vqe_dist_active()) return;
  char line[VQE_ERRMSG_MAX + 64];
  const char *m = err ? err->msg : "failed";
  if (!strncmp(m, "rank ", 5)) snprintf(line, sizeof line, "vqe %s: %s\n", cmd ? cmd : "", m);
  else snprintf(line, sizeof line, "vqe %s: rank %d: %s\n", cmd ? cmd : "", d_rank, m);
  const int fd = d_stderr_fd >= 0 ? d_stderr_fd : 2;
  fflush(stderr);
  if (write(fd, line, strlen(line)) < 0) { /* nothing more we can do */ }
  MPI_Abort(MPI_COMM_WORLD, exit_code ? exit_code : 1);
#else
  (void)cmd; (void)err; (void)exit_code;
#endif
}
