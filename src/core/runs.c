/* The run-file list source (core/list_source.h, rv_list_source_t). Rank 0
 * reads the run and resolves its entries to dataset users and catalogue
 * items; every rank receives its users' cleaned lists (MPI_Scatterv) and
 * measures them exactly as `eval` measures its own. */
#include "core/runs.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/list_source.h"
#include "core/score_pass.h"
#include "io/lists_read.h"
#include "io/trec.h"
#include "kernels/strtab.h"
#include "io/textio.h"

enum { Q_CONSIDERED = 0, Q_INVALID = 1, Q_DUP = 2, Q_N = 3 };
static const char *const QUALITY[3] = {"validity", "duplicate_rate", "short_list_rate"};

typedef struct runs {
  const Receval__JobSpec *job;
  int by_score;
  int col0; /* first quality column */
  /* Rank 0, global, after load(). */
  int32_t *lists;  /* n_users x kmax, -1 padded */
  float *scores;   /* n_users x kmax, NaN padded */
  int32_t *len;    /* n_users */
  int32_t *qual;   /* n_users x nk x Q_N */
  int64_t *mark;   /* n_items: 1 + last user that listed the item */
  Receval__RunInput stats;
  char conv[3][200];
} runs_t;

size_t rv_title_norm(const char *s, size_t n, char *out) {
  size_t w = 0;
  int space = 0;
  for (size_t i = 0; i < n; i++) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = w > 0;
      continue;
    }
    if (space) out[w++] = ' ';
    space = 0;
    out[w++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  return w;
}

static rv_err_t plan(rv_eval_state_t *s, void *arg) {
  rv_err_t err = RV_OK;
  runs_t *r = arg;
  r->col0 = s->plan.ncols;
  for (int q = 0; q < 3; q++)
    for (int c = 0; c < s->plan.nk; c++) {
      RV_REQUIRE(s->plan.ncols < RV_MAX_COLS, RV_ERR_USAGE, "too many metric values (at most %d)", RV_MAX_COLS);
      rv_col_t *col = &s->plan.cols[s->plan.ncols++];
      col->metric = NULL;
      col->k = (int)r->job->k[c];
      snprintf(col->name, sizeof col->name, "%s@%d", QUALITY[q], col->k);
    }
  s->plan.run = &r->stats;
  snprintf(r->conv[0], sizeof r->conv[0], "%s",
           r->by_score ? "ties=run entries by score descending, equal scores by rank, then file order (trec_eval orders by score and ignores the rank field)"
                       : "ties=run entries by the rank field ascending, equal ranks by file order");
  snprintf(r->conv[1], sizeof r->conv[1],
           "seen_items=not filtered: the lists are evaluated as given (train items count as non-relevant)");
  snprintf(r->conv[2], sizeof r->conv[2],
           "run_cleaning=entries naming no catalogue item (by id, else by normalised title) and repeated items are dropped; the rest keep their order");
  for (int i = 0; i < 3; i++) s->plan.src_conv[i] = r->conv[i];
  s->plan.n_src_conv = 3;
done:
  return err;
}

/* One user's raw entries (catalogue index, -1 = none), in order: quality
 * counts per cutoff and the cleaned list. */
static void take_user(runs_t *r, const rv_eval_state_t *s, int64_t u, const int32_t *raw, const float *sc,
                      int64_t n_raw) {
  const int kmax = s->plan.kmax, nk = s->plan.nk;
  int32_t *q = r->qual + (size_t)u * nk * Q_N, *list = r->lists + (size_t)u * kmax;
  float *ls = r->scores + (size_t)u * kmax;
  int len = 0;
  for (int c = 0; c < nk; c++) q[c * Q_N + Q_CONSIDERED] = (int32_t)(n_raw < s->job->k[c] ? n_raw : s->job->k[c]);
  for (int64_t t = 0; t < n_raw; t++) {
    const int32_t it = raw[t];
    const int invalid = it < 0, dup = !invalid && r->mark[it] == u + 1;
    for (int c = 0; c < nk; c++)
      if (t < s->job->k[c]) q[c * Q_N + Q_INVALID] += invalid, q[c * Q_N + Q_DUP] += dup;
    r->stats.unknown_items += invalid;
    r->stats.duplicates += dup;
    if (invalid || dup) continue;
    r->mark[it] = u + 1;
    if (len < kmax) {
      list[len] = it;
      ls[len++] = sc ? sc[t] : NAN;
    } else {
      r->stats.beyond_kmax++;
    }
  }
  r->len[u] = len;
}

typedef struct resolved {
  int64_t user;
  int32_t item;
  int64_t rank, line;
  double score;
} resolved_t;

static int g_by_score; /* qsort has no context */
static int cmp_resolved(const void *x, const void *y) {
  const resolved_t *a = x, *b = y;
  if (a->user != b->user) return a->user < b->user ? -1 : 1;
  if (g_by_score && a->score != b->score) return a->score > b->score ? -1 : 1;
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  return (a->line > b->line) - (a->line < b->line);
}

/* An id string as an index in [0, n) (datasets without string ids). */
static int64_t as_index(const char *s, size_t len, int64_t n) {
  if (len == 0 || len > 18) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v < n ? v : -1;
}

static rv_err_t load_trec(runs_t *r, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = s->ds;
  const char *path = r->job->run_file;
  rv_text_t text = {0};
  rv_trec_t run = {0};
  rv_cat_ids_t ids;
  rv_strtab_t users = {0}, items = {0}, titles = {0};
  int32_t *title_item = NULL;
  resolved_t *res = NULL;
  int32_t *raw = NULL;
  float *rsc = NULL;
  char *nb = NULL;
  memset(&ids, 0, sizeof ids);
  RV_TRY(rv_cat_ids_read(ds->path, ds->n_users, ds->n_items, &ids));
  RV_TRY(rv_text_read(path, &text));
  RV_TRY(rv_trec_parse(text.buf, text.len, path, &run));
  r->stats.entries = run.n;
  if (ids.user_id)
    for (int64_t u = 0; u < ds->n_users; u++)
      RV_REQUIRE(rv_strtab_intern(&users, ids.user_id[u], strlen(ids.user_id[u])) >= 0, RV_ERR_RUNTIME, "out of memory");
  if (ids.item_id)
    for (int64_t i = 0; i < ds->n_items; i++)
      RV_REQUIRE(rv_strtab_intern(&items, ids.item_id[i], strlen(ids.item_id[i])) >= 0, RV_ERR_RUNTIME, "out of memory");
  if (ids.title) {
    /* Normalised titles; one shared by several items matches none (-1). */
    title_item = malloc(sizeof(int32_t) * (size_t)(ds->n_items + 1));
    RV_REQUIRE(title_item, RV_ERR_RUNTIME, "out of memory");
    for (int64_t i = 0; i < ds->n_items; i++) {
      const size_t l = strlen(ids.title[i]);
      char *b = malloc(l + 1);
      RV_REQUIRE(b, RV_ERR_RUNTIME, "out of memory");
      const size_t nl = rv_title_norm(ids.title[i], l, b);
      const int64_t before = titles.n, t = nl ? rv_strtab_intern(&titles, b, nl) : -2;
      free(b);
      if (t == -2) continue;
      RV_REQUIRE(t >= 0, RV_ERR_RUNTIME, "out of memory");
      title_item[t] = titles.n > before ? (int32_t)i : -1;
    }
  }
  res = malloc(sizeof(resolved_t) * (size_t)(run.n + 1));
  RV_REQUIRE(res, RV_ERR_RUNTIME, "out of memory");
  int64_t n = 0, maxlen = 0;
  for (int64_t e = 0; e < run.n; e++) {
    const rv_trec_entry_t *en = &run.e[e];
    const int64_t u = ids.user_id ? rv_strtab_find(&users, en->user, en->ulen) : as_index(en->user, en->ulen, ds->n_users);
    if (u < 0) {
      r->stats.unknown_user_entries++;
      continue;
    }
    /* The item: quotes undone, then by id, then by normalised title. */
    const char *it = en->item;
    size_t il = en->ilen;
    if (en->item_quoted) {
      free(nb);
      nb = malloc(il + 1);
      RV_REQUIRE(nb, RV_ERR_RUNTIME, "out of memory");
      size_t w = 0;
      for (size_t i = 0; i < il; i++) {
        nb[w++] = it[i];
        if (it[i] == '"') i++; /* "" inside quotes */
      }
      it = nb, il = w;
    }
    int64_t item = ids.item_id ? rv_strtab_find(&items, it, il) : as_index(it, il, ds->n_items);
    if (item < 0 && title_item) {
      char *b = malloc(il + 1);
      RV_REQUIRE(b, RV_ERR_RUNTIME, "out of memory");
      const size_t nl = rv_title_norm(it, il, b);
      const int64_t t = nl ? rv_strtab_find(&titles, b, nl) : -1;
      free(b);
      if (t >= 0 && title_item[t] >= 0) {
        item = title_item[t];
        r->stats.matched_by_title++;
      }
    }
    res[n++] = (resolved_t){u, (int32_t)(item >= 0 ? item : -1), en->rank, en->line, en->score};
  }
  g_by_score = r->by_score;
  qsort(res, (size_t)n, sizeof(resolved_t), cmp_resolved);
  for (int64_t a = 0, b; a < n; a = b) {
    for (b = a; b < n && res[b].user == res[a].user;) b++;
    if (b - a > maxlen) maxlen = b - a;
  }
  raw = malloc(sizeof(int32_t) * (size_t)(maxlen + 1));
  rsc = malloc(sizeof(float) * (size_t)(maxlen + 1));
  RV_REQUIRE(raw && rsc, RV_ERR_RUNTIME, "out of memory");
  for (int64_t a = 0, b; a < n; a = b) {
    for (b = a; b < n && res[b].user == res[a].user;) b++;
    for (int64_t t = a; t < b; t++) raw[t - a] = res[t].item, rsc[t - a] = (float)res[t].score;
    take_user(r, s, res[a].user, raw, rsc, b - a);
    r->stats.users_in_run++;
  }
done:
  free(nb), free(res), free(raw), free(rsc), free(title_item);
  rv_strtab_free(&users), rv_strtab_free(&items), rv_strtab_free(&titles);
  rv_cat_ids_free(&ids);
  rv_trec_free(&run);
  rv_text_free(&text);
  return err;
}

static rv_err_t load_h5(runs_t *r, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = s->ds;
  int32_t *items = NULL, *raw = NULL;
  float *sc = NULL, *rsc = NULL;
  int K = 0;
  RV_TRY(rv_h5_lists_read(r->job->run_file, ds->n_users, &items, &sc, &K));
  raw = malloc(sizeof(int32_t) * (size_t)K);
  rsc = malloc(sizeof(float) * (size_t)K);
  RV_REQUIRE(raw && rsc, RV_ERR_RUNTIME, "out of memory");
  for (int64_t u = 0; u < ds->n_users; u++) {
    int64_t n = 0;
    for (int j = 0; j < K; j++) {
      const int32_t v = items[(size_t)u * K + j];
      if (v == -1) continue; /* padding */
      raw[n] = v >= 0 && v < ds->n_items ? v : -1;
      rsc[n++] = sc ? sc[(size_t)u * K + j] : NAN;
    }
    r->stats.entries += n;
    r->stats.users_in_run += n > 0;
    take_user(r, s, u, raw, rsc, n);
  }
done:
  free(items), free(sc), free(raw), free(rsc);
  return err;
}

static rv_err_t load(runs_t *r, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = s->ds;
  const size_t nl = (size_t)ds->n_users * (size_t)s->plan.kmax;
  r->lists = malloc(sizeof(int32_t) * (nl + 1));
  r->scores = malloc(sizeof(float) * (nl + 1));
  r->len = calloc((size_t)ds->n_users + 1, sizeof(int32_t));
  r->qual = calloc((size_t)ds->n_users * (size_t)s->plan.nk * Q_N + 1, sizeof(int32_t));
  r->mark = calloc((size_t)ds->n_items + 1, sizeof(int64_t));
  RV_REQUIRE(r->lists && r->scores && r->len && r->qual && r->mark, RV_ERR_RUNTIME,
             "out of memory for %lld lists of %d", (long long)ds->n_users, s->plan.kmax);
  for (size_t i = 0; i < nl; i++) r->lists[i] = -1, r->scores[i] = NAN;
  const int h5 = H5Fis_hdf5(r->job->run_file) > 0;
  r->stats.format = (char *)(h5 ? "hdf5" : "trec");
  r->stats.has_entries = r->stats.has_users_in_run = r->stats.has_unknown_user_entries = 1;
  r->stats.has_unknown_items = r->stats.has_duplicates = r->stats.has_matched_by_title = r->stats.has_beyond_kmax = 1;
  RV_TRY(h5 ? load_h5(r, s) : load_trec(r, s));
done:
  return err;
}

/* Scatters rows of `width` elements of type t from rank 0's global array;
 * bounds holds every rank's [u0, u1). Collective; every rank computes the
 * same counts, so a failure is the same everywhere. */
static rv_err_t scatter_rows(MPI_Comm comm, const int64_t *bounds, const void *all, void *mine, int64_t width,
                             MPI_Datatype t) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  int *cnt = malloc(sizeof(int) * (size_t)nranks), *dsp = malloc(sizeof(int) * (size_t)nranks);
  if (!cnt || !dsp) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  for (int p = 0; p < nranks; p++) {
    const int64_t c = (bounds[2 * p + 1] - bounds[2 * p]) * width, d = bounds[2 * p] * width;
    RV_REQUIRE(c + d <= INT32_MAX, RV_ERR_RUNTIME, "lists too large to scatter (%lld entries)", (long long)(d + c));
    cnt[p] = (int)c, dsp[p] = (int)d;
  }
  RV_MPI_TRY(MPI_Scatterv(all, cnt, dsp, t, mine, cnt[rank], t, 0, comm));
done:
  free(cnt), free(dsp);
  return err;
}

static rv_err_t fill(MPI_Comm comm, rv_eval_state_t *s, void *arg) {
  rv_err_t err = RV_OK;
  runs_t *r = arg;
  rv_dataset_t *ds = s->ds;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  const int64_t nu = ds->u1 - ds->u0, nk = s->plan.nk;
  int64_t *bounds = malloc(sizeof(int64_t) * 2 * (size_t)nranks), mine[2] = {ds->u0, ds->u1};
  int32_t *len = malloc(sizeof(int32_t) * (size_t)(nu + 1));
  int32_t *qual = malloc(sizeof(int32_t) * (size_t)(nu * nk * Q_N + 1));
  if (!bounds || !len || !qual) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  if (!err && rank == 0) err = load(r, s);
  RV_AGREE(comm);
  RV_MPI_TRY(MPI_Allgather(mine, 2, MPI_INT64_T, bounds, 2, MPI_INT64_T, comm));
  RV_TRY(scatter_rows(comm, bounds, r->lists, s->loc.top_items, s->plan.kmax, MPI_INT32_T));
  RV_TRY(scatter_rows(comm, bounds, r->scores, s->loc.top_scores, s->plan.kmax, MPI_FLOAT));
  RV_TRY(scatter_rows(comm, bounds, r->len, len, 1, MPI_INT32_T));
  RV_TRY(scatter_rows(comm, bounds, r->qual, qual, nk * Q_N, MPI_INT32_T));
  const int64_t tr_base = rv_train_ptr(ds, ds->u0), te_base = rv_test_ptr(ds, ds->u0);
  for (int64_t lu = 0; lu < nu && !err; lu++) {
    const int64_t u = ds->u0 + lu, nte = rv_test_ptr(ds, u + 1) - rv_test_ptr(ds, u);
    for (int q = 0; q < 3; q++)
      for (int c = 0; c < nk; c++) {
        const int32_t *qq = qual + (size_t)(lu * nk + c) * Q_N;
        const double cons = qq[Q_CONSIDERED];
        double x;
        if (q == 0)
          x = cons > 0 ? (cons - qq[Q_INVALID]) / cons : NAN;
        else if (q == 1)
          x = cons > 0 ? qq[Q_DUP] / cons : NAN;
        else
          x = nte > 0 ? (double)(len[lu] < s->job->k[c]) : NAN;
        const int col = r->col0 + q * (int)nk + c;
        s->loc.vals[(size_t)col * nu + lu] = x;
        if (!isnan(x)) rv_moments_add(&s->acc.mom[col], x);
      }
    err = rv_eval_measure_user(s, lu, len[lu], tr_base, te_base);
  }
  RV_AGREE(comm);
done:
  free(bounds), free(len), free(qual);
  return err;
}

rv_err_t rv_evaluate_runs(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, FILE *out) {
  runs_t r;
  memset(&r, 0, sizeof r);
  receval__run_input__init(&r.stats);
  r.job = job;
  r.by_score = !job->run_order || strcmp(job->run_order, "rank") != 0;
  const rv_list_source_t src = {plan, fill, &r};
  const rv_err_t err = rv_evaluate_with(comm, job, jobspec, jobspec_len, &src, out);
  free(r.lists), free(r.scores), free(r.len), free(r.qual), free(r.mark);
  return err;
}
