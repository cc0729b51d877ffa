#include "kernels/stats.h"

#include <math.h>

/* Continued fraction for I_x(a,b) (modified Lentz), valid for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x) {
  const double tiny = 1e-300, eps = 1e-16;
  double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
  if (fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double f = d;
  for (int m = 1; m <= 1000; m++) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    f *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + num * d;
    c = 1.0 + num / c;
    if (fabs(d) < tiny) d = tiny;
    if (fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    f *= delta;
    if (fabs(delta - 1.0) < eps) break;
  }
  return f;
}

double rv_betainc(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return exp(lfront) * betacf(a, b, x) / a;
  /* Symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the fraction converges. */
  return 1.0 - exp(lfront) * betacf(b, a, 1.0 - x) / b;
}

double rv_t_cdf(double t, double nu) {
  const double x = nu / (nu + t * t);
  const double tail = 0.5 * rv_betainc(0.5 * nu, 0.5, x); /* P(T > |t|) */
  return t >= 0.0 ? 1.0 - tail : tail;
}

double rv_t_quantile(double q, double nu) {
  if (q == 0.5) return 0.0;
  if (q < 0.5) return -rv_t_quantile(1.0 - q, nu);
  /* Bracket then bisect: monotone, robust, 200 halvings reach full precision. */
  double lo = 0.0, hi = 1.0;
  while (rv_t_cdf(hi, nu) < q && hi < 1e300) hi *= 2.0;
  for (int it = 0; it < 200; it++) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    if (rv_t_cdf(mid, nu) < q)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

void rv_ci95(double mean, double m2, int64_t n, double *lo, double *hi) {
  if (n <= 0) {
    *lo = *hi = NAN;
    return;
  }
  if (n == 1) {
    *lo = *hi = mean;
    return;
  }
  const double dn = (double)n;
  const double half = rv_t_quantile(0.975, dn - 1.0) * sqrt(m2 / (dn - 1.0) / dn);
  *lo = mean - half;
  *hi = mean + half;
}
