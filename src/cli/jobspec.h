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

/* Local. RV_OK, or RV_ERR_USAGE with "JobSpec: FIELD: ..." naming the value. */
rv_err_t rv_jobspec_check(const Receval__JobSpec *job);

#endif
