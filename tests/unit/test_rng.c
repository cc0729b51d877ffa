/* Unit tests of the deterministic random streams (src/kernels/rng.h) and of
 * the 64-bit hash (src/kernels/hash.h). Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/hash.h"
#include "kernels/rng.h"

/* ======================================================================== */
/* Suite: rng                                                               */

static void test_rng_reference(void) {
  /* splitmix64 with state 0 yields mix(0x9e3779b97f4a7c15) as its first
   * output, the published value 0xe220a8397b1dcdaf. */
  CU_ASSERT(rv_mix64(0) == 0xe220a8397b1dcdafULL);
  /* xoshiro256** from state {1, 2, 3, 4}, by hand:
   *   out1 = rotl(2*5, 7) * 9 = 1280 * 9 = 11520;
   *   state -> s2 = 3^1 = 2, s3 = 4^2 = 6, s1 = 2^2 = 0, s0 = 1^6 = 7,
   *            s2 ^= 2<<17 -> 262146, s3 = rotl(6, 45) = 6<<45;
   *   out2 = rotl(0*5, 7) * 9 = 0;
   *   state -> s2 = 262146^7 = 262149, s1 = 0^262149 = 262149, ...;
   *   out3 = rotl(262149*5, 7) * 9 = (1310745 << 7) * 9 = 167775360 * 9 = 1509978240. */
  rv_rng_t r = {{1, 2, 3, 4}};
  CU_ASSERT(rv_rng_next(&r) == 11520u);
  CU_ASSERT(rv_rng_next(&r) == 0u);
  CU_ASSERT(rv_rng_next(&r) == 1509978240u);
}

static void test_rng_keys(void) {
  rv_rng_t a, b, c, d, e;
  rv_rng_seed(&a, 42, RV_STREAM_GEN_USER, 17);
  rv_rng_seed(&b, 42, RV_STREAM_GEN_USER, 17);
  rv_rng_seed(&c, 42, RV_STREAM_GEN_USER, 18); /* different index */
  rv_rng_seed(&d, 42, RV_STREAM_GEN_ITEM, 17); /* different stream */
  rv_rng_seed(&e, 43, RV_STREAM_GEN_USER, 17); /* different seed */
  int same = 1, eq_c = 0, eq_d = 0, eq_e = 0;
  for (int i = 0; i < 100; i++) {
    const uint64_t x = rv_rng_next(&a);
    same &= x == rv_rng_next(&b);
    eq_c += x == rv_rng_next(&c);
    eq_d += x == rv_rng_next(&d);
    eq_e += x == rv_rng_next(&e);
  }
  CU_ASSERT(same);
  /* 64-bit outputs of unrelated streams coincide with probability ~2^-64. */
  CU_ASSERT_EQUAL(eq_c, 0);
  CU_ASSERT_EQUAL(eq_d, 0);
  CU_ASSERT_EQUAL(eq_e, 0);
  /* Neighbouring keys give unrelated streams: the first outputs of indices
   * 0..63 (and of streams 1..4 at index 0) are pairwise distinct. */
  uint64_t first[68];
  for (int i = 0; i < 64; i++) {
    rv_rng_seed(&a, 42, RV_STREAM_GEN_USER, (uint64_t)i);
    first[i] = rv_rng_next(&a);
  }
  for (int s = 1; s <= 4; s++) {
    rv_rng_seed(&a, 42, (uint64_t)s, 1000);
    first[63 + s] = rv_rng_next(&a);
  }
  int distinct = 1;
  for (int i = 0; i < 68; i++)
    for (int j = i + 1; j < 68; j++) distinct &= first[i] != first[j];
  CU_ASSERT(distinct);
}

static void test_rng_ranges(void) {
  rv_rng_t r;
  rv_rng_seed(&r, 1, 2, 3);
  /* Uniform: 60000 draws in [0,1), each a multiple of 2^-53; mean 1/2 with
   * standard error 0.2887/sqrt(60000) = 0.0012 -> tolerance 0.01 (8 sigma). */
  double sum = 0.0;
  int ok = 1;
  for (int i = 0; i < 60000; i++) {
    const double u = rv_rng_uniform(&r);
    ok &= u >= 0.0 && u < 1.0;
    const double scaled = u * 0x1p53;
    ok &= scaled == floor(scaled);
    sum += u;
  }
  CU_ASSERT(ok);
  CU_ASSERT_DOUBLE_EQUAL(sum / 60000.0, 0.5, 0.01);
  /* below(6): 60000 draws, 10000 expected per value, sd ~ 91 -> +-600. */
  int cnt[6] = {0};
  ok = 1;
  for (int i = 0; i < 60000; i++) {
    const uint64_t x = rv_rng_below(&r, 6);
    ok &= x < 6;
    if (x < 6) cnt[x]++;
  }
  CU_ASSERT(ok);
  for (int v = 0; v < 6; v++) CU_ASSERT(cnt[v] > 9400 && cnt[v] < 10600);
  /* below(1) is always 0; below(2^63 + 1) (rejection ~1/2) stays in range. */
  ok = 1;
  for (int i = 0; i < 1000; i++) {
    ok &= rv_rng_below(&r, 1) == 0;
    ok &= rv_rng_below(&r, (1ULL << 63) + 1) <= (1ULL << 63);
    ok &= rv_rng_below(&r, 3) < 3;
  }
  CU_ASSERT(ok);
  /* Normal: mean 0 (se 0.0041 over 60000) and variance 1 (se ~0.0058). */
  double s1 = 0, s2 = 0;
  for (int i = 0; i < 60000; i++) {
    const double z = rv_rng_normal(&r);
    s1 += z;
    s2 += z * z;
  }
  CU_ASSERT_DOUBLE_EQUAL(s1 / 60000.0, 0.0, 0.03);
  CU_ASSERT_DOUBLE_EQUAL(s2 / 60000.0, 1.0, 0.04);
}

/* ======================================================================== */
/* Suite: hash                                                              */

static void test_hash(void) {
  unsigned char buf[70];
  for (int i = 0; i < 70; i++) buf[i] = (unsigned char)(i * 37 + 11);
  const uint64_t h0 = rv_hash64(buf, 70, 0);
  CU_ASSERT(h0 == rv_hash64(buf, 70, 0)); /* deterministic */
  CU_ASSERT(h0 != rv_hash64(buf, 70, 1)); /* keyed */
  /* Flipping one bit of any single byte (body of 32-byte blocks or tail)
   * changes the hash. */
  int ok = 1;
  for (int i = 0; i < 70; i++) {
    buf[i] ^= 1;
    ok &= rv_hash64(buf, 70, 0) != h0;
    buf[i] ^= 1;
  }
  CU_ASSERT(ok);
  CU_ASSERT(rv_hash64(buf, 70, 0) == h0); /* restored */
  /* Length matters even when the extra bytes are zero (the tail is
   * zero-padded, so only the length separates these). */
  unsigned char z[40] = {0};
  const uint64_t hz0 = rv_hash64(z, 0, 0), hz3 = rv_hash64(z, 3, 0), hz4 = rv_hash64(z, 4, 0),
                 hz8 = rv_hash64(z, 8, 0), hz32 = rv_hash64(z, 32, 0), hz33 = rv_hash64(z, 33, 0);
  CU_ASSERT(hz0 != hz3 && hz3 != hz4 && hz4 != hz8 && hz8 != hz32 && hz32 != hz33 && hz0 != hz8);
  const char abc[4] = {'a', 'b', 'c', 0};
  CU_ASSERT(rv_hash64(abc, 3, 0) != rv_hash64(abc, 4, 0));
  /* Prefix vs whole. */
  CU_ASSERT(rv_hash64(buf, 69, 0) != h0);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t rng[] = {
      {"reference", test_rng_reference},
      {"keys", test_rng_keys},
      {"ranges", test_rng_ranges},
  };
  static const test_entry_t hash[] = {{"hash64", test_hash}};
  static const unit_suite_t suites[] = {UNIT_SUITE("rng", rng), UNIT_SUITE("hash", hash)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
