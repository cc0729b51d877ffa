/* Thin checked helpers over parallel HDF5. Every function returns rv_err_t
 * with a message naming the file and the dataset. Implemented in h5util.c
 * (open, create, attributes, groups), h5read.c (checked datasets, strings)
 * and h5rows.c (row reads and writes, their read-back check). */
#ifndef RV_IO_H5UTIL_H
#define RV_IO_H5UTIL_H
#include <hdf5.h>
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"

/* Silences HDF5's own error-stack printing: receval prints one line itself. */
void rv_h5_quiet(void);

/* Collective: opens path read-only with the MPI-IO driver on comm. */
rv_err_t rv_h5_open_read(MPI_Comm comm, const char *path, hid_t *file);
/* Collective: creates (truncates) path with the MPI-IO driver on comm. */
rv_err_t rv_h5_create(MPI_Comm comm, const char *path, hid_t *file);

/* 1 if every component of the absolute path exists (no error stack noise). */
int rv_h5_exists(hid_t file, const char *path);

/* Checks that dataset `path` exists with the given type class, element size
 * and rank, and returns its dimensions (dims has room for `rank`). */
rv_err_t rv_h5_check_dataset(hid_t file, const char *fname, const char *path, H5T_class_t cls,
                             size_t elem_size, int rank, hsize_t *dims);

/* The length of 1-D dataset `path` (links and layout checked), read
 * before its contents are allocated. */
rv_err_t rv_h5_dataset_rows(hid_t file, const char *fname, const char *path, int64_t *rows);

/* Reads an integer attribute of the root group into *v (an unsigned value
 * above 2^63-1 is an error naming it). */
rv_err_t rv_h5_attr_i64(hid_t file, const char *fname, const char *name, int64_t *v);
/* Reads a string attribute (fixed or variable length) into buf. */
rv_err_t rv_h5_attr_str(hid_t file, const char *fname, const char *name, char *buf, size_t len);

/* Collective: reads rows [row0, row0 + nrows) of a 1-D (rowlen = 1) or 2-D
 * dataset (rowlen = its second dimension) into buf as memtype. nrows may be
 * 0 on some ranks; they still take part. */
rv_err_t rv_h5_read_rows(hid_t file, const char *fname, const char *path, hid_t memtype,
                         int64_t row0, int64_t nrows, int64_t rowlen, void *buf);

/* The same with independent I/O (not collective): for selections that
 * overlap between ranks, such as CSR row-pointer slices sharing their
 * boundary entries. A collective read of such selections returned wrong
 * data with Open MPI 4.1.4's default MPI-IO (OMPIO; ROMIO was right): of
 * two ranks starting at the same row, one reading 1 entry and one 146, the
 * second got only its first entry, zeros after it. */
rv_err_t rv_h5_read_rows_independent(hid_t file, const char *fname, const char *path, hid_t memtype,
                                     int64_t row0, int64_t nrows, int64_t rowlen, void *buf);

/* Collective: creates a 1-D or 2-D dataset (rowlen 0 for 1-D) of n rows. */
rv_err_t rv_h5_create_dataset(hid_t file, const char *fname, const char *path, hid_t type,
                              int64_t n, int64_t rowlen, hid_t *dset);
/* Collective: writes rows [row0, row0 + nrows) of dset from buf (memtype). */
rv_err_t rv_h5_write_rows(hid_t dset, const char *fname, const char *path, hid_t memtype,
                          int64_t row0, int64_t nrows, int64_t rowlen, const void *buf);
/* Collective (the same number of HDF5 calls on every rank): reads rows [row0, row0 + nrows) of dataset
 * `path` back, in slices of about 8 MiB, and compares them byte for byte
 * with `expect`: exit 4 naming the file, dataset and first row that differs.
 * A file reopened after its close holds what every rank's writes really
 * stored; this is what catches writes whose failure MPI-IO did not report. */
rv_err_t rv_h5_verify_rows(MPI_Comm comm, hid_t file, const char *fname, const char *path, hid_t memtype,
                           int64_t row0, int64_t nrows, int64_t rowlen, const void *expect);
/* Collective: rv_h5_write_rows, a flush of the file, then rv_h5_verify_rows
 * of this rank's rows (for buffers that do not outlive the write). */
rv_err_t rv_h5_write_rows_verified(MPI_Comm comm, hid_t dset, const char *fname, const char *path,
                                   hid_t memtype, int64_t row0, int64_t nrows, int64_t rowlen,
                                   const void *buf);
/* Collective: creates the groups of an absolute path such as /a/b/c (not c). */
rv_err_t rv_h5_make_parents(hid_t file, const char *fname, const char *path);
/* Collective: root attributes. */
rv_err_t rv_h5_write_attr_i64(hid_t file, const char *fname, const char *name, int64_t v);
rv_err_t rv_h5_write_attr_str(hid_t file, const char *fname, const char *name, const char *v);
rv_err_t rv_h5_write_attr_bytes(hid_t file, const char *fname, const char *name,
                                const uint8_t *v, size_t n);

/* Collective: the entries of a distributed 1-D array, each rank `count`
 * of them at its offset (ranks in order), in a new dataset of their total. */
rv_err_t rv_h5_write_entries(MPI_Comm comm, hid_t f, const char *fn, const char *path, hid_t ftype,
                             hid_t mtype, int64_t count, const void *buf);
/* Collective: CSR row pointers of n rows, this rank's rows [r0, r1) given
 * the running sum `local` of their lengths (r1 - r0 + 1 entries from 0;
 * shifted in place by the global offset); the last rank writes entry n. */
rv_err_t rv_h5_write_indptr(MPI_Comm comm, hid_t f, const char *fn, const char *path, int64_t n,
                            int64_t r0, int64_t r1, int64_t *local);

/* A file for one writer (rank 0 of `prepare`) is made by rv_h5l_create
 * (io/h5local.h); the helpers above work on it with comm = MPI_COMM_SELF. */
/* Local, on a serial file only (parallel HDF5 cannot write variable-length
 * data): a 1-D variable-length UTF-8 string dataset; NULL entries are "". */
rv_err_t rv_h5_write_strings(hid_t file, const char *fname, const char *path, const char *const *s,
                             int64_t n);
/* Local: a 1-D string dataset (variable or fixed length) as n malloc'd
 * NUL-terminated strings (free with rv_h5_free_strings). */
rv_err_t rv_h5_read_strings(hid_t file, const char *fname, const char *path, int64_t *n, char ***out);
void rv_h5_free_strings(char **s, int64_t n);

#endif
