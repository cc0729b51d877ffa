#include "cli/jobspec.h"

#include <string.h>

#include "kernels/similarity.h"
#include "metrics/registry.h"

static rv_err_t check_path(const char *field, const char *p) {
  if (!p || !*p) return rv_error_set(RV_ERR_USAGE, "JobSpec: %s: missing or empty", field);
  const size_t n = strlen(p);
  if (n > RV_MAX_PATH)
    return rv_error_set(RV_ERR_USAGE, "JobSpec: %s: %zu bytes long, at most %d", field, n,
                        RV_MAX_PATH);
  return RV_OK;
}

rv_err_t rv_jobspec_check(const Receval__JobSpec *job) {
  rv_err_t err = RV_OK;
  /* receval writes every field it reads; anything else is corruption or a
   * newer receval. (protobuf-c keeps unknown fields and packs them again,
   * and it accepts a field number 0 that it then refuses to read back.) */
  RV_REQUIRE(job->base.n_unknown_fields == 0, RV_ERR_USAGE,
             "JobSpec: %u unknown field(s), the first numbered %u: not written by this receval",
             job->base.n_unknown_fields, job->base.unknown_fields[0].tag);
  RV_REQUIRE(job->command && (strcmp(job->command, "eval") == 0 || strcmp(job->command, "runs") == 0),
             RV_ERR_USAGE, "JobSpec: command: '%s', expected 'eval' or 'runs'",
             job->command ? job->command : "(none)");
  RV_TRY(check_path("dataset", job->dataset));
  RV_TRY(check_path("out_dir", job->out_dir));
  RV_REQUIRE(job->n_k >= 1 && job->n_k <= RV_MAX_K, RV_ERR_USAGE,
             "JobSpec: k: %zu cutoffs, expected 1..%d", job->n_k, RV_MAX_K);
  for (size_t i = 0; i < job->n_k; i++) {
    RV_REQUIRE(job->k[i] >= 1 && job->k[i] <= RV_MAX_K_VALUE, RV_ERR_USAGE,
               "JobSpec: k[%zu]: %d, expected 1..%d", i, job->k[i], RV_MAX_K_VALUE);
    RV_REQUIRE(i == 0 || job->k[i] > job->k[i - 1], RV_ERR_USAGE,
               "JobSpec: k[%zu]: %d after %d, cutoffs must be ascending and distinct", i,
               job->k[i], job->k[i - 1]);
  }
  rv_similarity_t sim;
  RV_REQUIRE(rv_sim_from_proto((int)job->similarity, &sim) == 0, RV_ERR_USAGE,
             "JobSpec: similarity: unknown value %d", (int)job->similarity);
  RV_REQUIRE(job->block_users >= 1 && job->block_users <= RV_BLOCK_USERS_MAX, RV_ERR_USAGE,
             "JobSpec: block_users: %d, expected 1..%d", job->block_users, RV_BLOCK_USERS_MAX);
  RV_REQUIRE(job->item_shards >= 1 && job->item_shards <= RV_ITEM_SHARDS_MAX, RV_ERR_USAGE,
             "JobSpec: item_shards: %d, expected 1..%d (dividing the ranks: checked by eval)",
             job->item_shards, RV_ITEM_SHARDS_MAX);
  RV_REQUIRE(job->mi_bins >= 2 && job->mi_bins <= RV_MI_BINS_MAX, RV_ERR_USAGE,
             "JobSpec: mi_bins: %d, expected 2..%d", job->mi_bins, RV_MI_BINS_MAX);
  RV_REQUIRE(job->convention &&
                 (strcmp(job->convention, "default") == 0 || strcmp(job->convention, "trec") == 0),
             RV_ERR_USAGE, "JobSpec: convention: '%s', expected default or trec",
             job->convention ? job->convention : "(none)");
  RV_REQUIRE(job->n_metrics >= 1 && job->n_metrics <= RV_MAX_METRICS, RV_ERR_USAGE,
             "JobSpec: metrics: %zu names, expected 1..%d", job->n_metrics, RV_MAX_METRICS);
  /* What the evaluation would otherwise index past: a model or whitening
   * needs every item vector on every rank (one item shard); runs reads its
   * lists from run_file. */
  RV_REQUIRE(job->item_shards == 1 || (!job->model_dir && !job->whiten), RV_ERR_USAGE,
             "JobSpec: item_shards: %d with %s, which needs the whole catalogue on every rank",
             job->item_shards, job->model_dir ? "model_dir" : "whiten");
  if (job->model_dir) RV_TRY(check_path("model_dir", job->model_dir));
  if (strcmp(job->command, "runs") == 0) RV_TRY(check_path("run_file", job->run_file));
  RV_REQUIRE(!job->run_order || strcmp(job->run_order, "rank") == 0 || strcmp(job->run_order, "score") == 0,
             RV_ERR_USAGE, "JobSpec: run_order: '%.64s', expected 'rank' or 'score'", job->run_order);
  for (size_t i = 0; i < job->n_metrics; i++) {
    const char *m = job->metrics[i];
    RV_REQUIRE(m && rv_metric_find(m), RV_ERR_USAGE, "JobSpec: metrics[%zu]: unknown metric '%.64s'",
               i, m ? m : "(none)");
    for (size_t j = 0; j < i; j++)
      RV_REQUIRE(strcmp(job->metrics[j], m) != 0, RV_ERR_USAGE,
                 "JobSpec: metrics[%zu]: '%s' repeats", i, m);
  }
done:
  return err;
}

rv_err_t rv_jobspec_check_msg(const ProtobufCMessage *msg) {
  return rv_jobspec_check((const Receval__JobSpec *)msg);
}
