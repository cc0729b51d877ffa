/* The preparation pipeline (prep/prep.h): deduplicate, threshold, k-core,
 * re-index by external id, split. Deterministic: the output depends only on
 * the source's contents and the options. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rng.h"
#include "prep/prep.h"

#define RV_STREAM_PREP_SPLIT 101 /* random split: one stream per user (kernels/rng.h) */

int rv_id_cmp(const char *a, const char *b) {
  const size_t la = strlen(a), lb = strlen(b);
  const int da = la > 0 && strspn(a, "0123456789") == la, db = lb > 0 && strspn(b, "0123456789") == lb;
  if (da && db) {
    const char *x = a, *y = b;
    while (*x == '0' && x[1]) x++;
    while (*y == '0' && y[1]) y++;
    const size_t mx = strlen(x), my = strlen(y);
    if (mx != my) return mx < my ? -1 : 1;
    const int c = strcmp(x, y);
    if (c) return c;
  }
  return strcmp(a, b);
}

static int cmp_user_item_time(const void *x, const void *y) {
  const rv_inter_t *a = x, *b = y;
  if (a->user != b->user) return a->user < b->user ? -1 : 1;
  if (a->item != b->item) return a->item < b->item ? -1 : 1;
  if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

/* New user order: by time of the interactions (ts, seq) within a user. */
static int cmp_user_time(const void *x, const void *y) {
  const rv_inter_t *a = x, *b = y;
  if (a->user != b->user) return a->user < b->user ? -1 : 1;
  if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_time(const void *x, const void *y) {
  const rv_inter_t *a = x, *b = y;
  if (a->ts != b->ts) return a->ts < b->ts ? -1 : 1;
  return (a->seq > b->seq) - (a->seq < b->seq);
}

static const rv_strtab_t *g_sort_tab; /* qsort has no context argument */
static int cmp_src_id(const void *x, const void *y) {
  return rv_id_cmp(g_sort_tab->s[*(const int32_t *)x], g_sort_tab->s[*(const int32_t *)y]);
}

typedef struct entry {
  int32_t item;
  float val;
  int64_t ts;
} entry_t;

static int cmp_entry(const void *x, const void *y) {
  const entry_t *a = x, *b = y;
  return (a->item > b->item) - (a->item < b->item);
}

/* Kept source ids (mask) -> new indices sorted by external id. */
static int32_t *reindex(const rv_strtab_t *tab, const uint8_t *keep, int32_t *newidx, int64_t *count) {
  int64_t n = 0;
  for (int64_t i = 0; i < tab->n; i++) n += keep[i];
  int32_t *order = malloc(sizeof(int32_t) * (size_t)(n + 1));
  if (!order) return NULL;
  n = 0;
  for (int64_t i = 0; i < tab->n; i++)
    if (keep[i]) order[n++] = (int32_t)i;
  g_sort_tab = tab;
  qsort(order, (size_t)n, sizeof(int32_t), cmp_src_id);
  for (int64_t i = 0; i < tab->n; i++) newidx[i] = -1;
  for (int64_t r = 0; r < n; r++) newidx[order[r]] = (int32_t)r;
  *count = n;
  return order;
}

/* Rows of one side (train or test) from per-user entry lists. */
static int fill_rows(entry_t *e, int64_t n, int64_t **ptr_out, int32_t **idx, float **val,
                     int64_t **ts, int64_t row, int64_t *w) {
  qsort(e, (size_t)n, sizeof(entry_t), cmp_entry);
  for (int64_t t = 0; t < n; t++) {
    (*idx)[*w] = e[t].item;
    if (*val) (*val)[*w] = e[t].val;
    if (*ts) (*ts)[*w] = e[t].ts;
    (*w)++;
  }
  (*ptr_out)[row + 1] = *w;
  return 0;
}

/* Steps 1-3 on x[0..*n): repeated pairs (the latest stays), the rating
 * threshold, then the k-core until nothing changes; *n shrinks. ucnt and
 * icnt are scratch of NU and NI counts. */
static rv_err_t filter_interactions(const rv_prep_src_t *src, const rv_prep_opts_t *o, rv_inter_t *x,
                                    int64_t *n_io, int64_t *ucnt, int64_t *icnt, rv_prep_out_t *out) {
  rv_err_t err = RV_OK;
  const int64_t NU = src->users.n, NI = src->items.n;
  /* 1. Repeated (user, item) pairs: the latest (by time, then position) stays. */
  qsort(x, (size_t)src->n, sizeof(rv_inter_t), cmp_user_item_time);
  int64_t n = 0;
  for (int64_t t = 0; t < src->n; t++) {
    if (t + 1 < src->n && x[t + 1].user == x[t].user && x[t + 1].item == x[t].item) {
      out->duplicates++;
      continue;
    }
    x[n++] = x[t];
  }
  /* 2. Rating threshold: implicit feedback from ratings >= threshold. */
  if (o->has_threshold) {
    RV_REQUIRE(src->has_rating, RV_ERR_USAGE, "--threshold: the source has no ratings");
    int64_t w = 0;
    for (int64_t t = 0; t < n; t++)
      if (x[t].rating >= o->threshold)
        x[w++] = x[t];
      else
        out->below_threshold++;
    n = w;
  }
  /* 3. k-core: drop users and items below the minimum until none is left. */
  for (int changed = 1; changed;) {
    changed = 0;
    memset(ucnt, 0, sizeof(int64_t) * (size_t)NU);
    memset(icnt, 0, sizeof(int64_t) * (size_t)NI);
    for (int64_t t = 0; t < n; t++) ucnt[x[t].user]++, icnt[x[t].item]++;
    int64_t w = 0;
    for (int64_t t = 0; t < n; t++)
      if (ucnt[x[t].user] >= o->min_user && icnt[x[t].item] >= o->min_item)
        x[w++] = x[t];
    if (w != n) {
      out->kcore_removed += n - w;
      n = w;
      changed = 1;
    }
  }
  RV_REQUIRE(n > 0, RV_ERR_DATA, "no interaction is left after deduplication, threshold and k-core filtering");
done:
  *n_io = n;
  return err;
}

/* Step 5 for one user, x[t0..t1) sorted by time: the train and test entries
 * of the split (a random split shuffles x[t0..t1) in place). */
static void split_user(const rv_prep_opts_t *o, rv_inter_t *x, int64_t t0, int64_t t1, int64_t u,
                       int64_t cut_ts, int64_t cut_seq, entry_t *tr, int64_t *ntr_out, entry_t *te,
                       int64_t *nte_out) {
  const int64_t m = t1 - t0;
  int64_t ntr = 0, nte = 0;
  if (o->split == RV_SPLIT_LOO) {
    /* The last interaction by time is the test item (users with one stay train-only). */
    for (int64_t t = t0; t < t1; t++) {
      const entry_t e = {x[t].item, x[t].rating, x[t].ts};
      if (t == t1 - 1 && m >= 2)
        te[nte++] = e;
      else
        tr[ntr++] = e;
    }
  } else if (o->split == RV_SPLIT_TEMPORAL) {
    for (int64_t t = t0; t < t1; t++) {
      const entry_t e = {x[t].item, x[t].rating, x[t].ts};
      const int after = x[t].ts > cut_ts || (x[t].ts == cut_ts && x[t].seq >= cut_seq);
      if (after)
        te[nte++] = e;
      else
        tr[ntr++] = e;
    }
  } else {
    /* Random: round(test_frac * m) test items, at least one train item
     * when m >= 2; a partial Fisher-Yates shuffle keyed by (seed, user). */
    int64_t k = (int64_t)llround(o->test_frac * (double)m);
    if (k > m - 1) k = m - 1;
    if (k < 0) k = 0;
    rv_rng_t r;
    rv_rng_seed(&r, o->seed, RV_STREAM_PREP_SPLIT, (uint64_t)u);
    for (int64_t j = 0; j < k; j++) {
      const int64_t pick = j + (int64_t)rv_rng_below(&r, (uint64_t)(m - j));
      const rv_inter_t tmp = x[t0 + j];
      x[t0 + j] = x[t0 + pick];
      x[t0 + pick] = tmp;
    }
    for (int64_t t = t0; t < t1; t++) {
      const entry_t e = {x[t].item, x[t].rating, x[t].ts};
      if (t - t0 < k)
        te[nte++] = e;
      else
        tr[ntr++] = e;
    }
  }
  *ntr_out = ntr, *nte_out = nte;
}

/* Step 6: the categories of the kept items (sorted, distinct per item). */
static rv_err_t item_categories(const rv_prep_src_t *src, const int32_t *inew, rv_prep_out_t *out) {
  rv_err_t err = RV_OK;
  out->n_categories = src->cats.n;
  out->cat_ptr = calloc((size_t)out->n_items + 1, sizeof(int64_t));
  out->cat_idx = malloc(sizeof(int32_t) * ((size_t)src->ncatp + 1));
  RV_REQUIRE(out->cat_ptr && out->cat_idx, RV_ERR_RUNTIME, "out of memory");
  {
    for (int64_t p = 0; p < src->ncatp; p++) {
      const int32_t it = inew[src->catp[2 * p]];
      if (it >= 0) out->cat_ptr[it + 1]++;
    }
    for (int64_t i = 0; i < out->n_items; i++) out->cat_ptr[i + 1] += out->cat_ptr[i];
    int64_t *fillp = calloc((size_t)out->n_items + 1, sizeof(int64_t));
    RV_REQUIRE(fillp, RV_ERR_RUNTIME, "out of memory");
    for (int64_t p = 0; p < src->ncatp; p++) {
      const int32_t it = inew[src->catp[2 * p]];
      if (it >= 0) out->cat_idx[out->cat_ptr[it] + fillp[it]++] = src->catp[2 * p + 1];
    }
    free(fillp);
    /* Sort each row and drop repeats (compacting). */
    int64_t w = 0, start = 0;
    for (int64_t i = 0; i < out->n_items; i++) {
      const int64_t a = start, b = out->cat_ptr[i + 1];
      int32_t *row = out->cat_idx + a;
      for (int64_t p = 1; p < b - a; p++) /* insertion sort: rows are short */
        for (int64_t q = p; q > 0 && row[q - 1] > row[q]; q--) {
          const int32_t tmp = row[q];
          row[q] = row[q - 1];
          row[q - 1] = tmp;
        }
      const int64_t row_start = w;
      for (int64_t p = a; p < b; p++)
        if (w == row_start || out->cat_idx[w - 1] != out->cat_idx[p]) out->cat_idx[w++] = out->cat_idx[p];
      start = b;
      out->cat_ptr[i + 1] = w;
    }
  }
done:
  return err;
}

rv_err_t rv_prep_build(const rv_prep_src_t *src, const rv_prep_opts_t *o, rv_prep_out_t *out) {
  rv_err_t err = RV_OK;
  memset(out, 0, sizeof *out);
  const int64_t NU = src->users.n, NI = src->items.n;
  rv_inter_t *x = NULL;
  int64_t *ucnt = NULL, *icnt = NULL;
  int32_t *unew = NULL, *inew = NULL;
  uint8_t *ukeep = NULL, *ikeep = NULL;
  entry_t *tr = NULL, *te = NULL;
  out->raw_interactions = src->n;
  RV_REQUIRE(src->n > 0, RV_ERR_DATA, "the source holds no interactions");
  x = malloc(sizeof(rv_inter_t) * (size_t)src->n);
  ucnt = calloc((size_t)NU + 1, sizeof(int64_t));
  icnt = calloc((size_t)NI + 1, sizeof(int64_t));
  unew = malloc(sizeof(int32_t) * ((size_t)NU + 1));
  inew = malloc(sizeof(int32_t) * ((size_t)NI + 1));
  ukeep = calloc((size_t)NU + 1, 1);
  ikeep = calloc((size_t)NI + 1, 1);
  RV_REQUIRE(x && ucnt && icnt && unew && inew && ukeep && ikeep, RV_ERR_RUNTIME, "out of memory");
  memcpy(x, src->x, sizeof(rv_inter_t) * (size_t)src->n);
  for (int64_t t = 0; t < src->n; t++) ukeep[x[t].user] = ikeep[x[t].item] = 1;
  for (int64_t i = 0; i < NU; i++) out->raw_users += ukeep[i];
  for (int64_t i = 0; i < NI; i++) out->raw_items += ikeep[i];

  int64_t n = src->n;
  RV_TRY(filter_interactions(src, o, x, &n, ucnt, icnt, out));

  /* 4. Catalogue and users: those with an interaction left, ordered by external id. */
  memset(ukeep, 0, (size_t)NU);
  memset(ikeep, 0, (size_t)NI);
  for (int64_t t = 0; t < n; t++) ukeep[x[t].user] = ikeep[x[t].item] = 1;
  out->user_src = reindex(&src->users, ukeep, unew, &out->n_users);
  out->item_src = reindex(&src->items, ikeep, inew, &out->n_items);
  RV_REQUIRE(out->user_src && out->item_src, RV_ERR_RUNTIME, "out of memory");
  for (int64_t t = 0; t < n; t++) x[t].user = unew[x[t].user], x[t].item = inew[x[t].item];

  /* 5. Split. */
  int64_t cut_ts = INT64_MAX, cut_seq = INT64_MAX;
  if (o->split == RV_SPLIT_TEMPORAL) {
    /* Global cut: the latest test_frac of the interactions (by time, then position). */
    qsort(x, (size_t)n, sizeof(rv_inter_t), cmp_time);
    int64_t n_test = (int64_t)llround(o->test_frac * (double)n);
    if (n_test < 1) n_test = 1;
    if (n_test >= n) n_test = n - 1;
    RV_REQUIRE(n >= 2, RV_ERR_DATA, "temporal split: fewer than 2 interactions");
    cut_ts = x[n - n_test].ts;
    cut_seq = x[n - n_test].seq;
    out->temporal_cut = cut_ts;
  }
  qsort(x, (size_t)n, sizeof(rv_inter_t), cmp_user_time);
  const int vals = src->has_rating, times = src->has_time;
  out->tr_ptr = calloc((size_t)out->n_users + 1, sizeof(int64_t));
  out->te_ptr = calloc((size_t)out->n_users + 1, sizeof(int64_t));
  out->tr_idx = malloc(sizeof(int32_t) * (size_t)n);
  out->te_idx = malloc(sizeof(int32_t) * (size_t)n);
  if (vals) out->tr_val = malloc(sizeof(float) * (size_t)n), out->te_val = malloc(sizeof(float) * (size_t)n);
  if (times) out->tr_ts = malloc(sizeof(int64_t) * (size_t)n), out->te_ts = malloc(sizeof(int64_t) * (size_t)n);
  tr = malloc(sizeof(entry_t) * (size_t)n);
  te = malloc(sizeof(entry_t) * (size_t)n);
  RV_REQUIRE(out->tr_ptr && out->te_ptr && out->tr_idx && out->te_idx && tr && te &&
                 (!vals || (out->tr_val && out->te_val)) && (!times || (out->tr_ts && out->te_ts)),
             RV_ERR_RUNTIME, "out of memory");
  int64_t wtr = 0, wte = 0;
  for (int64_t t0 = 0, u = 0; u < out->n_users; u++) {
    int64_t t1 = t0;
    while (t1 < n && x[t1].user == u) t1++;
    int64_t ntr = 0, nte = 0;
    split_user(o, x, t0, t1, u, cut_ts, cut_seq, tr, &ntr, te, &nte);
    fill_rows(tr, ntr, &out->tr_ptr, &out->tr_idx, &out->tr_val, &out->tr_ts, u, &wtr);
    fill_rows(te, nte, &out->te_ptr, &out->te_idx, &out->te_val, &out->te_ts, u, &wte);
    t0 = t1;
  }
  if (vals && o->graded)
    for (int64_t t = 0; t < wte; t++)
      RV_REQUIRE(isfinite(out->te_val[t]) && out->te_val[t] > 0, RV_ERR_DATA,
                 "--graded: rating %g of a test interaction is not > 0", (double)out->te_val[t]);

  RV_TRY(item_categories(src, inew, out));
done:
  free(x), free(ucnt), free(icnt), free(unew), free(inew), free(ukeep), free(ikeep), free(tr), free(te);
  if (err != RV_OK) rv_prep_out_free(out);
  return err;
}

void rv_prep_out_free(rv_prep_out_t *o) {
  free(o->user_src), free(o->item_src), free(o->tr_ptr), free(o->te_ptr), free(o->tr_idx);
  free(o->te_idx), free(o->tr_val), free(o->te_val), free(o->tr_ts), free(o->te_ts);
  free(o->cat_ptr), free(o->cat_idx);
  memset(o, 0, sizeof *o);
}
