/* Counter-keyed pseudo-random numbers (xoshiro256** seeded through splitmix64).
 *
 * A stream is keyed by (seed, stream, index): the numbers a user or an item
 * receives depend only on that key, never on which rank draws them, so data
 * generated or sampled in parallel is identical at any rank count. Never use
 * rand() or a shared global generator anywhere in receval. */
#ifndef RV_KERNELS_RNG_H
#define RV_KERNELS_RNG_H
#include <stdint.h>

typedef struct rv_rng {
  uint64_t s[4];
} rv_rng_t;

/* Stream identifiers in use (keep distinct). */
enum {
  RV_STREAM_GEN_CENTRE = 1, /* cluster centres            */
  RV_STREAM_GEN_ITEM = 2,   /* one per item               */
  RV_STREAM_GEN_USER = 3,   /* one per user               */
  RV_STREAM_GEN_MODEL = 4   /* global model parameters    */
};

void rv_rng_seed(rv_rng_t *r, uint64_t seed, uint64_t stream, uint64_t index);
uint64_t rv_rng_next(rv_rng_t *r);
/* Uniform double in [0, 1) with 53 random bits. */
double rv_rng_uniform(rv_rng_t *r);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
uint64_t rv_rng_below(rv_rng_t *r, uint64_t n);
/* Standard normal by the Box-Muller transform (consumes two draws). */
double rv_rng_normal(rv_rng_t *r);
/* splitmix64 finaliser: a good 64-bit mixing function. */
uint64_t rv_mix64(uint64_t x);

#endif
