/* Small statistics: Student-t quantiles and confidence intervals of means. */
#ifndef RV_KERNELS_STATS_H
#define RV_KERNELS_STATS_H
#include <stdint.h>

/* Regularised incomplete beta function I_x(a, b), a, b > 0, 0 <= x <= 1. */
double rv_betainc(double a, double b, double x);
/* Student-t cumulative distribution with nu > 0 degrees of freedom. */
double rv_t_cdf(double t, double nu);
/* Quantile q in (0, 1) of Student's t with nu degrees of freedom. */
double rv_t_quantile(double q, double nu);

/* Two-sided 95% Student-t interval of a mean of n values whose squared
 * deviations from the mean sum to m2. n = 0 gives NaN; n = 1 a zero-width
 * interval (no spread can be estimated). */
void rv_ci95(double mean, double m2, int64_t n, double *lo, double *hi);

#endif
