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
#include <limits.h>
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
 * (first pass), then the sum of squared deviations from the mean (second
 * pass, once the global mean is known) on a grid that follows the spread:
 * each deviation d is scaled by 2^-e, e the exponent of the largest |d| (so
 * |d 2^-e| < 1), and (d 2^-e)^2 is rounded to the grid of 2^-80 and added
 * as an integer (terms below 2^80, sums below 2^120 for 2^40 users). m2 is
 * then exact to a relative 2^-80 of the largest squared deviation, however
 * small the spread (a spread of 1e-12 no longer rounds every term to 0) or
 * large. Every rank uses the same e (from global maxima), so m2 is still an
 * order-independent integer sum: the same bits at any rank count. A
 * constant sample has m2 = 0 exactly (a zero-width interval). */
typedef struct rv_moments {
  rv_i128 sum;
  rv_i128 m2;
  rv_i128 n;
} rv_moments_t;

/* First pass: adds one value. Returns 0 or -1 as rv_xsum_add. */
int rv_moments_add(rv_moments_t *m, double v);
#define RV_MOMENTS_CONSTANT INT_MIN /* rv_moments_scale: every value is the same */
#define RV_MOMENTS_DEV_BITS 80         /* the second pass's grid, relative to 2^(2e) */
/* spread[0..3) = max |v - mean|, max v, -min v over the non-NaN v[0..n)
 * (-inf when there are none): combine ranks' with MPI_MAX. */
void rv_moments_spread(const double *v, size_t n, double mean, double spread[3]);
/* The exponent e of the second pass from the global spread, or
 * RV_MOMENTS_CONSTANT when the values are all the same (or there are none). */
int rv_moments_scale(const double spread[3]);
/* Second pass: adds (v - mean)^2 at scale e (nothing when e is
 * RV_MOMENTS_CONSTANT). Returns 0, or -1 when |v - mean| >= 2^e (e too
 * small for this value: not the global scale). */
int rv_moments_add_dev(rv_moments_t *m, double v, double mean, int e);
/* The sum of squared deviations after the second pass at scale e. */
double rv_moments_m2(const rv_moments_t *m, int e);
/* The mean after the first pass (NaN when n = 0). */
double rv_moments_mean(const rv_moments_t *m);

#endif
