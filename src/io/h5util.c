#include "io/h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
