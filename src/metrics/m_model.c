/* Model metrics (`receval eval --model DIR`): how well the trained model's
 * outputs predict interactions, on each user's test positives (label 1) and
 * as many sampled non-interacted items (label 0). Per-user values averaged
 * over users, like every user metric. */
#include <math.h>

#include "metrics/registry.h"

static double model_user(const rv_user_view_t *v, int want_rmse) {
  double rmse, ll;
  if (!v->ctx->model_errors || v->n_test == 0) return NAN;
  if (v->ctx->model_errors(v->ctx->model, v->user, v->uvec, v->unorm2, v->test, v->n_test, v->train,
                           v->n_train, &rmse, &ll) != 0)
    return NAN;
  return want_rmse ? rmse : ll;
}

static double rmse_user(const rv_user_view_t *v, int k) {
  (void)k;
  return model_user(v, 1);
}

static double logloss_user(const rv_user_view_t *v, int k) {
  (void)k;
  return model_user(v, 0);
}

const rv_metric_t rv_metric_rmse = {
    .name = "rmse",
    .help = "rmse = sqrt((1/|P_u|) sum_{(i,y) in P_u} (y - y_hat(u,i))^2) per user, averaged over users\n"
            "with test items. P_u: the user's test items (y = 1) and as many items drawn uniformly\n"
            "from those the user has neither in train nor in test (y = 0; the stream of (--seed, user)).\n"
            "y_hat is the model's output (needs --model DIR; omitted otherwise).",
    .needs = RV_NEEDS_TEST | RV_NEEDS_MODEL,
    .kind = RV_KIND_USER,
    .at_k = 0,
    .compute_user = rmse_user};

const rv_metric_t rv_metric_logloss = {
    .name = "logloss",
    .help = "logloss = (1/|P_u|) sum_{(i,y) in P_u} -(y log y_hat + (1 - y) log(1 - y_hat)) per user\n"
            "(natural logarithm, from the logit: finite for any output), averaged over users with\n"
            "test items; P_u as for rmse. Needs --model DIR; omitted otherwise.",
    .needs = RV_NEEDS_TEST | RV_NEEDS_MODEL,
    .kind = RV_KIND_USER,
    .at_k = 0,
    .compute_user = logloss_user};
