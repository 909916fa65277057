/* split.c — state vectors whose far halves can move aside for the length of one gate (Linux).
 *
 * Why. On the development machine (AMD Zen 4) two memory streams whose *virtual* addresses differ by a
 * multiple of 2^28 bytes, give or take 4 KiB, thrash: a two-stream rotation (read and write both) runs
 * at 20% of the in-place bandwidth at a distance of exactly 2^28 or 2^29 bytes, 42% at +64 B, 58% at
 * +1 KiB and 97-102% from +4 KiB on (bench_statevec's in-place probe as the unit). It is the virtual
 * address that counts: the same physical pages mapped twice (memfd) at distances 2^29 and 2^29 + 2^27
 * measured 28% and 56-68% (4 KiB pages there). A gate that pairs amplitudes across a qubit q >= 24
 * (2^(q+4) bytes apart) is exactly such a pair of streams.
 *
 * What. The pairs cannot be brought closer, but their virtual addresses can. A state of 2^29 bytes or
 * more is mapped with address space to spare behind it (PROT_NONE: no memory, no commit charge). A far
 * gate first moves the upper half of every pair block there with mremap(2) — page-table entries move,
 * the data does not: 0.15 ms per 512 MiB on 2 MiB pages — to a virtual distance ≡ 2^27 (mod 2^28) from
 * its lower half, streams both halves as a near gate does, and moves them back. MREMAP_DONTUNMAP keeps
 * each vacated range mapped (empty) meanwhile, so no other mapping of the process can land in it and
 * the move back is always onto our own range. RY on qubit 25 of 26, 1 thread: tiled kernel 65-67% ->
 * moved halves 94-96% of the in-place bandwidth (bench_statevec, "RY on qubit n-1"); CNOT(24, 25)
 * 52-54% -> 93-98%.
 *
 * Where this is not possible (not Linux, a kernel before 5.7 without MREMAP_DONTUNMAP, a state not
 * allocated here, the registry full, VQE_NO_FAR_SPLIT=1) sv_split_begin says so and the gate takes its
 * tiled path (kernels.c), which is slower but needs nothing. A failed move back (it should not happen:
 * both ranges are ours) falls back to copying the half home. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "statevec/sv_internal.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__)
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4   /* linux/mman.h, Linux >= 5.7; older kernels refuse it with EINVAL */
#endif

#define SPLIT_SLOTS 64
#define HUGE_PAGE ((size_t)2 << 20)

typedef struct {
  char *amp;          /* the state: SV_SPLIT_PERIOD-congruent layout below */
  char *res;          /* the whole reservation (munmap'ed by sv_split_free) */
  size_t res_len;
  size_t bytes;       /* the state's size */
  char *away;         /* where upper halves go: amp + round_up(bytes, PERIOD) + PERIOD/2 */
} split_block;

static split_block blocks[SPLIT_SLOTS];
static atomic_int n_blocks;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }

vqe_complex *sv_split_alloc(size_t bytes)
{
  const size_t P = SV_SPLIT_PERIOD, page = (size_t)sysconf(_SC_PAGESIZE);
  if (bytes < 2 * P || (P / 2) % page) return NULL;
  const int huge = bytes >= 4 * HUGE_PAGE;
  const size_t align = huge ? HUGE_PAGE : page;
  bytes = round_up(bytes, align);
  /* [slack to align][state, rounded up to the period][PERIOD/2][room for half the state] */
  const size_t len = align + round_up(bytes, P) + P / 2 + bytes / 2;
  char *res = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (res == MAP_FAILED) return NULL;
  char *amp = (char *)round_up((size_t)res, align);
  if (mmap(amp, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
    munmap(res, len);
    return NULL;
  }
#ifdef MADV_HUGEPAGE
  if (huge) (void)madvise(amp, bytes, MADV_HUGEPAGE);   /* as vqe_aligned_alloc: advice only */
#endif
  pthread_mutex_lock(&lock);
  int slot = -1;
  for (int i = 0; i < SPLIT_SLOTS && slot < 0; i++)
    if (!blocks[i].amp) slot = i;
  if (slot >= 0) {
    blocks[slot] = (split_block){ amp, res, len, bytes, amp + round_up(bytes, P) + P / 2 };
    atomic_fetch_add(&n_blocks, 1);
  }
  pthread_mutex_unlock(&lock);
  if (slot < 0) { munmap(res, len); return NULL; }   /* the caller allocates it the ordinary way */
  return (vqe_complex *)amp;
}

int sv_split_free(void *p)
{
  if (!p || atomic_load(&n_blocks) == 0) return 0;
  split_block b = { 0 };
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SPLIT_SLOTS; i++)
    if (blocks[i].amp == p) {
      b = blocks[i];
      memset(&blocks[i], 0, sizeof blocks[i]);
      atomic_fetch_sub(&n_blocks, 1);
      break;
    }
  pthread_mutex_unlock(&lock);
  if (!b.amp) return 0;
  munmap(b.res, b.res_len);
  return 1;
}

static void move_home(const sv_split *s, int64_t b)
{
  char *home = s->amp + (2 * b + 1) * s->dist, *away = s->away + b * s->dist;
  if (mremap(away, s->dist, s->dist, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, home) != MAP_FAILED) return;
  /* home is still mapped (DONTUNMAP left it, empty): copy the half back, then drop its pages */
  memcpy(home, away, s->dist);
  (void)madvise(away, s->dist, MADV_DONTNEED);
}

/* The block of state a (n qubits) if a split on qubit q is possible, else one with amp == NULL. */
static split_block find_block(const vqe_complex *a, int n, int q)
{
  split_block blk = { 0 };
  const size_t dist = sizeof(vqe_complex) << q, page = (size_t)sysconf(_SC_PAGESIZE);
  if (atomic_load(&n_blocks) == 0 || q >= n || dist < SV_SPLIT_PERIOD || dist % page) return blk;
  const char *off = getenv("VQE_NO_FAR_SPLIT");
  if (off && *off && strcmp(off, "0")) return blk;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SPLIT_SLOTS; i++)
    if (blocks[i].amp == (const char *)a) blk = blocks[i];
  pthread_mutex_unlock(&lock);
  if (blk.amp && (sizeof(vqe_complex) << n) > blk.bytes) memset(&blk, 0, sizeof blk);
  return blk;
}

int sv_split_possible(const vqe_complex *a, int n, int q) { return find_block(a, n, q).amp != NULL; }

int sv_split_begin(vqe_complex *a, int n, int q, sv_split *s)
{
  memset(s, 0, sizeof *s);
  const size_t dist = sizeof(vqe_complex) << q;
  const split_block blk = find_block(a, n, q);
  if (!blk.amp) return 0;
  s->amp = blk.amp;
  s->away = blk.away;
  s->dist = dist;
  s->n_blocks = (int64_t)1 << (n - 1 - q);
  for (int64_t b = 0; b < s->n_blocks; b++)
    if (mremap(s->amp + (2 * b + 1) * dist, dist, dist, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
               s->away + b * dist) == MAP_FAILED) {
      for (int64_t c = 0; c < b; c++) move_home(s, c);   /* nothing else has happened to them */
      memset(s, 0, sizeof *s);
      return 0;
    }
  return 1;
}

void sv_split_end(sv_split *s)
{
  for (int64_t b = 0; b < s->n_blocks; b++) move_home(s, b);
  memset(s, 0, sizeof *s);
}

#else   /* not Linux: no moves; far gates take their tiled paths */

vqe_complex *sv_split_alloc(size_t bytes) { (void)bytes; return NULL; }
int sv_split_free(void *p) { (void)p; return 0; }
int sv_split_possible(const vqe_complex *a, int n, int q) { (void)a; (void)n; (void)q; return 0; }
int sv_split_begin(vqe_complex *a, int n, int q, sv_split *s)
{
  (void)a; (void)n; (void)q;
  memset(s, 0, sizeof *s);
  return 0;
}
void sv_split_end(sv_split *s) { memset(s, 0, sizeof *s); }

#endif
