/* Checkpoints and the trained item-weight model as HDF5 files (layout in
 * docs/formats.md), written by rank 0 under a temporary name and renamed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5local.h"
#include "io/h5util.h"
#include "io/schema.h"
#include "kernels/similarity.h"
#include "train/iw_state.h"

rv_err_t rv_iw_state_alloc(rv_iw_state_t *st, int64_t n_items, int64_t epochs) {
  memset(st, 0, sizeof *st);
  st->n = n_items;
  st->x = calloc((size_t)(2 * n_items), sizeof(double));
  st->m = calloc((size_t)(2 * n_items), sizeof(double));
  st->v = calloc((size_t)(2 * n_items), sizeof(double));
  st->best = calloc((size_t)(2 * n_items), sizeof(double));
  st->hist_train = calloc((size_t)epochs + 1, sizeof(double));
  st->hist_val = calloc((size_t)epochs + 1, sizeof(double));
  st->best_val = INFINITY;
  if (!st->x || !st->m || !st->v || !st->best || !st->hist_train || !st->hist_val)
    return rv_error_set(RV_ERR_RUNTIME, "out of memory for %lld item parameters", (long long)n_items);
  return RV_OK;
}

void rv_iw_state_free(rv_iw_state_t *st) {
  free(st->x), free(st->m), free(st->v), free(st->best), free(st->hist_train), free(st->hist_val);
  memset(st, 0, sizeof *st);
}

/* The options a resumed run must share with the checkpoint: everything but
 * where the files are, how often to checkpoint, --resume and --progress. */
static size_t spec_key(const Receval__TrainSpec *s, uint8_t *buf, size_t cap) {
  Receval__TrainSpec k = *s;
  k.dataset = NULL;
  k.out_dir = NULL;
  k.has_checkpoint_every = k.has_resume = k.has_progress = 0;
  const size_t n = receval__train_spec__get_packed_size(&k);
  if (n > cap) return 0;
  return receval__train_spec__pack(&k, buf);
}

/* Closes the temporary file and, when everything went well, renames it
 * over path (atomic: a reader sees the old file or the new, never half). */
static rv_err_t commit(hid_t f, const char *tmp, const char *path, rv_err_t err) {
  if (f >= 0 && H5Fclose(f) < 0 && !err) err = rv_error_set(RV_ERR_IO, "%s: cannot close", tmp);
  if (!err && rename(tmp, path) != 0) err = rv_error_set(RV_ERR_IO, "%s: cannot rename to %s", tmp, path);
  if (err) remove(tmp);
  return err;
}

static rv_err_t write_common(hid_t f, const char *fn, const rv_train_t *t, const char *format,
                             const rv_iw_state_t *st) {
  rv_err_t err = RV_OK;
  uint8_t key[4096];
  const size_t klen = spec_key(t->spec, key, sizeof key);
  RV_REQUIRE(klen > 0, RV_ERR_RUNTIME, "training options too long to store");
  RV_TRY(rv_h5_write_attr_str(f, fn, RV_ATTR_FORMAT, format));
  RV_TRY(rv_h5_write_attr_i64(f, fn, RV_ATTR_VERSION, RV_FMT_VERSION));
  RV_TRY(rv_h5_write_attr_str(f, fn, RV_ATTR_MODEL, t->spec->model));
  RV_TRY(rv_h5_write_attr_str(f, fn, RV_ATTR_SIMILARITY, rv_sim_name(t->sim)));
  RV_TRY(rv_h5_write_attr_i64(f, fn, RV_ATTR_N_ITEMS, t->ds->n_items));
  RV_TRY(rv_h5_write_attr_i64(f, fn, RV_ATTR_DIM, t->ds->dim));
  RV_TRY(rv_h5_write_attr_i64(f, fn, RV_ATTR_WHITEN, t->spec->whiten));
  RV_TRY(rv_h5_write_attr_str(f, fn, RV_ATTR_DATASET_CHECKSUM, t->checksum));
  RV_TRY(rv_h5_write_attr_bytes(f, fn, RV_ATTR_TRAINSPEC, t->spec_bytes, t->spec_len));
  RV_TRY(rv_h5_write_attr_bytes(f, fn, RV_ATTR_TRAINSPEC_KEY, key, klen));
  RV_TRY(rv_h5l_write(f, fn, RV_MOD_HISTORY_TRAIN_LOSS, H5T_NATIVE_DOUBLE, st->hist_train, st->n_hist));
  RV_TRY(rv_h5l_write(f, fn, RV_MOD_HISTORY_VAL_LOSS, H5T_NATIVE_DOUBLE, st->hist_val, st->n_hist));
done:
  return err;
}

rv_err_t rv_iw_checkpoint_write(const char *path, const rv_train_t *t, const rv_iw_state_t *st) {
  rv_err_t err = RV_OK;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  hid_t f = H5I_INVALID_HID;
  const int64_t n2 = 2 * st->n;
  RV_TRY(rv_h5l_create(tmp, &f));
  RV_TRY(write_common(f, tmp, t, RV_FMT_CHECKPOINT, st));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_EPOCH, st->epoch));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_BATCH, st->batch));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_STEP, st->step));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_RNG_SEED, (int64_t)t->spec->seed));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_BAD_EPOCHS, st->bad_epochs));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_STOPPED, st->stopped));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_EPOCH_PAIRS, st->ep_pairs));
  RV_TRY(rv_h5l_write_attr_f64(f, tmp, RV_ATTR_BEST_VAL_LOSS, st->best_val));
  const int64_t loss[2] = {(int64_t)(uint64_t)st->ep_loss, (int64_t)(st->ep_loss >> 64)};
  RV_TRY(rv_h5l_write(f, tmp, RV_CKPT_EPOCH_LOSS_SUM, H5T_NATIVE_INT64, loss, 2));
  RV_TRY(rv_h5l_write(f, tmp, RV_CKPT_PARAMS, H5T_NATIVE_DOUBLE, st->x, n2));
  RV_TRY(rv_h5l_write(f, tmp, RV_CKPT_ADAM_M, H5T_NATIVE_DOUBLE, st->m, n2));
  RV_TRY(rv_h5l_write(f, tmp, RV_CKPT_ADAM_V, H5T_NATIVE_DOUBLE, st->v, n2));
  RV_TRY(rv_h5l_write(f, tmp, RV_CKPT_BEST_PARAMS, H5T_NATIVE_DOUBLE, st->best, n2));
done:
  return commit(f, tmp, path, err);
}

rv_err_t rv_iw_checkpoint_read(const char *path, const rv_train_t *t, rv_iw_state_t *st) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  char buf[64];
  uint8_t key[4096], have[4096];
  size_t hlen = sizeof have;
  const size_t klen = spec_key(t->spec, key, sizeof key);
  const int64_t n2 = 2 * st->n;
  RV_TRY(rv_h5l_open(path, &f));
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_FORMAT, buf, sizeof buf));
  RV_REQUIRE(strcmp(buf, RV_FMT_CHECKPOINT) == 0, RV_ERR_DATA,
             "%s: not a receval checkpoint (format '%s')", path, buf);
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_MODEL, buf, sizeof buf));
  RV_REQUIRE(strcmp(buf, t->spec->model) == 0, RV_ERR_USAGE,
             "%s: --resume: the checkpoint is of model '%s', not '%s'", path, buf, t->spec->model);
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_DATASET_CHECKSUM, buf, sizeof buf));
  RV_REQUIRE(strcmp(buf, t->checksum) == 0, RV_ERR_USAGE,
             "%s: --resume: the checkpoint was trained on another dataset (checksum %s, this one %s)",
             path, buf, t->checksum);
  RV_TRY(rv_h5l_attr_bytes(f, path, RV_ATTR_TRAINSPEC_KEY, have, &hlen));
  RV_REQUIRE(hlen == klen && memcmp(have, key, klen) == 0, RV_ERR_USAGE,
             "%s: --resume: the training options differ from the checkpoint's (only --out, "
             "--checkpoint-every and --progress may change)", path);
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_EPOCH, &st->epoch));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_BATCH, &st->batch));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_STEP, &st->step));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_BAD_EPOCHS, &st->bad_epochs));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_STOPPED, &st->stopped));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_EPOCH_PAIRS, &st->ep_pairs));
  RV_TRY(rv_h5l_attr_f64(f, path, RV_ATTR_BEST_VAL_LOSS, &st->best_val));
  int64_t loss[2];
  RV_TRY(rv_h5l_read(f, path, RV_CKPT_EPOCH_LOSS_SUM, H5T_NATIVE_INT64, loss, 2));
  st->ep_loss = (rv_i128)(((unsigned __int128)(uint64_t)loss[1] << 64) | (uint64_t)loss[0]);
  RV_REQUIRE(st->epoch >= 0 && st->epoch <= t->spec->epochs, RV_ERR_DATA, "%s: epoch %lld out of range",
             path, (long long)st->epoch);
  st->n_hist = st->epoch;
  RV_TRY(rv_h5l_read(f, path, RV_MOD_HISTORY_TRAIN_LOSS, H5T_NATIVE_DOUBLE, st->hist_train, st->n_hist));
  RV_TRY(rv_h5l_read(f, path, RV_MOD_HISTORY_VAL_LOSS, H5T_NATIVE_DOUBLE, st->hist_val, st->n_hist));
  RV_TRY(rv_h5l_read(f, path, RV_CKPT_PARAMS, H5T_NATIVE_DOUBLE, st->x, n2));
  RV_TRY(rv_h5l_read(f, path, RV_CKPT_ADAM_M, H5T_NATIVE_DOUBLE, st->m, n2));
  RV_TRY(rv_h5l_read(f, path, RV_CKPT_ADAM_V, H5T_NATIVE_DOUBLE, st->v, n2));
  RV_TRY(rv_h5l_read(f, path, RV_CKPT_BEST_PARAMS, H5T_NATIVE_DOUBLE, st->best, n2));
done:
  if (f >= 0) H5Fclose(f);
  return err;
}

rv_err_t rv_iw_model_write(const char *path, const rv_train_t *t, const rv_iw_state_t *st,
                           const double *params) {
  rv_err_t err = RV_OK;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  hid_t f = H5I_INVALID_HID;
  RV_TRY(rv_h5l_create(tmp, &f));
  RV_TRY(write_common(f, tmp, t, RV_FMT_MODEL, st));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_EPOCHS_RUN, st->n_hist));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_STEPS, st->step));
  RV_TRY(rv_h5l_write_attr_f64(f, tmp, RV_ATTR_BEST_VAL_LOSS, st->best_val));
  RV_TRY(rv_h5l_write(f, tmp, RV_MOD_ITEM_WEIGHT_W, H5T_NATIVE_DOUBLE, params, st->n));
  RV_TRY(rv_h5l_write(f, tmp, RV_MOD_ITEM_WEIGHT_B, H5T_NATIVE_DOUBLE, params + st->n, st->n));
done:
  return commit(f, tmp, path, err);
}
