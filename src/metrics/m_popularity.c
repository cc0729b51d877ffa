/* Popularity family: novelty, average recommendation popularity, share of
 * the long tail (docs/metrics.md). pop_i = number of train users of item i. */
#include <math.h>

#include "metrics/registry.h"

static int list_len(const rv_user_view_t *v, int k) { return k < v->len ? k : v->len; }

static double novelty_user(const rv_user_view_t *v, int k) {
  const int n = list_len(v, k);
  if (n == 0) return NAN;
  const double nu = (double)v->ctx->n_users;
  double s = 0.0;
  const double *si = v->ctx->selfinfo;
  for (int r = 0; r < n; r++) {
    const int64_t p = v->ctx->pop[v->items[r]];
    s += si ? si[v->items[r]] : -log2((double)(p > 1 ? p : 1) / nu);
  }
  return s / n;
}

static double arp_user(const rv_user_view_t *v, int k) {
  const int n = list_len(v, k);
  if (n == 0) return NAN;
  int64_t s = 0;
  for (int r = 0; r < n; r++) s += v->ctx->pop[v->items[r]];
  return (double)s / n;
}

static double aplt_user(const rv_user_view_t *v, int k) {
  const int n = list_len(v, k);
  if (n == 0) return NAN;
  int s = 0;
  for (int r = 0; r < n; r++) s += v->ctx->long_tail[v->items[r]];
  return (double)s / n;
}

const rv_metric_t rv_metric_novelty = {
    .name = "novelty",
    .help = "novelty@k = (1/|L_u|) sum_{i in L_u@k} -log2(max(pop_i, 1) / n_users), pop_i the number\n"
            "of train users of item i (self-information, Zhou et al. 2010). Mean over users with a\n"
            "non-empty list.",
    .needs = RV_NEEDS_LIST,
    .at_k = 1,
    .compute_user = novelty_user};

const rv_metric_t rv_metric_arp = {
    .name = "arp",
    .help = "arp@k = (1/|L_u|) sum_{i in L_u@k} pop_i (average recommendation popularity). Mean over\n"
            "users with a non-empty list.",
    .needs = RV_NEEDS_LIST,
    .at_k = 1,
    .compute_user = arp_user};

const rv_metric_t rv_metric_aplt = {
    .name = "aplt",
    .help = "aplt@k = share of L_u@k in the long tail: items outside the short head, the smallest set\n"
            "of most popular items (ties by smaller index) holding >= 80% of train interactions.\n"
            "Mean over users with a non-empty list.",
    .needs = RV_NEEDS_LIST,
    .at_k = 1,
    .compute_user = aplt_user};
