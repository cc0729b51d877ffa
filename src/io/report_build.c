/* Report assembly (report_build.h): the message, the conventions, the summary. */
#include "io/report_build.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/report.h"
#include "rv_version.h"

enum { N_CONV = 16, MAX_SRC_CONV = 8 };

/* What the numbers mean: the conventions every report states. bufs holds
 * the three entries that carry values. Returns the count. */
static size_t base_conventions(const rv_report_in_t *in, char *conv[N_CONV], char bufs[3][96]) {
  const int trec = in->trec;
  snprintf(bufs[0], sizeof bufs[0], "convention=%s", trec ? "trec" : "default");
  snprintf(bufs[1], sizeof bufs[1], "mi_bins=%d", in->job->mi_bins);
  if (in->hist)
    snprintf(bufs[2], sizeof bufs[2], "mi_bin_grid=width %.17g from %.17g", in->hist_width, in->hist_origin);
  else
    snprintf(bufs[2], sizeof bufs[2], "mi_bin_grid=none (mi_score_relevance not computed)");
  char *const c[N_CONV] = {
      bufs[0],
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
      bufs[1],
      bufs[2],
      (char *)"logarithms=base 2 (bits)"};
  memcpy(conv, c, sizeof c);
  return N_CONV;
}

/* The list source's conventions replace same-named ones, or are added. */
static size_t merge_conventions(const rv_report_in_t *in, char *const *base, size_t n_base,
                                char **all) {
  size_t n = 0;
  for (size_t i = 0; i < n_base; i++) {
    int replaced = 0;
    for (int j = 0; j < in->n_src_conv; j++) {
      const char *eq = strchr(in->src_conv[j], '=');
      replaced |= eq && strncmp(base[i], in->src_conv[j], (size_t)(eq - in->src_conv[j] + 1)) == 0;
    }
    if (!replaced) all[n++] = base[i];
  }
  for (int j = 0; j < in->n_src_conv && j < MAX_SRC_CONV; j++) all[n++] = (char *)in->src_conv[j];
  return n;
}

static void dataset_info(const rv_report_in_t *in, Receval__DatasetInfo *di) {
  const rv_dataset_t *ds = in->ds;
  receval__dataset_info__init(di);
  di->path = (char *)ds->path;
  di->has_size_bytes = 1, di->size_bytes = ds->size_bytes;
  di->checksum = (char *)in->checksum;
  di->has_n_users = 1, di->n_users = ds->n_users;
  di->has_n_items = 1, di->n_items = ds->n_items;
  di->has_dim = 1, di->dim = ds->dim;
  di->has_train_nnz = 1, di->train_nnz = ds->train_nnz;
  di->has_test_nnz = 1, di->test_nnz = ds->test_nnz;
  di->has_has_user_embeddings = 1, di->has_user_embeddings = ds->has_user_embeddings;
  di->has_has_test_values = 1, di->has_test_values = ds->has_test_values;
}

rv_err_t rv_report_build_write(const rv_report_in_t *in, const char *pb_path, const char *json_path) {
  rv_err_t err = RV_OK;
  const int nm = in->n_values;
  Receval__MetricValue *mv = calloc((size_t)nm + 1, sizeof *mv);
  Receval__MetricValue **mvp = calloc((size_t)nm + 1, sizeof *mvp);
  RV_REQUIRE(mv && mvp, RV_ERR_RUNTIME, "out of memory");
  Receval__Report rep = RECEVAL__REPORT__INIT;
  Receval__DatasetInfo di;
  rep.version = (char *)RV_VERSION;
  rep.git_revision = (char *)RV_GIT_REVISION;
  rep.job = (Receval__JobSpec *)in->job;
  dataset_info(in, &di);
  rep.dataset = &di;
  for (int i = 0; i < nm; i++) {
    Receval__MetricValue *m = &mv[i];
    receval__metric_value__init(m);
    m->name = (char *)in->values[i].name;
    m->has_mean = m->has_ci95_low = m->has_ci95_high = m->has_users = 1;
    m->mean = in->values[i].mean;
    m->ci95_low = in->values[i].ci_low;
    m->ci95_high = in->values[i].ci_high;
    m->users = in->values[i].users;
    mvp[i] = m;
  }
  rep.n_metrics = (size_t)nm;
  rep.metrics = mvp;
  rep.has_users = rep.has_users_evaluated = rep.has_users_skipped_no_test = 1;
  rep.has_users_short_list = 1;
  rep.users = in->ds->n_users;
  rep.users_evaluated = in->users_evaluated;
  rep.users_skipped_no_test = in->users_skipped_no_test;
  rep.users_short_list = in->users_short_list;
  /* score_cpu: the scoring phase's CPU time (largest rank), which a busy
   * machine disturbs less than the wall time (benchmarks compare both);
   * measure: the part of the scoring phase spent measuring users' lists. */
  static const char *const phase[RV_REPORT_PHASES] = {"read",  "prepare",   "score",  "reduce",
                                                      "write_results", "total", "score_cpu", "measure"};
  Receval__Timing tm[RV_REPORT_PHASES], *tmp[RV_REPORT_PHASES];
  for (int i = 0; i < RV_REPORT_PHASES; i++) {
    receval__timing__init(&tm[i]);
    tm[i].phase = (char *)phase[i];
    tm[i].seconds = in->timings[i];
    tmp[i] = &tm[i];
  }
  rep.n_timings = RV_REPORT_PHASES;
  rep.timings = tmp;
  rep.has_ranks = rep.has_grid_users = rep.has_grid_items = 1;
  rep.ranks = in->ranks;
  rep.grid_users = in->grid_users;
  rep.grid_items = in->grid_items;
  char *conv[N_CONV], bufs[3][96], *conv_all[N_CONV + MAX_SRC_CONV];
  rep.n_conventions = base_conventions(in, conv, bufs);
  rep.conventions = conv;
  if (in->n_src_conv > 0) {
    rep.n_conventions = merge_conventions(in, conv, rep.n_conventions, conv_all);
    rep.conventions = conv_all;
  }
  rep.run = (Receval__RunInput *)in->run;
  rep.n_omitted = (size_t)in->n_omitted;
  rep.omitted = (char **)in->omitted;
  RV_TRY(rv_report_write_pb(&rep, pb_path));
  RV_TRY(rv_report_write_json(&rep, json_path));
done:
  free(mv);
  free(mvp);
  return err;
}

void rv_report_summary(FILE *out, const rv_report_in_t *in, const char *dir) {
  const rv_dataset_t *ds = in->ds;
  fprintf(out, "receval %s: %s, %lld users (%lld evaluated, %lld without test items), %lld items, "
               "%d ranks (%d x %d item shards), %.2f s\n",
          in->job->command, ds->path, (long long)ds->n_users, (long long)in->users_evaluated,
          (long long)in->users_skipped_no_test, (long long)ds->n_items, in->ranks, in->grid_users,
          in->grid_items, in->timings[5]);
  for (int i = 0; i < in->n_values; i++) {
    const rv_report_value_t *v = &in->values[i];
    if (isnan(v->ci_low))
      fprintf(out, "  %-26s %.6f\n", v->name, v->mean);
    else
      fprintf(out, "  %-26s %.6f  [%.6f, %.6f]  users=%lld\n", v->name, v->mean, v->ci_low, v->ci_high,
              (long long)v->users);
  }
  for (int i = 0; i < in->n_omitted; i++) fprintf(out, "  omitted: %s\n", in->omitted[i]);
  fprintf(out, "  outputs in %s/: results.h5 report.pb report.json\n", dir);
  fflush(out);
}
