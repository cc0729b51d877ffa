/* `receval runs DATASET RUNFILE --out DIR`: rank 0 validates the command
 * line into a JobSpec and broadcasts it; every rank evaluates the run's
 * lists (core/runs.h) with the same outputs as eval. */
#include <string.h>

#include "cli/commands.h"
#include "cli/jobspec.h"
#include "cli/options.h"
#include "cli/spec_run.h"
#include "core/runs.h"
#include "io/input.h"
#include "metrics/registry.h"

static const rv_option_t runs_options[] = {
    {"out", "DIR", "output directory (created if missing; required)", NULL},
    {"k", "LIST", "cutoffs, comma-separated", "10,20"},
    {"metrics", "LIST", "metric names, comma-separated, or 'all' (auc and mi_score_relevance need every candidate's score: omitted)",
     rv_metric_default_set},
    {"order", "NAME", "score (descending, as trec_eval; ties by rank, then file order) or rank (the rank field)", "score"},
    {"convention", "NAME", "default, or trec (trec_eval's map_cut and recip_rank definitions)", "default"},
    {NULL, NULL, NULL, NULL}};

static const char synopsis[] = "DATASET.h5 RUNFILE --out DIR [options]";

static rv_err_t build_spec(int argc, char **argv, FILE *out, void *store, int *done) {
  rv_err_t err = RV_OK;
  Receval__JobSpec *job = &((rv_job_store_t *)store)->job;
  rv_args_t a;
  *done = 0;
  RV_TRY(rv_args_parse("runs", runs_options, argc, argv, &a));
  if (a.help) {
    rv_args_print_help(out, "runs", synopsis, runs_options);
    fprintf(out, "\nRUNFILE: a TREC run (user Q0 item rank score tag; the item by id, or a quoted title) or an HDF5\n"
                 "file with /lists/items (or receval's /topk/items) int32 [n_users, K], -1 padding.\n");
    *done = 1;
    goto done;
  }
  RV_REQUIRE(a.npos == 2, RV_ERR_USAGE, "receval runs: expected DATASET and RUNFILE, got %d arguments (usage: receval runs %s)",
             a.npos, synopsis);
  const char *outdir = rv_arg_str(&a, "out");
  RV_REQUIRE(outdir && *outdir, RV_ERR_USAGE, "receval runs: --out DIR is required");
  job->command = (char *)"runs";
  job->dataset = (char *)a.pos[0];
  job->run_file = (char *)a.pos[1];
  RV_TRY(rv_input_regular(job->run_file, "run file")); /* before any work; a FIFO is never opened */
  job->out_dir = (char *)outdir;
  const char *order = rv_arg_str(&a, "order");
  RV_REQUIRE(strcmp(order, "score") == 0 || strcmp(order, "rank") == 0, RV_ERR_USAGE,
             "receval runs: --order: expected score or rank, got '%s'", order);
  job->run_order = (char *)order;
  const char *conv = rv_arg_str(&a, "convention");
  RV_REQUIRE(strcmp(conv, "default") == 0 || strcmp(conv, "trec") == 0, RV_ERR_USAGE,
             "receval runs: --convention: expected default or trec, got '%s'", conv);
  job->convention = (char *)conv;
  job->has_similarity = 1;
  job->similarity = RECEVAL__SIMILARITY__SIMILARITY_COSINE; /* unit vectors for the list-geometry metrics */
  job->has_block_users = 1;
  job->block_users = RV_BLOCK_USERS_DEFAULT;
  job->has_item_shards = 1;
  job->item_shards = 1;
  job->has_mi_bins = 1;
  job->mi_bins = RV_MI_BINS_DEFAULT;
  RV_TRY(rv_parse_metrics(&a, store));
done:
  return err;
}

static rv_err_t run_runs(MPI_Comm comm, const ProtobufCMessage *msg, const uint8_t *bytes, size_t len,
                         FILE *out) {
  return rv_evaluate_runs(comm, (const Receval__JobSpec *)msg, bytes, len, out);
}

rv_err_t rv_cmd_runs(MPI_Comm comm, int argc, char **argv, FILE *out) {
  static const rv_spec_cmd_t cmd = {&receval__job_spec__descriptor, build_spec, rv_jobspec_check_msg,
                                    run_runs};
  rv_job_store_t st = {.job = RECEVAL__JOB_SPEC__INIT};
  return rv_spec_run(comm, argc, argv, out, &cmd, &st, &st.job.base);
}
