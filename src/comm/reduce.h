/* Deterministic reductions. Collective on comm.
 *
 * The results do not depend on MPI's reduction order: integer sums are
 * associative, and metric sums are carried as exact 128-bit fixed-point
 * integers (kernels/xsum.h). */
#ifndef RV_COMM_REDUCE_H
#define RV_COMM_REDUCE_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"
#include "kernels/xsum.h"

/* In place element-wise exact sum of n 128-bit integers over comm. */
rv_err_t rv_allreduce_i128(MPI_Comm comm, rv_i128 *buf, int n);
/* The datatype and operator rv_allreduce_i128 uses, for a caller that
 * reduces many times (created once; free with rv_i128_sum_op_free). */
rv_err_t rv_i128_sum_op(MPI_Datatype *type, MPI_Op *op);
void rv_i128_sum_op_free(MPI_Datatype *type, MPI_Op *op);
/* In place element-wise sum of n int64 counters over comm. */
rv_err_t rv_allreduce_i64(MPI_Comm comm, int64_t *buf, int64_t n);
/* In place sum of m moment accumulators (3 x i128 each). */
rv_err_t rv_allreduce_moments(MPI_Comm comm, rv_moments_t *m, int count);
/* Maximum of a double over comm (timings). */
double rv_allmax_double(MPI_Comm comm, double v);

#endif
