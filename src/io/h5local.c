#include "io/h5local.h"

#include "io/h5util.h"
#include "io/input.h"

rv_err_t rv_h5l_create(const char *path, hid_t *file) {
  rv_err_t err = RV_OK;
  *file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(*file >= 0, RV_ERR_IO, "%s: cannot create the HDF5 file", path);
done:
  return err;
}

rv_err_t rv_h5l_open(const char *path, hid_t *file) {
  return rv_h5l_open_as(path, "cannot open as an HDF5 file", file);
}

rv_err_t rv_h5l_open_as(const char *path, const char *failure, hid_t *file) {
  rv_err_t err = RV_OK;
  *file = H5I_INVALID_HID;
  RV_TRY(rv_input_regular(path, NULL)); /* a FIFO is never opened */
  *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  RV_REQUIRE(*file >= 0, RV_ERR_IO, "%s: %s", path, failure);
done:
  return err;
}

static hid_t file_type(hid_t memtype) {
  return H5Tequal(memtype, H5T_NATIVE_DOUBLE) > 0 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
}

rv_err_t rv_h5l_write(hid_t file, const char *fname, const char *path, hid_t memtype,
                      const void *buf, int64_t n) {
  rv_err_t err = RV_OK;
  hid_t s = H5I_INVALID_HID, d = H5I_INVALID_HID;
  RV_TRY(rv_h5_make_parents(file, fname, path));
  const hsize_t dim = (hsize_t)n;
  s = H5Screate_simple(1, &dim, NULL);
  d = H5Dcreate2(file, path, file_type(memtype), s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(s >= 0 && d >= 0, RV_ERR_IO, "%s: %s: cannot create dataset", fname, path);
  RV_REQUIRE(n == 0 || H5Dwrite(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, RV_ERR_IO,
             "%s: %s: write failed", fname, path);
done:
  if (d >= 0) H5Dclose(d);
  if (s >= 0) H5Sclose(s);
  return err;
}

rv_err_t rv_h5l_read(hid_t file, const char *fname, const char *path, hid_t memtype, void *buf,
                     int64_t n) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, s = H5I_INVALID_HID;
  RV_REQUIRE(rv_h5_exists(file, path), RV_ERR_DATA, "%s: %s: dataset is missing", fname, path);
  d = H5Dopen2(file, path, H5P_DEFAULT);
  s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
  RV_REQUIRE(s >= 0 && H5Sget_simple_extent_ndims(s) == 1, RV_ERR_DATA,
             "%s: %s: expected a 1-D dataset", fname, path);
  const hssize_t have = H5Sget_simple_extent_npoints(s);
  RV_REQUIRE(have == n, RV_ERR_DATA, "%s: %s: expected %lld values, found %lld", fname, path,
             (long long)n, (long long)have);
  RV_REQUIRE(n == 0 || H5Dread(d, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, RV_ERR_IO,
             "%s: %s: read failed", fname, path);
done:
  if (s >= 0) H5Sclose(s);
  if (d >= 0) H5Dclose(d);
  return err;
}

rv_err_t rv_h5l_write_attr_f64(hid_t file, const char *fname, const char *name, double v) {
  rv_err_t err = RV_OK;
  hid_t s = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
  a = H5Acreate2(file, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, &v) >= 0, RV_ERR_IO,
             "%s: cannot write attribute %s", fname, name);
done:
  if (a >= 0) H5Aclose(a);
  if (s >= 0) H5Sclose(s);
  return err;
}

rv_err_t rv_h5l_attr_f64(hid_t file, const char *fname, const char *name, double *v) {
  rv_err_t err = RV_OK;
  hid_t a = H5I_INVALID_HID;
  RV_REQUIRE(H5Aexists(file, name) > 0, RV_ERR_DATA, "%s: root attribute '%s' is missing", fname,
             name);
  a = H5Aopen(file, name, H5P_DEFAULT);
  RV_REQUIRE(a >= 0 && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0, RV_ERR_DATA,
             "%s: root attribute '%s' cannot be read as a double", fname, name);
done:
  if (a >= 0) H5Aclose(a);
  return err;
}

rv_err_t rv_h5l_attr_bytes(hid_t file, const char *fname, const char *name, uint8_t *buf,
                           size_t *n) {
  rv_err_t err = RV_OK;
  hid_t a = H5I_INVALID_HID, s = H5I_INVALID_HID;
  RV_REQUIRE(H5Aexists(file, name) > 0, RV_ERR_DATA, "%s: root attribute '%s' is missing", fname,
             name);
  a = H5Aopen(file, name, H5P_DEFAULT);
  s = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
  const hssize_t len = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
  RV_REQUIRE(len >= 0 && (size_t)len <= *n, RV_ERR_DATA, "%s: root attribute '%s' is too long",
             fname, name);
  RV_REQUIRE(H5Aread(a, H5T_NATIVE_UINT8, buf) >= 0, RV_ERR_DATA,
             "%s: root attribute '%s' is unreadable", fname, name);
  *n = (size_t)len;
done:
  if (s >= 0) H5Sclose(s);
  if (a >= 0) H5Aclose(a);
  return err;
}
