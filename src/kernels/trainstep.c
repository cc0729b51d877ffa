#include "kernels/trainstep.h"

#include <math.h>
#include <stddef.h>

double rv_sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + exp(-z));
  const double e = exp(z);
  return e / (1.0 + e);
}

double rv_loss_pair(rv_loss_t loss, double z, double y, double *dldz) {
  const double p = rv_sigmoid(z);
  if (loss == RV_LOSS_BCE) {
    *dldz = p - y;
    /* softplus(z) = max(z, 0) + log1p(exp(-|z|)) */
    return fmax(z, 0.0) + log1p(exp(-fabs(z))) - y * z;
  }
  const double r = p - y;
  *dldz = r * p * (1.0 - p);
  return 0.5 * r * r;
}

double rv_lr_at(rv_sched_t sched, double lr0, double gamma, int64_t epoch, int64_t step,
                int64_t total) {
  switch (sched) {
    case RV_SCHED_STEP: return lr0 * pow(gamma, (double)epoch);
    case RV_SCHED_COSINE:
      return total > 0 ? lr0 * 0.5 * (1.0 + cos(3.14159265358979323846 * (double)step / (double)total))
                       : lr0;
    default: return lr0;
  }
}

void rv_sgd_update(double *x, const double *g, int64_t n, double lr) {
  for (int64_t i = 0; i < n; i++) x[i] -= lr * g[i];
}

void rv_adam_update(double *x, double *m, double *v, const double *g, int64_t n, double lr, int64_t t) {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  const double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
  for (int64_t i = 0; i < n; i++) {
    m[i] = b1 * m[i] + (1.0 - b1) * g[i];
    v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
    x[i] -= lr * (m[i] / c1) / (sqrt(v[i] / c2) + eps);
  }
}

static int contains(const int32_t *a, int64_t n, int32_t x) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (a[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && a[lo] == x;
}

int64_t rv_sample_negatives2(rv_rng_t *r, int64_t n_items, const int32_t *a, int64_t na,
                             const int32_t *b, int64_t nb, int64_t want, int32_t *out) {
  int64_t got = 0, rejected = 0;
  if (na + nb >= n_items) return 0;
  while (got < want && rejected < 64 * want) {
    const int32_t it = (int32_t)rv_rng_below(r, (uint64_t)n_items);
    if (contains(a, na, it) || contains(b, nb, it))
      rejected++;
    else
      out[got++] = it;
  }
  return got;
}

int64_t rv_sample_negatives(rv_rng_t *r, int64_t n_items, const int32_t *pos, int64_t npos,
                            int64_t want, int32_t *out) {
  return rv_sample_negatives2(r, n_items, pos, npos, NULL, 0, want, out);
}
