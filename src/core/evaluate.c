/* `receval eval`: the job lifecycle. Validation, plan, read, prepare, the
 * scoring pass (score_pass.c), deterministic reductions, finalisation of
 * the exposure and scan metrics, and the outputs under temporary names. */
#include "core/evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "comm/reduce.h"
#include "core/eval_state.h"
#include "io/checksum.h"
#include "io/outdir.h"
#include "io/report.h"
#include "io/results.h"
#include "kernels/partition.h"
#include "kernels/similarity.h"
#include "kernels/stats.h"
#include "rv_version.h"

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *const OUTPUTS[] = {"results.h5", "report.pb", "report.json"};
enum { N_OUTPUTS = 3 };

static void state_free(rv_eval_state_t *s) {
  if (s->own_unit) free(s->item_unit);
  free(s->inorm2), free(s->users), free(s->unorm2);
  free(s->pop), free(s->long_tail), free(s->selfinfo), free(s->inv_len);
  free(s->tile), free(s->heap), free(s->sel), free(s->cursor), free(s->tcursor);
  free(s->keys), free(s->lens), free(s->remap), free(s->fetch_ids), free(s->fetch_vec);
  if (s->row != MPI_COMM_NULL) MPI_Comm_free(&s->row);
  free(s->top_items), free(s->top_scores), free(s->vals);
  free(s->blo), free(s->bhi), free(s->texact), free(s->gt), free(s->eq);
  free(s->amb.s), free(s->amb.j);
  rv_hist_free(&s->hist), free(s->hist_out);
  free(s->exposure), free(s->mom), free(s->listw), free(s->listw_d);
  free(s->gain), free(s->ideal), free(s->dscratch), free(s->iscratch), free(s->profile);
  free(s->prof_cos), free(s->pair_cos), free(s->sumvec);
  rv_dataset_destroy(&s->ds);
  rv_eval_model_free(s);
}

static rv_similarity_t similarity(const Receval__JobSpec *job) {
  rv_similarity_t sim = RV_SIM_COSINE;
  rv_sim_from_proto((int)job->similarity, &sim);
  return sim;
}

/* The job's per-user columns and final values, in registry order, then
 * cutoff order. A metric whose data is missing is omitted with a reason. */
static rv_err_t plan_metrics(rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  const Receval__JobSpec *job = s->job;
  for (int r = 0; rv_metric_registry[r]; r++) {
    const rv_metric_t *m = rv_metric_registry[r];
    int wanted = 0;
    for (size_t i = 0; i < job->n_metrics; i++) wanted |= strcmp(job->metrics[i], m->name) == 0;
    if (!wanted) continue;
    if ((m->needs & (RV_NEEDS_AUC | RV_NEEDS_HIST)) && s->lists_only) {
      if (s->nomitted < 8)
        snprintf(s->omitted[s->nomitted++], sizeof s->omitted[0],
                 "%s: needs the score of every candidate; ranked lists hold only their entries", m->name);
      continue;
    }
    if ((m->needs & RV_NEEDS_CATEGORIES) && !s->ds->has_categories) {
      if (s->nomitted < 8)
        snprintf(s->omitted[s->nomitted++], sizeof s->omitted[0],
                 "%s: the dataset has no /items/category", m->name);
      continue;
    }
    if ((m->needs & RV_NEEDS_MODEL) && !(job->model_dir && *job->model_dir)) {
      if (s->nomitted < 8)
        snprintf(s->omitted[s->nomitted++], sizeof s->omitted[0], "%s: needs --model DIR", m->name);
      continue;
    }
    s->needs |= m->needs;
    const int nk = m->at_k ? s->nk : 1;
    for (int i = 0; i < nk; i++) {
      char name[64];
      if (m->at_k)
        snprintf(name, sizeof name, "%s@%d", m->name, job->k[i]);
      else
        snprintf(name, sizeof name, "%s", m->name);
      if (m->kind == RV_KIND_USER) {
        RV_REQUIRE(s->ncols < RV_MAX_COLS, RV_ERR_USAGE, "too many metric values (at most %d)", RV_MAX_COLS);
        rv_col_t *c = &s->cols[s->ncols++];
        c->metric = m;
        c->k = m->at_k ? job->k[i] : s->kmax;
        snprintf(c->name, sizeof c->name, "%s", name);
      } else {
        RV_REQUIRE(s->nfinals < RV_MAX_FINALS, RV_ERR_USAGE, "too many metric values (at most %d)",
                   RV_MAX_FINALS);
        rv_final_t *f = &s->finals[s->nfinals++];
        f->metric = m;
        f->k = m->at_k ? job->k[i] : s->kmax;
        f->kidx = m->at_k ? i : s->nk - 1;
        snprintf(f->name, sizeof f->name, "%s", name);
      }
    }
  }
done:
  return err;
}

/* Exact sums, then the squared deviations from the global mean; exposure,
 * list counts, histogram and user counts. Collective. */
static rv_err_t reduce_all(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  const int64_t nu = ds->u1 - ds->u0;
  RV_TRY(rv_allreduce_moments(comm, s->mom, s->ncols));
  rv_i128 buf[RV_MAX_COLS + 64];
  double spread[3 * RV_MAX_COLS + 1]; /* the grid of each column's m2 (kernels/xsum.h) */
  for (int c = 0; c < s->ncols; c++)
    rv_moments_spread(s->vals + (size_t)c * nu, (size_t)nu, rv_moments_mean(&s->mom[c]), spread + 3 * c);
  RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, spread, 3 * s->ncols, MPI_DOUBLE, MPI_MAX, comm));
  for (int c = 0; c < s->ncols; c++) {
    const double mean = rv_moments_mean(&s->mom[c]);
    s->m2_exp[c] = rv_moments_scale(spread + 3 * c);
    for (int64_t lu = 0; lu < nu; lu++) {
      const double x = s->vals[(size_t)c * nu + lu];
      if (!isnan(x) && rv_moments_add_dev(&s->mom[c], x, mean, s->m2_exp[c]) != 0)
        err = rv_error_set(RV_ERR_RUNTIME,
                           "%s: a deviation from the mean exceeds the spread of the column",
                           s->cols[c].name);
    }
    buf[c] = s->mom[c].m2;
  }
  RV_AGREE(comm);
  for (int c = 0; c < s->nk; c++) buf[s->ncols + c] = s->sum_log2_len[c];
  RV_TRY(rv_allreduce_i128(comm, buf, s->ncols + s->nk));
  for (int c = 0; c < s->ncols; c++) s->mom[c].m2 = buf[c];
  for (int c = 0; c < s->nk; c++) s->sum_log2_len[c] = buf[s->ncols + c];
  RV_TRY(rv_allreduce_i64(comm, s->exposure, (int64_t)s->nk * ds->n_items));
  RV_TRY(rv_allreduce_i64(comm, s->n_lists, s->nk));
  if (s->listw) {
    const int64_t n = (int64_t)s->nk * ds->n_items, chunk = 1 << 24;
    for (int64_t off = 0; off < n; off += chunk)
      RV_TRY(rv_allreduce_i128(comm, s->listw + off, (int)(n - off < chunk ? n - off : chunk)));
    for (int64_t i = 0; i < n; i++) s->listw_d[i] = rv_xsum_value(s->listw[i]);
  }
  if (s->needs & RV_NEEDS_HIST) RV_TRY(rv_allreduce_i64(comm, s->hist_out, 2 * (int64_t)s->hist.bins));
  int64_t cnt[3] = {s->evaluated, s->skipped_no_test, s->short_list};
  RV_TRY(rv_allreduce_i64(comm, cnt, 3));
  s->evaluated = cnt[0], s->skipped_no_test = cnt[1], s->short_list = cnt[2];
done:
  return err;
}

static void finalize_all(rv_eval_state_t *s) {
  for (int f = 0; f < s->nfinals; f++) {
    rv_final_t *F = &s->finals[f];
    const rv_final_view_t v = {.ctx = &s->ctx,
                               .exposure = s->exposure + (size_t)F->kidx * s->ds->n_items,
                               .n_lists = s->n_lists[F->kidx],
                               .sum_log2_len = rv_xsum_value(s->sum_log2_len[F->kidx]),
                               .list_weight = s->listw_d ? s->listw_d + (size_t)F->kidx * s->ds->n_items : NULL,
                               .hist = s->hist_out,
                               .bins = s->hist.bins};
    F->value = F->metric->finalize(&v, F->k);
  }
}

static Receval__Timing *timing(Receval__Timing *t, const char *phase, double sec) {
  receval__timing__init(t);
  t->phase = (char *)phase;
  t->seconds = sec;
  return t;
}

/* Rank 0: report.pb and report.json from one Report message. */
static rv_err_t write_reports(rv_eval_state_t *s, const char *checksum, const double *tmax,
                              int nranks, int grid_users, FILE *out) {
  rv_err_t err = RV_OK;
  const Receval__JobSpec *job = s->job;
  const char *dir = job->out_dir;
  rv_dataset_t *ds = s->ds;
  const int nm = s->ncols + s->nfinals;
  Receval__MetricValue *mv = calloc((size_t)nm + 1, sizeof *mv);
  Receval__MetricValue **mvp = calloc((size_t)nm + 1, sizeof *mvp);
  RV_REQUIRE(mv && mvp, RV_ERR_RUNTIME, "out of memory");
  Receval__Report rep = RECEVAL__REPORT__INIT;
  Receval__DatasetInfo di = RECEVAL__DATASET_INFO__INIT;
  Receval__Timing tm[8], *tmp_[8];
  rep.version = (char *)RV_VERSION;
  rep.git_revision = (char *)RV_GIT_REVISION;
  rep.job = (Receval__JobSpec *)job;
  di.path = ds->path;
  di.has_size_bytes = 1, di.size_bytes = ds->size_bytes;
  di.checksum = (char *)checksum;
  di.has_n_users = 1, di.n_users = ds->n_users;
  di.has_n_items = 1, di.n_items = ds->n_items;
  di.has_dim = 1, di.dim = ds->dim;
  di.has_train_nnz = 1, di.train_nnz = ds->train_nnz;
  di.has_test_nnz = 1, di.test_nnz = ds->test_nnz;
  di.has_has_user_embeddings = 1, di.has_user_embeddings = ds->has_user_embeddings;
  di.has_has_test_values = 1, di.has_test_values = ds->has_test_values;
  rep.dataset = &di;
  /* Report order: registry order, then cutoff order (columns and finals merged). */
  int w = 0;
  for (int r = -1; r == -1 || rv_metric_registry[r]; r++) {
    const rv_metric_t *reg = r < 0 ? NULL : rv_metric_registry[r]; /* NULL: the list source's columns */
    for (int c = 0; c < s->ncols; c++) {
      if (s->cols[c].metric != reg) continue;
      Receval__MetricValue *m = &mv[w];
      receval__metric_value__init(m);
      m->name = s->cols[c].name;
      m->has_mean = m->has_ci95_low = m->has_ci95_high = m->has_users = 1;
      m->users = (int64_t)s->mom[c].n;
      m->mean = rv_moments_mean(&s->mom[c]);
      rv_ci95(m->mean, rv_moments_m2(&s->mom[c], s->m2_exp[c]), m->users, &m->ci95_low, &m->ci95_high);
      mvp[w++] = m;
    }
    for (int f = 0; f < s->nfinals; f++) {
      if (!reg || s->finals[f].metric != reg) continue;
      Receval__MetricValue *m = &mv[w];
      receval__metric_value__init(m);
      m->name = s->finals[f].name;
      m->has_mean = m->has_ci95_low = m->has_ci95_high = m->has_users = 1;
      m->mean = s->finals[f].value;
      m->ci95_low = m->ci95_high = NAN; /* not a mean over users */
      m->users = s->n_lists[s->finals[f].kidx];
      mvp[w++] = m;
    }
  }
  rep.n_metrics = (size_t)w;
  rep.metrics = mvp;
  rep.has_users = rep.has_users_evaluated = rep.has_users_skipped_no_test = 1;
  rep.has_users_short_list = 1;
  rep.users = ds->n_users;
  rep.users_evaluated = s->evaluated;
  rep.users_skipped_no_test = s->skipped_no_test;
  rep.users_short_list = s->short_list;
  /* score_cpu: the scoring phase's CPU time (largest rank), which a busy
   * machine disturbs less than the wall time (benchmarks compare both);
   * measure: the part of the scoring phase spent measuring users' lists. */
  static const char *const phase[8] = {"read",  "prepare",   "score",  "reduce", "write_results",
                                       "total", "score_cpu", "measure"};
  for (int i = 0; i < 8; i++) tmp_[i] = timing(&tm[i], phase[i], tmax[i]);
  rep.n_timings = 8;
  rep.timings = tmp_;
  rep.has_ranks = rep.has_grid_users = rep.has_grid_items = 1;
  rep.ranks = nranks;
  rep.grid_users = grid_users;
  rep.grid_items = s->shards;
  const int trec = s->ctx.trec;
  char conv_name[64], bins[64];
  snprintf(conv_name, sizeof conv_name, "convention=%s", trec ? "trec" : "default");
  snprintf(bins, sizeof bins, "mi_bins=%d", job->mi_bins);
  char grid[96];
  if (s->needs & RV_NEEDS_HIST)
    snprintf(grid, sizeof grid, "mi_bin_grid=width %.17g from %.17g", s->hist_width, s->hist_origin);
  else
    snprintf(grid, sizeof grid, "mi_bin_grid=none (mi_score_relevance not computed)");
  char *conventions[] = {
      conv_name,
      (char *)"ties=higher score first, equal scores by smaller item index",
      (char *)"ndcg_gain=linear (relevance from /test/values, 1 without)",
      (char *)"ndcg_ideal=min(k, |R_u|) largest relevances",
      (char *)"precision_short_list=missing slots count as misses (divide by k)",
      trec ? (char *)"map_denominator=|R_u| (trec_eval map_cut)" : (char *)"map_denominator=min(k, |R_u|)",
      trec ? (char *)"mrr_cutoff=none: the whole list of max(k) items (trec_eval recip_rank)"
           : (char *)"mrr_cutoff=k",
      (char *)"users_without_test=skipped from accuracy means, counted in users_skipped_no_test",
      (char *)"seen_items=excluded from candidates unless keep_seen",
      (char *)"user_vectors=/users/embedding, else mean of the user's train item embeddings",
      (char *)"exposure=lists of each cutoff, users with a non-empty list",
      (char *)"popularity=train users per item; long tail = outside the items holding 80% of train interactions",
      (char *)"ci95=Student t from exact sums over users",
      bins,
      grid,
      (char *)"logarithms=base 2 (bits)"};
  rep.n_conventions = sizeof conventions / sizeof conventions[0];
  rep.conventions = conventions;
  char *conv_all[sizeof conventions / sizeof conventions[0] + 8];
  if (s->n_src_conv > 0) { /* the list source's conventions replace same-named ones, or are added */
    size_t n = 0;
    for (size_t i = 0; i < rep.n_conventions; i++) {
      int replaced = 0;
      for (int j = 0; j < s->n_src_conv; j++) {
        const char *eq = strchr(s->src_conv[j], '=');
        replaced |= eq && strncmp(conventions[i], s->src_conv[j], (size_t)(eq - s->src_conv[j] + 1)) == 0;
      }
      if (!replaced) conv_all[n++] = conventions[i];
    }
    for (int j = 0; j < s->n_src_conv && j < 8; j++) conv_all[n++] = (char *)s->src_conv[j];
    rep.n_conventions = n;
    rep.conventions = conv_all;
  }
  rep.run = (Receval__RunInput *)s->run;
  char *omitted[8];
  for (int i = 0; i < s->nomitted; i++) omitted[i] = s->omitted[i];
  rep.n_omitted = (size_t)s->nomitted;
  rep.omitted = omitted;

  char pb[4200], js[4200];
  rv_outdir_path(pb, sizeof pb, dir, OUTPUTS[1], 1);
  rv_outdir_path(js, sizeof js, dir, OUTPUTS[2], 1);
  RV_TRY(rv_report_write_pb(&rep, pb));
  RV_TRY(rv_report_write_json(&rep, js));
  RV_TRY(rv_outdir_commit(dir, OUTPUTS, N_OUTPUTS));
  if (out) {
    fprintf(out, "receval %s: %s, %lld users (%lld evaluated, %lld without test items), %lld items, "
                 "%d ranks (%d x %d item shards), %.2f s\n",
            job->command, ds->path, (long long)ds->n_users, (long long)s->evaluated, (long long)s->skipped_no_test,
            (long long)ds->n_items, nranks, grid_users, s->shards, tmax[5]);
    for (int i = 0; i < w; i++) {
      if (isnan(mvp[i]->ci95_low))
        fprintf(out, "  %-26s %.6f\n", mvp[i]->name, mvp[i]->mean);
      else
        fprintf(out, "  %-26s %.6f  [%.6f, %.6f]  users=%lld\n", mvp[i]->name, mvp[i]->mean,
                mvp[i]->ci95_low, mvp[i]->ci95_high, (long long)mvp[i]->users);
    }
    for (int i = 0; i < s->nomitted; i++) fprintf(out, "  omitted: %s\n", s->omitted[i]);
    fprintf(out, "  outputs in %s/: results.h5 report.pb report.json\n", dir);
    fflush(out);
  }
done:
  free(mv);
  free(mvp);
  return err;
}

rv_err_t rv_evaluate(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                     size_t jobspec_len, FILE *out) {
  return rv_evaluate_with(comm, job, jobspec, jobspec_len, NULL, out);
}

rv_err_t rv_evaluate_with(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, const rv_list_source_t *src, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  rv_eval_state_t *s = calloc(1, sizeof *s);
  int64_t *bounds = NULL;
  char checksum[32] = "";
  int wrote_tmp = 0;
  const double t0 = MPI_Wtime();
  double t_read = 0, t_prep = 0, t_score = 0, t_reduce = 0, t_write = 0;
  const char *dir = job->out_dir;
  if (!s) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  s->row = MPI_COMM_NULL;
  s->job = job;
  /* The grid: P_u user ranges x P_i item shards, rank = row * P_i + shard. */
  s->shards = job->has_item_shards && job->item_shards > 1 ? job->item_shards : 1;
  if (nranks % s->shards != 0)
    err = rv_error_set(RV_ERR_USAGE, "--item-shards %d does not divide the %d ranks of the job", s->shards, nranks);
  RV_AGREE(comm);
  const int grid_users = nranks / s->shards, my_row = rank / s->shards, my_shard = rank % s->shards;
  s->leader = my_shard == 0;
  RV_MPI_TRY(MPI_Comm_split(comm, my_row, my_shard, &s->row));
  s->sim = similarity(job);
  s->nk = (int)job->n_k;
  s->kmax = job->k[job->n_k - 1];
  s->lists_only = src != NULL;
  rv_score_init();
  RV_TRY(rv_dataset_open_shard(comm, job->dataset, s->shards, my_shard, RV_ITEM_TILE, &s->ds));
  rv_dataset_t *ds = s->ds;
  if (s->kmax > ds->n_items)
    err = rv_error_set(RV_ERR_USAGE, "%s: /items/embedding: --k %d exceeds the catalogue of %lld items",
                       ds->path, s->kmax, (long long)ds->n_items);
  if (!err && src) err = src->plan(s, src->arg);
  if (!err) err = plan_metrics(s);
  RV_AGREE(comm);
  RV_TRY(rv_eval_model_attach(comm, s));
  if (rank == 0) {
    /* No input may be one of the files this job writes or removes. */
    char model[4200] = "";
    if (job->model_dir && *job->model_dir) rv_outdir_path(model, sizeof model, job->model_dir, "model.h5", 0);
    const char *const inputs[] = {job->dataset, job->run_file ? job->run_file : "", model, NULL};
    err = rv_outdir_prepare(dir, job->command, OUTPUTS, N_OUTPUTS, inputs);
  }
  RV_AGREE(comm);

  /* Plan: contiguous user ranges balanced by cost; every rank computes the
   * same bounds from the same row pointers. */
  bounds = malloc(sizeof(int64_t) * (size_t)(grid_users + 1));
  if (!bounds) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  _Static_assert(RV_GEMM_ROWS == RV_DATASET_GRAIN, "the partition reads the row pointers at the dataset's grain");
  rv_partition_users(ds->n_users, ds->n_items, ds->train_coarse, ds->test_coarse, ds->grain, grid_users,
                     bounds);
  RV_TRY(rv_dataset_read_users(comm, ds, bounds[my_row], bounds[my_row + 1]));
  RV_TRY(rv_file_checksum(comm, ds->path, ds->size_bytes, checksum, sizeof checksum));
  t_read = MPI_Wtime() - t0;

  RV_TRY(rv_eval_whiten(comm, s));
  RV_TRY(rv_eval_prepare(comm, s));
  rv_eval_model_bind(s);
  RV_TRY(rv_eval_check_range(comm, s));
  t_prep = MPI_Wtime() - t0 - t_read;

  const int progress = job->progress || isatty(STDERR_FILENO);
  const double c0 = cpu_seconds();
  if (src) {
    RV_TRY(src->fill(comm, s, src->arg));
  } else {
    if (progress && rank == 0)
      fprintf(stderr, "receval: eval: read %.2f s, prepare %.2f s; scoring %lld users x %lld items on %d ranks\n",
              t_read, t_prep, (long long)ds->n_users, (long long)ds->n_items, nranks);
    err = rv_eval_score(s, rank, progress);
    RV_AGREE(comm);
  }
  t_score = MPI_Wtime() - t0 - t_read - t_prep;
  const double c_score = cpu_seconds() - c0;

  RV_TRY(reduce_all(comm, s));
  if (rank == 0) finalize_all(s);
  t_reduce = MPI_Wtime() - t0 - t_read - t_prep - t_score;

  /* results.h5 (collective), then report.pb and report.json (rank 0), all
   * under temporary names; renamed only when every rank succeeded. */
  {
    const int64_t nu = ds->u1 - ds->u0;
    const char *names[RV_MAX_COLS];
    const double *colv[RV_MAX_COLS];
    for (int c = 0; c < s->ncols; c++) {
      names[c] = s->cols[c].name;
      colv[c] = s->vals + (size_t)c * nu;
    }
    /* The row's leader writes its users; the other shards write nothing. */
    const rv_results_t res = {.n_users = ds->n_users,
                              .n_items = ds->n_items,
                              .kmax = s->kmax,
                              .u0 = ds->u0,
                              .u1 = s->leader ? ds->u1 : ds->u0,
                              .top_items = s->top_items,
                              .top_scores = s->top_scores,
                              .ncols = s->ncols,
                              .col_names = names,
                              .cols = colv,
                              .exposure = s->exposure + (size_t)(s->nk - 1) * ds->n_items,
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
  const double tmax[8] = {rv_allmax_double(comm, t_read),  rv_allmax_double(comm, t_prep),
                          rv_allmax_double(comm, t_score), rv_allmax_double(comm, t_reduce),
                          rv_allmax_double(comm, t_write), rv_allmax_double(comm, MPI_Wtime() - t0),
                          rv_allmax_double(comm, c_score),  rv_allmax_double(comm, s->t_measure)};
  if (progress && rank == 0)
    fprintf(stderr, "receval: eval: scoring %.2f s, reductions %.2f s, results.h5 %.2f s; writing reports\n",
            t_score, t_reduce, t_write);
  if (rank == 0) err = write_reports(s, checksum, tmax, nranks, grid_users, out);
  RV_AGREE(comm);
  wrote_tmp = 0;
done:
  if (err != RV_OK && wrote_tmp && rank == 0) rv_outdir_discard(dir, OUTPUTS, N_OUTPUTS);
  free(bounds);
  if (s) state_free(s);
  free(s);
  return err;
}
