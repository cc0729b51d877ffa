/* Diversity and surprise on the item embeddings: intra-list diversity,
 * unexpectedness, serendipity (docs/metrics.md). Vectors are the unit item
 * embeddings; a zero embedding stays zero (its cosine with anything is 0). */
#include <math.h>
#include <string.h>

#include "metrics/m_beyond.h"

static int list_len(const rv_user_view_t *v, int k) { return k < v->len ? k : v->len; }

static double ild_user(const rv_user_view_t *v, int k) {
  const int n = list_len(v, k), d = v->ctx->dim;
  if (n < 2) return NAN;
  /* sum_{i<j} cos(e_i, e_j) = (||sum_i e_i||^2 - sum_i ||e_i||^2) / 2: O(k d). */
  double *acc = v->scratch, self = 0.0;
  memset(acc, 0, sizeof(double) * (size_t)d);
  for (int r = 0; r < n; r++) {
    const float *e = v->ctx->item_unit + (size_t)v->items[r] * d;
    for (int j = 0; j < d; j++) {
      acc[j] += e[j];
      self += (double)e[j] * e[j];
    }
  }
  double ss = 0.0;
  for (int j = 0; j < d; j++) ss += acc[j] * acc[j];
  memset(acc, 0, sizeof(double) * (size_t)d);
  const double pairs = 0.5 * n * (n - 1.0);
  return 1.0 - 0.5 * (ss - self) / pairs;
}

/* (1/n) sum_{r<n} w_r (1 - cos(e_r, h_u)), w_r = 1 or [item r is relevant]. */
static double surprise(const rv_user_view_t *v, int k, int relevant_only) {
  const int n = list_len(v, k), d = v->ctx->dim;
  if (n == 0 || !v->profile) return NAN;
  double s = 0.0;
  for (int r = 0; r < n; r++) {
    if (relevant_only && !(v->gain[r] > 0.0)) continue;
    const float *e = v->ctx->item_unit + (size_t)v->items[r] * d;
    double c = 0.0;
    for (int j = 0; j < d; j++) c += (double)e[j] * v->profile[j];
    s += 1.0 - c;
  }
  return s / n;
}

static double unexpectedness_user(const rv_user_view_t *v, int k) { return surprise(v, k, 0); }
static double serendipity_user(const rv_user_view_t *v, int k) { return surprise(v, k, 1); }

const rv_metric_t rv_metric_ild = {
    .name = "ild",
    .help = "ild@k = 1 - mean over pairs i<j of L_u@k of cos(e_i, e_j) (intra-list diversity on the\n"
            "item embeddings), computed in O(k d) as 1 - (||sum e_i||^2 - sum ||e_i||^2) / (k(k-1)).\n"
            "Mean over users whose list has at least 2 items (test items or not).",
    .needs = RV_NEEDS_LIST,
    .at_k = 1,
    .compute_user = ild_user};

const rv_metric_t rv_metric_unexpectedness = {
    .name = "unexpectedness",
    .help = "unexpectedness@k = (1/|L_u|) sum_{i in L_u@k} (1 - cos(e_i, h_u)), h_u the unit mean of\n"
            "the user's train items' unit embeddings. Mean over users with a non-empty list and\n"
            "at least one train item.",
    .needs = RV_NEEDS_LIST | RV_NEEDS_PROFILE,
    .at_k = 1,
    .compute_user = unexpectedness_user};

const rv_metric_t rv_metric_serendipity = {
    .name = "serendipity",
    .help = "serendipity@k = (1/|L_u|) sum_{i in L_u@k} [i in R_u] (1 - cos(e_i, h_u)): relevant and\n"
            "unexpected. Mean over users with at least one test item, a non-empty list and at\n"
            "least one train item.",
    .needs = RV_NEEDS_TEST | RV_NEEDS_LIST | RV_NEEDS_PROFILE,
    .at_k = 1,
    .compute_user = serendipity_user};
