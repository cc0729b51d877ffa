#include "kernels/score.h"
#include "kernels/similarity.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

void rv_score_init(void) { openblas_set_num_threads(1); }

void rv_rows_normalize(float *x, size_t n, int d) {
  for (size_t r = 0; r < n; r++) {
    float *row = x + r * (size_t)d;
    double ss = 0.0;
    for (int j = 0; j < d; j++) ss += (double)row[j] * row[j];
    if (ss == 0.0) continue;
    const double inv = 1.0 / sqrt(ss);
    for (int j = 0; j < d; j++) row[j] = (float)(row[j] * inv);
  }
}

void rv_rows_sqnorm(const float *x, size_t n, int d, float *out) {
  for (size_t r = 0; r < n; r++) {
    const float *row = x + r * (size_t)d;
    double ss = 0.0;
    for (int j = 0; j < d; j++) ss += (double)row[j] * row[j];
    out[r] = (float)ss;
  }
}

void rv_score_block(rv_similarity_t sim, const float *U, int nu, const float *V, int ni, int d,
                    const float *unorm2, const float *inorm2, float *S, int lds, int s_is_zero) {
  if (nu == 0 || ni == 0) return;
  const rv_sim_entry_t *e = rv_sim_get(sim);
  const float alpha = e->alpha;
  /* beta = 1 on a zeroed S adds the product to exact zeros: the same bits as
   * beta = 0, without the separate pass in which the BLAS zero-fills S. */
  const float beta = s_is_zero ? 1.0f : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nu, ni, d, alpha, U, d, V, d, beta, S, lds);
  if (!e->minus_sqdist) return;
  for (int u = 0; u < nu; u++) {
    float *row = S + (size_t)u * lds;
    const float nu2 = unorm2[u];
    for (int i = 0; i < ni; i++) {
      const float v = row[i] - nu2 - inorm2[i];
      row[i] = v > 0.0f ? 0.0f : v;
    }
  }
}

double rv_rows_maxnorm(const float *x, size_t n, int d, int64_t *row) {
  double best = 0.0;
  *row = -1;
  for (size_t r = 0; r < n; r++) {
    const float *v = x + r * (size_t)d;
    double ss = 0.0;
    for (int j = 0; j < d; j++) ss += (double)v[j] * v[j];
    if (*row < 0 || ss > best) best = ss, *row = (int64_t)r;
  }
  return sqrt(best);
}

double rv_score_bound(rv_similarity_t sim, double unorm, double inorm) {
  return rv_sim_get(sim)->bound(unorm, inorm);
}

int rv_score_bound_safe(double bound, int d) {
  return bound * (1.0 + ldexp((double)d + 4.0, -23)) <= (double)FLT_MAX;
}

int rv_rows_finite(const float *x, int rows, int n, int ld) {
  /* Inf and NaN are the floats whose exponent bits are all ones: integer
   * tests without a branch per entry (the loop vectorises). */
  uint32_t bad = 0;
  for (int r = 0; r < rows; r++) {
    const float *row = x + (size_t)r * ld;
    for (int i = 0; i < n; i++) {
      uint32_t b;
      memcpy(&b, row + i, sizeof b);
      bad |= (uint32_t)((b & 0x7f800000u) == 0x7f800000u);
    }
  }
  return bad == 0;
}

void rv_outer_add(double *acc, const float *x, const double *y, int d) {
  for (int j = 0; j < d; j++) {
    const double a = x[j];
    double *row = acc + (size_t)j * d;
    for (int k = 0; k < d; k++) row[k] += a * y[k];
  }
}

void rv_rows_affine(float *x, size_t n, int d, const double *mu, const double *W, double *acc) {
  for (size_t r = 0; r < n; r++) {
    float *row = x + r * (size_t)d;
    for (int k = 0; k < d; k++) acc[k] = 0.0;
    for (int j = 0; j < d; j++) {
      const double c = (double)row[j] - mu[j];
      const double *w = W + (size_t)j * d;
      for (int k = 0; k < d; k++) acc[k] += c * w[k];
    }
    for (int k = 0; k < d; k++) row[k] = (float)acc[k];
  }
}

void rv_score_pairs(rv_similarity_t sim, const float *u, float unorm2, const float *V,
                    const float *inorm2, int d, const int32_t *idx, int64_t n, float *out) {
  const rv_sim_entry_t *s = rv_sim_get(sim);
  const double alpha = s->alpha;
  for (int64_t t = 0; t < n; t++) {
    const float *e = V + (size_t)idx[t] * d;
    double dot = 0.0;
    for (int j = 0; j < d; j++) dot += (double)u[j] * e[j];
    if (!s->minus_sqdist) {
      out[t] = (float)dot;
    } else {
      const float v = (float)(alpha * dot) - unorm2 - inorm2[idx[t]];
      out[t] = v > 0.0f ? 0.0f : v;
    }
  }
}

void rv_pool_mean(const float *items, int d, const int32_t *idx, int64_t n, double *acc,
                  float *out) {
  memset(acc, 0, sizeof(double) * (size_t)d);
  for (int64_t t = 0; t < n; t++) {
    const float *row = items + (size_t)idx[t] * d;
    for (int j = 0; j < d; j++) acc[j] += row[j];
  }
  for (int j = 0; j < d; j++) out[j] = n > 0 ? (float)(acc[j] / (double)n) : 0.0f;
}
