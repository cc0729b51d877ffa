/* Unit tests of the statistics kernels (src/kernels/stats.h): the
 * incomplete beta function, Student's t CDF and quantile, the 95% interval.
 * Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/stats.h"
#include "kernels/xsum.h"

/* ======================================================================== */
/* Suite: stats                                                             */

static void test_betainc_edges(void) {
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 0.0), 0.0, 0.0);  /* I_0 = 0 */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 1.0), 1.0, 0.0);  /* I_1 = 1 */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, -0.5), 0.0, 0.0); /* clamped below */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 1.5), 1.0, 0.0);  /* clamped above */
  /* I_x(1,1) = x (uniform). */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 1, 0.3), 0.3, 1e-13);
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 1, 0.9), 0.9, 1e-13);
  /* I_x(a,1) = x^a: I_.5(2,1) = .25. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 1, 0.5), 0.25, 1e-13);
  /* I_x(1,b) = 1 - (1-x)^b: I_.5(1,3) = 1 - 1/8 = .875. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 3, 0.5), 0.875, 1e-13);
  /* Symmetry: I_.5(a,a) = .5. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2.5, 2.5, 0.5), 0.5, 1e-13);
  /* Arcsine law: I_x(.5,.5) = (2/pi) asin(sqrt x); x = 1/4 -> (2/pi)(pi/6) = 1/3. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(0.5, 0.5, 0.25), 1.0 / 3.0, 1e-13);
  /* I_x(a,b) = 1 - I_{1-x}(b,a): I_.7(2,3) + I_.3(3,2) = 1. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 0.7) + rv_betainc(3, 2, 0.3), 1.0, 1e-13);
  /* I_x(2,2) = 3x^2 - 2x^3: x = .2 -> .12 - .016 = .104. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 2, 0.2), 0.104, 1e-13);
}

static void test_t_cdf(void) {
  const double nus[5] = {1, 2, 5, 30, 1e6};
  for (int i = 0; i < 5; i++) CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(0.0, nus[i]), 0.5, 1e-15);
  /* nu = 1 is Cauchy: F(t) = 1/2 + atan(t)/pi; F(1) = 3/4, F(-1) = 1/4. */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(1.0, 1.0), 0.75, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(-1.0, 1.0), 0.25, 1e-12);
  /* nu = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)); F(1) = 1/2 + 1/(2 sqrt 3). */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(1.0, 2.0), 0.5 + 0.5 / sqrt(3.0), 1e-12);
}

static void test_t_quantile(void) {
  /* nu = 1: tan(pi (0.975 - 0.5)) = tan(0.475 pi) = 12.7062047361747.
   * nu = 2: t = (2q - 1) / sqrt(2 q (1 - q)) = 0.95 / sqrt(0.04875) = 4.30265272974946.
   * nu = 10, 30: published tables 2.22813885196, 2.04227245630.
   * nu = 1e6: ~ z_{.975} = 1.959964 (+ (z^3 + z)/(4 nu) ~ 2.4e-6). */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1), tan(0.475 * 3.14159265358979323846), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1), 12.7062047362, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 2), 0.95 / sqrt(2 * 0.975 * 0.025), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 2), 4.30265272975, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 10), 2.22813885196, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 30), 2.04227245630, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1e6), 1.95996, 1e-4);
  /* Symmetry and the median. */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.025, 10), -2.22813885196, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.5, 7), 0.0, 0.0);
}

static void test_ci95(void) {
  double lo, hi;
  rv_ci95(1.0, 0.0, 0, &lo, &hi); /* n = 0 -> NaN */
  CU_ASSERT(isnan(lo) && isnan(hi));
  rv_ci95(0.25, 0.0, 1, &lo, &hi); /* n = 1 -> zero width at the mean */
  CU_ASSERT_DOUBLE_EQUAL(lo, 0.25, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(hi, 0.25, 0.0);
  /* Values 1, 2, 3: mean 2, m2 = 2, s^2 = m2/(n-1) = 1, s = 1,
   * half = t_{.975,2} * s / sqrt(3) = 4.30265272975 / 1.7320508 = 2.48413771175. */
  rv_ci95(2.0, 2.0, 3, &lo, &hi);
  const double half = 4.30265272974946 / sqrt(3.0);
  CU_ASSERT_DOUBLE_EQUAL(hi - lo, 2 * half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(lo, 2.0 - half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(hi, 2.0 + half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(half, 2.48413771175, 1e-10);
  /* n = 11, s^2 = m2/10 = 1 (m2 = 10): half = t_{.975,10} / sqrt(11). */
  rv_ci95(0.0, 10.0, 11, &lo, &hi);
  CU_ASSERT_DOUBLE_EQUAL(hi, 2.22813885196 / sqrt(11.0), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(lo, -hi, 1e-15);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t stats[] = {
      {"betainc_edges", test_betainc_edges},
      {"t_cdf", test_t_cdf},
      {"t_quantile", test_t_quantile},
      {"ci95", test_ci95},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("stats", stats)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
