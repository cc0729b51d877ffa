/* The complete state of an item-weight training run: with it, a resumed run
 * continues bit for bit as if never stopped (negatives are keyed by
 * (seed, epoch, user), so (epoch, batch) is the random position). */
#ifndef RV_TRAIN_IW_STATE_H
#define RV_TRAIN_IW_STATE_H
#include <stdint.h>

#include "base/error.h"
#include "kernels/xsum.h"
#include "train/train.h"

typedef struct rv_iw_state {
  int64_t n;              /* items; parameters are x = (w[0..n), b[0..n)) */
  double *x, *m, *v;      /* parameters, Adam first and second moments (2n each) */
  double *best;           /* parameters at the best validation loss so far (2n) */
  int64_t epoch, batch;   /* position: next epoch, next mini-batch in it */
  int64_t step;           /* optimizer steps done */
  double best_val;        /* best validation loss (+inf before the first) */
  int64_t bad_epochs;     /* epochs since the best validation loss */
  int64_t stopped;        /* 1: early stopping ended the run */
  rv_i128 ep_loss;        /* exact sum of this epoch's training pair losses so far */
  int64_t ep_pairs;       /* and their number */
  int64_t n_hist;         /* finished epochs */
  double *hist_train, *hist_val; /* per finished epoch (capacity: spec->epochs) */
} rv_iw_state_t;

rv_err_t rv_iw_state_alloc(rv_iw_state_t *st, int64_t n_items, int64_t epochs);
void rv_iw_state_free(rv_iw_state_t *st);

/* train/checkpoint.c. Local (rank 0): writes path atomically (path.tmp,
 * then rename). */
rv_err_t rv_iw_checkpoint_write(const char *path, const rv_train_t *t, const rv_iw_state_t *st);
/* Local (every rank reads the same file): fills st, after checking that the
 * checkpoint belongs to this dataset and these training options. */
rv_err_t rv_iw_checkpoint_read(const char *path, const rv_train_t *t, rv_iw_state_t *st);
/* Local (rank 0): DIR/model.h5 atomically. */
rv_err_t rv_iw_model_write(const char *path, const rv_train_t *t, const rv_iw_state_t *st,
                           const double *params);

#endif
