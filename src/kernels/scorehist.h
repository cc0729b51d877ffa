/* The score histogram of mi_score_relevance, counted while scores stream
 * past: every score of the full catalogue, one increment each, so it must
 * cost far less than the score itself. Plain arrays; no MPI, no HDF5.
 *
 * Bins lie on a dyadic grid: width w = 2^e and origin o a multiple of w.
 * Then the bin floor((s - o) / w) = floor(s * 2^-e) - o/w is computed in
 * float arithmetic exactly (scaling by a power of two is exact, floor is
 * exact, and the difference of two small integers is exact), so the bin of
 * a float score is the one real arithmetic gives, with no slack at edges,
 * and eight scores are binned with a handful of vector instructions.
 *
 * With at most 64 bins, scores are counted in pairs: one 32-bit counter
 * per (bin of score q, bin of score q + 8) in a 64 x 64 table (16 KB, in
 * L1), so a row of n scores costs n/2 increments instead of n; the table's
 * two marginals are folded into the totals before a counter could wrap.
 * (16-bit counters halve the table but measured slower: their increments
 * cost more than the extra L1 lines.) More bins use one increment per score
 * spread over 8 lanes. */
#ifndef RV_KERNELS_SCOREHIST_H
#define RV_KERNELS_SCOREHIST_H
#include <math.h>
#include <stdint.h>

#define RV_HIST_PAIR_BINS 64

typedef struct rv_hist {
  int bins;
  float scale;   /* 1 / w, a power of two */
  float base;    /* o / w, an integer */
  float top;     /* bins - 1 */
  uint32_t *pair; /* bins <= RV_HIST_PAIR_BINS: 64 x 64 pair counts */
  int32_t *lanes; /* more bins: bins x 8 partial counts */
  int64_t *total; /* bins: exact counts folded from pair or lanes */
  int64_t pending; /* increments since the last fold */
  int32_t *idx;   /* scratch: one row's bins */
} rv_hist_t;

/* The grid for scores in [lo, hi] (lo <= 0 <= hi): the smallest power-of-two
 * width w such that `bins` bins from o = floor(lo / w) w cover hi. */
void rv_hist_grid(double lo, double hi, int bins, double *width, double *origin);

/* Allocates h for `bins` bins on the grid (width, origin) and rows of up to
 * max_row scores; 0, or -1 when out of memory. */
int rv_hist_init(rv_hist_t *h, int bins, double width, double origin, int max_row);
void rv_hist_free(rv_hist_t *h);

/* Bin of one score: floor(s / w) - o / w, clamped to [0, bins). -inf (a
 * masked item) and NaN land in bin 0. A negative score so small that
 * s / w rounds to -0 (only when w > 1) is put below 0, where it belongs.
 * rv_hist_row bins every score with exactly these operations. */
static inline float rv_hist_binf(float scale, float base, float top, float s) {
  float f = floorf(s * scale);
  f = (f == 0.0f && s < 0.0f) ? -1.0f : f;
  float x = f - base;
  x = x > 0.0f ? x : 0.0f; /* NaN > 0 is false: NaN goes to 0 */
  x = x < top ? x : top;
  return x;
}
static inline int rv_hist_bin(const rv_hist_t *h, float s) {
  return (int)rv_hist_binf(h->scale, h->base, h->top, s);
}

/* Folds the partial counters (pair table or lanes) into the totals. */
void rv_hist_fold(rv_hist_t *h);

/* Counts every score of a row, masked ones included (in bin 0): the caller
 * takes the user's masked items back out of bin 0 (their number is known),
 * which keeps this loop free of branches. n <= max_row. */
void rv_hist_row(rv_hist_t *h, const float *s, int n);
/* out[2b] += count of bin b (non-relevant and relevant not yet split). */
void rv_hist_collect(rv_hist_t *h, int64_t *out);

#endif
