/* Unit tests of receval's metric descriptors (src/metrics/) and of the AUC
 * counting kernels they rely on (src/kernels/accuracy.h, scanstats.h).
 * Serial, CUnit, no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it: compute_user(&view, k) for user metrics,
 * finalize(&fview, k) for exposure and scan metrics, on tiny hand-built
 * contexts. Every expected value is derived by hand (or written as the
 * closed form of the definition in ../shared/METRICS.md) in a comment next
 * to the assertion; none was obtained by running the code under test.
 *
 * Conventions the engine applies before a metric is called (score_pass.c)
 * and which these tests therefore assume rather than re-test:
 *  - users with no test items are skipped for RV_NEEDS_TEST metrics, users
 *    with an empty list for RV_NEEDS_LIST, users with no profile for
 *    RV_NEEDS_PROFILE (the descriptors' needs flags are checked below);
 *  - ties in score are broken by the smaller item index in top-k selection
 *    (one test shows a tie reaching the metrics through rv_topk).
 *
 * Suite "regressions" holds failing cases of genuine metric bugs; see the
 * derivation in each test. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/accuracy.h"
#include "kernels/listgeom.h"
#include "kernels/rowscan.h"
#include "kernels/scanstats.h"
#include "kernels/scorehist.h"
#include "kernels/topk.h"
#include "metrics/registry.h"

/* Tolerances. */
#define EXACT 1e-12 /* exact or closed-form double arithmetic */
#define F32 1e-6    /* quantities that go through float32 unit vectors */

/* ------------------------------------------------------------------------ */
/* Helpers: find a descriptor (fatal if missing) and call it.               */

static const rv_metric_t *metric(const char *name) {
  const rv_metric_t *m = rv_metric_find(name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  return m;
}

/* The engine hands list metrics the list's geometry (cosines with the
 * profile, pairwise cosine sums of each prefix) from one pass of
 * rv_list_geometry; do the same here, so these tests check that kernel and
 * the metric together against the hand derivations. */
static double user_metric(const char *name, const rv_user_view_t *v, int k) {
  const rv_metric_t *m = metric(name);
  CU_ASSERT_EQUAL_FATAL(m->kind, RV_KIND_USER);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m->compute_user);
  static double prof_cos[64], pair_cos[65], S[64];
  rv_user_view_t w = *v;
  if (v->ctx && v->ctx->item_unit && v->len <= 64 && v->ctx->dim <= 64) {
    rv_list_geometry(v->ctx->item_unit, v->ctx->dim, v->items, v->len, v->profile, 1, prof_cos,
                     pair_cos, S);
    w.prof_cos = v->profile ? prof_cos : NULL;
    w.pair_cos = pair_cos;
  }
  return m->compute_user(&w, k);
}

static double final_metric(const char *name, const rv_final_view_t *f, int k) {
  const rv_metric_t *m = metric(name);
  CU_ASSERT_FATAL(m->kind == RV_KIND_EXPOSURE || m->kind == RV_KIND_SCAN);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m->finalize);
  return m->finalize(f, k);
}

/* An accuracy view: only the list's gains, the test count and the ideal
 * gains matter to the accuracy metrics. items[] is a dummy list. */
static const int32_t DUMMY_ITEMS[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static const float DUMMY_SCORES[8] = {8, 7, 6, 5, 4, 3, 2, 1};

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

static int all_zero(const double *x, int n) {
  for (int i = 0; i < n; i++)
    if (x[i] != 0.0) return 0;
  return 1;
}

/* ======================================================================== */
/* Suite: descriptors                                                       */

static void test_descriptor_shapes(void) {
  /* Shapes and needs the engine relies on (METRICS.md "Which users count
   * where"): accuracy metrics need test items; every other list metric needs
   * a non-empty list only (test items or not); unexpectedness and
   * serendipity need a profile; serendipity also needs test items;
   * calibration needs categories; exposure metrics are RV_KIND_EXPOSURE;
   * I(S;Y) is a scan metric on the histogram; AUC is per user (no cutoff). */
  const char *acc[] = {"precision", "recall", "f1", "ndcg", "map", "mrr", "hit"};
  for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++) {
    const rv_metric_t *m = metric(acc[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_USER);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT((m->needs & RV_NEEDS_TEST) != 0);
    CU_ASSERT_PTR_NOT_NULL(m->compute_user);
  }
  const rv_metric_t *auc = metric("auc");
  CU_ASSERT_EQUAL(auc->kind, RV_KIND_USER);
  CU_ASSERT_EQUAL(auc->at_k, 0);
  CU_ASSERT_EQUAL(auc->needs & (RV_NEEDS_TEST | RV_NEEDS_AUC), RV_NEEDS_TEST | RV_NEEDS_AUC);

  const char *list[] = {"ild", "novelty", "arp", "aplt", "unexpectedness", "calibration"};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
    const rv_metric_t *m = metric(list[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_USER);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT((m->needs & RV_NEEDS_LIST) != 0);
    CU_ASSERT((m->needs & RV_NEEDS_TEST) == 0); /* users without test items count */
  }
  CU_ASSERT((metric("unexpectedness")->needs & RV_NEEDS_PROFILE) != 0);
  CU_ASSERT((metric("calibration")->needs & RV_NEEDS_CATEGORIES) != 0);
  const unsigned ser = metric("serendipity")->needs;
  CU_ASSERT_EQUAL(ser & (RV_NEEDS_TEST | RV_NEEDS_LIST | RV_NEEDS_PROFILE),
                  RV_NEEDS_TEST | RV_NEEDS_LIST | RV_NEEDS_PROFILE);

  const char *expo[] = {"coverage", "gini", "entropy", "personalization", "mi_user_item",
                        "mi_user_item_norm"};
  for (size_t i = 0; i < sizeof expo / sizeof expo[0]; i++) {
    const rv_metric_t *m = metric(expo[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_EXPOSURE);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT_PTR_NOT_NULL(m->finalize);
  }
  const char *scan[] = {"mi_score_relevance", "mi_score_relevance_norm"};
  for (size_t i = 0; i < 2; i++) {
    const rv_metric_t *m = metric(scan[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_SCAN);
    CU_ASSERT_EQUAL(m->at_k, 0);
    CU_ASSERT((m->needs & RV_NEEDS_HIST) != 0);
    CU_ASSERT_PTR_NOT_NULL(m->finalize);
  }
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
/* Suite: auc (exact counting)                                              */

static void test_auc_from_counts(void) {
  /* 2 positives, 3 negatives. P1: 0 negatives above, 1 tie; P2: 1 above,
   * 0 ties. Correct pairs: P1: 3 - 0 - 1 = 2 + 1/2 tie = 2.5;
   * P2: 3 - 1 = 2. AUC = 4.5 / (2 * 3) = 3/4. */
  const int64_t gt[2] = {0, 1}, eq[2] = {1, 0};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt, eq), 0.75, EXACT);
  /* Every negative ties every positive: 1/2. */
  const int64_t gt0[2] = {0, 0}, eq3[2] = {3, 3};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt0, eq3), 0.5, EXACT);
  /* Perfect and reversed. */
  const int64_t gt3[2] = {3, 3}, eq0[2] = {0, 0};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt0, eq0), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt3, eq0), 0.0, EXACT);
  /* Undefined without positives or negatives. */
  CU_ASSERT(isnan(rv_auc_from_counts(0, 3, gt0, eq0)));
  CU_ASSERT(isnan(rv_auc_from_counts(2, 0, gt0, eq0)));
}

static void test_auc_user_ties_noncandidate(void) {
  /* Test entries t = [0.5, -inf, 0.5]: entry 1 is a seen item (not a
   * candidate). n_cand = 5: the 2 candidate positives and 3 negatives with
   * scores 0.9, 0.5, 0.1. The scan counts every candidate, positives
   * included, against each entry:
   *   entry 0 (0.5): above: 0.9 -> gt 1; equal: itself, entry 2, the
   *                  negative 0.5 -> eq 3.
   *   entry 2: same, gt 1, eq 3.
   *   entry 1 (-inf): whatever the scan left (garbage 7, 7): ignored.
   * rv_auc_user removes the positives' own comparisons (self and the tie
   * with the other positive): gt [1, 1], eq [1, 1], compacted to the front.
   * Brute force: each positive vs negatives 0.9 (0), 0.5 (1/2), 0.1 (1) ->
   * 3/2; AUC = (3/2 + 3/2) / (2 * 3) = 1/2. */
  const float t[3] = {0.5f, -INFINITY, 0.5f};
  int64_t gt[3] = {1, 7, 1}, eq[3] = {3, 7, 3};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(3, t, gt, eq, 5), 0.5, EXACT);
  CU_ASSERT(gt[0] == 1 && gt[1] == 1 && eq[0] == 1 && eq[1] == 1);

  /* Positives at different scores: t = [0.8, 0.2], n_cand = 4, negatives
   * 0.9 and 0.1. Scan counts: entry 0: above 0.9 -> gt 1, eq 1 (self);
   * entry 1: above 0.9, 0.8 -> gt 2, eq 1 (self). After removal: entry 0:
   * gt 1, eq 0; entry 1: gt 1 (0.8 is a positive), eq 0.
   * Brute force: 0.8 beats 0.1 only (1 of 2); 0.2 beats 0.1 (1 of 2):
   * AUC = 2 / 4 = 1/2. */
  const float t2[2] = {0.8f, 0.2f};
  int64_t gt2[2] = {1, 2}, eq2[2] = {1, 1};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(2, t2, gt2, eq2, 4), 0.5, EXACT);
  CU_ASSERT(gt2[0] == 1 && gt2[1] == 1 && eq2[0] == 0 && eq2[1] == 0);

  /* No positive among the candidates (every test item seen): NaN. */
  const float t3[1] = {-INFINITY};
  int64_t gt3[1] = {0}, eq3[1] = {0};
  CU_ASSERT(isnan(rv_auc_user(1, t3, gt3, eq3, 4)));
  /* Every candidate is a positive (no negative): NaN. t = [1, 2], n_cand 2:
   * scan counts entry 0: gt 1 (2), eq 1; entry 1: gt 0, eq 1. */
  const float t4[2] = {1.0f, 2.0f};
  int64_t gt4[2] = {1, 0}, eq4[2] = {1, 1};
  CU_ASSERT(isnan(rv_auc_user(2, t4, gt4, eq4, 2)));
}

/* The scan row of the brute-force case. u = (1, 0), item i = (s_i, 7): the
 * dot product u.e_i = s_i exactly (small dyadic values), so the row is the
 * exact sgemm result. Items 1 and 10 are seen (masked to -inf in the row);
 * item 1 is also a test item (not a candidate), with raw dot 3.
 *
 *   item   0  1*   2  3  4  5  6  7  8  9    10*  11   12 13 14 15 | 16..19
 *   score  3  (3)  1  2  1  2  0  3  2  0.5  (5)  1.5  0  0  0  0  |  -1
 *   test      T    T  T     T
 *
 * 20 items; the last four score below every bracket. */
enum { AN = 20 };
static const float AUC_DOT[AN] = {3, 3, 1, 2, 1, 2, 0, 3, 2, 0.5f, 5, 1.5f, 0, 0, 0, 0, -1, -1, -1, -1};
static const int32_t AUC_TEST[4] = {1, 2, 3, 5};

static void test_auc_scan_bruteforce(void) {
  const float u[2] = {1, 0};
  float row[AN], e[AN][2];
  for (int i = 0; i < AN; i++) {
    e[i][0] = AUC_DOT[i];
    e[i][1] = 7;
    row[i] = AUC_DOT[i];
  }
  row[1] = row[10] = -INFINITY; /* seen */
  const int m = 4;
  float lo[4], hi[4], t[4];
  for (int j = 0; j < m; j++) {
    rv_auc_bracket(u, e[AUC_TEST[j]], 2, 0, 0.0f, 0.0f, &lo[j], &hi[j]);
    /* The bracket holds the exact dot and is narrow. */
    CU_ASSERT(lo[j] <= AUC_DOT[AUC_TEST[j]] && AUC_DOT[AUC_TEST[j]] <= hi[j]);
    CU_ASSERT((double)hi[j] - (double)lo[j] < 1e-5);
    t[j] = row[AUC_TEST[j]]; /* exact scores; -inf for the seen test item */
  }
  CU_ASSERT(isinf(t[0]) && t[0] < 0);

  int64_t gt[4] = {0, 0, 0, 0}, eq[4] = {0, 0, 0, 0};
  rv_amb_t amb = {0};
  CU_ASSERT_EQUAL_FATAL(rv_auc_scan_row(row, AN, 0, m, AUC_TEST, lo, hi, 0, gt, eq, &amb), 0);
  rv_auc_resolve(&amb, t, gt, eq);
  CU_ASSERT_EQUAL(amb.n, 0);
  /* Counts over every candidate (positives included), by hand:
   *  entry 0 (item 1, t = -inf, bracket around 3): candidates at 3 (items
   *    0, 7) are ambiguous and resolve as above -inf: gt 2, eq 0; nothing
   *    is certainly above 3.
   *  entry 1 (t = 1): above: 0, 3, 5, 7, 8, 11 -> 6; equal: 2 (self), 4 -> 2.
   *  entry 2 (t = 2): above: 0, 7 -> 2; equal: 3 (self), 5, 8 -> 3.
   *  entry 3 (t = 2): same as entry 2.  */
  CU_ASSERT(gt[0] == 2 && eq[0] == 0);
  CU_ASSERT(gt[1] == 6 && eq[1] == 2);
  CU_ASSERT(gt[2] == 2 && eq[2] == 3);
  CU_ASSERT(gt[3] == 2 && eq[3] == 3);

  /* Candidates: 20 - 2 seen = 18; positives among them 3 (items 2, 3, 5);
   * negatives 15: items 0 (3), 4 (1), 6 (0), 7 (3), 8 (2), 9 (0.5),
   * 11 (1.5), 12-15 (0), 16-19 (-1).
   * Brute force over (positive, negative) pairs:
   *  item 2 (1):  above 0, 7, 8, 11 (4); tie 4 (1); below 10 -> 10.5
   *  item 3 (2):  above 0, 7 (2); tie 8 (1); below 12        -> 12.5
   *  item 5 (2):  same                                        -> 12.5
   *  AUC = 35.5 / (3 * 15) = 71/90 = 0.78888...
   * After removing the positives' own comparisons the compacted counts are
   * gt [4, 2, 2], eq [1, 1, 1]. */
  const double auc = rv_auc_user(m, t, gt, eq, AN - 2);
  CU_ASSERT_DOUBLE_EQUAL(auc, 71.0 / 90.0, EXACT);
  CU_ASSERT(gt[0] == 4 && gt[1] == 2 && gt[2] == 2);
  CU_ASSERT(eq[0] == 1 && eq[1] == 1 && eq[2] == 1);

  /* Independent brute force over the row (no code under test). */
  const int is_test[AN] = {[1] = 1, [2] = 1, [3] = 1, [5] = 1};
  double correct = 0.0;
  int64_t npos = 0, nneg = 0;
  for (int a = 0; a < AN; a++) {
    if (!(row[a] > -INFINITY)) continue;
    if (is_test[a])
      npos++;
    else
      nneg++;
    if (!is_test[a]) continue;
    for (int b = 0; b < AN; b++) {
      if (!(row[b] > -INFINITY) || is_test[b]) continue;
      correct += row[a] > row[b] ? 1.0 : row[a] == row[b] ? 0.5 : 0.0;
    }
  }
  CU_ASSERT(npos == 3 && nneg == 15);
  CU_ASSERT_DOUBLE_EQUAL(auc, correct / (double)(npos * nneg), EXACT);
  free(amb.s);
  free(amb.j);
}

static void test_auc_scan_entry_offset(void) {
  /* The same row scanned for a user whose entries start at j0 = 2 of the
   * global arrays (gt/eq of other users at 0, 1 stay untouched), split into
   * two tiles (items 0..9 and 10..19) as the engine does, resolved once. */
  const float u[2] = {1, 0};
  float row[AN], e[AN][2];
  for (int i = 0; i < AN; i++) {
    e[i][0] = AUC_DOT[i];
    e[i][1] = 7;
    row[i] = AUC_DOT[i];
  }
  row[1] = row[10] = -INFINITY;
  float lo[6] = {0}, hi[6] = {0};
  float t[6] = {9, 9, 0, 0, 0, 0};
  for (int j = 0; j < 4; j++) {
    rv_auc_bracket(u, e[AUC_TEST[j]], 2, 0, 0.0f, 0.0f, &lo[2 + j], &hi[2 + j]);
    t[2 + j] = row[AUC_TEST[j]];
  }
  int64_t gt[6] = {11, 12, 0, 0, 0, 0}, eq[6] = {13, 14, 0, 0, 0, 0};
  rv_amb_t amb = {0};
  CU_ASSERT_EQUAL(rv_auc_scan_row(row, 10, 0, 4, AUC_TEST, lo + 2, hi + 2, 2, gt, eq, &amb), 0);
  CU_ASSERT_EQUAL(rv_auc_scan_row(row + 10, 10, 10, 4, AUC_TEST, lo + 2, hi + 2, 2, gt, eq, &amb), 0);
  rv_auc_resolve(&amb, t, gt, eq);
  CU_ASSERT(gt[0] == 11 && gt[1] == 12 && eq[0] == 13 && eq[1] == 14);
  /* Same counts as the one-row scan (see test_auc_scan_bruteforce). */
  CU_ASSERT(gt[3] == 6 && eq[3] == 2 && gt[4] == 2 && eq[4] == 3 && gt[5] == 2 && eq[5] == 3);
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(4, t + 2, gt + 2, eq + 2, AN - 2), 71.0 / 90.0, EXACT);
  free(amb.s);
  free(amb.j);
}

static void test_auc_bracket_euclidean(void) {
  /* u = (1, 2), e = (2, 0): 2 u.e - |u|^2 - |e|^2 = 4 - 5 - 4 = -5
   * = -|u - e|^2 = -((-1)^2 + 2^2). The bracket holds -5 and is narrow. */
  const float u[2] = {1, 2}, e[2] = {2, 0};
  float lo, hi;
  rv_auc_bracket(u, e, 2, 1, 5.0f, 4.0f, &lo, &hi);
  CU_ASSERT(lo <= -5.0f && -5.0f <= hi && (double)hi - (double)lo < 1e-4);
  /* u = e: the score is 0 (clamped at 0): hi is clamped to 0. */
  rv_auc_bracket(u, u, 2, 1, 5.0f, 5.0f, &lo, &hi);
  CU_ASSERT(lo <= 0.0f && hi == 0.0f);
}

/* ======================================================================== */
/* Suite: exposure (coverage, gini, entropy, personalization)               */

/* Per-item sum of 1/|L_u| for the exposure cases below, where every list
 * has the same length len = 2^(sum_log2_len / n_lists): c_i / len. */
static double g_listw[16];

static rv_final_view_t exposure_view(const rv_eval_ctx_t *ctx, const int64_t *c, int64_t n_lists,
                                     double sum_log2_len) {
  const double len = n_lists > 0 ? exp2(sum_log2_len / (double)n_lists) : 1.0;
  for (int64_t i = 0; i < ctx->n_items && i < 16; i++) g_listw[i] = (double)c[i] / len;
  rv_final_view_t f = {.ctx = ctx, .exposure = c, .n_lists = n_lists, .sum_log2_len = sum_log2_len,
                       .list_weight = g_listw, .hist = NULL, .bins = 0};
  return f;
}

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
/* Suite: beyond (diversity, popularity, surprise, calibration)             */

/* Items of the beyond-accuracy cases, unit vectors in 2 dimensions:
 *   e0 = (1, 0)    e1 = (0, 1)    e2 = (1, 0)    e3 = (0.6, 0.8)
 *   e4 = (0, 0) (a zero embedding stays zero)    e5 = (r, r), r = sqrt(1/2)
 * Train popularity pop = (0, 5, 10, 1, 2, 3), n_users = 10.
 * Categories (G = 3): e0 {0}, e1 {1}, e2 {0, 1}, e3 {2}, e4 {}, e5 {2}. */
enum { BN = 6, BD = 2, BG = 3 };
#define R_HALF 0.70710678118654752f
static const float B_UNIT[BN * BD] = {1, 0, 0, 1, 1, 0, 0.6f, 0.8f, 0, 0, R_HALF, R_HALF};
static const int64_t B_POP[BN] = {0, 5, 10, 1, 2, 3};
static const int64_t B_CAT_PTR[BN + 1] = {0, 1, 2, 4, 5, 5, 6};
static const int32_t B_CAT_IDX[6] = {0, 1, 0, 1, 2, 2};

static rv_eval_ctx_t beyond_ctx(const uint8_t *long_tail) {
  rv_eval_ctx_t c = {.n_users = 10,
                     .n_items = BN,
                     .dim = BD,
                     .item_unit = B_UNIT,
                     .pop = B_POP,
                     .train_total = 21,
                     .long_tail = long_tail,
                     .cat_ptr = B_CAT_PTR,
                     .cat_idx = B_CAT_IDX,
                     .n_categories = BG,
                     .trec = 0};
  return c;
}

/* scratch: >= max(dim, G) + 2G doubles, zeroed; iscratch >= 2G ints. */
enum { NSCR = 3 + 2 * BG + 4 };
static double g_scr[NSCR];
static int32_t g_iscr[2 * BG + 4];

static rv_user_view_t list_view(const rv_eval_ctx_t *ctx, const int32_t *items, int len, int kmax,
                                const double *gain) {
  memset(g_scr, 0, sizeof g_scr);
  rv_user_view_t v = {.ctx = ctx,
                      .user = 0,
                      .kmax = kmax,
                      .len = len,
                      .items = items,
                      .scores = DUMMY_SCORES,
                      .gain = gain,
                      .n_test = 0,
                      .test = NULL,
                      .test_rel = NULL,
                      .ideal = NULL,
                      .n_ideal = 0,
                      .n_train = 0,
                      .train = NULL,
                      .profile = NULL,
                      .auc = NAN,
                      .scratch = g_scr,
                      .iscratch = g_iscr};
  return v;
}

static void test_ild(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* [e0, e1, e2] = (1,0), (0,1), (1,0): pairs cos(0,1) = 0, cos(0,2) = 1,
   * cos(1,2) = 0; mean 1/3 -> ild = 1 - 1/3 = 2/3. */
  const int32_t l012[3] = {0, 1, 2};
  rv_user_view_t v = list_view(&ctx, l012, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 2.0 / 3.0, EXACT);
  CU_ASSERT(all_zero(g_scr, NSCR)); /* scratch handed back zeroed */
  /* k = 2 < len: [e0, e1] only: cos 0 -> 1. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0, EXACT);
  /* k = 5 > len = 3: the 3 items -> 2/3. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 5), 2.0 / 3.0, EXACT);
  /* Lists shorter than 2 have no pair: NaN (k = 1, or a one-item list,
   * or an empty list). */
  CU_ASSERT(isnan(user_metric("ild", &v, 1)));
  v.len = 1;
  CU_ASSERT(isnan(user_metric("ild", &v, 3)));
  v.len = 0;
  CU_ASSERT(isnan(user_metric("ild", &v, 3)));
  /* A zero embedding: cos with it is 0. [e0, e4, e2]: pairs 0, 1, 0 ->
   * mean 1/3 -> 2/3 (with |e4|^2 = 0 taken out, not 1). [e0, e4, e1]:
   * all 0 -> 1. */
  const int32_t l042[3] = {0, 4, 2}, l041[3] = {0, 4, 1};
  v = list_view(&ctx, l042, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 2.0 / 3.0, EXACT);
  v = list_view(&ctx, l041, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 1.0, EXACT);
  /* 45 degrees: [e0, e5]: cos = r -> 1 - 1/sqrt2 = 0.29289. [e3, e5]:
   * cos = 0.6 r + 0.8 r = 1.4 r = 0.98995 -> 0.01005. */
  const int32_t l05[2] = {0, 5}, l35[2] = {3, 5};
  v = list_view(&ctx, l05, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0 - sqrt(0.5), F32);
  v = list_view(&ctx, l35, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0 - 1.4 * sqrt(0.5), F32);
  /* Duplicate-direction list [e0, e2] (same vector): cos 1 -> 0. */
  const int32_t l02[2] = {0, 2};
  v = list_view(&ctx, l02, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 0.0, EXACT);
  CU_ASSERT(all_zero(g_scr, NSCR));
}

static void test_novelty_arp_aplt(void) {
  /* Long tail set by hand: pop = (0, 5, 10, 1, 2, 3), total 21; 80% = 16.8.
   * Most popular first: item 2 (10) -> 10, item 1 (5) -> 15, item 5 (3) ->
   * 18 >= 16.8: short head {2, 1, 5}, long tail {0, 3, 4}. */
  const uint8_t lt[BN] = {1, 0, 0, 1, 1, 0};
  const rv_eval_ctx_t ctx = beyond_ctx(lt);
  /* List [0, 1, 2], pop (0, 5, 10), n_users 10. Item 0 was seen by nobody:
   * max(0, 1) = 1.
   *  novelty: terms -log2(1/10) = log2 10, -log2(5/10) = 1, -log2(10/10) = 0:
   *    k=3: (log2 10 + 1) / 3 = 1.44064; k=1: log2 10; k=2: (log2 10 + 1)/2.
   *  arp:  k=3: 15/3 = 5; k=1: 0; k=2: 5/2.
   *  aplt: long tail (1, 0, 0): k=3: 1/3; k=1: 1; k=2: 1/2. */
  const int32_t l[3] = {0, 1, 2};
  rv_user_view_t v = list_view(&ctx, l, 3, 3, NULL);
  const double L10 = log2(10.0);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), (L10 + 1.0) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), 1.4406426982957872, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 1), L10, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 2), (L10 + 1.0) / 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 5.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 2), 2.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 1), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 2), 0.5, EXACT);
  /* Short list: k = 10 > len = 3 divides by |L_u| = 3, not k. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 10), (L10 + 1.0) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 10), 5.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 10), 1.0 / 3.0, EXACT);
  /* pop 1 and pop 0 give the same self-information (max(pop, 1)):
   * [3] (pop 1) and [0] (pop 0) -> log2 10 both; arp 1 vs 0. */
  const int32_t l3[1] = {3}, l0[1] = {0};
  v = list_view(&ctx, l3, 1, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), L10, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 1.0, EXACT);
  v = list_view(&ctx, l0, 1, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), L10, EXACT);
  /* [3, 4, 5]: pop (1, 2, 3): novelty (log2 10 + log2 5 + log2(10/3)) / 3;
   * arp 2; aplt (1 + 1 + 0) / 3 = 2/3. */
  const int32_t l345[3] = {3, 4, 5};
  v = list_view(&ctx, l345, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3),
                         (L10 + log2(5.0) + log2(10.0 / 3.0)) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 2.0 / 3.0, EXACT);
  /* Empty list (whole catalogue seen): NaN, not 0/0 noise or 0. */
  v.len = 0;
  CU_ASSERT(isnan(user_metric("novelty", &v, 3)));
  CU_ASSERT(isnan(user_metric("arp", &v, 3)));
  CU_ASSERT(isnan(user_metric("aplt", &v, 3)));
}

static void test_unexpectedness_serendipity(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* Profile h = (1, 0). List [e0, e1, e3, e4]:
   *  1 - cos: e0 (1,0): 0; e1 (0,1): 1; e3 (0.6,0.8): 0.4; e4 zero: 1 - 0 = 1.
   *  unexpectedness k=4: (0 + 1 + 0.4 + 1) / 4 = 0.6; k=3: 1.4/3;
   *  k=1: 0; k=9 > len: 2.4 / 4 = 0.6.
   * Serendipity with gains [2, 0, 1, 0] (graded; the indicator [i in R_u]
   * is used, not the grade): terms e0 (relevant) 0, e3 (relevant) 0.4;
   * divided by |L_u|: k=4: 0.4/4 = 0.1; k=3: 0.4/3; k=1: 0; k=2: 0. */
  const float h[2] = {1, 0};
  const int32_t l[4] = {0, 1, 3, 4};
  const double gain[4] = {2, 0, 1, 0};
  rv_user_view_t v = list_view(&ctx, l, 4, 4, gain);
  v.profile = h;
  v.n_train = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 4), 0.6, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 3), 1.4 / 3.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 9), 0.6, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 4), 0.1, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 3), 0.4 / 3.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 1), 0.0, EXACT);
  /* Profile h = (0.6, 0.8): [e0, e1]: cos 0.6 -> 0.4, cos 0.8 -> 0.2:
   * mean 0.3. With gains [0, 1]: serendipity 0.2 / 2 = 0.1. */
  const float h2[2] = {0.6f, 0.8f};
  const int32_t l01[2] = {0, 1};
  const double g01[2] = {0, 1};
  v = list_view(&ctx, l01, 2, 2, g01);
  v.profile = h2;
  v.n_train = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 2), 0.3, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 2), 0.1, F32);
  /* No profile (no train items): NaN. Empty list: NaN. */
  v.profile = NULL;
  CU_ASSERT(isnan(user_metric("unexpectedness", &v, 2)));
  CU_ASSERT(isnan(user_metric("serendipity", &v, 2)));
  v.profile = h2;
  v.len = 0;
  CU_ASSERT(isnan(user_metric("unexpectedness", &v, 2)));
  CU_ASSERT(isnan(user_metric("serendipity", &v, 2)));
}

/* Steck's KL in bits with a = 0.01, over p's support (the test's own copy of
 * the formula, evaluated on hand-derived distributions). */
static double kl_steck(const double *p, const double *q, int G) {
  double s = 0.0;
  for (int g = 0; g < G; g++)
    if (p[g] > 0.0) s += p[g] * log2(p[g] / (0.99 * q[g] + 0.01 * p[g]));
  return s;
}

static void test_calibration(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* Train H_u = {0, 2, 3}: e0 {0} -> cat0 += 1; e2 {0, 1} -> 1/2 each;
   * e3 {2} -> cat2 += 1. Total weight 3: p = (1.5, 0.5, 1) / 3
   * = (1/2, 1/6, 1/3).
   * List [1, 2, 4] (k = 3): e1 {1} -> cat1 += 1; e2 -> 1/2 each; e4 has no
   * category (no weight, not counted): total 2: q = (1/4, 3/4, 0).
   * q has no mass on cat2, which p has: the mixture 0.99 q + 0.01 p keeps
   * the KL finite:
   *  KL = 1/2 log2((1/2) / (0.99/4 + 0.01/2))
   *     + 1/6 log2((1/6) / (0.99*3/4 + 0.01/6))
   *     + 1/3 log2((1/3) / (0.01/3))             [= 1/3 log2 100]
   *     = 0.492822 - 0.359777 + 2.214619 = 2.347664 bits. */
  const int32_t train[3] = {0, 2, 3};
  const int32_t l[3] = {1, 2, 4};
  rv_user_view_t v = list_view(&ctx, l, 3, 3, NULL);
  v.train = train;
  v.n_train = 3;
  const double p[3] = {0.5, 1.0 / 6.0, 1.0 / 3.0};
  const double q3[3] = {0.25, 0.75, 0.0};
  const double want3 = 0.5 * log2(0.5 / (0.99 * 0.25 + 0.005)) +
                       (1.0 / 6.0) * log2((1.0 / 6.0) / (0.99 * 0.75 + 0.01 / 6.0)) +
                       (1.0 / 3.0) * log2(100.0);
  CU_ASSERT_DOUBLE_EQUAL(kl_steck(p, q3, 3), want3, EXACT); /* the two forms agree */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), want3, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 2.3476643875452896, 1e-13);
  CU_ASSERT(all_zero(g_scr, NSCR)); /* scratch handed back zeroed */
  /* k = 2: [1, 2]: the same q (e4 contributed nothing). */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 2), want3, EXACT);
  /* k = 1: [1]: q = (0, 1, 0):
   *  KL = 1/2 log2(0.5/0.005) + 1/6 log2((1/6)/(0.99 + 0.01/6)) + 1/3 log2 100
   *     = 5/6 log2 100 + 1/6 log2((1/6)/(0.99 + 1/600)) = 5.10773. */
  const double want1 = (5.0 / 6.0) * log2(100.0) + (1.0 / 6.0) * log2((1.0 / 6.0) / (0.99 + 0.01 / 6.0));
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), want1, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), 5.107731880075507, 1e-13);
  /* Perfectly calibrated: list [0, 2, 3] = the train items: q = p ->
   * every term p log2(p / p) = 0. Also [5, 2, 0] (e5 {2} replaces e3 {2}). */
  const int32_t same[3] = {0, 2, 3}, same2[3] = {5, 2, 0};
  v.items = same;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 0.0, EXACT);
  v.items = same2;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 0.0, EXACT);
  /* No list item has a category ([4]): q = 0 -> KL = sum p log2(1/0.01)
   * = log2 100 = 6.64386. */
  const int32_t l4[1] = {4};
  v.items = l4;
  v.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), log2(100.0), EXACT);
  /* Train items without category (H_u = {4}): p undefined -> NaN. */
  const int32_t t4[1] = {4};
  v.items = l;
  v.len = 3;
  v.train = t4;
  v.n_train = 1;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  /* Empty list: NaN. */
  v.train = train;
  v.n_train = 3;
  v.len = 0;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  /* Dataset without categories: NaN. */
  rv_eval_ctx_t nocat = beyond_ctx(NULL);
  nocat.cat_ptr = NULL;
  nocat.cat_idx = NULL;
  nocat.n_categories = 0;
  v.ctx = &nocat;
  v.len = 3;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  CU_ASSERT(all_zero(g_scr, NSCR));
  /* Two users in a row share the scratch: a second call after the first
   * sees zeroed buffers and gives its own value. User 2: train {1}
   * (p = (0, 1, 0)), list [1] -> 0; then user 1 again -> want3. */
  v.ctx = &ctx;
  const int32_t t1[1] = {1}, l1[1] = {1};
  v.train = t1;
  v.n_train = 1;
  v.items = l1;
  v.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), 0.0, EXACT);
  v.train = train;
  v.n_train = 3;
  v.items = l;
  v.len = 3;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), want3, EXACT);
}

static void test_empty_list_user(void) {
  /* A user who has seen the whole catalogue gets an empty list (len 0).
   * The engine skips RV_NEEDS_LIST metrics for them, but every list metric
   * must itself answer NaN (never divide by 0 into a number), and such a
   * user contributes no exposure: n_lists excludes them. */
  const uint8_t lt[BN] = {1, 0, 0, 1, 1, 0};
  const rv_eval_ctx_t ctx = beyond_ctx(lt);
  const float h[2] = {1, 0};
  const int32_t train[2] = {0, 1};
  rv_user_view_t v = list_view(&ctx, DUMMY_ITEMS, 0, 3, NULL);
  v.profile = h;
  v.train = train;
  v.n_train = 2;
  const char *names[] = {"ild", "novelty", "arp", "aplt", "unexpectedness", "serendipity",
                         "calibration"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    for (int k = 1; k <= 3; k++) CU_ASSERT(isnan(user_metric(names[i], &v, k)));
  CU_ASSERT(all_zero(g_scr, NSCR));
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


/* ---- score histogram (kernels/scorehist.h) and the fused row scan ------ */

static void test_hist_grid(void) {
  double w, o;
  /* Cosine, 64 bins: (1 - -1) / 64 = 1/32 is a power of two; o = -1. */
  rv_hist_grid(-1.0, 1.0, 64, &w, &o);
  CU_ASSERT(w == 1.0 / 32 && o == -1.0);
  /* 100 bins over [-1, 1]: 2/100 = 0.02 -> next power of two 1/32 (0.03125);
   * floor(-1 / (1/32)) = -32 -> o = -1; -1 + 100/32 = 2.125 >= 1. */
  rv_hist_grid(-1.0, 1.0, 100, &w, &o);
  CU_ASSERT(w == 1.0 / 32 && o == -1.0);
  /* Dot, M = 3: [-3, 3], 64 bins: 6/64 = 0.09375 -> 1/8; o = floor(-24) / 8 = -3;
   * -3 + 8 = 5 >= 3. */
  rv_hist_grid(-3.0, 3.0, 64, &w, &o);
  CU_ASSERT(w == 0.125 && o == -3.0);
  /* Euclidean [-10, 0], 4 bins: 2.5 -> 4; o = floor(-2.5) * 4 = -12; -12 + 16 = 4 >= 0. */
  rv_hist_grid(-10.0, 0.0, 4, &w, &o);
  CU_ASSERT(w == 4.0 && o == -12.0);
  /* [-0.3, 0.9], 2 bins: 0.6 -> 1; o = floor(-0.3) = -1; -1 + 2 = 1 >= 0.9. */
  rv_hist_grid(-0.3, 0.9, 2, &w, &o);
  CU_ASSERT(w == 1.0 && o == -1.0);
  /* [-0.1, 1.95], 2 bins: 1.025 -> 2; o = floor(-0.05) * 2 = -2; -2 + 4 = 2 >= 1.95. */
  rv_hist_grid(-0.1, 1.95, 2, &w, &o);
  CU_ASSERT(w == 2.0 && o == -2.0);
  /* [-1.5, 0.5], 2 bins: 1 is a power of two; o = floor(-1.5) = -2; -2 + 2 = 0 < 0.5:
   * twice as wide: w = 2, o = floor(-0.75) * 2 = -2, -2 + 4 = 2 >= 0.5. */
  rv_hist_grid(-1.5, 0.5, 2, &w, &o);
  CU_ASSERT(w == 2.0 && o == -2.0);
}

/* The documented bin, derived independently in double: s / w and floor are
 * exact in double for every float s (w a power of two, no underflow in
 * double's range), and so is the difference of two small integers. */
static int ref_bin(float s, double w, double o, int bins) {
  if (isnan(s)) return 0;
  const double x = floor((double)s / w) - o / w;
  return x < 0 ? 0 : x > bins - 1 ? bins - 1 : (int)x;
}

static void test_hist_bins_exact(void) {
  rv_hist_t h;
  const double ws[3] = {1.0 / 32, 0.125, 4.0}, os[3] = {-1.0, -3.0, -12.0};
  const int bs[3] = {64, 64, 4};
  for (int g = 0; g < 3; g++) {
    CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h, bs[g], ws[g], os[g], 64), 0);
    /* Hand values on the cosine grid: bin = floor(32 s) + 32. */
    if (g == 0) {
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0.0f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0.0f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0x1p-149f), 31); /* the smallest negative float */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0x1p-149f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 1.0f / 32), 33);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(1.0f / 32, 0.0f)), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 1.0f), 63); /* the top edge belongs to the last bin */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -1.0f), 0);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -INFINITY), 0);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, INFINITY), 63);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, NAN), 0);
    }
    /* w = 4 (scale 1/4 < 1): a tiny negative score scaled to -0 still lies below 0. */
    if (g == 2) {
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0x1p-149f), 2); /* floor(-tiny / 4) = -1, + 3 */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0x1p-149f), 3);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -4.0f), 2);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(-4.0f, 0.0f)), 2);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(-4.0f, -10.0f)), 1);
    }
    /* Scores on and next to every edge, tiny and huge ones. */
    int bad = 0;
    for (int b = -2; b <= bs[g] + 2; b++) {
      const float e = (float)(os[g] + b * ws[g]);
      const float c[5] = {e, nextafterf(e, -INFINITY), nextafterf(e, INFINITY), e * 1e-30f, -e * 1e-30f};
      for (int t = 0; t < 5; t++) bad += rv_hist_bin(&h, c[t]) != ref_bin(c[t], ws[g], os[g], bs[g]);
    }
    CU_ASSERT_EQUAL(bad, 0);
    rv_hist_free(&h);
  }
}

static uint64_t lcg_state = 88172645463325252ull;
static double lcg01(void) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(lcg_state >> 11) * 0x1.0p-53;
}

/* A row of n scores: mostly a narrow band (like cosines of language-model
 * embeddings), with bin edges, ties, -inf (seen) and a NaN mixed in. */
static void random_row(float *s, int n, double w) {
  for (int q = 0; q < n; q++) {
    const double u = lcg01();
    if (u < 0.02)
      s[q] = -INFINITY;
    else if (u < 0.03)
      s[q] = (float)(floor(lcg01() * 64) * w - 1.0); /* an edge */
    else if (u < 0.035)
      s[q] = 0.5f; /* ties */
    else
      s[q] = (float)(0.2 + 0.15 * (lcg01() + lcg01() + lcg01() - 1.5));
  }
  if (n > 7) s[7] = NAN;
}

static void test_hist_row_counts(void) {
  /* Many rows through the pair table (and through its fold, forced by a
   * small pending budget), compared with bin-by-bin counting. */
  for (int bins = 8; bins <= 128; bins *= 4) { /* 8, 32: pair table; 128: lanes */
    double w, o;
    rv_hist_grid(-1.0, 1.0, bins, &w, &o);
    rv_hist_t h;
    CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h, bins, w, o, 300), 0);
    int64_t want[128] = {0}, got[256] = {0};
    float s[300];
    for (int r = 0; r < 200; r++) {
      const int n = 1 + (int)(lcg01() * 299);
      random_row(s, n, w);
      for (int q = 0; q < n; q++) want[ref_bin(s[q], w, o, bins)]++;
      if (r % 50 == 49) h.pending = INT64_C(1) << 40; /* forces the fold before the next row */
      rv_hist_row(&h, s, n);
    }
    rv_hist_collect(&h, got);
    int bad = 0;
    for (int b = 0; b < bins; b++) bad += got[2 * b] != want[b] || got[2 * b + 1] != 0;
    CU_ASSERT_EQUAL(bad, 0);
    rv_hist_free(&h);
  }
}

static void test_scan_row_fused(void) {
  /* The fused pass equals rv_hist_row + rv_auc_scan_row, count for count,
   * for 0..7 test entries (register groups and their remainders), row
   * lengths with and without a tail, test items in and out of the row, and
   * brackets that other scores fall inside. */
  double w, o;
  rv_hist_grid(-1.0, 1.0, 64, &w, &o);
  rv_hist_t h1, h2;
  CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h1, 64, w, o, 2048), 0);
  CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h2, 64, w, o, 2048), 0);
  static float s[2048];
  int bad = 0;
  for (int r = 0; r < 120; r++) {
    const int n = r % 3 == 0 ? 2048 : 1 + (int)(lcg01() * 2047);
    random_row(s, n, w);
    const int m = r % 8;
    const int32_t t0 = 4096;
    int32_t items[8];
    float lo[8], hi[8];
    for (int t = 0; t < m; t++) {
      const int p = (int)(lcg01() * n);
      items[t] = t % 3 == 2 ? 17 : t0 + p; /* some test items lie in another tile */
      const float c = t % 2 ? s[p] : 0.5f;   /* around a row score, or around the ties */
      lo[t] = nextafterf(c, -INFINITY), hi[t] = nextafterf(c, INFINITY);
      if (!(c > -INFINITY)) lo[t] = hi[t] = 0.25f; /* a seen item: any finite bracket */
    }
    int64_t gt1[8] = {0}, eq1[8] = {0}, gt2[8] = {0}, eq2[8] = {0};
    rv_amb_t a1 = {0}, a2 = {0};
    rv_hist_row(&h1, s, n);
    CU_ASSERT_EQUAL_FATAL(rv_auc_scan_row(s, n, t0, m, items, lo, hi, 0, gt1, eq1, &a1), 0);
    CU_ASSERT_EQUAL_FATAL(rv_scan_row(&h2, s, n, t0, m, items, lo, hi, 0, gt2, eq2, &a2), 0);
    /* The ambiguous scores: same multiset per entry (same order, too). */
    bad += a1.n != a2.n;
    for (int64_t a = 0; a < a1.n && a < a2.n; a++) bad += a1.j[a] != a2.j[a] || a1.s[a] != a2.s[a];
    for (int t = 0; t < m; t++) {
      bad += gt1[t] != gt2[t] || eq1[t] != eq2[t];
      /* Independently: above + own tie + ambiguous = every score >= lo. */
      int64_t reach = 0, amb = 0;
      for (int q = 0; q < n; q++) reach += s[q] >= lo[t];
      for (int64_t a = 0; a < a1.n; a++) amb += a1.j[a] == t;
      bad += gt1[t] + eq1[t] + amb != reach;
    }
    free(a1.s), free(a1.j), free(a2.s), free(a2.j);
  }
  int64_t c1[128] = {0}, c2[128] = {0};
  rv_hist_collect(&h1, c1);
  rv_hist_collect(&h2, c2);
  for (int b = 0; b < 128; b++) bad += c1[b] != c2[b];
  CU_ASSERT_EQUAL(bad, 0);
  /* AUC only (no histogram), one entry: 3 scores above 0.5's bracket. */
  const float row[6] = {0.9f, 0.5f, 0.1f, 0.7f, 0.6f, -INFINITY};
  const int32_t it[1] = {1};
  const float l1[1] = {nextafterf(0.5f, 0.0f)}, u1[1] = {nextafterf(0.5f, 1.0f)};
  int64_t g[1] = {0}, e[1] = {0};
  rv_amb_t a = {0};
  CU_ASSERT_EQUAL(rv_scan_row(NULL, row, 6, 0, 1, it, l1, u1, 0, g, e, &a), 0);
  CU_ASSERT(g[0] == 3 && e[0] == 1 && a.n == 0); /* 0.9, 0.7, 0.6 above; itself tied */
  free(a.s), free(a.j);
  rv_hist_free(&h1);
  rv_hist_free(&h2);
}

/* ======================================================================== */

typedef struct {
  const char *name;
  CU_TestFunc fn;
} test_entry_t;

static int add_suite(const char *name, const test_entry_t *tests, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (!s) return -1;
  for (size_t i = 0; i < n; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return -1;
  return 0;
}

#define ADD_SUITE(name, arr) add_suite(name, arr, sizeof(arr) / sizeof(arr[0]))

int main(void) {
  static const test_entry_t descriptors[] = {{"shapes_and_needs", test_descriptor_shapes}};
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
  static const test_entry_t auc[] = {
      {"from_counts", test_auc_from_counts},
      {"user_ties_noncandidate", test_auc_user_ties_noncandidate},
      {"scan_bruteforce", test_auc_scan_bruteforce},
      {"scan_entry_offset_tiles", test_auc_scan_entry_offset},
      {"bracket_euclidean", test_auc_bracket_euclidean},
  };
  static const test_entry_t hist[] = {
      {"grid", test_hist_grid},
      {"bins_exact", test_hist_bins_exact},
      {"row_counts", test_hist_row_counts},
      {"scan_row_fused", test_scan_row_fused},
  };
  static const test_entry_t exposure[] = {
      {"counts_0013", test_exposure_0013},
      {"edges", test_exposure_edges},
      {"personalization", test_personalization},
  };
  static const test_entry_t information[] = {
      {"mi_user_item", test_mi_user_item},
      {"mi_score_relevance", test_mi_score_relevance},
  };
  static const test_entry_t beyond[] = {
      {"ild", test_ild},
      {"novelty_arp_aplt", test_novelty_arp_aplt},
      {"unexpectedness_serendipity", test_unexpectedness_serendipity},
      {"calibration", test_calibration},
      {"empty_list_user", test_empty_list_user},
  };
  static const test_entry_t bugs[] = {
      {"mi_user_item_unequal_lengths", test_bug_mi_user_item_unequal_lengths},
  };

  if (CU_initialize_registry() != CUE_SUCCESS) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    return 1;
  }
  if (ADD_SUITE("descriptors", descriptors) || ADD_SUITE("accuracy", accuracy) ||
      ADD_SUITE("auc", auc) || ADD_SUITE("histogram", hist) || ADD_SUITE("exposure", exposure) ||
      ADD_SUITE("information", information) || ADD_SUITE("beyond", beyond) ||
      ADD_SUITE("regressions", bugs)) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 1;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failures = CU_get_number_of_failures();
  const CU_ErrorCode err = CU_get_error();
  CU_cleanup_registry();
  if (err != CUE_SUCCESS) {
    fprintf(stderr, "CUnit error: %d\n", (int)err);
    return 1;
  }
  return failures != 0;
}
