/* Similarity blocks: scores of a block of users against a tile of items.
 * Plain arrays, row-major, float32; no MPI, no HDF5. */
#ifndef RV_KERNELS_SCORE_H
#define RV_KERNELS_SCORE_H
#include <stddef.h>
#include <stdint.h>

typedef enum rv_similarity { RV_SIM_COSINE = 0, RV_SIM_DOT = 1, RV_SIM_EUCLIDEAN = 2 } rv_similarity_t;

/* Fixes the BLAS to one thread in this process. receval runs one rank per
 * core, and a threaded sgemm splits its work by thread count, which changes
 * the kernel path and hence the bits of the scores. */
void rv_score_init(void);

/* Scales each of the n rows of x (n x d) to unit L2 norm, in place; the norm
 * is accumulated in double. A zero row stays zero (its cosine with anything
 * is then 0: defined behaviour, see docs/metrics.md). */
void rv_rows_normalize(float *x, size_t n, int d);

/* out[r] = ||x_r||^2 for the n rows of x (n x d), accumulated in double. */
void rv_rows_sqnorm(const float *x, size_t n, int d, float *out);

/* S (nu x ni, leading dimension lds) = scores of users U (nu x d) against
 * items V (ni x d) for the similarity sim:
 *   cosine, dot: S = U V^T (rows must be pre-normalised for cosine);
 *   euclidean:   S = -(||u||^2 + ||i||^2 - 2 u.i), i.e. minus the squared
 *                distance, given unorm2 (nu) and inorm2 (ni); clamped to <= 0.
 * One sgemm call; unorm2/inorm2 may be NULL unless sim is euclidean.
 * s_is_zero = 1 promises that the nu x ni region of S holds zeros on entry:
 * the product is then added to it (beta = 1), which gives the same bits and
 * spares the BLAS's separate zero-fill pass over S (the caller re-zeroes
 * each row right after consuming it, while the row is still in cache). */
void rv_score_block(rv_similarity_t sim, const float *U, int nu, const float *V, int ni, int d,
                    const float *unorm2, const float *inorm2, float *S, int lds, int s_is_zero);

/* Largest L2 norm (accumulated in double) of the n rows of x (n x d); *row
 * is the first row reaching it (-1 when n == 0, norm 0). */
double rv_rows_maxnorm(const float *x, size_t n, int d, int64_t *row);

/* Upper bound of |score| and of every partial sum rv_score_block computes
 * for users of norm <= unorm and items of norm <= inorm: unorm * inorm for
 * dot, (unorm + inorm)^2 = |u|^2 + |v|^2 + 2|u||v| for euclidean, 1 for
 * cosine (unit rows; normalisation sums squares in double, which cannot
 * overflow for float components). Exact arithmetic; see rv_score_bound_safe. */
double rv_score_bound(rv_similarity_t sim, double unorm, double inorm);
/* 1 when bound, enlarged by the float32 rounding of a d-term sgemm
 * accumulation ((1 + eps)^(d + 4) <= 1 + (d + 4) 2^-23), stays below
 * FLT_MAX: no score can then overflow. */
int rv_score_bound_safe(double bound, int d);
/* 1 when the first n entries of each of the rows rows of x (leading
 * dimension ld) are all finite. */
int rv_rows_finite(const float *x, int rows, int n, int ld);

/* acc (d x d, row-major) += x y^T: x float, y double (plain loops in a fixed
 * order, so the same inputs give the same bits anywhere). */
void rv_outer_add(double *acc, const float *x, const double *y, int d);

/* Each of the n rows x (d floats) becomes (x - mu) W, W row-major d x d,
 * summed in double in index order (scratch: d doubles). */
void rv_rows_affine(float *x, size_t n, int d, const double *mu, const double *W, double *scratch);

/* out[t] = score of user vector u against items V[idx[t]] (t < n), the same
 * similarity as rv_score_block (dot product accumulated in double, rounded
 * to float): for single pairs (training, model metrics), where a whole
 * block would waste work. unorm2/inorm2 as above (euclidean only). */
void rv_score_pairs(rv_similarity_t sim, const float *u, float unorm2, const float *V,
                    const float *inorm2, int d, const int32_t *idx, int64_t n, float *out);

/* Mean of the rows of items (n_items x d) listed in idx[0..n), accumulated
 * in double (scratch: d doubles) in the order given; zero when n == 0. */
void rv_pool_mean(const float *items, int d, const int32_t *idx, int64_t n, double *scratch,
                  float *out);

#endif
