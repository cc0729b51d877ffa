/* Unit tests of the accuracy metric descriptors (precision, recall, f1,
 * ndcg, map, mrr, hit, auc; src/metrics/m_accuracy.c). Serial, CUnit, no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

#include "kernels/accuracy.h"

/* An accuracy view: only the list's gains, the test count and the ideal
 * gains matter to the accuracy metrics. items[] is a dummy list. */
static rv_user_view_t acc_view(const rv_eval_ctx_t *ctx, int len, int kmax, const double *gain,
                               int64_t n_test, const double *ideal, int n_ideal) {
  rv_user_view_t v = {.ctx = ctx,
                      .user = 0,
                      .kmax = kmax,
                      .len = len,
                      .items = DUMMY_ITEMS,
                      .scores = DUMMY_SCORES,
                      .gain = gain,
                      .n_test = n_test,
                      .test = NULL,
                      .test_rel = NULL,
                      .ideal = ideal,
                      .n_ideal = n_ideal,
                      .n_train = 0,
                      .train = NULL,
                      .profile = NULL,
                      .auc = NAN,
                      .scratch = NULL,
                      .iscratch = NULL};
  return v;
}

/* ======================================================================== */
/* Suite: accuracy                                                          */

static void test_precision_recall_f1(void) {
  const rv_eval_ctx_t ctx = {.trec = 0};
  /* List of 5, gains [1, 0, 1, 0, 0], |R_u| = 4 (two test items not found).
   *  k=1: hits 1: P = 1, R = 1/4, F1 = 2 (1)(1/4) / (5/4) = 2/5.
   *  k=3: hits 2: P = 2/3, R = 1/2, F1 = 2 (1/3) / (7/6) = 4/7.
   *  k=5: hits 2: P = 2/5, R = 1/2, F1 = 2 (1/5) / (9/10) = 4/9. */
  const double g[5] = {1, 0, 1, 0, 0}, id[4] = {1, 1, 1, 1};
  rv_user_view_t v = acc_view(&ctx, 5, 5, g, 4, id, 4);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 1), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 1), 0.25, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 1), 0.4, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 3), 2.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 3), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 3), 4.0 / 7.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 5), 0.4, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 5), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 5), 4.0 / 9.0, EXACT);

  /* Graded relevance does not weight precision/recall: gains [3, 0, 0.5]
   * count as 2 hits. k=3, |R_u| = 2: P = 2/3, R = 1, F1 = 2 (2/3) / (5/3) = 4/5. */
  const double gg[3] = {3, 0, 0.5}, idg[2] = {3, 0.5};
  v = acc_view(&ctx, 3, 3, gg, 2, idg, 2);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 3), 2.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 3), 0.8, EXACT);

  /* No hit: P = R = 0, so F1 = 0 by definition (not 0/0). */
  const double g0[3] = {0, 0, 0};
  v = acc_view(&ctx, 3, 3, g0, 2, idg, 2);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 3), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 3), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 3), 0.0, EXACT);
}

static void test_short_and_single_lists(void) {
  const rv_eval_ctx_t ctx = {.trec = 0};
  /* Candidates ran out: len 2 < k = 5, gains [1, 1], |R_u| = 4.
   *  precision@5 = 2/5 (missing slots are misses), recall@5 = 2/4,
   *  F1 = 2 (1/5) / (9/10) = 4/9, hit 1, mrr 1,
   *  map@5 = (1/1 + 2/2) / min(5, 4) = 2/4,
   *  ndcg@5 = (1 + 1/log2 3) / (1 + 1/log2 3 + 1/2 + 1/log2 5). */
  const double g[2] = {1, 1}, id[4] = {1, 1, 1, 1};
  rv_user_view_t v = acc_view(&ctx, 2, 5, g, 4, id, 4);
  const double L3 = log2(3.0), L5 = log2(5.0);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 5), 0.4, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 5), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 5), 4.0 / 9.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, 5), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, 5), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 5), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 5), (1 + 1 / L3) / (1 + 1 / L3 + 0.5 + 1 / L5),
                         EXACT);

  /* One-item list, a miss: gains [0], |R_u| = 1, k = 3: everything 0. */
  const double g1[1] = {0}, id1[1] = {1};
  v = acc_view(&ctx, 1, 3, g1, 1, id1, 1);
  const char *names[] = {"precision", "recall", "f1", "ndcg", "map", "mrr", "hit"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    CU_ASSERT_DOUBLE_EQUAL(user_metric(names[i], &v, 3), 0.0, EXACT);
  /* One-item list, a hit: precision@3 = 1/3, recall 1, F1 = 2 (1/3) / (4/3) = 1/2,
   * ndcg 1 (IDCG from min(3, 1) = 1 gain), map 1/min(3,1) = 1, mrr 1, hit 1. */
  const double h1[1] = {1};
  v = acc_view(&ctx, 1, 3, h1, 1, id1, 1);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 3), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("recall", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("f1", &v, 3), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, 3), 1.0, EXACT);

  /* Whole catalogue seen: empty list (len 0) for a user with 2 test items
   * (e.g. with test items overlapping train): no hit anywhere, every
   * accuracy value is 0 (NDCG: DCG 0 / IDCG 1 + 1/log2 3 > 0). */
  const double id2[2] = {1, 1};
  v = acc_view(&ctx, 0, 3, NULL, 2, id2, 2);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    CU_ASSERT_DOUBLE_EQUAL(user_metric(names[i], &v, 3), 0.0, EXACT);
}

static void test_no_test_items(void) {
  /* A user without test items (the engine skips these for RV_NEEDS_TEST;
   * here the compute functions are called directly): gains all 0,
   * |R_u| = 0, no ideal gains.
   *  recall = hits / 0: undefined -> NaN;
   *  ndcg: IDCG = 0 -> undefined -> NaN;
   *  map: denominator min(k, 0) = 0 (default) or |R_u| = 0 (trec) -> NaN;
   *  precision = 0 / k = 0, hit = 0, mrr = 0 (well defined, no hit). */
  rv_eval_ctx_t ctx = {.trec = 0};
  const double g[3] = {0, 0, 0};
  rv_user_view_t v = acc_view(&ctx, 3, 3, g, 0, NULL, 0);
  for (int k = 1; k <= 3; k++) {
    CU_ASSERT(isnan(user_metric("recall", &v, k)));
    CU_ASSERT(isnan(user_metric("ndcg", &v, k)));
    CU_ASSERT(isnan(user_metric("map", &v, k)));
    CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, k), 0.0, EXACT);
    CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, k), 0.0, EXACT);
    CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, k), 0.0, EXACT);
  }
  ctx.trec = 1;
  CU_ASSERT(isnan(user_metric("map", &v, 3)));
  /* AUC undefined for this user: the engine stores NaN and the descriptor
   * passes it through. */
  CU_ASSERT(isnan(user_metric("auc", &v, 3)));
}

static void test_ndcg_graded(void) {
  const rv_eval_ctx_t ctx = {.trec = 0};
  /* R_u = {a: 3, b: 2, c: 1}; ideal (descending) [3, 2, 1]; list gains
   * [0, 2, 3] (b at rank 2, a at rank 3), L = log2 3:
   *  k=1: DCG 0 -> 0.
   *  k=2: DCG = 2/L, IDCG = 3 + 2/L: (2/L) / (3 + 2/L) = 0.29608...
   *  k=3: DCG = 2/L + 3/2, IDCG = 3 + 2/L + 1/2: 0.57999...
   * Linear gain: a binary version (all 1) would give a different value at
   * k=2: (1/L) / (1 + 1/L) = 0.38685... */
  const double L = log2(3.0);
  const double g[3] = {0, 2, 3}, id[3] = {3, 2, 1};
  rv_user_view_t v = acc_view(&ctx, 3, 3, g, 3, id, 3);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 2), (2 / L) / (3 + 2 / L), EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 2), 0.2960819109658652, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 3), (2 / L + 1.5) / (3.5 + 2 / L), EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 3), 0.5799960084920718, 1e-14);
  /* The ideal order: [3, 2, 1] as the list -> 1 at every k. */
  v = acc_view(&ctx, 3, 3, id, 3, id, 3);
  for (int k = 1; k <= 3; k++) CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, k), 1.0, EXACT);
  /* IDCG cut at min(k, |R_u|): one test item of rel 2 found at rank 2 of a
   * 2-item list, k = 3: DCG = 2/L, IDCG = 2 (one gain) -> 1/L = 0.63093. */
  const double g2[2] = {0, 2}, id2[1] = {2};
  v = acc_view(&ctx, 2, 3, g2, 1, id2, 1);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 3), 1 / L, EXACT);
  /* trec convention: same definition (ndcg_cut_k, linear gain). */
  const rv_eval_ctx_t trec = {.trec = 1};
  v = acc_view(&trec, 3, 3, g, 3, id, 3);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 2), (2 / L) / (3 + 2 / L), EXACT);
}

static void test_map_default_vs_trec(void) {
  /* Gains [0, 1, 1, 0, 1], |R_u| = 4 (one relevant never retrieved).
   * Precision at the hit ranks: r=2: 1/2, r=3: 2/3, r=5: 3/5.
   *           sum        default (/min(k,4))   trec (/4)
   *  k=1:  0             0                     0
   *  k=2:  1/2           1/4                   1/8
   *  k=3:  7/6           7/18                  7/24
   *  k=5:  53/30         53/120                53/120   (min(5,4) = 4)   */
  rv_eval_ctx_t ctx = {.trec = 0};
  const double g[5] = {0, 1, 1, 0, 1}, id[4] = {1, 1, 1, 1};
  rv_user_view_t v = acc_view(&ctx, 5, 5, g, 4, id, 4);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 2), 0.25, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 3), 7.0 / 18.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 5), 53.0 / 120.0, EXACT);
  ctx.trec = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 2), 0.125, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 3), 7.0 / 24.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 5), 53.0 / 120.0, EXACT);

  /* Short list (len 3 < k = 5): sum 7/6 over min(5, 4) = 4 -> 7/24 in both. */
  ctx.trec = 0;
  v.len = 3;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 5), 7.0 / 24.0, EXACT);
  ctx.trec = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 5), 7.0 / 24.0, EXACT);

  /* Graded relevance: MAP is binary (gain > 0 is a hit). Gains [3, 0, 1],
   * |R_u| = 2, k = 3: (1/1 + 2/3) / min(3, 2) = 5/6 in both conventions
   * (|R_u| = 2 = min(3, 2)). */
  const double gg[3] = {3, 0, 1}, idg[2] = {3, 1};
  v = acc_view(&ctx, 3, 3, gg, 2, idg, 2);
  ctx.trec = 0;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 3), 5.0 / 6.0, EXACT);
  ctx.trec = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 3), 5.0 / 6.0, EXACT);
  /* k = 1, same list: default 1/min(1,2) = 1, trec 1/2. */
  ctx.trec = 0;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 1), 1.0, EXACT);
  ctx.trec = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("map", &v, 1), 0.5, EXACT);
}

static void test_mrr_hit_default_vs_trec(void) {
  /* Gains [0, 0, 1, 0, 1], |R_u| = 2, kmax = len = 5. First hit at rank 3.
   *  default: mrr@1 = mrr@2 = 0, mrr@3 = mrr@5 = 1/3.
   *  trec (recip_rank, no cut-off, whole list of kmax): 1/3 at every k.
   *  hit@k: 0 for k < 3, 1 from k = 3 (same in trec: success_k). */
  rv_eval_ctx_t ctx = {.trec = 0};
  const double g[5] = {0, 0, 1, 0, 1}, id[2] = {1, 1};
  rv_user_view_t v = acc_view(&ctx, 5, 5, g, 2, id, 2);
  const double want_mrr[5] = {0, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}, want_hit[5] = {0, 0, 1, 1, 1};
  for (int k = 1; k <= 5; k++) {
    CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, k), want_mrr[k - 1], EXACT);
    CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, k), want_hit[k - 1], EXACT);
  }
  ctx.trec = 1;
  for (int k = 1; k <= 5; k++) {
    CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, k), 1.0 / 3.0, EXACT);
    CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, k), want_hit[k - 1], EXACT);
  }
  /* trec over a short list (len 2, no hit in it): 0, the list ends. */
  v.len = 2;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, 1), 0.0, EXACT);
}

static void test_ties_resolved_upstream(void) {
  /* Scores [0.5, 0.9, 0.9, 0.1], test item {2}. Items 1 and 2 tie at 0.9;
   * top-k breaks the tie by the smaller index: L = [1, 2, 0]. So the hit is
   * at rank 2, never rank 1: mrr@3 = 1/2, hit@1 = 0, ndcg@3 = 1/log2 3,
   * precision@1 = 0. */
  const float row[4] = {0.5f, 0.9f, 0.9f, 0.1f};
  rv_topk_slot_t storage[RV_TOPK_CAPACITY(3)];
  rv_topk_t t;
  rv_topk_init(&t, storage, 3);
  rv_topk_push_row(&t, row, 4, 0);
  int32_t items[3];
  float sc[3];
  CU_ASSERT_EQUAL_FATAL(rv_topk_finish(&t, items, sc), 3);
  CU_ASSERT(items[0] == 1 && items[1] == 2 && items[2] == 0);
  const int32_t test[1] = {2};
  double g[3], id[1];
  rv_list_gains(items, 3, test, NULL, 1, g);
  const int ni = rv_ideal_gains(NULL, 1, 3, id);
  const rv_eval_ctx_t ctx = {.trec = 0};
  rv_user_view_t v = acc_view(&ctx, 3, 3, g, 1, id, ni);
  v.items = items;
  v.scores = sc;
  v.test = test;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("mrr", &v, 3), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("hit", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("precision", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ndcg", &v, 3), 1.0 / log2(3.0), EXACT);
}

static void test_auc_descriptor(void) {
  /* The descriptor returns the AUC the scoring pass stored in the view, for
   * any k (at_k = 0). */
  const rv_eval_ctx_t ctx = {.trec = 0};
  const double g[1] = {1}, id[1] = {1};
  rv_user_view_t v = acc_view(&ctx, 1, 1, g, 1, id, 1);
  v.auc = 0.75;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("auc", &v, 1), 0.75, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("auc", &v, 7), 0.75, EXACT);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t accuracy[] = {
      {"precision_recall_f1", test_precision_recall_f1},
      {"short_and_single_lists", test_short_and_single_lists},
      {"no_test_items", test_no_test_items},
      {"ndcg_graded", test_ndcg_graded},
      {"map_default_vs_trec", test_map_default_vs_trec},
      {"mrr_hit_default_vs_trec", test_mrr_hit_default_vs_trec},
      {"ties_resolved_upstream", test_ties_resolved_upstream},
      {"auc_descriptor", test_auc_descriptor},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("accuracy", accuracy)};
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
