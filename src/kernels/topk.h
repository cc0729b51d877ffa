/* Streaming top-k selection with deterministic ties.
 *
 * Order: higher score first; equal scores by the smaller item index. A
 * selector keeps the best k candidates seen so far in a heap whose root is
 * the worst of them, and a threshold (the root's score once full) so that
 * almost every candidate is rejected by one comparison. Candidates must be
 * pushed in increasing item order within one selector (true for tiles
 * scanned left to right): then a later item with a score equal to the
 * threshold can never win its tie, and `s > thr` is the whole test.
 * Scores of -INFINITY (masked items) and NaN are never selected. */
#ifndef RV_KERNELS_TOPK_H
#define RV_KERNELS_TOPK_H
#include <stdint.h>

typedef struct rv_cand {
  float score;
  int32_t item;
} rv_cand_t;

typedef struct rv_topk {
  rv_cand_t *heap; /* k slots, caller-owned */
  int k;
  int n;     /* candidates held, <= k */
  float thr; /* -INFINITY until full, then the worst held score */
} rv_topk_t;

/* Starts an empty selector over caller-owned storage of k slots. */
void rv_topk_init(rv_topk_t *t, rv_cand_t *storage, int k);

/* Offers scores s[0..n) of items item0, item0+1, ... */
void rv_topk_push_row(rv_topk_t *t, const float *s, int n, int32_t item0);

/* Writes the selection best-first into items/scores (k entries each); slots
 * past the selection are padded with item -1 and score NaN. Returns the
 * number selected. The selector is left empty. */
int rv_topk_finish(rv_topk_t *t, int32_t *items, float *scores);

/* 1 if a ranks before b in receval's order. */
static inline int rv_cand_better(rv_cand_t a, rv_cand_t b) {
  return a.score > b.score || (a.score == b.score && a.item < b.item);
}

#endif
