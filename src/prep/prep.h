/* `receval prepare`: what a converter collects from a public dataset (raw
 * interactions keyed by external ids, item titles, text and categories),
 * and the pipeline that turns it into the arrays of the input contract:
 * deduplication, rating threshold, k-core filtering, re-indexing and the
 * train/test split. Plain arrays: no MPI, no HDF5. */
#ifndef RV_PREP_PREP_H
#define RV_PREP_PREP_H
#include <stdint.h>

#include "base/error.h"
#include "kernels/strtab.h"

typedef struct rv_inter {
  int32_t user, item; /* indices into the source's id tables */
  float rating;       /* NaN without ratings */
  int64_t ts;         /* Unix time; 0 without timestamps */
  int64_t seq;        /* position in the source (ties of ts) */
} rv_inter_t;

typedef struct rv_prep_src {
  rv_strtab_t users, items, cats;
  rv_inter_t *x;
  int64_t n, cap;
  int has_rating, has_time;
  /* Per item (indexed like `items`): title and text parts, malloc'd or NULL. */
  char **title, **text;
  size_t *text_len, *text_cap; /* text[i]'s length and allocation: appends in place */
  int64_t meta_cap;
  int32_t *catp; /* (item, category) pairs */
  int64_t ncatp, catp_cap;
  char source[256]; /* e.g. "movielens (ml-latest-small layout)" */
  int64_t text_duplicates; /* reviews dropped for repeating their user's text (amazon) */
} rv_prep_src_t;

/* Each returns -1 when out of memory (or, for rv_prep_add, ids too many). */
int64_t rv_prep_item(rv_prep_src_t *s, const char *id, size_t len);
int rv_prep_add(rv_prep_src_t *s, const char *user, size_t ulen, const char *item, size_t ilen,
                float rating, int64_t ts);
int rv_prep_set_title(rv_prep_src_t *s, int64_t item, const char *title);
/* Appends "label: value" (or the value alone when label is NULL) as a
 * sentence of the item's text; repeated labels extend the same sentence. */
int rv_prep_append_text(rv_prep_src_t *s, int64_t item, const char *label, const char *value);
int rv_prep_add_category(rv_prep_src_t *s, int64_t item, const char *name, size_t len);
/* Categories separated by '|' (empty ones skipped), each also appended to
 * the text under `label`. */
int rv_prep_add_categories(rv_prep_src_t *s, int64_t item, const char *list, const char *label);
void rv_prep_src_free(rv_prep_src_t *s);

typedef enum rv_split { RV_SPLIT_LOO = 0, RV_SPLIT_TEMPORAL = 1, RV_SPLIT_RANDOM = 2 } rv_split_t;

typedef struct rv_prep_opts {
  int has_threshold;
  double threshold;       /* keep ratings >= threshold (implicit feedback) */
  int min_user, min_item; /* k-core: every user and item keeps >= this many */
  rv_split_t split;
  double test_frac;       /* temporal and random splits */
  uint64_t seed;          /* random split */
  int graded;             /* store ratings as /test/values */
} rv_prep_opts_t;

typedef struct rv_prep_out {
  int64_t n_users, n_items;
  int32_t *user_src, *item_src; /* new index -> source index */
  int64_t *tr_ptr, *te_ptr;     /* CSR, rows sorted by item */
  int32_t *tr_idx, *te_idx;
  float *tr_val, *te_val;       /* ratings (NULL without) */
  int64_t *tr_ts, *te_ts;       /* NULL without timestamps */
  int64_t *cat_ptr;             /* n_items + 1 */
  int32_t *cat_idx;
  int64_t n_categories;
  /* What happened on the way (printed and stored as attributes). */
  int64_t raw_users, raw_items, raw_interactions, duplicates, below_threshold, kcore_removed;
  int64_t temporal_cut; /* temporal split: first test timestamp */
} rv_prep_out_t;

/* Runs the pipeline. Errors (RV_ERR_DATA when nothing is left). */
rv_err_t rv_prep_build(const rv_prep_src_t *src, const rv_prep_opts_t *o, rv_prep_out_t *out);
void rv_prep_out_free(rv_prep_out_t *o);

/* Order of external ids: numeric when both are digit strings, else bytewise. */
int rv_id_cmp(const char *a, const char *b);

#endif
