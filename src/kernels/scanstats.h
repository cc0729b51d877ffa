/* The exact ranks of each user's test items among all candidates (for
 * AUC), counted while scores stream past, before they are discarded. Plain
 * arrays; no MPI, no HDF5. (The score histogram is in scorehist.h.)
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

/* Ambiguous candidates, resolved once the exact test scores are known. */
typedef struct rv_amb {
  float *s;
  int64_t *j; /* index of the test entry (a rank may hold more than 2^31) */
  int64_t n, cap;
} rv_amb_t;

/* Appends (s, j) to amb; -1 when it cannot grow. */
int rv_amb_push(rv_amb_t *a, float s, int64_t j);

/* Bracket of one test score: the float t computed by sgemm satisfies
 * lo <= t <= hi (both floats, rounded outwards). d = dimension, u and e the
 * vectors fed to sgemm; euclidean adds the squared norms. */
void rv_auc_bracket(const float *u, const float *e, int d, int euclidean, float un2, float en2,
                    float *lo, float *hi);

/* One row of a user's scores, s[0..n) for items t0..t0+n: for the user's m
 * test entries (items[0..m), brackets lo[0..m), hi[0..m); entry indices
 * j0..j0+m), counts in gt[j0 + t] the candidates certainly above test score
 * t (s > hi) and appends the ambiguous ones (lo <= s <= hi) to amb. A test
 * item's own score lies in its own bracket: it is counted at once as the tie
 * with itself (eq[j0 + t]) rather than resolved later, so the row is read
 * again only when some other score falls inside a bracket, which is rare.
 * Returns -1 when amb could not grow. */
int rv_auc_scan_row(const float *s, int n, int32_t t0, int m, const int32_t *items, const float *lo,
                    const float *hi, int64_t j0, int64_t *gt, int64_t *eq, rv_amb_t *amb);

/* Test entry j (item, bracket [l, h]) after a row s[0..n) of items t0..
 * was counted: `above` scores > h, `reach` scores >= l. Adds above to gt[j];
 * the item's own score, when in the row and inside, to eq[j]; and, only if
 * some other score fell inside, finds those and appends them to amb.
 * rv_auc_scan_row's second half, shared with kernels/rowscan.c. */
int rv_auc_settle(const float *s, int n, int32_t t0, int32_t item, float l, float h, int above, int reach,
                  int64_t j, int64_t *gt, int64_t *eq, rv_amb_t *amb);

/* Resolves ambiguous entries against exact test scores t[] (by entry index):
 * gt[j]++ when s > t[j], eq[j]++ when s == t[j]. Empties amb. */
void rv_auc_resolve(rv_amb_t *amb, const float *t, int64_t *gt, int64_t *eq);

/* The user's AUC from the counts of its m test entries (t = exact scores,
 * -INFINITY for test items that are not candidates) and n_cand candidates:
 * removes the positives' own contributions, then rv_auc_from_counts. */
double rv_auc_user(int m, const float *t, int64_t *gt, int64_t *eq, int64_t n_cand);

#endif
