/* `receval eval DATASET --out DIR ...`: rank 0 parses and validates the
 * command line into a JobSpec, broadcasts it, and every rank evaluates. */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/jobspec.h"
#include "cli/options.h"
#include "cli/spec_run.h"
#include "core/evaluate.h"
#include "kernels/similarity.h"
#include "metrics/registry.h"

static const rv_option_t eval_options[] = {
    {"out", "DIR", "output directory (created if missing; required)", NULL},
    {"k", "LIST", "cutoffs, comma-separated", "10,20"},
    {"metrics", "LIST", "metric names, comma-separated, or 'all'", rv_metric_default_set},
    {"similarity", "NAME", RV_SIM_HELP_LIST " (minus squared distance)", "cosine"},
    {"keep-seen", NULL, "keep training items among the candidates", NULL},
    {"block-users", "B", "users scored per block (results do not depend on it)", RV_STR(RV_BLOCK_USERS_DEFAULT)},
    {"item-shards", "P", "cut the catalogue into P shards over a grid of ranks/P x P (results do not depend on it)", "1"},
    {"convention", "NAME", "default, or trec (trec_eval's map_cut and recip_rank definitions)", "default"},
    {"mi-bins", "B", "score bins of mi_score_relevance", RV_STR(RV_MI_BINS_DEFAULT)},
    {"seed", "S", "seed for any sampling", "0"},
    {"progress", NULL, "print progress on stderr (default when stderr is a terminal)", NULL},
    {"whiten", NULL, "whiten the embeddings (item covariance -> identity) before scoring", NULL},
    {"model", "DIR", "evaluate the model receval train wrote in DIR (adds rmse, logloss)", NULL},
    {"help-metric", "NAME", "print the definition of a metric and exit", NULL},
    {NULL, NULL, NULL, NULL}};

static const char synopsis[] = "DATASET.h5 --out DIR [options]";

/* --k and --metrics of eval and runs: into st's JobSpec and its arrays. Rank 0. */
rv_err_t rv_parse_metrics(const rv_args_t *a, rv_job_store_t *st) {
  rv_err_t err = RV_OK;
  Receval__JobSpec *job = &st->job;
  int32_t *ks = st->ks;
  char **metric_names = st->metric_names;
  int nk = 0, kbuf[RV_MAX_K];
  RV_TRY(rv_arg_intlist(a, "k", 1, RV_MAX_K_VALUE, kbuf, RV_MAX_K, &nk));
  for (int i = 0; i < nk; i++) ks[i] = kbuf[i];
  job->n_k = (size_t)nk;
  job->k = ks;

  /* Metric names: every one must exist; 'all' selects the whole registry. */
  const char *ml = rv_arg_str(a, "metrics");
  size_t nm = 0;
  if (strcmp(ml, "all") == 0) {
    /* The model metrics join with --model (eval), never otherwise. */
    for (int i = 0; rv_metric_registry[i]; i++)
      if (!(rv_metric_registry[i]->needs & RV_NEEDS_MODEL)) metric_names[nm++] = (char *)rv_metric_registry[i]->name;
  } else {
    const char *p = ml;
    while (*p) {
      const char *e = strchr(p, ',');
      const size_t len = e ? (size_t)(e - p) : strlen(p);
      char name[64];
      RV_REQUIRE(len > 0 && len < sizeof name, RV_ERR_USAGE, "receval %s: --metrics: bad list '%s'",
                 a->cmd, ml);
      memcpy(name, p, len);
      name[len] = '\0';
      const rv_metric_t *m = rv_metric_find(name);
      RV_REQUIRE(m || strcmp(name, "all") != 0, RV_ERR_USAGE,
                 "receval %s: --metrics: 'all' stands alone (it selects every metric): got '%s'", a->cmd, ml);
      RV_REQUIRE(m, RV_ERR_USAGE,
                 "receval %s: --metrics: unknown metric '%s' (see receval eval --help)", a->cmd, name);
      int dup = 0;
      for (size_t i = 0; i < nm; i++) dup |= strcmp(metric_names[i], m->name) == 0;
      if (!dup) metric_names[nm++] = (char *)m->name;
      p = e ? e + 1 : p + len;
    }
  }
  RV_REQUIRE(nm > 0, RV_ERR_USAGE, "receval %s: --metrics: no metric selected", a->cmd);
  job->n_metrics = nm;
  job->metrics = metric_names;
done:
  return err;
}

/* Rank 0: argv -> JobSpec (strings point into argv or static storage).
 * *done = 1 when help was printed and there is nothing to run. */
static rv_err_t build_spec(int argc, char **argv, FILE *out, void *store, int *done) {
  rv_err_t err = RV_OK;
  Receval__JobSpec *job = &((rv_job_store_t *)store)->job;
  char **metric_names = ((rv_job_store_t *)store)->metric_names;
  rv_args_t a;
  *done = 0;
  RV_TRY(rv_args_parse("eval", eval_options, argc, argv, &a));
  if (a.help) {
    rv_args_print_help(out, "eval", synopsis, eval_options);
    fprintf(out, "\nmetrics (--help-metric NAME for a definition):\n ");
    for (int i = 0; rv_metric_registry[i]; i++)
      fprintf(out, " %s%s", rv_metric_registry[i]->name, rv_metric_registry[i]->at_k ? "@k" : "");
    fprintf(out, "\n");
    *done = 1;
    goto done;
  }
  const char *hm = rv_arg_str(&a, "help-metric");
  if (hm) {
    const char *base = hm;
    char buf[64];
    const char *at = strchr(hm, '@');
    if (at) {
      snprintf(buf, sizeof buf, "%.*s", (int)(at - hm), hm);
      base = buf;
    }
    const rv_metric_t *m = rv_metric_find(base);
    RV_REQUIRE(m, RV_ERR_USAGE, "receval eval: --help-metric: unknown metric '%s'", hm);
    fprintf(out, "%s%s\n%s\n", m->name, m->at_k ? "@k" : "", m->help);
    *done = 1;
    goto done;
  }
  RV_REQUIRE(a.npos == 1, RV_ERR_USAGE,
             "receval eval: expected one DATASET argument, got %d (usage: receval eval %s)", a.npos,
             synopsis);
  const char *outdir = rv_arg_str(&a, "out");
  RV_REQUIRE(outdir && *outdir, RV_ERR_USAGE, "receval eval: --out DIR is required");
  RV_REQUIRE(strlen(outdir) <= RV_MAX_PATH && strlen(a.pos[0]) <= RV_MAX_PATH, RV_ERR_USAGE,
             "receval eval: DATASET and --out DIR must be at most %d bytes long", RV_MAX_PATH);
  job->command = (char *)"eval";
  job->dataset = (char *)a.pos[0];
  job->out_dir = (char *)outdir;

  const char *sim = rv_arg_str(&a, "similarity");
  job->has_similarity = 1;
  rv_similarity_t simv = RV_SIM_COSINE;
  if (rv_sim_parse(sim, &simv) != 0)
    RV_FAIL(RV_ERR_USAGE, "receval eval: --similarity: expected " RV_SIM_HELP_LIST ", got '%s'", sim);
  job->similarity = (Receval__Similarity)rv_sim_get(simv)->proto;
  job->has_keep_seen = 1;
  job->keep_seen = rv_arg_flag(&a, "keep-seen");
  job->has_progress = 1;
  job->progress = rv_arg_flag(&a, "progress");
  int64_t b = RV_BLOCK_USERS_DEFAULT;
  RV_TRY(rv_arg_i64(&a, "block-users", 1, RV_BLOCK_USERS_MAX, &b));
  job->has_block_users = 1;
  job->block_users = (int32_t)b;
  uint64_t seed = 0;
  RV_TRY(rv_arg_u64(&a, "seed", &seed));
  job->has_seed = 1;
  job->seed = seed;
  int64_t shards = 1;
  RV_TRY(rv_arg_i64(&a, "item-shards", 1, RV_ITEM_SHARDS_MAX, &shards));
  job->has_item_shards = 1;
  job->item_shards = (int32_t)shards;
  const char *conv = rv_arg_str(&a, "convention");
  RV_REQUIRE(strcmp(conv, "default") == 0 || strcmp(conv, "trec") == 0, RV_ERR_USAGE,
             "receval eval: --convention: expected default or trec, got '%s'", conv);
  job->convention = (char *)conv;
  int64_t bins = RV_MI_BINS_DEFAULT;
  RV_TRY(rv_arg_i64(&a, "mi-bins", 2, RV_MI_BINS_MAX, &bins));
  job->has_mi_bins = 1;
  job->mi_bins = (int32_t)bins;

  RV_TRY(rv_parse_metrics(&a, store));
  job->has_whiten = 1;
  job->whiten = rv_arg_flag(&a, "whiten");
  job->model_dir = (char *)rv_arg_str(&a, "model");
  /* Both read every item vector on every rank (model metrics sample any
   * item; whitening needs the whole catalogue's covariance). */
  RV_REQUIRE(!(job->item_shards > 1 && job->model_dir), RV_ERR_USAGE,
             "receval eval: --model cannot be combined with --item-shards %d yet (use 1)", job->item_shards);
  RV_REQUIRE(!(job->item_shards > 1 && job->whiten), RV_ERR_USAGE,
             "receval eval: --whiten cannot be combined with --item-shards %d yet (use 1)", job->item_shards);
  if (job->model_dir) {
    RV_REQUIRE(*job->model_dir, RV_ERR_USAGE, "receval eval: --model: empty directory name");
    /* A model's own metrics are always reported with it. */
    static char *const model_metrics[] = {"rmse", "logloss"};
    size_t nm = job->n_metrics;
    for (int i = 0; i < 2; i++) {
      int dup = 0;
      for (size_t j = 0; j < nm; j++) dup |= strcmp(metric_names[j], model_metrics[i]) == 0;
      if (!dup) metric_names[nm++] = model_metrics[i];
    }
    job->n_metrics = nm;
    job->metrics = metric_names;
  }
done:
  return err;
}

static rv_err_t run_eval(MPI_Comm comm, const ProtobufCMessage *msg, const uint8_t *bytes, size_t len,
                         FILE *out) {
  return rv_evaluate(comm, (const Receval__JobSpec *)msg, bytes, len, out);
}

rv_err_t rv_cmd_eval(MPI_Comm comm, int argc, char **argv, FILE *out) {
  static const rv_spec_cmd_t cmd = {&receval__job_spec__descriptor, build_spec, rv_jobspec_check_msg,
                                    run_eval};
  rv_job_store_t st = {.job = RECEVAL__JOB_SPEC__INIT};
  return rv_spec_run(comm, argc, argv, out, &cmd, &st, &st.job.base);
}
