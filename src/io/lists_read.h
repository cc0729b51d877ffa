/* What `receval runs` reads besides the dataset's arrays (rank 0, serial):
 * the external ids and titles that run files name, and ranked lists stored
 * in HDF5. */
#ifndef RV_IO_LISTS_READ_H
#define RV_IO_LISTS_READ_H
#include <stdint.h>

#include "base/error.h"

typedef struct rv_cat_ids {
  char **user_id, **item_id, **title; /* NULL when the dataset has none */
  int64_t n_users, n_items;
} rv_cat_ids_t;

/* /users/id, /items/id and /items/title of a dataset, each optional, each
 * checked to have n_users or n_items entries. */
rv_err_t rv_cat_ids_read(const char *path, int64_t n_users, int64_t n_items, rv_cat_ids_t *c);
void rv_cat_ids_free(rv_cat_ids_t *c);

/* HDF5 lists: int32 [n_users, K] catalogue indices, best first, -1 pads;
 * /topk/items (receval's results.h5) or /lists/items, with the matching
 * float32 scores (/topk/scores or /lists/scores) when present (else NULL). */
rv_err_t rv_h5_lists_read(const char *path, int64_t n_users, int32_t **items, float **scores, int *K);

#endif
