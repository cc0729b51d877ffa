#include "io/dataset.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/size.h"
#include "io/h5local.h"
#include "io/h5util.h"
#include "io/input.h"
#include "io/schema.h"
#include "kernels/partition.h"
#include "kernels/strtab.h"

/* Sanity bounds checked before any size from the file drives an allocation. */
#define RV_MAX_DIM 65536
#define RV_MAX_ROWS ((int64_t)1 << 40)
#define RV_MAX_CATEGORIES ((int64_t)1 << 20)

rv_err_t rv_dataset_precheck(const char *path, uint64_t *size) {
  rv_err_t err = RV_OK;
  struct stat st;
  if (stat(path, &st) != 0) RV_FAIL(RV_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  RV_TRY(rv_input_regular(path, "dataset")); /* a FIFO is never opened */
  FILE *f = fopen(path, "rb");
  if (!f) RV_FAIL(RV_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
  fclose(f);
  *size = (uint64_t)st.st_size;
  RV_REQUIRE(H5Fis_hdf5(path) > 0, RV_ERR_DATA, "%s: not an HDF5 file (or truncated)", path);
done:
  return err;
}

static rv_err_t check_header(hid_t f, rv_dataset_t *ds) {
  rv_err_t err = RV_OK;
  const char *fn = ds->path;
  char fmt[128];
  int64_t version = 0, dim = 0;
  RV_TRY(rv_h5_attr_str(f, fn, RV_ATTR_FORMAT, fmt, sizeof fmt));
  RV_REQUIRE(strcmp(fmt, RV_FMT_DATASET) == 0, RV_ERR_DATA,
             "%s: root attribute 'format' is '%s', expected '%s'", fn, fmt, RV_FMT_DATASET);
  RV_TRY(rv_h5_attr_i64(f, fn, RV_ATTR_VERSION, &version));
  RV_REQUIRE(version == RV_FMT_VERSION, RV_ERR_DATA,
             "%s: root attribute 'version' is %lld, this receval reads version %d", fn,
             (long long)version, RV_FMT_VERSION);
  RV_TRY(rv_h5_attr_i64(f, fn, RV_ATTR_N_USERS, &ds->n_users));
  RV_TRY(rv_h5_attr_i64(f, fn, RV_ATTR_N_ITEMS, &ds->n_items));
  RV_TRY(rv_h5_attr_i64(f, fn, RV_ATTR_DIM, &dim));
  RV_REQUIRE(ds->n_users >= 1 && ds->n_users <= RV_MAX_ROWS, RV_ERR_DATA,
             "%s: root attribute 'n_users' is %lld, expected 1..2^40", fn, (long long)ds->n_users);
  RV_REQUIRE(ds->n_items >= 1 && ds->n_items <= INT32_MAX, RV_ERR_DATA,
             "%s: root attribute 'n_items' is %lld, expected 1..%d (int32 item indices)", fn,
             (long long)ds->n_items, INT32_MAX);
  RV_REQUIRE(dim >= 1 && dim <= RV_MAX_DIM, RV_ERR_DATA,
             "%s: root attribute 'dim' is %lld, expected 1..%d", fn, (long long)dim, RV_MAX_DIM);
  ds->dim = (int)dim;

  hsize_t dims[2];
  RV_TRY(rv_h5_check_dataset(f, fn, RV_DS_ITEMS_EMBEDDING, H5T_FLOAT, 4, 2, dims));
  RV_REQUIRE((int64_t)dims[0] == ds->n_items && (int64_t)dims[1] == ds->dim, RV_ERR_DATA,
             "%s: /items/embedding: shape [%llu, %llu] disagrees with n_items=%lld, dim=%d", fn,
             (unsigned long long)dims[0], (unsigned long long)dims[1], (long long)ds->n_items,
             ds->dim);
  ds->has_user_embeddings = rv_h5_exists(f, RV_DS_USERS_EMBEDDING);
  if (ds->has_user_embeddings) {
    RV_TRY(rv_h5_check_dataset(f, fn, RV_DS_USERS_EMBEDDING, H5T_FLOAT, 4, 2, dims));
    RV_REQUIRE((int64_t)dims[0] == ds->n_users && (int64_t)dims[1] == ds->dim, RV_ERR_DATA,
               "%s: /users/embedding: shape [%llu, %llu] disagrees with n_users=%lld, dim=%d", fn,
               (unsigned long long)dims[0], (unsigned long long)dims[1], (long long)ds->n_users,
               ds->dim);
  }
  static const char *const groups[2][3] = {{RV_DS_TRAIN_INDPTR, RV_DS_TRAIN_INDICES, RV_DS_TRAIN_VALUES},
                                           {RV_DS_TEST_INDPTR, RV_DS_TEST_INDICES, RV_DS_TEST_VALUES}};
  for (int g = 0; g < 2; g++) {
    const char *p_ptr = groups[g][0], *p_idx = groups[g][1], *p_val = groups[g][2];
    RV_TRY(rv_h5_check_dataset(f, fn, p_ptr, H5T_INTEGER, 8, 1, dims));
    RV_REQUIRE((int64_t)dims[0] == ds->n_users + 1, RV_ERR_DATA,
               "%s: %s: length %llu, expected n_users + 1 = %lld", fn, p_ptr,
               (unsigned long long)dims[0], (long long)ds->n_users + 1);
    RV_TRY(rv_h5_check_dataset(f, fn, p_idx, H5T_INTEGER, 4, 1, dims));
    const int64_t nnz = (int64_t)dims[0];
    if (g == 0)
      ds->train_nnz = nnz;
    else
      ds->test_nnz = nnz;
    if (rv_h5_exists(f, p_val)) {
      RV_TRY(rv_h5_check_dataset(f, fn, p_val, H5T_FLOAT, 4, 1, dims));
      RV_REQUIRE((int64_t)dims[0] == nnz, RV_ERR_DATA, "%s: %s: length %llu, expected nnz = %lld",
                 fn, p_val, (unsigned long long)dims[0], (long long)nnz);
      if (g == 1) ds->has_test_values = 1;
    }
  }
  ds->has_categories = rv_h5_exists(f, RV_DS_ITEMS_CATEGORY_INDPTR);
  if (ds->has_categories) {
    RV_TRY(rv_h5_check_dataset(f, fn, RV_DS_ITEMS_CATEGORY_INDPTR, H5T_INTEGER, 8, 1, dims));
    RV_REQUIRE((int64_t)dims[0] == ds->n_items + 1, RV_ERR_DATA,
               "%s: /items/category/indptr: length %llu, expected n_items + 1 = %lld", fn,
               (unsigned long long)dims[0], (long long)ds->n_items + 1);
    RV_TRY(rv_h5_check_dataset(f, fn, RV_DS_ITEMS_CATEGORY_INDICES, H5T_INTEGER, 4, 1, dims));
    ds->cat_nnz = (int64_t)dims[0];
  }
done:
  return err;
}

/* Entries [e0, e0 + m) of a row-pointer dataset of n + 1 entries: they must
 * not decrease, and the first entry of all (row 0) is 0, the last (row n) is
 * nnz. Row numbers in messages are global. */
static rv_err_t check_indptr_slice(const char *fn, const char *path, const int64_t *p, int64_t e0,
                                   int64_t m, int64_t n, int64_t nnz) {
  rv_err_t err = RV_OK;
  RV_REQUIRE(e0 > 0 || m == 0 || p[0] == 0, RV_ERR_DATA, "%s: %s: row 0: value %lld, must start at 0", fn, path,
             (long long)p[0]);
  for (int64_t j = 0; j + 1 < m; j++)
    RV_REQUIRE(p[j + 1] >= p[j], RV_ERR_DATA,
               "%s: %s: row %lld: value %lld < previous %lld (must not decrease)", fn, path,
               (long long)(e0 + j + 1), (long long)p[j + 1], (long long)p[j]);
  RV_REQUIRE(m == 0 || e0 + m - 1 < n || p[m - 1] == nnz, RV_ERR_DATA,
             "%s: %s: last value %lld, must equal nnz = %lld", fn, path, (long long)p[m - 1], (long long)nnz);
done:
  return err;
}

/* Collective. Checks the n + 1 row pointers of `path` in even slices (each
 * rank reads about (n + 1) / ranks entries; the ranks' slices are in row
 * order, so the agreed message names the first bad row, as a serial check
 * would) and gathers the pointers at every grain-th row and at row n
 * (*coarse, ceil(n / grain) + 1 entries, identical on every rank). */
static rv_err_t read_coarse(MPI_Comm comm, hid_t f, const char *fn, const char *path, int64_t n, int64_t nnz,
                            int64_t grain, int64_t **coarse) {
  rv_err_t err = RV_OK;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int64_t *slice = NULL, *b = NULL, *out = NULL;
  int *counts = NULL, *displs = NULL;
  const int64_t ng = (n + grain - 1) / grain;
  if (ng >= INT32_MAX)
    err = rv_error_set(RV_ERR_DATA, "%s: %s: %lld users exceed this receval's limit of %lld", fn, path,
                       (long long)n, (long long)grain * (INT32_MAX - 1));
  RV_AGREE(comm);
  b = malloc(sizeof(int64_t) * ((size_t)size + 1));
  counts = malloc(sizeof(int) * (size_t)size);
  displs = malloc(sizeof(int) * (size_t)size);
  out = rv_malloc_n(sizeof(int64_t), ng + 1, 1);
  if (b) rv_partition_even(n, size, b);
  /* Rows [b[r], b[r+1]) of rank r: entries b[r]..b[r+1], the last shared with rank r + 1. */
  const int64_t e0 = b ? b[rank] : 0, m = b ? b[rank + 1] - b[rank] + 1 : 0;
  if (b) slice = rv_malloc_n(sizeof(int64_t), m, 1);
  if (!b || !counts || !displs || !out || !slice)
    err = rv_error_set(RV_ERR_RUNTIME, "%s: %s: out of memory for %lld row pointers", fn, path, (long long)m);
  RV_AGREE(comm);
  err = rv_h5_read_rows_independent(f, fn, path, H5T_NATIVE_INT64, e0, m, 1, slice);
  RV_AGREE(comm);
  err = check_indptr_slice(fn, path, slice, e0, m, n, nnz);
  RV_AGREE(comm);
  /* Rank r holds the grain boundaries g * grain in [b[r], b[r+1]); the last rank also row n. */
  for (int r = 0, at = 0; r < size; r++) {
    const int64_t g0 = (b[r] + grain - 1) / grain, g1 = (b[r + 1] + grain - 1) / grain;
    counts[r] = (int)(g1 - g0 + (r == size - 1));
    displs[r] = at;
    at += counts[r];
  }
  int64_t *mine = out + displs[rank];
  for (int64_t g = (e0 + grain - 1) / grain; g * grain < e0 + m - 1; g++) *mine++ = slice[g * grain - e0];
  if (rank == size - 1) *mine = slice[m - 1];
  RV_MPI_TRY(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, out, counts, displs, MPI_INT64_T, comm));
  *coarse = out;
  out = NULL;
done:
  free(slice);
  free(b);
  free(counts);
  free(displs);
  free(out);
  return err;
}

/* The whole row-pointer array, for checks of small arrays (item categories). */
static rv_err_t check_indptr(const char *fn, const char *path, const int64_t *p, int64_t n, int64_t nnz) {
  return check_indptr_slice(fn, path, p, 0, n + 1, n, nnz);
}

static rv_err_t check_finite(const char *fn, const char *path, const float *x, int64_t row0,
                             int64_t rows, int d) {
  rv_err_t err = RV_OK;
  for (int64_t r = 0; r < rows; r++)
    for (int j = 0; j < d; j++) {
      const float v = x[r * d + j];
      RV_REQUIRE(isfinite(v), RV_ERR_DATA, "%s: %s: row %lld, column %d: value %g is not finite",
                 fn, path, (long long)(row0 + r), j, (double)v);
    }
done:
  return err;
}

/* Ids of `path` (optional), one per row of `what`, each distinct: a run
 * file names users and items by them, so a repeated id would credit one
 * list to two rows. The first repeat in row order is named. */
static rv_err_t check_unique(hid_t f, const char *fn, const char *path, int64_t want, const char *what) {
  rv_err_t err = RV_OK;
  rv_strtab_t seen = {0};
  char **id = NULL;
  int64_t n = 0;
  if (!rv_h5_exists(f, path)) return RV_OK;
  /* The count first: the file's shape must not drive an allocation unchecked. */
  RV_TRY(rv_h5_dataset_rows(f, fn, path, &n));
  RV_REQUIRE(n == want, RV_ERR_DATA, "%s: %s: %lld ids, expected one per %s (%lld)", fn, path, (long long)n, what,
             (long long)want);
  RV_TRY(rv_h5_read_strings(f, fn, path, &n, &id));
  for (int64_t r = 0; r < n; r++) {
    /* Until the first repeat, string number k is row k's. */
    const int64_t before = seen.n, k = rv_strtab_intern(&seen, id[r], strlen(id[r]));
    RV_REQUIRE(k >= 0, RV_ERR_RUNTIME, "%s: %s: out of memory for %lld ids", fn, path, (long long)n);
    RV_REQUIRE(seen.n > before, RV_ERR_DATA, "%s: %s: row %lld: id '%.200s' repeats row %lld (ids must be unique)",
               fn, path, (long long)r, id[r], (long long)k);
  }
done:
  rv_h5_free_strings(id, n);
  rv_strtab_free(&seen);
  return err;
}

/* Rank 0, on its own (serial) handle: /users/id and /items/id. One rank
 * checks them in row order, so the message is the same at any rank count. */
static rv_err_t check_ids(const rv_dataset_t *ds) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  RV_TRY(rv_h5l_open(ds->path, &f));
  RV_TRY(check_unique(f, ds->path, RV_DS_USERS_ID, ds->n_users, "user"));
  RV_TRY(check_unique(f, ds->path, RV_DS_ITEMS_ID, ds->n_items, "item"));
done:
  if (f >= 0) H5Fclose(f);
  return err;
}

/* Rows [u0, u1) of idx, with ptr the row pointers of rows u0..u1. */
static rv_err_t check_rows(const char *fn, const char *path, const int64_t *ptr, int64_t u0,
                           int64_t u1, const int32_t *idx, int64_t n_items, const char *noun);

rv_err_t rv_dataset_open(MPI_Comm comm, const char *path, rv_dataset_t **out) {
  return rv_dataset_open_shard(comm, path, 1, 0, 1, out);
}

rv_err_t rv_dataset_open_shard(MPI_Comm comm, const char *path, int n_shards, int shard, int tile,
                               rv_dataset_t **out) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  hid_t f = H5I_INVALID_HID;
  rv_dataset_t *ds = calloc(1, sizeof *ds);
  *out = NULL;
  /* Every local failure below is agreed before the next collective call. */
  if (!ds)
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  else if (strlen(path) >= sizeof ds->path)
    err = rv_error_set(RV_ERR_USAGE, "dataset path too long: %s", path);
  RV_AGREE(comm);
  strcpy(ds->path, path);
  if (rank == 0) err = rv_dataset_precheck(path, &ds->size_bytes);
  RV_AGREE(comm);
  MPI_Bcast(&ds->size_bytes, 1, MPI_UINT64_T, 0, comm);

  err = rv_h5_open_read(comm, path, &f);
  RV_AGREE(comm);
  err = check_header(f, ds);
  RV_AGREE(comm);
  /* This rank's item shard: whole tiles, cut as evenly as tiles allow. */
  const int64_t tiles = (ds->n_items + tile - 1) / tile;
  if (n_shards > tiles)
    err = rv_error_set(RV_ERR_USAGE, "%s: /items/embedding: --item-shards %d exceeds the %lld item tiles of %d items",
                       path, n_shards, (long long)tiles, tile);
  RV_AGREE(comm);
  ds->i0 = tiles * shard / n_shards * tile;
  ds->i1 = tiles * (shard + 1) / n_shards * tile;
  if (ds->i1 > ds->n_items) ds->i1 = ds->n_items;

  /* Global arrays, held by every rank (items: this rank's shard): the
   * header's sizes are backed by stored data (rv_h5_check_dataset); their
   * bytes are checked for overflow and against the node's memory before
   * anything is allocated. */
  {
    /* Row pointers: a slice of each (read_coarse) and the grain-boundary copies. */
    size_t b_ptr, b_items, b_cat = 0, b_total = 0;
    int nranks;
    MPI_Comm_size(comm, &nranks);
    int bad = rv_size_of(&b_ptr, sizeof(int64_t), ds->n_users / nranks + 2 + 2 * (ds->n_users / RV_DATASET_GRAIN + 2), 1) |
              rv_size_of(&b_items, sizeof(float), ds->i1 - ds->i0, ds->dim);
    if (ds->has_categories)
      bad |= rv_size_of(&b_cat, sizeof(int64_t) + sizeof(int32_t), ds->n_items + ds->cat_nnz + 2, 1);
    bad |= rv_size_add(&b_total, b_ptr, b_items) | rv_size_add(&b_total, b_total, b_cat);
    err = rv_check_fits(path, "the row pointers and item embeddings", bad ? SIZE_MAX : b_total);
  }
  RV_AGREE(comm);
  /* No rank holds the whole row pointers: each checks a slice of them, and
   * every rank keeps the pointers at the grain boundaries for planning. */
  ds->grain = RV_DATASET_GRAIN;
  RV_TRY(read_coarse(comm, f, path, RV_DS_TRAIN_INDPTR, ds->n_users, ds->train_nnz, ds->grain, &ds->train_coarse));
  RV_TRY(read_coarse(comm, f, path, RV_DS_TEST_INDPTR, ds->n_users, ds->test_nnz, ds->grain, &ds->test_coarse));
  ds->items = rv_malloc_n(sizeof(float), ds->i1 - ds->i0, ds->dim);
  if (!ds->items)
    err = rv_error_set(RV_ERR_RUNTIME, "%s: out of memory for %lld items x %d dims", path,
                       (long long)ds->n_items, ds->dim);
  RV_AGREE(comm);
  err = rv_h5_read_rows(f, path, RV_DS_ITEMS_EMBEDDING, H5T_NATIVE_FLOAT, ds->i0, ds->i1 - ds->i0, ds->dim,
                        ds->items);
  RV_AGREE(comm);
  /* Every rank holds the same items, so every rank reaches the same verdict. */
  err = check_finite(path, RV_DS_ITEMS_EMBEDDING, ds->items, ds->i0, ds->i1 - ds->i0, ds->dim);
  RV_AGREE(comm);
  if (ds->has_categories) {
    ds->cat_ptr = rv_malloc_n(sizeof(int64_t), ds->n_items + 1, 1);
    ds->cat_idx = rv_malloc_n(sizeof(int32_t), ds->cat_nnz + 1, 1);
    if (!ds->cat_ptr || !ds->cat_idx) err = rv_error_set(RV_ERR_RUNTIME, "%s: out of memory for categories", path);
    RV_AGREE(comm);
    err = rv_h5_read_rows(f, path, RV_DS_ITEMS_CATEGORY_INDPTR, H5T_NATIVE_INT64, 0, ds->n_items + 1, 1,
                          ds->cat_ptr);
    RV_AGREE(comm);
    err = rv_h5_read_rows(f, path, RV_DS_ITEMS_CATEGORY_INDICES, H5T_NATIVE_INT32, 0, ds->cat_nnz, 1,
                          ds->cat_idx);
    RV_AGREE(comm);
    err = check_indptr(path, RV_DS_ITEMS_CATEGORY_INDPTR, ds->cat_ptr, ds->n_items, ds->cat_nnz);
    /* Category ids index dense per-user scratch: keep them below 2^20. */
    if (!err)
      err = check_rows(path, RV_DS_ITEMS_CATEGORY_INDICES, ds->cat_ptr, 0, ds->n_items, ds->cat_idx,
                       RV_MAX_CATEGORIES, "category");
    RV_AGREE(comm);
    for (int64_t t = 0; t < ds->cat_nnz; t++)
      if (ds->cat_idx[t] + 1 > ds->n_categories) ds->n_categories = ds->cat_idx[t] + 1;
  }
  /* Closed by every rank (collective) before rank 0 opens the file alone. */
  H5Fclose(f);
  f = H5I_INVALID_HID;
  if (rank == 0) err = check_ids(ds);
  RV_AGREE(comm);
done:
  if (f >= 0) H5Fclose(f);
  if (err != RV_OK)
    rv_dataset_destroy(&ds);
  else
    *out = ds;
  return err;
}

/* Indices of each row in range and strictly increasing. */
static rv_err_t check_rows(const char *fn, const char *path, const int64_t *ptr, int64_t u0,
                           int64_t u1, const int32_t *idx, int64_t n_items, const char *noun) {
  rv_err_t err = RV_OK;
  const int64_t base = ptr[0];
  for (int64_t u = u0; u < u1; u++)
    for (int64_t t = ptr[u - u0] - base; t < ptr[u - u0 + 1] - base; t++) {
      const int32_t v = idx[t];
      RV_REQUIRE(v >= 0 && v < n_items, RV_ERR_DATA,
                 "%s: %s: row %lld, entry %lld: %s %d out of range [0, %lld)", fn, path,
                 (long long)u, (long long)(t + base), noun, v, (long long)n_items);
      RV_REQUIRE(t == ptr[u - u0] - base || idx[t - 1] < v, RV_ERR_DATA,
                 "%s: %s: row %lld, entry %lld: %s %d %s previous %d (rows must be sorted, no "
                 "duplicates)",
                 fn, path, (long long)u, (long long)(t + base), noun, v,
                 idx[t - 1] == v ? "repeats" : "is below", idx[t - 1]);
    }
done:
  return err;
}

rv_err_t rv_dataset_read_users(MPI_Comm comm, rv_dataset_t *ds, int64_t u0, int64_t u1) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  const char *fn = ds->path;
  ds->u0 = u0;
  ds->u1 = u1;
  const int64_t nu = u1 - u0;
  free(ds->train_ptr);
  free(ds->test_ptr);
  ds->train_ptr = rv_malloc_n(sizeof(int64_t), nu + 1, 1);
  ds->test_ptr = rv_malloc_n(sizeof(int64_t), nu + 1, 1);
  if (!ds->train_ptr || !ds->test_ptr)
    err = rv_error_set(RV_ERR_RUNTIME, "%s: out of memory for the row pointers of users %lld..%lld", fn,
                       (long long)u0, (long long)u1);
  RV_AGREE(comm);
  err = rv_h5_open_read(comm, fn, &f);
  RV_AGREE(comm);
  /* The pointers were checked by rv_dataset_open; the file could have
   * changed since, so the slice's own order is checked again. */
  err = rv_h5_read_rows_independent(f, fn, RV_DS_TRAIN_INDPTR, H5T_NATIVE_INT64, u0, nu + 1, 1, ds->train_ptr);
  RV_AGREE(comm);
  err = rv_h5_read_rows_independent(f, fn, RV_DS_TEST_INDPTR, H5T_NATIVE_INT64, u0, nu + 1, 1, ds->test_ptr);
  RV_AGREE(comm);
  err = check_indptr_slice(fn, RV_DS_TRAIN_INDPTR, ds->train_ptr, u0, nu + 1, ds->n_users, ds->train_nnz);
  if (!err) err = check_indptr_slice(fn, RV_DS_TEST_INDPTR, ds->test_ptr, u0, nu + 1, ds->n_users, ds->test_nnz);
  if (!err && (ds->train_ptr[0] < 0 || ds->train_ptr[nu] > ds->train_nnz || ds->test_ptr[0] < 0 ||
               ds->test_ptr[nu] > ds->test_nnz))
    err = rv_error_set(RV_ERR_DATA, "%s: row pointers of users %lld..%lld out of range (file changed while read?)",
                       fn, (long long)u0, (long long)u1);
  RV_AGREE(comm);
  const int64_t tr0 = ds->train_ptr[0], trn = ds->train_ptr[nu] - tr0;
  const int64_t te0 = ds->test_ptr[0], ten = ds->test_ptr[nu] - te0;
  {
    /* This rank's slice: bounded by the validated row pointers. */
    size_t b_users = 0, b_idx, b_val = 0, b_total;
    int bad = rv_size_of(&b_idx, sizeof(int32_t), trn + ten, 1);
    if (ds->has_user_embeddings) bad |= rv_size_of(&b_users, sizeof(float), nu, ds->dim);
    if (ds->has_test_values) bad |= rv_size_of(&b_val, sizeof(float), ten, 1);
    bad |= rv_size_add(&b_total, b_users, b_idx) | rv_size_add(&b_total, b_total, b_val);
    err = rv_check_fits(fn, "this rank's users", bad ? SIZE_MAX : b_total);
  }
  RV_AGREE(comm);
  if (ds->has_user_embeddings) ds->users = rv_malloc_n(sizeof(float), nu, ds->dim);
  ds->train_idx = rv_malloc_n(sizeof(int32_t), trn, 1);
  ds->test_idx = rv_malloc_n(sizeof(int32_t), ten, 1);
  if (ds->has_test_values) ds->test_val = rv_malloc_n(sizeof(float), ten, 1);
  if ((ds->has_user_embeddings && !ds->users) || !ds->train_idx || !ds->test_idx ||
      (ds->has_test_values && !ds->test_val))
    err = rv_error_set(RV_ERR_RUNTIME, "%s: out of memory reading users %lld..%lld", fn,
                       (long long)u0, (long long)u1);
  RV_AGREE(comm);
  /* Collective reads: agree after each, so no rank skips one the others enter. */
  if (ds->has_user_embeddings) {
    err = rv_h5_read_rows(f, fn, RV_DS_USERS_EMBEDDING, H5T_NATIVE_FLOAT, u0, nu, ds->dim, ds->users);
    RV_AGREE(comm);
  }
  err = rv_h5_read_rows(f, fn, RV_DS_TRAIN_INDICES, H5T_NATIVE_INT32, tr0, trn, 1, ds->train_idx);
  RV_AGREE(comm);
  err = rv_h5_read_rows(f, fn, RV_DS_TEST_INDICES, H5T_NATIVE_INT32, te0, ten, 1, ds->test_idx);
  RV_AGREE(comm);
  if (ds->has_test_values) {
    err = rv_h5_read_rows(f, fn, RV_DS_TEST_VALUES, H5T_NATIVE_FLOAT, te0, ten, 1, ds->test_val);
    RV_AGREE(comm);
  }
  if (ds->has_user_embeddings)
    err = check_finite(fn, RV_DS_USERS_EMBEDDING, ds->users, u0, nu, ds->dim);
  if (!err) err = check_rows(fn, RV_DS_TRAIN_INDICES, ds->train_ptr, u0, u1, ds->train_idx, ds->n_items, "item");
  if (!err) err = check_rows(fn, RV_DS_TEST_INDICES, ds->test_ptr, u0, u1, ds->test_idx, ds->n_items, "item");
  if (!err && ds->test_val)
    for (int64_t u = u0; u < u1 && !err; u++)
      for (int64_t t = ds->test_ptr[u - u0] - te0; t < ds->test_ptr[u - u0 + 1] - te0; t++)
        if (!(isfinite(ds->test_val[t]) && ds->test_val[t] > 0.0f)) {
          err = rv_error_set(RV_ERR_DATA,
                             "%s: /test/values: row %lld, entry %lld: value %g, relevance must be "
                             "finite and > 0",
                             fn, (long long)u, (long long)(te0 + t), (double)ds->test_val[t]);
          break;
        }
  RV_AGREE(comm);
done:
  if (f >= 0) H5Fclose(f);
  return err;
}

void rv_dataset_destroy(rv_dataset_t **pds) {
  if (!pds || !*pds) return;
  rv_dataset_t *ds = *pds;
  free(ds->train_ptr);
  free(ds->test_ptr);
  free(ds->train_coarse);
  free(ds->test_coarse);
  free(ds->items);
  free(ds->cat_ptr);
  free(ds->cat_idx);
  free(ds->users);
  free(ds->train_idx);
  free(ds->test_idx);
  free(ds->test_val);
  free(ds);
  *pds = NULL;
}
