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
#include "core/eval_context.h"
#include "core/eval_model.h"
#include "core/list_source.h"
#include "core/score_pass.h"
#include "io/checksum.h"
#include "io/outdir.h"
#include "io/report_build.h"
#include "io/results.h"
#include "io/schema.h"
#include "kernels/partition.h"
#include "kernels/similarity.h"
#include "kernels/stats.h"

static double cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *const OUTPUTS[] = {RV_FILE_RESULTS, RV_FILE_REPORT_PB, RV_FILE_REPORT_JSON};
enum { N_OUTPUTS = 3 };

static void state_free(rv_eval_state_t *s) {
  if (s->vec.own_unit) free(s->vec.item_unit);
  free(s->vec.inorm2), free(s->vec.users), free(s->vec.unorm2);
  free(s->vec.pop), free(s->vec.long_tail), free(s->vec.selfinfo), free(s->acc.inv_len);
  free(s->blk.tile), free(s->blk.heap), free(s->blk.sel), free(s->blk.cursor), free(s->blk.tcursor);
  free(s->blk.keys), free(s->blk.lens), free(s->blk.remap), free(s->blk.fetch_ids), free(s->blk.fetch_vec);
  if (s->plan.row != MPI_COMM_NULL) MPI_Comm_free(&s->plan.row);
  free(s->loc.top_items), free(s->loc.top_scores), free(s->loc.vals);
  free(s->loc.blo), free(s->loc.bhi), free(s->loc.texact), free(s->loc.gt), free(s->loc.eq);
  free(s->loc.amb.s), free(s->loc.amb.j);
  rv_hist_free(&s->acc.hist), free(s->acc.hist_out);
  free(s->acc.exposure), free(s->acc.mom), free(s->acc.listw), free(s->acc.listw_d);
  free(s->blk.gain), free(s->blk.ideal), free(s->blk.dscratch), free(s->blk.iscratch), free(s->blk.profile);
  free(s->blk.prof_cos), free(s->blk.pair_cos), free(s->blk.sumvec);
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
    if ((m->needs & (RV_NEEDS_AUC | RV_NEEDS_HIST)) && s->plan.lists_only) {
      if (s->plan.nomitted < 8)
        snprintf(s->plan.omitted[s->plan.nomitted++], sizeof s->plan.omitted[0],
                 "%s: needs the score of every candidate; ranked lists hold only their entries", m->name);
      continue;
    }
    if ((m->needs & RV_NEEDS_CATEGORIES) && !s->ds->has_categories) {
      if (s->plan.nomitted < 8)
        snprintf(s->plan.omitted[s->plan.nomitted++], sizeof s->plan.omitted[0],
                 "%s: the dataset has no /items/category", m->name);
      continue;
    }
    if ((m->needs & RV_NEEDS_MODEL) && !(job->model_dir && *job->model_dir)) {
      if (s->plan.nomitted < 8)
        snprintf(s->plan.omitted[s->plan.nomitted++], sizeof s->plan.omitted[0], "%s: needs --model DIR", m->name);
      continue;
    }
    s->plan.needs |= m->needs;
    const int nk = m->at_k ? s->plan.nk : 1;
    for (int i = 0; i < nk; i++) {
      char name[64];
      if (m->at_k)
        snprintf(name, sizeof name, "%s@%d", m->name, job->k[i]);
      else
        snprintf(name, sizeof name, "%s", m->name);
      if (m->kind == RV_KIND_USER) {
        RV_REQUIRE(s->plan.ncols < RV_MAX_COLS, RV_ERR_USAGE, "too many metric values (at most %d)", RV_MAX_COLS);
        rv_col_t *c = &s->plan.cols[s->plan.ncols++];
        c->metric = m;
        c->k = m->at_k ? job->k[i] : s->plan.kmax;
        snprintf(c->name, sizeof c->name, "%s", name);
      } else {
        RV_REQUIRE(s->plan.nfinals < RV_MAX_FINALS, RV_ERR_USAGE, "too many metric values (at most %d)",
                   RV_MAX_FINALS);
        rv_final_t *f = &s->plan.finals[s->plan.nfinals++];
        f->metric = m;
        f->k = m->at_k ? job->k[i] : s->plan.kmax;
        f->kidx = m->at_k ? i : s->plan.nk - 1;
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
  RV_TRY(rv_allreduce_moments(comm, s->acc.mom, s->plan.ncols));
  rv_i128 buf[RV_MAX_COLS + 64];
  double spread[3 * RV_MAX_COLS + 1]; /* the grid of each column's m2 (kernels/xsum.h) */
  for (int c = 0; c < s->plan.ncols; c++)
    rv_moments_spread(s->loc.vals + (size_t)c * nu, (size_t)nu, rv_moments_mean(&s->acc.mom[c]), spread + 3 * c);
  RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, spread, 3 * s->plan.ncols, MPI_DOUBLE, MPI_MAX, comm));
  for (int c = 0; c < s->plan.ncols; c++) {
    const double mean = rv_moments_mean(&s->acc.mom[c]);
    s->acc.m2_exp[c] = rv_moments_scale(spread + 3 * c);
    for (int64_t lu = 0; lu < nu; lu++) {
      const double x = s->loc.vals[(size_t)c * nu + lu];
      if (!isnan(x) && rv_moments_add_dev(&s->acc.mom[c], x, mean, s->acc.m2_exp[c]) != 0)
        err = rv_error_set(RV_ERR_RUNTIME,
                           "%s: a deviation from the mean exceeds the spread of the column",
                           s->plan.cols[c].name);
    }
    buf[c] = s->acc.mom[c].m2;
  }
  RV_AGREE(comm);
  for (int c = 0; c < s->plan.nk; c++) buf[s->plan.ncols + c] = s->acc.sum_log2_len[c];
  RV_TRY(rv_allreduce_i128(comm, buf, s->plan.ncols + s->plan.nk));
  for (int c = 0; c < s->plan.ncols; c++) s->acc.mom[c].m2 = buf[c];
  for (int c = 0; c < s->plan.nk; c++) s->acc.sum_log2_len[c] = buf[s->plan.ncols + c];
  RV_TRY(rv_allreduce_i64(comm, s->acc.exposure, (int64_t)s->plan.nk * ds->n_items));
  RV_TRY(rv_allreduce_i64(comm, s->acc.n_lists, s->plan.nk));
  if (s->acc.listw) {
    const int64_t n = (int64_t)s->plan.nk * ds->n_items, chunk = 1 << 24;
    for (int64_t off = 0; off < n; off += chunk)
      RV_TRY(rv_allreduce_i128(comm, s->acc.listw + off, (int)(n - off < chunk ? n - off : chunk)));
    for (int64_t i = 0; i < n; i++) s->acc.listw_d[i] = rv_xsum_value(s->acc.listw[i]);
  }
  if (s->plan.needs & RV_NEEDS_HIST) RV_TRY(rv_allreduce_i64(comm, s->acc.hist_out, 2 * (int64_t)s->acc.hist.bins));
  int64_t cnt[3] = {s->acc.evaluated, s->acc.skipped_no_test, s->acc.short_list};
  RV_TRY(rv_allreduce_i64(comm, cnt, 3));
  s->acc.evaluated = cnt[0], s->acc.skipped_no_test = cnt[1], s->acc.short_list = cnt[2];
done:
  return err;
}

static void finalize_all(rv_eval_state_t *s) {
  for (int f = 0; f < s->plan.nfinals; f++) {
    rv_final_t *F = &s->plan.finals[f];
    const rv_final_view_t v = {.ctx = &s->vec.ctx,
                               .exposure = s->acc.exposure + (size_t)F->kidx * s->ds->n_items,
                               .n_lists = s->acc.n_lists[F->kidx],
                               .sum_log2_len = rv_xsum_value(s->acc.sum_log2_len[F->kidx]),
                               .list_weight = s->acc.listw_d ? s->acc.listw_d + (size_t)F->kidx * s->ds->n_items : NULL,
                               .hist = s->acc.hist_out,
                               .bins = s->acc.hist.bins};
    F->value = F->metric->finalize(&v, F->k);
  }
}

/* The job's values in report order: registry order, then cutoff order
 * (columns and finals merged); the list source's own columns first. */
static int report_values(const rv_eval_state_t *s, rv_report_value_t *v) {
  int w = 0;
  for (int r = -1; r == -1 || rv_metric_registry[r]; r++) {
    const rv_metric_t *reg = r < 0 ? NULL : rv_metric_registry[r]; /* NULL: the list source's columns */
    for (int c = 0; c < s->plan.ncols; c++) {
      if (s->plan.cols[c].metric != reg) continue;
      rv_report_value_t *m = &v[w++];
      m->name = s->plan.cols[c].name;
      m->users = (int64_t)s->acc.mom[c].n;
      m->mean = rv_moments_mean(&s->acc.mom[c]);
      rv_ci95(m->mean, rv_moments_m2(&s->acc.mom[c], s->acc.m2_exp[c]), m->users, &m->ci_low, &m->ci_high);
    }
    for (int f = 0; f < s->plan.nfinals; f++) {
      if (!reg || s->plan.finals[f].metric != reg) continue;
      rv_report_value_t *m = &v[w++];
      m->name = s->plan.finals[f].name;
      m->mean = s->plan.finals[f].value;
      m->ci_low = m->ci_high = NAN; /* not a mean over users */
      m->users = s->acc.n_lists[s->plan.finals[f].kidx];
    }
  }
  return w;
}

/* Rank 0: report.pb and report.json (io/report_build.h), then every output
 * renamed to its final name, then the summary. */
static rv_err_t write_reports(rv_eval_state_t *s, const char *checksum, const double *tmax,
                              int nranks, int grid_users, FILE *out) {
  rv_err_t err = RV_OK;
  const char *dir = s->job->out_dir;
  rv_report_value_t *values = calloc((size_t)(s->plan.ncols + s->plan.nfinals) + 1, sizeof *values);
  RV_REQUIRE(values, RV_ERR_RUNTIME, "out of memory");
  const char *omitted[8];
  for (int i = 0; i < s->plan.nomitted; i++) omitted[i] = s->plan.omitted[i];
  const rv_report_in_t in = {.job = s->job,
                             .ds = s->ds,
                             .checksum = checksum,
                             .values = values,
                             .n_values = report_values(s, values),
                             .users_evaluated = s->acc.evaluated,
                             .users_skipped_no_test = s->acc.skipped_no_test,
                             .users_short_list = s->acc.short_list,
                             .timings = tmax,
                             .ranks = nranks,
                             .grid_users = grid_users,
                             .grid_items = s->plan.shards,
                             .trec = s->vec.ctx.trec,
                             .hist = (s->plan.needs & RV_NEEDS_HIST) != 0,
                             .hist_width = s->acc.hist_width,
                             .hist_origin = s->acc.hist_origin,
                             .src_conv = s->plan.src_conv,
                             .n_src_conv = s->plan.n_src_conv,
                             .run = s->plan.run,
                             .omitted = omitted,
                             .n_omitted = s->plan.nomitted};
  char pb[4200], js[4200];
  rv_outdir_path(pb, sizeof pb, dir, OUTPUTS[1], 1);
  rv_outdir_path(js, sizeof js, dir, OUTPUTS[2], 1);
  RV_TRY(rv_report_build_write(&in, pb, js));
  RV_TRY(rv_outdir_commit(dir, OUTPUTS, N_OUTPUTS));
  if (out) rv_report_summary(out, &in, dir);
done:
  free(values);
  return err;
}

rv_err_t rv_evaluate(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                     size_t jobspec_len, FILE *out) {
  return rv_evaluate_with(comm, job, jobspec, jobspec_len, NULL, out);
}

/* The grid: P_u user ranges x P_i item shards, rank = row * P_i + shard;
 * the row communicator and the plan's fixed fields. Collective. */
static rv_err_t plan_grid(MPI_Comm comm, rv_eval_state_t *s, const rv_list_source_t *src,
                          int *grid_users, int *my_row, int *my_shard) {
  rv_err_t err = RV_OK;
  const Receval__JobSpec *job = s->job;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  s->plan.shards = job->has_item_shards && job->item_shards > 1 ? job->item_shards : 1;
  if (nranks % s->plan.shards != 0)
    err = rv_error_set(RV_ERR_USAGE, "--item-shards %d does not divide the %d ranks of the job", s->plan.shards, nranks);
  RV_AGREE(comm);
  *grid_users = nranks / s->plan.shards, *my_row = rank / s->plan.shards, *my_shard = rank % s->plan.shards;
  s->plan.leader = *my_shard == 0;
  RV_MPI_TRY(MPI_Comm_split(comm, *my_row, *my_shard, &s->plan.row));
  s->plan.sim = similarity(job);
  s->plan.nk = (int)job->n_k;
  s->plan.kmax = job->k[job->n_k - 1];
  s->plan.lists_only = src != NULL;
done:
  return err;
}

/* The dataset's header and this shard's items, the metric plan, the model,
 * then the output directory (locked; no input among its files). Collective;
 * errors agreed. */
static rv_err_t open_and_plan(MPI_Comm comm, rv_eval_state_t *s, const rv_list_source_t *src,
                              int my_shard) {
  rv_err_t err = RV_OK;
  const Receval__JobSpec *job = s->job;
  int rank;
  MPI_Comm_rank(comm, &rank);
  RV_TRY(rv_dataset_open_shard(comm, job->dataset, s->plan.shards, my_shard, RV_ITEM_TILE, &s->ds));
  rv_dataset_t *ds = s->ds;
  if (s->plan.kmax > ds->n_items)
    err = rv_error_set(RV_ERR_USAGE, "%s: /items/embedding: --k %d exceeds the catalogue of %lld items",
                       ds->path, s->plan.kmax, (long long)ds->n_items);
  if (!err && src) err = src->plan(s, src->arg);
  if (!err) err = plan_metrics(s);
  RV_AGREE(comm);
  RV_TRY(rv_eval_model_attach(comm, s));
  if (rank == 0) {
    /* No input may be one of the files this job writes or removes. */
    char model[4200] = "";
    if (job->model_dir && *job->model_dir) rv_outdir_path(model, sizeof model, job->model_dir, RV_FILE_MODEL, 0);
    const char *const inputs[] = {job->dataset, job->run_file ? job->run_file : "", model, NULL};
    err = rv_outdir_prepare(job->out_dir, job->command, OUTPUTS, N_OUTPUTS, inputs);
  }
  RV_AGREE(comm);
done:
  return err;
}

/* Contiguous user ranges balanced by cost (every rank computes the same
 * bounds from the same row pointers); this row's users; the file checksum.
 * Collective. */
static rv_err_t read_users(MPI_Comm comm, rv_eval_state_t *s, int grid_users, int my_row,
                           char *checksum, size_t checksum_size) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  int64_t *bounds = malloc(sizeof(int64_t) * (size_t)(grid_users + 1));
  if (!bounds) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  _Static_assert(RV_GEMM_ROWS == RV_DATASET_GRAIN, "the partition reads the row pointers at the dataset's grain");
  rv_partition_users(ds->n_users, ds->n_items, ds->train_coarse, ds->test_coarse, ds->grain, grid_users,
                     bounds);
  RV_TRY(rv_dataset_read_users(comm, ds, bounds[my_row], bounds[my_row + 1]));
  RV_TRY(rv_file_checksum(comm, ds->path, ds->size_bytes, checksum, checksum_size));
done:
  free(bounds);
  return err;
}

/* results.h5 under its temporary name (collective): the row's leader
 * writes its users; the other shards write nothing. */
static rv_err_t write_results(MPI_Comm comm, rv_eval_state_t *s, const uint8_t *jobspec,
                              size_t jobspec_len, const char *checksum) {
  rv_dataset_t *ds = s->ds;
  const int64_t nu = ds->u1 - ds->u0;
  const char *names[RV_MAX_COLS];
  const double *colv[RV_MAX_COLS];
  for (int c = 0; c < s->plan.ncols; c++) {
    names[c] = s->plan.cols[c].name;
    colv[c] = s->loc.vals + (size_t)c * nu;
  }
  const rv_results_t res = {.n_users = ds->n_users,
                            .n_items = ds->n_items,
                            .kmax = s->plan.kmax,
                            .u0 = ds->u0,
                            .u1 = s->plan.leader ? ds->u1 : ds->u0,
                            .top_items = s->loc.top_items,
                            .top_scores = s->loc.top_scores,
                            .ncols = s->plan.ncols,
                            .col_names = names,
                            .cols = colv,
                            .exposure = s->acc.exposure + (size_t)(s->plan.nk - 1) * ds->n_items,
                            .jobspec = jobspec,
                            .jobspec_len = jobspec_len,
                            .dataset_path = ds->path,
                            .dataset_checksum = checksum};
  char tmp[4200];
  rv_outdir_path(tmp, sizeof tmp, s->job->out_dir, OUTPUTS[0], 1);
  return rv_results_write(comm, tmp, &res);
}

rv_err_t rv_evaluate_with(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, const rv_list_source_t *src, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, nranks, grid_users = 1, my_row = 0, my_shard = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  rv_eval_state_t *s = calloc(1, sizeof *s);
  char checksum[32] = "";
  int wrote_tmp = 0;
  const double t0 = MPI_Wtime();
  double t_read = 0, t_prep = 0, t_score = 0, t_reduce = 0, t_write = 0;
  const char *dir = job->out_dir;
  if (!s) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  s->plan.row = MPI_COMM_NULL;
  s->job = job;
  RV_TRY(plan_grid(comm, s, src, &grid_users, &my_row, &my_shard));
  rv_score_init();
  RV_TRY(open_and_plan(comm, s, src, my_shard));
  RV_TRY(read_users(comm, s, grid_users, my_row, checksum, sizeof checksum));
  rv_dataset_t *ds = s->ds;
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
  wrote_tmp = 1;
  RV_TRY(write_results(comm, s, jobspec, jobspec_len, checksum));
  t_write = MPI_Wtime() - t0 - t_read - t_prep - t_score - t_reduce;
  const double tmax[8] = {rv_allmax_double(comm, t_read),  rv_allmax_double(comm, t_prep),
                          rv_allmax_double(comm, t_score), rv_allmax_double(comm, t_reduce),
                          rv_allmax_double(comm, t_write), rv_allmax_double(comm, MPI_Wtime() - t0),
                          rv_allmax_double(comm, c_score),  rv_allmax_double(comm, s->acc.t_measure)};
  if (progress && rank == 0)
    fprintf(stderr, "receval: eval: scoring %.2f s, reductions %.2f s, results.h5 %.2f s; writing reports\n",
            t_score, t_reduce, t_write);
  if (rank == 0) err = write_reports(s, checksum, tmax, nranks, grid_users, out);
  RV_AGREE(comm);
  wrote_tmp = 0;
done:
  if (err != RV_OK && wrote_tmp && rank == 0) rv_outdir_discard(dir, OUTPUTS, N_OUTPUTS);
  if (s) state_free(s);
  free(s);
  return err;
}
