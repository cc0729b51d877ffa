/* Diversity and surprise on the item embeddings: intra-list diversity,
 * unexpectedness, serendipity (docs/metrics.md). Vectors are the unit item
 * embeddings; a zero embedding stays zero (its cosine with anything is 0). */
#include <math.h>

#include "metrics/registry.h"

static int list_len(const rv_user_view_t *v, int k) { return k < v->len ? k : v->len; }

static double ild_user(const rv_user_view_t *v, int k) {
  const int n = list_len(v, k);
  if (n < 2) return NAN;
  /* pair_cos[n] = sum_{i<j<n} cos(e_i, e_j), from the engine's one pass:
   * ||S_r + e||^2 = ||S_r||^2 + 2 S_r.e + ||e||^2, O(k d) for all cutoffs. */
  return 1.0 - v->pair_cos[n] / (0.5 * n * (n - 1.0));
}

/* (1/n) sum_{r<n} w_r (1 - cos(e_r, h_u)), w_r = 1 or [item r is relevant]. */
static double surprise(const rv_user_view_t *v, int k, int relevant_only) {
  const int n = list_len(v, k);
  if (n == 0 || !v->prof_cos) return NAN;
  double s = 0.0;
  for (int r = 0; r < n; r++)
    if (!relevant_only || v->gain[r] > 0.0) s += 1.0 - v->prof_cos[r];
  return s / n;
}

static double unexpectedness_user(const rv_user_view_t *v, int k) { return surprise(v, k, 0); }
static double serendipity_user(const rv_user_view_t *v, int k) { return surprise(v, k, 1); }

const rv_metric_t rv_metric_ild = {
    .name = "ild",
    .help = "ild@k = 1 - mean over pairs i<j of L_u@k of cos(e_i, e_j) (intra-list diversity on the\n"
            "item embeddings), computed in O(k d) as 1 - (||sum e_i||^2 - sum ||e_i||^2) / (k(k-1)).\n"
            "Mean over users whose list has at least 2 items (test items or not).",
    .needs = RV_NEEDS_LIST | RV_NEEDS_PAIRS,
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
