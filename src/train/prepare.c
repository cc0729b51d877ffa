/* What every model trains on: this rank's users (contiguous, balanced by
 * train interactions), their vectors scored exactly as `receval eval`
 * scores them, and the seeded validation split of the train positives. */
#include <stdlib.h>
#include <string.h>

#include "io/checksum.h"
#include "kernels/partition.h"
#include "kernels/similarity.h"
#include "linalg/whiten.h"
#include "train/train.h"

static rv_err_t vectors(rv_train_t *t) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = t->ds;
  const int d = ds->dim;
  const int64_t nu = ds->u1 - ds->u0, ni = ds->n_items;
  double *pool = malloc(sizeof(double) * (size_t)d);
  t->users = malloc(sizeof(float) * (size_t)(nu * d + 1));
  RV_REQUIRE(pool && t->users, RV_ERR_RUNTIME, "out of memory for %lld user vectors", (long long)nu);
  if (ds->users) {
    memcpy(t->users, ds->users, sizeof(float) * (size_t)(nu * d));
  } else {
    /* As eval: the mean of the user's train items, as stored. */
    const int64_t base = rv_train_ptr(ds, ds->u0);
    for (int64_t u = ds->u0; u < ds->u1; u++)
      rv_pool_mean(ds->items, d, ds->train_idx + (rv_train_ptr(ds, u) - base),
                   rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u), pool, t->users + (size_t)(u - ds->u0) * d);
  }
  const rv_sim_entry_t *e = rv_sim_get(t->sim);
  if (e->unit_rows) {
    rv_rows_normalize(ds->items, (size_t)ni, d);
    rv_rows_normalize(t->users, (size_t)nu, d);
  } else if (e->minus_sqdist) {
    t->inorm2 = malloc(sizeof(float) * (size_t)ni);
    t->unorm2 = malloc(sizeof(float) * (size_t)(nu + 1));
    RV_REQUIRE(t->inorm2 && t->unorm2, RV_ERR_RUNTIME, "out of memory");
    rv_rows_sqnorm(ds->items, (size_t)ni, d, t->inorm2);
    rv_rows_sqnorm(t->users, (size_t)nu, d, t->unorm2);
  }
done:
  free(pool);
  return err;
}

/* Each train positive goes to validation with probability val_frac, drawn
 * from the stream of (seed, user): the split does not depend on ranks. */
static rv_err_t split(rv_train_t *t) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = t->ds;
  const int64_t base = rv_train_ptr(ds, ds->u0), n = rv_train_ptr(ds, ds->u1) - base;
  t->is_val = calloc((size_t)n + 1, 1);
  RV_REQUIRE(t->is_val, RV_ERR_RUNTIME, "out of memory for %lld train entries", (long long)n);
  const double f = t->spec->val_frac;
  for (int64_t u = ds->u0; u < ds->u1 && f > 0.0; u++) {
    rv_rng_t r;
    rv_rng_seed(&r, t->spec->seed, RV_STREAM_TRAIN_VAL, (uint64_t)u);
    for (int64_t e = rv_train_ptr(ds, u) - base; e < rv_train_ptr(ds, u + 1) - base; e++) {
      t->is_val[e] = rv_rng_uniform(&r) < f;
      t->val_local += t->is_val[e];
    }
  }
done:
  return err;
}

rv_err_t rv_train_prepare(MPI_Comm comm, rv_train_t *t) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  int64_t *bounds = NULL;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  rv_score_init();
  RV_TRY(rv_dataset_open(comm, t->spec->dataset, &t->ds));
  rv_dataset_t *ds = t->ds;
  bounds = malloc(sizeof(int64_t) * (size_t)(nranks + 1));
  if (!bounds) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  /* Cost: every positive brings 1 + negatives pairs; any split gives the
   * same result (mini-batches are fixed user ranges), this one balances. */
  _Static_assert(RV_TRAIN_BLOCK == RV_DATASET_GRAIN, "the partition reads the row pointers at the dataset's grain");
  rv_partition_users(ds->n_users, 1, ds->train_coarse, NULL, ds->grain, nranks, bounds);
  RV_TRY(rv_dataset_read_users(comm, ds, bounds[rank], bounds[rank + 1]));
  RV_TRY(rv_file_checksum(comm, ds->path, ds->size_bytes, t->checksum, sizeof t->checksum));
  if (t->spec->whiten) RV_TRY(rv_whiten(comm, ds->items, ds->n_items, ds->users, ds->u1 - ds->u0, ds->dim));
  err = vectors(t);
  if (!err) err = split(t);
  RV_AGREE(comm);
  RV_TRY(rv_range_compute(comm, t->sim, t->users, ds->u1 - ds->u0, ds->u0, ds->items, ds->n_items, 0, ds->dim,
                          &t->range));
done:
  free(bounds);
  return err;
}

void rv_train_free(rv_train_t *t) {
  free(t->users), free(t->unorm2), free(t->inorm2), free(t->is_val);
  rv_dataset_destroy(&t->ds);
}
