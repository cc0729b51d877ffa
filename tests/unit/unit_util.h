/* Helpers shared by the CUnit unit tests in tests/unit/: tolerances, the
 * worked example of the kernel tests, the metric-descriptor helpers, and the
 * runner every test executable's main() hands its suites to. Serial, no MPI.
 *
 * The worked example is 3 users x 5 items in two dimensions with small
 * integer coordinates, so every dot product, squared norm and squared
 * distance is an exact small integer in float32:
 *
 *   users  u0 = (1, 2)   u1 = (2, 0)   u2 = (0, 1)
 *   items  i0 = (1, 0)   i1 = (0, 1)   i2 = (1, 1)   i3 = (2, 1)   i4 = (0, 2)
 *   seen (train, masked to -INFINITY):  u0 {2}   u1 {3}   u2 {4}
 *   test: u0 {0:1, 1:2, 4:3} (graded)   u1 {0, 4} (binary)   u2 {} (none)
 *
 * Conventions the engine applies before a metric is called (score_pass.c)
 * and which the metric tests therefore assume rather than re-test:
 *  - users with no test items are skipped for RV_NEEDS_TEST metrics, users
 *    with an empty list for RV_NEEDS_LIST, users with no profile for
 *    RV_NEEDS_PROFILE (the descriptors' needs flags are checked in
 *    test_registry.c);
 *  - ties in score are broken by the smaller item index in top-k selection
 *    (test_accuracy.c shows a tie reaching the metrics through rv_topk). */
#ifndef RV_TESTS_UNIT_UTIL_H
#define RV_TESTS_UNIT_UTIL_H

#include <CUnit/Basic.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/listgeom.h"
#include "kernels/score.h"
#include "kernels/topk.h"
#include "metrics/registry.h"

/* Tolerances. */
#define EXACT 1e-12 /* exact arithmetic (small integers, dyadic fractions, closed forms) */
#define F32 1e-6    /* float32 scores of order 1, float32 unit vectors */

/* ------------------------------------------------------------------------ */
/* The worked example's data.                                                */

enum { NU = 3, NI = 5, D = 2, KMAX = 3 };

static const float U0[NU * D] = {1, 2, /* u0 */ 2, 0, /* u1 */ 0, 1 /* u2 */};
static const float V0[NI * D] = {1, 0, /* i0 */ 0, 1, /* i1 */ 1, 1, /* i2 */
                                 2, 1, /* i3 */ 0, 2 /* i4 */};
static const int32_t SEEN[NU] = {2, 3, 4};

/* Top-k of one row of n scores, one push. */
static inline int select_topk(const float *row, int n, int k, int32_t *items, float *scores) {
  rv_topk_slot_t storage[RV_TOPK_CAPACITY(64)];
  rv_topk_t t;
  rv_topk_init(&t, storage, k);
  rv_topk_push_row(&t, row, n, 0);
  return rv_topk_finish(&t, items, scores);
}

/* Scores of the example for one similarity, lds = NI, seen items masked. */
static inline void example_scores(rv_similarity_t sim, float *S) {
  float U[NU * D], V[NI * D], un[NU], vn[NI];
  memcpy(U, U0, sizeof U);
  memcpy(V, V0, sizeof V);
  if (sim == RV_SIM_COSINE) {
    rv_rows_normalize(U, NU, D);
    rv_rows_normalize(V, NI, D);
  }
  rv_rows_sqnorm(U, NU, D, un);
  rv_rows_sqnorm(V, NI, D, vn);
  rv_score_block(sim, U, NU, V, NI, D, sim == RV_SIM_EUCLIDEAN ? un : NULL,
                 sim == RV_SIM_EUCLIDEAN ? vn : NULL, S, NI, 0);
  for (int u = 0; u < NU; u++) S[u * NI + SEEN[u]] = -INFINITY;
}

static inline void assert_items(const int32_t *got, const int32_t *want, int n) {
  for (int r = 0; r < n; r++) CU_ASSERT_EQUAL(got[r], want[r]);
}

/* ------------------------------------------------------------------------ */
/* Helpers: find a descriptor (fatal if missing) and call it.               */

static inline const rv_metric_t *metric(const char *name) {
  const rv_metric_t *m = rv_metric_find(name);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  return m;
}

/* The engine hands list metrics the list's geometry (cosines with the
 * profile, pairwise cosine sums of each prefix) from one pass of
 * rv_list_geometry; do the same here, so these tests check that kernel and
 * the metric together against the hand derivations. */
static inline double user_metric(const char *name, const rv_user_view_t *v, int k) {
  const rv_metric_t *m = metric(name);
  CU_ASSERT_EQUAL_FATAL(m->kind, RV_KIND_USER);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m->compute_user);
  static double prof_cos[64], pair_cos[65], S[64];
  rv_user_view_t w = *v;
  if (v->ctx && v->ctx->item_unit && v->len <= 64 && v->ctx->dim <= 64) {
    rv_list_geometry(v->ctx->item_unit, v->ctx->dim, v->items, v->len, v->profile, 1, prof_cos,
                     pair_cos, S);
    w.prof_cos = v->profile ? prof_cos : NULL;
    w.pair_cos = pair_cos;
  }
  return m->compute_user(&w, k);
}

static inline double final_metric(const char *name, const rv_final_view_t *f, int k) {
  const rv_metric_t *m = metric(name);
  CU_ASSERT_FATAL(m->kind == RV_KIND_EXPOSURE || m->kind == RV_KIND_SCAN);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m->finalize);
  return m->finalize(f, k);
}

/* An accuracy view: only the list's gains, the test count and the ideal
 * gains matter to the accuracy metrics. items[] is a dummy list. */
static const int32_t DUMMY_ITEMS[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static const float DUMMY_SCORES[8] = {8, 7, 6, 5, 4, 3, 2, 1};

/* Per-item sum of 1/|L_u| for the exposure cases (test_exposure.c,
 * test_information.c), where every list has the same length
 * len = 2^(sum_log2_len / n_lists): c_i / len. */
static double g_listw[16];

static inline rv_final_view_t exposure_view(const rv_eval_ctx_t *ctx, const int64_t *c,
                                            int64_t n_lists, double sum_log2_len) {
  const double len = n_lists > 0 ? exp2(sum_log2_len / (double)n_lists) : 1.0;
  for (int64_t i = 0; i < ctx->n_items && i < 16; i++) g_listw[i] = (double)c[i] / len;
  rv_final_view_t f = {.ctx = ctx, .exposure = c, .n_lists = n_lists, .sum_log2_len = sum_log2_len,
                       .list_weight = g_listw, .hist = NULL, .bins = 0};
  return f;
}

/* ------------------------------------------------------------------------ */
/* Runner: register the suites in order, run them verbosely; exit status 0
 * iff every assertion passed and CUnit reported no error.                  */

typedef struct {
  const char *name;
  CU_TestFunc fn;
} test_entry_t;

typedef struct {
  const char *name;
  const test_entry_t *tests;
  size_t n;
} unit_suite_t;

#define UNIT_SUITE(name, arr) {name, arr, sizeof(arr) / sizeof(arr[0])}

static inline int add_suite(const char *name, const test_entry_t *tests, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (!s) return -1;
  for (size_t i = 0; i < n; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return -1;
  return 0;
}

static inline int unit_main(const unit_suite_t *suites, size_t n_suites) {
  if (CU_initialize_registry() != CUE_SUCCESS) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    return 1;
  }
  for (size_t i = 0; i < n_suites; i++) {
    if (add_suite(suites[i].name, suites[i].tests, suites[i].n)) {
      fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
      CU_cleanup_registry();
      return 1;
    }
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failures = CU_get_number_of_failures();
  const CU_ErrorCode err = CU_get_error();
  CU_cleanup_registry();
  if (err != CUE_SUCCESS) {
    fprintf(stderr, "CUnit error: %d\n", (int)err);
    return 1;
  }
  return failures != 0;
}

#endif /* RV_TESTS_UNIT_UTIL_H */
