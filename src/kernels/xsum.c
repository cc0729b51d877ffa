#include "kernels/xsum.h"

#include <math.h>

rv_i128 rv_xsum_fix(double v) {
  /* Scaling by a power of two is exact; the one rounding is to an integer. */
  return (rv_i128)nearbyint(ldexp(v, RV_XSUM_FRAC_BITS));
}

int rv_xsum_add(rv_i128 *acc, double v) {
  if (!isfinite(v) || fabs(v) > RV_XSUM_MAX_ABS) return -1;
  *acc += rv_xsum_fix(v);
  return 0;
}

int rv_xsum_add_array(rv_i128 *acc, const double *v, size_t n) {
  int bad = 0;
  for (size_t q = 0; q < n; q++) bad |= rv_xsum_add(&acc[q], v[q]);
  return bad;
}

double rv_xsum_value(rv_i128 acc) {
  /* One correctly rounded 128-bit conversion, then an exact power-of-two
   * scaling (converting the halves separately would round twice). */
  const int negative = acc < 0;
  const unsigned __int128 a = negative ? -(unsigned __int128)acc : (unsigned __int128)acc;
  const double v = ldexp((double)a, -RV_XSUM_FRAC_BITS);
  return negative ? -v : v;
}

int rv_moments_add(rv_moments_t *m, double v) {
  if (rv_xsum_add(&m->sum, v) != 0) return -1;
  m->n += 1;
  return 0;
}

int rv_moments_add_dev(rv_moments_t *m, double v, double mean) {
  const double d = v - mean;
  return rv_xsum_add(&m->m2, d * d);
}

double rv_moments_mean(const rv_moments_t *m) {
  return m->n > 0 ? rv_xsum_value(m->sum) / (double)m->n : NAN;
}
