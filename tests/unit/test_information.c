/* Unit tests of the information metrics (mutual information of users and
 * items, of scores and relevance; src/metrics/m_information.c). Serial, CUnit,
 * no MPI. Suite "regressions" holds a failing case of a genuine metric bug;
 * see the derivation in the test.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

/* ======================================================================== */
/* Suite: information                                                       */

static void test_mi_user_item(void) {
  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 3};
  /* Identical lists: 3 users each shown [0, 1]: c = (3, 3, 0, 0), H(R) = 1,
   * H(R|U) = mean log2 2 = 1 -> I = 0; normalised 0/1 = 0. */
  const int64_t same[4] = {3, 3, 0, 0};
  rv_final_view_t f = exposure_view(&ctx, same, 3, 3.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item", &f, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item_norm", &f, 2), 0.0, EXACT);
  /* Disjoint lists: 2 users shown [0, 1] and [2, 3]: c = (1, 1, 1, 1),
   * H(R) = 2, H(R|U) = 1 -> I = 1 bit = H(U) (the list names the user);
   * normalised 1/2. */
  const int64_t disj[4] = {1, 1, 1, 1};
  f = exposure_view(&ctx, disj, 2, 2.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item", &f, 2), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item_norm", &f, 2), 0.5, EXACT);
  /* Overlapping lists of equal length (the personalization case):
   * [0,1], [1,0], [0,2]: c = (3, 2, 1, 0), H(R) = 2/3 + (1/2) log2 3,
   * H(R|U) = 1 -> I = (1/2) log2 3 - 1/3 = 0.45915;
   * normalised I / H(R) = 0.31467. */
  const int64_t ov[4] = {3, 2, 1, 0};
  f = exposure_view(&ctx, ov, 3, 3.0);
  const double HR = 2.0 / 3.0 + 0.5 * log2(3.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item", &f, 2), HR - 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item", &f, 2), 0.4591479170272447, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item_norm", &f, 2), (HR - 1.0) / HR, EXACT);
  /* Everyone shown the same single item: H(R) = 0 = I; the normalised
   * value is 0/0 -> NaN. */
  const int64_t one[4] = {0, 0, 3, 0};
  f = exposure_view(&ctx, one, 3, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_user_item", &f, 1), 0.0, EXACT);
  CU_ASSERT(isnan(final_metric("mi_user_item_norm", &f, 1)));
}

static rv_final_view_t hist_view(const rv_eval_ctx_t *ctx, const int64_t *h, int bins) {
  rv_final_view_t f = {.ctx = ctx, .exposure = NULL, .n_lists = 0, .sum_log2_len = 0.0,
                       .hist = h, .bins = bins};
  return f;
}

static void test_mi_score_relevance(void) {
  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 1};
  const double HY = 2.0 - 0.75 * log2(3.0); /* H(1/4) = 0.81128 bits */
  /* Perfect separation: bin 0 = (3 non-relevant, 0 relevant), bin 1 =
   * (0, 1). n = 4, p(Y=1) = 1/4: H(Y) = 2 - (3/4) log2 3. Y is a function of
   * the bin, so H(Y|S) = 0 and I = H(Y); normalised 1. By the sum:
   * 3/4 log2((3*4)/(3*3)) + 1/4 log2((1*4)/(1*1)) = 3/4 (2 - log2 3) + 1/2
   * = 2 - (3/4) log2 3. */
  const int64_t sep[4] = {3, 0, 0, 1};
  rv_final_view_t f = hist_view(&ctx, sep, 2);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance", &f, 0), HY, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance_norm", &f, 0), 1.0, EXACT);
  /* Independent: bins (2, 1) and (4, 2): p(Y=1 | bin) = 1/3 in both -> I = 0. */
  const int64_t ind[4] = {2, 1, 4, 2};
  f = hist_view(&ctx, ind, 2);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance", &f, 0), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance_norm", &f, 0), 0.0, EXACT);
  /* Partial: bins (2, 0), (1, 1), (0, 0) (an empty bin). n = 4, H(Y) as
   * above. H(Y|S) = p(bin 1) H(1/2) = 1/2 * 1 = 1/2:
   * I = 2 - (3/4) log2 3 - 1/2 = 3/2 - (3/4) log2 3 = 0.31128. */
  const int64_t part[6] = {2, 0, 1, 1, 0, 0};
  f = hist_view(&ctx, part, 3);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance", &f, 0), 1.5 - 0.75 * log2(3.0), EXACT);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance", &f, 0), 0.31127812445913294, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance_norm", &f, 0),
                         (1.5 - 0.75 * log2(3.0)) / HY, EXACT);
  /* No relevant pair at all: H(Y) = 0, I = 0, normalised 0/0 -> NaN. */
  const int64_t norel[4] = {5, 0, 3, 0};
  f = hist_view(&ctx, norel, 2);
  CU_ASSERT_DOUBLE_EQUAL(final_metric("mi_score_relevance", &f, 0), 0.0, EXACT);
  CU_ASSERT(isnan(final_metric("mi_score_relevance_norm", &f, 0)));
  /* Empty histogram: undefined. */
  const int64_t empty[4] = {0, 0, 0, 0};
  f = hist_view(&ctx, empty, 2);
  CU_ASSERT(isnan(final_metric("mi_score_relevance", &f, 0)));
  CU_ASSERT(isnan(final_metric("mi_score_relevance_norm", &f, 0)));
}

/* ======================================================================== */
/* Suite: regressions                                                       */

static void test_bug_mi_user_item_unequal_lengths(void) {
  /* I(U;R) with lists of different lengths (a list is shorter than k when a
   * user's candidates run out). Two users, k = 3, n_items = 4:
   *   L_A = [0]        (|L_A| = 1)
   *   L_B = [1, 2, 3]  (|L_B| = 3)
   * Definition (METRICS.md): p(u) = 1/2 uniform, p(i|u) = 1/|L_u| on L_u.
   *   p(i) = sum_u p(u) p(i|u): p(0) = 1/2, p(1) = p(2) = p(3) = 1/6.
   *   H(R) = 1/2 log2 2 + 3 (1/6) log2 6 = 1/2 + 1/2 log2 6 = 1 + 1/2 log2 3
   *        = 1.79248.
   *   H(R|U) = mean_u log2 |L_u| = (0 + log2 3) / 2 = 0.79248.
   *   I(U;R) = H(R) - H(R|U) = 1 bit exactly. Also evident directly: the
   *   lists are disjoint, so R determines U and I = H(U) = log2 2 = 1.
   * Before the fix, H(R) was the entropy of the exposure counts
   * c = (1, 1, 1, 1), i.e. p(i) = c_i / sum c = 1/4 each, H = 2, which is
   * p(i) only when every list has the same length: it returned
   * 2 - (1/2) log2 3 = 1.20752 bits > H(U) = 1 bit, impossible for a mutual
   * information (I(U;R) <= H(U)). Now the engine passes, per item, the sum
   * of 1/|L_u| over the lists containing it: (1, 1/3, 1/3, 1/3). */
  const rv_eval_ctx_t ctx = {.n_items = 4, .n_users = 2};
  const int64_t c[4] = {1, 1, 1, 1};
  static const double w[4] = {1.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0};
  rv_final_view_t f = exposure_view(&ctx, c, 2, log2(1.0) + log2(3.0));
  f.list_weight = w;
  const double mi = final_metric("mi_user_item", &f, 3);
  CU_ASSERT(mi <= 1.0 + EXACT); /* I(U;R) <= H(U) = log2 |U| */
  CU_ASSERT_DOUBLE_EQUAL(mi, 1.0, EXACT);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t information[] = {
      {"mi_user_item", test_mi_user_item},
      {"mi_score_relevance", test_mi_score_relevance},
  };
  static const test_entry_t bugs[] = {
      {"mi_user_item_unequal_lengths", test_bug_mi_user_item_unequal_lengths},
  };
  static const unit_suite_t suites[] = {
      UNIT_SUITE("information", information),
      UNIT_SUITE("regressions", bugs),
  };
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
