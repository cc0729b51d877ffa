/* Streaming top-k selection with deterministic ties.
 *
 * Order: higher score first; equal scores by the smaller item index (a total
 * order, so the selection is unique). A selector keeps a threshold, the
 * score of the k-th best candidate at its last purge, and appends every
 * candidate above it to a buffer of RV_TOPK_CAPACITY(k) slots; when the
 * buffer is full it keeps the best k (a selection in linear time) and raises
 * the threshold. Almost every score is rejected by one vector compare, and
 * an accepted one costs an append instead of a heap update. A slot holds a
 * candidate as one 64-bit key whose unsigned order is receval's order (the
 * score's bits made monotone, then the complemented item index), so the
 * selection compares plain integers, without branches.
 * Candidates must be pushed in increasing item order within one selector
 * (true for tiles scanned left to right): then a later item with a score
 * equal to the threshold can never win its tie, and `s > thr` is the whole
 * test. Scores of -INFINITY (masked items) and NaN are never selected; a
 * selected -0.0 is reported as +0.0 (they compare equal). */
#ifndef RV_KERNELS_TOPK_H
#define RV_KERNELS_TOPK_H
#include <stdint.h>

typedef struct rv_cand {
  float score;
  int32_t item;
} rv_cand_t;

/* One buffer slot: a candidate encoded as an order-preserving key. */
typedef uint64_t rv_topk_slot_t;

/* Slots of storage a selector for k needs: room for 3k + 64 candidates
 * between purges, each purge costing O(capacity). */
#define RV_TOPK_CAPACITY(k) ((k) > 0 ? 4 * (k) + 64 : 1)

typedef struct rv_topk {
  rv_topk_slot_t *buf; /* RV_TOPK_CAPACITY(k) slots, caller-owned */
  int k;
  int cap;
  int n;     /* candidates held, <= cap */
  float thr; /* -INFINITY until the first purge, then the k-th best score seen by the last purge */
} rv_topk_t;

/* Starts an empty selector over caller-owned storage of RV_TOPK_CAPACITY(k)
 * slots. */
void rv_topk_init(rv_topk_t *t, rv_topk_slot_t *storage, int k);

/* Offers scores s[0..n) of items item0, item0+1, ... */
void rv_topk_push_row(rv_topk_t *t, const float *s, int n, int32_t item0);

/* Writes the selection best-first into items/scores (k entries each); slots
 * past the selection are padded with item -1 and score NaN. Returns the
 * number selected. The selector is left empty. */
int rv_topk_finish(rv_topk_t *t, int32_t *items, float *scores);

/* The same selection as order keys, best first, padded with key 0 (below
 * every candidate) to k. Returns the number selected; leaves it empty. */
int rv_topk_finish_keys(rv_topk_t *t, rv_topk_slot_t *keys);

/* Decodes k best-first keys (0 = empty: item -1, score NaN). Returns the
 * number of candidates. */
int rv_topk_decode(const rv_topk_slot_t *keys, int k, int32_t *items, float *scores);

/* out = the best k of two best-first key lists of k (padded with 0) over
 * disjoint item sets: the selection of their union. out aliases neither. */
void rv_topk_merge(const rv_topk_slot_t *a, const rv_topk_slot_t *b, int k, rv_topk_slot_t *out);

/* 1 if a ranks before b in receval's order. */
static inline int rv_cand_better(rv_cand_t a, rv_cand_t b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

#endif
