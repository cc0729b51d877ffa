/* Preparation of an evaluation: the vectors as the similarity needs them,
 * the global context the metrics read (popularity, long tail, unit
 * embeddings, categories), the score histogram's range, and every buffer
 * of the scoring pass (allocated once, never in the hot loop). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comm/reduce.h"
#include "comm/shard.h"
#include "core/eval_context.h"
#include "base/size.h"
#include "kernels/similarity.h"
#include "train/model.h"

static int cmp_i32(const void *a, const void *b) {
  const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
  return (x > y) - (x < y);
}

rv_err_t rv_eval_fetch(rv_eval_state_t *s, const float *shard, int32_t *ids, int64_t n) {
  rv_err_t err = RV_OK;
  qsort(ids, (size_t)n, sizeof(int32_t), cmp_i32);
  int64_t m = 0;
  for (int64_t r = 0; r < n; r++)
    if (m == 0 || ids[r] != ids[m - 1]) ids[m++] = ids[r];
  const int d = s->ds->dim;
  if (m > s->blk.fetch_cap) {
    float *v = realloc(s->blk.fetch_vec, sizeof(float) * (size_t)(m * d));
    if (v) {
      s->blk.fetch_vec = v;
      s->blk.fetch_cap = m;
    } else {
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory for %lld fetched item vectors", (long long)m);
    }
  }
  RV_AGREE(s->plan.row); /* before the collective below */
  s->blk.fetch_ids = ids;
  s->blk.fetch_n = m;
  RV_TRY(rv_row_fetch_rows(s->plan.row, shard, s->ds->i0, s->ds->i1, d, ids, m, s->blk.fetch_vec));
done:
  return err;
}

const float *rv_eval_fetched(const rv_eval_state_t *s, int32_t item) {
  const int32_t *p = bsearch(&item, s->blk.fetch_ids, (size_t)s->blk.fetch_n, sizeof(int32_t), cmp_i32);
  return s->blk.fetch_vec + (size_t)(p - s->blk.fetch_ids) * s->ds->dim;
}

/* Sharded, no user embeddings in the file: each block of users pools the
 * raw vectors of its train items, fetched across the row, with
 * rv_pool_mean in train order (the same sums as with every item at hand).
 * Collective on the row. */
static rv_err_t pool_sharded(rv_eval_state_t *s, double *pool) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int d = ds->dim;
  const int64_t base = rv_train_ptr(ds, ds->u0);
  int32_t *ids = NULL; /* the block's train items, then their rows in fetch_vec */
  for (int64_t b0 = ds->u0; b0 < ds->u1; b0 += RV_GEMM_ROWS) {
    const int64_t b1 = b0 + RV_GEMM_ROWS < ds->u1 ? b0 + RV_GEMM_ROWS : ds->u1;
    const int64_t n = rv_train_ptr(ds, b1) - rv_train_ptr(ds, b0);
    const int32_t *tr = ds->train_idx + (rv_train_ptr(ds, b0) - base);
    int32_t *grown = realloc(ids, sizeof(int32_t) * (size_t)(2 * n + 1));
    if (grown)
      ids = grown;
    else
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory pooling user vectors");
    RV_AGREE(s->plan.row);
    int32_t *rows = ids + n;
    memcpy(ids, tr, sizeof(int32_t) * (size_t)n);
    RV_TRY(rv_eval_fetch(s, ds->items, ids, n));
    for (int64_t t = 0; t < n; t++) rows[t] = (int32_t)((rv_eval_fetched(s, tr[t]) - s->blk.fetch_vec) / d);
    for (int64_t u = b0; u < b1; u++)
      rv_pool_mean(s->blk.fetch_vec, d, rows + (rv_train_ptr(ds, u) - rv_train_ptr(ds, b0)),
                   rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u), pool, s->vec.users + (size_t)(u - ds->u0) * d);
  }
done:
  free(ids);
  s->blk.fetch_ids = NULL;
  s->blk.fetch_n = 0;
  return err;
}

static rv_err_t prepare_vectors(rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int d = ds->dim;
  const int64_t nu = ds->u1 - ds->u0, ni = ds->i1 - ds->i0; /* this rank's item shard */
  /* Padded to whole panels with zero rows (scored, never read). */
  const int64_t padded = (nu + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  if (ds->users) {
    /* Grown in place to whole panels (realloc of a large block remaps its
     * pages rather than copying them): one user slice in memory, not two. */
    s->vec.users = realloc(ds->users, sizeof(float) * (size_t)(padded * d + 1));
    if (s->vec.users) {
      ds->users = NULL;
      memset(s->vec.users + nu * d, 0, sizeof(float) * (size_t)((padded - nu) * d + 1));
    }
  } else {
    s->vec.users = rv_calloc_n(sizeof(float), padded * d + 1, 1);
  }
  double *pool = malloc(sizeof(double) * (size_t)d);
  if (!s->vec.users || !pool) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for %lld user vectors", (long long)nu);
  RV_AGREE(s->plan.row);
  if (!ds->has_user_embeddings) {
    if (s->plan.shards > 1) {
      RV_TRY(pool_sharded(s, pool));
    } else {
      /* No user embeddings in the file: the mean of the user's train items. */
      const int64_t base = rv_train_ptr(ds, ds->u0);
      for (int64_t u = ds->u0; u < ds->u1; u++)
        rv_pool_mean(ds->items, d, ds->train_idx + (rv_train_ptr(ds, u) - base),
                     rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u), pool, s->vec.users + (size_t)(u - ds->u0) * d);
    }
  }
  /* Unit item vectors: scored directly for cosine (normalised in place, the
   * raw ones are not needed once users are pooled); otherwise a copy, made
   * only when a metric reads the list's geometry or the user's profile. */
  s->vec.items = ds->items;
  const rv_sim_entry_t *e = rv_sim_get(s->plan.sim);
  if (e->unit_rows) {
    rv_rows_normalize(ds->items, (size_t)ni, d);
    rv_rows_normalize(s->vec.users, (size_t)nu, d);
    s->vec.item_unit = ds->items;
  } else if (s->plan.needs & (RV_NEEDS_PAIRS | RV_NEEDS_PROFILE)) {
    s->vec.item_unit = rv_malloc_n(sizeof(float), ni, d);
    RV_REQUIRE(s->vec.item_unit, RV_ERR_RUNTIME, "out of memory for %lld unit vectors", (long long)ni);
    s->vec.own_unit = 1;
    memcpy(s->vec.item_unit, ds->items, sizeof(float) * (size_t)(ni * d));
    rv_rows_normalize(s->vec.item_unit, (size_t)ni, d);
  }
  if (e->minus_sqdist) {
    s->vec.inorm2 = malloc(sizeof(float) * (size_t)ni);
    s->vec.unorm2 = calloc((size_t)(padded + 1), sizeof(float));
    RV_REQUIRE(s->vec.inorm2 && s->vec.unorm2, RV_ERR_RUNTIME, "out of memory");
    rv_rows_sqnorm(s->vec.items, (size_t)ni, d, s->vec.inorm2);
    rv_rows_sqnorm(s->vec.users, (size_t)nu, d, s->vec.unorm2);
  }
done:
  free(pool);
  return err;
}

typedef struct popidx {
  int64_t pop;
  int32_t item;
} popidx_t;

static int cmp_pop_desc(const void *a, const void *b) {
  const popidx_t *x = a, *y = b;
  if (x->pop != y->pop) return x->pop > y->pop ? -1 : 1;
  return (x->item > y->item) - (x->item < y->item);
}

/* Train popularity (reduced exactly) and the long tail of APLT: items
 * outside the smallest set of most popular items (ties by smaller index)
 * whose train interactions reach 80% of all. */
static rv_err_t popularity(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int64_t ni = ds->n_items;
  popidx_t *order = NULL;
  s->vec.pop = calloc((size_t)ni, sizeof(int64_t));
  s->vec.long_tail = malloc((size_t)ni);
  order = malloc(sizeof(popidx_t) * (size_t)ni);
  if (!s->vec.pop || !s->vec.long_tail || !order) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  /* One rank per user range counts (the row's leader). */
  const int64_t n_local = s->plan.leader ? rv_train_ptr(ds, ds->u1) - rv_train_ptr(ds, ds->u0) : 0;
  for (int64_t t = 0; t < n_local; t++) s->vec.pop[ds->train_idx[t]]++;
  RV_TRY(rv_allreduce_i64(comm, s->vec.pop, ni));
  int64_t total = 0;
  for (int64_t i = 0; i < ni; i++) {
    total += s->vec.pop[i];
    order[i] = (popidx_t){s->vec.pop[i], (int32_t)i};
    s->vec.long_tail[i] = 1;
  }
  qsort(order, (size_t)ni, sizeof(popidx_t), cmp_pop_desc);
  int64_t cum = 0;
  for (int64_t r = 0; r < ni && total > 0 && 5 * cum < 4 * total; r++) {
    cum += order[r].pop;
    s->vec.long_tail[order[r].item] = 0;
  }
  s->vec.ctx.train_total = total;
  /* Each item's self-information, once rather than per list entry. */
  s->vec.selfinfo = malloc(sizeof(double) * (size_t)(ni > 0 ? ni : 1));
  if (s->vec.selfinfo)
    for (int64_t i = 0; i < ni; i++)
      s->vec.selfinfo[i] = -log2((double)(s->vec.pop[i] > 1 ? s->vec.pop[i] : 1) / (double)ds->n_users);
done:
  free(order);
  return err;
}

/* Equal-width bins on a dyadic grid over the range every score can take
 * (one pass over the vectors; kernels/scorehist.h). */
static rv_err_t hist_range(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int d = ds->dim;
  const int bins = s->job->mi_bins;
  double lo = -1.0, hi = 1.0;
  const rv_sim_entry_t *e = rv_sim_get(s->plan.sim);
  if (!e->unit_rows) {
    double mu = 0.0, mi = 0.0;
    for (int64_t u = 0; u < ds->u1 - ds->u0; u++) {
      double ss = 0.0;
      for (int j = 0; j < d; j++) ss += (double)s->vec.users[u * d + j] * s->vec.users[u * d + j];
      mu = fmax(mu, sqrt(ss));
    }
    for (int64_t i = 0; i < ds->i1 - ds->i0; i++) {
      double ss = 0.0;
      for (int j = 0; j < d; j++) ss += (double)s->vec.items[i * d + j] * s->vec.items[i * d + j];
      mi = fmax(mi, sqrt(ss));
    }
    mu = rv_allmax_double(comm, mu);
    mi = rv_allmax_double(comm, mi);
    e->range(mu, mi, &lo, &hi);
    if (!(hi > lo)) hi = lo + 1.0;
  }
  if (s->model && !s->model->bilinear) lo = 0.0, hi = 1.0; /* item-weight outputs are probabilities */
  double width, origin;
  rv_hist_grid(lo, hi, bins, &width, &origin);
  s->acc.hist_width = width, s->acc.hist_origin = origin;
  s->acc.hist_out = calloc((size_t)bins * 2, sizeof(int64_t));
  if (rv_hist_init(&s->acc.hist, bins, width, origin, RV_ITEM_TILE) != 0 || !s->acc.hist_out)
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
done:
  return err;
}

rv_err_t rv_eval_check_range(MPI_Comm comm, rv_eval_state_t *s) {
  const rv_dataset_t *ds = s->ds;
  if (s->plan.lists_only) return RV_OK; /* lists from a source: nothing is scored */
  return rv_range_compute(comm, s->plan.sim, s->vec.users, ds->u1 - ds->u0, ds->u0, s->vec.items, ds->i1 - ds->i0, ds->i0,
                          ds->dim, &s->vec.range);
}

rv_err_t rv_eval_prepare(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int64_t nu = ds->u1 - ds->u0, ni = ds->n_items;
  const int d = ds->dim;
  /* Per-block scratch for the users of a block: no more than this rank has. */
  const int64_t B_job = rv_eval_block_rows(s->job);
  const int64_t nu_pad = (nu + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  const int B = (int)(B_job < nu_pad ? B_job : nu_pad > 0 ? nu_pad : 1);
  const int64_t n_test_local = rv_test_ptr(ds, ds->u1) - rv_test_ptr(ds, ds->u0);
  err = prepare_vectors(s);
  RV_AGREE(comm);
  RV_TRY(popularity(comm, s));
  if (s->plan.needs & RV_NEEDS_HIST) RV_TRY(hist_range(comm, s));

  s->vec.ctx = (rv_eval_ctx_t){.n_users = ds->n_users,
                           .n_items = ni,
                           .dim = d,
                           .item_unit = s->vec.item_unit,
                           .pop = s->vec.pop,
                           .train_total = s->vec.ctx.train_total,
                           .long_tail = s->vec.long_tail,
                           .selfinfo = s->vec.selfinfo,
                           .cat_ptr = ds->cat_ptr,
                           .cat_idx = ds->cat_idx,
                           .n_categories = ds->n_categories,
                           .trec = s->job->convention && strcmp(s->job->convention, "trec") == 0};
  const int G = ds->n_categories;
  s->blk.tile = calloc((size_t)RV_GEMM_ROWS * RV_ITEM_TILE, sizeof(float)); /* kept zero between panels */
  s->blk.heap = rv_malloc_n(sizeof(rv_topk_slot_t), B, RV_TOPK_CAPACITY(s->plan.kmax));
  s->blk.sel = malloc(sizeof(rv_topk_t) * (size_t)B);
  s->blk.cursor = malloc(sizeof(int64_t) * (size_t)B);
  s->blk.tcursor = malloc(sizeof(int64_t) * (size_t)B);
  s->loc.top_items = rv_malloc_n(sizeof(int32_t), nu, s->plan.kmax);
  s->loc.top_scores = rv_malloc_n(sizeof(float), nu, s->plan.kmax);
  s->loc.vals = rv_malloc_n(sizeof(double), s->plan.ncols, nu);
  if (s->loc.vals) /* users this rank does not measure (not the row's leader) stay NaN */
    for (int64_t q = 0; q < s->plan.ncols * nu; q++) s->loc.vals[q] = NAN;
  s->blk.keys = s->plan.shards > 1 ? rv_malloc_n(sizeof(rv_topk_slot_t), B, s->plan.kmax + 1) : NULL;
  s->blk.lens = malloc(sizeof(int) * (size_t)B);
  s->blk.remap = malloc(sizeof(int32_t) * (size_t)(s->plan.kmax + 1));
  s->loc.blo = malloc(sizeof(float) * (size_t)(n_test_local + 1));
  s->loc.bhi = malloc(sizeof(float) * (size_t)(n_test_local + 1));
  s->loc.texact = malloc(sizeof(float) * (size_t)(n_test_local + 1));
  s->loc.gt = calloc((size_t)(n_test_local + 1), sizeof(int64_t));
  s->loc.eq = calloc((size_t)(n_test_local + 1), sizeof(int64_t));
  s->acc.exposure = rv_calloc_n(sizeof(int64_t), s->plan.nk, ni);
  s->acc.mom = calloc((size_t)s->plan.ncols + 1, sizeof(rv_moments_t));
  if (s->plan.needs & RV_NEEDS_LISTW) {
    s->acc.listw = rv_calloc_n(sizeof(rv_i128), s->plan.nk, ni);
    s->acc.listw_d = rv_calloc_n(sizeof(double), s->plan.nk, ni);
    s->acc.inv_len = malloc(sizeof(rv_i128) * (size_t)(s->plan.kmax + 1));
    if (!s->acc.listw || !s->acc.listw_d || !s->acc.inv_len) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
    else
      for (int n = 1; n <= s->plan.kmax; n++) s->acc.inv_len[n] = rv_xsum_fix(1.0 / n);
  }
  s->blk.gain = malloc(sizeof(double) * (size_t)s->plan.kmax);
  s->blk.ideal = malloc(sizeof(double) * (size_t)s->plan.kmax);
  s->blk.dscratch = calloc((size_t)d + 2 * (size_t)G + 2, sizeof(double));
  s->blk.iscratch = malloc(sizeof(int32_t) * (2 * (size_t)G + 2));
  s->blk.profile = malloc(sizeof(float) * (size_t)d);
  s->blk.prof_cos = malloc(sizeof(double) * (size_t)(s->plan.kmax + 1));
  s->blk.pair_cos = malloc(sizeof(double) * (size_t)(s->plan.kmax + 1));
  s->blk.sumvec = malloc(sizeof(double) * (size_t)d);
  if (err == RV_OK && ((s->plan.shards > 1 && !s->blk.keys) || !s->blk.lens || !s->blk.remap || !s->blk.tile || !s->blk.heap || !s->blk.sel || !s->blk.cursor || !s->blk.tcursor || !s->loc.top_items ||
      !s->loc.top_scores || !s->loc.vals || !s->loc.blo || !s->loc.bhi || !s->loc.texact || !s->loc.gt ||
      !s->loc.eq || !s->acc.exposure || !s->acc.mom || !s->blk.gain || !s->blk.ideal || !s->blk.dscratch ||
      !s->blk.iscratch || !s->blk.profile || !s->blk.prof_cos || !s->blk.pair_cos || !s->blk.sumvec))
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory for %lld users x k=%d", (long long)nu, s->plan.kmax);
  RV_AGREE(comm);
done:
  return err;
}
