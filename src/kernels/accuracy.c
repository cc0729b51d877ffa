#include "kernels/accuracy.h"

#include <math.h>

void rv_list_gains(const int32_t *list, int len, const int32_t *test, const float *rel, int64_t m,
                   double *gain) {
  for (int r = 0; r < len; r++) {
    const int32_t it = list[r];
    int64_t lo = 0, hi = m;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (test[mid] < it)
        lo = mid + 1;
      else
        hi = mid;
    }
    gain[r] = (lo < m && test[lo] == it) ? (rel ? (double)rel[lo] : 1.0) : 0.0;
  }
}

int rv_ideal_gains(const float *rel, int64_t m, int kmax, double *ideal) {
  const int n = m < kmax ? (int)m : kmax;
  if (!rel) {
    for (int r = 0; r < n; r++) ideal[r] = 1.0;
    return n;
  }
  /* Insertion into a descending array of at most n entries. */
  int have = 0;
  for (int64_t t = 0; t < m && n > 0; t++) {
    const double v = rel[t];
    if (have == n && v <= ideal[n - 1]) continue;
    int p = have < n ? have++ : n - 1;
    while (p > 0 && ideal[p - 1] < v) {
      ideal[p] = ideal[p - 1];
      p--;
    }
    ideal[p] = v;
  }
  return n;
}

int rv_hits_at(const double *gain, int len, int k) {
  const int n = k < len ? k : len;
  int h = 0;
  for (int r = 0; r < n; r++) h += gain[r] > 0.0;
  return h;
}

double rv_dcg_at(const double *gain, int len, int k) {
  const int n = k < len ? k : len;
  double s = 0.0;
  for (int r = 0; r < n; r++)
    if (gain[r] > 0.0) s += gain[r] / log2((double)r + 2.0);
  return s;
}

double rv_precision_at(const double *gain, int len, int k) {
  return (double)rv_hits_at(gain, len, k) / (double)k;
}

double rv_recall_at(const double *gain, int len, int k, int64_t m) {
  return m > 0 ? (double)rv_hits_at(gain, len, k) / (double)m : NAN;
}

double rv_ndcg_at(const double *gain, int len, const double *ideal, int n_ideal, int k) {
  const double idcg = rv_dcg_at(ideal, n_ideal, k);
  return idcg > 0.0 ? rv_dcg_at(gain, len, k) / idcg : NAN;
}

double rv_hit_at(const double *gain, int len, int k) {
  return rv_hits_at(gain, len, k) > 0 ? 1.0 : 0.0;
}

double rv_ap_at(const double *gain, int len, int k, int64_t denom) {
  if (denom <= 0) return NAN;
  const int n = k < len ? k : len;
  double s = 0.0;
  int hits = 0;
  for (int r = 0; r < n; r++)
    if (gain[r] > 0.0) s += (double)++hits / (double)(r + 1);
  return s / (double)denom;
}

double rv_rr_at(const double *gain, int len, int k) {
  const int n = k < len ? k : len;
  for (int r = 0; r < n; r++)
    if (gain[r] > 0.0) return 1.0 / (double)(r + 1);
  return 0.0;
}

double rv_auc_from_counts(int64_t m_pos, int64_t n_neg, const int64_t *greater,
                          const int64_t *equal) {
  if (m_pos <= 0 || n_neg <= 0) return NAN;
  /* Twice the number of correctly ordered pairs, as an exact integer. */
  int64_t twice = 0;
  for (int64_t j = 0; j < m_pos; j++) twice += 2 * (n_neg - greater[j] - equal[j]) + equal[j];
  return (double)twice / (2.0 * (double)m_pos * (double)n_neg);
}
