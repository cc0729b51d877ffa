#include "kernels/scanstats.h"

#include <math.h>
#include <stdlib.h>

#include "kernels/accuracy.h"

void rv_hist_row(rv_hist_t *h, const float *s, int n) {
  int64_t *L = h->lanes;
  int j = 0;
  for (; j + 4 <= n; j += 4)
    for (int q = 0; q < 4; q++) {
      const float v = s[j + q];
      if (v > -INFINITY) L[4 * rv_hist_bin(h, v) + q]++;
    }
  for (; j < n; j++)
    if (s[j] > -INFINITY) L[4 * rv_hist_bin(h, s[j])]++;
}

void rv_hist_collect(const rv_hist_t *h, int64_t *out) {
  for (int b = 0; b < h->bins; b++)
    out[2 * b] += h->lanes[4 * b] + h->lanes[4 * b + 1] + h->lanes[4 * b + 2] + h->lanes[4 * b + 3];
}

void rv_auc_bracket(const float *u, const float *e, int d, int euclidean, float un2, float en2,
                    double *lo, double *hi) {
  double dot = 0.0, mag = 0.0;
  for (int k = 0; k < d; k++) {
    const double p = (double)u[k] * e[k];
    dot += p;
    mag += fabs(p);
  }
  /* gamma_d <= (d + 2) 2^-24 for sgemm in float; doubled for margin, plus
   * the float operations of the euclidean fix-up (2x, -|u|^2, -|e|^2). */
  double t, delta;
  if (euclidean) {
    t = 2.0 * dot - un2 - en2;
    delta = 2.0 * (d + 6) * 0x1.0p-24 * (2.0 * mag + un2 + en2) + 1e-30;
  } else {
    t = dot;
    delta = 2.0 * (d + 2) * 0x1.0p-24 * mag + 1e-30;
  }
  *lo = t - delta;
  *hi = t + delta;
  if (euclidean) { /* scores are clamped to <= 0 */
    if (*lo > 0.0) *lo = 0.0;
    if (*hi > 0.0) *hi = 0.0;
  }
}

static int amb_push(rv_amb_t *a, float s, int32_t j) {
  if (a->n == a->cap) {
    const int64_t cap = a->cap ? 2 * a->cap : 256;
    float *ns = realloc(a->s, sizeof(float) * (size_t)cap);
    if (!ns) return -1;
    a->s = ns;
    int32_t *nj = realloc(a->j, sizeof(int32_t) * (size_t)cap);
    if (!nj) return -1;
    a->j = nj;
    a->cap = cap;
  }
  a->s[a->n] = s;
  a->j[a->n++] = j;
  return 0;
}

int rv_auc_scan_row(const float *s, int n, double lo_all, int m, const double *lo,
                    const double *hi, int32_t j0, int64_t *gt, rv_amb_t *amb) {
  int j = 0;
  for (; j < n; j += 16) {
    const int e = j + 16 < n ? j + 16 : n;
    float mx = -INFINITY;
    for (int q = j; q < e; q++) mx = s[q] > mx ? s[q] : mx;
    if (!((double)mx >= lo_all)) continue; /* the whole block is below every bracket */
    for (int q = j; q < e; q++) {
      const double v = s[q];
      if (!(v >= lo_all)) continue;
      for (int t = 0; t < m; t++) {
        if (v > hi[t])
          gt[j0 + t]++;
        else if (v >= lo[t] && amb_push(amb, s[q], j0 + t) != 0)
          return -1;
      }
    }
  }
  return 0;
}

void rv_auc_resolve(rv_amb_t *amb, const float *t, int64_t *gt, int64_t *eq) {
  for (int64_t a = 0; a < amb->n; a++) {
    const float s = amb->s[a], tj = t[amb->j[a]];
    if (s > tj)
      gt[amb->j[a]]++;
    else if (s == tj)
      eq[amb->j[a]]++;
  }
  amb->n = 0;
}

double rv_auc_user(int m, const float *t, int64_t *gt, int64_t *eq, int64_t n_cand) {
  /* The scan counted every candidate, the test items among them: take each
   * positive's own comparisons with the positives back out. */
  int64_t pos = 0;
  for (int a = 0; a < m; a++) {
    if (!(t[a] > -INFINITY)) continue;
    pos++;
    for (int b = 0; b < m; b++) {
      if (!(t[b] > -INFINITY)) continue;
      if (t[b] > t[a])
        gt[a]--;
      else if (t[b] == t[a])
        eq[a]--;
    }
  }
  /* Compact the positives' counts to the front for rv_auc_from_counts. */
  int64_t w = 0;
  for (int a = 0; a < m; a++)
    if (t[a] > -INFINITY) gt[w] = gt[a], eq[w] = eq[a], w++;
  return rv_auc_from_counts(pos, n_cand - pos, gt, eq);
}
