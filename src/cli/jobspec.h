/* Validation of a decoded JobSpec. Rank 0 builds the message from a
 * checked command line, but every rank decodes the broadcast bytes and
 * trusts only what passes this check: the evaluation indexes arrays with
 * k, block_users, mi_bins and the metric names, and builds file names from
 * out_dir. Fuzzed by tests/fuzz/fuzz_jobspec.c. */
#ifndef RV_CLI_JOBSPEC_H
#define RV_CLI_JOBSPEC_H
#include "base/error.h"
#include "receval.pb-c.h"

#define RV_MAX_K 64
#define RV_MAX_K_VALUE 1000000
#define RV_MAX_PATH 4000 /* output names add at most 20 bytes to out_dir */
#define RV_MAX_METRICS 64 /* metric names of one job */
/* Defaults and limits written once: the options' help, runs' fixed values
 * and the check of a decoded spec use these. */
#define RV_BLOCK_USERS_DEFAULT 256
#define RV_BLOCK_USERS_MAX 65536
#define RV_MI_BINS_DEFAULT 64
#define RV_MI_BINS_MAX (1 << 20)
#define RV_ITEM_SHARDS_MAX 65536
#define RV_STR_(x) #x
#define RV_STR(x) RV_STR_(x)

/* A JobSpec with room for its arrays (cutoffs, metric names), as built on
 * rank 0 by eval and runs. */
typedef struct rv_job_store {
  Receval__JobSpec job;
  int32_t ks[RV_MAX_K];
  char *metric_names[RV_MAX_METRICS];
} rv_job_store_t;

/* Local. RV_OK, or RV_ERR_USAGE with "JobSpec: FIELD: ..." naming the value. */
rv_err_t rv_jobspec_check(const Receval__JobSpec *job);
/* The same on a decoded message (rv_spec_cmd_t.check). */
rv_err_t rv_jobspec_check_msg(const ProtobufCMessage *msg);

#endif
