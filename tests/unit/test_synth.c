/* Unit tests of the synthetic data generator (src/kernels/synth.h): user
 * rows regenerated the same way from any part. Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/rng.h"
#include "kernels/synth.h"

/* ======================================================================== */
/* Suite: synth                                                             */

static void test_synth_rows(void) {
  rv_synth_params_t p;
  rv_synth_params_default(&p);
  p.n_users = 60;
  p.n_items = 40;
  p.dim = 4;
  p.seed = 42;
  rv_synth_model_t *m = NULL;
  CU_ASSERT_EQUAL_FATAL(rv_synth_model_create(&p, &m), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  const int cap = rv_synth_max_rows(m);
  CU_ASSERT_EQUAL(cap, 40); /* min(max_inter 200, n_items 40) */
  int32_t *tr = malloc(sizeof(int32_t) * (size_t)cap), *te = malloc(sizeof(int32_t) * (size_t)cap);
  int32_t *tr2 = malloc(sizeof(int32_t) * (size_t)cap), *te2 = malloc(sizeof(int32_t) * (size_t)cap);
  int32_t *scr = malloc(sizeof(int32_t) * (size_t)cap);
  float *tv = malloc(sizeof(float) * (size_t)cap), *tv2 = malloc(sizeof(float) * (size_t)cap);
  CU_ASSERT_FATAL(tr && te && tr2 && te2 && scr && tv && tv2);
  int ok_sorted = 1, ok_range = 1, ok_disjoint = 1, ok_same = 1, ok_val = 1, ok_len = 1;
  int with_test = 0;
  for (int64_t u = 0; u < p.n_users; u++) {
    int ntr, nte, ntr2, nte2;
    rv_synth_user_rows(m, u, tr, &ntr, te, tv, &nte, scr);
    for (int i = 0; i < cap; i++) scr[i] = -12345; /* a second call with dirty scratch */
    rv_synth_user_rows(m, u, tr2, &ntr2, te2, tv2, &nte2, scr);
    ok_len &= ntr >= 1 && nte >= 0 && ntr + nte <= cap;
    ok_same &= ntr == ntr2 && nte == nte2 && memcmp(tr, tr2, sizeof(int32_t) * (size_t)ntr) == 0 &&
               memcmp(te, te2, sizeof(int32_t) * (size_t)nte) == 0 &&
               memcmp(tv, tv2, sizeof(float) * (size_t)nte) == 0;
    for (int i = 0; i < ntr; i++) {
      ok_range &= tr[i] >= 0 && tr[i] < p.n_items;
      if (i) ok_sorted &= tr[i - 1] < tr[i]; /* strictly: no duplicates */
    }
    for (int i = 0; i < nte; i++) {
      ok_range &= te[i] >= 0 && te[i] < p.n_items;
      if (i) ok_sorted &= te[i - 1] < te[i];
      ok_val &= tv[i] == 1.0f || tv[i] == 2.0f || tv[i] == 3.0f;
      for (int j = 0; j < ntr; j++) ok_disjoint &= te[i] != tr[j];
    }
    with_test += nte > 0;
  }
  CU_ASSERT(ok_len);
  CU_ASSERT(ok_same);
  CU_ASSERT(ok_range);
  CU_ASSERT(ok_sorted);
  CU_ASSERT(ok_disjoint);
  CU_ASSERT(ok_val);
  CU_ASSERT(with_test > 0);
  /* Embeddings are functions of (seed, index): equal across calls and across
   * two models built from the same parameters. */
  rv_synth_model_t *m2 = NULL;
  CU_ASSERT_EQUAL_FATAL(rv_synth_model_create(&p, &m2), 0);
  float e1[4], e2[4];
  for (int64_t i = 0; i < p.n_items; i += 7) {
    rv_synth_item_embedding(m, i, e1);
    rv_synth_item_embedding(m2, i, e2);
    CU_ASSERT(memcmp(e1, e2, sizeof e1) == 0);
  }
  rv_synth_user_embedding(m, 5, e1);
  rv_synth_user_embedding(m2, 5, e2);
  CU_ASSERT(memcmp(e1, e2, sizeof e1) == 0);
  rv_synth_model_destroy(&m2);
  CU_ASSERT_PTR_NULL(m2);
  rv_synth_model_destroy(&m);
  /* no_test_frac = 1: uniform() < 1 always, so the hold-out branch never
   * runs and no user has test items. */
  p.no_test_frac = 1.0;
  CU_ASSERT_EQUAL_FATAL(rv_synth_model_create(&p, &m), 0);
  int any_test = 0;
  for (int64_t u = 0; u < p.n_users; u++) {
    int ntr, nte;
    rv_synth_user_rows(m, u, tr, &ntr, te, tv, &nte, scr);
    any_test |= nte != 0;
  }
  CU_ASSERT_EQUAL(any_test, 0);
  rv_synth_model_destroy(&m);
  free(tr);
  free(te);
  free(tr2);
  free(te2);
  free(scr);
  free(tv);
  free(tv2);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t synth[] = {{"user_rows", test_synth_rows}};
  static const unit_suite_t suites[] = {UNIT_SUITE("synth", synth)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
