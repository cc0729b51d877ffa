/* Data-parallel training of the item-weight model
 *   y_hat(u, i) = sigmoid(w_i s(u, i) + b_i)
 * Mini-batch b of nb = ceil(n_users / B) is the fixed user set
 * {u : u mod nb = b} (strided, so that every rank's contiguous user range
 * holds about B / P of them): every rank adds the exact (128-bit
 * fixed-point) gradient partials of its users in it, one
 * Allreduce per step sums them together with the loss, the pair count and
 * the ranks' signal flags, and every rank applies the same update. The
 * result is bitwise the same at any rank count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "comm/reduce.h"
#include "io/outdir.h"
#include "train/iw_state.h"
#include "train/signals.h"

/* CPU seconds of this process (work done, whatever the scheduler does). */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct scratch {
  int64_t positives; /* training positives this rank processed (throughput) */
  int32_t *item; /* pairs of one user: item, label, score */
  float *y, *s;
  double *grad;  /* 2n: the reduced gradient */
  double cpu_reduce; /* CPU seconds inside the step reductions (MPI polls while it waits) */
  rv_i128 *buf;  /* 2n + 4: gradient sums, loss sum, pair count, signal flags, error flags */
  MPI_Datatype type; /* the exact-sum reduction (comm/reduce.h) */
  MPI_Op op;
} scratch_t;

/* The pairs of user u for an epoch's training (val = 0) or for validation
 * (val = 1): its positives of that kind, then `negatives` sampled items per
 * positive that are none of u's train positives. Returns the pair count. */
static int64_t user_pairs(const rv_train_t *t, int64_t u, int val, int64_t epoch, scratch_t *w) {
  const rv_dataset_t *ds = t->ds;
  const int64_t base = rv_train_ptr(ds, ds->u0), e0 = rv_train_ptr(ds, u) - base;
  const int64_t len = rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
  const int32_t *row = ds->train_idx + e0;
  int64_t np = 0;
  for (int64_t e = 0; e < len; e++)
    if (t->is_val[e0 + e] == val) {
      w->item[np] = row[e];
      w->y[np++] = 1.0f;
    }
  if (np == 0) return 0;
  if (!val) w->positives += np;
  rv_rng_t r;
  if (val)
    rv_rng_seed(&r, t->spec->seed, RV_STREAM_VAL_NEG, (uint64_t)u);
  else
    rv_rng_seed(&r, t->spec->seed, RV_STREAM_TRAIN_NEG, (uint64_t)(epoch * ds->n_users + u));
  const int64_t nn = rv_sample_negatives(&r, ds->n_items, row, len, np * t->spec->negatives, w->item + np);
  for (int64_t q = np; q < np + nn; q++) w->y[q] = 0.0f;
  const int64_t n = np + nn;
  const int64_t lu = u - ds->u0;
  rv_score_pairs(t->sim, t->users + (size_t)lu * ds->dim, t->unorm2 ? t->unorm2[lu] : 0.0f,
                 ds->items, t->inorm2, ds->dim, w->item, n, w->s);
  return n;
}

/* Adds the loss and (when grad) the gradient of u's pairs under params x. */
static rv_err_t add_user(const rv_train_t *t, const double *x, int64_t n_items, int64_t u, int val,
                         int64_t epoch, scratch_t *w, rv_i128 *grad, rv_i128 *loss, int64_t *pairs) {
  rv_err_t err = RV_OK;
  const int64_t n = user_pairs(t, u, val, epoch, w);
  for (int64_t q = 0; q < n; q++) {
    const int32_t i = w->item[q];
    const double s = w->s[q];
    if (t->range.check && !isfinite(s)) RV_TRY(rv_range_error(&t->range, t->ds->path));
    double g;
    const double l = rv_loss_pair(t->loss, x[i] * s + x[n_items + i], w->y[q], &g);
    int bad = rv_xsum_add(loss, l);
    if (grad) bad |= rv_xsum_add(&grad[i], g * s) | rv_xsum_add(&grad[n_items + i], g);
    RV_REQUIRE(!bad, RV_ERR_RUNTIME, "train: user %lld, item %d: loss or gradient not finite (%g)",
               (long long)u, i, l);
  }
  *pairs += n;
done:
  return err;
}

/* Mean validation loss under st->x (collective); NaN without validation pairs. */
static rv_err_t validate(MPI_Comm comm, const rv_train_t *t, const rv_iw_state_t *st, scratch_t *w,
                         double *out) {
  rv_err_t err = RV_OK;
  rv_i128 acc[2] = {0, 0};
  int64_t pairs = 0;
  for (int64_t u = t->ds->u0; u < t->ds->u1 && !err; u++)
    err = add_user(t, st->x, st->n, u, 1, 0, w, NULL, &acc[0], &pairs);
  RV_AGREE(comm);
  acc[1] = pairs;
  RV_TRY(rv_allreduce_i128(comm, acc, 2));
  *out = acc[1] > 0 ? rv_xsum_value(acc[0]) / (double)acc[1] : NAN;
done:
  return err;
}

/* One optimizer step on mini-batch st->batch. *flag: signals seen on any rank. */
static rv_err_t step(MPI_Comm comm, const rv_train_t *t, rv_iw_state_t *st, scratch_t *w,
                     int64_t total_steps, double *t_reduce, int64_t *flag) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = t->ds;
  const int64_t n = st->n, B = t->spec->batch_users, nb = (ds->n_users + B - 1) / B;
  memset(w->buf, 0, sizeof(rv_i128) * (size_t)(2 * n + 4));
  /* The first of this rank's users in batch st->batch, then every nb-th. */
  const int64_t first = ds->u0 + ((st->batch - ds->u0 % nb) % nb + nb) % nb;
  int64_t pairs = 0;
  for (int64_t u = first; u < ds->u1 && !err; u += nb)
    err = add_user(t, st->x, n, u, 0, st->epoch, w, w->buf, &w->buf[2 * n], &pairs);
  /* Pair count, signal and error flags ride in the step's one reduction. */
  w->buf[2 * n + 1] = pairs;
  w->buf[2 * n + 2] = rv_signal_pending() != 0;
  w->buf[2 * n + 3] = err != RV_OK;
  const double t0 = MPI_Wtime(), c0 = cpu_now();
  const int rc = MPI_Allreduce(MPI_IN_PLACE, w->buf, (int)(2 * n + 4), w->type, w->op, comm);
  *t_reduce += MPI_Wtime() - t0;
  w->cpu_reduce += cpu_now() - c0;
  if (rc != MPI_SUCCESS) RV_FAIL(RV_ERR_RUNTIME, "MPI_Allreduce of the step's gradients failed");
  if (w->buf[2 * n + 3] != 0) { /* some rank failed: every rank takes this branch */
    err = rv_error_agree(comm, err);
    goto done;
  }
  const int64_t count = (int64_t)w->buf[2 * n + 1];
  *flag = (int64_t)w->buf[2 * n + 2];
  st->ep_loss += w->buf[2 * n];
  st->ep_pairs += count;
  st->step++;
  if (count > 0) {
    const double l2 = t->spec->l2;
    for (int64_t j = 0; j < 2 * n; j++) w->grad[j] = rv_xsum_value(w->buf[j]) / (double)count + l2 * st->x[j];
    const double lr = rv_lr_at(t->sched, t->spec->lr, t->spec->lr_gamma, st->epoch, st->step - 1, total_steps);
    if (t->adam)
      rv_adam_update(st->x, st->m, st->v, w->grad, 2 * n, lr, st->step);
    else
      rv_sgd_update(st->x, w->grad, 2 * n, lr);
  }
  st->batch++;
done:
  return err;
}

/* The end of an epoch: history, validation, early stopping. Collective. */
static rv_err_t end_epoch(MPI_Comm comm, const rv_train_t *t, rv_iw_state_t *st, scratch_t *w,
                          FILE *out, int rank) {
  rv_err_t err = RV_OK;
  double val;
  RV_TRY(validate(comm, t, st, w, &val));
  const double tl = st->ep_pairs > 0 ? rv_xsum_value(st->ep_loss) / (double)st->ep_pairs : NAN;
  st->hist_train[st->n_hist] = tl;
  st->hist_val[st->n_hist] = val;
  st->n_hist++;
  if (!isnan(val)) {
    if (val < st->best_val) {
      st->best_val = val;
      st->bad_epochs = 0;
      memcpy(st->best, st->x, sizeof(double) * (size_t)(2 * st->n));
    } else if (++st->bad_epochs >= t->spec->patience && t->spec->patience > 0) {
      st->stopped = 1;
    }
  }
  if (rank == 0 && out) {
    fprintf(out, "receval train: epoch %lld/%d  train_loss %.6f  val_loss %.6f%s\n",
            (long long)st->epoch + 1, t->spec->epochs, tl, val, st->stopped ? "  (early stop)" : "");
    fflush(out);
  }
  if (rank == 0 && t->spec->progress)
    fprintf(stderr, "receval: train: epoch %lld/%d done, %lld steps, train_loss %.6f, val_loss %.6f\n",
            (long long)st->epoch + 1, t->spec->epochs, (long long)st->step, tl, val);
  st->epoch++;
  st->batch = 0;
  st->ep_loss = 0;
  st->ep_pairs = 0;
done:
  return err;
}

static rv_err_t checkpoint(MPI_Comm comm, const rv_train_t *t, const rv_iw_state_t *st, int rank,
                           const char *path) {
  rv_err_t err = RV_OK;
  if (rank == 0) err = rv_iw_checkpoint_write(path, t, st);
  RV_AGREE(comm);
done:
  return err;
}

rv_err_t rv_train_item_weight(MPI_Comm comm, rv_train_t *t, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  const Receval__TrainSpec *spec = t->spec;
  const rv_dataset_t *ds = t->ds;
  const int64_t n = ds->n_items, B = spec->batch_users;
  const int64_t nb = (ds->n_users + B - 1) / B, total_steps = nb * spec->epochs;
  rv_iw_state_t st;
  scratch_t w = {0};
  char ckpt[4200], model[4200];
  rv_outdir_path(ckpt, sizeof ckpt, spec->out_dir, RV_CHECKPOINT_FILE, 0);
  rv_outdir_path(model, sizeof model, spec->out_dir, RV_MODEL_FILE, 0);
  err = rv_iw_state_alloc(&st, n, spec->epochs);
  int64_t maxrow = 0;
  for (int64_t u = ds->u0; u < ds->u1; u++)
    if (rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u) > maxrow) maxrow = rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
  const size_t cap = (size_t)(maxrow * (1 + spec->negatives) + 1);
  w.item = malloc(sizeof(int32_t) * cap);
  w.y = malloc(sizeof(float) * cap);
  w.s = malloc(sizeof(float) * cap);
  w.grad = malloc(sizeof(double) * (size_t)(2 * n));
  w.buf = malloc(sizeof(rv_i128) * (size_t)(2 * n + 4));
  w.type = MPI_DATATYPE_NULL;
  w.op = MPI_OP_NULL;
  if (!err) err = rv_i128_sum_op(&w.type, &w.op);
  if (!err && (!w.item || !w.y || !w.s || !w.grad || !w.buf))
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory for training scratch");
  RV_AGREE(comm);
  /* Start: w = 1 (the raw similarity's scale), b = 0; or the checkpoint. */
  for (int64_t i = 0; i < n; i++) st.x[i] = 1.0;
  memcpy(st.best, st.x, sizeof(double) * (size_t)(2 * n));
  /* Rank 0 decides whether there is a checkpoint to resume from, for all:
   * ranks that saw it differently (node-local paths, NFS attribute caches)
   * would take different numbers of steps, and so of collectives. */
  int resumed = 0, have = rank == 0 && spec->resume && access(ckpt, R_OK) == 0;
  RV_MPI_TRY(MPI_Bcast(&have, 1, MPI_INT, 0, comm));
  if (have) {
    err = rv_iw_checkpoint_read(ckpt, t, &st);
    resumed = 1;
  }
  RV_AGREE(comm);
  if (rank == 0 && out) {
    if (resumed)
      fprintf(out, "receval train: resuming from %s at epoch %lld, step %lld\n", ckpt,
              (long long)st.epoch + 1, (long long)st.step);
    else if (spec->resume)
      fprintf(out, "receval train: --resume: no checkpoint in %s, starting from the beginning\n",
              spec->out_dir);
  }

  double t_reduce = 0.0;
  int64_t pairs0 = 0, steps0 = st.step, positives = 0;
  const double t_start = MPI_Wtime(), cpu_start = cpu_now();
  while (st.epoch < spec->epochs && !st.stopped) {
    while (st.batch < nb) {
      int64_t flag = 0;
      const int64_t before = st.ep_pairs;
      RV_TRY(step(comm, t, &st, &w, total_steps, &t_reduce, &flag));
      pairs0 += st.ep_pairs - before;
      const int every = spec->checkpoint_every > 0 && st.step % spec->checkpoint_every == 0;
      if (flag || every) RV_TRY(checkpoint(comm, t, &st, rank, ckpt));
      if (flag) {
        err = rv_error_set(RV_ERR_INTERRUPTED, "interrupted, checkpoint written; rerun with --resume");
        RV_AGREE(comm);
      }
    }
    RV_TRY(end_epoch(comm, t, &st, &w, out, rank));
  }
  const double compute = rv_allmax_double(comm, cpu_now() - cpu_start - w.cpu_reduce);
  const double elapsed = rv_allmax_double(comm, MPI_Wtime() - t_start);
  t_reduce = rv_allmax_double(comm, t_reduce);
  positives = w.positives;
  RV_TRY(rv_allreduce_i64(comm, &positives, 1));
  /* The model: the parameters of the best validation epoch (the last
   * parameters when there is no validation split). */
  const double *final = isfinite(st.best_val) ? st.best : st.x;
  if (rank == 0) {
    err = rv_iw_model_write(model, t, &st, final);
    if (!err && remove(ckpt) != 0 && access(ckpt, F_OK) == 0)
      err = rv_error_set(RV_ERR_IO, "%s: cannot remove the finished run's checkpoint", ckpt);
  }
  RV_AGREE(comm);
  if (rank == 0 && out) {
    fprintf(out,
            "receval train: item-weight, %lld epochs, %lld steps (%lld this run), %d ranks, %.2f s; "
            "%.0f interactions/s (%.0f pairs/s with negatives), reductions %.1f%% of the time; "
            "compute (CPU outside reductions) %.2f s on the busiest rank; best val_loss %.6f\n"
            "  model in %s\n",
            (long long)st.n_hist, (long long)st.step, (long long)(st.step - steps0), nranks, elapsed,
            elapsed > 0 ? (double)positives / elapsed : 0.0, elapsed > 0 ? (double)pairs0 / elapsed : 0.0,
            elapsed > 0 ? 100.0 * t_reduce / elapsed : 0.0, compute, st.best_val, model);
    fflush(out);
  }
done:
  rv_iw_state_free(&st);
  free(w.item), free(w.y), free(w.s), free(w.grad), free(w.buf);
  rv_i128_sum_op_free(&w.type, &w.op);
  return err;
}
