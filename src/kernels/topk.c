#include "kernels/topk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rv_topk_init(rv_topk_t *t, rv_topk_slot_t *storage, int k) {
  t->buf = storage;
  t->k = k;
  t->cap = RV_TOPK_CAPACITY(k);
  t->n = 0;
  t->thr = -INFINITY;
}

/* Key of (s, item): the float's bits mapped so that unsigned order is float
 * order (sign bit flipped for s >= 0, all bits flipped for s < 0), in the
 * high half; the complemented item in the low half, so that on equal scores
 * the smaller item has the larger key. s is never NaN here; -0.0 is taken
 * as +0.0 so that equal scores have equal high halves. */
static inline rv_topk_slot_t encode(float s, int32_t item) {
  if (s == 0.0f) s = 0.0f;
  uint32_t u;
  memcpy(&u, &s, sizeof u);
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return ((uint64_t)u << 32) | (uint64_t)(0xFFFFFFFFu - (uint32_t)item);
}

static inline float key_score(rv_topk_slot_t key) {
  uint32_t u = (uint32_t)(key >> 32);
  u = (u & 0x80000000u) ? (u & 0x7FFFFFFFu) : ~u;
  float s;
  memcpy(&s, &u, sizeof s);
  return s;
}

static inline int32_t key_item(rv_topk_slot_t key) {
  return (int32_t)(0xFFFFFFFFu - (uint32_t)key);
}

/* Rearranges a[0..n) so that a[0..k) hold the k largest keys and a[k-1] is
 * the smallest of them (0 < k <= n; keys are distinct). Quickselect with a
 * median-of-three pivot and a branch-free partition. */
static void select_largest(rv_topk_slot_t *a, int n, int k) {
  int lo = 0, hi = n; /* the k-th largest lies in a[lo..hi) */
  const int want = k - 1;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2, last = hi - 1;
    /* median of a[lo], a[mid], a[last] moved to a[last] as the pivot */
    const rv_topk_slot_t x = a[lo], y = a[mid], z = a[last];
    const int m = (x > y) == (x < z) ? lo : (y > x) == (y < z) ? mid : last;
    const rv_topk_slot_t p = a[m];
    a[m] = a[last];
    a[last] = p;
    int st = lo;
    for (int i = lo; i < last; i++) {
      const rv_topk_slot_t v = a[i];
      a[i] = a[st];
      a[st] = v;
      st += v > p;
    }
    a[last] = a[st];
    a[st] = p; /* a[lo..st) > p = a[st] > a(st..hi) */
    if (st == want) return;
    if (want < st)
      hi = st;
    else
      lo = st + 1;
  }
}

/* Keeps the best k of the buffer and raises the threshold to the k-th. */
static void purge(rv_topk_t *t) {
  select_largest(t->buf, t->n, t->k);
  t->n = t->k;
  t->thr = key_score(t->buf[t->k - 1]);
}

static inline void append(rv_topk_t *t, float s, int32_t item) {
  t->buf[t->n] = encode(s, item);
  if (++t->n == t->cap) purge(t);
}

/* Rows are scanned in chunks of 64 scores: one vector compare per 8 scores
 * against the threshold, OR-ed together, decides whether the chunk holds any
 * candidate at all; once k candidates were seen almost every chunk is
 * rejected there. In a chunk that passes, each group of 8 gives a bit mask of
 * its candidates, taken lowest bit first (increasing item order), with no
 * branch per score; after a purge raised the threshold the group's mask is
 * recomputed. NaN compares false and is never taken. */
#if defined(__AVX2__)
#include <immintrin.h>
static inline unsigned group_mask(const float *s, float thr) {
  return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s), _mm256_set1_ps(thr), _CMP_GT_OQ));
}

static int chunk_any_above(const float *s, float thr) {
  const __m256 t = _mm256_set1_ps(thr);
  __m256 m = _mm256_cmp_ps(_mm256_loadu_ps(s), t, _CMP_GT_OQ);
  for (int q = 8; q < 64; q += 8) m = _mm256_or_ps(m, _mm256_cmp_ps(_mm256_loadu_ps(s + q), t, _CMP_GT_OQ));
  return _mm256_movemask_ps(m);
}
#else
static inline unsigned group_mask(const float *s, float thr) {
  unsigned m = 0;
  for (int q = 0; q < 8; q++) m |= (unsigned)(s[q] > thr) << q;
  return m;
}

static int chunk_any_above(const float *s, float thr) {
  int any = 0;
  for (int q = 0; q < 64; q++) any |= s[q] > thr;
  return any;
}
#endif

static void push_chunk(rv_topk_t *t, const float *s, int32_t item0) {
  for (int g = 0; g < 64; g += 8) {
    unsigned m = group_mask(s + g, t->thr);
    while (m) {
      const int b = __builtin_ctz(m);
      m &= m - 1;
      append(t, s[g + b], item0 + g + b);
      if (t->n == t->k) m &= group_mask(s + g, t->thr); /* purged: the threshold rose */
    }
  }
}

void rv_topk_push_row(rv_topk_t *t, const float *s, int n, int32_t item0) {
  if (t->k == 0) return;
  int j = 0;
  for (; j + 64 <= n; j += 64)
    if (chunk_any_above(s + j, t->thr)) push_chunk(t, s + j, item0 + j);
  for (; j < n; j++)
    if (s[j] > t->thr) append(t, s[j], item0 + j);
}

static int cmp_key_desc(const void *pa, const void *pb) {
  const rv_topk_slot_t a = *(const rv_topk_slot_t *)pa, b = *(const rv_topk_slot_t *)pb;
  return (a < b) - (a > b);
}

int rv_topk_finish_keys(rv_topk_t *t, rv_topk_slot_t *keys) {
  if (t->n > t->k) select_largest(t->buf, t->n, t->k);
  const int n = t->n < t->k ? t->n : t->k;
  qsort(t->buf, (size_t)n, sizeof(rv_topk_slot_t), cmp_key_desc);
  for (int r = 0; r < n; r++) keys[r] = t->buf[r];
  for (int r = n; r < t->k; r++) keys[r] = 0;
  t->n = 0;
  t->thr = -INFINITY;
  return n;
}

int rv_topk_decode(const rv_topk_slot_t *keys, int k, int32_t *items, float *scores) {
  int n = 0;
  for (int r = 0; r < k; r++) {
    if (keys[r] == 0) {
      items[r] = -1;
      scores[r] = NAN;
    } else {
      items[r] = key_item(keys[r]);
      scores[r] = key_score(keys[r]);
      n++;
    }
  }
  return n;
}

void rv_topk_merge(const rv_topk_slot_t *a, const rv_topk_slot_t *b, int k, rv_topk_slot_t *out) {
  int i = 0, j = 0;
  for (int r = 0; r < k; r++) out[r] = a[i] >= b[j] ? a[i++] : b[j++];
}

int rv_topk_finish(rv_topk_t *t, int32_t *items, float *scores) {
  /* Keys are written over the selector's own buffer (k <= capacity). */
  rv_topk_slot_t *keys = t->buf;
  rv_topk_finish_keys(t, keys);
  return rv_topk_decode(keys, t->k, items, scores);
}
