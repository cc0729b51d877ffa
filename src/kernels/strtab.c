#include "kernels/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "kernels/hash.h"

static size_t probe(const rv_strtab_t *t, const char *s, size_t len, int64_t *found) {
  size_t h = (size_t)rv_hash64(s, len, 0x5eed) & (t->nslot - 1);
  *found = -1;
  while (t->slot[h]) {
    const int64_t i = t->slot[h] - 1;
    if (t->len[i] == len && memcmp(t->s[i], s, len) == 0) {
      *found = i;
      break;
    }
    h = (h + 1) & (t->nslot - 1);
  }
  return h;
}

static int rehash(rv_strtab_t *t, size_t nslot) {
  int64_t *slot = calloc(nslot, sizeof(int64_t));
  if (!slot) return -1;
  free(t->slot);
  t->slot = slot;
  t->nslot = nslot;
  for (int64_t i = 0; i < t->n; i++) {
    int64_t f;
    t->slot[probe(t, t->s[i], t->len[i], &f)] = i + 1;
  }
  return 0;
}

int64_t rv_strtab_find(const rv_strtab_t *t, const char *s, size_t len) {
  if (!t->nslot) return -1;
  int64_t f;
  probe(t, s, len, &f);
  return f;
}

int64_t rv_strtab_intern(rv_strtab_t *t, const char *s, size_t len) {
  if (!t->nslot && rehash(t, 1024) != 0) return -1;
  int64_t f;
  size_t h = probe(t, s, len, &f);
  if (f >= 0) return f;
  if (t->n == t->cap) {
    const int64_t cap = t->cap ? 2 * t->cap : 256;
    char **ns = realloc(t->s, sizeof(char *) * (size_t)cap);
    if (!ns) return -1;
    t->s = ns;
    size_t *nl = realloc(t->len, sizeof(size_t) * (size_t)cap);
    if (!nl) return -1;
    t->len = nl;
    t->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return -1;
  memcpy(copy, s, len);
  copy[len] = '\0';
  t->s[t->n] = copy;
  t->len[t->n] = len;
  t->slot[h] = ++t->n;
  if ((size_t)t->n * 2 > t->nslot && rehash(t, t->nslot * 2) != 0) return -1;
  return t->n - 1;
}

void rv_strtab_free(rv_strtab_t *t) {
  for (int64_t i = 0; i < t->n; i++) free(t->s[i]);
  free(t->s), free(t->len), free(t->slot);
  memset(t, 0, sizeof *t);
}
