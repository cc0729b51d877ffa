/* Unit tests of the training kernels (src/kernels/trainstep.c) and the pair
 * scores (rv_score_pairs). Serial, CUnit. Expected values come from hand
 * derivations (in the comments) or from finite differences of the loss,
 * never from running the code under test. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "kernels/rng.h"
#include "kernels/score.h"
#include "kernels/trainstep.h"

/* L(w, b) for one pair with similarity s and label y. */
static double pair_loss(rv_loss_t loss, double w, double b, double s, double y) {
  double g;
  return rv_loss_pair(loss, w * s + b, y, &g);
}

/* Central differences of L in w and in b against the analytic gradient
 * dL/dw = dL/dz s, dL/db = dL/dz, over a grid of parameters, scores and
 * labels, for both losses. Step h = 1e-5: truncation O(h^2 L''') ~ 1e-10,
 * cancellation ~ 1e-16 / h = 1e-11; tolerance 1e-7 relative to max(1, |g|). */
static void check_fd(rv_loss_t loss) {
  const double ws[] = {-2.0, -0.3, 0.0, 1.0, 3.5}, bs[] = {-1.5, 0.0, 0.7};
  const double ss[] = {-0.9, -0.1, 0.0, 0.4, 1.0}, ys[] = {0.0, 1.0};
  const double h = 1e-5;
  int checked = 0;
  for (int a = 0; a < 5; a++)
    for (int c = 0; c < 3; c++)
      for (int e = 0; e < 5; e++)
        for (int f = 0; f < 2; f++) {
          const double w = ws[a], b = bs[c], s = ss[e], y = ys[f];
          double dz;
          rv_loss_pair(loss, w * s + b, y, &dz);
          const double fw = (pair_loss(loss, w + h, b, s, y) - pair_loss(loss, w - h, b, s, y)) / (2 * h);
          const double fb = (pair_loss(loss, w, b + h, s, y) - pair_loss(loss, w, b - h, s, y)) / (2 * h);
          CU_ASSERT(fabs(fw - dz * s) <= 1e-7 * fmax(1.0, fabs(fw)));
          CU_ASSERT(fabs(fb - dz) <= 1e-7 * fmax(1.0, fabs(fb)));
          checked++;
        }
  CU_ASSERT_EQUAL(checked, 150);
}
static void test_fd_mse(void) { check_fd(RV_LOSS_MSE); }
static void test_fd_bce(void) { check_fd(RV_LOSS_BCE); }

/* Hand values at z = 0 (p = 1/2):
 *   mse, y = 1: L = (1 - 1/2)^2 / 2 = 1/8; dL/dz = (p - y) p (1 - p) = -1/2 * 1/4 = -1/8.
 *   mse, y = 0: L = 1/8; dL/dz = +1/8.
 *   bce, y = 1: L = log 2; dL/dz = p - y = -1/2.
 * At z = log 3 (p = 3/4), mse, y = 0: L = 9/32, dL/dz = 3/4 * 3/4 * 1/4 = 9/64
 * (the source article's printed derivative lacks the factor p (1 - p):
 * it would give 3/4). */
static void test_hand_values(void) {
  double g;
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_MSE, 0.0, 1.0, &g), 0.125, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g, -0.125, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_MSE, 0.0, 0.0, &g), 0.125, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g, 0.125, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_BCE, 0.0, 1.0, &g), log(2.0), 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g, -0.5, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_MSE, log(3.0), 0.0, &g), 9.0 / 32.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(g, 9.0 / 64.0, 1e-15);
}

/* Far tails: sigmoid saturates without overflow; bce stays finite and equals
 * |z| for the wrong label (softplus(z) - y z with z = -800, y = 1 -> 800). */
static void test_tails(void) {
  double g;
  CU_ASSERT_EQUAL(rv_sigmoid(-800.0), 0.0);
  CU_ASSERT_EQUAL(rv_sigmoid(800.0), 1.0);
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_BCE, -800.0, 1.0, &g), 800.0, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(g, -1.0, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_loss_pair(RV_LOSS_BCE, 800.0, 0.0, &g), 800.0, 1e-9);
  CU_ASSERT(isfinite(rv_loss_pair(RV_LOSS_MSE, 1e6, 0.0, &g)));
}

/* Adam's first step from m = v = 0: m1 = 0.1 g, v1 = 0.001 g^2, bias-corrected
 * m = g, v = g^2, so x moves by lr g / (|g| + 1e-8) = lr sign(g) (to 1e-8 / |g|).
 * SGD: x - lr g. */
static void test_optimizers(void) {
  double x[2] = {1.0, -2.0}, m[2] = {0, 0}, v[2] = {0, 0};
  const double g[2] = {0.5, -4.0};
  rv_adam_update(x, m, v, g, 2, 0.1, 1);
  CU_ASSERT_DOUBLE_EQUAL(x[0], 0.9, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(x[1], -1.9, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(m[0], 0.05, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(v[1], 0.016, 1e-15);
  double y[2] = {1.0, -2.0};
  rv_sgd_update(y, g, 2, 0.1);
  CU_ASSERT_DOUBLE_EQUAL(y[0], 0.95, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(y[1], -1.6, 1e-15);
}

/* Schedules: step lr0 g^e; cosine lr0 at 0, lr0/2 half way, ~0 at the end. */
static void test_schedules(void) {
  CU_ASSERT_DOUBLE_EQUAL(rv_lr_at(RV_SCHED_CONSTANT, 0.3, 0.5, 7, 9, 10), 0.3, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_lr_at(RV_SCHED_STEP, 0.4, 0.5, 2, 0, 10), 0.1, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_lr_at(RV_SCHED_COSINE, 0.4, 0.5, 0, 0, 10), 0.4, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_lr_at(RV_SCHED_COSINE, 0.4, 0.5, 0, 5, 10), 0.2, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(rv_lr_at(RV_SCHED_COSINE, 0.4, 0.5, 0, 10, 10), 0.0, 1e-15);
}

/* Negatives: in range, never a positive, the same for the same key; a user
 * with every item gets none; a user with all but item 3 gets only 3. */
static void test_negatives(void) {
  const int32_t pos[] = {0, 2, 5, 6, 9};
  int32_t out[400], again[400];
  rv_rng_t r;
  rv_rng_seed(&r, 7, RV_STREAM_TRAIN_NEG, 11);
  CU_ASSERT_EQUAL(rv_sample_negatives(&r, 10, pos, 5, 400, out), 400);
  int bad = 0, seen[10] = {0};
  for (int t = 0; t < 400; t++) {
    bad += out[t] < 0 || out[t] >= 10 || out[t] == 0 || out[t] == 2 || out[t] == 5 || out[t] == 6 || out[t] == 9;
    if (out[t] >= 0 && out[t] < 10) seen[out[t]] = 1;
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(seen[1] && seen[3] && seen[4] && seen[7] && seen[8]); /* 400 draws over 5 items */
  rv_rng_seed(&r, 7, RV_STREAM_TRAIN_NEG, 11);
  rv_sample_negatives(&r, 10, pos, 5, 400, again);
  int same = 1;
  for (int t = 0; t < 400; t++) same &= out[t] == again[t];
  CU_ASSERT(same);
  const int32_t all[] = {0, 1, 2, 3};
  CU_ASSERT_EQUAL(rv_sample_negatives(&r, 4, all, 4, 5, out), 0);
  const int32_t a[] = {0, 1}, b[] = {2, 4};
  CU_ASSERT_EQUAL(rv_sample_negatives2(&r, 5, a, 2, b, 2, 6, out), 6);
  for (int t = 0; t < 6; t++) CU_ASSERT_EQUAL(out[t], 3);
}

/* Pair scores = the block scores of the same vectors (integer coordinates:
 * every score is an exact small integer, so the two agree exactly).
 * u = (1, 2, 0), items (1,0,1), (2,1,0), (0,0,3): dots 1, 4, 0;
 * |u|^2 = 5, |i|^2 = 2, 5, 9: euclidean -(5 + 2 - 2) = -5, -(5+5-8) = -2, -14. */
static void test_score_pairs(void) {
  const float u[3] = {1, 2, 0}, V[9] = {1, 0, 1, 2, 1, 0, 0, 0, 3};
  const float un = 5.0f, in[3] = {2, 5, 9};
  const int32_t idx[3] = {2, 0, 1};
  float out[3], blk[3];
  rv_score_pairs(RV_SIM_DOT, u, un, V, in, 3, idx, 3, out);
  CU_ASSERT_EQUAL(out[0], 0.0f);
  CU_ASSERT_EQUAL(out[1], 1.0f);
  CU_ASSERT_EQUAL(out[2], 4.0f);
  rv_score_pairs(RV_SIM_EUCLIDEAN, u, un, V, in, 3, idx, 3, out);
  CU_ASSERT_EQUAL(out[0], -14.0f);
  CU_ASSERT_EQUAL(out[1], -5.0f);
  CU_ASSERT_EQUAL(out[2], -2.0f);
  rv_score_block(RV_SIM_EUCLIDEAN, u, 1, V, 3, 3, &un, in, blk, 3, 0);
  CU_ASSERT_EQUAL(blk[2], out[0]);
  CU_ASSERT_EQUAL(blk[0], out[1]);
  CU_ASSERT_EQUAL(blk[1], out[2]);
}

int main(void) {
  rv_score_init();
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("train", NULL, NULL);
  if (!s || !CU_add_test(s, "finite_differences_mse", test_fd_mse) ||
      !CU_add_test(s, "finite_differences_bce", test_fd_bce) ||
      !CU_add_test(s, "hand_values", test_hand_values) || !CU_add_test(s, "tails", test_tails) ||
      !CU_add_test(s, "optimizers", test_optimizers) || !CU_add_test(s, "schedules", test_schedules) ||
      !CU_add_test(s, "negatives", test_negatives) || !CU_add_test(s, "score_pairs", test_score_pairs)) {
    CU_cleanup_registry();
    return 1;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures != 0;
}
