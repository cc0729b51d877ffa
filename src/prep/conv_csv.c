/* Generic interactions CSV (prep/convert.h): user,item[,rating][,timestamp]
 * by header names or by position, and optional item metadata. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "prep/convert.h"
#include "prep/parse.h"
#include "io/textio.h"

static int column(const rv_rec_t *r, const char *name) {
  for (int i = 0; i < r->n; i++)
    if (strcmp(r->f[i], name) == 0) return i;
  return -1;
}

static rv_err_t item_meta(const char *path, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  rv_table_t t;
  int rc, ci = -1, ct = -1, cx = -1, cc = -1;
  RV_TRY(rv_table_open(&t, path, ",", 1));
  while ((rc = rv_table_next(&t)) == 1) {
    if (t.records == 1) {
      ci = column(&t.rec, "item"), ct = column(&t.rec, "title"), cx = column(&t.rec, "text");
      cc = column(&t.rec, "categories");
      RV_REQUIRE(ci >= 0, RV_ERR_DATA, "%s:%lld: the header names no 'item' column", path, (long long)t.rec.line);
      t.expect = t.rec.n; /* every row as many fields as the header */
      continue;
    }
    RV_REQUIRE(t.rec.n > ci, RV_ERR_DATA,
               "%s:%lld: too few fields", path, (long long)t.rec.line);
    const int64_t it = rv_prep_item(s, t.rec.f[ci], t.rec.flen[ci]);
    RV_REQUIRE(it >= 0, RV_ERR_RUNTIME, "out of memory");
    if (ct >= 0 && ct < t.rec.n && t.rec.flen[ct])
      RV_REQUIRE(rv_prep_set_title(s, it, t.rec.f[ct]) == 0 && rv_prep_append_text(s, it, NULL, t.rec.f[ct]) == 0,
                 RV_ERR_RUNTIME, "out of memory");
    if (cx >= 0 && cx < t.rec.n)
      RV_REQUIRE(rv_prep_append_text(s, it, NULL, t.rec.f[cx]) == 0, RV_ERR_RUNTIME, "out of memory");
    if (cc >= 0 && cc < t.rec.n)
      RV_REQUIRE(rv_prep_add_categories(s, it, t.rec.f[cc], "Categories") == 0, RV_ERR_RUNTIME, "out of memory");
  }
  if (rc < 0) err = (rv_err_t)-rc;
done:
  rv_table_close(&t);
  return err;
}

rv_err_t rv_conv_csv(const char *path, const rv_conv_opts_t *o, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  rv_table_t t;
  int rc, cu = 0, ci = 1, cr = -1, ct = -1, need = 2;
  const int comma = strcmp(o->delimiter, ",") == 0;
  RV_TRY(rv_table_open(&t, path, o->delimiter, comma));
  snprintf(s->source, sizeof s->source, "csv (%s)", path);
  while ((rc = rv_table_next(&t)) == 1) {
    if (t.records == 1 && !o->no_header) {
      cu = column(&t.rec, o->user_col), ci = column(&t.rec, o->item_col);
      cr = column(&t.rec, o->rating_col), ct = column(&t.rec, o->time_col);
      RV_REQUIRE(cu >= 0 && ci >= 0, RV_ERR_DATA,
                 "%s:%lld: the header has no '%s' or no '%s' column (set --user-col, --item-col, or --no-header)",
                 path, (long long)t.rec.line, o->user_col, o->item_col);
      RV_REQUIRE(cr >= 0 || !o->need_rating, RV_ERR_DATA, "%s:%lld: the header has no '%s' column (--rating-col)", path, (long long)t.rec.line,
                 o->rating_col);
      RV_REQUIRE(ct >= 0 || !o->need_time, RV_ERR_DATA, "%s:%lld: the header has no '%s' column (--time-col)", path, (long long)t.rec.line,
                 o->time_col);
      need = 1 + (cu > ci ? cu : ci);
      if (cr + 1 > need) need = cr + 1;
      if (ct + 1 > need) need = ct + 1;
      s->has_rating = cr >= 0, s->has_time = ct >= 0;
      t.expect = t.rec.n; /* an unquoted separator inside a field must not shift or drop fields */
      continue;
    }
    if (o->no_header && t.records == 1) {
      /* By position: user,item[,rating][,timestamp]; every row as many fields as the first. */
      RV_REQUIRE(t.rec.n >= 2 && t.rec.n <= 4, RV_ERR_DATA,
                 "%s:%lld: %d fields, expected 2 to 4 (user,item[,rating][,timestamp] with --no-header)", path, (long long)t.rec.line, t.rec.n);
      t.expect = t.rec.n;
      cr = t.rec.n >= 3 ? 2 : -1, ct = t.rec.n >= 4 ? 3 : -1;
      need = t.rec.n >= 4 ? 4 : (t.rec.n < 2 ? 2 : t.rec.n);
      s->has_rating = cr >= 0, s->has_time = ct >= 0;
    }
    RV_TRY(rv_table_need(&t, need));
    float r = NAN;
    int64_t ts = 0;
    if (cr >= 0 && rv_parse_f32(t.rec.f[cr], &r))
      RV_FAIL(RV_ERR_DATA, "%s:%lld: rating '%s' is not a number", path, (long long)t.rec.line, t.rec.f[cr]);
    if (ct >= 0 && rv_parse_i64(t.rec.f[ct], &ts))
      RV_FAIL(RV_ERR_DATA, "%s:%lld: timestamp '%s' is not an integer", path, (long long)t.rec.line, t.rec.f[ct]);
    RV_REQUIRE(t.rec.flen[cu] > 0 && t.rec.flen[ci] > 0, RV_ERR_DATA, "%s:%lld: empty user or item id", path,
               (long long)t.rec.line);
    RV_REQUIRE(rv_prep_add(s, t.rec.f[cu], t.rec.flen[cu], t.rec.f[ci], t.rec.flen[ci], r, ts) == 0,
               RV_ERR_RUNTIME, "%s: out of memory", path);
  }
  if (rc < 0) err = (rv_err_t)-rc;
  if (!err && o->item_meta) err = item_meta(o->item_meta, s);
done:
  rv_table_close(&t);
  return err;
}
