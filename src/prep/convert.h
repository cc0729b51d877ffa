/* Converters of public datasets into a rv_prep_src_t (prep/prep.h). Each
 * reads its files whole (io/textio.h) and reports a malformed record as
 * "FILE:LINE: ..." (RV_ERR_DATA). */
#ifndef RV_PREP_CONVERT_H
#define RV_PREP_CONVERT_H
#include "base/error.h"
#include "prep/prep.h"

/* SRC is a MovieLens folder: ml-latest(-small) (ratings.csv, movies.csv,
 * tags.csv), ml-1m/10m (ratings.dat, movies.dat, "::") or ml-100k (u.data,
 * u.item, u.genre, tab and '|'). */
rv_err_t rv_conv_movielens(const char *src, rv_prep_src_t *s);

typedef struct rv_csv_opts {
  const char *user_col, *item_col, *rating_col, *time_col; /* header names */
  const char *delimiter;
  int no_header;         /* columns by position: user,item[,rating][,timestamp] */
  const char *item_meta; /* optional CSV with columns item,title,text,categories ('|') */
  int need_rating, need_time; /* the rating / time column was named explicitly: it must exist */
  int dedup_text;             /* amazon: drop a review repeating its user's text under another item */
} rv_conv_opts_t;
rv_err_t rv_conv_csv(const char *path, const rv_conv_opts_t *o, rv_prep_src_t *s);

/* SRC is a folder holding the Amazon 2018 reviews (*_5.json[.gz]) and
 * product metadata (meta_*.json[.gz]), one JSON object per line. With
 * dedup_text, a review whose user posted the same non-empty text earlier in
 * the file under another item is dropped and counted in s->text_duplicates. */
rv_err_t rv_conv_amazon(const char *src, int dedup_text, rv_prep_src_t *s);

/* SRC is the HetRec 2011 Last.fm folder (user_artists.dat, artists.dat). */
rv_err_t rv_conv_lastfm(const char *src, rv_prep_src_t *s);

/* The converters by name (NULL-terminated), for `receval prepare KIND`.
 * opts is read by the csv converter only. */
typedef struct rv_converter {
  const char *name;
  const char *help; /* what SRC is */
  rv_err_t (*convert)(const char *src, const rv_conv_opts_t *opts, rv_prep_src_t *s);
} rv_converter_t;
extern const rv_converter_t *const rv_converters[];
const rv_converter_t *rv_converter_find(const char *name);

#endif
