/* Accuracy family: precision, recall, F1, NDCG, MAP, MRR, hit rate, AUC
 * (docs/metrics.md). Each is user-decomposable; users without test items
 * are skipped. Under --convention trec, map divides by |R_u| (map_cut) and
 * mrr is taken over the whole retrieved list (recip_rank has no cut-off). */
#include "metrics/registry.h"

#include <math.h>

#include "kernels/accuracy.h"

static double precision_user(const rv_user_view_t *v, int k) {
  return rv_precision_at(v->gain, v->len, k);
}
static double recall_user(const rv_user_view_t *v, int k) {
  return rv_recall_at(v->gain, v->len, k, v->n_test);
}
static double f1_user(const rv_user_view_t *v, int k) {
  const double p = rv_precision_at(v->gain, v->len, k), r = rv_recall_at(v->gain, v->len, k, v->n_test);
  return p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
}
static double ndcg_user(const rv_user_view_t *v, int k) {
  return rv_ndcg_at(v->gain, v->len, v->ideal, v->n_ideal, k);
}
static double map_user(const rv_user_view_t *v, int k) {
  const int64_t denom = v->ctx->trec ? v->n_test : (v->n_test < k ? v->n_test : k);
  return rv_ap_at(v->gain, v->len, k, denom);
}
static double mrr_user(const rv_user_view_t *v, int k) {
  return rv_rr_at(v->gain, v->len, v->ctx->trec ? v->len : k);
}
static double hit_user(const rv_user_view_t *v, int k) { return rv_hit_at(v->gain, v->len, k); }
static double auc_user(const rv_user_view_t *v, int k) {
  (void)k;
  return v->auc;
}

const rv_metric_t rv_metric_precision = {
    .name = "precision",
    .help = "precision@k = hits_k / k: the share of the k recommended slots that hold a test item.\n"
            "A list shorter than k (too few candidates) counts its missing slots as misses.\n"
            "Mean over users with at least one test item (trec_eval P_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = precision_user};

const rv_metric_t rv_metric_recall = {
    .name = "recall",
    .help = "recall@k = hits_k / |R_u|: the share of the user's test items found in the top k.\n"
            "Mean over users with at least one test item (trec_eval recall_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = recall_user};

const rv_metric_t rv_metric_f1 = {
    .name = "f1",
    .help = "f1@k = 2 P R / (P + R) of precision@k and recall@k of the same user, 0 when both\n"
            "are 0. Mean over users with at least one test item.",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = f1_user};

const rv_metric_t rv_metric_ndcg = {
    .name = "ndcg",
    .help = "ndcg@k = DCG@k / IDCG@k with DCG@k = sum_{r<=k} rel(L_u[r]) / log2(r+1) (linear gain,\n"
            "graded relevance from /test/values, 1 without it); IDCG from the min(k, |R_u|)\n"
            "largest relevances. Mean over users with at least one test item (trec_eval ndcg_cut_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = ndcg_user};

const rv_metric_t rv_metric_map = {
    .name = "map",
    .help = "map@k = (1 / min(k, |R_u|)) * sum over hit ranks r <= k of precision@r (average\n"
            "precision at k). --convention trec divides by |R_u| instead (trec_eval map_cut_k).\n"
            "Mean over users with at least one test item.",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = map_user};

const rv_metric_t rv_metric_mrr = {
    .name = "mrr",
    .help = "mrr@k = 1 / r of the first hit at rank r <= k, else 0. --convention trec uses the\n"
            "whole list of max(k) items for every cutoff (trec_eval recip_rank has no cut-off).\n"
            "Mean over users with at least one test item.",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = mrr_user};

const rv_metric_t rv_metric_hit = {
    .name = "hit",
    .help = "hit@k = 1 if at least one test item is in the top k, else 0 (hit rate).\n"
            "Mean over users with at least one test item (trec_eval success_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = hit_user};

const rv_metric_t rv_metric_auc = {
    .name = "auc",
    .help = "auc = over every candidate item of the user (all items not seen in training): the\n"
            "fraction of (test item, non-test item) pairs where the test item scores higher,\n"
            "ties counting 1/2. Exact: the test items' ranks among all candidates are counted\n"
            "during the scoring pass. Mean over users with at least one test item among the\n"
            "candidates and at least one other candidate.",
    .needs = RV_NEEDS_TEST | RV_NEEDS_AUC,
    .at_k = 0,
    .compute_user = auc_user};
