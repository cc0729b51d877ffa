/* The input dataset (docs/formats.md, contract of ../DESIGN section 3):
 * header validation, global arrays and each rank's user slice. */
#ifndef RV_IO_DATASET_H
#define RV_IO_DATASET_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"

typedef struct rv_dataset {
  char path[4096];
  uint64_t size_bytes;
  int64_t n_users, n_items;
  int dim;
  int64_t train_nnz, test_nnz, cat_nnz;
  int has_user_embeddings, has_test_values, has_categories;
  /* Global, identical on every rank. */
  int64_t grain;         /* RV_DATASET_GRAIN */
  int64_t *train_coarse; /* row pointers at users min(g * grain, n_users), g = 0..ceil(n_users / grain) */
  int64_t *test_coarse;  /* the same for /test (rv_partition_users plans from these) */
  float *items;       /* items [i0, i1) x dim, as stored (all items unless sharded) */
  int64_t i0, i1;     /* this rank's item shard */
  int64_t *cat_ptr;   /* n_items + 1, NULL without /items/category */
  int32_t *cat_idx;   /* categories of each item, sorted */
  int n_categories;   /* 1 + the largest category index */
  /* This rank's users [u0, u1). No rank holds the whole row pointers: these
   * are users u0..u1's (u1 - u0 + 1 entries), read by rv_dataset_read_users;
   * use rv_train_ptr / rv_test_ptr, which take global user numbers. */
  int64_t u0, u1;
  int64_t *train_ptr;
  int64_t *test_ptr;
  float *users;       /* (u1 - u0) x dim, or NULL when the file has none */
  int32_t *train_idx;
  int32_t *test_idx;
  float *test_val;    /* NULL when the file has no /test/values */
} rv_dataset_t;

/* The users of the row-pointer slices kept for planning (RV_GEMM_ROWS and
 * RV_TRAIN_BLOCK are multiples of it). */
#define RV_DATASET_GRAIN 256

/* Row pointer of user u, u0 <= u <= u1: row u's entries in this rank's
 * train_idx (test_idx) are [ptr(u) - ptr(u0), ptr(u + 1) - ptr(u0)). */
static inline int64_t rv_train_ptr(const rv_dataset_t *ds, int64_t u) { return ds->train_ptr[u - ds->u0]; }
static inline int64_t rv_test_ptr(const rv_dataset_t *ds, int64_t u) { return ds->test_ptr[u - ds->u0]; }

/* Local: path exists, is a regular readable file and is HDF5 (exit 4 or
 * 3); *size is its size in bytes. Run by rank 0 before a collective open. */
rv_err_t rv_dataset_precheck(const char *path, uint64_t *size);

/* Collective on comm. Checks the file (exists, HDF5, format, version,
 * shapes and dtypes of every dataset, every dataset stored in the file
 * itself, ids unique), validates the row pointers (each
 * rank reads a slice), keeps them at every RV_DATASET_GRAIN-th user, and
 * reads the item embeddings. Errors are agreed: every rank returns the same
 * code and message (exit code 3 for invalid data, 4 for I/O). */
rv_err_t rv_dataset_open(MPI_Comm comm, const char *path, rv_dataset_t **ds);

/* The same, reading only item shard `shard` of `n_shards`: whole tiles of
 * `tile` items, tiles cut evenly (ds->i0, ds->i1). A usage error when there
 * are fewer tiles than shards. rv_dataset_open reads every item. */
rv_err_t rv_dataset_open_shard(MPI_Comm comm, const char *path, int n_shards, int shard, int tile,
                               rv_dataset_t **ds);

/* Collective on comm. Reads and validates users [u0, u1) (local; ranges of
 * the ranks need not cover anything in particular; empty is fine). */
rv_err_t rv_dataset_read_users(MPI_Comm comm, rv_dataset_t *ds, int64_t u0, int64_t u1);

void rv_dataset_destroy(rv_dataset_t **ds);

#endif
