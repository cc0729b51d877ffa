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

void rv_moments_spread(const double *v, size_t n, double mean, double spread[3]) {
  spread[0] = spread[1] = spread[2] = -INFINITY;
  for (size_t q = 0; q < n; q++) {
    if (isnan(v[q])) continue;
    spread[0] = fmax(spread[0], fabs(v[q] - mean));
    spread[1] = fmax(spread[1], v[q]);
    spread[2] = fmax(spread[2], -v[q]);
  }
}

int rv_moments_scale(const double spread[3]) {
  if (!(spread[1] > -spread[2])) return RV_MOMENTS_CONSTANT; /* max == min, or no value */
  int e = 0;
  frexp(spread[0], &e); /* spread[0] = f 2^e, 0.5 <= f < 1 */
  return e;
}

int rv_moments_add_dev(rv_moments_t *m, double v, double mean, int e) {
  if (e == RV_MOMENTS_CONSTANT) return 0;
  const double d = ldexp(v - mean, -e); /* a power of two: exact (unless subnormal) */
  if (!(fabs(d) < 1.0)) return -1;
  m->m2 += (rv_i128)nearbyint(ldexp(d * d, RV_MOMENTS_DEV_BITS));
  return 0;
}

double rv_moments_m2(const rv_moments_t *m, int e) {
  if (e == RV_MOMENTS_CONSTANT) return 0.0;
  /* One rounding to double, then exact power-of-two scalings. */
  return ldexp(rv_xsum_value(m->m2), RV_XSUM_FRAC_BITS - RV_MOMENTS_DEV_BITS + 2 * e);
}

double rv_moments_mean(const rv_moments_t *m) {
  return m->n > 0 ? rv_xsum_value(m->sum) / (double)m->n : NAN;
}
