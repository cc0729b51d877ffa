/* `receval train DATASET --out DIR --model item-weight ...`: rank 0 parses
 * the command line into a TrainSpec, broadcasts it, every rank trains. */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/spec_run.h"
#include "kernels/similarity.h"
#include "train/signals.h"
#include "train/train.h"

static const rv_option_t train_options[] = {
    {"out", "DIR", "output directory: model.h5, checkpoint.h5 while running (required)", NULL},
    {"model", "NAME", "item-weight: y = sigmoid(w_i s(u,i) + b_i); bilinear: s = e_u^T A e_i (required)", NULL},
    {"loss", "NAME", "mse or bce (binary cross-entropy)", "mse"},
    {"optimizer", "NAME", "adam or sgd", "adam"},
    {"epochs", "E", "passes over the training users", "10"},
    {"batch-users", "B", "users per mini-batch step (fixed users: results do not depend on ranks)", "256"},
    {"negatives", "N", "sampled negatives per positive", "4"},
    {"lr", "X", "learning rate", "0.05"},
    {"lr-schedule", "NAME", "constant, step (lr * gamma^epoch) or cosine (to 0 over the run)", "constant"},
    {"lr-gamma", "X", "factor per epoch of the step schedule", "0.9"},
    {"l2", "X", "L2 penalty (l2/2) |theta|^2 on every parameter", "0"},
    {"val-frac", "X", "share of train positives held out for validation (early stopping)", "0.1"},
    {"patience", "P", "stop after P epochs without a better validation loss (0: never)", "3"},
    {"checkpoint-every", "N", "write DIR/checkpoint.h5 every N steps (0: only on SIGTERM/SIGUSR1)", "0"},
    {"resume", NULL, "continue from DIR/checkpoint.h5 when it exists", NULL},
    {"seed", "S", "seed of the validation split and the negatives", "0"},
    {"similarity", "NAME", RV_SIM_HELP_LIST ": s(u,i) as in receval eval", "cosine"},
    {"lambdas", "LIST", "bilinear: ridge penalties tried on validation, or auto (scaled to the Gram spectra)", "auto"},
    {"scalapack-block", "NB", "ScaLAPACK block size: 0 = one block (bitwise the same at any rank count), -1 = spread over all ranks", "0"},
    {"whiten", NULL, "whiten the embeddings (item covariance -> identity) before scoring; eval needs --whiten too", NULL},
    {"progress", NULL, "print progress on stderr", NULL},
    {NULL, NULL, NULL, NULL}};

static const char synopsis[] = "DATASET.h5 --out DIR --model item-weight [options]";

static rv_err_t pick(const char *opt, const char *v, const char *const *names, int n, int *out) {
  for (int i = 0; i < n; i++)
    if (strcmp(v, names[i]) == 0) {
      *out = i;
      return RV_OK;
    }
  return rv_error_set(RV_ERR_USAGE, "receval train: --%s: unknown value '%s' (see receval train --help)",
                      opt, v);
}

static rv_err_t build_spec(int argc, char **argv, FILE *out, void *store, int *done) {
  rv_err_t err = RV_OK;
  Receval__TrainSpec *s = store;
  rv_args_t a;
  *done = 0;
  RV_TRY(rv_args_parse("train", train_options, argc, argv, &a));
  if (a.help) {
    rv_args_print_help(out, "train", synopsis, train_options);
    fprintf(out, "\nOn SIGTERM or SIGUSR1 the run finishes its step, writes DIR/checkpoint.h5 and exits\n"
                 "with status 5; rerun with --resume to continue (bitwise the same result).\n");
    *done = 1;
    goto done;
  }
  RV_REQUIRE(a.npos == 1, RV_ERR_USAGE,
             "receval train: expected one DATASET argument, got %d (usage: receval train %s)", a.npos,
             synopsis);
  s->dataset = (char *)a.pos[0];
  s->out_dir = (char *)rv_arg_str(&a, "out");
  RV_REQUIRE(s->out_dir && *s->out_dir, RV_ERR_USAGE, "receval train: --out DIR is required");
  s->model = (char *)rv_arg_str(&a, "model");
  RV_REQUIRE(s->model, RV_ERR_USAGE, "receval train: --model item-weight|bilinear is required");
  static const char *const models[] = {"item-weight", "bilinear"}, *const losses[] = {"mse", "bce"},
                           *const opts[] = {"adam", "sgd"},
                           *const scheds[] = {"constant", "step", "cosine"};
  int k = 0;
  RV_TRY(pick("model", s->model, models, 2, &k));
  const int bilinear = k == 1;
  s->loss = (char *)rv_arg_str(&a, "loss");
  RV_TRY(pick("loss", s->loss, losses, 2, &k));
  s->optimizer = (char *)rv_arg_str(&a, "optimizer");
  RV_TRY(pick("optimizer", s->optimizer, opts, 2, &k));
  s->lr_schedule = (char *)rv_arg_str(&a, "lr-schedule");
  RV_TRY(pick("lr-schedule", s->lr_schedule, scheds, 3, &k));
  const char *simname = rv_arg_str(&a, "similarity");
  rv_similarity_t sim = RV_SIM_COSINE;
  if (rv_sim_parse(simname, &sim) != 0) RV_TRY(pick("similarity", simname, NULL, 0, &k));
  s->has_similarity = 1;
  RV_REQUIRE(!(bilinear && !rv_sim_get(sim)->bilinear_form), RV_ERR_USAGE,
             "receval train: --model bilinear: --similarity must be cosine or dot (a bilinear form)");
  s->similarity = (Receval__Similarity)rv_sim_get(sim)->proto;
  int64_t epochs = 10, bu = 256, neg = 4, pat = 3, every = 0;
  RV_TRY(rv_arg_i64(&a, "epochs", 1, 1000000, &epochs));
  RV_TRY(rv_arg_i64(&a, "batch-users", 1, 1 << 30, &bu));
  RV_TRY(rv_arg_i64(&a, "negatives", 0, 1000, &neg));
  RV_TRY(rv_arg_i64(&a, "patience", 0, 1000000, &pat));
  RV_TRY(rv_arg_i64(&a, "checkpoint-every", 0, (int64_t)1 << 40, &every));
  double lr = 0.05, gamma = 0.9, l2 = 0.0, vf = 0.1;
  RV_TRY(rv_arg_double(&a, "lr", 0.0, 1e6, &lr));
  RV_TRY(rv_arg_double(&a, "lr-gamma", 0.0, 1.0, &gamma));
  RV_TRY(rv_arg_double(&a, "l2", 0.0, 1e6, &l2));
  RV_TRY(rv_arg_double(&a, "val-frac", 0.0, 0.9, &vf));
  uint64_t seed = 0;
  RV_TRY(rv_arg_u64(&a, "seed", &seed));
  s->has_epochs = s->has_batch_users = s->has_negatives = s->has_patience = 1;
  s->has_checkpoint_every = s->has_lr = s->has_lr_gamma = s->has_l2 = s->has_val_frac = 1;
  s->has_seed = s->has_resume = s->has_progress = 1;
  s->epochs = (int32_t)epochs;
  s->batch_users = (int32_t)bu;
  s->negatives = (int32_t)neg;
  s->patience = (int32_t)pat;
  s->checkpoint_every = (int32_t)(every > INT32_MAX ? INT32_MAX : every);
  s->lr = lr;
  s->lr_gamma = gamma;
  s->l2 = l2;
  s->val_frac = vf;
  s->seed = seed;
  s->resume = rv_arg_flag(&a, "resume");
  s->progress = rv_arg_flag(&a, "progress");
  s->has_whiten = 1;
  s->whiten = rv_arg_flag(&a, "whiten");
  s->lambdas = (char *)rv_arg_str(&a, "lambdas");
  int64_t nb = 0;
  RV_TRY(rv_arg_i64(&a, "scalapack-block", -1, 1 << 20, &nb));
  s->has_scalapack_block = 1;
  s->scalapack_block = (int32_t)nb;
done:
  return err;
}

static rv_err_t run_train(MPI_Comm comm, const ProtobufCMessage *msg, const uint8_t *bytes, size_t len,
                          FILE *out) {
  return rv_train_run(comm, (const Receval__TrainSpec *)msg, bytes, len, out);
}

rv_err_t rv_cmd_train(MPI_Comm comm, int argc, char **argv, FILE *out) {
  static const rv_spec_cmd_t cmd = {&receval__train_spec__descriptor, build_spec, NULL, run_train};
  Receval__TrainSpec spec = RECEVAL__TRAIN_SPEC__INIT;
  /* From the start: a SIGTERM/SIGUSR1 that arrives while the dataset is
   * read is acted on at the first step boundary (checkpoint, exit 5), and
   * one that arrives after the last step leaves a finished run (exit 0);
   * neither kills the process. The handlers stay installed until exit
   * (train/signals.h). */
  rv_signals_install();
  return rv_spec_run(comm, argc, argv, out, &cmd, &spec, &spec.base);
}
