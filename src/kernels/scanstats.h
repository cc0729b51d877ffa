/* Statistics counted while scores stream past, before they are discarded:
 * a score histogram (for I(S;Y)) and the exact ranks of each user's test
 * items among all candidates (for AUC). Plain arrays; no MPI, no HDF5.
 *
 * AUC needs, for every test item j of a user, how many candidates score
 * above t_j and how many tie with it, over the whole catalogue, but t_j's
 * exact float is only known when its tile is scored. So t_j is first
 * bracketed, [lo_j, hi_j], from a double-precision dot product and a
 * rigorous bound on sgemm's rounding error (|fl(u.e) - u.e| <= gamma_d
 * sum |u_k e_k|); a candidate above hi_j is certainly above t_j, one below
 * lo_j certainly not, and the rare one inside the bracket is kept and
 * compared exactly once t_j is known. Exact, one pass, and nearly free when
 * the test items score high (most candidates fall below every bracket). */
#ifndef RV_KERNELS_SCANSTATS_H
#define RV_KERNELS_SCANSTATS_H
#include <stdint.h>

typedef struct rv_hist {
  int bins;
  double lo, inv_width; /* bin(s) = floor((s - lo) * inv_width), clamped to [0, bins) */
  int32_t *lanes;       /* bins x 8 partial counts: 8 independent store chains */
  int64_t *total;       /* bins: lanes flushed before they could overflow */
  int64_t pending;      /* increments in lanes since the last flush */
  int32_t *idx;         /* scratch: one row's bins */
} rv_hist_t;

/* Bin of one score, in double arithmetic (float would move exact scores
 * such as 0 across a bin edge); rv_hist_row bins every score with it. -inf (a
 * masked item) and NaN land in bin 0. */
static inline int rv_hist_bin_of(double lo, double inv_width, double top, float s) {
  double x = ((double)s - lo) * inv_width;
  x = x > 0.0 ? x : 0.0;
  x = x < top ? x : top;
  return (int)x;
}
static inline int rv_hist_bin(const rv_hist_t *h, float s) {
  return rv_hist_bin_of(h->lo, h->inv_width, (double)(h->bins - 1), s);
}
/* Counts every score of a row, masked ones included (in bin 0): the caller
 * takes the user's masked items back out of bin 0 (their number is known),
 * which keeps this loop free of branches. */
void rv_hist_row(rv_hist_t *h, const float *s, int n);
/* out[2b] += count of bin b (non-relevant and relevant not yet split). */
void rv_hist_collect(const rv_hist_t *h, int64_t *out);

/* Ambiguous candidates, resolved once the exact test scores are known. */
typedef struct rv_amb {
  float *s;
  int64_t *j; /* index of the test entry (a rank may hold more than 2^31) */
  int64_t n, cap;
} rv_amb_t;

/* Bracket of one test score: the float t computed by sgemm satisfies
 * lo <= t <= hi (both floats, rounded outwards). d = dimension, u and e the
 * vectors fed to sgemm; euclidean adds the squared norms. */
void rv_auc_bracket(const float *u, const float *e, int d, int euclidean, float un2, float en2,
                    float *lo, float *hi);

/* One row of a user's scores: for the user's m test entries (brackets
 * lo[0..m), hi[0..m); entry indices j0..j0+m), counts in gt[j0 + t] the
 * candidates certainly above test score t (s > hi) and appends the
 * ambiguous ones (lo <= s <= hi) to amb. Returns -1 when amb could not grow. */
int rv_auc_scan_row(const float *s, int n, int m, const float *lo, const float *hi, int64_t j0,
                    int64_t *gt, rv_amb_t *amb);

/* Resolves ambiguous entries against exact test scores t[] (by entry index):
 * gt[j]++ when s > t[j], eq[j]++ when s == t[j]. Empties amb. */
void rv_auc_resolve(rv_amb_t *amb, const float *t, int64_t *gt, int64_t *eq);

/* The user's AUC from the counts of its m test entries (t = exact scores,
 * -INFINITY for test items that are not candidates) and n_cand candidates:
 * removes the positives' own contributions, then rv_auc_from_counts. */
double rv_auc_user(int m, const float *t, int64_t *gt, int64_t *eq, int64_t n_cand);

#endif
