/* core/score_pass.c: the scoring pass and the measurement of one list. */
#ifndef RV_CORE_SCORE_PASS_H
#define RV_CORE_SCORE_PASS_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "core/eval_state.h"

/* The scoring pass over this rank's users: score, select, measure. Runs
 * collectives on s->plan.row (item shards merge their candidates and fetch
 * list vectors); errors agreed on the row. */
rv_err_t rv_eval_score(rv_eval_state_t *s, int rank, int show_progress);
/* Measures local user lu's list, already in loc.top_items/top_scores (len
 * entries): exposure, counts and every user-kind column with a metric.
 * tr_base, te_base: ptr[u0] of train and test. Local. */
rv_err_t rv_eval_measure_user(rv_eval_state_t *s, int64_t lu, int len, int64_t tr_base, int64_t te_base);

#endif
