/* Numerical range of float32 scores: whether the largest user and item
 * norms of a job can make a score overflow (docs/robustness.md). */
#ifndef RV_COMM_RANGE_H
#define RV_COMM_RANGE_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"
#include "kernels/score.h"

typedef struct rv_range {
  rv_similarity_t sim;
  int dim;
  double bound;        /* rv_score_bound of the largest norms (global) */
  double unorm, inorm; /* largest user and item norms (global) */
  int64_t user, item;  /* the first user and item reaching them (global indices) */
  int check;           /* 1: the bound cannot exclude overflow: computed scores must be checked */
} rv_range_t;

/* The largest norms over comm of this rank's nu users (global indices from
 * u0) and ni items (from i0), d floats each, and the verdict of the bound;
 * the same on every rank at any rank count (maxima, ties to the smaller
 * index). Collective on comm; errors agreed. */
rv_err_t rv_range_compute(MPI_Comm comm, rv_similarity_t sim, const float *users, int64_t nu, int64_t u0,
                          const float *items, int64_t ni, int64_t i0, int d, rv_range_t *r);

/* Sets "PATH: numerical range exceeded: ..." (the similarity, the bound and
 * both norms) and returns RV_ERR_RUNTIME. Local. */
rv_err_t rv_range_error(const rv_range_t *r, const char *path);

#endif
