#include "io/results.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"
#include "io/schema.h"

/* One dataset of results.h5 and this rank's rows of it. */
typedef struct part {
  char path[256];
  hid_t ftype, mtype;
  int64_t rows, rowlen; /* shape [rows] (rowlen 0) or [rows, rowlen] */
  int64_t row0, nrows;  /* this rank's rows */
  const void *buf;
} part_t;

/* p has room for r->ncols + 3 parts. */
static int plan(const rv_results_t *r, int rank, part_t *p) {
  int n = 0;
  const int64_t nu = r->u1 - r->u0;
  p[n++] = (part_t){RV_RES_TOPK_ITEMS, H5T_STD_I32LE, H5T_NATIVE_INT32, r->n_users, r->kmax, r->u0, nu, r->top_items};
  p[n++] = (part_t){RV_RES_TOPK_SCORES, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, r->n_users, r->kmax, r->u0, nu, r->top_scores};
  for (int c = 0; c < r->ncols; c++) {
    p[n] = (part_t){"", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, r->n_users, 0, r->u0, nu, r->cols[c]};
    snprintf(p[n++].path, sizeof p->path, RV_RES_PER_USER "/%s", r->col_names[c]);
  }
  p[n++] = (part_t){RV_RES_EXPOSURE_COUNT, H5T_STD_I64LE, H5T_NATIVE_INT64, r->n_items, 0, 0,
                    rank == 0 ? r->n_items : 0, r->exposure};
  return n;
}

/* Collective: the file, its attributes and every part. Failures inside
 * these collective calls are agreed after each step. */
static rv_err_t write_file(MPI_Comm comm, const char *path, const rv_results_t *r, const part_t *p, int np) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID;
  err = rv_h5_create(comm, path, &f);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, path, RV_ATTR_FORMAT, RV_FMT_RESULTS);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, path, RV_ATTR_VERSION, RV_FMT_VERSION);
  RV_AGREE(comm);
  err = rv_h5_write_attr_bytes(f, path, RV_ATTR_JOBSPEC, r->jobspec, r->jobspec_len);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, path, RV_ATTR_DATASET, r->dataset_path);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, path, RV_ATTR_DATASET_CHECKSUM, r->dataset_checksum);
  RV_AGREE(comm);
  for (int i = 0; i < np; i++) {
    err = rv_h5_create_dataset(f, path, p[i].path, p[i].ftype, p[i].rows, p[i].rowlen, &d);
    RV_AGREE(comm);
    err = rv_h5_write_rows(d, path, p[i].path, p[i].mtype, p[i].row0, p[i].nrows, p[i].rowlen, p[i].buf);
    if (H5Dclose(d) < 0 && err == RV_OK)
      err = rv_error_set(RV_ERR_IO, "%s: %s: closing the dataset failed", path, p[i].path);
    d = H5I_INVALID_HID;
    RV_AGREE(comm);
  }
done:
  if (d >= 0) H5Dclose(d);
  if (f >= 0 && H5Fclose(f) < 0 && err == RV_OK)
    err = rv_error_set(RV_ERR_IO, "%s: closing the file failed (data not written: file system full?)", path);
  return rv_error_agree(comm, err);
}

/* Collective: the closed file reopened, its format attribute and every
 * rank's rows read back and compared with what was written. */
static rv_err_t verify_file(MPI_Comm comm, const char *path, const part_t *p, int np) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  char fmt[64] = "";
  err = rv_h5_open_read(comm, path, &f);
  if (err) err = rv_error_set(RV_ERR_IO, "%s: cannot be reopened after writing (a write was lost: file system full or failing?)", path);
  RV_AGREE(comm);
  err = rv_h5_attr_str(f, path, RV_ATTR_FORMAT, fmt, sizeof fmt);
  if (!err && strcmp(fmt, RV_FMT_RESULTS) != 0)
    err = rv_error_set(RV_ERR_IO, "%s: attribute format reads back as '%s' after writing", path, fmt);
  err = rv_error_agree(comm, err);
  for (int i = 0; i < np && !err; i++)
    err = rv_h5_verify_rows(comm, f, path, p[i].path, p[i].mtype, p[i].row0, p[i].nrows, p[i].rowlen, p[i].buf);
  RV_AGREE(comm);
done:
  if (f >= 0) H5Fclose(f);
  return err;
}

rv_err_t rv_results_write(MPI_Comm comm, const char *path, const rv_results_t *r) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  part_t *p = malloc(sizeof *p * (size_t)(r->ncols + 3));
  err = p ? RV_OK : rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  const int np = plan(r, rank, p);
  RV_TRY(write_file(comm, path, r, p, np));
  /* Open MPI 4.1's collective writes (OMPIO, fcoll vulcan) print a failed
   * pwritev (ENOSPC, EIO) and still return success on every rank: only
   * reading the file back shows what reached it. */
  RV_TRY(verify_file(comm, path, p, np));
done:
  free(p);
  return err;
}
