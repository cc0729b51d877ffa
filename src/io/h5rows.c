/* io/h5util.h, rows: collective reads and writes of row ranges, the
 * read-back check of written rows, distributed 1-D arrays and CSR row
 * pointers. */
#include "io/h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Selects rows [row0, row0+nrows) x [0, rowlen) of space, or nothing. */
static herr_t select_rows(hid_t space, int64_t row0, int64_t nrows, int64_t rowlen) {
  if (nrows == 0) return H5Sselect_none(space);
  hsize_t start[2] = {(hsize_t)row0, 0}, count[2] = {(hsize_t)nrows, (hsize_t)rowlen};
  return H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
}

/* 1 if the object's file uses the MPI-IO driver. */
static int is_mpio(hid_t obj) {
  const hid_t f = H5Iget_file_id(obj);
  const hid_t fapl = f >= 0 ? H5Fget_access_plist(f) : H5I_INVALID_HID;
  const int mpio = fapl >= 0 && H5Pget_driver(fapl) == H5FD_MPIO;
  if (fapl >= 0) H5Pclose(fapl);
  if (f >= 0) H5Fclose(f);
  return mpio;
}

static rv_err_t xfer_rows(hid_t d, const char *fname, const char *path, hid_t memtype,
                          int64_t row0, int64_t nrows, int64_t rowlen, void *rbuf,
                          const void *wbuf, int independent) {
  rv_err_t err = RV_OK;
  hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID, x = H5I_INVALID_HID;
  fs = H5Dget_space(d);
  RV_REQUIRE(fs >= 0, RV_ERR_IO, "%s: %s: cannot get the dataspace", fname, path);
  const int nd = H5Sget_simple_extent_ndims(fs);
  hsize_t mdims[2] = {(hsize_t)(nrows > 0 ? nrows : 1), (hsize_t)rowlen};
  ms = H5Screate_simple(nd, mdims, NULL);
  RV_REQUIRE(ms >= 0, RV_ERR_IO, "%s: %s: cannot create a memory space", fname, path);
  RV_REQUIRE(select_rows(fs, row0, nrows, rowlen) >= 0 &&
                 select_rows(ms, 0, nrows, rowlen) >= 0,
             RV_ERR_IO, "%s: %s: cannot select rows %lld..%lld", fname, path, (long long)row0,
             (long long)(row0 + nrows));
  x = H5Pcreate(H5P_DATASET_XFER);
  /* else a serial file (rv_h5l_create) */
  if (is_mpio(d)) H5Pset_dxpl_mpio(x, independent ? H5FD_MPIO_INDEPENDENT : H5FD_MPIO_COLLECTIVE);
  herr_t rc = rbuf ? H5Dread(d, memtype, ms, fs, x, rbuf) : H5Dwrite(d, memtype, ms, fs, x, wbuf);
  RV_REQUIRE(rc >= 0, RV_ERR_IO, "%s: %s: %s of rows %lld..%lld failed", fname, path,
             rbuf ? "read" : "write", (long long)row0, (long long)(row0 + nrows));
done:
  if (x >= 0) H5Pclose(x);
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  return err;
}

static rv_err_t read_rows(hid_t file, const char *fname, const char *path, hid_t memtype, int64_t row0,
                          int64_t nrows, int64_t rowlen, void *buf, int independent) {
  rv_err_t err = RV_OK;
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT), s = H5I_INVALID_HID;
  RV_REQUIRE(d >= 0, RV_ERR_IO, "%s: %s: cannot open dataset", fname, path);
  /* A dataset of no elements (h5py's default for an empty array: contiguous,
   * no storage allocated) holds nothing to read, and H5Dread of it fails.
   * Every rank sees the same extent, so every rank skips the read alike. */
  s = H5Dget_space(d);
  const hssize_t points = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
  if (s >= 0) H5Sclose(s);
  RV_REQUIRE(points >= 0, RV_ERR_IO, "%s: %s: cannot get the dataspace", fname, path);
  if (points == 0) {
    RV_REQUIRE(nrows == 0, RV_ERR_DATA, "%s: %s: rows %lld..%lld of an empty dataset", fname, path, (long long)row0,
               (long long)(row0 + nrows));
    goto done;
  }
  static char dummy[16];
  RV_TRY(xfer_rows(d, fname, path, memtype, row0, nrows, rowlen, buf ? buf : dummy, NULL, independent));
done:
  if (d >= 0) H5Dclose(d);
  return err;
}

rv_err_t rv_h5_read_rows(hid_t file, const char *fname, const char *path, hid_t memtype,
                         int64_t row0, int64_t nrows, int64_t rowlen, void *buf) {
  return read_rows(file, fname, path, memtype, row0, nrows, rowlen, buf, 0);
}

rv_err_t rv_h5_read_rows_independent(hid_t file, const char *fname, const char *path, hid_t memtype,
                                     int64_t row0, int64_t nrows, int64_t rowlen, void *buf) {
  return read_rows(file, fname, path, memtype, row0, nrows, rowlen, buf, 1);
}

rv_err_t rv_h5_create_dataset(hid_t file, const char *fname, const char *path, hid_t type,
                              int64_t n, int64_t rowlen, hid_t *dset) {
  rv_err_t err = RV_OK;
  hid_t s = H5I_INVALID_HID;
  *dset = H5I_INVALID_HID;
  RV_TRY(rv_h5_make_parents(file, fname, path));
  hsize_t dims[2] = {(hsize_t)n, (hsize_t)rowlen};
  s = H5Screate_simple(rowlen > 0 ? 2 : 1, dims, NULL);
  RV_REQUIRE(s >= 0, RV_ERR_IO, "%s: %s: cannot create dataspace", fname, path);
  *dset = H5Dcreate2(file, path, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(*dset >= 0, RV_ERR_IO, "%s: %s: cannot create dataset", fname, path);
done:
  if (s >= 0) H5Sclose(s);
  return err;
}

/* Test-only fault injection (docs/robustness.md): RECEVAL_TEST_WRITE_FAULT
 * = "RANK:DATASET:lost" makes that rank's rows of DATASET silently not
 * reach the file (what Open MPI 4.1's collective writes do on ENOSPC: the
 * pwritev error is printed and not returned); ":error" makes the write
 * fail on that rank alone. Returns 0 (none), 1 (lost) or 2 (error). */
static int write_fault(const char *path) {
  const char *f = getenv("RECEVAL_TEST_WRITE_FAULT");
  if (!f || !*f) return 0;
  int rank = 0, init = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char *end;
  const long r = strtol(f, &end, 10);
  if (end == f || *end != ':' || r != rank) return 0;
  const char *ds = end + 1, *mode = strrchr(ds, ':');
  if (!mode || (size_t)(mode - ds) != strlen(path) || strncmp(ds, path, strlen(path)) != 0) return 0;
  return strcmp(mode + 1, "lost") == 0 ? 1 : strcmp(mode + 1, "error") == 0 ? 2 : 0;
}

rv_err_t rv_h5_write_rows(hid_t dset, const char *fname, const char *path, hid_t memtype,
                          int64_t row0, int64_t nrows, int64_t rowlen, const void *buf) {
  static const char dummy[16];
  const int fault = write_fault(path);
  const rv_err_t err = xfer_rows(dset, fname, path, memtype, row0, fault == 1 ? 0 : nrows,
                                 rowlen > 0 ? rowlen : 1, NULL, buf ? buf : dummy, 0);
  if (err == RV_OK && fault == 2)
    return rv_error_set(RV_ERR_IO, "%s: %s: write of rows %lld..%lld failed: injected fault "
                        "(RECEVAL_TEST_WRITE_FAULT)", fname, path, (long long)row0,
                        (long long)(row0 + nrows));
  return err;
}

rv_err_t rv_h5_write_rows_verified(MPI_Comm comm, hid_t dset, const char *fname, const char *path,
                                   hid_t memtype, int64_t row0, int64_t nrows, int64_t rowlen,
                                   const void *buf) {
  rv_err_t err = rv_h5_write_rows(dset, fname, path, memtype, row0, nrows, rowlen, buf);
  /* Every rank flushes (collective on an MPI-IO file), then reads back its own rows. */
  if (H5Fflush(dset, H5F_SCOPE_GLOBAL) < 0 && err == RV_OK)
    err = rv_error_set(RV_ERR_IO, "%s: %s: flushing the file failed (file system full?)", fname, path);
  err = rv_error_agree(comm, err);
  if (err == RV_OK) err = rv_h5_verify_rows(comm, dset, fname, path, memtype, row0, nrows, rowlen, buf);
  return err;
}

rv_err_t rv_h5_verify_rows(MPI_Comm comm, hid_t file, const char *fname, const char *path, hid_t memtype,
                           int64_t row0, int64_t nrows, int64_t rowlen, const void *expect) {
  rv_err_t err = RV_OK;
  const int64_t len = rowlen > 0 ? rowlen : 1;
  const size_t row_bytes = H5Tget_size(memtype) * (size_t)len;
  const int64_t step = (int64_t)((8u << 20) / row_bytes) + 1; /* about 8 MiB a slice */
  /* The same number of collective reads on every rank, also after a
   * mismatch: HDF5's calls on an MPI-IO file are collective. */
  int64_t slices = (nrows + step - 1) / step;
  MPI_Allreduce(MPI_IN_PLACE, &slices, 1, MPI_INT64_T, MPI_MAX, comm);
  unsigned char *got = malloc(row_bytes * (size_t)(nrows < step ? (nrows > 0 ? nrows : 1) : step));
  const hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  if (!got) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  if (d < 0 && !err) err = rv_error_set(RV_ERR_IO, "%s: %s: cannot be reopened after writing", fname, path);
  err = rv_error_agree(comm, err); /* every rank reads, or none: the reads are collective */
  const int reading = err == RV_OK; /* the same on every rank; a mismatch below does not stop the reads */
  for (int64_t sl = 0; sl < slices && reading; sl++) {
    const int64_t r = sl * step, n = r >= nrows ? 0 : nrows - r < step ? nrows - r : step;
    const rv_err_t e = xfer_rows(d, fname, path, memtype, row0 + (n ? r : 0), n, len, got, NULL, 0);
    if (e && !err)
      err = rv_error_set(RV_ERR_IO,
                         "%s: %s: rows %lld..%lld cannot be read back after writing: a write was lost "
                         "(file system full or failing?)",
                         fname, path, (long long)(row0 + r), (long long)(row0 + r + n));
    const unsigned char *want = (const unsigned char *)expect + (size_t)r * row_bytes;
    for (int64_t i = 0; i < n && !err; i++)
      if (memcmp(got + (size_t)i * row_bytes, want + (size_t)i * row_bytes, row_bytes) != 0)
        err = rv_error_set(RV_ERR_IO,
                           "%s: %s: row %lld read back differs from what was written: a write was lost "
                           "(file system full or failing?)",
                           fname, path, (long long)(row0 + r + i));
  }
  if (d >= 0) H5Dclose(d);
  free(got);
  return rv_error_agree(comm, err);
}

/* Row pointers of this rank's rows [r0, r1) given their lengths' running
 * sum `local` (r1 - r0 + 1 entries, starting at 0): shifts by the global
 * offset and writes; the last rank also writes the final entry. */
rv_err_t rv_h5_write_indptr(MPI_Comm comm, hid_t f, const char *fn, const char *path, int64_t n,
                             int64_t r0, int64_t r1, int64_t *local) {
  rv_err_t err = RV_OK;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  hid_t d = H5I_INVALID_HID;
  int64_t mine = local[r1 - r0], off = 0;
  RV_MPI_TRY(MPI_Exscan(&mine, &off, 1, MPI_INT64_T, MPI_SUM, comm));
  if (rank == 0) off = 0; /* Exscan leaves rank 0's result undefined */
  for (int64_t i = 0; i <= r1 - r0; i++) local[i] += off;
  err = rv_error_agree(comm, rv_h5_create_dataset(f, fn, path, H5T_STD_I64LE, n + 1, 0, &d));
  if (!err)
    err = rv_h5_write_rows_verified(comm, d, fn, path, H5T_NATIVE_INT64, r0, (r1 - r0) + (rank == size - 1), 0,
                                    local);
done:
  if (d >= 0) H5Dclose(d);
  return err;
}

/* Writes this rank's entries of a CSR values array at its global offset. */
rv_err_t rv_h5_write_entries(MPI_Comm comm, hid_t f, const char *fn, const char *path,
                              hid_t ftype, hid_t mtype, int64_t count, const void *buf) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID;
  int64_t off = 0, total = 0;
  int rank;
  MPI_Comm_rank(comm, &rank);
  RV_MPI_TRY(MPI_Exscan(&count, &off, 1, MPI_INT64_T, MPI_SUM, comm));
  if (rank == 0) off = 0;
  RV_MPI_TRY(MPI_Allreduce(&count, &total, 1, MPI_INT64_T, MPI_SUM, comm));
  err = rv_error_agree(comm, rv_h5_create_dataset(f, fn, path, ftype, total, 0, &d));
  if (!err) err = rv_h5_write_rows_verified(comm, d, fn, path, mtype, off, count, 0, buf);
done:
  if (d >= 0) H5Dclose(d);
  return err;
}
