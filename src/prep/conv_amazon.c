/* Amazon Review Data 2018 (prep/convert.h): reviews (reviewerID, asin,
 * overall, unixReviewTime) and product metadata (description, category
 * path, brand, title), one JSON object per line. Item text: description,
 * category path and brand (titles are often HTML residue: used only when
 * they hold no markup). Categories: the path below its root. The first
 * metadata row of an ASIN wins (the files repeat products). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prep/convert.h"
#include "io/textio.h"

/* Decodes the few HTML entities the metadata uses, in place. */
static void unescape(char *s) {
  static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
  char *w = s;
  for (char *p = s; *p;) {
    int hit = 0;
    for (size_t e = 0; e < sizeof ent / sizeof ent[0]; e++) {
      const size_t n = strlen(ent[e][0]);
      if (strncmp(p, ent[e][0], n) == 0) {
        *w++ = ent[e][1][0];
        p += n;
        hit = 1;
        break;
      }
    }
    if (!hit) *w++ = *p++;
  }
  *w = '\0';
}

static rv_err_t find_file(const char *dir, const char *prefix, int want_meta, char *out, size_t len) {
  rv_err_t err = RV_OK;
  DIR *d = opendir(dir);
  RV_REQUIRE(d, RV_ERR_IO, "%s: cannot open the folder", dir);
  struct dirent *e;
  out[0] = '\0';
  while ((e = readdir(d)) != NULL) {
    const int meta = strncmp(e->d_name, "meta_", 5) == 0;
    if (meta != want_meta || !strstr(e->d_name, ".json")) continue;
    if (prefix && !strstr(e->d_name, prefix)) continue;
    if (out[0] && strcmp(out + strlen(dir) + 1, e->d_name) < 0) continue; /* the first by name */
    snprintf(out, len, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  RV_REQUIRE(out[0], RV_ERR_IO, "%s: no %s file (%s*.json or .json.gz) in this folder", dir,
             want_meta ? "metadata" : "reviews", want_meta ? "meta_" : "");
done:
  return err;
}

typedef struct amz {
  rv_prep_src_t *s;
  int dedup_text;
  rv_strtab_t seen;    /* reviewerID \x1f reviewText */
  int64_t *first_item; /* the item each of them was first posted under */
  int64_t cap;
} amz_t;

/* Calls fn on every JSON object line of path. */
typedef rv_err_t (*line_fn)(json_t *o, const char *path, int64_t line, amz_t *a);
static rv_err_t each_line(const char *path, line_fn fn, amz_t *a) {
  rv_err_t err = RV_OK;
  rv_text_t t;
  RV_TRY(rv_text_read(path, &t));
  int64_t line = 0;
  for (char *p = t.buf; p < t.buf + t.len;) {
    char *e = memchr(p, '\n', (size_t)(t.buf + t.len - p));
    const size_t n = e ? (size_t)(e - p) : (size_t)(t.buf + t.len - p);
    line++;
    if (n > 0 && !(n == 1 && p[0] == '\r')) {
      json_error_t je;
      json_t *o = json_loadb(p, n, 0, &je);
      if (!o || !json_is_object(o)) {
        json_decref(o);
        err = rv_error_set(RV_ERR_DATA, "%s:%lld: not a JSON object: %s", path, (long long)line, o ? "" : je.text);
        break;
      }
      err = fn(o, path, line, a);
      json_decref(o);
      if (err) break;
    }
    p += n + 1;
  }
  rv_text_free(&t);
done:
  return err;
}

static rv_err_t review(json_t *o, const char *path, int64_t line, amz_t *a) {
  rv_err_t err = RV_OK;
  rv_prep_src_t *s = a->s;
  char *key = NULL;
  const json_t *u = json_object_get(o, "reviewerID"), *i = json_object_get(o, "asin");
  const json_t *r = json_object_get(o, "overall"), *t = json_object_get(o, "unixReviewTime");
  RV_REQUIRE(json_is_string(u) && json_is_string(i), RV_ERR_DATA, "%s:%lld: no reviewerID or asin string",
             path, (long long)line);
  RV_REQUIRE(json_is_number(r), RV_ERR_DATA, "%s:%lld: 'overall' is not a number", path, (long long)line);
  RV_REQUIRE(json_is_integer(t), RV_ERR_DATA, "%s:%lld: 'unixReviewTime' is not an integer", path,
             (long long)line);
  const json_t *text = json_object_get(o, "reviewText");
  if (a->dedup_text && json_is_string(text) && json_string_length(text) > 0) {
    const size_t ul = json_string_length(u), tl = json_string_length(text);
    key = malloc(ul + tl + 1);
    RV_REQUIRE(key, RV_ERR_RUNTIME, "out of memory");
    memcpy(key, json_string_value(u), ul);
    key[ul] = '\x1f';
    memcpy(key + ul + 1, json_string_value(text), tl);
    const int64_t before = a->seen.n, k = rv_strtab_intern(&a->seen, key, ul + tl + 1);
    const int64_t it = rv_prep_item(s, json_string_value(i), json_string_length(i));
    RV_REQUIRE(k >= 0 && it >= 0, RV_ERR_RUNTIME, "out of memory");
    if (a->seen.n > before) {
      if (k >= a->cap) {
        const int64_t cap = a->cap ? 2 * a->cap : 1024;
        int64_t *n = realloc(a->first_item, sizeof(int64_t) * (size_t)cap);
        RV_REQUIRE(n, RV_ERR_RUNTIME, "out of memory");
        a->first_item = n;
        a->cap = cap;
      }
      a->first_item[k] = it;
    } else if (a->first_item[k] != it) { /* the same text under another item */
      s->text_duplicates++;
      goto done;
    }
  }
  RV_REQUIRE(rv_prep_add(s, json_string_value(u), json_string_length(u), json_string_value(i),
                         json_string_length(i), (float)json_number_value(r), json_integer_value(t)) == 0,
             RV_ERR_RUNTIME, "out of memory");
done:
  free(key);
  return err;
}

static rv_err_t append(rv_prep_src_t *s, int64_t it, const char *label, const char *v) {
  char *c = strdup(v);
  if (!c) return rv_error_set(RV_ERR_RUNTIME, "out of memory");
  unescape(c);
  const int rc = rv_prep_append_text(s, it, label, c);
  free(c);
  return rc == 0 ? RV_OK : rv_error_set(RV_ERR_RUNTIME, "out of memory");
}

static rv_err_t product(json_t *o, const char *path, int64_t line, amz_t *ctx) {
  rv_err_t err = RV_OK;
  rv_prep_src_t *s = ctx->s;
  const json_t *a = json_object_get(o, "asin");
  RV_REQUIRE(json_is_string(a), RV_ERR_DATA, "%s:%lld: no 'asin' string", path, (long long)line);
  /* Only products that were reviewed, each once. */
  const int64_t it = rv_strtab_find(&s->items, json_string_value(a), json_string_length(a));
  if (it < 0 || s->text[it] || s->title[it]) goto done;
  const json_t *title = json_object_get(o, "title");
  if (json_is_string(title) && json_string_length(title) > 0 && !strchr(json_string_value(title), '<')) {
    char *c = strdup(json_string_value(title));
    RV_REQUIRE(c, RV_ERR_RUNTIME, "out of memory");
    unescape(c);
    const int rc = rv_prep_set_title(s, it, c);
    free(c);
    RV_REQUIRE(rc == 0, RV_ERR_RUNTIME, "out of memory");
    RV_TRY(append(s, it, NULL, s->title[it]));
  }
  const json_t *desc = json_object_get(o, "description");
  size_t k;
  json_t *v;
  if (json_is_array(desc))
    json_array_foreach(desc, k, v) if (json_is_string(v) && json_string_length(v) > 0)
        RV_TRY(append(s, it, "Description", json_string_value(v)));
  const json_t *cat = json_object_get(o, "category");
  if (json_is_array(cat))
    json_array_foreach(cat, k, v) if (json_is_string(v) && json_string_length(v) > 0) {
      RV_TRY(append(s, it, "Category", json_string_value(v)));
      if (k == 0) continue; /* the root names the whole file */
      char *c = strdup(json_string_value(v));
      RV_REQUIRE(c, RV_ERR_RUNTIME, "out of memory");
      unescape(c);
      const int rc = rv_prep_add_category(s, it, c, strlen(c));
      free(c);
      RV_REQUIRE(rc == 0, RV_ERR_RUNTIME, "out of memory");
    }
  const json_t *brand = json_object_get(o, "brand");
  if (json_is_string(brand) && json_string_length(brand) > 0) RV_TRY(append(s, it, "Brand", json_string_value(brand)));
  if (!s->text[it]) RV_TRY(append(s, it, NULL, json_string_value(a))); /* marks it as seen */
done:
  return err;
}

rv_err_t rv_conv_amazon(const char *src, int dedup_text, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  char rev[4200], meta[4200];
  amz_t a = {s, dedup_text, {0}, NULL, 0};
  RV_TRY(find_file(src, NULL, 0, rev, sizeof rev));
  RV_TRY(find_file(src, NULL, 1, meta, sizeof meta));
  snprintf(s->source, sizeof s->source, "amazon 2018 (%s, %s)", strrchr(rev, '/') + 1, strrchr(meta, '/') + 1);
  s->has_rating = s->has_time = 1;
  RV_TRY(each_line(rev, review, &a));
  RV_TRY(each_line(meta, product, &a));
done:
  rv_strtab_free(&a.seen);
  free(a.first_item);
  return err;
}
