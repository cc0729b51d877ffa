/* HetRec 2011 Last.fm (prep/convert.h): user_artists.dat (userID, artistID,
 * weight = play count) and artists.dat (id, name, ...). No timestamps: the
 * order of the file stands for time. Item text: the artist's name. */
#include <stdio.h>
#include <string.h>

#include "prep/convert.h"
#include "prep/parse.h"
#include "io/textio.h"

rv_err_t rv_conv_lastfm(const char *src, rv_prep_src_t *s) {
  rv_err_t err = RV_OK;
  char path[4200];
  rv_table_t t;
  int rc, open = 0;
  snprintf(s->source, sizeof s->source, "lastfm (HetRec 2011: user_artists.dat, artists.dat)");
  snprintf(path, sizeof path, "%s/user_artists.dat", src);
  RV_TRY(rv_table_open(&t, path, "\t", 0));
  open = 1;
  s->has_rating = 1;
  while ((rc = rv_table_next(&t)) == 1) {
    if (t.records == 1) {
      t.expect = t.rec.n; /* the header's field count */
      continue;
    }
    RV_TRY(rv_table_need(&t, 3));
    float w;
    RV_REQUIRE(rv_parse_f32(t.rec.f[2], &w) == 0, RV_ERR_DATA, "%s:%lld: weight '%s' is not a number", path,
               (long long)t.rec.line, t.rec.f[2]);
    RV_REQUIRE(rv_prep_add(s, t.rec.f[0], t.rec.flen[0], t.rec.f[1], t.rec.flen[1], w, 0) == 0,
               RV_ERR_RUNTIME, "out of memory");
  }
  if (rc < 0) {
    err = (rv_err_t)-rc;
    goto done;
  }
  rv_table_close(&t);
  open = 0;
  snprintf(path, sizeof path, "%s/artists.dat", src);
  RV_TRY(rv_table_open(&t, path, "\t", 0));
  open = 1;
  while ((rc = rv_table_next(&t)) == 1) {
    if (t.records == 1) {
      t.expect = t.rec.n; /* the header's field count */
      continue;
    }
    RV_TRY(rv_table_need(&t, 2));
    const int64_t it = rv_prep_item(s, t.rec.f[0], t.rec.flen[0]);
    RV_REQUIRE(it >= 0 && rv_prep_set_title(s, it, t.rec.f[1]) == 0 && rv_prep_append_text(s, it, NULL, t.rec.f[1]) == 0,
               RV_ERR_RUNTIME, "out of memory");
  }
  if (rc < 0) err = (rv_err_t)-rc;
done:
  if (open) rv_table_close(&t);
  return err;
}
