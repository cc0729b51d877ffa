/* The scoring pass: for each block of this rank's users, every item tile is
 * scored in fixed 256-user sgemm panels; right behind each panel, the seen
 * items are patched to -inf, the test items' exact scores are captured,
 * each row goes through the user's top-k selector and, when requested, the
 * score histogram and the AUC rank counts. Then each user's list is
 * measured by every selected user-kind metric. Local: no communication. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/eval_state.h"
#include "kernels/accuracy.h"
#include "kernels/listgeom.h"

/* Unit mean of the unit vectors of the user's train items. Returns 0 for a
 * user without train items (no profile); a mean that is the zero vector
 * (zero embeddings, or unit vectors that cancel) stays zero: its cosine
 * with anything is 0, as for a zero embedding. */
static int make_profile(const rv_eval_state_t *s, const int32_t *train, int64_t n, float *out) {
  const int d = s->ds->dim;
  double *acc = s->dscratch;
  if (n == 0) return 0;
  memset(acc, 0, sizeof(double) * (size_t)d);
  for (int64_t t = 0; t < n; t++) {
    const float *e = s->item_unit + (size_t)train[t] * d;
    for (int j = 0; j < d; j++) acc[j] += e[j];
  }
  double ss = 0.0;
  for (int j = 0; j < d; j++) ss += acc[j] * acc[j];
  const double inv = ss > 0.0 ? 1.0 / sqrt(ss) : 0.0;
  for (int j = 0; j < d; j++) out[j] = (float)(acc[j] * inv);
  memset(acc, 0, sizeof(double) * (size_t)d);
  return 1;
}

/* Exposure counts, list counts and sum of log2 |L_u@k| for every cutoff. */
static rv_err_t count_exposure(rv_eval_state_t *s, const int32_t *items, int len) {
  const int64_t ni = s->ds->n_items;
  for (int c = 0; c < s->nk; c++) {
    const int k = s->job->k[c], n = k < len ? k : len;
    int64_t *e = s->exposure + (size_t)c * ni;
    for (int r = 0; r < n; r++) e[items[r]]++;
    if (s->listw && n > 0) {
      rv_i128 *w = s->listw + (size_t)c * ni;
      for (int r = 0; r < n; r++) rv_xsum_add(&w[items[r]], 1.0 / n);
    }
    if (n > 0) {
      s->n_lists[c]++;
      if (rv_xsum_add(&s->sum_log2_len[c], log2((double)n)) != 0)
        return rv_error_set(RV_ERR_RUNTIME, "cannot sum log2 list lengths");
    }
  }
  return RV_OK;
}

static rv_err_t finish_user(rv_eval_state_t *s, int64_t lu, int q, int64_t tr_base, int64_t te_base) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int kmax = s->kmax;
  const int64_t nu = ds->u1 - ds->u0, u = ds->u0 + lu;
  int32_t *items = s->top_items + (size_t)lu * kmax;
  float *scores = s->top_scores + (size_t)lu * kmax;
  const int len = rv_topk_finish(&s->sel[q], items, scores);
  RV_TRY(count_exposure(s, items, len));
  if (len < kmax) s->short_list++;
  const int64_t e0 = ds->test_ptr[u] - te_base, nte = ds->test_ptr[u + 1] - ds->test_ptr[u];
  const int32_t *test = ds->test_idx + e0;
  const float *rel = ds->test_val ? ds->test_val + e0 : NULL;
  const int64_t ntr = ds->train_ptr[u + 1] - ds->train_ptr[u];
  const int32_t *train = ds->train_idx + (ds->train_ptr[u] - tr_base);
  if (nte == 0)
    s->skipped_no_test++;
  else
    s->evaluated++;

  double auc = NAN;
  if ((s->needs & RV_NEEDS_AUC) && nte > 0) {
    const int64_t n_cand = ds->n_items - (s->job->keep_seen ? 0 : ntr);
    auc = rv_auc_user((int)nte, s->texact + e0, s->gt + e0, s->eq + e0, n_cand);
  }
  if (s->needs & RV_NEEDS_HIST) {
    /* The scan counted the masked (seen) items in bin 0: take them out. */
    if (!s->job->keep_seen) s->hist_out[0] -= ntr;
    for (int64_t e = e0; e < e0 + nte; e++)
      if (s->texact[e] > -INFINITY) {
        const int b = rv_hist_bin(&s->hist, s->texact[e]);
        s->hist_out[2 * b]--; /* counted by the scan as non-relevant */
        s->hist_out[2 * b + 1]++;
      }
  }
  const int has_profile = (s->needs & RV_NEEDS_PROFILE) && make_profile(s, train, ntr, s->profile);

  const int pairs = (s->needs & RV_NEEDS_PAIRS) != 0;
  if (pairs || has_profile)
    rv_list_geometry(s->item_unit, ds->dim, items, len, has_profile ? s->profile : NULL, pairs,
                     s->prof_cos, s->pair_cos, s->sumvec);
  rv_list_gains(items, len, test, rel, nte, s->gain);
  const rv_user_view_t v = {.ctx = &s->ctx,
                            .user = u,
                            .kmax = kmax,
                            .len = len,
                            .items = items,
                            .scores = scores,
                            .gain = s->gain,
                            .n_test = nte,
                            .test = test,
                            .test_rel = rel,
                            .ideal = s->ideal,
                            .n_ideal = rv_ideal_gains(rel, nte, kmax, s->ideal),
                            .n_train = ntr,
                            .train = train,
                            .profile = has_profile ? s->profile : NULL,
                            .prof_cos = has_profile ? s->prof_cos : NULL,
                            .pair_cos = s->pair_cos,
                            .auc = auc,
                            .scratch = s->dscratch,
                            .iscratch = s->iscratch};
  for (int c = 0; c < s->ncols; c++) {
    const rv_metric_t *m = s->cols[c].metric;
    double x = NAN;
    const int skip = ((m->needs & RV_NEEDS_TEST) && nte == 0) ||
                     ((m->needs & RV_NEEDS_LIST) && len == 0) ||
                     ((m->needs & RV_NEEDS_PROFILE) && !has_profile);
    if (!skip) x = m->compute_user(&v, m->at_k ? s->cols[c].k : kmax);
    s->vals[(size_t)c * nu + lu] = x;
    if (!isnan(x) && rv_moments_add(&s->mom[c], x) != 0)
      RV_FAIL(RV_ERR_RUNTIME, "%s: user %lld: value %g cannot be summed exactly", s->cols[c].name,
              (long long)u, x);
  }
done:
  return err;
}

rv_err_t rv_eval_score(rv_eval_state_t *s, int rank, int show_progress) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const Receval__JobSpec *job = s->job;
  const int d = ds->dim, kmax = s->kmax;
  const int64_t nu = ds->u1 - ds->u0, ni = ds->n_items;
  const int B = (job->block_users + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  const int T = RV_ITEM_TILE;
  const int64_t tr_base = ds->train_ptr[ds->u0], te_base = ds->test_ptr[ds->u0];
  const int need_auc = (s->needs & RV_NEEDS_AUC) != 0, need_hist = (s->needs & RV_NEEDS_HIST) != 0;
  const int need_t = need_auc || need_hist;
  const double t_start = MPI_Wtime();
  double t_last = t_start;

  for (int64_t b0 = 0; b0 < nu; b0 += B) {
    const int nb = (int)(nu - b0 < B ? nu - b0 : B);
    for (int q = 0; q < nb; q++) {
      const int64_t u = ds->u0 + b0 + q;
      rv_topk_init(&s->sel[q], s->heap + (size_t)q * RV_TOPK_CAPACITY(kmax), kmax);
      s->cursor[q] = ds->train_ptr[u] - tr_base;
      s->tcursor[q] = ds->test_ptr[u] - te_base;
      if (!need_t) continue;
      for (int64_t e = ds->test_ptr[u] - te_base; e < ds->test_ptr[u + 1] - te_base; e++) {
        s->texact[e] = -INFINITY;
        s->gt[e] = s->eq[e] = 0;
        if (!need_auc) continue;
        const int32_t it = ds->test_idx[e];
        rv_auc_bracket(s->users + (size_t)(b0 + q) * d, s->items + (size_t)it * d, d,
                       s->sim == RV_SIM_EUCLIDEAN, s->unorm2 ? s->unorm2[b0 + q] : 0.0f,
                       s->inorm2 ? s->inorm2[it] : 0.0f, &s->blo[e], &s->bhi[e]);
      }
    }
    for (int64_t t0 = 0; t0 < ni; t0 += T) {
      const int nt = (int)(ni - t0 < T ? ni - t0 : T);
      for (int p0 = 0; p0 < nb; p0 += RV_GEMM_ROWS) {
        const int np = nb - p0 < RV_GEMM_ROWS ? nb - p0 : RV_GEMM_ROWS;
        rv_score_block(s->sim, s->users + (size_t)(b0 + p0) * d, RV_GEMM_ROWS,
                       s->items + (size_t)t0 * d, nt, d, s->unorm2 ? s->unorm2 + b0 + p0 : NULL,
                       s->inorm2 ? s->inorm2 + t0 : NULL, s->tile, T, 1);
        for (int q = p0; q < p0 + np; q++) {
          float *row = s->tile + (size_t)(q - p0) * T;
          const int64_t u = ds->u0 + b0 + q;
          if (!job->keep_seen) {
            /* Patch the few seen entries of this tile instead of testing every item. */
            const int64_t end = ds->train_ptr[u + 1] - tr_base;
            int64_t c = s->cursor[q];
            while (c < end && ds->train_idx[c] < t0 + nt) row[ds->train_idx[c++] - t0] = -INFINITY;
            s->cursor[q] = c;
          }
          const int64_t e0 = ds->test_ptr[u] - te_base, e1 = ds->test_ptr[u + 1] - te_base;
          if (need_t) {
            int64_t c = s->tcursor[q];
            while (c < e1 && ds->test_idx[c] < t0 + nt) {
              s->texact[c] = row[ds->test_idx[c] - t0];
              c++;
            }
            s->tcursor[q] = c;
          }
          rv_topk_push_row(&s->sel[q], row, nt, (int32_t)t0);
          if (need_hist) rv_hist_row(&s->hist, row, nt);
          if (need_auc && e1 > e0 &&
              rv_auc_scan_row(row, nt, (int)(e1 - e0), s->blo + e0, s->bhi + e0, e0, s->gt,
                              &s->amb) != 0)
            RV_FAIL(RV_ERR_RUNTIME, "out of memory in the AUC pass");
          memset(row, 0, sizeof(float) * (size_t)nt); /* zero again for the next panel's sgemm */
        }
        /* Padding rows of a short last panel were scored too (zeros, or the
         * norm terms for euclidean). */
        for (int q = np; q < RV_GEMM_ROWS; q++) memset(s->tile + (size_t)q * T, 0, sizeof(float) * (size_t)nt);
      }
    }
    if (need_auc) rv_auc_resolve(&s->amb, s->texact, s->gt, s->eq);
    for (int q = 0; q < nb; q++) RV_TRY(finish_user(s, b0 + q, q, tr_base, te_base));
    if (show_progress && rank == 0) {
      const double now = MPI_Wtime();
      if (now - t_last >= 2.0 || b0 + nb == nu) {
        const double rate = (double)(b0 + nb) / (now - t_start + 1e-9);
        fprintf(stderr, "receval: eval: rank 0 scored %lld/%lld users, %.0f users/s, ETA %.0f s\n",
                (long long)(b0 + nb), (long long)nu, rate, (double)(nu - b0 - nb) / rate);
        t_last = now;
      }
    }
  }
  if (need_hist) rv_hist_collect(&s->hist, s->hist_out);
done:
  return err;
}
