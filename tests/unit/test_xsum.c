/* Unit tests of the exact sums and moments (src/kernels/xsum.h): order
 * independence, refusals, the value's rounding, two-pass moments. Serial,
 * CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/stats.h"
#include "kernels/xsum.h"

/* ======================================================================== */
/* Suite: xsum                                                              */

static void test_xsum_order_independent(void) {
  /* Ten values with mixed magnitudes and cancellation. As doubles the sum
   * depends on the order (checked below), the exact sums must not. */
  const double v[10] = {0.1, 0.2, 0.3, 1e10, -1e10, 1.0 / 3.0, -0.7, 123.456, 0.1, -1e-9};
  rv_i128 fwd = 0, rev = 0, grp = 0, part[3] = {0, 0, 0};
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(rv_xsum_add(&fwd, v[i]), 0);
  for (int i = 9; i >= 0; i--) CU_ASSERT_EQUAL(rv_xsum_add(&rev, v[i]), 0);
  /* Grouping as three "ranks" (interleaved), then integer sum of partials. */
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(rv_xsum_add(&part[i % 3], v[i]), 0);
  grp = (part[2] + part[0]) + part[1];
  CU_ASSERT(memcmp(&fwd, &rev, sizeof fwd) == 0);
  CU_ASSERT(memcmp(&fwd, &grp, sizeof fwd) == 0);
  /* IEEE double addition is not associative for these values (this is what
   * makes the test meaningful): (0.1 + 0.2) + 0.3 = 0.6000000000000001 but
   * 0.1 + (0.2 + 0.3) = 0.6; 1e10 + 0.1 - 1e10 != 0.1. */
  volatile double a = 0.1, b = 0.2, c = 0.3, big = 1e10;
  CU_ASSERT((a + b) + c != a + (b + c));
  CU_ASSERT((big + a) - big != a);

  /* 0.1 added 10 times, sequentially vs in a pairwise tree: bitwise equal.
   * Value: 0.1 = 0x1.999999999999ap-4, scaled by 2^52 it is
   * 0x1999999999999.a = 450359962737049.625 -> rounds to 450359962737050;
   * times 10 = 4503599627370500 = 2^52 + 4 -> value 1 + 4 * 2^-52 = 1 + 2^-50. */
  rv_i128 seq = 0, tree[10];
  for (int i = 0; i < 10; i++) {
    rv_xsum_add(&seq, 0.1);
    tree[i] = 0;
    rv_xsum_add(&tree[i], 0.1);
  }
  for (int w = 1; w < 10; w *= 2)
    for (int i = 0; i + w < 10; i += 2 * w) tree[i] += tree[i + w];
  CU_ASSERT(memcmp(&seq, &tree[0], sizeof seq) == 0);
  CU_ASSERT(seq == (rv_i128)4503599627370500LL);
  CU_ASSERT(rv_xsum_value(seq) == 1.0 + 0x1p-50);
  /* One 0.1 reads back as its grid value 450359962737050 * 2^-52, which is
   * 0.375 * 2^-52 above the double 0.1. */
  rv_i128 one = 0;
  rv_xsum_add(&one, 0.1);
  CU_ASSERT(rv_xsum_value(one) == 450359962737050.0 * 0x1p-52);
}

static void test_xsum_reject(void) {
  rv_i128 acc = 0;
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 1.5), 0);
  const rv_i128 before = acc;
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, NAN), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, INFINITY), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -INFINITY), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 0x1p41), -1);                /* 2^41 > 2^40 */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -0x1p41), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, nextafter(0x1p40, INFINITY)), -1); /* just above */
  CU_ASSERT(acc == before); /* rejected values leave the sum alone */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 0x1p40), 0); /* the bound itself is allowed */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -0x1p40), 0);
  CU_ASSERT(acc == before);
  /* Moments reject the same values and do not count them. */
  rv_moments_t m = {0, 0, 0};
  CU_ASSERT_EQUAL(rv_moments_add(&m, NAN), -1);
  CU_ASSERT(m.n == 0);
  CU_ASSERT(isnan(rv_moments_mean(&m))); /* n = 0 -> NaN */
}

static void test_xsum_value_roundtrip(void) {
  /* Dyadic fractions with at most 52 fractional bits (and |v| <= 2^40) lie
   * on the grid, so add-then-read is the identity. (1 - 2^-53 would not: it
   * needs 53 fractional bits.) */
  const double v[] = {0.0,     0.5,     -0.25,       3.0625,    0x1p-52,
                      -0x1p-52, 0x1p40, -0x1p40,     1e6 + 0.125, -12345.75,
                      0x1.ffffffffffffep-1 /* 1 - 2^-52 */};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    rv_i128 acc = 0;
    CU_ASSERT_EQUAL(rv_xsum_add(&acc, v[i]), 0);
    CU_ASSERT(rv_xsum_value(acc) == v[i]);
  }
  /* 0.5 + 0.25 + 0.125 = 0.875 exactly; 0.875 - 1 = -0.125. */
  rv_i128 acc = 0;
  rv_xsum_add(&acc, 0.5);
  rv_xsum_add(&acc, 0.25);
  rv_xsum_add(&acc, 0.125);
  CU_ASSERT(rv_xsum_value(acc) == 0.875);
  rv_xsum_add(&acc, -1.0);
  CU_ASSERT(rv_xsum_value(acc) == -0.125);
  /* Below the grid: 2^-53 scales to 0.5 -> rounds to even 0; 3*2^-53 scales
   * to 1.5 -> rounds to 2 units = 2^-51 (round-half-even, default mode). */
  rv_i128 h = 0;
  rv_xsum_add(&h, 0x1p-53);
  CU_ASSERT(h == 0);
  rv_xsum_add(&h, 3 * 0x1p-53);
  CU_ASSERT(h == 2);
  CU_ASSERT(rv_xsum_value(h) == 0x1p-51);
  /* Sums beyond 2^64 grid units (value >= 2^12) use the high word:
   * 4 * 2^40 = 2^42 exactly; 4 * (-2^40) + 0.5 = -2^42 + 0.5, which needs
   * 42 + 1 significant bits, so it is an exact double (negative branch). */
  rv_i128 big = 0;
  for (int i = 0; i < 4; i++) rv_xsum_add(&big, 0x1p40);
  CU_ASSERT(rv_xsum_value(big) == 0x1p42);
  rv_i128 neg = 0;
  for (int i = 0; i < 4; i++) rv_xsum_add(&neg, -0x1p40);
  rv_xsum_add(&neg, 0.5);
  CU_ASSERT(rv_xsum_value(neg) == -0x1p42 + 0.5);
}

/* The second pass over v[0..n) as reduce_all runs it, with the values cut
 * into `parts` contiguous slices standing for ranks: spreads combined with
 * max, m2 partials summed. Returns m2; *scale is the grid's exponent. */
static double two_pass(const double *v, int n, int parts, rv_moments_t *m, int *scale) {
  *m = (rv_moments_t){0, 0, 0};
  for (int i = 0; i < n; i++) CU_ASSERT_EQUAL(rv_moments_add(m, v[i]), 0);
  const double mean = rv_moments_mean(m);
  double spread[3] = {-INFINITY, -INFINITY, -INFINITY}, part[3];
  for (int p = 0; p < parts; p++) {
    const int a = n * p / parts, b = n * (p + 1) / parts;
    rv_moments_spread(v + a, (size_t)(b - a), mean, part);
    for (int j = 0; j < 3; j++) spread[j] = fmax(spread[j], part[j]);
  }
  *scale = rv_moments_scale(spread);
  rv_i128 m2 = 0;
  for (int p = 0; p < parts; p++) {
    rv_moments_t local = {0, 0, 0};
    for (int i = n * p / parts; i < n * (p + 1) / parts; i++)
      CU_ASSERT_EQUAL(rv_moments_add_dev(&local, v[i], mean, *scale), 0);
    m2 += local.m2;
  }
  m->m2 = m2;
  return rv_moments_m2(m, *scale);
}

static void test_moments_two_pass(void) {
  /* Constant sample: 1/3 seven times. The mean (7 g / 7, g the value on the
   * 2^-52 grid) is within an ulp of 1/3 but need not equal it; the spread
   * (max = min) says the sample is constant, so m2 is exactly 0 and the
   * interval has zero width: half = t * sqrt(0) = 0. */
  rv_moments_t m;
  int e;
  const double third[7] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  CU_ASSERT_EQUAL(two_pass(third, 7, 3, &m, &e), 0.0);
  CU_ASSERT(m.n == 7);
  CU_ASSERT_EQUAL(e, RV_MOMENTS_CONSTANT);
  const double mean = rv_moments_mean(&m);
  CU_ASSERT_DOUBLE_EQUAL(mean, 1.0 / 3.0, 1e-15);
  double lo, hi;
  rv_ci95(mean, 0.0, 7, &lo, &hi);
  CU_ASSERT(lo == mean && hi == mean);

  /* Values 1, 2, 3: sum 6, mean 2; m2 = 1 + 0 + 1 = 2. Largest deviation
   * 1 = 0.5 * 2^1: e = 1, terms (1/2)^2 2^80 = 2^78, m2 = 2^79 on the grid. */
  const double x[3] = {1, 2, 3};
  CU_ASSERT_DOUBLE_EQUAL(two_pass(x, 3, 1, &m, &e), 2.0, EXACT);
  CU_ASSERT_EQUAL(e, 1);
  CU_ASSERT(m.m2 == (rv_i128)1 << 79);
  /* A deviation beyond the scale is refused (a scale that is not global). */
  CU_ASSERT_EQUAL(rv_moments_add_dev(&m, 4.0, 2.0, 1), -1);
}

static void test_moments_tiny_spread(void) {
  /* v_k = 0.5 + k 1e-12, k = 0..9 (as doubles). Independent reference, with
   * Python's fractions on the exact doubles:
   *   mean = 0.5000000000045, m2 = sum (v_k - mean)^2 = 8.250045775126913e-23,
   *   half = t_{.975,9} sqrt(m2 / 9 / 10) = 2.2621571627409915 * ... = 2.165856598216306e-12.
   * The plain 2^-52 grid (before the spread's grid) rounded every squared
   * deviation (<= 2e-23) to 0: m2 = 0, a zero-width interval. The spread's
   * grid (largest deviation 4.5e-12, e = -37) keeps m2 to rounding, the
   * same at any split. */
  double v[10];
  for (int k = 0; k < 10; k++) v[k] = 0.5 + k * 1e-12;
  rv_moments_t m1, m3, m7;
  int e1, e3, e7;
  const double m2 = two_pass(v, 10, 1, &m1, &e1);
  CU_ASSERT_EQUAL(e1, -37);
  /* The mean is exact to its sum's grid, |delta| <= 2^-53: m2 gains
   * n delta^2 <= 1.2e-31, 1.5e-9 of m2 (the reference uses the exact mean). */
  CU_ASSERT_DOUBLE_EQUAL(m2 / 8.250045775126913e-23, 1.0, 2e-9);
  /* Bitwise the same sums however the users are split over ranks. */
  CU_ASSERT_EQUAL(two_pass(v, 10, 3, &m3, &e3), m2);
  CU_ASSERT_EQUAL(two_pass(v, 10, 7, &m7, &e7), m2);
  CU_ASSERT(m1.m2 == m3.m2 && m3.m2 == m7.m2 && e1 == e3 && e3 == e7);
  double lo, hi;
  const double mean = rv_moments_mean(&m1);
  rv_ci95(mean, m2, 10, &lo, &hi);
  /* The bounds are doubles near 0.5 (ulp 1.1e-16): the width is known to
   * ulp / half = 5e-5 relative. */
  CU_ASSERT_DOUBLE_EQUAL((hi - lo) / 2 / 2.165856598216306e-12, 1.0, 1e-4);
  CU_ASSERT(lo < mean && mean < hi);
}

/* ======================================================================== */
/* Suite: regressions — bugs found in review, kept as tests after the fix.    */

static void test_bug_xsum_value_not_nearest(void) {
  /* Header: rv_xsum_value returns "the double nearest" to acc * 2^-52.
   * acc = 2^64 + 2^63 + 2^11 + 1 grid units, built from exact terms
   * 4096 (2^64 units), 2048 (2^63), 2^-41 (2^11) and 2^-52 (1 unit):
   * exact value 6144 + 2^-41 + 2^-52. The spacing of doubles in
   * [4096, 8192) is 2^-40, so the remainder 2^-41 + 2^-52 is just above
   * half a spacing: the nearest double is 6144 + 2^-40.
   * Current code: lo = (double)(2^63 + 2^11 + 1) rounds to 2^63 + 2^11
   * (spacing 2^11 there), then hi + lo = 2^64 + 2^63 + 2^11 is an exact tie
   * and rounds to even, 2^64 + 2^63 -> 6144: double rounding, 1 ulp low. */
  rv_i128 acc = 0;
  rv_xsum_add(&acc, 4096.0);
  rv_xsum_add(&acc, 2048.0);
  rv_xsum_add(&acc, 0x1p-41);
  rv_xsum_add(&acc, 0x1p-52);
  const rv_i128 want_acc = ((rv_i128)1 << 64) + ((rv_i128)1 << 63) + ((rv_i128)1 << 11) + 1;
  CU_ASSERT(acc == want_acc);
  CU_ASSERT(rv_xsum_value(acc) == 6144.0 + 0x1p-40);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t xsum[] = {
      {"order_independent", test_xsum_order_independent},
      {"reject", test_xsum_reject},
      {"value_roundtrip", test_xsum_value_roundtrip},
      {"moments_two_pass", test_moments_two_pass},
      {"moments_tiny_spread", test_moments_tiny_spread},
  };
  static const test_entry_t bugs[] = {
      {"xsum_value_not_nearest", test_bug_xsum_value_not_nearest},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("xsum", xsum), UNIT_SUITE("regressions", bugs)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
