#include "core/evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comm/reduce.h"
#include "io/checksum.h"
#include "io/dataset.h"
#include "io/outdir.h"
#include "io/report.h"
#include "io/results.h"
#include "kernels/accuracy.h"
#include "kernels/partition.h"
#include "kernels/score.h"
#include "kernels/stats.h"
#include "kernels/topk.h"
#include "metrics/registry.h"
#include "rv_version.h"

/* Determinism by fixed shapes. OpenBLAS's result for one score depends on
 * the call's shape and on the row's position in it (measured: the same row
 * gives different bits at M = 64 and M = 512, or at positions 0 and 5), not
 * on the other rows or on alignment. So every sgemm call has exactly
 * RV_GEMM_ROWS user rows (the last panel is padded with zero rows), rank
 * ranges start at multiples of RV_GEMM_ROWS, and item tiles start at
 * multiples of RV_ITEM_TILE: a user's scores are then computed by the same
 * call shape at the same position at any rank count and block size.
 * 256 rows reach the full sgemm rate (docs/benchmarks.md); the score tile
 * (256 x 2048 floats, 2 MiB) is read by the selection right behind. */
#define RV_GEMM_ROWS 256
#define RV_ITEM_TILE 2048
#define RV_MAX_COLS 256

static const char *const OUTPUTS[] = {"results.h5", "report.pb", "report.json"};
enum { N_OUTPUTS = 3 };

/* One reported value: a metric at one cutoff. */
typedef struct col {
  const rv_metric_t *metric;
  int k;
  char name[64];
} col_t;

/* Everything one rank owns during a job; freed in one place. */
typedef struct state {
  rv_dataset_t *ds;
  float *items;       /* prepared item vectors (normalised for cosine) */
  int own_items;      /* items is a copy (else it aliases ds->items) */
  float *inorm2;      /* euclidean only */
  float *users;       /* prepared user vectors, nu x d */
  float *unorm2;
  float *tile;        /* B x TILE scores */
  rv_cand_t *heap;    /* B x kmax */
  rv_topk_t *sel;     /* B selectors over heap */
  int64_t *cursor;    /* B: position in each user's seen row */
  int32_t *top_items; /* nu x kmax */
  float *top_scores;
  double *vals;       /* ncols x nu */
  int64_t *exposure;  /* n_items */
  double *gain, *ideal, *pool;
  rv_moments_t *mom;  /* ncols */
} state_t;

static void state_free(state_t *s) {
  if (s->own_items) free(s->items);
  free(s->inorm2);
  free(s->users);
  free(s->unorm2);
  free(s->tile);
  free(s->heap);
  free(s->sel);
  free(s->cursor);
  free(s->top_items);
  free(s->top_scores);
  free(s->vals);
  free(s->exposure);
  free(s->gain);
  free(s->ideal);
  free(s->pool);
  free(s->mom);
  rv_dataset_destroy(&s->ds);
}

static rv_similarity_t similarity(const Receval__JobSpec *job) {
  switch (job->similarity) {
    case RECEVAL__SIMILARITY__SIMILARITY_DOT: return RV_SIM_DOT;
    case RECEVAL__SIMILARITY__SIMILARITY_EUCLIDEAN: return RV_SIM_EUCLIDEAN;
    default: return RV_SIM_COSINE;
  }
}

/* Item and user vectors as the similarity needs them. Local. */
static rv_err_t prepare_vectors(state_t *s, rv_similarity_t sim) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int d = ds->dim;
  const int64_t nu = ds->u1 - ds->u0, ni = ds->n_items;
  /* Padded to whole panels with zero rows (scored, never read). */
  const int64_t padded = (nu + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  s->users = calloc((size_t)(padded * d + 1), sizeof(float));
  s->pool = malloc(sizeof(double) * (size_t)d);
  RV_REQUIRE(s->users && s->pool, RV_ERR_RUNTIME, "out of memory for %lld user vectors",
             (long long)nu);
  if (ds->users) {
    memcpy(s->users, ds->users, sizeof(float) * (size_t)(nu * d));
  } else {
    /* No user embeddings in the file: the mean of the user's train items. */
    const int64_t base = ds->train_ptr[ds->u0];
    for (int64_t u = ds->u0; u < ds->u1; u++)
      rv_pool_mean(ds->items, d, ds->train_idx + (ds->train_ptr[u] - base),
                   ds->train_ptr[u + 1] - ds->train_ptr[u], s->pool,
                   s->users + (size_t)(u - ds->u0) * d);
  }
  if (sim == RV_SIM_COSINE) {
    s->items = malloc(sizeof(float) * (size_t)(ni * d));
    RV_REQUIRE(s->items, RV_ERR_RUNTIME, "out of memory for %lld item vectors", (long long)ni);
    s->own_items = 1;
    memcpy(s->items, ds->items, sizeof(float) * (size_t)(ni * d));
    rv_rows_normalize(s->items, (size_t)ni, d);
    rv_rows_normalize(s->users, (size_t)nu, d);
  } else {
    s->items = ds->items;
  }
  if (sim == RV_SIM_EUCLIDEAN) {
    s->inorm2 = malloc(sizeof(float) * (size_t)ni);
    s->unorm2 = calloc((size_t)(padded + 1), sizeof(float));
    RV_REQUIRE(s->inorm2 && s->unorm2, RV_ERR_RUNTIME, "out of memory");
    rv_rows_sqnorm(s->items, (size_t)ni, d, s->inorm2);
    rv_rows_sqnorm(s->users, (size_t)nu, d, s->unorm2);
  }
done:
  return err;
}

/* Metric columns of the job, in registry order, then cutoff order. */
static rv_err_t make_cols(const Receval__JobSpec *job, col_t *cols, int *ncols) {
  rv_err_t err = RV_OK;
  int n = 0;
  for (int r = 0; rv_metric_registry[r]; r++) {
    const rv_metric_t *m = rv_metric_registry[r];
    int wanted = 0;
    for (size_t i = 0; i < job->n_metrics; i++) wanted |= strcmp(job->metrics[i], m->name) == 0;
    if (!wanted) continue;
    const size_t nk = m->at_k ? job->n_k : 1;
    for (size_t i = 0; i < nk; i++) {
      RV_REQUIRE(n < RV_MAX_COLS, RV_ERR_USAGE, "too many metric values (at most %d)", RV_MAX_COLS);
      cols[n].metric = m;
      cols[n].k = m->at_k ? job->k[i] : 0;
      if (m->at_k)
        snprintf(cols[n].name, sizeof cols[n].name, "%s@%d", m->name, job->k[i]);
      else
        snprintf(cols[n].name, sizeof cols[n].name, "%s", m->name);
      n++;
    }
  }
  *ncols = n;
done:
  return err;
}

typedef struct counts {
  int64_t evaluated, skipped_no_test, short_list;
} counts_t;

/* Scores, masks, selects and measures this rank's users, block by block. */
static rv_err_t score_users(state_t *s, const Receval__JobSpec *job, const col_t *cols, int ncols,
                            counts_t *cnt, int rank, int show_progress) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const rv_similarity_t sim = similarity(job);
  const int d = ds->dim, kmax = job->k[job->n_k - 1];
  const int64_t nu = ds->u1 - ds->u0, ni = ds->n_items;
  const int B = (job->block_users + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  const int T = RV_ITEM_TILE;
  const int64_t tr_base = ds->train_ptr[ds->u0], te_base = ds->test_ptr[ds->u0];
  const double t_start = MPI_Wtime();
  double t_last = t_start;

  for (int64_t b0 = 0; b0 < nu; b0 += B) {
    const int nb = (int)(nu - b0 < B ? nu - b0 : B);
    rv_topk_t *sel = s->sel;
    for (int q = 0; q < nb; q++) {
      rv_topk_init(&sel[q], s->heap + (size_t)q * kmax, kmax);
      s->cursor[q] = ds->train_ptr[ds->u0 + b0 + q] - tr_base;
    }
    for (int64_t t0 = 0; t0 < ni; t0 += T) {
      const int nt = (int)(ni - t0 < T ? ni - t0 : T);
      for (int p0 = 0; p0 < nb; p0 += RV_GEMM_ROWS) {
        const int np = nb - p0 < RV_GEMM_ROWS ? nb - p0 : RV_GEMM_ROWS;
        rv_score_block(sim, s->users + (size_t)(b0 + p0) * d, RV_GEMM_ROWS,
                       s->items + (size_t)t0 * d, nt, d, s->unorm2 ? s->unorm2 + b0 + p0 : NULL,
                       s->inorm2 ? s->inorm2 + t0 : NULL, s->tile, T);
        for (int q = p0; q < p0 + np; q++) {
          float *row = s->tile + (size_t)(q - p0) * T;
          if (!job->keep_seen) {
            /* Patch the few seen entries of this tile instead of testing every item. */
            const int64_t u = ds->u0 + b0 + q, end = ds->train_ptr[u + 1] - tr_base;
            int64_t c = s->cursor[q];
            while (c < end && ds->train_idx[c] < t0 + nt) row[ds->train_idx[c++] - t0] = -INFINITY;
            s->cursor[q] = c;
          }
          rv_topk_push_row(&sel[q], row, nt, (int32_t)t0);
        }
      }
    }
    for (int q = 0; q < nb; q++) {
      const int64_t lu = b0 + q, u = ds->u0 + lu;
      int32_t *items = s->top_items + (size_t)lu * kmax;
      float *scores = s->top_scores + (size_t)lu * kmax;
      const int len = rv_topk_finish(&sel[q], items, scores);
      for (int r = 0; r < len; r++) s->exposure[items[r]]++;
      if (len < kmax) cnt->short_list++;
      const int64_t nte = ds->test_ptr[u + 1] - ds->test_ptr[u];
      const int32_t *test = ds->test_idx + (ds->test_ptr[u] - te_base);
      const float *rel = ds->test_val ? ds->test_val + (ds->test_ptr[u] - te_base) : NULL;
      rv_list_gains(items, len, test, rel, nte, s->gain);
      rv_user_view_t v = {.user = u,
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
                          .n_train = ds->train_ptr[u + 1] - ds->train_ptr[u],
                          .train = ds->train_idx + (ds->train_ptr[u] - tr_base)};
      if (nte == 0)
        cnt->skipped_no_test++;
      else
        cnt->evaluated++;
      for (int c = 0; c < ncols; c++) {
        double x = NAN;
        if (!((cols[c].metric->needs & RV_NEEDS_TEST) && nte == 0))
          x = cols[c].metric->compute_user(&v, cols[c].k);
        s->vals[(size_t)c * nu + lu] = x;
        if (!isnan(x) && rv_moments_add(&s->mom[c], x) != 0)
          RV_FAIL(RV_ERR_RUNTIME, "%s: user %lld: value %g cannot be summed exactly",
                  cols[c].name, (long long)u, x);
      }
    }
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
done:
  return err;
}

static Receval__Timing *timing(Receval__Timing *t, const char *phase, double sec) {
  receval__timing__init(t);
  t->phase = (char *)phase;
  t->seconds = sec;
  return t;
}

rv_err_t rv_evaluate(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                     size_t jobspec_len, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  state_t s;
  memset(&s, 0, sizeof s);
  col_t cols[RV_MAX_COLS];
  int ncols = 0;
  counts_t cnt = {0, 0, 0};
  int64_t *bounds = NULL;
  char checksum[32] = "";
  int wrote_tmp = 0;
  const double t0 = MPI_Wtime();
  double t_read = 0, t_prep = 0, t_score = 0, t_reduce = 0, t_write = 0;
  const int kmax = job->k[job->n_k - 1];
  const char *dir = job->out_dir;

  rv_score_init();
  err = make_cols(job, cols, &ncols);
  RV_AGREE(comm);
  RV_TRY(rv_dataset_open(comm, job->dataset, &s.ds));
  rv_dataset_t *ds = s.ds;
  if (kmax > ds->n_items)
    err = rv_error_set(RV_ERR_USAGE, "%s: /items/embedding: --k %d exceeds the catalogue of %lld items",
                       ds->path, kmax, (long long)ds->n_items);
  RV_AGREE(comm);
  if (rank == 0) err = rv_outdir_prepare(dir, OUTPUTS, N_OUTPUTS);
  RV_AGREE(comm);

  /* Plan: contiguous user ranges balanced by cost; every rank computes the
   * same bounds from the same row pointers. */
  bounds = malloc(sizeof(int64_t) * (size_t)(nranks + 1));
  if (!bounds) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  rv_partition_users(ds->n_users, ds->n_items, ds->train_ptr, ds->test_ptr, RV_GEMM_ROWS, nranks,
                     bounds);
  RV_TRY(rv_dataset_read_users(comm, ds, bounds[rank], bounds[rank + 1]));
  RV_TRY(rv_file_checksum(comm, ds->path, ds->size_bytes, checksum, sizeof checksum));
  t_read = MPI_Wtime() - t0;

  const int64_t nu = ds->u1 - ds->u0;
  const int B = (job->block_users + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
  const int64_t T = RV_ITEM_TILE;
  err = prepare_vectors(&s, similarity(job));
  if (!err) {
    s.tile = malloc(sizeof(float) * (size_t)RV_GEMM_ROWS * (size_t)T);
    s.heap = malloc(sizeof(rv_cand_t) * (size_t)B * (size_t)kmax);
    s.cursor = malloc(sizeof(int64_t) * (size_t)B);
    s.sel = malloc(sizeof(rv_topk_t) * (size_t)B);
    s.top_items = malloc(sizeof(int32_t) * (size_t)(nu * kmax + 1));
    s.top_scores = malloc(sizeof(float) * (size_t)(nu * kmax + 1));
    s.vals = malloc(sizeof(double) * (size_t)(ncols * nu + 1));
    s.exposure = calloc((size_t)ds->n_items, sizeof(int64_t));
    s.gain = malloc(sizeof(double) * (size_t)kmax);
    s.ideal = malloc(sizeof(double) * (size_t)kmax);
    s.mom = calloc((size_t)ncols + 1, sizeof(rv_moments_t));
    if (!s.tile || !s.heap || !s.cursor || !s.sel || !s.top_items || !s.top_scores || !s.vals ||
        !s.exposure || !s.gain || !s.ideal || !s.mom)
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory for %lld users x k=%d", (long long)nu, kmax);
  }
  RV_AGREE(comm);
  t_prep = MPI_Wtime() - t0 - t_read;

  const int show_progress = job->progress || isatty(STDERR_FILENO);
  err = score_users(&s, job, cols, ncols, &cnt, rank, show_progress);
  RV_AGREE(comm);
  t_score = MPI_Wtime() - t0 - t_read - t_prep;

  /* Reductions: exact sums (first pass), then squared deviations from the
   * global mean (second pass), exposure counts and user counts. */
  RV_TRY(rv_allreduce_moments(comm, s.mom, ncols));
  for (int c = 0; c < ncols; c++) {
    const double mean = rv_moments_mean(&s.mom[c]);
    for (int64_t lu = 0; lu < nu; lu++) {
      const double x = s.vals[(size_t)c * nu + lu];
      if (!isnan(x)) rv_moments_add_dev(&s.mom[c], x, mean);
    }
  }
  {
    rv_i128 m2[RV_MAX_COLS];
    for (int c = 0; c < ncols; c++) m2[c] = s.mom[c].m2;
    RV_TRY(rv_allreduce_i128(comm, m2, ncols));
    for (int c = 0; c < ncols; c++) s.mom[c].m2 = m2[c];
  }
  RV_TRY(rv_allreduce_i64(comm, s.exposure, ds->n_items));
  int64_t cvec[3] = {cnt.evaluated, cnt.skipped_no_test, cnt.short_list};
  RV_TRY(rv_allreduce_i64(comm, cvec, 3));
  t_reduce = MPI_Wtime() - t0 - t_read - t_prep - t_score;

  /* results.h5 (collective), then report.pb and report.json (rank 0), all
   * under temporary names; renamed only when every rank succeeded. */
  {
    const char *names[RV_MAX_COLS];
    const double *colv[RV_MAX_COLS];
    for (int c = 0; c < ncols; c++) {
      names[c] = cols[c].name;
      colv[c] = s.vals + (size_t)c * nu;
    }
    const rv_results_t res = {.n_users = ds->n_users,
                              .n_items = ds->n_items,
                              .kmax = kmax,
                              .u0 = ds->u0,
                              .u1 = ds->u1,
                              .top_items = s.top_items,
                              .top_scores = s.top_scores,
                              .ncols = ncols,
                              .col_names = names,
                              .cols = colv,
                              .exposure = s.exposure,
                              .jobspec = jobspec,
                              .jobspec_len = jobspec_len,
                              .dataset_path = ds->path,
                              .dataset_checksum = checksum};
    char tmp[4200];
    rv_outdir_path(tmp, sizeof tmp, dir, OUTPUTS[0], 1);
    wrote_tmp = 1;
    RV_TRY(rv_results_write(comm, tmp, &res));
  }
  t_write = MPI_Wtime() - t0 - t_read - t_prep - t_score - t_reduce;
  const double tmax[6] = {rv_allmax_double(comm, t_read),  rv_allmax_double(comm, t_prep),
                          rv_allmax_double(comm, t_score), rv_allmax_double(comm, t_reduce),
                          rv_allmax_double(comm, t_write), rv_allmax_double(comm, MPI_Wtime() - t0)};
  if (rank == 0) {
    Receval__Report rep = RECEVAL__REPORT__INIT;
    Receval__DatasetInfo di = RECEVAL__DATASET_INFO__INIT;
    Receval__MetricValue mv[RV_MAX_COLS], *mvp[RV_MAX_COLS];
    Receval__Timing tm[6], *tmp_[6];
    rep.version = (char *)RV_VERSION;
    rep.git_revision = (char *)RV_GIT_REVISION;
    rep.job = (Receval__JobSpec *)job;
    di.path = ds->path;
    di.has_size_bytes = 1, di.size_bytes = ds->size_bytes;
    di.checksum = checksum;
    di.has_n_users = 1, di.n_users = ds->n_users;
    di.has_n_items = 1, di.n_items = ds->n_items;
    di.has_dim = 1, di.dim = ds->dim;
    di.has_train_nnz = 1, di.train_nnz = ds->train_nnz;
    di.has_test_nnz = 1, di.test_nnz = ds->test_nnz;
    di.has_has_user_embeddings = 1, di.has_user_embeddings = ds->has_user_embeddings;
    di.has_has_test_values = 1, di.has_test_values = ds->has_test_values;
    rep.dataset = &di;
    for (int c = 0; c < ncols; c++) {
      receval__metric_value__init(&mv[c]);
      const int64_t n = (int64_t)s.mom[c].n;
      const double mean = rv_moments_mean(&s.mom[c]);
      double lo, hi;
      rv_ci95(mean, rv_xsum_value(s.mom[c].m2), n, &lo, &hi);
      mv[c].name = cols[c].name;
      mv[c].has_mean = mv[c].has_ci95_low = mv[c].has_ci95_high = mv[c].has_users = 1;
      mv[c].mean = mean;
      mv[c].ci95_low = lo;
      mv[c].ci95_high = hi;
      mv[c].users = n;
      mvp[c] = &mv[c];
    }
    rep.n_metrics = (size_t)ncols;
    rep.metrics = mvp;
    rep.has_users = rep.has_users_evaluated = rep.has_users_skipped_no_test = 1;
    rep.has_users_short_list = 1;
    rep.users = ds->n_users;
    rep.users_evaluated = cvec[0];
    rep.users_skipped_no_test = cvec[1];
    rep.users_short_list = cvec[2];
    static const char *const phase[6] = {"read", "prepare", "score", "reduce", "write_results", "total"};
    for (int i = 0; i < 6; i++) tmp_[i] = timing(&tm[i], phase[i], tmax[i]);
    rep.n_timings = 6;
    rep.timings = tmp_;
    rep.has_ranks = rep.has_grid_users = rep.has_grid_items = 1;
    rep.ranks = nranks;
    rep.grid_users = nranks;
    rep.grid_items = 1;
    static char *conventions[] = {
        "ties=higher score first, equal scores by smaller item index",
        "ndcg_gain=linear (relevance from /test/values, 1 without)",
        "ndcg_ideal=min(k, |R_u|) largest relevances",
        "precision_short_list=missing slots count as misses (divide by k)",
        "users_without_test=skipped from accuracy means, counted in users_skipped_no_test",
        "seen_items=excluded from candidates unless keep_seen",
        "user_vectors=/users/embedding, else mean of the user's train item embeddings",
        "exposure=counted over the max(k) lists",
        "ci95=Student t from exact sums over users"};
    rep.n_conventions = sizeof conventions / sizeof conventions[0];
    rep.conventions = conventions;

    char pb[4200], js[4200];
    rv_outdir_path(pb, sizeof pb, dir, OUTPUTS[1], 1);
    rv_outdir_path(js, sizeof js, dir, OUTPUTS[2], 1);
    err = rv_report_write_pb(&rep, pb);
    if (!err) err = rv_report_write_json(&rep, js);
    if (!err) err = rv_outdir_commit(dir, OUTPUTS, N_OUTPUTS);
    if (!err && out) {
      fprintf(out, "receval eval: %s, %lld users (%lld evaluated, %lld without test items), %lld items, "
                   "%d ranks, %.2f s\n",
              ds->path, (long long)ds->n_users, (long long)cvec[0], (long long)cvec[1],
              (long long)ds->n_items, nranks, tmax[5]);
      for (int c = 0; c < ncols; c++)
        fprintf(out, "  %-16s %.6f  [%.6f, %.6f]  users=%lld\n", mv[c].name, mv[c].mean,
                mv[c].ci95_low, mv[c].ci95_high, (long long)mv[c].users);
      fprintf(out, "  outputs in %s/: results.h5 report.pb report.json\n", dir);
      fflush(out);
    }
  }
  RV_AGREE(comm);
  wrote_tmp = 0;
done:
  if (err != RV_OK && wrote_tmp && rank == 0) rv_outdir_discard(dir, OUTPUTS, N_OUTPUTS);
  free(bounds);
  state_free(&s);
  return err;
}
