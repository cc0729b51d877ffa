/* Unit tests of the accuracy kernels (src/kernels/accuracy.h) and of the
 * accuracy metric descriptors: the worked example of unit_util.h (3 users x 5
 * items, scored, top-k selected and measured end to end), the example of
 * docs/metrics.md, and the gain / DCG kernels on their own. Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/accuracy.h"
#include "metrics/registry.h"

/* ======================================================================== */
/* Suite: worked_example                                                    */

static void test_example_topk_dot(void) {
  /* Masked dot rows (seen -> -inf):
   *   u0: 1, 2, -inf, 4, 4  -> i3 (4) and i4 (4) tie: smaller index first
   *                          -> [3, 4, 1] scores [4, 4, 2]
   *   u1: 2, 0, 2, -inf, 0  -> i0/i2 tie at 2, i1/i4 tie at 0
   *                          -> [0, 2, 1] scores [2, 2, 0] (i4 is 4th)
   *   u2: 0, 1, 1, 1, -inf  -> i1, i2, i3 tie at 1 -> [1, 2, 3] */
  const int32_t want_items[NU][KMAX] = {{3, 4, 1}, {0, 2, 1}, {1, 2, 3}};
  const double want_scores[NU][KMAX] = {{4, 4, 2}, {2, 2, 0}, {1, 1, 1}};
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], EXACT);
    /* The same row in two tiles [0,2) + [2,5) gives the same selection. */
    rv_topk_slot_t st[RV_TOPK_CAPACITY(KMAX)];
    rv_topk_t t;
    int32_t items2[KMAX];
    float sc2[KMAX];
    rv_topk_init(&t, st, KMAX);
    rv_topk_push_row(&t, S + u * NI, 2, 0);
    rv_topk_push_row(&t, S + u * NI + 2, 3, 2);
    CU_ASSERT_EQUAL(rv_topk_finish(&t, items2, sc2), KMAX);
    assert_items(items2, want_items[u], KMAX);
  }
}

static void test_example_topk_cosine(void) {
  /* Masked cosine rows (values from test_score_cosine_hand):
   *   u0: .447, .894, -inf, .8, .894 -> i1/i4 tie (bitwise) -> [1, 4, 3]
   *   u1: 1, 0, .707, -inf, 0        -> [0, 2, 1] (i1/i4 tie at 0)
   *   u2: 0, 1, .707, .447, -inf     -> [1, 2, 3] */
  const int32_t want_items[NU][KMAX] = {{1, 4, 3}, {0, 2, 1}, {1, 2, 3}};
  const double r2 = sqrt(2.0), r5 = sqrt(5.0);
  const double want_scores[NU][KMAX] = {
      {2 / r5, 2 / r5, 0.8}, {1, 1 / r2, 0}, {1, 1 / r2, 1 / r5}};
  float S[NU * NI];
  example_scores(RV_SIM_COSINE, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], F32);
  }
}

static void test_example_topk_euclidean(void) {
  /* Masked euclidean rows (values from test_score_euclidean_hand):
   *   u0: -4, -2, -inf, -2, -1 -> [4 (-1), 1 (-2), 3 (-2)]  (1/3 tie)
   *   u1: -1, -5, -2, -inf, -8 -> [0, 2, 1]
   *   u2: -2, 0, -1, -4, -inf  -> [1, 2, 0] */
  const int32_t want_items[NU][KMAX] = {{4, 1, 3}, {0, 2, 1}, {1, 2, 0}};
  const double want_scores[NU][KMAX] = {{-1, -2, -2}, {-1, -2, -5}, {0, -1, -2}};
  float S[NU * NI];
  example_scores(RV_SIM_EUCLIDEAN, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], EXACT);
  }
}

/* Test rows of the example (sorted) and their relevances. */
static const int32_t TEST_U0[3] = {0, 1, 4};
static const float REL_U0[3] = {1, 2, 3};
static const int32_t TEST_U1[2] = {0, 4};

/* Expected metrics of the example, dot similarity, k = 1, 2, 3.
 * L = log2(3).
 * u0: list [3, 4, 1] -> gains [0, 3, 2] (i3 not a test item, i4 rel 3,
 *     i1 rel 2); ideal = [3, 2, 1]; |R| = 3.
 *     k=1: hits 0 -> P 0, R 0, NDCG 0/3 = 0, hit 0
 *     k=2: hits 1 -> P 1/2, R 1/3, DCG 0 + 3/log2(3) = 3/L,
 *          IDCG 3/1 + 2/L -> NDCG (3/L)/(3 + 2/L) = 0.44412286644879787, hit 1
 *     k=3: hits 2 -> P 2/3, R 2/3, DCG 3/L + 2/log2(4) = 3/L + 1,
 *          IDCG 3 + 2/L + 1/2 -> NDCG (3/L + 1)/(3.5 + 2/L) = 0.60749151804565257, hit 1
 *     (With the i3/i4 tie broken the wrong way, gains would be [3, 0, 2] and
 *     P@1 would be 1: the tie is consequential.)
 * u1: list [0, 2, 1] -> gains [1, 0, 0]; binary; ideal = [1, 1] (m = 2 < kmax); |R| = 2.
 *     k=1: P 1, R 1/2, NDCG 1/1 = 1, hit 1
 *     k=2: P 1/2, R 1/2, DCG 1, IDCG 1 + 1/L -> NDCG 1/(1 + 1/L) = 0.61314719276545841, hit 1
 *     k=3: P 1/3, R 1/2, DCG 1, IDCG still 1 + 1/L (only 2 ideal gains) -> same NDCG, hit 1
 *     (Were i4 ranked before i1 in their 0-score tie, R@3 would be 1.) */
static double want_u0(int metric, int k) {
  const double L = log2(3.0);
  const double w[4][3] = {{0, 0.5, 2.0 / 3.0},
                          {0, 1.0 / 3.0, 2.0 / 3.0},
                          {0, (3 / L) / (3 + 2 / L), (3 / L + 1) / (3.5 + 2 / L)},
                          {0, 1, 1}};
  return w[metric][k - 1];
}
static double want_u1(int metric, int k) {
  const double L = log2(3.0);
  const double w[4][3] = {
      {1, 0.5, 1.0 / 3.0}, {0.5, 0.5, 0.5}, {1, 1 / (1 + 1 / L), 1 / (1 + 1 / L)}, {1, 1, 1}};
  return w[metric][k - 1];
}

static void test_example_metrics_kernels(void) {
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  int32_t list[NU][KMAX];
  float sc[KMAX];
  for (int u = 0; u < NU; u++) CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, list[u], sc), KMAX);

  /* u0, graded. */
  double g0[KMAX], id0[KMAX];
  rv_list_gains(list[0], KMAX, TEST_U0, REL_U0, 3, g0);
  CU_ASSERT_DOUBLE_EQUAL(g0[0], 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g0[1], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g0[2], 2.0, EXACT);
  const int n0 = rv_ideal_gains(REL_U0, 3, KMAX, id0);
  CU_ASSERT_EQUAL(n0, 3);
  CU_ASSERT_DOUBLE_EQUAL(id0[0], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(id0[1], 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(id0[2], 1.0, EXACT);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g0, KMAX, k), want_u0(0, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g0, KMAX, k, 3), want_u0(1, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, k), want_u0(2, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g0, KMAX, k), want_u0(3, k), EXACT);
  }
  /* Spot checks of the closed forms against the decimal values above. */
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, 2), 0.44412286644879787, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, 3), 0.60749151804565257, 1e-14);

  /* u1, binary (rel NULL). */
  double g1[KMAX], id1[KMAX];
  rv_list_gains(list[1], KMAX, TEST_U1, NULL, 2, g1);
  CU_ASSERT_DOUBLE_EQUAL(g1[0], 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g1[1], 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g1[2], 0.0, EXACT);
  const int n1 = rv_ideal_gains(NULL, 2, KMAX, id1);
  CU_ASSERT_EQUAL(n1, 2);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g1, KMAX, k), want_u1(0, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g1, KMAX, k, 2), want_u1(1, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g1, KMAX, id1, n1, k), want_u1(2, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g1, KMAX, k), want_u1(3, k), EXACT);
  }
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g1, KMAX, id1, n1, 2), 0.61314719276545841, 1e-14);

  /* u2, no test items: gains all 0; recall with m = 0 and NDCG with no
   * ideal gains are undefined -> NaN (the engine never calls the metrics
   * for such users, and reports NaN itself). */
  double g2[KMAX], id2[KMAX];
  rv_list_gains(list[2], KMAX, TEST_U1, NULL, 0, g2);
  for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(g2[r], 0.0, EXACT);
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 0, KMAX, id2), 0);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT(isnan(rv_recall_at(g2, KMAX, k, 0)));
    CU_ASSERT(isnan(rv_ndcg_at(g2, KMAX, id2, 0, k)));
  }
}

static void test_example_metrics_descriptors(void) {
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  int32_t list[2][KMAX];
  float sc[2][KMAX];
  for (int u = 0; u < 2; u++) CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, list[u], sc[u]), KMAX);
  double g0[KMAX], g1[KMAX], id0[KMAX], id1[KMAX];
  rv_list_gains(list[0], KMAX, TEST_U0, REL_U0, 3, g0);
  rv_list_gains(list[1], KMAX, TEST_U1, NULL, 2, g1);
  const int32_t train0[1] = {2}, train1[1] = {3};
  rv_user_view_t v0 = {.user = 0, .kmax = KMAX, .len = KMAX, .items = list[0], .scores = sc[0],
                       .gain = g0, .n_test = 3, .test = TEST_U0, .test_rel = REL_U0,
                       .ideal = id0, .n_ideal = rv_ideal_gains(REL_U0, 3, KMAX, id0),
                       .n_train = 1, .train = train0};
  rv_user_view_t v1 = {.user = 1, .kmax = KMAX, .len = KMAX, .items = list[1], .scores = sc[1],
                       .gain = g1, .n_test = 2, .test = TEST_U1, .test_rel = NULL,
                       .ideal = id1, .n_ideal = rv_ideal_gains(NULL, 2, KMAX, id1),
                       .n_train = 1, .train = train1};
  const char *names[4] = {"precision", "recall", "ndcg", "hit"};
  for (int m = 0; m < 4; m++) {
    const rv_metric_t *d = rv_metric_find(names[m]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int k = 1; k <= KMAX; k++) {
      CU_ASSERT_DOUBLE_EQUAL(d->compute_user(&v0, k), want_u0(m, k), EXACT);
      CU_ASSERT_DOUBLE_EQUAL(d->compute_user(&v1, k), want_u1(m, k), EXACT);
    }
  }
  /* A list shorter than k (candidates ran out): missing slots are misses.
   * u1 with only its first entry (gain 1) at k = 3: precision 1/3, recall
   * 1/2, hit 1, NDCG = 1 / (1 + 1/log2 3) as with the full list. */
  v1.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_precision.compute_user(&v1, 3), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_recall.compute_user(&v1, 3), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_hit.compute_user(&v1, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_ndcg.compute_user(&v1, 3), 1 / (1 + 1 / log2(3.0)), EXACT);
  /* Empty list: everything 0 (user has test items, none found). */
  v1.len = 0;
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_precision.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_recall.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_ndcg.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_hit.compute_user(&v1, 2), 0.0, EXACT);
}

static void test_docs_metrics_example(void) {
  /* The worked example of docs/metrics.md: 5 items, train {1}, test
   * {0: rel 2, 3: rel 1}, scores [.9, .95, .3, .8, .3]. Item 1 masked;
   * ranking 0 (.9), 3 (.8), 2 (.3), 4 (.3) (2/4 tie -> 2 first).
   * k=1: hits 1: P 1, R 1/2, hit 1; DCG 2/log2(2) = 2 = IDCG -> NDCG 1.
   * k=2: hits 2: P 1, R 1; DCG = 2 + 1/log2 3 = IDCG -> NDCG 1.
   * k=3: L = [0, 3, 2]: P 2/3, R 1; IDCG uses min(3, 2) = 2 gains -> NDCG 1. */
  float row[5] = {0.9f, 0.95f, 0.3f, 0.8f, 0.3f};
  row[1] = -INFINITY;
  int32_t items[4];
  float sc[4];
  CU_ASSERT_EQUAL(select_topk(row, 5, 4, items, sc), 4);
  const int32_t want[4] = {0, 3, 2, 4};
  assert_items(items, want, 4);
  const int32_t test[2] = {0, 3};
  const float rel[2] = {2, 1};
  double g[3], ideal[3];
  rv_list_gains(items, 3, test, rel, 2, g);
  const int ni = rv_ideal_gains(rel, 2, 3, ideal);
  CU_ASSERT_EQUAL(ni, 2);
  const double P[3] = {1, 1, 2.0 / 3.0}, R[3] = {0.5, 1, 1};
  for (int k = 1; k <= 3; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g, 3, k), P[k - 1], EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g, 3, k, 2), R[k - 1], EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g, 3, ideal, ni, k), 1.0, EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g, 3, k), 1.0, EXACT);
  }
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 2), 2.6309, 1e-4); /* as printed in the doc */
}

/* ======================================================================== */
/* Suite: accuracy                                                          */

static void test_list_gains(void) {
  /* test (sorted) = [2, 5, 9] with rel [1, 3, 2]; list = [9, 0, 5, 10, 2]:
   * 9 -> 2, 0 (below all) -> 0, 5 -> 3, 10 (above all) -> 0, 2 -> 1. */
  const int32_t test[3] = {2, 5, 9};
  const float rel[3] = {1, 3, 2};
  const int32_t list[5] = {9, 0, 5, 10, 2};
  const double want[5] = {2, 0, 3, 0, 1};
  double g[5];
  rv_list_gains(list, 5, test, rel, 3, g);
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(g[r], want[r], EXACT);
  rv_list_gains(list, 5, test, NULL, 3, g); /* binary: 1, 0, 1, 0, 1 */
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(g[r], want[r] > 0 ? 1.0 : 0.0, EXACT);
}

static void test_ideal_gains(void) {
  double ideal[8];
  /* Graded, unsorted, m = 5 > kmax = 3: the 3 largest of {1, 3, 2, 3, .5},
   * descending: [3, 3, 2]. */
  const float rel[5] = {1, 3, 2, 3, 0.5f};
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 3, ideal), 3);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[2], 2.0, EXACT);
  /* m = 5 < kmax = 8: all five sorted: [3, 3, 2, 1, .5]. */
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 8, ideal), 5);
  const double all[5] = {3, 3, 2, 1, 0.5};
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(ideal[r], all[r], EXACT);
  /* Ascending input, kmax 2: [4, 3] from {1, 2, 3, 4}. */
  const float asc[4] = {1, 2, 3, 4};
  CU_ASSERT_EQUAL(rv_ideal_gains(asc, 4, 2, ideal), 2);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 3.0, EXACT);
  /* NULL rel: all ones; m = 4, kmax 2 -> 2; m = 1, kmax 3 -> 1. */
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 4, 2, ideal), 2);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 1.0, EXACT);
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 1, 3, ideal), 1);
  /* kmax 0 or m 0 -> 0. */
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 0, ideal), 0);
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 0, 3, ideal), 0);
}

static void test_dcg_hits(void) {
  /* gains [3, 0, 2]: DCG@3 = 3/log2(2) + 0/log2(3) + 2/log2(4) = 3 + 1 = 4;
   * DCG@2 = 3; DCG@1 = 3; k beyond len uses len: DCG@10 = 4. */
  const double g[3] = {3, 0, 2};
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 3), 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 2), 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 1), 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 10), 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 0, 3), 0.0, EXACT);
  /* Gain 6 at rank 7: 6 / log2(8) = 2; gain 1 at rank 3: 1/log2(4) = 0.5. */
  const double h[7] = {0, 0, 1, 0, 0, 0, 6};
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(h, 7, 7), 2.5, EXACT);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 3), 2);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 2), 1);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 10), 2);
  CU_ASSERT_EQUAL(rv_hits_at(h, 7, 2), 0);
  /* precision counts missing slots as misses: hits 2 over k = 5. */
  CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g, 3, 5), 0.4, EXACT);
  /* recall with m = 0: NaN; with m = 4: 2/4. */
  CU_ASSERT(isnan(rv_recall_at(g, 3, 3, 0)));
  CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g, 3, 3, 4), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(h, 7, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(h, 7, 3), 1.0, EXACT);
  /* Perfect list: NDCG = 1. gains [3, 2, 1] vs ideal [3, 2, 1]. */
  const double p[3] = {3, 2, 1};
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(p, 3, p, 3, 3), 1.0, EXACT);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t example[] = {
      {"topk_dot", test_example_topk_dot},
      {"topk_cosine", test_example_topk_cosine},
      {"topk_euclidean", test_example_topk_euclidean},
      {"metrics_kernels", test_example_metrics_kernels},
      {"metrics_descriptors", test_example_metrics_descriptors},
      {"docs_metrics_example", test_docs_metrics_example},
  };
  static const test_entry_t accuracy[] = {
      {"list_gains", test_list_gains},
      {"ideal_gains", test_ideal_gains},
      {"dcg_hits", test_dcg_hits},
  };
  static const unit_suite_t suites[] = {
      UNIT_SUITE("worked_example", example),
      UNIT_SUITE("accuracy", accuracy),
  };

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
