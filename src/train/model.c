#include "train/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5local.h"
#include "io/h5util.h"
#include "io/schema.h"
#include "kernels/score.h"
#include "kernels/similarity.h"
#include "kernels/trainstep.h"
#include "train/train.h"

static rv_err_t read_model(const char *path, int64_t n_items, int dim, rv_model_t *m) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID;
  char buf[64];
  int64_t ni = 0, d = 0;
  RV_TRY(rv_h5l_open(path, &f));
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_FORMAT, buf, sizeof buf));
  RV_REQUIRE(strcmp(buf, RV_FMT_MODEL) == 0, RV_ERR_DATA,
             "%s: not a receval model (format '%s')", path, buf);
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_MODEL, m->kind, sizeof m->kind));
  m->bilinear = strcmp(m->kind, RV_MODEL_BILINEAR) == 0;
  RV_REQUIRE(m->bilinear || strcmp(m->kind, RV_MODEL_ITEM_WEIGHT) == 0, RV_ERR_DATA,
             "%s: unknown model '%s'", path, m->kind);
  RV_TRY(rv_h5_attr_str(f, path, RV_ATTR_SIMILARITY, buf, sizeof buf));
  m->sim = RV_SIM_COSINE; /* an unknown name reads as cosine */
  rv_sim_parse(buf, &m->sim);
  int64_t wh = 0;
  if (H5Aexists(f, RV_ATTR_WHITEN) > 0) RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_WHITEN, &wh));
  m->whiten = wh != 0;
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_N_ITEMS, &ni));
  RV_TRY(rv_h5_attr_i64(f, path, RV_ATTR_DIM, &d));
  RV_REQUIRE(ni == n_items && d == dim, RV_ERR_DATA,
             "%s: the model has %lld items of dimension %lld, the dataset %lld of dimension %d", path,
             (long long)ni, (long long)d, (long long)n_items, dim);
  m->n_items = ni;
  m->dim = dim;
  if (m->bilinear) {
    m->A = malloc(sizeof(double) * (size_t)(d * d));
    RV_REQUIRE(m->A, RV_ERR_RUNTIME, "out of memory for the model");
    RV_TRY(rv_h5l_read(f, path, RV_MOD_BILINEAR_A, H5T_NATIVE_DOUBLE, m->A, d * d));
    for (int64_t q = 0; q < d * d; q++)
      RV_REQUIRE(isfinite(m->A[q]), RV_ERR_DATA, "%s: /bilinear/A: entry %lld is not finite", path,
                 (long long)q);
    goto done;
  }
  m->w = malloc(sizeof(double) * (size_t)ni);
  m->b = malloc(sizeof(double) * (size_t)ni);
  RV_REQUIRE(m->w && m->b, RV_ERR_RUNTIME, "out of memory for the model");
  RV_TRY(rv_h5l_read(f, path, RV_MOD_ITEM_WEIGHT_W, H5T_NATIVE_DOUBLE, m->w, ni));
  RV_TRY(rv_h5l_read(f, path, RV_MOD_ITEM_WEIGHT_B, H5T_NATIVE_DOUBLE, m->b, ni));
  for (int64_t i = 0; i < ni; i++)
    RV_REQUIRE(isfinite(m->w[i]) && isfinite(m->b[i]), RV_ERR_DATA,
               "%s: /item_weight: item %lld has a non-finite parameter", path, (long long)i);
done:
  if (f >= 0) H5Fclose(f);
  return err;
}

rv_err_t rv_model_load(MPI_Comm comm, const char *dir, int64_t n_items, int dim, rv_model_t **out) {
  rv_err_t err = RV_OK;
  rv_model_t *m = calloc(1, sizeof *m);
  if (!m) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  if (m) {
    snprintf(m->path, sizeof m->path, "%s/%s", dir, RV_MODEL_FILE);
    err = read_model(m->path, n_items, dim, m);
  }
  err = rv_error_agree(comm, err);
  if (err) rv_model_free(&m);
  *out = m;
  return err;
}

void rv_model_free(rv_model_t **m) {
  if (!*m) return;
  free((*m)->w), free((*m)->b), free((*m)->A);
  free(*m);
  *m = NULL;
}

void rv_model_bind(rv_model_t *m, const float *items, const float *inorm2, uint64_t seed) {
  m->items = items;
  m->inorm2 = inorm2;
  m->seed = seed;
}

static inline float apply(const rv_model_t *m, int64_t i, float s) {
  return (float)rv_sigmoid(m->w[i] * (double)s + m->b[i]);
}

void rv_model_users(const rv_model_t *m, float *users, int64_t n) {
  if (!m->bilinear) return;
  const int d = m->dim;
  /* x A, row by row in double: the whitening kernel with a zero mean
   * (x - 0.0 is x exactly, so the bits are those of a plain product). */
  double *buf = calloc(2 * (size_t)d, sizeof(double)); /* zero mean, then scratch */
  if (!buf) return;
  rv_rows_affine(users, (size_t)n, d, buf, m->A, buf + d);
  free(buf);
}

void rv_model_tile(const rv_model_t *m, float *tile, int rows, int nt, int64_t t0, int ld) {
  if (m->bilinear) return;
  for (int r = 0; r < rows; r++) {
    float *row = tile + (size_t)r * ld;
    for (int j = 0; j < nt; j++) row[j] = apply(m, t0 + j, row[j]);
  }
}

void rv_model_bracket(const rv_model_t *m, int32_t it, float *lo, float *hi) {
  if (m->bilinear) return;
  /* sigmoid(w s + b) is monotone in s: increasing for w >= 0. */
  const float a = apply(m, it, *lo), b = apply(m, it, *hi);
  *lo = a < b ? a : b;
  *hi = a < b ? b : a;
}

int rv_model_user_errors(const rv_model_t *m, int64_t user, const float *uvec, float unorm2,
                         const int32_t *test, int64_t n_test, const int32_t *train, int64_t n_train,
                         double *rmse, double *logloss) {
  if (n_test <= 0) return -1;
  int32_t *items = malloc(sizeof(int32_t) * (size_t)(2 * n_test));
  float *s = malloc(sizeof(float) * (size_t)(2 * n_test));
  if (!items || !s) {
    free(items), free(s);
    return -1;
  }
  memcpy(items, test, sizeof(int32_t) * (size_t)n_test);
  rv_rng_t r;
  rv_rng_seed(&r, m->seed, RV_STREAM_EVAL_NEG, (uint64_t)user);
  const int64_t nn =
      rv_sample_negatives2(&r, m->n_items, train, n_train, test, n_test, n_test, items + n_test);
  const int64_t n = n_test + nn;
  rv_score_pairs(m->sim, uvec, unorm2, m->items, m->inorm2, m->dim, items, n, s);
  double se = 0.0, ll = 0.0;
  for (int64_t q = 0; q < n; q++) {
    const double y = q < n_test ? 1.0 : 0.0;
    if (m->bilinear) {
      /* The regression score itself; log loss of it clipped to [1e-6, 1 - 1e-6]. */
      const double p = fmin(fmax((double)s[q], 1e-6), 1.0 - 1e-6);
      se += (y - s[q]) * (y - s[q]);
      ll += -(y * log(p) + (1.0 - y) * log(1.0 - p));
      continue;
    }
    const double z = m->w[items[q]] * (double)s[q] + m->b[items[q]];
    const double p = rv_sigmoid(z);
    se += (y - p) * (y - p);
    double g;
    ll += rv_loss_pair(RV_LOSS_BCE, z, y, &g);
  }
  *rmse = sqrt(se / (double)n);
  *logloss = ll / (double)n;
  free(items), free(s);
  return 0;
}
