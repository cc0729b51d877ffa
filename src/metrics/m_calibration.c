/* Calibration (Steck 2018): how far the category mix of a user's list is
 * from the mix of their train items (docs/metrics.md). */
#include <math.h>
#include <stdlib.h>

#include "metrics/registry.h"

#define CAL_ALPHA 0.01

/* Adds each item's categories (weight 1 per item, shared equally) into
 * dense w[], recording touched categories. Returns the total weight. */
static double add_items(const rv_eval_ctx_t *c, const int32_t *items, int64_t n, double *w,
                        int32_t *touched, int *nt) {
  double total = 0.0;
  for (int64_t t = 0; t < n; t++) {
    const int64_t i = items[t], c0 = c->cat_ptr[i], c1 = c->cat_ptr[i + 1];
    if (c1 == c0) continue;
    const double share = c1 - c0 == 1 ? 1.0 : 1.0 / (double)(c1 - c0);
    for (int64_t q = c0; q < c1; q++) { /* no branch on first touches: they are unpredictable */
      const int32_t g = c->cat_idx[q];
      touched[*nt] = g;
      *nt += w[g] == 0.0;
      w[g] += share;
    }
    total += 1.0;
  }
  return total;
}

static int cmp_i32(const void *a, const void *b) {
  const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

static double calibration_user(const rv_user_view_t *v, int k) {
  const rv_eval_ctx_t *c = v->ctx;
  const int n = k < v->len ? k : v->len;
  if (n == 0 || !c->cat_ptr) return NAN;
  const int G = c->n_categories;
  double *p = v->scratch, *q = v->scratch + G;
  int32_t *tp = v->iscratch, *tq = v->iscratch + G + 1; /* G + 1 each: add_items writes one past */
  int np = 0, nq = 0;
  const double wp = add_items(c, v->train, v->n_train, p, tp, &np);
  const double wq = add_items(c, v->items, n, q, tq, &nq);
  double kl = NAN;
  if (wp > 0.0) {
    kl = 0.0;
    /* Over p's support in increasing category order (deterministic sum):
     * a scan of every category when there are few, else the support sorted,
     * O(support log support) rather than O(categories) per user. */
    if (G <= 8 * np + 64) {
      np = 0;
      for (int32_t g = 0; g < G; g++)
        if (p[g] != 0.0) tp[np++] = g;
    } else {
      qsort(tp, (size_t)np, sizeof(int32_t), cmp_i32);
    }
    for (int t = 0; t < np; t++) {
      const int32_t g = tp[t];
      const double pg = p[g] / wp, qg = wq > 0.0 ? q[g] / wq : 0.0;
      kl += pg * log2(pg / ((1.0 - CAL_ALPHA) * qg + CAL_ALPHA * pg));
    }
  }
  for (int t = 0; t < np; t++) p[tp[t]] = 0.0;
  for (int t = 0; t < nq; t++) q[tq[t]] = 0.0;
  return kl;
}

const rv_metric_t rv_metric_calibration = {
    .name = "calibration",
    .help = "calibration@k = KL(p_u || (1-a) q_u + a p_u) in bits, a = 0.01 (Steck 2018): p_u the\n"
            "category distribution of the user's train items, q_u that of L_u@k, each item's\n"
            "categories sharing its weight equally. 0 = perfectly calibrated. Needs\n"
            "/items/category; mean over users with a non-empty list whose train items have a category.",
    .needs = RV_NEEDS_LIST | RV_NEEDS_CATEGORIES,
    .at_k = 1,
    .compute_user = calibration_user};
