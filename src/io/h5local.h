/* Small HDF5 files written or read by one process (models, checkpoints):
 * the default (POSIX) driver, whole 1-D arrays, scalar attributes. The
 * files are ordinary HDF5 (h5dump, h5py). For files every rank writes a
 * part of, see io/h5util.h. */
#ifndef RV_IO_H5LOCAL_H
#define RV_IO_H5LOCAL_H
#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Local: creates (truncates) or opens read-only. */
rv_err_t rv_h5l_create(const char *path, hid_t *file);
rv_err_t rv_h5l_open(const char *path, hid_t *file);
/* Local: rv_h5l_open whose failure to open reads "PATH: <failure>". */
rv_err_t rv_h5l_open_as(const char *path, const char *failure, hid_t *file);
/* Local: the 1-D dataset `path` (parents created) of n values of memtype
 * (H5T_NATIVE_DOUBLE or H5T_NATIVE_INT64), stored little-endian. */
rv_err_t rv_h5l_write(hid_t file, const char *fname, const char *path, hid_t memtype,
                      const void *buf, int64_t n);
/* Local: reads the whole 1-D dataset `path`, which must hold exactly n values. */
rv_err_t rv_h5l_read(hid_t file, const char *fname, const char *path, hid_t memtype, void *buf,
                     int64_t n);
/* Root attributes holding one double; and a byte-array attribute (*n in:
 * capacity, out: length). */
rv_err_t rv_h5l_write_attr_f64(hid_t file, const char *fname, const char *name, double v);
rv_err_t rv_h5l_attr_f64(hid_t file, const char *fname, const char *name, double *v);
rv_err_t rv_h5l_attr_bytes(hid_t file, const char *fname, const char *name, uint8_t *buf,
                           size_t *n);

#endif
