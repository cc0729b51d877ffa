#include "kernels/listgeom.h"

#include <math.h>
#include <string.h>

/* Dot products in 8 fixed lanes of doubles, summed in lane order at the
 * end: vectorisable without reassociating anything (the order is fixed,
 * so the bits do not depend on the compiler's choices). */
#define LANES 8
#define AHEAD 16 /* rows prefetched ahead */

#if defined(__AVX2__)
#include <immintrin.h>

/* Lanes 0..7 of one row as two vectors of 4 doubles: each lane's sum takes
 * the same products in the same order as the portable loop (mul then add,
 * never fused), so both give the same bits. */
static void row_geometry(const float *e, int dv, const float *profile, int pairs, double *S, double *pc,
                         double *dc) {
  __m256d p0 = _mm256_setzero_pd(), p1 = p0, c0 = p0, c1 = p0;
  for (int j = 0; j < dv; j += LANES) {
    const __m256 ef = _mm256_loadu_ps(e + j);
    const __m256d x0 = _mm256_cvtps_pd(_mm256_castps256_ps128(ef)), x1 = _mm256_cvtps_pd(_mm256_extractf128_ps(ef, 1));
    if (profile) {
      const __m256 pf = _mm256_loadu_ps(profile + j);
      p0 = _mm256_add_pd(p0, _mm256_mul_pd(x0, _mm256_cvtps_pd(_mm256_castps256_ps128(pf))));
      p1 = _mm256_add_pd(p1, _mm256_mul_pd(x1, _mm256_cvtps_pd(_mm256_extractf128_ps(pf, 1))));
    }
    if (pairs) {
      const __m256d s0 = _mm256_loadu_pd(S + j), s1 = _mm256_loadu_pd(S + j + 4);
      c0 = _mm256_add_pd(c0, _mm256_mul_pd(s0, x0));
      c1 = _mm256_add_pd(c1, _mm256_mul_pd(s1, x1));
      _mm256_storeu_pd(S + j, _mm256_add_pd(s0, x0));
      _mm256_storeu_pd(S + j + 4, _mm256_add_pd(s1, x1));
    }
  }
  _mm256_storeu_pd(pc, p0), _mm256_storeu_pd(pc + 4, p1);
  _mm256_storeu_pd(dc, c0), _mm256_storeu_pd(dc + 4, c1);
}
#else
static void row_geometry(const float *e, int dv, const float *profile, int pairs, double *S, double *pc,
                         double *dc) {
  for (int t = 0; t < LANES; t++) pc[t] = dc[t] = 0.0;
  for (int j = 0; j < dv; j += LANES)
    for (int t = 0; t < LANES; t++) {
      const double x = e[j + t];
      if (profile) pc[t] += x * profile[j + t];
      if (pairs) {
        dc[t] += S[j + t] * x;
        S[j + t] += x;
      }
    }
}
#endif

void rv_list_geometry(const float *unit, int d, const int32_t *items, int len, const float *profile,
                      int pairs, double *prof_cos, double *pair_cos, double *S) {
  if (pairs) {
    memset(S, 0, sizeof(double) * (size_t)d);
    pair_cos[0] = 0.0;
  }
  const int dv = d / LANES * LANES;
  /* Rows are random lines of a matrix larger than L2: keep AHEAD of them in
   * flight, every line of each. */
  rv_prefetch_rows(unit, d, items, len < AHEAD ? len : AHEAD);
  for (int r = 0; r < len; r++) {
    const float *e = unit + (size_t)items[r] * d;
    if (r + AHEAD < len) rv_prefetch_rows(unit, d, items + r + AHEAD, 1);
    double pc[LANES], dc[LANES];
    row_geometry(e, dv, profile, pairs, S, pc, dc);
    for (int j = dv; j < d; j++) {
      const double x = e[j];
      if (profile) pc[0] += x * profile[j];
      if (pairs) {
        dc[0] += S[j] * x;
        S[j] += x;
      }
    }
    double p = 0.0, dot = 0.0;
    for (int t = 0; t < LANES; t++) p += pc[t], dot += dc[t];
    if (profile) prof_cos[r] = p;
    if (pairs) pair_cos[r + 1] = pair_cos[r] + dot;
  }
}

int rv_profile_mean(const float *unit, int d, const int32_t *items, int64_t n, double *restrict acc,
                    float *out) {
  if (n == 0) return 0;
  memset(acc, 0, sizeof(double) * (size_t)d);
  rv_prefetch_rows(unit, d, items, n < AHEAD ? n : AHEAD);
  for (int64_t t = 0; t < n; t++) {
    const float *restrict e = unit + (size_t)items[t] * d;
    if (t + AHEAD < n) rv_prefetch_rows(unit, d, items + t + AHEAD, 1);
    for (int j = 0; j < d; j++) acc[j] += e[j];
  }
  rv_profile_unit(acc, d, out);
  return 1;
}

void rv_profile_unit(const double *acc, int d, float *out) {
  double ss = 0.0;
  for (int j = 0; j < d; j++) ss += acc[j] * acc[j];
  const double inv = ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
  for (int j = 0; j < d; j++) out[j] = (float)(acc[j] * inv);
}

void rv_prefetch_rows(const float *unit, int d, const int32_t *items, int64_t n) {
  const size_t bytes = sizeof(float) * (size_t)d;
  for (int64_t t = 0; t < n; t++) {
    if (items[t] < 0) continue;
    const char *row = (const char *)(unit + (size_t)items[t] * d);
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(row + b);
  }
}
