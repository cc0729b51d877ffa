/* Where an evaluation's lists come from: the scoring pass, or another
 * source (core/runs.c: a recommender's run file). */
#ifndef RV_CORE_LIST_SOURCE_H
#define RV_CORE_LIST_SOURCE_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "core/eval_state.h"

/* plan() adds the source's own per-user columns (metric NULL) before the
 * metric columns; fill() replaces the scoring pass: it puts every local
 * user's list in loc.top_items/top_scores, fills the source's columns and
 * calls rv_eval_measure_user. Collective. */
typedef struct rv_list_source {
  rv_err_t (*plan)(rv_eval_state_t *s, void *arg);
  rv_err_t (*fill)(MPI_Comm comm, rv_eval_state_t *s, void *arg);
  void *arg;
} rv_list_source_t;

/* core/evaluate.c: the whole job with lists from src (NULL: the scoring
 * pass, as rv_evaluate). Collective. */
rv_err_t rv_evaluate_with(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, const rv_list_source_t *src, FILE *out);

#endif
