/* The scoring pass: for each block of this rank's users, every item tile is
 * scored in fixed 256-user sgemm panels; right behind each panel, the seen
 * items are patched to -inf, the test items' exact scores are captured,
 * each row goes through the user's top-k selector and, when requested, the
 * score histogram and the AUC rank counts. Then each user's list is
 * measured by every selected user-kind metric. With item shards the ranks
 * of the row communicator merge their candidates and fetch the list items'
 * vectors (collectives on s->plan.row); without, no communication. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comm/reduce.h"
#include "comm/shard.h"
#include "core/eval_context.h"
#include "core/score_pass.h"
#include "kernels/accuracy.h"
#include "kernels/listgeom.h"
#include "kernels/rowscan.h"
#include "kernels/similarity.h"
#include "train/model.h"

/* Unit mean of the unit vectors of the user's train items. Returns 0 for a
 * user without train items (no profile); a mean that is the zero vector
 * (zero embeddings, or unit vectors that cancel) stays zero: its cosine
 * with anything is 0, as for a zero embedding. */
static int make_profile(const rv_eval_state_t *s, const int32_t *train, int64_t n, float *out) {
  if (s->plan.shards == 1) { /* dscratch is left zero: metrics use it as zeroed scratch */
    const int r = rv_profile_mean(s->vec.item_unit, s->ds->dim, train, n, s->blk.dscratch, out);
    memset(s->blk.dscratch, 0, sizeof(double) * (size_t)s->ds->dim);
    return r;
  }
  /* Sharded: the vectors were fetched; index them by their rows there. */
  const int d = s->ds->dim;
  double *acc = s->blk.dscratch;
  if (n == 0) return 0;
  memset(acc, 0, sizeof(double) * (size_t)d);
  for (int64_t t = 0; t < n; t++) {
    const float *e = rv_eval_fetched(s, train[t]);
    for (int j = 0; j < d; j++) acc[j] += e[j];
  }
  rv_profile_unit(acc, d, out);
  memset(acc, 0, sizeof(double) * (size_t)d);
  return 1;
}

/* Exposure counts, list counts and sum of log2 |L_u@k| for every cutoff. */
static rv_err_t count_exposure(rv_eval_state_t *s, const int32_t *items, int len) {
  const int64_t ni = s->ds->n_items;
  for (int c = 0; c < s->plan.nk; c++) {
    const int k = s->job->k[c], n = k < len ? k : len;
    int64_t *e = s->acc.exposure + (size_t)c * ni;
    for (int r = 0; r < n; r++) e[items[r]]++;
    if (s->acc.listw && n > 0) { /* exact sums of 1/n: integer adds of the value on the grid */
      rv_i128 *w = s->acc.listw + (size_t)c * ni;
      const rv_i128 f = s->acc.inv_len[n];
      for (int r = 0; r < n; r++) w[items[r]] += f;
    }
    if (n > 0) {
      s->acc.n_lists[c]++;
      if (rv_xsum_add(&s->acc.sum_log2_len[c], log2((double)n)) != 0)
        return rv_error_set(RV_ERR_RUNTIME, "cannot sum log2 list lengths");
    }
  }
  return RV_OK;
}

/* Every metric of one user whose list (len items) is in top_items. */
static rv_err_t finish_user(rv_eval_state_t *s, int64_t lu, int len, int64_t tr_base, int64_t te_base) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int kmax = s->plan.kmax;
  const int64_t nu = ds->u1 - ds->u0, u = ds->u0 + lu;
  int32_t *items = s->loc.top_items + (size_t)lu * kmax;
  float *scores = s->loc.top_scores + (size_t)lu * kmax;
  RV_TRY(count_exposure(s, items, len));
  if (len < kmax) s->acc.short_list++;
  const int64_t e0 = rv_test_ptr(ds, u) - te_base, nte = rv_test_ptr(ds, u + 1) - rv_test_ptr(ds, u);
  const int32_t *test = ds->test_idx + e0;
  const float *rel = ds->test_val ? ds->test_val + e0 : NULL;
  const int64_t ntr = rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
  const int32_t *train = ds->train_idx + (rv_train_ptr(ds, u) - tr_base);
  if (nte == 0)
    s->acc.skipped_no_test++;
  else
    s->acc.evaluated++;

  double auc = NAN;
  if ((s->plan.needs & RV_NEEDS_AUC) && nte > 0) {
    const int64_t n_cand = ds->n_items - (s->job->keep_seen ? 0 : ntr);
    auc = rv_auc_user((int)nte, s->loc.texact + e0, s->loc.gt + e0, s->loc.eq + e0, n_cand);
  }
  if (s->plan.needs & RV_NEEDS_HIST) {
    /* The scan counted the masked (seen) items in bin 0: take them out. */
    if (!s->job->keep_seen) s->acc.hist_out[0] -= ntr;
    for (int64_t e = e0; e < e0 + nte; e++)
      if (s->loc.texact[e] > -INFINITY) {
        const int b = rv_hist_bin(&s->acc.hist, s->loc.texact[e]);
        s->acc.hist_out[2 * b]--; /* counted by the scan as non-relevant */
        s->acc.hist_out[2 * b + 1]++;
      }
  }
  const int has_profile = (s->plan.needs & RV_NEEDS_PROFILE) && make_profile(s, train, ntr, s->blk.profile);

  const int pairs = (s->plan.needs & RV_NEEDS_PAIRS) != 0;
  if ((pairs || has_profile) && s->plan.shards == 1)
    rv_list_geometry(s->vec.item_unit, ds->dim, items, len, has_profile ? s->blk.profile : NULL, pairs,
                     s->blk.prof_cos, s->blk.pair_cos, s->blk.sumvec);
  else if (pairs || has_profile) {
    /* The list's vectors were fetched: index them by their rows there. */
    for (int r = 0; r < len; r++)
      s->blk.remap[r] = (int32_t)((rv_eval_fetched(s, items[r]) - s->blk.fetch_vec) / ds->dim);
    rv_list_geometry(s->blk.fetch_vec, ds->dim, s->blk.remap, len, has_profile ? s->blk.profile : NULL, pairs,
                     s->blk.prof_cos, s->blk.pair_cos, s->blk.sumvec);
  }
  rv_list_gains(items, len, test, rel, nte, s->blk.gain);
  const rv_user_view_t v = {.ctx = &s->vec.ctx,
                            .user = u,
                            .kmax = kmax,
                            .len = len,
                            .items = items,
                            .scores = scores,
                            .gain = s->blk.gain,
                            .n_test = nte,
                            .test = test,
                            .test_rel = rel,
                            .ideal = s->blk.ideal,
                            .n_ideal = rv_ideal_gains(rel, nte, kmax, s->blk.ideal),
                            .n_train = ntr,
                            .train = train,
                            .profile = has_profile ? s->blk.profile : NULL,
                            .prof_cos = has_profile ? s->blk.prof_cos : NULL,
                            .pair_cos = s->blk.pair_cos,
                            .auc = auc,
                            .uvec = s->vec.users + (size_t)lu * ds->dim,
                            .unorm2 = s->vec.unorm2 ? s->vec.unorm2[lu] : 0.0f,
                            .scratch = s->blk.dscratch,
                            .iscratch = s->blk.iscratch};
  for (int c = 0; c < s->plan.ncols; c++) {
    const rv_metric_t *m = s->plan.cols[c].metric;
    if (!m) continue; /* a column the list source fills (core/runs.c) */
    double x = NAN;
    const int skip = ((m->needs & RV_NEEDS_TEST) && nte == 0) ||
                     ((m->needs & RV_NEEDS_LIST) && len == 0) ||
                     ((m->needs & RV_NEEDS_PROFILE) && !has_profile);
    if (!skip) x = m->compute_user(&v, m->at_k ? s->plan.cols[c].k : kmax);
    s->loc.vals[(size_t)c * nu + lu] = x;
    if (!isnan(x) && rv_moments_add(&s->acc.mom[c], x) != 0)
      RV_FAIL(RV_ERR_RUNTIME, "%s: user %lld: value %g cannot be summed exactly", s->plan.cols[c].name,
              (long long)u, x);
  }
done:
  return err;
}

/* First entry of a sorted index row [c, end) at or after item i0. */
static int64_t lower_bound(const int32_t *idx, int64_t c, int64_t end, int64_t i0) {
  while (c < end) {
    const int64_t mid = c + (end - c) / 2;
    if (idx[mid] < i0)
      c = mid + 1;
    else
      end = mid;
  }
  return c;
}

/* Sharded: what the row must assemble for block [b0, b0 + nb) after its
 * tiles: exact test scores (max over shards, -inf elsewhere), the AUC rank
 * counts (sums), the merged top-k, and the vectors the list metrics read.
 * Unsharded: only each user's selection. Collective on the row. */
static rv_err_t close_block(rv_eval_state_t *s, int64_t b0, int nb, int64_t tr_base, int64_t te_base) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int kmax = s->plan.kmax;
  const int need_auc = (s->plan.needs & RV_NEEDS_AUC) != 0, need_t = need_auc || (s->plan.needs & RV_NEEDS_HIST);
  const int64_t e0 = rv_test_ptr(ds, ds->u0 + b0) - te_base, e1 = rv_test_ptr(ds, ds->u0 + b0 + nb) - te_base;
  if (s->plan.shards == 1) {
    if (need_auc) rv_auc_resolve(&s->loc.amb, s->loc.texact, s->loc.gt, s->loc.eq);
    for (int q = 0; q < nb; q++)
      s->blk.lens[q] = rv_topk_finish(&s->blk.sel[q], s->loc.top_items + (size_t)(b0 + q) * kmax,
                                  s->loc.top_scores + (size_t)(b0 + q) * kmax);
    return RV_OK;
  }
  if (need_t) RV_TRY(rv_row_minmax_f32(s->plan.row, s->loc.texact + e0, e1 - e0, MPI_MAX));
  if (need_auc) {
    rv_auc_resolve(&s->loc.amb, s->loc.texact, s->loc.gt, s->loc.eq);
    RV_TRY(rv_allreduce_i64(s->plan.row, s->loc.gt + e0, e1 - e0));
    RV_TRY(rv_allreduce_i64(s->plan.row, s->loc.eq + e0, e1 - e0));
  }
  for (int q = 0; q < nb; q++) rv_topk_finish_keys(&s->blk.sel[q], s->blk.keys + (size_t)q * kmax);
  RV_TRY(rv_row_merge_topk(s->plan.row, s->blk.keys, nb, kmax));
  for (int q = 0; q < nb; q++)
    s->blk.lens[q] = rv_topk_decode(s->blk.keys + (size_t)q * kmax, kmax, s->loc.top_items + (size_t)(b0 + q) * kmax,
                                s->loc.top_scores + (size_t)(b0 + q) * kmax);
  if (s->plan.needs & (RV_NEEDS_PAIRS | RV_NEEDS_PROFILE)) {
    /* ids: the block's list items, and train items when profiles are read. */
    const int prof = (s->plan.needs & RV_NEEDS_PROFILE) != 0;
    const int64_t ntr = prof ? rv_train_ptr(ds, ds->u0 + b0 + nb) - rv_train_ptr(ds, ds->u0 + b0) : 0;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)((int64_t)nb * kmax + ntr + 1));
    if (!ids) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for the block's item ids");
    err = rv_error_agree(s->plan.row, err);
    if (err) { /* another rank of the row ran out: leave with it, without a leak */
      free(ids);
      goto done;
    }
    int64_t n = 0;
    for (int q = 0; q < nb; q++)
      for (int r = 0; r < s->blk.lens[q]; r++) ids[n++] = s->loc.top_items[(size_t)(b0 + q) * kmax + r];
    if (prof) {
      memcpy(ids + n, ds->train_idx + (rv_train_ptr(ds, ds->u0 + b0) - tr_base), sizeof(int32_t) * (size_t)ntr);
      n += ntr;
    }
    free(s->blk.fetch_ids);
    s->blk.fetch_ids = NULL;
    err = rv_eval_fetch(s, s->vec.item_unit, ids, n);
    s->blk.fetch_ids = ids; /* owned here, freed with the next block or the state */
    if (err) goto done;
  }
done:
  return err;
}

/* A failure of one rank, agreed on the row (whose ranks meet in the same
 * collectives) before the next one. */
static rv_err_t settle(rv_eval_state_t *s, rv_err_t local) {
  return s->plan.shards > 1 ? rv_error_agree(s->plan.row, local) : local;
}

rv_err_t rv_eval_score(rv_eval_state_t *s, int rank, int show_progress) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const Receval__JobSpec *job = s->job;
  const int d = ds->dim, kmax = s->plan.kmax;
  const int64_t nu = ds->u1 - ds->u0, i0 = ds->i0, i1 = ds->i1;
  const int B = (int)rv_eval_block_rows(job);
  const int T = RV_ITEM_TILE;
  const int64_t tr_base = rv_train_ptr(ds, ds->u0), te_base = rv_test_ptr(ds, ds->u0);
  const int need_auc = (s->plan.needs & RV_NEEDS_AUC) != 0, need_hist = (s->plan.needs & RV_NEEDS_HIST) != 0;
  const int need_t = need_auc || need_hist;
  const double t_start = MPI_Wtime();
  double t_last = t_start;
  rv_err_t local = RV_OK; /* a failure of this rank, agreed on the row before its next collective */

  for (int64_t b0 = 0; b0 < nu; b0 += B) {
    const int nb = (int)(nu - b0 < B ? nu - b0 : B);
    RV_TRY(settle(s, local));
    for (int q = 0; q < nb; q++) {
      const int64_t u = ds->u0 + b0 + q;
      rv_topk_init(&s->blk.sel[q], s->blk.heap + (size_t)q * RV_TOPK_CAPACITY(kmax), kmax);
      s->blk.cursor[q] = lower_bound(ds->train_idx, rv_train_ptr(ds, u) - tr_base, rv_train_ptr(ds, u + 1) - tr_base, i0);
      s->blk.tcursor[q] = lower_bound(ds->test_idx, rv_test_ptr(ds, u) - te_base, rv_test_ptr(ds, u + 1) - te_base, i0);
      if (!need_t) continue;
      for (int64_t e = rv_test_ptr(ds, u) - te_base; e < rv_test_ptr(ds, u + 1) - te_base; e++) {
        s->loc.texact[e] = -INFINITY;
        s->loc.gt[e] = s->loc.eq[e] = 0;
        if (!need_auc) continue;
        const int32_t it = ds->test_idx[e];
        s->loc.blo[e] = INFINITY, s->loc.bhi[e] = -INFINITY; /* another shard's item: set by the row below */
        if (it >= i0 && it < i1)
          rv_auc_bracket(s->vec.users + (size_t)(b0 + q) * d, s->vec.items + (size_t)(it - i0) * d, d,
                         rv_sim_get(s->plan.sim)->minus_sqdist, s->vec.unorm2 ? s->vec.unorm2[b0 + q] : 0.0f,
                         s->vec.inorm2 ? s->vec.inorm2[it - i0] : 0.0f, &s->loc.blo[e], &s->loc.bhi[e]);
        if (s->model && it >= i0 && it < i1) rv_model_bracket(s->model, it, &s->loc.blo[e], &s->loc.bhi[e]);
      }
    }
    if (need_auc && s->plan.shards > 1) {
      const int64_t e0 = rv_test_ptr(ds, ds->u0 + b0) - te_base, e1 = rv_test_ptr(ds, ds->u0 + b0 + nb) - te_base;
      RV_TRY(rv_row_minmax_f32(s->plan.row, s->loc.blo + e0, e1 - e0, MPI_MIN));
      RV_TRY(rv_row_minmax_f32(s->plan.row, s->loc.bhi + e0, e1 - e0, MPI_MAX));
    }
    for (int64_t t0 = i0; t0 < i1 && !local; t0 += T) {
      const int nt = (int)(i1 - t0 < T ? i1 - t0 : T);
      for (int p0 = 0; p0 < nb && !local; p0 += RV_GEMM_ROWS) {
        const int np = nb - p0 < RV_GEMM_ROWS ? nb - p0 : RV_GEMM_ROWS;
        rv_score_block(s->plan.sim, s->vec.users + (size_t)(b0 + p0) * d, RV_GEMM_ROWS,
                       s->vec.items + (size_t)(t0 - i0) * d, nt, d, s->vec.unorm2 ? s->vec.unorm2 + b0 + p0 : NULL,
                       s->vec.inorm2 ? s->vec.inorm2 + (t0 - i0) : NULL, s->blk.tile, T, 1);
        if (s->vec.range.check && !rv_rows_finite(s->blk.tile, np, nt, T)) local = rv_range_error(&s->vec.range, ds->path);
        if (s->model) rv_model_tile(s->model, s->blk.tile, np, nt, t0, T);
        for (int q = p0; q < p0 + np; q++) {
          float *row = s->blk.tile + (size_t)(q - p0) * T;
          const int64_t u = ds->u0 + b0 + q;
          if (!job->keep_seen) {
            /* Patch the few seen entries of this tile instead of testing every item. */
            const int64_t end = rv_train_ptr(ds, u + 1) - tr_base;
            int64_t c = s->blk.cursor[q];
            while (c < end && ds->train_idx[c] < t0 + nt) row[ds->train_idx[c++] - t0] = -INFINITY;
            s->blk.cursor[q] = c;
          }
          const int64_t e0 = rv_test_ptr(ds, u) - te_base, e1 = rv_test_ptr(ds, u + 1) - te_base;
          if (need_t) {
            int64_t c = s->blk.tcursor[q];
            while (c < e1 && ds->test_idx[c] < t0 + nt) {
              s->loc.texact[c] = row[ds->test_idx[c] - t0];
              c++;
            }
            s->blk.tcursor[q] = c;
          }
          rv_topk_push_row(&s->blk.sel[q], row, nt, (int32_t)t0);
          const int m = need_auc ? (int)(e1 - e0) : 0;
          if ((need_hist || m > 0) &&
              rv_scan_row(need_hist ? &s->acc.hist : NULL, row, nt, (int32_t)t0, m, ds->test_idx + e0, s->loc.blo + e0,
                          s->loc.bhi + e0, e0, s->loc.gt, s->loc.eq, &s->loc.amb) != 0)
            local = rv_error_set(RV_ERR_RUNTIME, "out of memory in the AUC pass");
          memset(row, 0, sizeof(float) * (size_t)nt); /* zero again for the next panel's sgemm */
        }
        /* Padding rows of a short last panel were scored too (zeros, or the
         * norm terms for euclidean). */
        for (int q = np; q < RV_GEMM_ROWS; q++) memset(s->blk.tile + (size_t)q * T, 0, sizeof(float) * (size_t)nt);
      }
    }
    RV_TRY(settle(s, local));
    RV_TRY(close_block(s, b0, nb, tr_base, te_base));
    const double t_m = MPI_Wtime();
    if (s->plan.leader)
      for (int q = 0; q < nb && !local; q++) {
        local = finish_user(s, b0 + q, s->blk.lens[q], tr_base, te_base);
      }
    s->acc.t_measure += MPI_Wtime() - t_m;
    if (show_progress && rank == 0) {
      const double now = MPI_Wtime();
      if (now - t_last >= 2.0 || b0 + nb == nu) {
        /* Ranges are balanced by cost: rank 0's share stands for the job's. */
        const double frac = (double)(b0 + nb) / (double)nu, el = now - t_start;
        const double all = frac * (double)ds->n_users;
        fprintf(stderr, "receval: eval: scoring %5.1f%%, ~%.0f/%lld users, %.0f users/s, ETA %.0f s\n",
                100.0 * frac, all, (long long)ds->n_users, all / (el + 1e-9), el / frac - el);
        t_last = now;
      }
    }
  }
  err = settle(s, local);
  if (need_hist) rv_hist_collect(&s->acc.hist, s->acc.hist_out);
done:
  return err;
}

rv_err_t rv_eval_measure_user(rv_eval_state_t *s, int64_t lu, int len, int64_t tr_base, int64_t te_base) {
  return finish_user(s, lu, len, tr_base, te_base);
}
