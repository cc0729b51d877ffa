/* results.h5: top-k lists, per-user metric values, exposure counts
 * (docs/formats.md). Written collectively, each rank its own user rows. */
#ifndef RV_IO_RESULTS_H
#define RV_IO_RESULTS_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct rv_results {
  int64_t n_users, n_items;
  int kmax;
  int64_t u0, u1;            /* this rank's rows */
  const int32_t *top_items;  /* (u1-u0) x kmax */
  const float *top_scores;   /* (u1-u0) x kmax */
  int ncols;
  const char *const *col_names; /* "/per_user/<name>" suffixes, e.g. "ndcg@10" */
  const double *const *cols;    /* ncols arrays of (u1-u0) values */
  const int64_t *exposure;      /* n_items, identical on every rank */
  const uint8_t *jobspec;       /* packed receval.JobSpec */
  size_t jobspec_len;
  const char *dataset_path, *dataset_checksum;
} rv_results_t;

/* Collective on comm: writes path (a temporary name; the caller renames). */
rv_err_t rv_results_write(MPI_Comm comm, const char *path, const rv_results_t *r);

#endif
