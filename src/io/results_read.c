#include "io/results_read.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/h5local.h"
#include "io/h5util.h"
#include "io/input.h"
#include "io/schema.h"

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g, (void)info;
  rv_results_in_t *r = data;
  if (r->n < RV_RESULTS_MAX_COLS && strlen(name) < sizeof r->names[0])
    snprintf(r->names[r->n++], sizeof r->names[0], "%s", name);
  return 0;
}

rv_err_t rv_results_in_open(const char *dir, rv_results_in_t *r) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID, g = H5I_INVALID_HID;
  snprintf(r->path, sizeof r->path, "%s/" RV_FILE_RESULTS, dir);
  r->f = H5I_INVALID_HID;
  if (access(r->path, F_OK) == 0) RV_TRY(rv_input_regular(r->path, "results file")); /* a FIFO is never opened */
  RV_REQUIRE(H5Fis_hdf5(r->path) > 0, RV_ERR_IO, "%s: missing or not an HDF5 file (run receval eval or runs first)",
             r->path);
  RV_TRY(rv_h5l_open_as(r->path, "cannot open", &r->f));
  char fmt[64];
  RV_TRY(rv_h5_attr_str(r->f, r->path, RV_ATTR_FORMAT, fmt, sizeof fmt));
  RV_REQUIRE(strcmp(fmt, RV_FMT_RESULTS) == 0, RV_ERR_DATA, "%s: format is '%s', expected receval-results",
             r->path, fmt);
  RV_TRY(rv_h5_attr_str(r->f, r->path, RV_ATTR_DATASET_CHECKSUM, r->checksum, sizeof r->checksum));
  RV_REQUIRE(rv_h5_exists(r->f, RV_RES_TOPK_ITEMS), RV_ERR_DATA, "%s: /topk/items is missing", r->path);
  d = H5Dopen2(r->f, RV_RES_TOPK_ITEMS, H5P_DEFAULT);
  sp = H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  RV_REQUIRE(d >= 0 && sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2, RV_ERR_DATA, "%s: /topk/items is not 2-D",
             r->path);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  r->n_users = (int64_t)dims[0];
  if (rv_h5_exists(r->f, RV_RES_PER_USER)) {
    g = H5Gopen2(r->f, RV_RES_PER_USER, H5P_DEFAULT);
    RV_REQUIRE(g >= 0, RV_ERR_DATA, "%s: /per_user is not a group", r->path);
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, r);
  }
done:
  if (g >= 0) H5Gclose(g);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  return err;
}

rv_err_t rv_results_in_column(const rv_results_in_t *r, const char *name, double *v) {
  rv_err_t err = RV_OK;
  char p[128];
  hsize_t dims[1];
  snprintf(p, sizeof p, RV_RES_PER_USER "/%s", name);
  RV_TRY(rv_h5_check_dataset(r->f, r->path, p, H5T_FLOAT, 8, 1, dims));
  RV_REQUIRE((int64_t)dims[0] == r->n_users, RV_ERR_DATA, "%s: %s has %llu values for %lld users", r->path, p,
             (unsigned long long)dims[0], (long long)r->n_users);
  hid_t d = H5Dopen2(r->f, p, H5P_DEFAULT);
  const herr_t rc = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  RV_REQUIRE(rc >= 0, RV_ERR_IO, "%s: %s: read failed", r->path, p);
done:
  return err;
}

void rv_results_in_close(rv_results_in_t *r) {
  if (r->f >= 0) H5Fclose(r->f);
  r->f = H5I_INVALID_HID;
}
