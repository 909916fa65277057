/* common.h — status codes, the error record, memory queries, timers and the seeded RNG shared by
 * every layer of libvqe. Called by all public functions; the CLI maps statuses to exit codes. */
#ifndef VQE_COMMON_H
#define VQE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status of every fallible library call. The library never exits; the CLI maps these to exit codes:
 * VQE_OK -> 0, VQE_ERR_COMPUTE -> 1 (a computation failed: SCF not converged, non-finite energy),
 * VQE_ERR_INPUT and VQE_ERR_RESOURCE -> 2 (bad input, or a request larger than this machine),
 * VQE_ERR_INTERNAL -> 1 (a bug: please report). */
typedef enum {
  VQE_OK = 0,
  VQE_ERR_INPUT = 1,     /* bad input: file, flag, impossible request */
  VQE_ERR_COMPUTE = 2,   /* computation did not succeed (no convergence, NaN) */
  VQE_ERR_RESOURCE = 3,  /* not enough memory (needed vs available given in the message) */
  VQE_ERR_INTERNAL = 4   /* broken invariant */
} vqe_status;

#define VQE_ERRMSG_MAX 1024

/* The error record: caller-owned, filled by the first failing call. Messages of input errors have
 * the form "path:line: what is wrong (what is allowed)". */
typedef struct {
  vqe_status status;
  char msg[VQE_ERRMSG_MAX];
} vqe_error;

/* Set err (if non-NULL) and return s. printf-style message. */
vqe_status vqe_error_set(vqe_error *err, vqe_status s, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
void vqe_error_clear(vqe_error *err);
/* Exit code the CLI uses for a status: 0, 1 or 2. */
int vqe_status_exit_code(vqe_status s);
const char *vqe_status_name(vqe_status s);

/* Memory the process may still use, in bytes: min(MemAvailable from /proc/meminfo, cgroup limit -
 * usage). Returns 0 when unknown. VQE_MEMORY_LIMIT (bytes, or with suffix K/M/G) overrides it, which
 * the tests use to exercise the refusal paths. */
uint64_t vqe_mem_available(void);
/* Check that `bytes` fit; otherwise fill err with "<what> needs X GiB but only Y GiB is available"
 * (+ hint) and return VQE_ERR_RESOURCE. */
vqe_status vqe_mem_check(uint64_t bytes, const char *what, const char *hint, vqe_error *err);
/* Human-readable bytes ("1.50 GiB") into buf (at least 32 chars); returns buf. */
char *vqe_format_bytes(uint64_t bytes, char *buf);

/* 64-byte aligned allocation (free with vqe_free); returns NULL on failure or size overflow. */
void *vqe_aligned_alloc(size_t nmemb, size_t size);
void vqe_free(void *p);

/* Wall clock in seconds (monotonic). */
double vqe_wtime(void);

/* Threads: set the OpenMP thread count (and keep OpenBLAS single-threaded inside our parallel
 * regions: libopenblas0-openmp follows omp_set_num_threads). t <= 0 leaves the default. */
void vqe_set_threads(int t);
int vqe_get_threads(void);

/* Seeded random numbers: xoshiro256** (Blackman & Vigna, ACM TOMS 47, 36 (2021)) seeded through
 * splitmix64. vqe_rng_stream(seed, k) gives an independent stream for work item k, so results do not
 * depend on the thread count or on the order in which items are processed. */
typedef struct { uint64_t s[4]; } vqe_rng;
void vqe_rng_seed(vqe_rng *r, uint64_t seed);
void vqe_rng_stream(vqe_rng *r, uint64_t seed, uint64_t stream);
uint64_t vqe_rng_u64(vqe_rng *r);
double vqe_rng_uniform(vqe_rng *r);            /* [0, 1) with 53 random bits */
double vqe_rng_normal(vqe_rng *r);             /* standard normal (polar Box–Muller, no cache) */

/* Physical constants (CODATA 2014, as psi4 1.3 uses). */
#define VQE_BOHR_ANGSTROM 0.52917721067
#define VQE_CHEMICAL_ACCURACY 1.6e-3   /* hartree */

#ifdef __cplusplus
}
#endif
#endif
