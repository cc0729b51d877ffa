/* Geometry of one recommendation list on the unit item embeddings, computed
 * in one pass for every cutoff: the cosine of each item with the user's
 * profile, and the sum of pairwise cosines of each prefix of the list. */
#ifndef RV_KERNELS_LISTGEOM_H
#define RV_KERNELS_LISTGEOM_H
#include <stdint.h>

/* unit: n_items x d unit vectors (zero rows allowed); items[0..len).
 * profile (d floats) may be NULL: prof_cos is then not written.
 * pairs = 0 skips pair_cos. Outputs:
 *   prof_cos[r] = e_{items[r]} . profile        (r < len)
 *   pair_cos[r] = sum_{i<j<r} e_i . e_j         (r <= len)
 * via the running sum S_r: pair_cos[r+1] = pair_cos[r] + S_r . e_r.
 * S is d doubles of scratch. */
void rv_list_geometry(const float *unit, int d, const int32_t *items, int len, const float *profile,
                      int pairs, double *prof_cos, double *pair_cos, double *S);

/* The unit mean of rows items[0..n) of unit (d floats each) into out:
 * summed in double, in order; a zero sum stays zero. Returns 0 for n = 0
 * (out untouched), else 1. acc is d doubles of scratch. */
int rv_profile_mean(const float *unit, int d, const int32_t *items, int64_t n, double *acc, float *out);
/* out = acc / ||acc|| (d values; a zero sum stays zero): the last step of
 * rv_profile_mean, for sums gathered another way (fetched shard rows). */
void rv_profile_unit(const double *acc, int d, float *out);

/* Asks the cache for rows items[0..n) of unit (d floats each), ahead of a
 * later rv_list_geometry or rv_profile_mean on them: each row is a few
 * cache lines picked at random from a matrix that does not fit in L2. */
void rv_prefetch_rows(const float *unit, int d, const int32_t *items, int64_t n);

#endif
