/* core/eval_model.c: --model DIR and --whiten in an evaluation. */
#ifndef RV_CORE_EVAL_MODEL_H
#define RV_CORE_EVAL_MODEL_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "core/eval_state.h"

/* --model DIR. attach (collective) loads and checks it before
 * rv_eval_prepare; bind points it at the prepared vectors. */
rv_err_t rv_eval_model_attach(MPI_Comm comm, rv_eval_state_t *s);
void rv_eval_model_bind(rv_eval_state_t *s);
void rv_eval_model_free(rv_eval_state_t *s);
/* --whiten (collective): whitens the dataset's items and users in place
 * before rv_eval_prepare (pooled users are then means of whitened items). */
rv_err_t rv_eval_whiten(MPI_Comm comm, rv_eval_state_t *s);

#endif
