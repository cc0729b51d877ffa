/* Information-theoretic measures (bits): I(U;R) between users and the items
 * they are shown, and I(S;Y) between the similarity score and relevance
 * (docs/metrics.md). */
#include <math.h>

#include "metrics/registry.h"

/* H(R) with p(i) = (1/N) sum_{u: i in L_u} 1 / |L_u|: the item marginal of
 * p(u) uniform over the N users with a list and p(i|u) uniform on L_u. It
 * equals entropy@k when every list has k items; with short lists (users
 * who ran out of candidates) only this form is a mutual information. */
static double item_entropy(const rv_final_view_t *f) {
  if (f->n_lists == 0) return NAN;
  const double N = (double)f->n_lists;
  double h = 0.0;
  for (int64_t i = 0; i < f->ctx->n_items; i++)
    if (f->list_weight[i] > 0.0) {
      const double p = f->list_weight[i] / N;
      h -= p * log2(p);
    }
  return h;
}

static double mi_user_item(const rv_final_view_t *f) {
  if (f->n_lists == 0) return NAN;
  /* I(U;R) = H(R) - H(R|U), H(R|U) = mean_u log2 |L_u|. */
  const double mi = item_entropy(f) - f->sum_log2_len / (double)f->n_lists;
  return mi > 0.0 ? mi : 0.0; /* rounding of an exact 0 */
}

static double mi_user_item_final(const rv_final_view_t *f, int k) {
  (void)k;
  return mi_user_item(f);
}

static double mi_user_item_norm_final(const rv_final_view_t *f, int k) {
  (void)k;
  const double h = item_entropy(f);
  return h > 0.0 ? mi_user_item(f) / h : NAN;
}

/* I(S;Y) and H(Y) from the bins x 2 histogram of (score bin, relevant). */
static void mi_score(const rv_final_view_t *f, double *mi, double *hy) {
  double n = 0.0, ny[2] = {0.0, 0.0};
  for (int b = 0; b < f->bins; b++)
    for (int y = 0; y < 2; y++) {
      n += (double)f->hist[2 * b + y];
      ny[y] += (double)f->hist[2 * b + y];
    }
  *mi = *hy = NAN;
  if (n == 0.0) return;
  double h = 0.0;
  for (int y = 0; y < 2; y++)
    if (ny[y] > 0.0) h -= ny[y] / n * log2(ny[y] / n);
  double s = 0.0;
  for (int b = 0; b < f->bins; b++) {
    const double nb = (double)f->hist[2 * b] + (double)f->hist[2 * b + 1];
    for (int y = 0; y < 2; y++) {
      const double c = (double)f->hist[2 * b + y];
      if (c > 0.0) s += c / n * log2(c * n / (nb * ny[y]));
    }
  }
  *mi = s;
  *hy = h;
}

static double mi_score_final(const rv_final_view_t *f, int k) {
  (void)k;
  double mi, hy;
  mi_score(f, &mi, &hy);
  return mi;
}

static double mi_score_norm_final(const rv_final_view_t *f, int k) {
  (void)k;
  double mi, hy;
  mi_score(f, &mi, &hy);
  return hy > 0.0 ? mi / hy : NAN;
}

const rv_metric_t rv_metric_mi_user_item = {
    .name = "mi_user_item",
    .help = "mi_user_item@k = I(U;R) = H(R) - H(R|U) in bits, p(u) uniform over users with a list and\n"
            "p(i|u) uniform over L_u: H(R) of p(i) = (1/N) sum_{u: i in L_u} 1/|L_u| minus\n"
            "mean_u log2 |L_u| (= entropy@k - log2 k when every list has k items). 0 when every\n"
            "user gets the same list; at most log2 min(|U|, n_items / k).",
    .needs = RV_NEEDS_LISTW,
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = mi_user_item_final};

const rv_metric_t rv_metric_mi_user_item_norm = {
    .name = "mi_user_item_norm",
    .help = "mi_user_item_norm@k = mi_user_item@k / H(R), in [0, 1] (H(R) = entropy@k when every\n"
            "list has k items).",
    .needs = RV_NEEDS_LISTW,
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = mi_user_item_norm_final};

const rv_metric_t rv_metric_mi_score_relevance = {
    .name = "mi_score_relevance",
    .help = "mi_score_relevance = I(S;Y) in bits between the similarity score S and relevance\n"
            "Y = [i in R_u] over every (user, candidate) pair, from a joint histogram of --mi-bins\n"
            "(64) equal-width score bins x 2 counted exactly during scoring. The bins cover the range\n"
            "every score can take ([-1, 1] for cosine, [-max|u| max|i|, +max|u| max|i|] for dot,\n"
            "[-(max|u| + max|i|)^2, 0] for euclidean) with the smallest power-of-two width w from an\n"
            "origin o that is a multiple of w: bin(s) = floor(s / w) - o / w, exact for every float\n"
            "score (cosine, 64 bins: w = 1/32 from -1). The report echoes w and o (mi_bin_grid).",
    .needs = RV_NEEDS_HIST,
    .kind = RV_KIND_SCAN,
    .at_k = 0,
    .finalize = mi_score_final};

const rv_metric_t rv_metric_mi_score_relevance_norm = {
    .name = "mi_score_relevance_norm",
    .help = "mi_score_relevance_norm = I(S;Y) / H(Y), in [0, 1]: the share of the uncertainty about\n"
            "relevance that the score removes.",
    .needs = RV_NEEDS_HIST,
    .kind = RV_KIND_SCAN,
    .at_k = 0,
    .finalize = mi_score_norm_final};
