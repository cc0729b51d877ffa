/* `receval train`: the training lifecycle once the spec is agreed: the
 * options as enums, the dataset read and checked, the output directory
 * taken, then the model's trainer (item_weight.c or bilinear.c). */
#include <string.h>

#include "io/outdir.h"
#include "kernels/similarity.h"
#include "train/train.h"

rv_err_t rv_train_run(MPI_Comm comm, const Receval__TrainSpec *s, const uint8_t *bytes, size_t len,
                      FILE *out) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  rv_train_t t;
  memset(&t, 0, sizeof t);
  t.spec = s;
  t.spec_bytes = bytes;
  t.spec_len = len;
  t.sim = RV_SIM_COSINE;
  rv_sim_from_proto((int)s->similarity, &t.sim);
  t.loss = strcmp(s->loss, "bce") == 0 ? RV_LOSS_BCE : RV_LOSS_MSE;
  t.sched = strcmp(s->lr_schedule, "step") == 0     ? RV_SCHED_STEP
            : strcmp(s->lr_schedule, "cosine") == 0 ? RV_SCHED_COSINE
                                                     : RV_SCHED_CONSTANT;
  t.adam = strcmp(s->optimizer, "adam") == 0;
  RV_TRY(rv_train_prepare(comm, &t));
  /* The dataset is valid: now the output directory (a fresh run also drops
   * an earlier run's checkpoint; --resume keeps it). */
  if (rank == 0) {
    /* --resume reads the checkpoint: only a fresh run may replace it. */
    static const char *const outputs[] = {RV_MODEL_FILE, RV_CHECKPOINT_FILE};
    const char *const inputs[] = {s->dataset, NULL};
    err = rv_outdir_prepare(s->out_dir, "train", outputs, s->resume ? 1 : 2, inputs);
  }
  RV_AGREE(comm);
  if (strcmp(s->model, "bilinear") == 0)
    RV_TRY(rv_train_bilinear(comm, &t, out));
  else
    RV_TRY(rv_train_item_weight(comm, &t, out));
done:
  rv_train_free(&t);
  return err;
}
