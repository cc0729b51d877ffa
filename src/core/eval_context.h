/* core/eval_context.c: what the scoring pass reads, made once per job. */
#ifndef RV_CORE_EVAL_CONTEXT_H
#define RV_CORE_EVAL_CONTEXT_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "core/eval_state.h"

/* Vectors, popularity, long tail, histogram range. Collective on comm. */
rv_err_t rv_eval_prepare(MPI_Comm comm, rv_eval_state_t *s);
/* The numerical range of the scores from the largest norms of the vectors
 * as scored (after rv_eval_model_bind). Fails when they overflow; sets
 * s->vec.range.check when only the computed scores can tell. Collective on
 * comm; errors agreed. */
rv_err_t rv_eval_check_range(MPI_Comm comm, rv_eval_state_t *s);
/* Item sharding: fetch_vec = the rows of `shard` (this rank's rows of an
 * item matrix) for ids (sorted and deduplicated in place, n on entry),
 * assembled across the row; rv_eval_fetched finds one of them. Collective
 * on s->plan.row; errors agreed on it. */
rv_err_t rv_eval_fetch(rv_eval_state_t *s, const float *shard, int32_t *ids, int64_t n);
const float *rv_eval_fetched(const rv_eval_state_t *s, int32_t item);

#endif
