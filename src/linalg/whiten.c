#include "linalg/whiten.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comm/reduce.h"
#include "kernels/partition.h"
#include "kernels/score.h"
#include "linalg/scalapack.h"

rv_err_t rv_whiten(MPI_Comm comm, float *items, int64_t n_items, float *users, int64_t n_users,
                   int d) {
  rv_err_t err = RV_OK;
  int rank, nranks, grid_open = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  const size_t dd = (size_t)d * d;
  rv_grid_t g = {.ctxt = -1};
  rv_dmat_t C = {0}, V = {0};
  rv_i128 *acc = calloc(dd + (size_t)d, sizeof(rv_i128));
  double *mu = malloc(sizeof(double) * (size_t)d), *l = malloc(sizeof(double) * (size_t)d);
  double *full = malloc(sizeof(double) * dd), *W = malloc(sizeof(double) * dd);
  double *x = malloc(sizeof(double) * (size_t)d);
  int64_t *b = malloc(sizeof(int64_t) * (size_t)(nranks + 1));
  if (!acc || !mu || !l || !full || !W || !x || !b) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  rv_partition_even(n_items, nranks, b);
  /* Mean, then the scatter around it (two passes: no cancellation). */
  int bad = 0;
  for (int64_t i = b[rank]; i < b[rank + 1]; i++)
    for (int j = 0; j < d; j++) bad |= rv_xsum_add(&acc[j], items[(size_t)i * d + j]);
  if (bad) err = rv_error_set(RV_ERR_DATA, "--whiten: an embedding value exceeds 2^40");
  RV_AGREE(comm);
  RV_TRY(rv_allreduce_i128(comm, acc, d));
  for (int j = 0; j < d; j++) mu[j] = rv_xsum_value(acc[j]) / (double)n_items;
  /* Scatter: fixed blocks of 256 items summed in double, then exactly. */
  rv_i128 *s2 = acc + d;
  const int64_t nblk = (n_items + 255) / 256;
  rv_partition_even(nblk, nranks, b);
  for (int64_t k0 = b[rank]; k0 < b[rank + 1]; k0++) {
    memset(W, 0, sizeof(double) * dd);
    for (int64_t i = k0 * 256; i < (k0 + 1) * 256 && i < n_items; i++) {
      for (int j = 0; j < d; j++) x[j] = items[(size_t)i * d + j] - mu[j];
      for (int j = 0; j < d; j++)
        for (int k = 0; k < d; k++) W[(size_t)j * d + k] += x[j] * x[k];
    }
    bad |= rv_xsum_add_array(s2, W, dd);
  }
  if (bad) err = rv_error_set(RV_ERR_DATA, "--whiten: a covariance entry exceeds the exact range");
  RV_AGREE(comm);
  RV_TRY(rv_allreduce_i128(comm, s2, (int)dd));
  for (size_t q = 0; q < dd; q++) full[q] = rv_xsum_value(s2[q]) / (double)n_items;

  RV_TRY(rv_grid_open(comm, d, 0, &g));
  grid_open = 1;
  err = rv_dmat_alloc(&g, d, &C);
  if (!err) err = rv_dmat_alloc(&g, d, &V);
  RV_AGREE(comm);
  rv_dmat_from_full(&g, full, &C);
  err = rv_syevd(comm, &g, &C, l, &V);
  RV_AGREE(comm);
  RV_TRY(rv_dmat_to_full(comm, &g, &V, full));
  const double lmax = l[d - 1], floor_ = lmax > 0.0 ? 1e-9 * lmax : 1.0;
  for (int k = 0; k < d; k++) {
    const double s = 1.0 / sqrt(l[k] > floor_ ? l[k] : floor_);
    for (int j = 0; j < d; j++) W[(size_t)j * d + k] = full[(size_t)j * d + k] * s;
  }
  rv_rows_affine(items, (size_t)n_items, d, mu, W, x);
  if (users) rv_rows_affine(users, (size_t)n_users, d, mu, W, x);
done:
  rv_dmat_free(&C), rv_dmat_free(&V);
  if (grid_open) rv_grid_close(&g);
  free(acc), free(mu), free(l), free(full), free(W), free(x), free(b);
  return err;
}
