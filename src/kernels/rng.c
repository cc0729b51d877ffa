#include "kernels/rng.h"

#include <math.h>

uint64_t rv_mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void rv_rng_seed(rv_rng_t *r, uint64_t seed, uint64_t stream, uint64_t index) {
  /* Fold the three key parts through the mixer so nearby keys give unrelated
   * states, then expand into the four state words. */
  uint64_t k = rv_mix64(seed);
  k = rv_mix64(k ^ (stream * 0xd1342543de82ef95ULL));
  k = rv_mix64(k ^ index);
  for (int i = 0; i < 4; i++) {
    k += 0x9e3779b97f4a7c15ULL;
    r->s[i] = rv_mix64(k);
  }
  if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) r->s[0] = 1; /* never all zero */
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rv_rng_next(rv_rng_t *r) {
  uint64_t *s = r->s;
  const uint64_t out = rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

double rv_rng_uniform(rv_rng_t *r) { return (double)(rv_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t rv_rng_below(rv_rng_t *r, uint64_t n) {
  /* Rejection on the top of the range removes modulo bias. */
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = rv_rng_next(r);
  } while (x >= limit);
  return x % n;
}

double rv_rng_normal(rv_rng_t *r) {
  double u1 = rv_rng_uniform(r);
  const double u2 = rv_rng_uniform(r);
  if (u1 < 0x1.0p-60) u1 = 0x1.0p-60; /* log(0) guard */
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}
