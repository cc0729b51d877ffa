#include "io/h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"

#define RV_H5_MAX_STR 4096 /* longest fixed-length string attribute read */

void rv_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* A file-access list for the MPI-IO driver on comm, with collective
 * metadata operations (metadata read once and broadcast, not by every rank). */
static rv_err_t mpio_fapl(MPI_Comm comm, const char *path, int for_write, hid_t *fapl) {
  rv_err_t err = RV_OK;
  *fapl = H5Pcreate(H5P_FILE_ACCESS);
  RV_REQUIRE(*fapl >= 0, RV_ERR_IO, "%s: cannot create an HDF5 access property list", path);
  RV_REQUIRE(H5Pset_fapl_mpio(*fapl, comm, MPI_INFO_NULL) >= 0, RV_ERR_IO,
             "%s: cannot select the MPI-IO driver", path);
  H5Pset_all_coll_metadata_ops(*fapl, 1);
  if (for_write) H5Pset_coll_metadata_write(*fapl, 1);
done:
  return err;
}

rv_err_t rv_h5_open_read(MPI_Comm comm, const char *path, hid_t *file) {
  rv_err_t err = RV_OK;
  hid_t fapl = H5I_INVALID_HID;
  *file = H5I_INVALID_HID;
  RV_TRY(mpio_fapl(comm, path, 0, &fapl));
  *file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  RV_REQUIRE(*file >= 0, RV_ERR_IO, "%s: cannot open as an HDF5 file", path);
done:
  if (fapl >= 0) H5Pclose(fapl);
  return err;
}

rv_err_t rv_h5_create(MPI_Comm comm, const char *path, hid_t *file) {
  rv_err_t err = RV_OK;
  hid_t fapl = H5I_INVALID_HID;
  *file = H5I_INVALID_HID;
  RV_TRY(mpio_fapl(comm, path, 1, &fapl));
  *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  RV_REQUIRE(*file >= 0, RV_ERR_IO, "%s: cannot create the HDF5 file", path);
done:
  if (fapl >= 0) H5Pclose(fapl);
  return err;
}

int rv_h5_exists(hid_t file, const char *path) {
  char buf[512];
  if (strlen(path) >= sizeof buf || path[0] != '/') return 0;
  strcpy(buf, path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      const char c = *p;
      *p = '\0';
      if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) return 0;
      /* Not followed (its file may be missing): the dataset checks refuse it. */
      H5L_info_t li;
      if (c == '\0' || (H5Lget_info(file, buf, &li, H5P_DEFAULT) >= 0 && li.type == H5L_TYPE_EXTERNAL)) return 1;
      *p = c;
    }
  }
}

static const char *class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    default: return "other";
  }
}

/* Link resolution depth: soft links followed before a path is refused. */
#define RV_H5_MAX_HOPS 16

static rv_err_t link_leaves(hid_t file, const char *fname, const char *shown, const char *at, const char *rest,
                            int hops);

/* `path` with every link followed: each component must be a hard link or a
 * soft link within the file. External links (data in another file, which
 * the dataset checksum does not cover) and user-defined links are refused,
 * naming the link and, for an external one, its target. `shown` is the
 * dataset named in messages. */
static rv_err_t check_links(hid_t file, const char *fname, const char *shown, const char *path, int hops) {
  rv_err_t err = RV_OK;
  char buf[1024];
  RV_REQUIRE(hops <= RV_H5_MAX_HOPS && strlen(path) < sizeof buf, RV_ERR_DATA,
             "%s: %s: more than %d soft links deep, or a link path above %zu bytes", fname, shown, RV_H5_MAX_HOPS,
             sizeof buf - 1);
  strcpy(buf, path);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    const char c = *p;
    *p = '\0';
    if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) goto done; /* missing: the caller says so */
    RV_TRY(link_leaves(file, fname, shown, buf, c ? path + (p - buf) : "", hops));
    if (c == '\0') goto done;
    *p = c;
  }
done:
  return err;
}

/* Link `at` (a prefix of the path, `rest` the part after it): refused when
 * it leaves the file; a soft link's target is checked in its place. */
static rv_err_t link_leaves(hid_t file, const char *fname, const char *shown, const char *at, const char *rest,
                            int hops) {
  rv_err_t err = RV_OK;
  H5L_info_t li;
  char val[1024], next[2048];
  const char *ofile = NULL, *opath = NULL;
  RV_REQUIRE(H5Lget_info(file, at, &li, H5P_DEFAULT) >= 0, RV_ERR_DATA, "%s: %s: cannot resolve link %s", fname,
             shown, at);
  if (li.type == H5L_TYPE_HARD) goto done;
  RV_REQUIRE(li.type == H5L_TYPE_SOFT || li.type == H5L_TYPE_EXTERNAL, RV_ERR_DATA,
             "%s: %s: %s is a user-defined link; receval reads only data stored in the file", fname, shown, at);
  RV_REQUIRE(li.u.val_size > 0 && li.u.val_size < sizeof val && H5Lget_val(file, at, val, sizeof val, H5P_DEFAULT) >= 0,
             RV_ERR_DATA, "%s: %s: cannot read link %s", fname, shown, at);
  if (li.type == H5L_TYPE_EXTERNAL) {
    unsigned flags;
    if (H5Lunpack_elink_val(val, li.u.val_size, &flags, &ofile, &opath) < 0) ofile = opath = "?";
    RV_FAIL(RV_ERR_DATA, "%s: %s%s%s is an external link to %s:%s; receval reads only data stored in the file",
            fname, strcmp(shown, at) ? shown : "", strcmp(shown, at) ? ": " : "", at, ofile, opath);
  }
  /* A soft link: its target, absolute or relative to the link's group. */
  const char *slash = strrchr(at, '/');
  if (val[0] == '/')
    snprintf(next, sizeof next, "%s%s", val, rest);
  else
    snprintf(next, sizeof next, "%.*s/%s%s", (int)(slash - at), at, val, rest);
  RV_TRY(check_links(file, fname, shown, next, hops + 1));
done:
  return err;
}

/* The filters of a chunked dataset must be available to this HDF5 (built
 * in, or a plugin in HDF5_PLUGIN_PATH): else every read fails with a
 * generic error. Named with the filter's name and id. */
static rv_err_t check_filters(hid_t dcpl, const char *fname, const char *path) {
  rv_err_t err = RV_OK;
  const int n = H5Pget_nfilters(dcpl);
  for (int i = 0; i < n; i++) {
    char name[128] = "";
    unsigned flags = 0, config = 0;
    size_t nvals = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nvals, NULL, sizeof name, name, &config);
    RV_REQUIRE(id >= 0, RV_ERR_DATA, "%s: %s: unreadable filter %d of the dataset", fname, path, i);
    RV_REQUIRE(H5Zfilter_avail(id) > 0, RV_ERR_DATA,
               "%s: %s: compressed with HDF5 filter '%s' (id %d), which this HDF5 does not provide (no plugin in "
               "HDF5_PLUGIN_PATH); rewrite the dataset with gzip or without compression",
               fname, path, name[0] ? name : "unnamed", (int)id);
  }
done:
  return err;
}

/* Data of dataset d must be in the file, in a layout receval reads: not
 * virtual, not in external raw files, every filter available. */
static rv_err_t check_layout(hid_t d, const char *fname, const char *path, H5D_layout_t *layout) {
  rv_err_t err = RV_OK;
  hid_t dcpl = H5Dget_create_plist(d);
  RV_REQUIRE(dcpl >= 0, RV_ERR_IO, "%s: %s: cannot read the storage properties", fname, path);
  *layout = H5Pget_layout(dcpl);
  RV_REQUIRE(*layout == H5D_CONTIGUOUS || *layout == H5D_CHUNKED || *layout == H5D_COMPACT, RV_ERR_DATA,
             "%s: %s: virtual or unknown storage layout is not supported", fname, path);
  RV_REQUIRE(H5Pget_external_count(dcpl) == 0, RV_ERR_DATA,
             "%s: %s: data in external raw files is not supported", fname, path);
  RV_TRY(check_filters(dcpl, fname, path));
done:
  if (dcpl >= 0) H5Pclose(dcpl);
  return err;
}

/* Every byte a dataset declares must be stored in the file (possibly
 * compressed) before a reader allocates it: contiguous and compact data in
 * full, chunked data in every chunk. A small file cannot declare a huge
 * array it does not hold; what compression can still expand is bounded by
 * the node's memory (base/size.h). Virtual datasets and external raw files
 * (data outside the file, anywhere on disk) are refused. */
static rv_err_t check_stored(hid_t d, const char *fname, const char *path, size_t elem_size,
                             int rank, const hsize_t *dims) {
  rv_err_t err = RV_OK;
  hid_t dcpl = H5I_INVALID_HID, space = H5I_INVALID_HID;
  size_t bytes;
  const hsize_t rows = dims[0], cols = rank > 1 ? dims[1] : 1;
  RV_REQUIRE(rows <= INT64_MAX && cols <= INT64_MAX &&
                 rv_size_of(&bytes, elem_size, (int64_t)rows, (int64_t)cols) == 0,
             RV_ERR_DATA, "%s: %s: shape [%llu, %llu] overflows a 64-bit byte count", fname, path,
             (unsigned long long)rows, (unsigned long long)cols);
  H5D_layout_t layout;
  RV_TRY(check_layout(d, fname, path, &layout));
  if (bytes == 0) goto done;
  dcpl = H5Dget_create_plist(d);
  RV_REQUIRE(dcpl >= 0, RV_ERR_IO, "%s: %s: cannot read the storage properties", fname, path);
  if (layout == H5D_CHUNKED) {
    hsize_t cdims[2] = {1, 1}, want = 1, have = 0;
    RV_REQUIRE(H5Pget_chunk(dcpl, rank, cdims) == rank && cdims[0] > 0 && cdims[rank - 1] > 0,
               RV_ERR_DATA, "%s: %s: unreadable chunk shape", fname, path);
    for (int i = 0; i < rank; i++) want *= (dims[i] + cdims[i] - 1) / cdims[i];
    space = H5Dget_space(d);
    RV_REQUIRE(space >= 0 && H5Sselect_all(space) >= 0 && H5Dget_num_chunks(d, space, &have) >= 0,
               RV_ERR_IO, "%s: %s: cannot count the stored chunks", fname, path);
    RV_REQUIRE(have >= want, RV_ERR_DATA,
               "%s: %s: declares %llu chunks of data but the file stores %llu (unwritten or "
               "partly written dataset)",
               fname, path, (unsigned long long)want, (unsigned long long)have);
  }
  if (H5Pget_nfilters(dcpl) == 0) {
    const hsize_t stored = H5Dget_storage_size(d);
    RV_REQUIRE(stored >= bytes, RV_ERR_DATA,
               "%s: %s: declares %zu bytes of data but the file stores only %llu (unwritten or "
               "truncated dataset)",
               fname, path, bytes, (unsigned long long)stored);
  }
done:
  if (space >= 0) H5Sclose(space);
  if (dcpl >= 0) H5Pclose(dcpl);
  return err;
}

rv_err_t rv_h5_check_dataset(hid_t file, const char *fname, const char *path, H5T_class_t cls,
                             size_t elem_size, int rank, hsize_t *dims) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, t = H5I_INVALID_HID, s = H5I_INVALID_HID;
  RV_TRY(check_links(file, fname, path, path, 0));
  RV_REQUIRE(rv_h5_exists(file, path), RV_ERR_DATA, "%s: %s: required dataset is missing", fname,
             path);
  d = H5Dopen2(file, path, H5P_DEFAULT);
  RV_REQUIRE(d >= 0, RV_ERR_DATA, "%s: %s: cannot open (not a dataset?)", fname, path);
  t = H5Dget_type(d);
  s = H5Dget_space(d);
  RV_REQUIRE(t >= 0 && s >= 0, RV_ERR_IO, "%s: %s: cannot read type or shape", fname, path);
  const H5T_class_t c = H5Tget_class(t);
  const size_t sz = H5Tget_size(t);
  RV_REQUIRE(c == cls && sz == elem_size, RV_ERR_DATA,
             "%s: %s: dtype is %s of %zu bytes, expected %s of %zu bytes", fname, path,
             class_name(c), sz, class_name(cls), elem_size);
  if (cls == H5T_INTEGER)
    RV_REQUIRE(H5Tget_sign(t) == H5T_SGN_2, RV_ERR_DATA,
               "%s: %s: dtype is unsigned, expected signed int%zu", fname, path, 8 * elem_size);
  const int nd = H5Sget_simple_extent_ndims(s);
  RV_REQUIRE(nd == rank, RV_ERR_DATA, "%s: %s: has %d dimensions, expected %d", fname, path, nd,
             rank);
  H5Sget_simple_extent_dims(s, dims, NULL);
  RV_TRY(check_stored(d, fname, path, elem_size, rank, dims));
done:
  if (s >= 0) H5Sclose(s);
  if (t >= 0) H5Tclose(t);
  if (d >= 0) H5Dclose(d);
  return err;
}

/* Number of elements of an attribute (scalar = 1); -1 on error. Reading an
 * array attribute into a one-value buffer would overrun it. */
static hssize_t attr_points(hid_t a) {
  const hid_t sp = H5Aget_space(a);
  if (sp < 0) return -1;
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  H5Sclose(sp);
  return n;
}

rv_err_t rv_h5_attr_i64(hid_t file, const char *fname, const char *name, int64_t *v) {
  rv_err_t err = RV_OK;
  hid_t a = H5I_INVALID_HID, t = H5I_INVALID_HID;
  RV_REQUIRE(H5Aexists(file, name) > 0, RV_ERR_DATA, "%s: root attribute '%s' is missing", fname,
             name);
  a = H5Aopen(file, name, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && attr_points(a) == 1, RV_ERR_DATA,
             "%s: root attribute '%s' must hold exactly one value", fname, name);
  t = H5Aget_type(a);
  RV_REQUIRE(t >= 0 && H5Tget_class(t) == H5T_INTEGER, RV_ERR_DATA,
             "%s: root attribute '%s' is not an integer", fname, name);
  if (H5Tget_sign(t) == H5T_SGN_NONE) {
    /* Read unsigned: converting a value above 2^63-1 to int64 would clamp it. */
    uint64_t u = 0;
    RV_REQUIRE(H5Aread(a, H5T_NATIVE_UINT64, &u) >= 0, RV_ERR_DATA, "%s: root attribute '%s' is unreadable",
               fname, name);
    RV_REQUIRE(u <= INT64_MAX, RV_ERR_DATA, "%s: root attribute '%s' is %llu, above the int64 range", fname, name,
               (unsigned long long)u);
    *v = (int64_t)u;
    goto done;
  }
  RV_REQUIRE(H5Aread(a, H5T_NATIVE_INT64, v) >= 0, RV_ERR_DATA,
             "%s: root attribute '%s' cannot be read as int64", fname, name);
done:
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  return err;
}

rv_err_t rv_h5_attr_str(hid_t file, const char *fname, const char *name, char *buf, size_t len) {
  rv_err_t err = RV_OK;
  hid_t a = H5I_INVALID_HID, t = H5I_INVALID_HID, mt = H5I_INVALID_HID;
  RV_REQUIRE(H5Aexists(file, name) > 0, RV_ERR_DATA, "%s: root attribute '%s' is missing", fname,
             name);
  a = H5Aopen(file, name, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && attr_points(a) == 1, RV_ERR_DATA,
             "%s: root attribute '%s' must hold exactly one value", fname, name);
  t = H5Aget_type(a);
  RV_REQUIRE(t >= 0 && H5Tget_class(t) == H5T_STRING, RV_ERR_DATA,
             "%s: root attribute '%s' is not a string", fname, name);
  mt = H5Tcopy(H5T_C_S1);
  H5Tset_cset(mt, H5Tget_cset(t)); /* ASCII and UTF-8 do not convert into each other */
  if (H5Tis_variable_str(t) > 0) {
    char *s = NULL;
    H5Tset_size(mt, H5T_VARIABLE);
    RV_REQUIRE(H5Aread(a, mt, &s) >= 0 && s, RV_ERR_DATA, "%s: root attribute '%s' is unreadable",
               fname, name);
    snprintf(buf, len, "%s", s);
    H5free_memory(s);
  } else {
    /* The size comes from the file: bounded before it is allocated. */
    const size_t n = H5Tget_size(t);
    RV_REQUIRE(n > 0 && n <= RV_H5_MAX_STR, RV_ERR_DATA,
               "%s: root attribute '%s' is a string of %zu bytes, at most %d expected", fname, name,
               n, RV_H5_MAX_STR);
    char *tmp = calloc(n + 1, 1);
    RV_REQUIRE(tmp, RV_ERR_RUNTIME, "out of memory");
    H5Tset_size(mt, n + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    if (H5Aread(a, mt, tmp) < 0) {
      free(tmp);
      RV_FAIL(RV_ERR_DATA, "%s: root attribute '%s' is unreadable", fname, name);
    }
    snprintf(buf, len, "%s", tmp);
    free(tmp);
  }
done:
  if (mt >= 0) H5Tclose(mt);
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
  return err;
}

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

rv_err_t rv_h5_make_parents(hid_t file, const char *fname, const char *path) {
  rv_err_t err = RV_OK;
  char buf[512];
  RV_REQUIRE(strlen(path) < sizeof buf, RV_ERR_RUNTIME, "%s: path too long: %s", fname, path);
  strcpy(buf, path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (H5Lexists(file, buf, H5P_DEFAULT) <= 0) {
      hid_t g = H5Gcreate2(file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      RV_REQUIRE(g >= 0, RV_ERR_IO, "%s: cannot create group %s", fname, buf);
      H5Gclose(g);
    }
    *p = '/';
  }
done:
  return err;
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

rv_err_t rv_h5_write_attr_i64(hid_t file, const char *fname, const char *name, int64_t v) {
  rv_err_t err = RV_OK;
  hid_t s = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
  a = H5Acreate2(file, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &v) >= 0, RV_ERR_IO,
             "%s: cannot write attribute %s", fname, name);
done:
  if (a >= 0) H5Aclose(a);
  if (s >= 0) H5Sclose(s);
  return err;
}

rv_err_t rv_h5_write_attr_str(hid_t file, const char *fname, const char *name, const char *v) {
  rv_err_t err = RV_OK;
  hid_t s = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1), a = H5I_INVALID_HID;
  H5Tset_size(t, strlen(v) > 0 ? strlen(v) : 1);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_UTF8);
  a = H5Acreate2(file, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && H5Awrite(a, t, v) >= 0, RV_ERR_IO, "%s: cannot write attribute %s", fname,
             name);
done:
  if (a >= 0) H5Aclose(a);
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  return err;
}

rv_err_t rv_h5_write_attr_bytes(hid_t file, const char *fname, const char *name,
                                const uint8_t *v, size_t n) {
  rv_err_t err = RV_OK;
  hsize_t dim = n > 0 ? n : 1;
  static const uint8_t zero = 0;
  hid_t s = H5Screate_simple(1, &dim, NULL), a = H5I_INVALID_HID;
  a = H5Acreate2(file, name, H5T_STD_U8LE, s, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && H5Awrite(a, H5T_NATIVE_UINT8, n > 0 ? v : &zero) >= 0, RV_ERR_IO,
             "%s: cannot write attribute %s", fname, name);
done:
  if (a >= 0) H5Aclose(a);
  if (s >= 0) H5Sclose(s);
  return err;
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

rv_err_t rv_h5_write_strings(hid_t file, const char *fname, const char *path, const char *const *s,
                             int64_t n) {
  rv_err_t err = RV_OK;
  hid_t t = H5Tcopy(H5T_C_S1), d = H5I_INVALID_HID;
  static const char empty[] = "";
  const char **v = malloc(sizeof(char *) * (size_t)(n + 1));
  RV_REQUIRE(v, RV_ERR_RUNTIME, "out of memory");
  for (int64_t i = 0; i < n; i++) v[i] = s[i] ? s[i] : empty;
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  RV_TRY(rv_h5_create_dataset(file, fname, path, t, n, 0, &d));
  RV_REQUIRE(n == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, RV_ERR_IO,
             "%s: %s: cannot write %lld strings", fname, path, (long long)n);
done:
  free(v);
  if (d >= 0) H5Dclose(d);
  if (t >= 0) H5Tclose(t);
  return err;
}

rv_err_t rv_h5_dataset_rows(hid_t file, const char *fname, const char *path, int64_t *rows) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID;
  hsize_t dims[1] = {0};
  H5D_layout_t layout;
  RV_TRY(check_links(file, fname, path, path, 0));
  d = H5Dopen2(file, path, H5P_DEFAULT);
  RV_REQUIRE(d >= 0, RV_ERR_DATA, "%s: %s: cannot open (not a dataset?)", fname, path);
  RV_TRY(check_layout(d, fname, path, &layout));
  sp = H5Dget_space(d);
  RV_REQUIRE(sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1, RV_ERR_DATA, "%s: %s: expected a 1-D dataset", fname,
             path);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  *rows = (int64_t)dims[0];
done:
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  return err;
}

rv_err_t rv_h5_read_strings(hid_t file, const char *fname, const char *path, int64_t *n, char ***out) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID, t = H5I_INVALID_HID, mt = H5I_INVALID_HID;
  char **v = NULL, *fs = NULL;
  hsize_t dims[1] = {0};
  *out = NULL;
  *n = 0;
  RV_TRY(check_links(file, fname, path, path, 0));
  d = H5Dopen2(file, path, H5P_DEFAULT);
  RV_REQUIRE(d >= 0, RV_ERR_DATA, "%s: %s: cannot open", fname, path);
  H5D_layout_t layout;
  RV_TRY(check_layout(d, fname, path, &layout));
  sp = H5Dget_space(d);
  t = H5Dget_type(d);
  RV_REQUIRE(sp >= 0 && t >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Tget_class(t) == H5T_STRING, RV_ERR_DATA,
             "%s: %s: expected a 1-D string dataset", fname, path);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  *n = (int64_t)dims[0];
  v = calloc((size_t)*n + 1, sizeof(char *));
  RV_REQUIRE(v, RV_ERR_RUNTIME, "out of memory");
  mt = H5Tcopy(H5T_C_S1);
  H5Tset_cset(mt, H5Tget_cset(t));
  if (H5Tis_variable_str(t) > 0) {
    H5Tset_size(mt, H5T_VARIABLE);
    RV_REQUIRE(*n == 0 || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0, RV_ERR_IO, "%s: %s: read failed",
               fname, path);
    for (int64_t i = 0; i < *n; i++) { /* into malloc'd copies (HDF5 allocated them) */
      char *c = strdup(v[i] ? v[i] : "");
      if (v[i]) H5free_memory(v[i]);
      v[i] = c;
      RV_REQUIRE(c, RV_ERR_RUNTIME, "out of memory");
    }
  } else {
    const size_t w = H5Tget_size(t);
    H5Tset_size(mt, w + 1);
    H5Tset_strpad(mt, H5T_STR_NULLTERM);
    fs = calloc((size_t)*n + 1, w + 1);
    RV_REQUIRE(fs, RV_ERR_RUNTIME, "out of memory");
    RV_REQUIRE(*n == 0 || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, fs) >= 0, RV_ERR_IO, "%s: %s: read failed",
               fname, path);
    for (int64_t i = 0; i < *n; i++) {
      v[i] = strdup(fs + (size_t)i * (w + 1));
      RV_REQUIRE(v[i], RV_ERR_RUNTIME, "out of memory");
    }
  }
  *out = v;
  v = NULL;
done:
  if (v) rv_h5_free_strings(v, *n);
  free(fs);
  if (mt >= 0) H5Tclose(mt);
  if (t >= 0) H5Tclose(t);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  return err;
}

void rv_h5_free_strings(char **s, int64_t n) {
  if (!s) return;
  for (int64_t i = 0; i < n; i++) free(s[i]);
  free(s);
}
