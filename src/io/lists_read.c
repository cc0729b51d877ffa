#include "io/lists_read.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5local.h"
#include "io/h5util.h"
#include "io/schema.h"

static rv_err_t strings(hid_t f, const char *path, const char *ds, int64_t want, char ***out) {
  rv_err_t err = RV_OK;
  int64_t n = 0;
  *out = NULL;
  if (!rv_h5_exists(f, ds)) return RV_OK;
  RV_TRY(rv_h5_read_strings(f, path, ds, &n, out));
  if (n != want) {
    rv_h5_free_strings(*out, n);
    *out = NULL;
    RV_FAIL(RV_ERR_DATA, "%s: %s has %lld entries, expected %lld", path, ds, (long long)n, (long long)want);
  }
done:
  return err;
}

rv_err_t rv_cat_ids_read(const char *path, int64_t n_users, int64_t n_items, rv_cat_ids_t *c) {
  rv_err_t err = RV_OK;
  memset(c, 0, sizeof *c);
  c->n_users = n_users, c->n_items = n_items;
  hid_t f = H5I_INVALID_HID;
  RV_TRY(rv_h5l_open(path, &f));
  RV_TRY(strings(f, path, RV_DS_USERS_ID, n_users, &c->user_id));
  RV_TRY(strings(f, path, RV_DS_ITEMS_ID, n_items, &c->item_id));
  RV_TRY(strings(f, path, RV_DS_ITEMS_TITLE, n_items, &c->title));
done:
  if (f >= 0) H5Fclose(f);
  if (err) rv_cat_ids_free(c);
  return err;
}

void rv_cat_ids_free(rv_cat_ids_t *c) {
  rv_h5_free_strings(c->user_id, c->n_users);
  rv_h5_free_strings(c->item_id, c->n_items);
  rv_h5_free_strings(c->title, c->n_items);
  c->user_id = c->item_id = c->title = NULL;
}

rv_err_t rv_h5_lists_read(const char *path, int64_t n_users, int32_t **items, float **scores, int *K) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  *items = NULL;
  *scores = NULL;
  RV_TRY(rv_h5l_open(path, &f));
  const char *ip = rv_h5_exists(f, RV_RES_TOPK_ITEMS) ? RV_RES_TOPK_ITEMS : RV_LISTS_ITEMS;
  const char *sp = strcmp(ip, RV_RES_TOPK_ITEMS) == 0 ? RV_RES_TOPK_SCORES : RV_LISTS_SCORES;
  RV_REQUIRE(rv_h5_exists(f, ip), RV_ERR_DATA, "%s: no /lists/items (or /topk/items) dataset", path);
  hsize_t dims[2];
  RV_TRY(rv_h5_check_dataset(f, path, ip, H5T_INTEGER, 4, 2, dims));
  RV_REQUIRE((int64_t)dims[0] == n_users && dims[1] >= 1 && dims[1] <= 1000000, RV_ERR_DATA,
             "%s: %s has shape [%llu, %llu]; expected one row per dataset user (%lld) and 1..10^6 columns", path, ip,
             (unsigned long long)dims[0], (unsigned long long)dims[1], (long long)n_users);
  *K = (int)dims[1];
  *items = malloc(sizeof(int32_t) * (size_t)(n_users * *K));
  RV_REQUIRE(*items, RV_ERR_RUNTIME, "%s: out of memory for %lld x %d lists", path, (long long)n_users, *K);
  hid_t d = H5Dopen2(f, ip, H5P_DEFAULT);
  const herr_t rc = H5Dread(d, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, *items);
  H5Dclose(d);
  RV_REQUIRE(rc >= 0, RV_ERR_IO, "%s: %s: read failed", path, ip);
  if (rv_h5_exists(f, sp)) {
    hsize_t sd[2];
    RV_TRY(rv_h5_check_dataset(f, path, sp, H5T_FLOAT, 4, 2, sd));
    RV_REQUIRE(sd[0] == dims[0] && sd[1] == dims[1], RV_ERR_DATA, "%s: %s and %s differ in shape", path, ip, sp);
    *scores = malloc(sizeof(float) * (size_t)(n_users * *K));
    RV_REQUIRE(*scores, RV_ERR_RUNTIME, "out of memory");
    d = H5Dopen2(f, sp, H5P_DEFAULT);
    const herr_t r2 = H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, *scores);
    H5Dclose(d);
    RV_REQUIRE(r2 >= 0, RV_ERR_IO, "%s: %s: read failed", path, sp);
  }
done:
  if (f >= 0) H5Fclose(f);
  if (err) {
    free(*items), free(*scores);
    *items = NULL, *scores = NULL;
  }
  return err;
}
