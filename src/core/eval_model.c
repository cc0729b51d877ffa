/* `receval eval --model DIR`: the trained model inside an evaluation. Kept
 * apart from the scoring pass, which only calls rv_model_tile() on each
 * score tile and rv_model_bracket() on the AUC brackets. */
#include <stdlib.h>

#include "core/eval_model.h"
#include "kernels/similarity.h"
#include "linalg/whiten.h"
#include "train/model.h"

rv_err_t rv_eval_model_attach(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  const Receval__JobSpec *job = s->job;
  if (!job->model_dir || !*job->model_dir) return RV_OK;
  RV_TRY(rv_model_load(comm, job->model_dir, s->ds->n_items, s->ds->dim, &s->model));
  /* The same on every rank (same file, same job): no agreement needed. */
  RV_REQUIRE(s->model->sim == s->plan.sim, RV_ERR_USAGE,
             "%s: the model was trained with --similarity %s; evaluate it with the same (got %s)",
             s->model->path, rv_sim_name(s->model->sim), rv_sim_name(s->plan.sim));
done:
  return err;
}

/* The metrics' view of the model (rv_eval_ctx_t.model_errors). */
static int model_errors(const void *model, int64_t user, const float *uvec, float unorm2,
                        const int32_t *test, int64_t n_test, const int32_t *train, int64_t n_train,
                        double *rmse, double *logloss) {
  return rv_model_user_errors(model, user, uvec, unorm2, test, n_test, train, n_train, rmse,
                              logloss);
}

void rv_eval_model_bind(rv_eval_state_t *s) {
  if (!s->model) return;
  rv_model_bind(s->model, s->vec.items, s->vec.inorm2, s->job->seed);
  rv_model_users(s->model, s->vec.users, s->ds->u1 - s->ds->u0); /* bilinear: e_u -> A^T e_u */
  s->vec.ctx.model = s->model;
  s->vec.ctx.model_errors = model_errors;
}

void rv_eval_model_free(rv_eval_state_t *s) { rv_model_free(&s->model); }

rv_err_t rv_eval_whiten(MPI_Comm comm, rv_eval_state_t *s) {
  rv_err_t err = RV_OK;
  rv_dataset_t *ds = s->ds;
  if (s->model && s->model->whiten != (int)s->job->whiten)
    RV_FAIL(RV_ERR_USAGE, "%s: the model was trained %s --whiten; evaluate it the same way",
            s->model->path, s->model->whiten ? "with" : "without");
  if (!s->job->whiten) return RV_OK;
  RV_TRY(rv_whiten(comm, ds->items, ds->n_items, ds->users, ds->u1 - ds->u0, ds->dim));
done:
  return err;
}
