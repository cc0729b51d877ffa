/* Paired significance tests for `receval compare` (plain arrays).
 *
 * Differences are d_i = b_i - a_i (positive: B higher).
 *  - Paired t-test: t = mean(d) / (sd(d) / sqrt(n)), sd with n - 1, df = n - 1,
 *    two-sided p from Student's t. sd = 0: p = 1 when mean(d) = 0, else 0.
 *  - Cohen's d_z = mean(d) / sd(d).
 *  - Wilcoxon signed-rank: zero differences are dropped (Wilcoxon's method),
 *    |d| ranked with average ranks for ties; W+ and W- are the rank sums of
 *    the positive and negative differences. Exact two-sided p (twice the
 *    smaller tail of the null distribution of W+, at most 1) when at most 50
 *    non-zero differences remain and none of their |d| tie; otherwise the
 *    normal approximation without continuity correction, variance
 *    n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over tie groups of size t.
 *  - Rank-biserial correlation (W+ - W-) / (W+ + W-).
 *  - Holm-Bonferroni adjusted p-values across m tests. */
#ifndef RV_KERNELS_SIGNIF_H
#define RV_KERNELS_SIGNIF_H
#include <stdint.h>

typedef struct rv_paired {
  int64_t n;
  double mean_a, mean_b, mean_diff, sd_diff;
  double t, df, p_t, cohen_dz;
  int64_t n_nonzero;
  double w_plus, w_minus, z, p_w, rank_biserial;
  int exact; /* 1: p_w from the exact distribution */
} rv_paired_t;

/* Returns 0, or -1 when out of memory. n may be 0 (everything NaN, p = 1). */
int rv_paired_tests(const double *a, const double *b, int64_t n, rv_paired_t *out);
/* Holm-Bonferroni: adj[i] for p[i], m tests (NaN p stays NaN, not counted). */
void rv_holm(const double *p, int m, double *adj);

#endif
