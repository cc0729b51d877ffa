#include "kernels/scorehist.h"

#include <stdlib.h>
#include <string.h>


void rv_hist_grid(double lo, double hi, int bins, double *width, double *origin) {
  if (!(hi > lo)) hi = lo + 1.0;
  int e;
  (void)frexp((hi - lo) / bins, &e); /* (hi - lo) / bins = f 2^e, f in [0.5, 1) */
  double w = ldexp(1.0, e);
  if (w / 2 * bins >= hi - lo) w /= 2; /* (hi - lo) / bins is itself a power of two */
  double o = floor(lo / w) * w;
  while (o + bins * w < hi) { /* lo's cell pushed the top out: twice as wide covers it */
    w *= 2;
    o = floor(lo / w) * w;
  }
  *width = w;
  *origin = o;
}

int rv_hist_init(rv_hist_t *h, int bins, double width, double origin, int max_row) {
  memset(h, 0, sizeof *h);
  h->bins = bins;
  h->scale = (float)(1.0 / width);
  h->base = (float)(origin / width);
  h->top = (float)(bins - 1);
  h->total = calloc((size_t)bins, sizeof(int64_t));
  h->idx = malloc(sizeof(int32_t) * (size_t)(max_row > 0 ? max_row : 1));
  if (bins <= RV_HIST_PAIR_BINS)
    h->pair = calloc(RV_HIST_PAIR_BINS * RV_HIST_PAIR_BINS, sizeof(uint32_t));
  else
    h->lanes = calloc((size_t)bins * 8, sizeof(int32_t));
  if (!h->total || !h->idx || (!h->pair && !h->lanes)) {
    rv_hist_free(h);
    return -1;
  }
  return 0;
}

void rv_hist_free(rv_hist_t *h) {
  free(h->pair), free(h->lanes), free(h->total), free(h->idx);
  memset(h, 0, sizeof *h);
}

/* Folds the partial counters into the exact totals and clears them. */
void rv_hist_fold(rv_hist_t *h) {
  if (h->pair) {
    int64_t col[RV_HIST_PAIR_BINS] = {0};
    for (int a = 0; a < h->bins; a++) {
      const uint32_t *row = h->pair + a * RV_HIST_PAIR_BINS;
      int64_t sum = 0;
      for (int b = 0; b < RV_HIST_PAIR_BINS; b++) { /* unused columns are zero */
        sum += row[b];
        col[b] += row[b];
      }
      h->total[a] += sum; /* a pair is one score in bin a (the first) ... */
    }
    for (int b = 0; b < h->bins; b++) h->total[b] += col[b]; /* ... and one in bin b */
    memset(h->pair, 0, sizeof(uint32_t) * RV_HIST_PAIR_BINS * RV_HIST_PAIR_BINS);
  } else {
    for (int b = 0; b < 8 * h->bins; b++) {
      h->total[b / 8] += h->lanes[b];
      h->lanes[b] = 0;
    }
  }
  h->pending = 0;
}

/* idx[0..n/16*8) = pair indices of scores (q, q + 8) in each block of 16.
 * Portable: AVX2 builds count pairs in kernels/rowscan.c, and the tests hold
 * that pass against this one. */
static int pair_index(const float *s, int n, float scale, float base, float top, int32_t *idx) {
  int q = 0, w = 0;
  for (; q + 16 <= n; q += 16, w += 8)
    for (int t = 0; t < 8; t++)
      idx[w + t] = (int32_t)rv_hist_binf(scale, base, top, s[q + t]) * RV_HIST_PAIR_BINS +
                   (int32_t)rv_hist_binf(scale, base, top, s[q + 8 + t]);
  return q;
}

void rv_hist_row(rv_hist_t *h, const float *s, int n) {
  int32_t *restrict idx = h->idx;
  const float scale = h->scale, base = h->base, top = h->top;
  int q = 0;
  if (h->pair) {
    /* A counter grows by at most one per pair: fold before one could wrap. */
    if (h->pending + n / 2 > INT32_MAX) rv_hist_fold(h);
    q = pair_index(s, n, scale, base, top, idx);
    uint32_t *restrict P = h->pair;
    for (int w = 0; w < q / 2; w++) P[idx[w]]++;
    h->pending += q / 2;
  } else {
    if (h->pending + n > (1 << 30)) rv_hist_fold(h); /* int32 lanes */
    for (int r = 0; r < n; r++) idx[r] = (int32_t)rv_hist_binf(scale, base, top, s[r]);
    int32_t *restrict L = h->lanes;
    for (; q + 8 <= n; q += 8)
      for (int t = 0; t < 8; t++) L[8 * idx[q + t] + t]++;
    h->pending += q;
  }
  for (; q < n; q++) h->total[rv_hist_bin(h, s[q])]++;
}

void rv_hist_collect(rv_hist_t *h, int64_t *out) {
  rv_hist_fold(h);
  for (int b = 0; b < h->bins; b++) out[2 * b] += h->total[b];
}
