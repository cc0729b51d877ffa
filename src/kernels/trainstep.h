/* Training arithmetic on plain arrays (no MPI, no HDF5): the item-weight
 * model's per-pair loss and gradient, optimizer updates, learning-rate
 * schedules and negative sampling. docs/training.md derives every formula. */
#ifndef RV_KERNELS_TRAINSTEP_H
#define RV_KERNELS_TRAINSTEP_H
#include <stdint.h>

#include "kernels/rng.h"

typedef enum rv_loss { RV_LOSS_MSE = 0, RV_LOSS_BCE = 1 } rv_loss_t;
typedef enum rv_sched { RV_SCHED_CONSTANT = 0, RV_SCHED_STEP = 1, RV_SCHED_COSINE = 2 } rv_sched_t;

/* Random streams of training (kernels/rng.h keeps the generator's ids). */
enum {
  RV_STREAM_TRAIN_NEG = 101,  /* negatives of (epoch, user): index epoch * n_users + user */
  RV_STREAM_TRAIN_VAL = 102,  /* validation split of a user's train positives */
  RV_STREAM_VAL_NEG = 103,    /* fixed negatives of a user's validation positives */
  RV_STREAM_EVAL_NEG = 104    /* negatives of the model metrics (rmse, logloss) */
};

/* Logistic function, 1 / (1 + exp(-z)), without overflow for any z. */
double rv_sigmoid(double z);

/* Loss of one pair with label y in {0, 1} at logit z = w s + b, and dL/dz:
 *   mse: L = (y - p)^2 / 2, p = sigmoid(z);  dL/dz = (p - y) p (1 - p)
 *   bce: L = -y log p - (1 - y) log(1 - p);   dL/dz = p - y
 * (bce evaluated as softplus(z) - y z, finite for any z). */
double rv_loss_pair(rv_loss_t loss, double z, double y, double *dldz);

/* Learning rate of a step: constant lr0; step: lr0 * gamma^epoch; cosine:
 * lr0 * (1 + cos(pi * step / total)) / 2 over total steps. */
double rv_lr_at(rv_sched_t sched, double lr0, double gamma, int64_t epoch, int64_t step,
                int64_t total);

/* x -= lr * g over n entries. */
void rv_sgd_update(double *x, const double *g, int64_t n, double lr);
/* Adam (beta1 0.9, beta2 0.999, eps 1e-8) with bias correction at step t >= 1. */
void rv_adam_update(double *x, double *m, double *v, const double *g, int64_t n, double lr, int64_t t);

/* Draws up to `want` items uniformly from [0, n_items) minus the sorted list
 * pos[0..npos) (duplicates among the draws allowed). Returns the number
 * drawn: fewer only when the user has (almost) every item, after 64 * want
 * rejected draws. */
int64_t rv_sample_negatives(rv_rng_t *r, int64_t n_items, const int32_t *pos, int64_t npos,
                            int64_t want, int32_t *out);
/* The same against the union of two sorted lists (e.g. train and test). */
int64_t rv_sample_negatives2(rv_rng_t *r, int64_t n_items, const int32_t *a, int64_t na,
                             const int32_t *b, int64_t nb, int64_t want, int32_t *out);

#endif
