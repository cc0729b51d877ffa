#include "io/results.h"

#include <hdf5.h>
#include <stdio.h>

#include "io/h5util.h"

rv_err_t rv_results_write(MPI_Comm comm, const char *path, const rv_results_t *r) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID;
  const int64_t nu = r->u1 - r->u0;
  /* Failures inside these collective calls are agreed after each step: an
   * HDF5 failure is normally the same on every rank (same file, same call). */
  err = rv_h5_create(comm, path, &f);
  RV_AGREE(comm);
  /* Every step below is collective: agree after each one. */
  err = rv_h5_write_attr_str(f, path, "format", "receval-results");
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, path, "version", 1);
  RV_AGREE(comm);
  err = rv_h5_write_attr_bytes(f, path, "jobspec", r->jobspec, r->jobspec_len);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, path, "dataset", r->dataset_path);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, path, "dataset_checksum", r->dataset_checksum);
  RV_AGREE(comm);

  err = rv_h5_create_dataset(f, path, "/topk/items", H5T_STD_I32LE, r->n_users, r->kmax, &d);
  RV_AGREE(comm);
  err = rv_h5_write_rows(d, path, "/topk/items", H5T_NATIVE_INT32, r->u0, nu, r->kmax,
                                   r->top_items);
  if (d >= 0) H5Dclose(d);
  d = H5I_INVALID_HID;
  RV_AGREE(comm);
  err = rv_h5_create_dataset(f, path, "/topk/scores", H5T_IEEE_F32LE, r->n_users, r->kmax, &d);
  RV_AGREE(comm);
  err = rv_h5_write_rows(d, path, "/topk/scores", H5T_NATIVE_FLOAT, r->u0, nu, r->kmax,
                                   r->top_scores);
  if (d >= 0) H5Dclose(d);
  d = H5I_INVALID_HID;
  RV_AGREE(comm);
  for (int c = 0; c < r->ncols; c++) {
    char p[256];
    snprintf(p, sizeof p, "/per_user/%s", r->col_names[c]);
    err = rv_h5_create_dataset(f, path, p, H5T_IEEE_F64LE, r->n_users, 0, &d);
    RV_AGREE(comm);
    err = rv_h5_write_rows(d, path, p, H5T_NATIVE_DOUBLE, r->u0, nu, 0, r->cols[c]);
    if (d >= 0) H5Dclose(d);
    d = H5I_INVALID_HID;
    RV_AGREE(comm);
  }
  err = rv_h5_create_dataset(f, path, "/exposure/count", H5T_STD_I64LE, r->n_items, 0, &d);
  RV_AGREE(comm);
  err = rv_h5_write_rows(d, path, "/exposure/count", H5T_NATIVE_INT64, 0,
                           rank == 0 ? r->n_items : 0, 0, r->exposure);
  if (d >= 0) H5Dclose(d);
  d = H5I_INVALID_HID;
  RV_AGREE(comm);
done:
  if (d >= 0) H5Dclose(d);
  if (f >= 0 && H5Fclose(f) < 0 && err == RV_OK)
    err = rv_error_set(RV_ERR_IO, "%s: closing the file failed", path);
  return rv_error_agree(comm, err);
}
