/* Per-user accuracy arithmetic on one ranked list (docs/metrics.md).
 * The list is described by gain[r] = relevance of the item at rank r+1
 * (0 when not relevant); relevances are > 0 (the validator enforces it). */
#ifndef RV_KERNELS_ACCURACY_H
#define RV_KERNELS_ACCURACY_H
#include <stdint.h>

/* gain[r] = rel of list[r] in the sorted test row (test[0..m)), or 0; rel
 * may be NULL (every test item has relevance 1). O(len log m). */
void rv_list_gains(const int32_t *list, int len, const int32_t *test, const float *rel, int64_t m,
                   double *gain);

/* ideal[0..n) = the n = min(m, kmax) largest relevances, descending.
 * Returns n. rel NULL means all ones. */
int rv_ideal_gains(const float *rel, int64_t m, int kmax, double *ideal);

/* Number of relevant items among the first min(k, len) ranks. */
int rv_hits_at(const double *gain, int len, int k);
/* sum_{r=1..min(k,len)} gain[r-1] / log2(r+1) */
double rv_dcg_at(const double *gain, int len, int k);

double rv_precision_at(const double *gain, int len, int k);
double rv_recall_at(const double *gain, int len, int k, int64_t m);
double rv_ndcg_at(const double *gain, int len, const double *ideal, int n_ideal, int k);
double rv_hit_at(const double *gain, int len, int k);
/* Average precision at k: (1 / denom) * sum over hit ranks r <= k of hits_r / r,
 * denom = min(k, m) (default) or m (trec_eval map_cut). */
double rv_ap_at(const double *gain, int len, int k, int64_t denom);
/* 1 / rank of the first hit within the first min(k, len) ranks, else 0. */
double rv_rr_at(const double *gain, int len, int k);
/* AUC of one user from exact counts: m_pos positives, n_neg negatives,
 * greater/equal: negatives scoring above / equal to each positive.
 * sum_j (n_neg - greater_j - equal_j / 2) / (m_pos * n_neg); NaN when
 * m_pos or n_neg is 0. */
double rv_auc_from_counts(int64_t m_pos, int64_t n_neg, const int64_t *greater,
                          const int64_t *equal);

#endif
