/* io/h5util.h, checked reads: the links, layout and storage of a dataset
 * checked before it is read, 1-D lengths, string datasets. */
#include "io/h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"

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
