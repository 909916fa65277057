/* rng.c — xoshiro256** with splitmix64 seeding (Blackman & Vigna 2021); streams per work item so
 * sampled results are independent of thread count. */
#include "vqe/common.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void vqe_rng_seed(vqe_rng *r, uint64_t seed)
{
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

void vqe_rng_stream(vqe_rng *r, uint64_t seed, uint64_t stream)
{
  /* Mix the stream index through splitmix64 before seeding so neighbouring streams are unrelated. */
  uint64_t x = stream ^ 0xD1B54A32D192ED03ull;
  uint64_t h = splitmix64(&x);
  vqe_rng_seed(r, seed ^ h);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t vqe_rng_u64(vqe_rng *r)
{
  uint64_t *s = r->s;
  const uint64_t result = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double vqe_rng_uniform(vqe_rng *r) { return (double)(vqe_rng_u64(r) >> 11) * 0x1.0p-53; }

double vqe_rng_normal(vqe_rng *r)
{
  double u, v, s;
  do {
    u = 2.0 * vqe_rng_uniform(r) - 1.0;
    v = 2.0 * vqe_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * sqrt(-2.0 * log(s) / s);
}
