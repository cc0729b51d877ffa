/* `receval runs`: a recommender's ranked lists (TREC run file or HDF5
 * lists) evaluated by the metric path of `eval` (core/evaluate.c), plus the
 * list-quality columns validity@k, duplicate_rate@k and short_list_rate@k. */
#ifndef RV_CORE_RUNS_H
#define RV_CORE_RUNS_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "receval.pb-c.h"

/* Collective. job->run_file names the lists, job->run_order "score" or "rank". */
rv_err_t rv_evaluate_runs(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, FILE *out);

/* The normalised form of a title for matching (ASCII letters lower-cased,
 * runs of spaces and tabs as one space, no leading or trailing space):
 * writes at most n bytes to out (no NUL); returns the length. */
size_t rv_title_norm(const char *s, size_t n, char *out);

#endif
