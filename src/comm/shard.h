/* Collectives of item sharding (--item-shards): the ranks of one row of
 * the grid share a user range and hold different item shards. Every
 * combination here is exact (a selection, a bitwise OR with zeros, a min or
 * max, an integer sum), so a row of any width gives the bits of one rank
 * holding every item. Collective on the row communicator. */
#ifndef RV_COMM_SHARD_H
#define RV_COMM_SHARD_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"
#include "kernels/topk.h"

/* keys: n_users best-first lists of k order keys (kernels/topk.h), padded
 * with 0; replaced in place by each user's best k over the row (a custom
 * MPI_Op merging sorted lists). */
rv_err_t rv_row_merge_topk(MPI_Comm row, rv_topk_slot_t *keys, int64_t n_users, int k);

/* out (n x d) = the rows ids[0..n) of the item matrix, of which this rank
 * holds rows [i0, i1) in shard ((i1 - i0) x d): each rank writes the rows it
 * owns, zeros elsewhere, and a bitwise OR over the row assembles them. */
rv_err_t rv_row_fetch_rows(MPI_Comm row, const float *shard, int64_t i0, int64_t i1, int d,
                           const int32_t *ids, int64_t n, float *out);

/* In place element-wise minimum (op MPI_MIN) or maximum (MPI_MAX) of n floats. */
rv_err_t rv_row_minmax_f32(MPI_Comm row, float *buf, int64_t n, MPI_Op op);

#endif
