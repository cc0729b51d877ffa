/* Unit tests of the exposure metrics (coverage, gini, entropy,
 * personalization; src/metrics/m_exposure.c). Serial, CUnit, no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

/* ======================================================================== */
/* Suite: exposure (coverage, gini, entropy, personalization)               */

static void test_exposure_0013(void) {
  /* Exposure counts {0, 0, 1, 3} over n = 4 items (e.g. lists of k = 2:
   * L_a = [3, 2], L_b = [3], L_c = [3]... any lists with these counts).
   *  coverage = |{2, 3}| / 4 = 1/2.
   *  gini: sorted ascending c = (0, 0, 1, 3), weights 2j - n - 1 =
   *    (-3, -1, 1, 3): sum = 0 + 0 + 1 + 9 = 10; n sum c = 4 * 4 = 16:
   *    10/16 = 5/8.
   *  entropy: p = (1/4, 3/4): -(1/4 log2 1/4 + 3/4 log2 3/4)
   *    = 1/2 + 3/4 (2 - log2 3) = 2 - 3/4 log2 3 = 0.81128. */
  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 3};
  const int64_t c[4] = {0, 0, 1, 3};
  const rv_final_view_t f = exposure_view(&ctx, c, 3, 1.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("coverage", &f, 2), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("gini", &f, 2), 0.625, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("entropy", &f, 2), 2.0 - 0.75 * log2(3.0), EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("entropy", &f, 2), 0.8112781244591329, 1e-14);
  /* Gini sorts a copy: the same multiset in another order, same value, and
   * the exposure array is left as it was. */
  const int64_t c2[4] = {3, 0, 1, 0};
  const rv_final_view_t f2 = exposure_view(&ctx, c2, 3, 1.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("gini", &f2, 2), 0.625, EXACT);
  CU_ASSERT(c2[0] == 3 && c2[1] == 0 && c2[2] == 1 && c2[3] == 0);
}

static void test_exposure_edges(void) {
  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 4};
  /* Equal exposure {2, 2, 2, 2}: coverage 1, gini = 2 (-3 - 1 + 1 + 3) / 32
   * = 0, entropy = log2 4 = 2. */
  const int64_t eqc[4] = {2, 2, 2, 2};
  rv_final_view_t f = exposure_view(&ctx, eqc, 4, 4.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("coverage", &f, 2), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("gini", &f, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("entropy", &f, 2), 2.0, EXACT);
  /* All exposure on one item {0, 0, 0, 5}: gini = 3*5 / (4*5) = 3/4
   * (= (n-1)/n, the maximum for n = 4), entropy 0, coverage 1/4. */
  const int64_t one[4] = {0, 0, 0, 5};
  f = exposure_view(&ctx, one, 5, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("gini", &f, 1), 0.75, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("entropy", &f, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("coverage", &f, 1), 0.25, EXACT);
  /* No list at all (every user saw the whole catalogue): coverage 0; gini
   * and entropy undefined (sum c = 0) -> NaN; personalization NaN (fewer
   * than 2 lists); mi_user_item NaN (no list). */
  const int64_t none[4] = {0, 0, 0, 0};
  f = exposure_view(&ctx, none, 0, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("coverage", &f, 2), 0.0, EXACT);
  CU_ASSERT(isnan(final_metric("gini", &f, 2)));
  CU_ASSERT(isnan(final_metric("entropy", &f, 2)));
  CU_ASSERT(isnan(final_metric("personalization", &f, 2)));
  CU_ASSERT(isnan(final_metric("mi_user_item", &f, 2)));
  CU_ASSERT(isnan(final_metric("mi_user_item_norm", &f, 2)));
  /* A single list: personalization needs a pair -> NaN. */
  const int64_t single[4] = {1, 1, 0, 0};
  f = exposure_view(&ctx, single, 1, 1.0);
  CU_ASSERT(isnan(final_metric("personalization", &f, 2)));
}

static void test_personalization(void) {
  /* 3 users, k = 2, n_items = 4:
   *   L_A = [0, 1], L_B = [1, 0], L_C = [0, 2].
   * Pairs (by definition): |A ∩ B| = |{0, 1}| = 2, |A ∩ C| = |{0}| = 1,
   * |B ∩ C| = |{0}| = 1. Mean over C(3,2) = 3 pairs: 4/3.
   * personalization = 1 - (4/3) / 2 = 1/3.
   * Exposure counts: c = (3, 2, 1, 0); sum_i c_i (c_i - 1)/2 = 3 + 1 + 0 + 0
   * = 4 = the pair sum above (each item shared by a pair counted once). */
  const int lists[3][2] = {{0, 1}, {1, 0}, {0, 2}};
  int64_t c[4] = {0, 0, 0, 0};
  for (int u = 0; u < 3; u++)
    for (int r = 0; r < 2; r++) c[lists[u][r]]++;
  CU_ASSERT(c[0] == 3 && c[1] == 2 && c[2] == 1 && c[3] == 0);
  /* Brute force over pairs (no code under test): */
  int shared = 0;
  for (int a = 0; a < 3; a++)
    for (int b = a + 1; b < 3; b++)
      for (int r = 0; r < 2; r++)
        for (int s = 0; s < 2; s++) shared += lists[a][r] == lists[b][s];
  CU_ASSERT_EQUAL(shared, 4);
  int64_t from_counts = 0;
  for (int i = 0; i < 4; i++) from_counts += c[i] * (c[i] - 1) / 2;
  CU_ASSERT_EQUAL(from_counts, shared);

  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 3};
  const rv_final_view_t f = exposure_view(&ctx, c, 3, 3.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("personalization", &f, 2), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("personalization", &f, 2),
                         1.0 - ((double)shared / 3.0) / 2.0, EXACT);
  /* The same counts give coverage 3/4; gini on sorted (0, 1, 2, 3), weights
   * (-3, -1, 1, 3): (0 - 1 + 2 + 9) / (4 * 6) = 10/24 = 5/12; entropy of
   * p = (1/2, 1/3, 1/6): 1/2 + (1/3) log2 3 + (1/6) log2 6 = 2/3 + (1/2) log2 3. */
  CU_ASSERT_DOUBLE_EQUAL(final_metric("coverage", &f, 2), 0.75, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("gini", &f, 2), 5.0 / 12.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("entropy", &f, 2), 2.0 / 3.0 + 0.5 * log2(3.0), EXACT);

  /* Identical lists for 3 users: c = (3, 3, 0, 0): pair sum 3 + 3 = 6, mean
   * 2 = k -> 0. Disjoint lists of 2 users ([0,1], [2,3]): c all 1 -> 1. */
  const int64_t same[4] = {3, 3, 0, 0}, disj[4] = {1, 1, 1, 1};
  rv_final_view_t g = exposure_view(&ctx, same, 3, 3.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("personalization", &g, 2), 0.0, EXACT);
  g = exposure_view(&ctx, disj, 2, 2.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("personalization", &g, 2), 1.0, EXACT);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t exposure[] = {
      {"counts_0013", test_exposure_0013},
      {"edges", test_exposure_edges},
      {"personalization", test_personalization},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("exposure", exposure)};
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
