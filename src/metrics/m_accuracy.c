/* Accuracy family: precision, recall, NDCG, hit rate (docs/metrics.md). */
#include "metrics/m_accuracy.h"

#include "kernels/accuracy.h"

static double precision_user(const rv_user_view_t *v, int k) {
  return rv_precision_at(v->gain, v->len, k);
}
static double recall_user(const rv_user_view_t *v, int k) {
  return rv_recall_at(v->gain, v->len, k, v->n_test);
}
static double ndcg_user(const rv_user_view_t *v, int k) {
  return rv_ndcg_at(v->gain, v->len, v->ideal, v->n_ideal, k);
}
static double hit_user(const rv_user_view_t *v, int k) { return rv_hit_at(v->gain, v->len, k); }

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

const rv_metric_t rv_metric_ndcg = {
    .name = "ndcg",
    .help = "ndcg@k = DCG@k / IDCG@k with DCG@k = sum_{r<=k} rel(L_u[r]) / log2(r+1) (linear gain,\n"
            "graded relevance from /test/values, 1 without it); IDCG from the min(k, |R_u|)\n"
            "largest relevances. Mean over users with at least one test item (trec_eval ndcg_cut_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = ndcg_user};

const rv_metric_t rv_metric_hit = {
    .name = "hit",
    .help = "hit@k = 1 if at least one test item is in the top k, else 0 (hit rate).\n"
            "Mean over users with at least one test item (trec_eval success_k).",
    .needs = RV_NEEDS_TEST,
    .at_k = 1,
    .compute_user = hit_user};
