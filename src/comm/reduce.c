#include "comm/reduce.h"

#include <string.h>

/* Sum of 128-bit integers carried as pairs of 64-bit words. Exact and
 * associative, so MPI may combine partials in any order. */
static void sum_i128(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  const unsigned char *a = in;
  unsigned char *b = inout;
  for (int i = 0; i < *len; i++) {
    rv_i128 x, y;
    memcpy(&x, a + 16 * (size_t)i, 16);
    memcpy(&y, b + 16 * (size_t)i, 16);
    y += x;
    memcpy(b + 16 * (size_t)i, &y, 16);
  }
}

rv_err_t rv_i128_sum_op(MPI_Datatype *type, MPI_Op *op) {
  rv_err_t err = RV_OK;
  *type = MPI_DATATYPE_NULL;
  *op = MPI_OP_NULL;
  RV_MPI_TRY(MPI_Type_contiguous(16, MPI_BYTE, type));
  RV_MPI_TRY(MPI_Type_commit(type));
  RV_MPI_TRY(MPI_Op_create(sum_i128, 1, op));
done:
  return err;
}

void rv_i128_sum_op_free(MPI_Datatype *type, MPI_Op *op) {
  if (*op != MPI_OP_NULL) MPI_Op_free(op);
  if (*type != MPI_DATATYPE_NULL) MPI_Type_free(type);
}

rv_err_t rv_allreduce_i128(MPI_Comm comm, rv_i128 *buf, int n) {
  rv_err_t err = RV_OK;
  MPI_Datatype t = MPI_DATATYPE_NULL;
  MPI_Op op = MPI_OP_NULL;
  RV_TRY(rv_i128_sum_op(&t, &op));
  RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf, n, t, op, comm));
done:
  rv_i128_sum_op_free(&t, &op);
  return err;
}

rv_err_t rv_allreduce_i64(MPI_Comm comm, int64_t *buf, int64_t n) {
  rv_err_t err = RV_OK;
  /* Chunks keep each count within int. */
  const int64_t chunk = 1 << 28;
  for (int64_t off = 0; off < n; off += chunk) {
    const int c = (int)(n - off < chunk ? n - off : chunk);
    RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, buf + off, c, MPI_INT64_T, MPI_SUM, comm));
  }
done:
  return err;
}

rv_err_t rv_allreduce_moments(MPI_Comm comm, rv_moments_t *m, int count) {
  _Static_assert(sizeof(rv_moments_t) == 3 * sizeof(rv_i128), "moments are three i128");
  return rv_allreduce_i128(comm, (rv_i128 *)m, 3 * count);
}

double rv_allmax_double(MPI_Comm comm, double v) {
  double r = v;
  MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_MAX, comm);
  return r;
}
