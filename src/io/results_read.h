/* Reading a results.h5 back (rank 0, serial): what `receval compare` needs
 * of each side, its dataset's checksum, its user count and the per-user
 * metric columns under /per_user. */
#ifndef RV_IO_RESULTS_READ_H
#define RV_IO_RESULTS_READ_H
#include <hdf5.h>
#include <stdint.h>

#include "base/error.h"

#define RV_RESULTS_MAX_COLS 256

typedef struct rv_results_in {
  char path[4200];                        /* DIR/results.h5 */
  hid_t f;                                /* open until rv_results_in_close */
  int64_t n_users;                        /* rows of /topk/items */
  char checksum[64];                      /* root attribute dataset_checksum */
  char names[RV_RESULTS_MAX_COLS][64];    /* the per-user columns, by name */
  int n;
} rv_results_in_t;

/* Opens DIR/results.h5, checks its format and reads the header above. */
rv_err_t rv_results_in_open(const char *dir, rv_results_in_t *r);
/* The per-user column `name` (n_users doubles, NaN where a user has none). */
rv_err_t rv_results_in_column(const rv_results_in_t *r, const char *name, double *v);
void rv_results_in_close(rv_results_in_t *r);

#endif
