#include "kernels/rowscan.h"

#include <stdint.h>

#if defined(__AVX2__)
#include <immintrin.h>

/* Bins of 8 scores: exactly rv_hist_binf, lane by lane (vmaxps and vminps
 * treat NaN as the ternaries there do). fix: the -0 case, needed only when
 * scale < 1. */
static inline __m256i bins8(__m256 v, __m256 scale, __m256 base, __m256 top, int fix) {
  __m256 f = _mm256_round_ps(_mm256_mul_ps(v, scale), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  if (fix) {
    const __m256 z = _mm256_setzero_ps();
    const __m256 m = _mm256_and_ps(_mm256_cmp_ps(f, z, _CMP_EQ_OQ), _mm256_cmp_ps(v, z, _CMP_LT_OQ));
    f = _mm256_blendv_ps(f, _mm256_set1_ps(-1.0f), m);
  }
  __m256 x = _mm256_sub_ps(f, base);
  x = _mm256_max_ps(x, _mm256_setzero_ps());
  x = _mm256_min_ps(x, top);
  return _mm256_cvttps_epi32(x);
}

#define LAG 4   /* blocks between a block's pair indices and their increments */
#define GROUP 2 /* test entries counted per pass: their brackets and counts stay in registers */

static inline __m256i count_gt(__m256i acc, __m256 v, __m256 t) {
  return _mm256_sub_epi32(acc, _mm256_castps_si256(_mm256_cmp_ps(v, t, _CMP_GT_OQ)));
}
static inline __m256i count_ge(__m256i acc, __m256 v, __m256 t) {
  return _mm256_sub_epi32(acc, _mm256_castps_si256(_mm256_cmp_ps(v, t, _CMP_GE_OQ)));
}
static inline int hsum(__m256i v) {
  __m128i x = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0x4e));
  x = _mm_add_epi32(x, _mm_shuffle_epi32(x, 0xb1));
  return _mm_cvtsi128_si32(x);
}

/* One pass over s[0..nb), nb a multiple of 16: the histogram's pair
 * increments when h is given (each block's increments are issued LAG blocks
 * late, once its stored indices can be read back, behind later arithmetic), and for g <= GROUP entries the
 * counts of scores > hi and >= lo. g is a constant after inlining, so the
 * brackets and counters live in registers. */
static inline __attribute__((always_inline)) void pass(rv_hist_t *h, const float *s, int nb, int g,
                                                       const float *lo, const float *hi, int *above,
                                                       int *reach) {
  __m256 L[GROUP], H[GROUP];
  __m256i A[GROUP], R[GROUP];
  for (int t = 0; t < g; t++) {
    L[t] = _mm256_set1_ps(lo[t]), H[t] = _mm256_set1_ps(hi[t]);
    A[t] = R[t] = _mm256_setzero_si256();
  }
  uint32_t *P = h ? h->pair : NULL;
  int32_t *idx = h ? h->idx : NULL;
  const __m256 vs = _mm256_set1_ps(h ? h->scale : 1.0f), vb = _mm256_set1_ps(h ? h->base : 0.0f),
               vt = _mm256_set1_ps(h ? h->top : 0.0f);
  const int fix = h && !(h->scale >= 1.0f);
  for (int q = 0, w = 0; q < nb; q += 16, w += 8) {
    const __m256 v0 = _mm256_loadu_ps(s + q), v1 = _mm256_loadu_ps(s + q + 8);
    if (P) {
      const __m256i a = bins8(v0, vs, vb, vt, fix), b = bins8(v1, vs, vb, vt, fix);
      _mm256_storeu_si256((__m256i *)(idx + w), _mm256_add_epi32(_mm256_slli_epi32(a, 6), b));
      if (w >= 8 * LAG)
        for (int t = 0; t < 8; t++) P[idx[w - 8 * LAG + t]]++;
    }
    for (int t = 0; t < g; t++) {
      A[t] = count_gt(count_gt(A[t], v0, H[t]), v1, H[t]);
      R[t] = count_ge(count_ge(R[t], v0, L[t]), v1, L[t]);
    }
  }
  if (P)
    for (int w = nb / 2 - 8 * LAG < 0 ? 0 : nb / 2 - 8 * LAG; w < nb / 2; w++) P[idx[w]]++;
  for (int t = 0; t < g; t++) above[t] = hsum(A[t]), reach[t] = hsum(R[t]);
}

int rv_scan_row(rv_hist_t *h, const float *s, int n, int32_t t0, int m, const int32_t *items,
                const float *lo, const float *hi, int64_t j0, int64_t *gt, int64_t *eq, rv_amb_t *amb) {
  if (h && !h->pair) { /* many bins: the separate kernels */
    rv_hist_row(h, s, n);
    h = NULL;
  }
  const int nb = n / 16 * 16;
  if (h && h->pending + nb / 2 > INT32_MAX) rv_hist_fold(h); /* a counter grows one per pair */
  int above[GROUP], reach[GROUP];
  int t = 0;
  do {
    const int g = m - t < GROUP ? m - t : GROUP;
    switch (g) { /* one pass per group; the first also feeds the histogram */
    case 0: pass(h, s, nb, 0, lo + t, hi + t, above, reach); break;
    case 1: pass(h, s, nb, 1, lo + t, hi + t, above, reach); break;
    default: pass(h, s, nb, GROUP, lo + t, hi + t, above, reach); break;
    }
    if (h) {
      h->pending += nb / 2;
      for (int q = nb; q < n; q++) h->total[rv_hist_bin(h, s[q])]++;
      h = NULL;
    }
    for (int e = 0; e < g; e++) {
      for (int q = nb; q < n; q++) {
        above[e] += s[q] > hi[t + e];
        reach[e] += s[q] >= lo[t + e];
      }
      if (rv_auc_settle(s, n, t0, items[t + e], lo[t + e], hi[t + e], above[e], reach[e], j0 + t + e, gt,
                        eq, amb) != 0)
        return -1;
    }
    t += g;
  } while (t < m);
  return 0;
}

#else

int rv_scan_row(rv_hist_t *h, const float *s, int n, int32_t t0, int m, const int32_t *items,
                const float *lo, const float *hi, int64_t j0, int64_t *gt, int64_t *eq, rv_amb_t *amb) {
  if (h) rv_hist_row(h, s, n);
  return m > 0 ? rv_auc_scan_row(s, n, t0, m, items, lo, hi, j0, gt, eq, amb) : 0;
}

#endif
