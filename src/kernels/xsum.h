/* Exact, order-independent sums of doubles.
 *
 * Each value is rounded once to a fixed-point grid of 2^-52 and added as a
 * 128-bit integer. Integer addition is associative, so the sum of the same
 * values is bitwise the same whatever the grouping: by rank, by block, or
 * in MPI's reduction tree. This is what makes receval's reports identical
 * at any rank count. Values must satisfy |v| <= 2^40 (rv_xsum_add reports
 * otherwise); with 2^30 terms the sum stays below 2^122. */
#ifndef RV_KERNELS_XSUM_H
#define RV_KERNELS_XSUM_H
#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 rv_i128;

#define RV_XSUM_FRAC_BITS 52
#define RV_XSUM_MAX_ABS 1099511627776.0 /* 2^40 */

/* v on the fixed-point grid: the one rounding rv_xsum_add makes. v must be
 * finite with |v| <= RV_XSUM_MAX_ABS. Adding it as an integer equals
 * rv_xsum_add(acc, v), bit for bit: for a value added many times. */
rv_i128 rv_xsum_fix(double v);
/* Adds v to *acc. Returns 0, or -1 when v is NaN, infinite or too large. */
int rv_xsum_add(rv_i128 *acc, double v);
/* acc[q] += v[q] for q < n. Returns 0, or -1 as rv_xsum_add. */
int rv_xsum_add_array(rv_i128 *acc, const double *v, size_t n);
/* The double nearest to the fixed-point value acc (scaled back). */
double rv_xsum_value(rv_i128 acc);

/* Accumulator of one user-decomposable metric: the exact sum and count
 * (first pass), then the exact sum of squared deviations from the mean
 * (second pass, once the global mean is known). Two passes keep the
 * variance exact enough that a constant sample has a zero-width interval. */
typedef struct rv_moments {
  rv_i128 sum;
  rv_i128 m2;
  rv_i128 n;
} rv_moments_t;

/* First pass: adds one value. Returns 0 or -1 as rv_xsum_add. */
int rv_moments_add(rv_moments_t *m, double v);
/* Second pass: adds (v - mean)^2. */
int rv_moments_add_dev(rv_moments_t *m, double v, double mean);
/* The mean after the first pass (NaN when n = 0). */
double rv_moments_mean(const rv_moments_t *m);

#endif
