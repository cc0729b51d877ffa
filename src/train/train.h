/* `receval train`: the data every model trains on, and the models' entry
 * points. Internal to src/train/ and cli/cmd_train.c. */
#ifndef RV_TRAIN_TRAIN_H
#define RV_TRAIN_TRAIN_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "comm/range.h"
#include "base/error.h"
#include "io/dataset.h"
#include "io/schema.h"
#include "kernels/score.h"
#include "kernels/trainstep.h"
#include "kernels/xsum.h"
#include "receval.pb-c.h"

/* Users are split among ranks at multiples of this, and sums that are not
 * exact per term (the bilinear Gram matrices) are accumulated in double over
 * fixed global blocks of this many users or items, then added exactly: the
 * same blocks, hence the same bits, at any rank count. */
#define RV_TRAIN_BLOCK 256

/* Files in --out DIR. */
#define RV_MODEL_FILE RV_FILE_MODEL
#define RV_CHECKPOINT_FILE RV_FILE_CHECKPOINT

typedef struct rv_train {
  const Receval__TrainSpec *spec;
  const uint8_t *spec_bytes; /* the packed TrainSpec (checkpoints compare it on --resume) */
  size_t spec_len;
  rv_dataset_t *ds;          /* this rank's users [u0, u1) read */
  char checksum[32];         /* of the dataset file */
  rv_similarity_t sim;
  rv_loss_t loss;
  rv_sched_t sched;
  int adam;
  /* Scored vectors: users (u1 - u0) x dim and ds->items, normalised for
   * cosine; squared norms for euclidean (else NULL). */
  float *users, *unorm2, *inorm2;
  rv_range_t range; /* largest norms; range.check: scores are checked finite */
  /* Per local train entry: 1 when held out for validation. */
  uint8_t *is_val;
  int64_t val_local;         /* validation positives of this rank */
} rv_train_t;

/* train/prepare.c. Collective: reads the dataset (users split by cost),
 * builds the scored vectors and the seeded validation split. */
rv_err_t rv_train_prepare(MPI_Comm comm, rv_train_t *t);
/* train/run.c: the whole training job from its decoded spec (bytes: its
 * encoding, recorded in model.h5). Collective; errors agreed. */
rv_err_t rv_train_run(MPI_Comm comm, const Receval__TrainSpec *s, const uint8_t *bytes, size_t len,
                      FILE *out);
void rv_train_free(rv_train_t *t);

/* train/item_weight.c. Collective: trains y = sigmoid(w_i s(u,i) + b_i)
 * and writes DIR/model.h5. RV_ERR_INTERRUPTED (agreed) after a signal,
 * with DIR/checkpoint.h5 written. */
rv_err_t rv_train_item_weight(MPI_Comm comm, rv_train_t *t, FILE *out);

/* train/bilinear.c. Collective: fits s(u,i) = e_u^T A e_i in closed form
 * (ScaLAPACK) and writes DIR/model.h5. */
rv_err_t rv_train_bilinear(MPI_Comm comm, rv_train_t *t, FILE *out);

#endif
