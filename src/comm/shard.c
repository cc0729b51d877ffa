#include "comm/shard.h"

#include <stdlib.h>
#include <string.h>

/* Counts per MPI call stay below INT_MAX elements. */
enum { CHUNK = 1 << 26 };

/* MPI user function: inout[u] = merge(in[u], inout[u]) for each of *len
 * users; the datatype is k contiguous uint64 keys. */
static void merge_op(void *in, void *inout, int *len, MPI_Datatype *dt) {
  int bytes = 0;
  MPI_Type_size(*dt, &bytes);
  const int k = bytes / (int)sizeof(rv_topk_slot_t);
  rv_topk_slot_t *tmp = malloc(sizeof(rv_topk_slot_t) * (size_t)(k > 0 ? k : 1));
  if (!tmp) MPI_Abort(MPI_COMM_WORLD, 1); /* inside MPI: no way to return an error */
  const rv_topk_slot_t *a = in;
  rv_topk_slot_t *b = inout;
  for (int u = 0; u < *len; u++) {
    rv_topk_merge(a + (size_t)u * k, b + (size_t)u * k, k, tmp);
    memcpy(b + (size_t)u * k, tmp, sizeof(rv_topk_slot_t) * (size_t)k);
  }
  free(tmp);
}

rv_err_t rv_row_merge_topk(MPI_Comm row, rv_topk_slot_t *keys, int64_t n_users, int k) {
  int width;
  MPI_Comm_size(row, &width);
  if (width == 1 || n_users == 0 || k == 0) return RV_OK;
  MPI_Datatype list;
  MPI_Op op;
  MPI_Type_contiguous(k, MPI_UINT64_T, &list);
  MPI_Type_commit(&list);
  MPI_Op_create(merge_op, 1, &op);
  int rc = MPI_SUCCESS;
  const int64_t step = CHUNK / k > 0 ? CHUNK / k : 1;
  for (int64_t u = 0; u < n_users && rc == MPI_SUCCESS; u += step) {
    const int n = (int)(n_users - u < step ? n_users - u : step);
    rc = MPI_Allreduce(MPI_IN_PLACE, keys + (size_t)u * k, n, list, op, row);
  }
  MPI_Op_free(&op);
  MPI_Type_free(&list);
  return rc == MPI_SUCCESS ? RV_OK : rv_error_set(RV_ERR_RUNTIME, "top-k merge across item shards failed");
}

rv_err_t rv_row_fetch_rows(MPI_Comm row, const float *shard, int64_t i0, int64_t i1, int d,
                           const int32_t *ids, int64_t n, float *out) {
  for (int64_t r = 0; r < n; r++) {
    float *dst = out + (size_t)r * d;
    if (ids[r] >= i0 && ids[r] < i1)
      memcpy(dst, shard + (size_t)(ids[r] - i0) * d, sizeof(float) * (size_t)d);
    else
      memset(dst, 0, sizeof(float) * (size_t)d);
  }
  int width;
  MPI_Comm_size(row, &width);
  if (width == 1) return RV_OK;
  /* Bits, not values: x | 0 = x for every float, -0.0 and all. */
  uint32_t *bits = (uint32_t *)out;
  const int64_t total = n * d;
  for (int64_t off = 0; off < total; off += CHUNK)
    if (MPI_Allreduce(MPI_IN_PLACE, bits + off, (int)(total - off < CHUNK ? total - off : CHUNK),
                      MPI_UINT32_T, MPI_BOR, row) != MPI_SUCCESS)
      return rv_error_set(RV_ERR_RUNTIME, "fetching item vectors across item shards failed");
  return RV_OK;
}

rv_err_t rv_row_minmax_f32(MPI_Comm row, float *buf, int64_t n, MPI_Op op) {
  int width;
  MPI_Comm_size(row, &width);
  if (width == 1) return RV_OK;
  for (int64_t off = 0; off < n; off += CHUNK)
    if (MPI_Allreduce(MPI_IN_PLACE, buf + off, (int)(n - off < CHUNK ? n - off : CHUNK), MPI_FLOAT, op,
                      row) != MPI_SUCCESS)
      return rv_error_set(RV_ERR_RUNTIME, "combining scores across item shards failed");
  return RV_OK;
}
