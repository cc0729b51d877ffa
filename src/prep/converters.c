/* The converters by name (convert.h): `receval prepare KIND` looks KIND up
 * here; a new input format is its conv_<name>.c and one entry below. */
#include <string.h>

#include "prep/convert.h"

static rv_err_t movielens(const char *src, const rv_conv_opts_t *o, rv_prep_src_t *s) {
  (void)o;
  return rv_conv_movielens(src, s);
}
static rv_err_t amazon(const char *src, const rv_conv_opts_t *o, rv_prep_src_t *s) {
  return rv_conv_amazon(src, o->dedup_text, s);
}
static rv_err_t lastfm(const char *src, const rv_conv_opts_t *o, rv_prep_src_t *s) {
  (void)o;
  return rv_conv_lastfm(src, s);
}

static const rv_converter_t conv_movielens = {"movielens", "a MovieLens folder (ml-latest, ml-1m/10m or ml-100k layout)", movielens};
static const rv_converter_t conv_amazon = {"amazon", "a folder with Amazon 2018 *_5.json[.gz] and meta_*.json[.gz]", amazon};
static const rv_converter_t conv_lastfm = {"lastfm", "the HetRec 2011 Last.fm folder", lastfm};
static const rv_converter_t conv_csv = {"csv", "an interactions CSV: user,item[,rating][,timestamp]", rv_conv_csv};

const rv_converter_t *const rv_converters[] = {&conv_movielens, &conv_amazon, &conv_lastfm, &conv_csv, NULL};

const rv_converter_t *rv_converter_find(const char *name) {
  for (int i = 0; rv_converters[i]; i++)
    if (strcmp(rv_converters[i]->name, name) == 0) return rv_converters[i];
  return NULL;
}
