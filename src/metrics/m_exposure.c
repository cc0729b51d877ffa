/* Exposure family, from the global counts c_i of lists (at cutoff k) that
 * contain item i: coverage, Gini, entropy, personalization
 * (docs/metrics.md). Integer counts are reduced exactly, and every value
 * below is computed from them in a fixed order, so it is the same at any
 * rank count. */
#include <math.h>
#include <stdlib.h>

#include "kernels/xsum.h"
#include "metrics/registry.h"

static double coverage_final(const rv_final_view_t *f, int k) {
  (void)k;
  int64_t n = 0;
  for (int64_t i = 0; i < f->ctx->n_items; i++) n += f->exposure[i] > 0;
  return (double)n / (double)f->ctx->n_items;
}

static int cmp_i64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static double gini_final(const rv_final_view_t *f, int k) {
  (void)k;
  const int64_t n = f->ctx->n_items;
  int64_t *c = malloc(sizeof(int64_t) * (size_t)n);
  if (!c) return NAN;
  rv_i128 total = 0, num = 0;
  for (int64_t i = 0; i < n; i++) c[i] = f->exposure[i], total += c[i];
  qsort(c, (size_t)n, sizeof(int64_t), cmp_i64);
  /* sum_j (2j - n - 1) c_(j), j = 1..n, ascending: exact in 128 bits. */
  for (int64_t j = 1; j <= n; j++) num += (rv_i128)(2 * j - n - 1) * c[j - 1];
  free(c);
  if (total == 0) return NAN;
  return (double)num / ((double)n * (double)total);
}

static double entropy_of(const int64_t *c, int64_t n) {
  int64_t total = 0;
  for (int64_t i = 0; i < n; i++) total += c[i];
  if (total == 0) return NAN;
  double h = 0.0;
  for (int64_t i = 0; i < n; i++)
    if (c[i] > 0) {
      const double p = (double)c[i] / (double)total;
      h -= p * log2(p);
    }
  return h;
}

static double entropy_final(const rv_final_view_t *f, int k) {
  (void)k;
  return entropy_of(f->exposure, f->ctx->n_items);
}

static double personalization_final(const rv_final_view_t *f, int k) {
  const int64_t N = f->n_lists;
  if (N < 2) return NAN;
  /* Pairs of lists sharing an item, summed over items: sum_i c_i (c_i - 1) / 2. */
  rv_i128 shared = 0;
  for (int64_t i = 0; i < f->ctx->n_items; i++) shared += (rv_i128)f->exposure[i] * (f->exposure[i] - 1) / 2;
  const double pairs = 0.5 * (double)N * (double)(N - 1);
  return 1.0 - ((double)shared / pairs) / (double)k;
}

const rv_metric_t rv_metric_coverage = {
    .name = "coverage",
    .help = "coverage@k = |union of the users' top-k lists| / n_items (catalogue coverage).",
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = coverage_final};

const rv_metric_t rv_metric_gini = {
    .name = "gini",
    .help = "gini@k = Gini index of the exposure counts c_i (lists at cutoff k containing item i)\n"
            "over all n items, zeros included, sorted ascending: sum_j (2j - n - 1) c_(j) / (n sum c).\n"
            "0 = every item equally exposed, towards 1 = a few items take all exposure.",
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = gini_final};

const rv_metric_t rv_metric_entropy = {
    .name = "entropy",
    .help = "entropy@k = -sum_i p_i log2 p_i with p_i = c_i / sum c (bits): the Shannon entropy of\n"
            "exposure over the catalogue; log2(n_items) at most.",
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = entropy_final};

const rv_metric_t rv_metric_personalization = {
    .name = "personalization",
    .help = "personalization@k = 1 - (mean over pairs of users of |L_u ∩ L_v|) / k, computed exactly\n"
            "from exposure counts: the number of shared (pair, item) triples is sum_i c_i (c_i-1)/2,\n"
            "divided by C(N, 2) for the N users with a non-empty list. No loop over user pairs.",
    .kind = RV_KIND_EXPOSURE,
    .at_k = 1,
    .finalize = personalization_final};
