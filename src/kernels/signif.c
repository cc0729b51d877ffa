#include "kernels/signif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/stats.h"

static int cmp_abs(const void *x, const void *y) {
  const double a = fabs(*(const double *)x), b = fabs(*(const double *)y);
  return (a > b) - (a < b);
}

/* Two-sided exact p of W+ = w for n untied ranks 1..n: 2 min(P(W+ <= w), P(W+ >= w)). */
static int wilcoxon_exact(int n, double w, double *p) {
  const int top = n * (n + 1) / 2;
  double *c = calloc((size_t)top + 1, sizeof(double));
  if (!c) return -1;
  c[0] = 1.0; /* c[s]: subsets of {1..r} with sum s (exact in doubles up to 2^53) */
  for (int r = 1; r <= n; r++)
    for (int s = top; s >= r; s--) c[s] += c[s - r];
  const double total = ldexp(1.0, n);
  double lo = 0.0, hi = 0.0;
  for (int s = 0; s <= top; s++) {
    if (s <= w + 1e-9) lo += c[s];
    if (s >= w - 1e-9) hi += c[s];
  }
  free(c);
  const double q = 2.0 * fmin(lo, hi) / total;
  *p = q > 1.0 ? 1.0 : q;
  return 0;
}

int rv_paired_tests(const double *a, const double *b, int64_t n, rv_paired_t *o) {
  memset(o, 0, sizeof *o);
  o->n = n;
  o->mean_a = o->mean_b = o->mean_diff = o->sd_diff = o->t = o->df = o->cohen_dz = NAN;
  o->z = o->rank_biserial = NAN;
  o->p_t = o->p_w = 1.0;
  if (n == 0) return 0;
  double sa = 0.0, sb = 0.0, sd = 0.0;
  for (int64_t i = 0; i < n; i++) sa += a[i], sb += b[i], sd += b[i] - a[i];
  o->mean_a = sa / (double)n, o->mean_b = sb / (double)n, o->mean_diff = sd / (double)n;
  if (n >= 2) {
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++) {
      const double e = (b[i] - a[i]) - o->mean_diff;
      ss += e * e;
    }
    o->sd_diff = sqrt(ss / (double)(n - 1));
    o->df = (double)(n - 1);
    if (o->sd_diff > 0.0) {
      o->t = o->mean_diff / (o->sd_diff / sqrt((double)n));
      o->cohen_dz = o->mean_diff / o->sd_diff;
      o->p_t = 2.0 * rv_t_cdf(-fabs(o->t), o->df);
      if (o->p_t > 1.0) o->p_t = 1.0;
    } else {
      o->t = o->mean_diff == 0.0 ? NAN : copysign(INFINITY, o->mean_diff);
      o->p_t = o->mean_diff == 0.0 ? 1.0 : 0.0;
    }
  }
  /* Wilcoxon signed-rank on the non-zero differences. */
  double *d = malloc(sizeof(double) * (size_t)n);
  if (!d) return -1;
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++)
    if (b[i] - a[i] != 0.0) d[m++] = b[i] - a[i];
  o->n_nonzero = m;
  if (m == 0) {
    free(d);
    o->z = 0.0;
    return 0;
  }
  qsort(d, (size_t)m, sizeof(double), cmp_abs);
  double wp = 0.0, wm = 0.0, tie = 0.0;
  int ties = 0;
  for (int64_t i = 0; i < m;) {
    int64_t j = i;
    while (j < m && fabs(d[j]) == fabs(d[i])) j++;
    const double rank = 0.5 * (double)(i + 1 + j); /* average of ranks i+1..j */
    const double t = (double)(j - i);
    if (t > 1) ties = 1, tie += t * t * t - t;
    for (int64_t k = i; k < j; k++) *(d[k] > 0 ? &wp : &wm) += rank;
    i = j;
  }
  free(d);
  o->w_plus = wp, o->w_minus = wm;
  o->rank_biserial = (wp - wm) / (wp + wm);
  const double mm = (double)m;
  const double var = mm * (mm + 1) * (2 * mm + 1) / 24.0 - tie / 48.0;
  o->z = var > 0 ? (wp - mm * (mm + 1) / 4.0) / sqrt(var) : 0.0;
  if (m <= 50 && !ties) {
    o->exact = 1;
    if (wilcoxon_exact((int)m, wp, &o->p_w) != 0) return -1;
  } else {
    o->p_w = var > 0 ? erfc(fabs(o->z) / sqrt(2.0)) : 1.0;
  }
  return 0;
}

void rv_holm(const double *p, int m, double *adj) {
  int *ord = malloc(sizeof(int) * (size_t)(m + 1));
  int k = 0;
  if (!ord) {
    for (int i = 0; i < m; i++) adj[i] = NAN; /* no memory: no claim */
    return;
  }
  for (int i = 0; i < m; i++) {
    adj[i] = NAN;
    if (!isnan(p[i])) ord[k++] = i;
  }
  /* Insertion sort by p (m is the number of metrics: small), stable. */
  for (int i = 1; i < k; i++)
    for (int j = i; j > 0 && p[ord[j - 1]] > p[ord[j]]; j--) {
      const int t = ord[j];
      ord[j] = ord[j - 1];
      ord[j - 1] = t;
    }
  double run = 0.0;
  for (int r = 0; r < k; r++) {
    double v = (double)(k - r) * p[ord[r]];
    if (v > 1.0) v = 1.0;
    if (v < run) v = run;
    run = v;
    adj[ord[r]] = v;
  }
  free(ord);
}
