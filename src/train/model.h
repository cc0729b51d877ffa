/* A trained model as `receval eval --model DIR` uses it: loaded from
 * DIR/model.h5 (receval train), then applied inside the scoring pass. */
#ifndef RV_TRAIN_MODEL_H
#define RV_TRAIN_MODEL_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"
#include "kernels/score.h"

typedef struct rv_model {
  char path[4200];
  char kind[32];          /* "item-weight" */
  rv_similarity_t sim;    /* the similarity it was trained on */
  int64_t n_items;
  int dim;
  int whiten;             /* trained on whitened embeddings */
  int bilinear;           /* 1: s = e_u^T A e_i (users are transformed, scores used as they are) */
  double *w, *b;          /* item-weight: n_items each */
  double *A;              /* bilinear: dim x dim, row-major */
  /* Bound by the evaluation (rv_model_bind): the scored item vectors. */
  const float *items, *inorm2;
  uint64_t seed;
} rv_model_t;

/* Collective: every rank reads DIR/model.h5 and checks it against the
 * dataset's shape (n_items, dim); errors agreed. */
rv_err_t rv_model_load(MPI_Comm comm, const char *dir, int64_t n_items, int dim, rv_model_t **m);
void rv_model_free(rv_model_t **m);
void rv_model_bind(rv_model_t *m, const float *items, const float *inorm2, uint64_t seed);

/* Bilinear: each of the n user rows x (dim) becomes A^T x (in place, sums
 * in double). Item-weight: nothing. */
void rv_model_users(const rv_model_t *m, float *users, int64_t n);

/* Scores -> model outputs, in place, for rows x nt scores of items
 * [t0, t0 + nt) (leading dimension ld). Item-weight: sigmoid(w_i s + b_i). */
void rv_model_tile(const rv_model_t *m, float *tile, int rows, int nt, int64_t t0, int ld);
/* Maps a bracket [lo, hi] of item it's raw score to one of its output. */
void rv_model_bracket(const rv_model_t *m, int32_t it, float *lo, float *hi);

/* Per-user prediction errors on the user's test positives (label 1) and as
 * many sampled negatives (label 0; none of the user's train or test items,
 * drawn from the stream of (seed, user)). Returns 0, or -1 without pairs or
 * on allocation failure. */
int rv_model_user_errors(const rv_model_t *m, int64_t user, const float *uvec, float unorm2,
                         const int32_t *test, int64_t n_test, const int32_t *train, int64_t n_train,
                         double *rmse, double *logloss);

#endif
