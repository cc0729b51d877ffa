#include "io/synth_write.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"
#include "kernels/partition.h"

typedef struct grow {
  int32_t *i32;
  float *f32;
  int64_t n, cap;
} grow_t;

/* Ensures room for `extra` more entries; storage always exists afterwards
 * (even for extra = 0) so that memcpy never sees a NULL pointer. */
static int grow_reserve(grow_t *g, int64_t extra, int with_f32) {
  if (g->n + extra <= g->cap && g->i32) return 0;
  int64_t cap = g->cap ? g->cap : 1024;
  while (cap < g->n + extra) cap *= 2;
  int32_t *a = realloc(g->i32, sizeof(int32_t) * (size_t)cap);
  if (!a) return -1;
  g->i32 = a;
  if (with_f32) {
    float *b = realloc(g->f32, sizeof(float) * (size_t)cap);
    if (!b) return -1;
    g->f32 = b;
  }
  g->cap = cap;
  return 0;
}

rv_err_t rv_synth_write(MPI_Comm comm, const rv_synth_params_t *p, const char *path) {
  rv_err_t err = RV_OK;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  rv_synth_model_t *m = NULL;
  hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID;
  grow_t tr = {0}, te = {0}, cat = {0};
  int64_t *tr_ptr = NULL, *te_ptr = NULL, *cat_ptr = NULL, ub[2], ib[2];
  float *emb = NULL;
  int32_t *row_tr = NULL, *row_te = NULL, *scratch = NULL;
  float *row_val = NULL;
  const int dim = p->dim;

  if (rv_synth_model_create(p, &m) != 0) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for the generator tables");
  RV_AGREE(comm);
  {
    int64_t b[size + 1];
    rv_partition_even(p->n_users, size, b);
    ub[0] = b[rank], ub[1] = b[rank + 1];
    rv_partition_even(p->n_items, size, b);
    ib[0] = b[rank], ib[1] = b[rank + 1];
  }
  const int64_t nu = ub[1] - ub[0], ni = ib[1] - ib[0];
  const int cap = rv_synth_max_rows(m);
  tr_ptr = calloc((size_t)nu + 2, sizeof(int64_t));
  te_ptr = calloc((size_t)nu + 2, sizeof(int64_t));
  cat_ptr = calloc((size_t)ni + 2, sizeof(int64_t));
  row_tr = malloc(sizeof(int32_t) * (size_t)cap);
  row_te = malloc(sizeof(int32_t) * (size_t)cap);
  row_val = malloc(sizeof(float) * (size_t)cap);
  scratch = malloc(sizeof(int32_t) * (size_t)cap);
  const int64_t emb_rows = nu > ni ? nu : ni;
  emb = malloc(sizeof(float) * (size_t)(emb_rows * dim + 1));
  if (!tr_ptr || !te_ptr || !cat_ptr || !row_tr || !row_te || !row_val || !scratch || !emb)
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory generating %lld users", (long long)nu);
  RV_AGREE(comm);

  /* Interactions of this rank's users. */
  for (int64_t u = ub[0]; u < ub[1] && !err; u++) {
    int ntr, nte;
    rv_synth_user_rows(m, u, row_tr, &ntr, row_te, row_val, &nte, scratch);
    if (grow_reserve(&tr, ntr, 0) || grow_reserve(&te, nte, 1)) {
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory generating interactions");
      break;
    }
    memcpy(tr.i32 + tr.n, row_tr, sizeof(int32_t) * (size_t)ntr);
    memcpy(te.i32 + te.n, row_te, sizeof(int32_t) * (size_t)nte);
    memcpy(te.f32 + te.n, row_val, sizeof(float) * (size_t)nte);
    tr.n += ntr;
    te.n += nte;
    tr_ptr[u - ub[0] + 1] = tr.n;
    te_ptr[u - ub[0] + 1] = te.n;
  }
  RV_AGREE(comm);

  err = rv_h5_create(comm, tmp, &f);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, tmp, "format", "receval-dataset");
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "version", 1);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "n_users", p->n_users);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "n_items", p->n_items);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "dim", dim);
  RV_AGREE(comm);
  err = rv_h5_write_attr_str(f, tmp, "generator", "receval gen (synthetic, planted clusters)");
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "generator_seed", (int64_t)p->seed);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, "generator_clusters", rv_synth_clusters(m));
  RV_AGREE(comm);

  for (int64_t i = ib[0]; i < ib[1]; i++) rv_synth_item_embedding(m, i, emb + (size_t)(i - ib[0]) * dim);
  err = rv_h5_create_dataset(f, tmp, "/items/embedding", H5T_IEEE_F32LE, p->n_items, dim, &d);
  RV_AGREE(comm);
  err = rv_h5_write_rows_verified(comm, d, tmp, "/items/embedding", H5T_NATIVE_FLOAT, ib[0], ni, dim, emb);
  if (d >= 0) H5Dclose(d);
  d = H5I_INVALID_HID;
  RV_AGREE(comm);

  if (p->user_embeddings) {
    for (int64_t u = ub[0]; u < ub[1]; u++) rv_synth_user_embedding(m, u, emb + (size_t)(u - ub[0]) * dim);
    err = rv_h5_create_dataset(f, tmp, "/users/embedding", H5T_IEEE_F32LE, p->n_users, dim, &d);
    RV_AGREE(comm);
    err = rv_h5_write_rows_verified(comm, d, tmp, "/users/embedding", H5T_NATIVE_FLOAT, ub[0], nu, dim, emb);
    if (d >= 0) H5Dclose(d);
    d = H5I_INVALID_HID;
    RV_AGREE(comm);
  }

  err = rv_h5_write_entries(comm, f, tmp, "/train/indices", H5T_STD_I32LE, H5T_NATIVE_INT32, tr.n, tr.i32);
  RV_AGREE(comm);
  err = rv_h5_write_indptr(comm, f, tmp, "/train/indptr", p->n_users, ub[0], ub[1], tr_ptr);
  RV_AGREE(comm);
  err = rv_h5_write_entries(comm, f, tmp, "/test/indices", H5T_STD_I32LE, H5T_NATIVE_INT32, te.n, te.i32);
  RV_AGREE(comm);
  if (p->graded)
    err = rv_h5_write_entries(comm, f, tmp, "/test/values", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, te.n, te.f32);
  RV_AGREE(comm);
  err = rv_h5_write_indptr(comm, f, tmp, "/test/indptr", p->n_users, ub[0], ub[1], te_ptr);
  RV_AGREE(comm);

  if (p->categories > 0) {
    for (int64_t i = ib[0]; i < ib[1] && !err; i++) {
      int32_t c[2];
      const int n = rv_synth_item_categories(m, i, c);
      if (grow_reserve(&cat, n, 0)) {
        err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
        break;
      }
      memcpy(cat.i32 + cat.n, c, sizeof(int32_t) * (size_t)n);
      cat.n += n;
      cat_ptr[i - ib[0] + 1] = cat.n;
    }
    RV_AGREE(comm);
    err = rv_h5_write_entries(comm, f, tmp, "/items/category/indices", H5T_STD_I32LE, H5T_NATIVE_INT32,
                        cat.n, cat.i32);
    RV_AGREE(comm);
    err = rv_h5_write_indptr(comm, f, tmp, "/items/category/indptr", p->n_items, ib[0], ib[1], cat_ptr);
    RV_AGREE(comm);
    err = rv_h5_write_attr_i64(f, tmp, "n_categories", p->categories);
    RV_AGREE(comm);
  }
  if (H5Fclose(f) < 0) err = rv_error_set(RV_ERR_IO, "%s: closing the file failed", tmp);
  f = H5I_INVALID_HID;
  RV_AGREE(comm);
  if (rank == 0 && rename(tmp, path) != 0)
    err = rv_error_set(RV_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
  RV_AGREE(comm);
done:
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  if (err != RV_OK && rank == 0) remove(tmp);
  rv_synth_model_destroy(&m);
  free(tr.i32), free(te.i32), free(te.f32), free(cat.i32);
  free(tr_ptr), free(te_ptr), free(cat_ptr), free(emb);
  free(row_tr), free(row_te), free(row_val), free(scratch);
  return err;
}
