/* The prepared dataset's writer (prep/write.h): rank 0 writes the input
 * contract (io/schema.h names) to a temporary file, reads it back, renames. */
#include "prep/write.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5local.h"
#include "io/h5util.h"
#include "io/schema.h"

/* One 1-D or 2-D array written whole by this process. */
static rv_err_t put(hid_t f, const char *fn, const char *path, hid_t ftype, hid_t mtype, int64_t n,
                    int64_t rowlen, const void *buf) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID;
  if (rowlen == 0) return rv_h5_write_entries(MPI_COMM_SELF, f, fn, path, ftype, mtype, n, buf);
  RV_TRY(rv_h5_create_dataset(f, fn, path, ftype, n, rowlen, &d));
  RV_TRY(rv_h5_write_rows_verified(MPI_COMM_SELF, d, fn, path, mtype, 0, n, rowlen, buf));
done:
  if (d >= 0) H5Dclose(d);
  return err;
}

static rv_err_t put_ptr(hid_t f, const char *fn, const char *path, int64_t n, const int64_t *ptr) {
  rv_err_t err = RV_OK;
  int64_t *copy = malloc(sizeof(int64_t) * (size_t)(n + 1)); /* rv_h5_write_indptr shifts in place */
  RV_REQUIRE(copy, RV_ERR_RUNTIME, "out of memory");
  memcpy(copy, ptr, sizeof(int64_t) * (size_t)(n + 1));
  err = rv_h5_write_indptr(MPI_COMM_SELF, f, fn, path, n, 0, n, copy);
done:
  free(copy);
  return err;
}

/* Strings of the source tables in the output's order. */
static rv_err_t put_ids(hid_t f, const char *fn, const char *path, const rv_strtab_t *tab,
                        const int32_t *order, int64_t n, char *const *pick) {
  rv_err_t err = RV_OK;
  const char **v = malloc(sizeof(char *) * (size_t)(n + 1));
  RV_REQUIRE(v, RV_ERR_RUNTIME, "out of memory");
  for (int64_t i = 0; i < n; i++) v[i] = pick ? pick[order[i]] : tab->s[order[i]];
  err = rv_h5_write_strings(f, fn, path, v, n);
done:
  free(v);
  return err;
}

rv_err_t rv_prep_write(const char *path, const rv_prep_file_t *p) {
  rv_err_t err = RV_OK;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  const rv_prep_out_t *o = p->out;
  const rv_prep_src_t *s = p->src;
  const rv_prep_opts_t *op = p->opts;
  hid_t f = H5I_INVALID_HID;
  const int64_t nu = o->n_users, ni = o->n_items;
  RV_TRY(rv_h5l_create(tmp, &f));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_FORMAT, RV_FMT_DATASET));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_VERSION, RV_FMT_VERSION));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_N_USERS, nu));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_N_ITEMS, ni));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_DIM, p->dim));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_GENERATOR, RV_GEN_PREPARE));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_SOURCE, s->source));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_ENCODER, p->encoder));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_SPLIT, p->split));
  char buf[256];
  snprintf(buf, sizeof buf, "%.17g", op->test_frac);
  if (op->split != RV_SPLIT_LOO) RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_SPLIT_TEST_FRAC, buf));
  if (op->split == RV_SPLIT_RANDOM) RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_SPLIT_SEED, (int64_t)op->seed));
  if (op->split == RV_SPLIT_TEMPORAL) RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_SPLIT_TEMPORAL_CUT, o->temporal_cut));
  if (op->has_threshold) {
    snprintf(buf, sizeof buf, "%.17g", op->threshold);
    RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_RATING_THRESHOLD, buf));
  }
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_MIN_USER_INTERACTIONS, op->min_user));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_MIN_ITEM_INTERACTIONS, op->min_item));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_SOURCE_INTERACTIONS, o->raw_interactions));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_SOURCE_USERS, o->raw_users));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_SOURCE_ITEMS, o->raw_items));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_REMOVED_DUPLICATES, o->duplicates));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_REMOVED_BELOW_THRESHOLD, o->below_threshold));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_REMOVED_KCORE, o->kcore_removed));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_REMOVED_SAME_TEXT, s->text_duplicates));

  RV_TRY(put(f, tmp, RV_DS_ITEMS_EMBEDDING, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, ni, p->dim, p->emb));
  const int64_t ntr = o->tr_ptr[nu], nte = o->te_ptr[nu];
  RV_TRY(put_ptr(f, tmp, RV_DS_TRAIN_INDPTR, nu, o->tr_ptr));
  RV_TRY(put(f, tmp, RV_DS_TRAIN_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, ntr, 0, o->tr_idx));
  if (o->tr_val) RV_TRY(put(f, tmp, RV_DS_TRAIN_VALUES, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, ntr, 0, o->tr_val));
  if (o->tr_ts) RV_TRY(put(f, tmp, RV_DS_TRAIN_TIMESTAMP, H5T_STD_I64LE, H5T_NATIVE_INT64, ntr, 0, o->tr_ts));
  RV_TRY(put_ptr(f, tmp, RV_DS_TEST_INDPTR, nu, o->te_ptr));
  RV_TRY(put(f, tmp, RV_DS_TEST_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, nte, 0, o->te_idx));
  if (o->te_val && op->graded)
    RV_TRY(put(f, tmp, RV_DS_TEST_VALUES, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nte, 0, o->te_val));
  if (o->cat_ptr[ni] > 0) {
    RV_TRY(put_ptr(f, tmp, RV_DS_ITEMS_CATEGORY_INDPTR, ni, o->cat_ptr));
    RV_TRY(put(f, tmp, RV_DS_ITEMS_CATEGORY_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, o->cat_ptr[ni], 0, o->cat_idx));
    RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_N_CATEGORIES, o->n_categories));
    RV_TRY(rv_h5_write_strings(f, tmp, RV_DS_ITEMS_CATEGORY_NAMES, (const char *const *)s->cats.s, s->cats.n));
  }
  RV_TRY(put_ids(f, tmp, RV_DS_USERS_ID, &s->users, o->user_src, nu, NULL));
  RV_TRY(put_ids(f, tmp, RV_DS_ITEMS_ID, &s->items, o->item_src, ni, NULL));
  RV_TRY(put_ids(f, tmp, RV_DS_ITEMS_TITLE, &s->items, o->item_src, ni, s->title));
  RV_TRY(put_ids(f, tmp, RV_DS_ITEMS_TEXT, &s->items, o->item_src, ni, s->text));
  RV_REQUIRE(H5Fclose(f) >= 0, RV_ERR_IO, "%s: closing the file failed", tmp);
  f = H5I_INVALID_HID;
  RV_REQUIRE(rename(tmp, path) == 0, RV_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
done:
  if (f >= 0) H5Fclose(f);
  if (err) remove(tmp);
  return err;
}
