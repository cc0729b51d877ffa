#include "kernels/topk.h"

#include <math.h>
#include <stdlib.h>

void rv_topk_init(rv_topk_t *t, rv_cand_t *storage, int k) {
  t->heap = storage;
  t->k = k;
  t->n = 0;
  t->thr = -INFINITY;
}

/* Heap order: parent is worse than (ranks after) its children. */
static void sift_down(rv_cand_t *h, int n, int i) {
  const rv_cand_t x = h[i];
  for (;;) {
    int c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && rv_cand_better(h[c], h[c + 1])) c++; /* the worse child */
    if (!rv_cand_better(x, h[c])) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = x;
}

static void sift_up(rv_cand_t *h, int i) {
  const rv_cand_t x = h[i];
  while (i > 0) {
    const int p = (i - 1) / 2;
    if (!rv_cand_better(h[p], x)) break;
    h[i] = h[p];
    i = p;
  }
  h[i] = x;
}

static void offer(rv_topk_t *t, float s, int32_t item) {
  if (t->n < t->k) {
    t->heap[t->n] = (rv_cand_t){s, item};
    sift_up(t->heap, t->n++);
    if (t->n == t->k) t->thr = t->heap[0].score;
  } else {
    t->heap[0] = (rv_cand_t){s, item};
    sift_down(t->heap, t->n, 0);
    t->thr = t->heap[0].score;
  }
}

void rv_topk_push_row(rv_topk_t *t, const float *s, int n, int32_t item0) {
  if (t->k == 0) return;
  int j = 0;
  /* Blocks of 16: one max over the block decides whether to look closer.
   * Written without branches so the compiler can vectorise it. */
  for (; j + 16 <= n; j += 16) {
    float m = -INFINITY; /* not s[j]: a NaN there would hide the whole block */
    for (int q = 0; q < 16; q++) m = s[j + q] > m ? s[j + q] : m;
    if (!(m > t->thr)) continue;
    for (int q = 0; q < 16; q++)
      if (s[j + q] > t->thr) offer(t, s[j + q], item0 + j + q);
  }
  for (; j < n; j++)
    if (s[j] > t->thr) offer(t, s[j], item0 + j);
}

static int cmp_best_first(const void *pa, const void *pb) {
  const rv_cand_t a = *(const rv_cand_t *)pa, b = *(const rv_cand_t *)pb;
  if (rv_cand_better(a, b)) return -1;
  if (rv_cand_better(b, a)) return 1;
  return 0;
}

int rv_topk_finish(rv_topk_t *t, int32_t *items, float *scores) {
  const int n = t->n;
  qsort(t->heap, (size_t)n, sizeof(rv_cand_t), cmp_best_first);
  for (int r = 0; r < n; r++) {
    items[r] = t->heap[r].item;
    scores[r] = t->heap[r].score;
  }
  for (int r = n; r < t->k; r++) {
    items[r] = -1;
    scores[r] = NAN;
  }
  t->n = 0;
  t->thr = -INFINITY;
  return n;
}
