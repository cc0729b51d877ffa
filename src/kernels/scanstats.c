#include "kernels/scanstats.h"

#include <math.h>
#include <stdlib.h>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "kernels/accuracy.h"

void rv_auc_bracket(const float *u, const float *e, int d, int euclidean, float un2, float en2,
                    float *lo, float *hi) {
  /* In 4 lanes (vectorised): any summation order serves, since the bound
   * below covers it; the counts that follow are exact whatever the bracket. */
  double dl[4] = {0, 0, 0, 0}, ml[4] = {0, 0, 0, 0};
  const int d4 = d / 4 * 4;
  for (int k = 0; k < d4; k += 4)
    for (int t = 0; t < 4; t++) {
      const double p = (double)u[k + t] * e[k + t];
      dl[t] += p;
      ml[t] += fabs(p);
    }
  for (int k = d4; k < d; k++) {
    const double p = (double)u[k] * e[k];
    dl[0] += p;
    ml[0] += fabs(p);
  }
  const double dot = (dl[0] + dl[1]) + (dl[2] + dl[3]), mag = (ml[0] + ml[1]) + (ml[2] + ml[3]);
  /* sgemm's float sum of d products, in any order, with or without FMA,
   * is within gamma_d sum |u_k e_k| of the exact dot, gamma_d = d u / (1 -
   * d u), u = 2^-24 (Higham, Accuracy and Stability, 2nd ed., sec. 3.1).
   * gamma_(d+2) also covers the double rounding of dot and mag here, and
   * 1e-30 the absolute error of underflowing products. A wider bracket costs
   * time, not exactness: a score inside it is compared exactly later. The
   * euclidean fix-up (2x, -|u|^2, -|e|^2 in float) keeps a wider, doubled
   * bound. */
  double t, delta;
  if (euclidean) {
    t = 2.0 * dot - un2 - en2;
    delta = 2.0 * (d + 6) * 0x1.0p-24 * (2.0 * mag + un2 + en2) + 1e-30;
  } else {
    const double g = (d + 2) * 0x1.0p-24;
    t = dot;
    delta = g < 0.5 ? g / (1.0 - g) * mag + 1e-30 : INFINITY;
  }
  double l = t - delta, h = t + delta;
  if (euclidean) { /* scores are clamped to <= 0 */
    if (l > 0.0) l = 0.0;
    if (h > 0.0) h = 0.0;
  }
  /* Round outwards to floats: the bracket only widens. */
  float lf = (float)l, hf = (float)h;
  if ((double)lf > l) lf = nextafterf(lf, -INFINITY);
  if ((double)hf < h) hf = nextafterf(hf, INFINITY);
  *lo = lf;
  *hi = hf;
}

int rv_amb_push(rv_amb_t *a, float s, int64_t j) {
  if (a->n == a->cap) {
    const int64_t cap = a->cap ? 2 * a->cap : 256;
    float *ns = realloc(a->s, sizeof(float) * (size_t)cap);
    if (!ns) return -1;
    a->s = ns;
    int64_t *nj = realloc(a->j, sizeof(int64_t) * (size_t)cap);
    if (!nj) return -1;
    a->j = nj;
    a->cap = cap;
  }
  a->s[a->n] = s;
  a->j[a->n++] = j;
  return 0;
}

/* Appends the scores of s[0..n) inside [l, h], but slot skip, to amb. */
static int find_inside(const float *s, int n, float l, float h, int64_t skip, int64_t j, rv_amb_t *amb) {
  int q = 0;
#if defined(__AVX2__)
  const __m256 vl = _mm256_set1_ps(l), vh = _mm256_set1_ps(h);
  for (; q + 8 <= n; q += 8) { /* 8 at a time; most blocks hold none */
    const __m256 v = _mm256_loadu_ps(s + q);
    unsigned bits = (unsigned)_mm256_movemask_ps(
        _mm256_andnot_ps(_mm256_cmp_ps(v, vh, _CMP_GT_OQ), _mm256_cmp_ps(v, vl, _CMP_GE_OQ)));
    while (bits) {
      const int r = q + __builtin_ctz(bits);
      bits &= bits - 1;
      if (r != skip && rv_amb_push(amb, s[r], j) != 0) return -1;
    }
  }
#endif
  for (; q < n; q++)
    if (s[q] >= l && !(s[q] > h) && q != skip && rv_amb_push(amb, s[q], j) != 0) return -1;
  return 0;
}

int rv_auc_settle(const float *s, int n, int32_t t0, int32_t item, float l, float h, int above, int reach,
                  int64_t j, int64_t *gt, int64_t *eq, rv_amb_t *amb) {
  gt[j] += above;
  int inside = reach - above;
  const int64_t p = (int64_t)item - t0; /* the test item's own slot, if in this row */
  const int own = p >= 0 && p < n && s[p] >= l && !(s[p] > h);
  if (own) eq[j]++, inside--;
  if (inside == 0) return 0; /* nothing else inside the bracket: the usual case */
  return find_inside(s, n, l, h, own ? p : -1, j, amb);
}

int rv_auc_scan_row(const float *s, int n, int32_t t0, int m, const int32_t *items, const float *lo,
                    const float *hi, int64_t j0, int64_t *gt, int64_t *eq, rv_amb_t *amb) {
  for (int t = 0; t < m; t++) {
    const float l = lo[t], h = hi[t];
    int above = 0, reach = 0;
    for (int q = 0; q < n; q++) { /* vectorised counts, no branches */
      above += s[q] > h;
      reach += s[q] >= l;
    }
    if (rv_auc_settle(s, n, t0, items[t], l, h, above, reach, j0 + t, gt, eq, amb) != 0) return -1;
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
