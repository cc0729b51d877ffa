#include "kernels/scanstats.h"

#include <math.h>
#include <stdlib.h>

#include "kernels/accuracy.h"

void rv_hist_row(rv_hist_t *h, const float *s, int n) {
  int32_t *idx = h->idx;
  /* Parameters in locals: idx (int32) could alias h->bins, which would keep
   * the compiler from vectorising the loop. */
  const double lo = h->lo, inv = h->inv_width, top = (double)(h->bins - 1);
  for (int q = 0; q < n; q++) idx[q] = rv_hist_bin_of(lo, inv, top, s[q]);
  int32_t *L = h->lanes;
  int q = 0;
  for (; q + 8 <= n; q += 8)
    for (int t = 0; t < 8; t++) L[8 * idx[q + t] + t]++;
  for (; q < n; q++) L[8 * idx[q]]++;
  h->pending += n;
  if (h->pending > (1 << 30)) { /* int32 lanes: flush long before 2^31 */
    for (int b = 0; b < 8 * h->bins; b++) {
      h->total[b / 8] += L[b];
      L[b] = 0;
    }
    h->pending = 0;
  }
}

void rv_hist_collect(const rv_hist_t *h, int64_t *out) {
  for (int b = 0; b < h->bins; b++) {
    int64_t c = h->total[b];
    for (int t = 0; t < 8; t++) c += h->lanes[8 * b + t];
    out[2 * b] += c;
  }
}

void rv_auc_bracket(const float *u, const float *e, int d, int euclidean, float un2, float en2,
                    float *lo, float *hi) {
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

static int amb_push(rv_amb_t *a, float s, int64_t j) {
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

int rv_auc_scan_row(const float *s, int n, int m, const float *lo, const float *hi, int64_t j0,
                    int64_t *gt, rv_amb_t *amb) {
  for (int t = 0; t < m; t++) {
    const float l = lo[t], h = hi[t];
    int above = 0, reach = 0;
    for (int q = 0; q < n; q++) { /* vectorised counts, no branches */
      above += s[q] > h;
      reach += s[q] >= l;
    }
    gt[j0 + t] += above;
    if (reach == above) continue; /* nothing inside the bracket: the usual case */
    for (int q = 0; q < n; q++)
      if (s[q] >= l && !(s[q] > h) && amb_push(amb, s[q], j0 + t) != 0) return -1;
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
