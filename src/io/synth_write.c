#include "io/synth_write.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5util.h"
#include "io/schema.h"
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

/* One rank's share of a generated dataset: its users [ub[0], ub[1]) and
 * items [ib[0], ib[1]), their interactions as CSR (row pointers from 0). */
typedef struct synth_job {
  MPI_Comm comm;
  const rv_synth_params_t *p;
  rv_synth_model_t *m;
  char tmp[4200];
  int rank, size;
  int64_t ub[2], ib[2], nu, ni;
  grow_t tr, te, cat;
  int64_t *tr_ptr, *te_ptr, *cat_ptr;
  float *emb; /* room for max(nu, ni) embedding rows */
} synth_job_t;

/* Collective: the rank's bounds, buffers and interactions of its users. */
static rv_err_t gen_interactions(synth_job_t *j) {
  rv_err_t err = RV_OK;
  const MPI_Comm comm = j->comm;
  const rv_synth_params_t *p = j->p;
  int32_t *row_tr = NULL, *row_te = NULL, *scratch = NULL;
  float *row_val = NULL;
  {
    int64_t b[j->size + 1];
    rv_partition_even(p->n_users, j->size, b);
    j->ub[0] = b[j->rank], j->ub[1] = b[j->rank + 1];
    rv_partition_even(p->n_items, j->size, b);
    j->ib[0] = b[j->rank], j->ib[1] = b[j->rank + 1];
  }
  const int64_t nu = j->nu = j->ub[1] - j->ub[0], ni = j->ni = j->ib[1] - j->ib[0];
  const int cap = rv_synth_max_rows(j->m);
  j->tr_ptr = calloc((size_t)nu + 2, sizeof(int64_t));
  j->te_ptr = calloc((size_t)nu + 2, sizeof(int64_t));
  j->cat_ptr = calloc((size_t)ni + 2, sizeof(int64_t));
  row_tr = malloc(sizeof(int32_t) * (size_t)cap);
  row_te = malloc(sizeof(int32_t) * (size_t)cap);
  row_val = malloc(sizeof(float) * (size_t)cap);
  scratch = malloc(sizeof(int32_t) * (size_t)cap);
  const int64_t emb_rows = nu > ni ? nu : ni;
  j->emb = malloc(sizeof(float) * (size_t)(emb_rows * p->dim + 1));
  if (!j->tr_ptr || !j->te_ptr || !j->cat_ptr || !row_tr || !row_te || !row_val || !scratch || !j->emb)
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory generating %lld users", (long long)nu);
  RV_AGREE(comm);

  grow_t *tr = &j->tr, *te = &j->te;
  for (int64_t u = j->ub[0]; u < j->ub[1] && !err; u++) {
    int ntr, nte;
    rv_synth_user_rows(j->m, u, row_tr, &ntr, row_te, row_val, &nte, scratch);
    if (grow_reserve(tr, ntr, 0) || grow_reserve(te, nte, 1)) {
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory generating interactions");
      break;
    }
    memcpy(tr->i32 + tr->n, row_tr, sizeof(int32_t) * (size_t)ntr);
    memcpy(te->i32 + te->n, row_te, sizeof(int32_t) * (size_t)nte);
    memcpy(te->f32 + te->n, row_val, sizeof(float) * (size_t)nte);
    tr->n += ntr;
    te->n += nte;
    j->tr_ptr[u - j->ub[0] + 1] = tr->n;
    j->te_ptr[u - j->ub[0] + 1] = te->n;
  }
  RV_AGREE(comm);
done:
  free(row_tr), free(row_te), free(row_val), free(scratch);
  return err;
}

/* Collective: the root attributes. */
static rv_err_t write_header(const synth_job_t *j, hid_t f) {
  rv_err_t err = RV_OK;
  const rv_synth_params_t *p = j->p;
  err = rv_h5_write_attr_str(f, j->tmp, RV_ATTR_FORMAT, RV_FMT_DATASET);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_VERSION, RV_FMT_VERSION);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_N_USERS, p->n_users);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_N_ITEMS, p->n_items);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_DIM, p->dim);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_str(f, j->tmp, RV_ATTR_GENERATOR, RV_GEN_SYNTH);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_GENERATOR_SEED, (int64_t)p->seed);
  RV_AGREE(j->comm);
  err = rv_h5_write_attr_i64(f, j->tmp, RV_ATTR_GENERATOR_CLUSTERS, rv_synth_clusters(j->m));
  RV_AGREE(j->comm);
done:
  return err;
}

/* Collective: /items/embedding and, when asked for, /users/embedding. */
static rv_err_t write_embeddings(const synth_job_t *j, hid_t f) {
  rv_err_t err = RV_OK;
  const MPI_Comm comm = j->comm;
  const rv_synth_params_t *p = j->p;
  const char *tmp = j->tmp;
  const int dim = p->dim;
  float *emb = j->emb;
  hid_t d = H5I_INVALID_HID;
  for (int64_t i = j->ib[0]; i < j->ib[1]; i++) rv_synth_item_embedding(j->m, i, emb + (size_t)(i - j->ib[0]) * dim);
  err = rv_h5_create_dataset(f, tmp, RV_DS_ITEMS_EMBEDDING, H5T_IEEE_F32LE, p->n_items, dim, &d);
  RV_AGREE(comm);
  err = rv_h5_write_rows_verified(comm, d, tmp, RV_DS_ITEMS_EMBEDDING, H5T_NATIVE_FLOAT, j->ib[0], j->ni, dim, emb);
  if (d >= 0) H5Dclose(d);
  d = H5I_INVALID_HID;
  RV_AGREE(comm);

  if (p->user_embeddings) {
    for (int64_t u = j->ub[0]; u < j->ub[1]; u++) rv_synth_user_embedding(j->m, u, emb + (size_t)(u - j->ub[0]) * dim);
    err = rv_h5_create_dataset(f, tmp, RV_DS_USERS_EMBEDDING, H5T_IEEE_F32LE, p->n_users, dim, &d);
    RV_AGREE(comm);
    err = rv_h5_write_rows_verified(comm, d, tmp, RV_DS_USERS_EMBEDDING, H5T_NATIVE_FLOAT, j->ub[0], j->nu, dim, emb);
    if (d >= 0) H5Dclose(d);
    d = H5I_INVALID_HID;
    RV_AGREE(comm);
  }
done:
  if (d >= 0) H5Dclose(d);
  return err;
}

/* Collective: /train and /test. */
static rv_err_t write_interactions(const synth_job_t *j, hid_t f) {
  rv_err_t err = RV_OK;
  const MPI_Comm comm = j->comm;
  const char *tmp = j->tmp;
  const int64_t n = j->p->n_users, *ub = j->ub;
  err = rv_h5_write_entries(comm, f, tmp, RV_DS_TRAIN_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, j->tr.n, j->tr.i32);
  RV_AGREE(comm);
  err = rv_h5_write_indptr(comm, f, tmp, RV_DS_TRAIN_INDPTR, n, ub[0], ub[1], j->tr_ptr);
  RV_AGREE(comm);
  err = rv_h5_write_entries(comm, f, tmp, RV_DS_TEST_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, j->te.n, j->te.i32);
  RV_AGREE(comm);
  if (j->p->graded)
    err = rv_h5_write_entries(comm, f, tmp, RV_DS_TEST_VALUES, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, j->te.n, j->te.f32);
  RV_AGREE(comm);
  err = rv_h5_write_indptr(comm, f, tmp, RV_DS_TEST_INDPTR, n, ub[0], ub[1], j->te_ptr);
  RV_AGREE(comm);
done:
  return err;
}

/* Collective: the items' categories (/items/category) and n_categories. */
static rv_err_t write_categories(synth_job_t *j, hid_t f) {
  rv_err_t err = RV_OK;
  const MPI_Comm comm = j->comm;
  const char *tmp = j->tmp;
  const int64_t *ib = j->ib;
  grow_t *cat = &j->cat;
  for (int64_t i = ib[0]; i < ib[1] && !err; i++) {
    int32_t c[2];
    const int n = rv_synth_item_categories(j->m, i, c);
    if (grow_reserve(cat, n, 0)) {
      err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
      break;
    }
    memcpy(cat->i32 + cat->n, c, sizeof(int32_t) * (size_t)n);
    cat->n += n;
    j->cat_ptr[i - ib[0] + 1] = cat->n;
  }
  RV_AGREE(comm);
  err = rv_h5_write_entries(comm, f, tmp, RV_DS_ITEMS_CATEGORY_INDICES, H5T_STD_I32LE, H5T_NATIVE_INT32, cat->n,
                            cat->i32);
  RV_AGREE(comm);
  err = rv_h5_write_indptr(comm, f, tmp, RV_DS_ITEMS_CATEGORY_INDPTR, j->p->n_items, ib[0], ib[1], j->cat_ptr);
  RV_AGREE(comm);
  err = rv_h5_write_attr_i64(f, tmp, RV_ATTR_N_CATEGORIES, j->p->categories);
  RV_AGREE(comm);
done:
  return err;
}

rv_err_t rv_synth_write(MPI_Comm comm, const rv_synth_params_t *p, const char *path) {
  rv_err_t err = RV_OK;
  synth_job_t j = {.comm = comm, .p = p};
  MPI_Comm_rank(comm, &j.rank);
  MPI_Comm_size(comm, &j.size);
  snprintf(j.tmp, sizeof j.tmp, "%s.tmp", path);
  const char *tmp = j.tmp;
  hid_t f = H5I_INVALID_HID;

  if (rv_synth_model_create(p, &j.m) != 0) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for the generator tables");
  RV_AGREE(comm);
  RV_TRY(gen_interactions(&j));
  err = rv_h5_create(comm, tmp, &f);
  RV_AGREE(comm);
  RV_TRY(write_header(&j, f));
  RV_TRY(write_embeddings(&j, f));
  RV_TRY(write_interactions(&j, f));
  if (p->categories > 0) RV_TRY(write_categories(&j, f));
  if (H5Fclose(f) < 0) err = rv_error_set(RV_ERR_IO, "%s: closing the file failed", tmp);
  f = H5I_INVALID_HID;
  RV_AGREE(comm);
  if (j.rank == 0 && rename(tmp, path) != 0)
    err = rv_error_set(RV_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
  RV_AGREE(comm);
done:
  if (f >= 0) H5Fclose(f);
  if (err != RV_OK && j.rank == 0) remove(tmp);
  rv_synth_model_destroy(&j.m);
  free(j.tr.i32), free(j.te.i32), free(j.te.f32), free(j.cat.i32);
  free(j.tr_ptr), free(j.te_ptr), free(j.cat_ptr), free(j.emb);
  return err;
}
