/* Accumulation of a converter's raw data (prep/prep.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep/prep.h"

static int meta_reserve(rv_prep_src_t *s, int64_t n) {
  if (n <= s->meta_cap) return 0;
  int64_t cap = s->meta_cap ? s->meta_cap : 1024;
  while (cap < n) cap *= 2;
  char **t = realloc(s->title, sizeof(char *) * (size_t)cap);
  if (!t) return -1;
  s->title = t;
  char **x = realloc(s->text, sizeof(char *) * (size_t)cap);
  if (!x) return -1;
  s->text = x;
  size_t *l = realloc(s->text_len, sizeof(size_t) * (size_t)cap);
  if (!l) return -1;
  s->text_len = l;
  size_t *c = realloc(s->text_cap, sizeof(size_t) * (size_t)cap);
  if (!c) return -1;
  s->text_cap = c;
  for (int64_t i = s->meta_cap; i < cap; i++) s->title[i] = s->text[i] = NULL, l[i] = c[i] = 0;
  s->meta_cap = cap;
  return 0;
}

int64_t rv_prep_item(rv_prep_src_t *s, const char *id, size_t len) {
  const int64_t i = rv_strtab_intern(&s->items, id, len);
  if (i < 0 || i >= INT32_MAX || meta_reserve(s, i + 1) != 0) return -1;
  return i;
}

int rv_prep_add(rv_prep_src_t *s, const char *user, size_t ulen, const char *item, size_t ilen,
                float rating, int64_t ts) {
  const int64_t u = rv_strtab_intern(&s->users, user, ulen);
  const int64_t i = rv_prep_item(s, item, ilen);
  if (u < 0 || i < 0 || u >= INT32_MAX) return -1;
  if (s->n == s->cap) {
    const int64_t cap = s->cap ? 2 * s->cap : 4096;
    rv_inter_t *x = realloc(s->x, sizeof(rv_inter_t) * (size_t)cap);
    if (!x) return -1;
    s->x = x;
    s->cap = cap;
  }
  s->x[s->n] = (rv_inter_t){(int32_t)u, (int32_t)i, rating, ts, s->n};
  s->n++;
  return 0;
}

int rv_prep_set_title(rv_prep_src_t *s, int64_t item, const char *title) {
  char *c = strdup(title);
  if (!c) return -1;
  free(s->title[item]);
  s->title[item] = c;
  return 0;
}

int rv_prep_append_text(rv_prep_src_t *s, int64_t item, const char *label, const char *value) {
  if (!value || !*value) return 0;
  char *old = s->text[item];
  const size_t ol = s->text_len[item], ll = label ? strlen(label) : 0, vl = strlen(value);
  /* Same label as the last sentence: continue it with a comma. */
  int cont = 0;
  if (old && label) {
    const char *last = strrchr(old, '\n');
    last = last ? last + 1 : old;
    cont = strncmp(last, label, ll) == 0 && last[ll] == ':';
  }
  const size_t need = ol + ll + vl + 8;
  if (need > s->text_cap[item]) { /* grows geometrically: many appends stay linear */
    size_t cap = s->text_cap[item] ? 2 * s->text_cap[item] : 64;
    while (cap < need) cap *= 2;
    char *n = realloc(old, cap);
    if (!n) return -1;
    s->text[item] = old = n;
    s->text_cap[item] = cap;
  }
  char *w = old + ol;
  if (cont) {
    memcpy(w, ", ", 2), w += 2;
  } else {
    if (ol) *w++ = '\n';
    if (label) {
      memcpy(w, label, ll), w += ll;
      memcpy(w, ": ", 2), w += 2;
    }
  }
  memcpy(w, value, vl + 1);
  s->text_len[item] = (size_t)(w - old) + vl;
  return 0;
}

int rv_prep_add_category(rv_prep_src_t *s, int64_t item, const char *name, size_t len) {
  const int64_t c = rv_strtab_intern(&s->cats, name, len);
  if (c < 0 || c >= (1 << 20)) return -1;
  if (s->ncatp == s->catp_cap) {
    const int64_t cap = s->catp_cap ? 2 * s->catp_cap : 1024;
    int32_t *p = realloc(s->catp, sizeof(int32_t) * 2 * (size_t)cap);
    if (!p) return -1;
    s->catp = p;
    s->catp_cap = cap;
  }
  s->catp[2 * s->ncatp] = (int32_t)item;
  s->catp[2 * s->ncatp + 1] = (int32_t)c;
  s->ncatp++;
  return 0;
}

int rv_prep_add_categories(rv_prep_src_t *s, int64_t item, const char *g, const char *label) {
  while (*g) {
    const char *e = strchr(g, '|');
    const size_t n = e ? (size_t)(e - g) : strlen(g);
    if (n > 0) {
      char buf[256];
      snprintf(buf, sizeof buf, "%.*s", (int)n, g);
      if (rv_prep_add_category(s, item, g, n) != 0 || rv_prep_append_text(s, item, label, buf) != 0) return -1;
    }
    g += n + (e != NULL);
  }
  return 0;
}

void rv_prep_src_free(rv_prep_src_t *s) {
  for (int64_t i = 0; i < s->meta_cap; i++) free(s->title[i]), free(s->text[i]);
  free(s->title), free(s->text), free(s->text_len), free(s->text_cap), free(s->x), free(s->catp);
  rv_strtab_free(&s->users);
  rv_strtab_free(&s->items);
  rv_strtab_free(&s->cats);
  memset(s, 0, sizeof *s);
}
