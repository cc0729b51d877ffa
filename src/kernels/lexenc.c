#include "kernels/lexenc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/hash.h"
#include "kernels/rng.h"

static int word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int cmp_u32(const void *a, const void *b) {
  const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Signed bucket codes of a text's tokens (bucket << 1 | sign), sorted;
 * the count, or -1 when out of memory. */
static int64_t tokens(const char *s, uint32_t **buf, int64_t *cap) {
  int64_t n = 0;
  char tok[256];
  if (!s) return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    while (*p && !word_byte(*p)) p++;
    if (!*p) break;
    size_t len = 0;
    while (*p && word_byte(*p)) {
      if (len < sizeof tok) tok[len++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
      p++;
    }
    if (n == *cap) {
      const int64_t nc = *cap ? 2 * *cap : 256;
      uint32_t *nb = realloc(*buf, sizeof(uint32_t) * (size_t)nc);
      if (!nb) return -1;
      *buf = nb;
      *cap = nc;
    }
    const uint64_t h = rv_hash64(tok, len, 0x1e8e7c);
    (*buf)[n++] = (uint32_t)(((h & (RV_LEXENC_BUCKETS - 1)) << 1) | (h >> 63));
  }
  if (n > 1) qsort(*buf, (size_t)n, sizeof(uint32_t), cmp_u32);
  return n;
}

int rv_lexenc(const char *const *texts, int64_t n, int dim, uint64_t seed, float *out) {
  int rc = -1;
  uint32_t *tok = NULL;
  int64_t cap = 0;
  int32_t *df = calloc(RV_LEXENC_BUCKETS, sizeof(int32_t));
  double *acc = malloc(sizeof(double) * (size_t)dim);
  if (!df || !acc) goto done;
  /* Document frequency of each bucket (a token's sign does not matter here). */
  for (int64_t d = 0; d < n; d++) {
    const int64_t m = tokens(texts[d], &tok, &cap);
    if (m < 0) goto done;
    for (int64_t t = 0; t < m; t++)
      if (t == 0 || (tok[t] >> 1) != (tok[t - 1] >> 1)) df[tok[t] >> 1]++;
  }
  for (int64_t d = 0; d < n; d++) {
    const int64_t m = tokens(texts[d], &tok, &cap);
    if (m < 0) goto done;
    memset(acc, 0, sizeof(double) * (size_t)dim);
    for (int64_t t = 0; t < m;) {
      int64_t e = t;
      while (e < m && tok[e] == tok[t]) e++;
      const uint32_t b = tok[t] >> 1;
      const double idf = log((1.0 + (double)n) / (1.0 + df[b])) + 1.0;
      const double w = (1.0 + log((double)(e - t))) * idf * ((tok[t] & 1) ? -1.0 : 1.0);
      /* Column j's entry is bit j % 64 of a hash of (seed, bucket, j / 64). */
      for (int j0 = 0; j0 < dim; j0 += 64) {
        const uint64_t bits = rv_mix64(seed ^ rv_mix64(((uint64_t)b << 20) + (uint64_t)(j0 >> 6)));
        const int jn = dim - j0 < 64 ? dim - j0 : 64;
        for (int j = 0; j < jn; j++) acc[j0 + j] += ((bits >> j) & 1) ? w : -w;
      }
      t = e;
    }
    double ss = 0.0;
    for (int j = 0; j < dim; j++) ss += acc[j] * acc[j];
    const double inv = ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
    for (int j = 0; j < dim; j++) out[(size_t)d * dim + j] = (float)(acc[j] * inv);
  }
  rc = 0;
done:
  free(tok);
  free(df);
  free(acc);
  return rc;
}
