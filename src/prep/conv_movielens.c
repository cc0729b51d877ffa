/* MovieLens in its three layouts (prep/convert.h). Item text: the title,
 * the genres and the distinct user tags; categories: the genres. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "prep/convert.h"
#include "prep/parse.h"
#include "io/textio.h"

#define BAD(t, what, v) \
  RV_FAIL(RV_ERR_DATA, "%s:%lld: %s '%s' is not a number", (t)->path, (long long)(t)->rec.line, what, v)

/* ratings: user, item, rating, timestamp in fields 0..3. */
static rv_err_t ratings(const char *path, const char *sep, int quoted, int header, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  rv_table_t t;
  int rc;
  RV_TRY(rv_table_open(&t, path, sep, quoted));
  s->has_rating = s->has_time = 1;
  t.expect = header ? 0 : 4;
  while ((rc = rv_table_next(&t)) == 1) {
    if (header && t.records == 1) {
      t.expect = t.rec.n;
      continue;
    }
    RV_TRY(rv_table_need(&t, 4));
    float r;
    int64_t ts;
    if (rv_parse_f32(t.rec.f[2], &r)) BAD(&t, "rating", t.rec.f[2]);
    if (rv_parse_i64(t.rec.f[3], &ts)) BAD(&t, "timestamp", t.rec.f[3]);
    RV_REQUIRE(rv_prep_add(s, t.rec.f[0], t.rec.flen[0], t.rec.f[1], t.rec.flen[1], r, ts) == 0,
               RV_ERR_RUNTIME, "%s: out of memory", path);
  }
  if (rc < 0) err = (rv_err_t)-rc;
done:
  rv_table_close(&t);
  return err;
}

/* Genres separated by '|'; "(no genres listed)" is none. */
static rv_err_t genres(rv_prep_src_t *s, int64_t it, const char *g) {
  rv_err_t err = RV_OK;
  if (strcmp(g, "(no genres listed)") == 0) return RV_OK;
  RV_REQUIRE(rv_prep_add_categories(s, it, g, "Genres") == 0, RV_ERR_RUNTIME, "out of memory");
done:
  return err;
}

static rv_err_t item_meta(rv_prep_src_t *s, const char *id, size_t idlen, const char *title) {
  rv_err_t err = RV_OK;
  const int64_t it = rv_prep_item(s, id, idlen);
  RV_REQUIRE(it >= 0 && rv_prep_set_title(s, it, title) == 0 && rv_prep_append_text(s, it, NULL, title) == 0,
             RV_ERR_RUNTIME, "out of memory");
done:
  return err;
}

/* movies.csv (id,title,genres; quoted) or movies.dat (id::title::genres). */
static rv_err_t movies(const char *path, const char *sep, int quoted, int header, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  rv_table_t t;
  int rc;
  RV_TRY(rv_table_open(&t, path, sep, quoted));
  t.expect = header ? 0 : 3;
  while ((rc = rv_table_next(&t)) == 1) {
    if (header && t.records == 1) {
      t.expect = t.rec.n;
      continue;
    }
    RV_TRY(rv_table_need(&t, 3));
    RV_TRY(item_meta(s, t.rec.f[0], t.rec.flen[0], t.rec.f[1]));
    RV_TRY(genres(s, rv_prep_item(s, t.rec.f[0], t.rec.flen[0]), t.rec.f[2]));
  }
  if (rc < 0) err = (rv_err_t)-rc;
done:
  rv_table_close(&t);
  return err;
}

/* tags.csv: user,item,tag,timestamp; each distinct tag (case-insensitive) once per item. */
static rv_err_t tags(const char *path, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  rv_table_t t;
  rv_strtab_t seen = {0};
  int rc;
  RV_TRY(rv_table_open(&t, path, ",", 1));
  while ((rc = rv_table_next(&t)) == 1) {
    if (t.records == 1) {
      t.expect = t.rec.n;
      continue;
    }
    RV_TRY(rv_table_need(&t, 3));
    char key[1024];
    int n = snprintf(key, sizeof key, "%s\x1f%s", t.rec.f[1], t.rec.f[2]);
    if (n < 0 || n >= (int)sizeof key) continue; /* a tag longer than 1 KiB is not text worth keeping */
    for (char *p = key; *p; p++)
      if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const int64_t before = seen.n;
    RV_REQUIRE(rv_strtab_intern(&seen, key, (size_t)n) >= 0, RV_ERR_RUNTIME, "out of memory");
    if (seen.n == before) continue;
    const int64_t it = rv_prep_item(s, t.rec.f[1], t.rec.flen[1]);
    RV_REQUIRE(it >= 0 && rv_prep_append_text(s, it, "Tags", t.rec.f[2]) == 0, RV_ERR_RUNTIME,
               "out of memory");
  }
  if (rc < 0) err = (rv_err_t)-rc;
done:
  rv_strtab_free(&seen);
  rv_table_close(&t);
  return err;
}

/* ml-100k: u.item is id|title|release|video|url|19 genre flags; u.genre name|index. */
static rv_err_t ml100k_items(const char *dir, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  char path[4200];
  char names[32][64];
  int ng = 0, rc;
  rv_table_t t;
  memset(names, 0, sizeof names);
  snprintf(path, sizeof path, "%s/u.genre", dir);
  RV_TRY(rv_table_open(&t, path, "|", 0));
  t.expect = 2;
  while ((rc = rv_table_next(&t)) == 1) {
    int64_t gi;
    RV_TRY(rv_table_need(&t, 2));
    RV_REQUIRE(rv_parse_i64(t.rec.f[1], &gi) == 0 && gi >= 0 && gi < 32, RV_ERR_DATA,
               "%s:%lld: genre index '%s' is not in 0..31", path, (long long)t.rec.line, t.rec.f[1]);
    snprintf(names[gi], sizeof names[gi], "%s", t.rec.f[0]);
    if (gi + 1 > ng) ng = (int)gi + 1;
  }
  if (rc < 0) err = (rv_err_t)-rc;
  rv_table_close(&t);
  if (err) goto done;
  snprintf(path, sizeof path, "%s/u.item", dir);
  RV_TRY(rv_table_open(&t, path, "|", 0));
  t.expect = 5 + ng;
  while ((rc = rv_table_next(&t)) == 1) {
    RV_TRY(rv_table_need(&t, 5 + ng));
    RV_TRY(item_meta(s, t.rec.f[0], t.rec.flen[0], t.rec.f[1]));
    const int64_t it = rv_prep_item(s, t.rec.f[0], t.rec.flen[0]);
    for (int g = 0; g < ng; g++)
      if (strcmp(t.rec.f[5 + g], "1") == 0 && strcmp(names[g], "unknown") != 0)
        RV_REQUIRE(rv_prep_add_category(s, it, names[g], strlen(names[g])) == 0 &&
                       rv_prep_append_text(s, it, "Genres", names[g]) == 0,
                   RV_ERR_RUNTIME, "out of memory");
  }
  if (rc < 0) err = (rv_err_t)-rc;
  rv_table_close(&t);
done:
  return err;
}

rv_err_t rv_conv_movielens(const char *src, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  char a[4200], b[4200];
  snprintf(a, sizeof a, "%s/ratings.csv", src);
  if (rv_file_exists(a)) {
    snprintf(s->source, sizeof s->source, "movielens (ml-latest layout: ratings.csv, movies.csv, tags.csv)");
    RV_TRY(ratings(a, ",", 1, 1, s));
    snprintf(b, sizeof b, "%s/movies.csv", src);
    RV_TRY(movies(b, ",", 1, 1, s));
    snprintf(b, sizeof b, "%s/tags.csv", src);
    if (rv_file_exists(b)) RV_TRY(tags(b, s));
    goto done;
  }
  snprintf(a, sizeof a, "%s/ratings.dat", src);
  if (rv_file_exists(a)) {
    snprintf(s->source, sizeof s->source, "movielens (ml-1m layout: ratings.dat, movies.dat)");
    RV_TRY(ratings(a, "::", 0, 0, s));
    snprintf(b, sizeof b, "%s/movies.dat", src);
    RV_TRY(movies(b, "::", 0, 0, s));
    goto done;
  }
  snprintf(a, sizeof a, "%s/u.data", src);
  if (rv_file_exists(a)) {
    snprintf(s->source, sizeof s->source, "movielens (ml-100k layout: u.data, u.item, u.genre)");
    RV_TRY(ratings(a, "\t", 0, 0, s));
    RV_TRY(ml100k_items(src, s));
    goto done;
  }
  RV_FAIL(RV_ERR_IO, "%s: no MovieLens ratings file (ratings.csv, ratings.dat or u.data) in this folder", src);
done:
  return err;
}
