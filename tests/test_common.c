/* test_common.c — error record, exit codes, memory checks, RNG streams. */
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static void test_errors(void)
{
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_error_set(&e, VQE_ERR_INPUT, "x:%d: bad", 3), VQE_ERR_INPUT);
  CU_ASSERT_STRING_EQUAL(e.msg, "x:3: bad");
  CU_ASSERT_EQUAL(vqe_status_exit_code(VQE_OK), 0);
  CU_ASSERT_EQUAL(vqe_status_exit_code(VQE_ERR_INPUT), 2);
  CU_ASSERT_EQUAL(vqe_status_exit_code(VQE_ERR_RESOURCE), 2);
  CU_ASSERT_EQUAL(vqe_status_exit_code(VQE_ERR_COMPUTE), 1);
  CU_ASSERT_EQUAL(vqe_status_exit_code(VQE_ERR_INTERNAL), 1);
  vqe_error_clear(&e);
  CU_ASSERT_EQUAL(e.status, VQE_OK);
  CU_ASSERT_EQUAL(vqe_error_set(NULL, VQE_ERR_COMPUTE, "ignored"), VQE_ERR_COMPUTE);
}

static void test_memory(void)
{
  CU_ASSERT(vqe_mem_available() > 0);
  setenv("VQE_MEMORY_LIMIT", "1M", 1);
  CU_ASSERT_EQUAL(vqe_mem_available(), 1024u * 1024u);
  vqe_error e = {0};
  CU_ASSERT_EQUAL(vqe_mem_check(2u * 1024u * 1024u, "a state of 17 qubits", "use fewer qubits", &e), VQE_ERR_RESOURCE);
  TU_ASSERT_CONTAINS(e.msg, "a state of 17 qubits needs 2.00 MiB but only 1.00 MiB is available; use fewer qubits");
  CU_ASSERT_EQUAL(vqe_mem_check(1000, "x", NULL, &e), VQE_OK);
  unsetenv("VQE_MEMORY_LIMIT");
  void *p = vqe_aligned_alloc(3, 7);
  CU_ASSERT_PTR_NOT_NULL(p);
  CU_ASSERT_EQUAL((uintptr_t)p % 64, 0);
  vqe_free(p);
  CU_ASSERT_PTR_NULL(vqe_aligned_alloc(SIZE_MAX / 2, 4));
}

static void test_rng(void)
{
  vqe_rng a, b;
  vqe_rng_seed(&a, 42);
  vqe_rng_seed(&b, 42);
  for (int i = 0; i < 100; i++) CU_ASSERT_EQUAL(vqe_rng_u64(&a), vqe_rng_u64(&b));
  vqe_rng_stream(&a, 42, 0);
  vqe_rng_stream(&b, 42, 1);
  CU_ASSERT_NOT_EQUAL(vqe_rng_u64(&a), vqe_rng_u64(&b));
  /* uniform mean/variance and normal moments within 5 sigma for 200000 draws */
  const int n = 200000;
  double s = 0, s2 = 0, g = 0, g2 = 0;
  vqe_rng_seed(&a, 7);
  for (int i = 0; i < n; i++) {
    double u = vqe_rng_uniform(&a);
    CU_ASSERT(u >= 0.0 && u < 1.0);
    s += u; s2 += u * u;
    double x = vqe_rng_normal(&a);
    g += x; g2 += x * x;
  }
  TU_ASSERT_CLOSE(s / n, 0.5, 5 * sqrt(1.0 / 12 / n));
  TU_ASSERT_CLOSE(s2 / n - (s / n) * (s / n), 1.0 / 12, 5e-3);
  TU_ASSERT_CLOSE(g / n, 0.0, 5 / sqrt((double)n));
  TU_ASSERT_CLOSE(g2 / n, 1.0, 5 * sqrt(2.0 / n));
}

int main(void)
{
  const tu_test tests[] = {{"error record", test_errors}, {"memory", test_memory}, {"rng", test_rng}, {NULL, NULL}};
  return tu_run_suite("common", tests);
}
