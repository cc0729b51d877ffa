/* Unit tests of receval's MPI-free kernels (src/kernels/) and of the accuracy
 * metric descriptors (src/metrics/). Serial, CUnit.
 *
 * Every expected value below is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test.
 *
 * The central case (suite "worked_example") is 3 users x 5 items in two
 * dimensions with small integer coordinates, so every dot product, squared
 * norm and squared distance is an exact small integer in float32:
 *
 *   users  u0 = (1, 2)   u1 = (2, 0)   u2 = (0, 1)
 *   items  i0 = (1, 0)   i1 = (0, 1)   i2 = (1, 1)   i3 = (2, 1)   i4 = (0, 2)
 *   seen (train, masked to -INFINITY):  u0 {2}   u1 {3}   u2 {4}
 *   test: u0 {0:1, 1:2, 4:3} (graded)   u1 {0, 4} (binary)   u2 {} (none)
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/accuracy.h"
#include "kernels/hash.h"
#include "kernels/partition.h"
#include "kernels/rng.h"
#include "kernels/score.h"
#include "kernels/stats.h"
#include "kernels/synth.h"
#include "kernels/topk.h"
#include "kernels/xsum.h"
#include "metrics/m_accuracy.h"
#include "metrics/registry.h"

/* Tolerances. */
#define EXACT 1e-12 /* exact arithmetic (small integers, dyadic fractions) */
#define F32 1e-6    /* float32 scores of order 1 */

/* ------------------------------------------------------------------------ */
/* The worked example's data.                                                */

enum { NU = 3, NI = 5, D = 2, KMAX = 3 };

static const float U0[NU * D] = {1, 2, /* u0 */ 2, 0, /* u1 */ 0, 1 /* u2 */};
static const float V0[NI * D] = {1, 0, /* i0 */ 0, 1, /* i1 */ 1, 1, /* i2 */
                                 2, 1, /* i3 */ 0, 2 /* i4 */};
static const int32_t SEEN[NU] = {2, 3, 4};

/* Top-k of one row of n scores, one push. */
static int select_topk(const float *row, int n, int k, int32_t *items, float *scores) {
  rv_topk_slot_t storage[RV_TOPK_CAPACITY(64)];
  rv_topk_t t;
  rv_topk_init(&t, storage, k);
  rv_topk_push_row(&t, row, n, 0);
  return rv_topk_finish(&t, items, scores);
}

/* Scores of the example for one similarity, lds = NI, seen items masked. */
static void example_scores(rv_similarity_t sim, float *S) {
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

static void assert_items(const int32_t *got, const int32_t *want, int n) {
  for (int r = 0; r < n; r++) CU_ASSERT_EQUAL(got[r], want[r]);
}

/* ======================================================================== */
/* Suite: score                                                             */

static void test_rows_sqnorm_normalize(void) {
  float x[3 * 2] = {3, 4, 0, 0, -5, 12};
  float n2[3];
  rv_rows_sqnorm(x, 3, 2, n2);
  CU_ASSERT_DOUBLE_EQUAL(n2[0], 25.0, EXACT);  /* 9 + 16 */
  CU_ASSERT_DOUBLE_EQUAL(n2[1], 0.0, EXACT);   /* zero row */
  CU_ASSERT_DOUBLE_EQUAL(n2[2], 169.0, EXACT); /* 25 + 144 */
  rv_rows_normalize(x, 3, 2);
  CU_ASSERT_DOUBLE_EQUAL(x[0], 0.6, F32); /* 3/5 */
  CU_ASSERT_DOUBLE_EQUAL(x[1], 0.8, F32); /* 4/5 */
  /* A zero row stays zero (no 0/0 -> NaN). */
  CU_ASSERT(x[2] == 0.0f && x[3] == 0.0f);
  CU_ASSERT_DOUBLE_EQUAL(x[4], -5.0 / 13.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(x[5], 12.0 / 13.0, F32);
  rv_rows_sqnorm(x, 3, 2, n2);
  CU_ASSERT_DOUBLE_EQUAL(n2[0], 1.0, F32); /* unit norm after normalising */
  CU_ASSERT_DOUBLE_EQUAL(n2[1], 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(n2[2], 1.0, F32);
  /* A power-of-two row normalises exactly: (0, 2) -> (0, 1). */
  float y[2] = {0, 2};
  rv_rows_normalize(y, 1, 2);
  CU_ASSERT(y[0] == 0.0f && y[1] == 1.0f);
}

static void test_pool_mean(void) {
  /* Rows: r0 = (1, 2), r1 = (5, 6), r2 = (3, 10). */
  const float items[3 * 2] = {1, 2, 5, 6, 3, 10};
  double scratch[2];
  float out[2];
  const int32_t idx02[2] = {0, 2};
  rv_pool_mean(items, 2, idx02, 2, scratch, out);
  CU_ASSERT_DOUBLE_EQUAL(out[0], 2.0, EXACT); /* (1 + 3) / 2 */
  CU_ASSERT_DOUBLE_EQUAL(out[1], 6.0, EXACT); /* (2 + 10) / 2 */
  /* Repeated indices count each time: {1, 1, 0} -> ((5+5+1)/3, (6+6+2)/3). */
  const int32_t idx110[3] = {1, 1, 0};
  rv_pool_mean(items, 2, idx110, 3, scratch, out);
  CU_ASSERT_DOUBLE_EQUAL(out[0], 11.0 / 3.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(out[1], 14.0 / 3.0, F32);
  /* n = 0: the zero vector, whatever out held before. */
  out[0] = 99.0f;
  out[1] = -7.0f;
  rv_pool_mean(items, 2, idx02, 0, scratch, out);
  CU_ASSERT(out[0] == 0.0f && out[1] == 0.0f);
}

static void test_score_dot_hand(void) {
  /* S = U V^T, row u = (u.i0, ..., u.i4):
   *   u0 = (1,2): 1*1+2*0=1, 0+2=2, 1+2=3, 2+2=4, 0+4=4
   *   u1 = (2,0): 2, 0, 2, 4, 0
   *   u2 = (0,1): 0, 1, 1, 1, 2
   * Written with lds = 7: columns 5 and 6 must stay untouched. */
  const double want[NU][NI] = {{1, 2, 3, 4, 4}, {2, 0, 2, 4, 0}, {0, 1, 1, 1, 2}};
  float S[NU * 7];
  for (int q = 0; q < NU * 7; q++) S[q] = 999.0f;
  rv_score_block(RV_SIM_DOT, U0, NU, V0, NI, D, NULL, NULL, S, 7, 0);
  for (int u = 0; u < NU; u++) {
    for (int i = 0; i < NI; i++) CU_ASSERT_DOUBLE_EQUAL(S[u * 7 + i], want[u][i], EXACT);
    CU_ASSERT(S[u * 7 + 5] == 999.0f && S[u * 7 + 6] == 999.0f);
  }
  /* nu = 0 or ni = 0: nothing is written. */
  rv_score_block(RV_SIM_DOT, U0, 0, V0, NI, D, NULL, NULL, S, 7, 0);
  rv_score_block(RV_SIM_DOT, U0, NU, V0, 0, D, NULL, NULL, S, 7, 0);
  CU_ASSERT_DOUBLE_EQUAL(S[0], 1.0, EXACT);
  CU_ASSERT(S[5] == 999.0f);
}

static void test_score_cosine_hand(void) {
  /* Normalised: u0 = (1,2)/sqrt5, u1 = (1,0), u2 = (0,1);
   * i0 = (1,0), i1 = (0,1), i2 = (1,1)/sqrt2, i3 = (2,1)/sqrt5, i4 = (0,1).
   *   u0: 1/sqrt5, 2/sqrt5, 3/sqrt10, (2+2)/5 = 4/5, 2/sqrt5
   *   u1: 1, 0, 1/sqrt2, 2/sqrt5, 0
   *   u2: 0, 1, 1/sqrt2, 1/sqrt5, 1 */
  const double r2 = sqrt(2.0), r5 = sqrt(5.0), r10 = sqrt(10.0);
  const double want[NU][NI] = {{1 / r5, 2 / r5, 3 / r10, 0.8, 2 / r5},
                               {1, 0, 1 / r2, 2 / r5, 0},
                               {0, 1, 1 / r2, 1 / r5, 1}};
  float U[NU * D], V[NI * D], S[NU * NI];
  memcpy(U, U0, sizeof U);
  memcpy(V, V0, sizeof V);
  rv_rows_normalize(U, NU, D);
  rv_rows_normalize(V, NI, D);
  rv_score_block(RV_SIM_COSINE, U, NU, V, NI, D, NULL, NULL, S, NI, 0);
  for (int u = 0; u < NU; u++)
    for (int i = 0; i < NI; i++) CU_ASSERT_DOUBLE_EQUAL(S[u * NI + i], want[u][i], F32);
  /* i1 and i4 normalise to the same bits (0, 1), so u0's scores for them are
   * bitwise equal: an exact tie for the selection below. */
  CU_ASSERT(S[0 * NI + 1] == S[0 * NI + 4]);
}

static void test_score_euclidean_hand(void) {
  /* Score = -||u - i||^2:
   *   u0 = (1,2): i0 (0,2)->4, i1 (1,1)->2, i2 (0,1)->1, i3 (-1,1)->2, i4 (1,0)->1
   *   u1 = (2,0): i0 (1,0)->1, i1 (2,-1)->5, i2 (1,-1)->2, i3 (0,-1)->1, i4 (2,-2)->8
   *   u2 = (0,1): i0 (-1,1)->2, i1 (0,0)->0, i2 (-1,0)->1, i3 (-2,0)->4, i4 (0,-1)->1
   * e.g. u1.i1 via the formula: -(4 + 1 - 2*0) = -5. */
  const double want[NU][NI] = {{-4, -2, -1, -2, -1}, {-1, -5, -2, -1, -8}, {-2, 0, -1, -4, -1}};
  float un[NU], vn[NI], S[NU * NI];
  rv_rows_sqnorm(U0, NU, D, un);
  rv_rows_sqnorm(V0, NI, D, vn);
  CU_ASSERT_DOUBLE_EQUAL(un[0], 5.0, EXACT); /* 1 + 4 */
  CU_ASSERT_DOUBLE_EQUAL(vn[3], 5.0, EXACT); /* 4 + 1 */
  rv_score_block(RV_SIM_EUCLIDEAN, U0, NU, V0, NI, D, un, vn, S, NI, 0);
  for (int u = 0; u < NU; u++)
    for (int i = 0; i < NI; i++) {
      CU_ASSERT_DOUBLE_EQUAL(S[u * NI + i], want[u][i], EXACT);
      CU_ASSERT(S[u * NI + i] <= 0.0f);
    }
}

static void test_score_euclidean_clamp(void) {
  /* With (deliberately inconsistent) zero norms the formula gives 2 u.i, and
   * the clamp must cut positives to 0. u = (1,-1): u.i = 1, -1, 0, 1, -2, so
   * 2u.i = 2, -2, 0, 2, -4 -> clamped 0, -2, 0, 0, -4. */
  const float u[2] = {1, -1};
  const float zu[1] = {0}, zi[NI] = {0, 0, 0, 0, 0};
  const double want[NI] = {0, -2, 0, 0, -4};
  float S[NI];
  rv_score_block(RV_SIM_EUCLIDEAN, u, 1, V0, NI, D, zu, zi, S, NI, 0);
  for (int i = 0; i < NI; i++) CU_ASSERT_DOUBLE_EQUAL(S[i], want[i], EXACT);
}

static void test_score_zeroed_accumulate_same_bits(void) {
  /* beta = 1 on a zeroed block must give exactly the bits of beta = 0, for
   * every similarity, on random data with odd shapes (33 x 301, d = 19, a
   * leading dimension with a margin that must stay untouched). */
  enum { RU = 33, RI = 301, RD = 19, LD = 310 };
  static float U[RU * RD], V[RI * RD], un[RU], vn[RI], S0[RU * LD], S1[RU * LD];
  rv_rng_t r;
  rv_rng_seed(&r, 7, 1, 0);
  for (int q = 0; q < RU * RD; q++) U[q] = (float)(rv_rng_uniform(&r) * 2.0 - 1.0);
  for (int q = 0; q < RI * RD; q++) V[q] = (float)(rv_rng_uniform(&r) * 2.0 - 1.0);
  rv_rows_sqnorm(U, RU, RD, un);
  rv_rows_sqnorm(V, RI, RD, vn);
  for (int sim = 0; sim < 3; sim++) {
    for (int q = 0; q < RU * LD; q++) {
      S0[q] = 5.0f; /* garbage the beta = 0 path must overwrite */
      S1[q] = (q % LD) < RI ? 0.0f : 5.0f;
    }
    rv_score_block((rv_similarity_t)sim, U, RU, V, RI, RD, un, vn, S0, LD, 0);
    rv_score_block((rv_similarity_t)sim, U, RU, V, RI, RD, un, vn, S1, LD, 1);
    CU_ASSERT(memcmp(S0, S1, sizeof S0) == 0);
  }
}

/* ======================================================================== */
/* Suite: worked_example                                                    */

static void test_example_topk_dot(void) {
  /* Masked dot rows (seen -> -inf):
   *   u0: 1, 2, -inf, 4, 4  -> i3 (4) and i4 (4) tie: smaller index first
   *                          -> [3, 4, 1] scores [4, 4, 2]
   *   u1: 2, 0, 2, -inf, 0  -> i0/i2 tie at 2, i1/i4 tie at 0
   *                          -> [0, 2, 1] scores [2, 2, 0] (i4 is 4th)
   *   u2: 0, 1, 1, 1, -inf  -> i1, i2, i3 tie at 1 -> [1, 2, 3] */
  const int32_t want_items[NU][KMAX] = {{3, 4, 1}, {0, 2, 1}, {1, 2, 3}};
  const double want_scores[NU][KMAX] = {{4, 4, 2}, {2, 2, 0}, {1, 1, 1}};
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], EXACT);
    /* The same row in two tiles [0,2) + [2,5) gives the same selection. */
    rv_topk_slot_t st[RV_TOPK_CAPACITY(KMAX)];
    rv_topk_t t;
    int32_t items2[KMAX];
    float sc2[KMAX];
    rv_topk_init(&t, st, KMAX);
    rv_topk_push_row(&t, S + u * NI, 2, 0);
    rv_topk_push_row(&t, S + u * NI + 2, 3, 2);
    CU_ASSERT_EQUAL(rv_topk_finish(&t, items2, sc2), KMAX);
    assert_items(items2, want_items[u], KMAX);
  }
}

static void test_example_topk_cosine(void) {
  /* Masked cosine rows (values from test_score_cosine_hand):
   *   u0: .447, .894, -inf, .8, .894 -> i1/i4 tie (bitwise) -> [1, 4, 3]
   *   u1: 1, 0, .707, -inf, 0        -> [0, 2, 1] (i1/i4 tie at 0)
   *   u2: 0, 1, .707, .447, -inf     -> [1, 2, 3] */
  const int32_t want_items[NU][KMAX] = {{1, 4, 3}, {0, 2, 1}, {1, 2, 3}};
  const double r2 = sqrt(2.0), r5 = sqrt(5.0);
  const double want_scores[NU][KMAX] = {
      {2 / r5, 2 / r5, 0.8}, {1, 1 / r2, 0}, {1, 1 / r2, 1 / r5}};
  float S[NU * NI];
  example_scores(RV_SIM_COSINE, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], F32);
  }
}

static void test_example_topk_euclidean(void) {
  /* Masked euclidean rows (values from test_score_euclidean_hand):
   *   u0: -4, -2, -inf, -2, -1 -> [4 (-1), 1 (-2), 3 (-2)]  (1/3 tie)
   *   u1: -1, -5, -2, -inf, -8 -> [0, 2, 1]
   *   u2: -2, 0, -1, -4, -inf  -> [1, 2, 0] */
  const int32_t want_items[NU][KMAX] = {{4, 1, 3}, {0, 2, 1}, {1, 2, 0}};
  const double want_scores[NU][KMAX] = {{-1, -2, -2}, {-1, -2, -5}, {0, -1, -2}};
  float S[NU * NI];
  example_scores(RV_SIM_EUCLIDEAN, S);
  for (int u = 0; u < NU; u++) {
    int32_t items[KMAX];
    float sc[KMAX];
    CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, items, sc), KMAX);
    assert_items(items, want_items[u], KMAX);
    for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(sc[r], want_scores[u][r], EXACT);
  }
}

/* Test rows of the example (sorted) and their relevances. */
static const int32_t TEST_U0[3] = {0, 1, 4};
static const float REL_U0[3] = {1, 2, 3};
static const int32_t TEST_U1[2] = {0, 4};

/* Expected metrics of the example, dot similarity, k = 1, 2, 3.
 * L = log2(3).
 * u0: list [3, 4, 1] -> gains [0, 3, 2] (i3 not a test item, i4 rel 3,
 *     i1 rel 2); ideal = [3, 2, 1]; |R| = 3.
 *     k=1: hits 0 -> P 0, R 0, NDCG 0/3 = 0, hit 0
 *     k=2: hits 1 -> P 1/2, R 1/3, DCG 0 + 3/log2(3) = 3/L,
 *          IDCG 3/1 + 2/L -> NDCG (3/L)/(3 + 2/L) = 0.44412286644879787, hit 1
 *     k=3: hits 2 -> P 2/3, R 2/3, DCG 3/L + 2/log2(4) = 3/L + 1,
 *          IDCG 3 + 2/L + 1/2 -> NDCG (3/L + 1)/(3.5 + 2/L) = 0.60749151804565257, hit 1
 *     (With the i3/i4 tie broken the wrong way, gains would be [3, 0, 2] and
 *     P@1 would be 1: the tie is consequential.)
 * u1: list [0, 2, 1] -> gains [1, 0, 0]; binary; ideal = [1, 1] (m = 2 < kmax); |R| = 2.
 *     k=1: P 1, R 1/2, NDCG 1/1 = 1, hit 1
 *     k=2: P 1/2, R 1/2, DCG 1, IDCG 1 + 1/L -> NDCG 1/(1 + 1/L) = 0.61314719276545841, hit 1
 *     k=3: P 1/3, R 1/2, DCG 1, IDCG still 1 + 1/L (only 2 ideal gains) -> same NDCG, hit 1
 *     (Were i4 ranked before i1 in their 0-score tie, R@3 would be 1.) */
static double want_u0(int metric, int k) {
  const double L = log2(3.0);
  const double w[4][3] = {{0, 0.5, 2.0 / 3.0},
                          {0, 1.0 / 3.0, 2.0 / 3.0},
                          {0, (3 / L) / (3 + 2 / L), (3 / L + 1) / (3.5 + 2 / L)},
                          {0, 1, 1}};
  return w[metric][k - 1];
}
static double want_u1(int metric, int k) {
  const double L = log2(3.0);
  const double w[4][3] = {
      {1, 0.5, 1.0 / 3.0}, {0.5, 0.5, 0.5}, {1, 1 / (1 + 1 / L), 1 / (1 + 1 / L)}, {1, 1, 1}};
  return w[metric][k - 1];
}

static void test_example_metrics_kernels(void) {
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  int32_t list[NU][KMAX];
  float sc[KMAX];
  for (int u = 0; u < NU; u++) CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, list[u], sc), KMAX);

  /* u0, graded. */
  double g0[KMAX], id0[KMAX];
  rv_list_gains(list[0], KMAX, TEST_U0, REL_U0, 3, g0);
  CU_ASSERT_DOUBLE_EQUAL(g0[0], 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g0[1], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g0[2], 2.0, EXACT);
  const int n0 = rv_ideal_gains(REL_U0, 3, KMAX, id0);
  CU_ASSERT_EQUAL(n0, 3);
  CU_ASSERT_DOUBLE_EQUAL(id0[0], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(id0[1], 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(id0[2], 1.0, EXACT);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g0, KMAX, k), want_u0(0, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g0, KMAX, k, 3), want_u0(1, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, k), want_u0(2, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g0, KMAX, k), want_u0(3, k), EXACT);
  }
  /* Spot checks of the closed forms against the decimal values above. */
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, 2), 0.44412286644879787, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g0, KMAX, id0, n0, 3), 0.60749151804565257, 1e-14);

  /* u1, binary (rel NULL). */
  double g1[KMAX], id1[KMAX];
  rv_list_gains(list[1], KMAX, TEST_U1, NULL, 2, g1);
  CU_ASSERT_DOUBLE_EQUAL(g1[0], 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g1[1], 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(g1[2], 0.0, EXACT);
  const int n1 = rv_ideal_gains(NULL, 2, KMAX, id1);
  CU_ASSERT_EQUAL(n1, 2);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g1, KMAX, k), want_u1(0, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g1, KMAX, k, 2), want_u1(1, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g1, KMAX, id1, n1, k), want_u1(2, k), EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g1, KMAX, k), want_u1(3, k), EXACT);
  }
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g1, KMAX, id1, n1, 2), 0.61314719276545841, 1e-14);

  /* u2, no test items: gains all 0; recall with m = 0 and NDCG with no
   * ideal gains are undefined -> NaN (the engine never calls the metrics
   * for such users, and reports NaN itself). */
  double g2[KMAX], id2[KMAX];
  rv_list_gains(list[2], KMAX, TEST_U1, NULL, 0, g2);
  for (int r = 0; r < KMAX; r++) CU_ASSERT_DOUBLE_EQUAL(g2[r], 0.0, EXACT);
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 0, KMAX, id2), 0);
  for (int k = 1; k <= KMAX; k++) {
    CU_ASSERT(isnan(rv_recall_at(g2, KMAX, k, 0)));
    CU_ASSERT(isnan(rv_ndcg_at(g2, KMAX, id2, 0, k)));
  }
}

static void test_example_metrics_descriptors(void) {
  float S[NU * NI];
  example_scores(RV_SIM_DOT, S);
  int32_t list[2][KMAX];
  float sc[2][KMAX];
  for (int u = 0; u < 2; u++) CU_ASSERT_EQUAL(select_topk(S + u * NI, NI, KMAX, list[u], sc[u]), KMAX);
  double g0[KMAX], g1[KMAX], id0[KMAX], id1[KMAX];
  rv_list_gains(list[0], KMAX, TEST_U0, REL_U0, 3, g0);
  rv_list_gains(list[1], KMAX, TEST_U1, NULL, 2, g1);
  const int32_t train0[1] = {2}, train1[1] = {3};
  rv_user_view_t v0 = {.user = 0, .kmax = KMAX, .len = KMAX, .items = list[0], .scores = sc[0],
                       .gain = g0, .n_test = 3, .test = TEST_U0, .test_rel = REL_U0,
                       .ideal = id0, .n_ideal = rv_ideal_gains(REL_U0, 3, KMAX, id0),
                       .n_train = 1, .train = train0};
  rv_user_view_t v1 = {.user = 1, .kmax = KMAX, .len = KMAX, .items = list[1], .scores = sc[1],
                       .gain = g1, .n_test = 2, .test = TEST_U1, .test_rel = NULL,
                       .ideal = id1, .n_ideal = rv_ideal_gains(NULL, 2, KMAX, id1),
                       .n_train = 1, .train = train1};
  const char *names[4] = {"precision", "recall", "ndcg", "hit"};
  for (int m = 0; m < 4; m++) {
    const rv_metric_t *d = rv_metric_find(names[m]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (int k = 1; k <= KMAX; k++) {
      CU_ASSERT_DOUBLE_EQUAL(d->compute_user(&v0, k), want_u0(m, k), EXACT);
      CU_ASSERT_DOUBLE_EQUAL(d->compute_user(&v1, k), want_u1(m, k), EXACT);
    }
  }
  /* A list shorter than k (candidates ran out): missing slots are misses.
   * u1 with only its first entry (gain 1) at k = 3: precision 1/3, recall
   * 1/2, hit 1, NDCG = 1 / (1 + 1/log2 3) as with the full list. */
  v1.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_precision.compute_user(&v1, 3), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_recall.compute_user(&v1, 3), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_hit.compute_user(&v1, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_ndcg.compute_user(&v1, 3), 1 / (1 + 1 / log2(3.0)), EXACT);
  /* Empty list: everything 0 (user has test items, none found). */
  v1.len = 0;
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_precision.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_recall.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_ndcg.compute_user(&v1, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_metric_hit.compute_user(&v1, 2), 0.0, EXACT);
}

static void test_docs_metrics_example(void) {
  /* The worked example of docs/metrics.md: 5 items, train {1}, test
   * {0: rel 2, 3: rel 1}, scores [.9, .95, .3, .8, .3]. Item 1 masked;
   * ranking 0 (.9), 3 (.8), 2 (.3), 4 (.3) (2/4 tie -> 2 first).
   * k=1: hits 1: P 1, R 1/2, hit 1; DCG 2/log2(2) = 2 = IDCG -> NDCG 1.
   * k=2: hits 2: P 1, R 1; DCG = 2 + 1/log2 3 = IDCG -> NDCG 1.
   * k=3: L = [0, 3, 2]: P 2/3, R 1; IDCG uses min(3, 2) = 2 gains -> NDCG 1. */
  float row[5] = {0.9f, 0.95f, 0.3f, 0.8f, 0.3f};
  row[1] = -INFINITY;
  int32_t items[4];
  float sc[4];
  CU_ASSERT_EQUAL(select_topk(row, 5, 4, items, sc), 4);
  const int32_t want[4] = {0, 3, 2, 4};
  assert_items(items, want, 4);
  const int32_t test[2] = {0, 3};
  const float rel[2] = {2, 1};
  double g[3], ideal[3];
  rv_list_gains(items, 3, test, rel, 2, g);
  const int ni = rv_ideal_gains(rel, 2, 3, ideal);
  CU_ASSERT_EQUAL(ni, 2);
  const double P[3] = {1, 1, 2.0 / 3.0}, R[3] = {0.5, 1, 1};
  for (int k = 1; k <= 3; k++) {
    CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g, 3, k), P[k - 1], EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g, 3, k, 2), R[k - 1], EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(g, 3, ideal, ni, k), 1.0, EXACT);
    CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(g, 3, k), 1.0, EXACT);
  }
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 2), 2.6309, 1e-4); /* as printed in the doc */
}

/* ======================================================================== */
/* Suite: topk                                                              */

static void test_topk_k_exceeds_candidates(void) {
  /* 3 scores, one masked, k = 5: 2 selected [i2 (2.0), i0 (0.5)], slots
   * 2..4 padded with item -1 / NaN. */
  const float row[3] = {0.5f, -INFINITY, 2.0f};
  int32_t items[5];
  float sc[5];
  CU_ASSERT_EQUAL(select_topk(row, 3, 5, items, sc), 2);
  CU_ASSERT_EQUAL(items[0], 2);
  CU_ASSERT_EQUAL(items[1], 0);
  CU_ASSERT_DOUBLE_EQUAL(sc[0], 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(sc[1], 0.5, EXACT);
  for (int r = 2; r < 5; r++) {
    CU_ASSERT_EQUAL(items[r], -1);
    CU_ASSERT(isnan(sc[r]));
  }
}

static void test_topk_all_masked(void) {
  /* 20 masked scores (one full block of 16 + tail of 4): nothing selected. */
  float row[20];
  for (int j = 0; j < 20; j++) row[j] = -INFINITY;
  int32_t items[3];
  float sc[3];
  CU_ASSERT_EQUAL(select_topk(row, 20, 3, items, sc), 0);
  for (int r = 0; r < 3; r++) {
    CU_ASSERT_EQUAL(items[r], -1);
    CU_ASSERT(isnan(sc[r]));
  }
  /* Zero-length row. */
  CU_ASSERT_EQUAL(select_topk(row, 0, 3, items, sc), 0);
}

static void test_topk_nan_never_selected(void) {
  /* Short row (tail path): NaN, 1, NaN, 3, NaN with k = 4 -> [i3, i1], 2 selected. */
  const float row[5] = {NAN, 1.0f, NAN, 3.0f, NAN};
  int32_t items[4];
  float sc[4];
  CU_ASSERT_EQUAL(select_topk(row, 5, 4, items, sc), 2);
  CU_ASSERT_EQUAL(items[0], 3);
  CU_ASSERT_EQUAL(items[1], 1);
  CU_ASSERT_EQUAL(items[2], -1);
  /* Long row (block path), NaNs inside blocks but not leading one:
   * 20 items, s[j] = j except NaN at 3, 7 and 17; k = 20 -> the 17 others,
   * best first: 19, 18, 16, 15, ..., 8, 6, 5, 4, 2, 1, 0. */
  float r2[20];
  for (int j = 0; j < 20; j++) r2[j] = (float)j;
  r2[3] = r2[7] = r2[17] = NAN;
  int32_t it2[20];
  float s2[20];
  CU_ASSERT_EQUAL(select_topk(r2, 20, 20, it2, s2), 17);
  int r = 0;
  for (int j = 19; j >= 0; j--) {
    if (j == 3 || j == 7 || j == 17) continue;
    CU_ASSERT_EQUAL(it2[r], j);
    r++;
  }
  for (; r < 20; r++) CU_ASSERT_EQUAL(it2[r], -1);
}

static void test_topk_long_row_best_last(void) {
  /* 150 items (two chunks of 64 + a tail of 22), s[j] = -j, so the first
   * chunk fills the buffer (capacity 4*3+64 = 76 -> one purge, threshold -2)
   * and later chunks are rejected by the vector test, except the best item
   * at the very end (tail): s[149] = 100. k = 3 -> [149, 0, 1]. */
  float row[150];
  for (int j = 0; j < 150; j++) row[j] = -(float)j;
  row[149] = 100.0f;
  int32_t items[3];
  float sc[3];
  CU_ASSERT_EQUAL(select_topk(row, 150, 3, items, sc), 3);
  CU_ASSERT_EQUAL(items[0], 149);
  CU_ASSERT_EQUAL(items[1], 0);
  CU_ASSERT_EQUAL(items[2], 1);
  CU_ASSERT_DOUBLE_EQUAL(sc[0], 100.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(sc[2], -1.0, EXACT);
  /* Best at the last lane of a full chunk: 128 items, s[127] = 50 -> [127, 0, 1]. */
  row[127] = 50.0f;
  CU_ASSERT_EQUAL(select_topk(row, 128, 3, items, sc), 3);
  CU_ASSERT_EQUAL(items[0], 127);
  CU_ASSERT_EQUAL(items[1], 0);
  CU_ASSERT_EQUAL(items[2], 1);
}

static void test_topk_increasing_and_constant(void) {
  /* Increasing scores s[j] = j: every item beats the threshold, the worst
   * case (a purge every 3k + 64 items). k = 5 -> [999, 998, 997, 996, 995].
   * Constant scores: after the first purge the threshold equals every later
   * score and ties go to the smaller index. k = 7 -> [0, ..., 6]. */
  float row[1000];
  int32_t items[7];
  float sc[7];
  for (int j = 0; j < 1000; j++) row[j] = (float)j;
  CU_ASSERT_EQUAL(select_topk(row, 1000, 5, items, sc), 5);
  for (int r = 0; r < 5; r++) CU_ASSERT_EQUAL(items[r], 999 - r);
  for (int j = 0; j < 1000; j++) row[j] = 1.0f;
  CU_ASSERT_EQUAL(select_topk(row, 1000, 7, items, sc), 7);
  for (int r = 0; r < 7; r++) CU_ASSERT_EQUAL(items[r], r);
}

static void test_topk_ties_long_row(void) {
  /* 20 items, s[i] = (7 i) mod 5 = (2 i) mod 5: value 4 at i = 2, 7, 12, 17,
   * value 3 at i = 4, 9, 14, 19. k = 6 -> the four 4s by index, then the
   * first two 3s: [2, 7, 12, 17, 4, 9]. */
  float row[20];
  for (int i = 0; i < 20; i++) row[i] = (float)((7 * i) % 5);
  const int32_t want[6] = {2, 7, 12, 17, 4, 9};
  int32_t items[6];
  float sc[6];
  CU_ASSERT_EQUAL(select_topk(row, 20, 6, items, sc), 6);
  assert_items(items, want, 6);
  CU_ASSERT_DOUBLE_EQUAL(sc[3], 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(sc[5], 3.0, EXACT);
  /* All equal, 40 items, k = 5: items 0..4. */
  float flat[40];
  for (int i = 0; i < 40; i++) flat[i] = 1.0f;
  CU_ASSERT_EQUAL(select_topk(flat, 40, 5, items, sc), 5);
  for (int r = 0; r < 5; r++) CU_ASSERT_EQUAL(items[r], r);
}

static void test_topk_tiles_equal_whole(void) {
  /* The ties row above (extended to 45 items) pushed as tiles of 7, 16, 17
   * and 5 with matching item offsets must equal a single push. Value 4 at
   * i = 2 mod 5 (i = 2, 7, ..., 42: 9 items), value 3 at i = 4 mod 5.
   * k = 11 -> the nine 4s (2, 7, ..., 42) then 4, 9. */
  float row[45];
  for (int i = 0; i < 45; i++) row[i] = (float)((7 * i) % 5);
  row[12] = -INFINITY; /* masked: 12 drops out, 14 joins */
  const int32_t want[11] = {2, 7, 17, 22, 27, 32, 37, 42, 4, 9, 14};
  int32_t a[11], b[11];
  float sa[11], sb[11];
  CU_ASSERT_EQUAL(select_topk(row, 45, 11, a, sa), 11);
  assert_items(a, want, 11);
  rv_topk_slot_t st[RV_TOPK_CAPACITY(11)];
  rv_topk_t t;
  rv_topk_init(&t, st, 11);
  const int cuts[5] = {0, 7, 23, 40, 45};
  for (int c = 0; c < 4; c++) rv_topk_push_row(&t, row + cuts[c], cuts[c + 1] - cuts[c], cuts[c]);
  CU_ASSERT_EQUAL(rv_topk_finish(&t, b, sb), 11);
  CU_ASSERT(memcmp(a, b, sizeof a) == 0);
  CU_ASSERT(memcmp(sa, sb, sizeof sa) == 0);
  /* The selector is left empty and reusable. */
  CU_ASSERT_EQUAL(t.n, 0);
  rv_topk_push_row(&t, row, 3, 0); /* 0, 2, 4 -> [2, 1, 0] */
  CU_ASSERT_EQUAL(rv_topk_finish(&t, b, sb), 3);
  CU_ASSERT_EQUAL(b[0], 2);
  CU_ASSERT_EQUAL(b[1], 1);
  CU_ASSERT_EQUAL(b[2], 0);
  CU_ASSERT_EQUAL(b[3], -1);
}

static void test_topk_k_zero(void) {
  const float row[3] = {1, 2, 3};
  rv_topk_slot_t st[RV_TOPK_CAPACITY(0)];
  int32_t items[1] = {7};
  float sc[1] = {7};
  rv_topk_t t;
  rv_topk_init(&t, st, 0);
  rv_topk_push_row(&t, row, 3, 0);
  CU_ASSERT_EQUAL(rv_topk_finish(&t, items, sc), 0);
  CU_ASSERT_EQUAL(items[0], 7); /* k = 0: nothing written */
}

/* Reference: full sort by (score desc, item asc), finite-or-+inf scores only. */
static int ref_cmp(const void *pa, const void *pb) {
  const rv_cand_t *a = pa, *b = pb;
  if (a->score != b->score) return a->score > b->score ? -1 : 1;
  return (a->item > b->item) - (a->item < b->item);
}

static void test_topk_random_vs_sort(void) {
  /* Random rows with many ties (integer scores in [0, 8)), ~10% masked and
   * ~3% NaN, random k and random tile cuts (long enough to use the 64-score
   * chunk test and its scalar tail), checked against a full sort. */
  rv_rng_t r;
  rv_rng_seed(&r, 12345, 99, 0);
  float row[1000];
  rv_cand_t all[1000];
  rv_topk_slot_t st[RV_TOPK_CAPACITY(64)];
  int32_t items[64];
  float sc[64];
  for (int trial = 0; trial < 200; trial++) {
    const int n = (int)rv_rng_below(&r, 1000) + 1;
    const int k = (int)rv_rng_below(&r, 64) + 1;
    int m = 0;
    for (int j = 0; j < n; j++) {
      const uint64_t c = rv_rng_below(&r, 100);
      row[j] = c < 10 ? -INFINITY : c < 13 ? NAN : (float)rv_rng_below(&r, 8);
      if (row[j] > -INFINITY) all[m++] = (rv_cand_t){row[j], j};
    }
    qsort(all, (size_t)m, sizeof all[0], ref_cmp);
    const int want_n = m < k ? m : k;
    rv_topk_t t;
    rv_topk_init(&t, st, k);
    int j0 = 0;
    while (j0 < n) {
      int len = (int)rv_rng_below(&r, 200);
      if (len > n - j0) len = n - j0;
      rv_topk_push_row(&t, row + j0, len, j0);
      j0 += len;
    }
    const int got = rv_topk_finish(&t, items, sc);
    CU_ASSERT_EQUAL(got, want_n);
    int ok = 1;
    for (int q = 0; q < want_n && q < got; q++)
      ok &= items[q] == all[q].item && sc[q] == all[q].score;
    for (int q = want_n; q < k; q++) ok &= items[q] == -1 && isnan(sc[q]);
    CU_ASSERT(ok);
  }
}

static void test_topk_merge_shards(void) {
  /* A row cut into two item shards at a random point: the merge of the two
   * shards' key lists equals the selection of the whole row, and decoding
   * gives back the exact scores. Integer scores force ties across the cut. */
  rv_rng_t r;
  rv_rng_seed(&r, 4242, 7, 0);
  float row[700];
  rv_topk_slot_t st[RV_TOPK_CAPACITY(40)], ka[40], kb[40], km[40], kw[40];
  int32_t it_m[40], it_w[40];
  float sc_m[40], sc_w[40];
  for (int trial = 0; trial < 100; trial++) {
    const int n = (int)rv_rng_below(&r, 700) + 1, k = (int)rv_rng_below(&r, 40) + 1;
    const int cut = (int)rv_rng_below(&r, (uint64_t)n + 1);
    for (int j = 0; j < n; j++)
      row[j] = rv_rng_below(&r, 8) == 0 ? -INFINITY : (float)rv_rng_below(&r, 6) - 2.5f;
    rv_topk_t t;
    rv_topk_init(&t, st, k);
    rv_topk_push_row(&t, row, cut, 0);
    rv_topk_finish_keys(&t, ka);
    rv_topk_push_row(&t, row + cut, n - cut, cut);
    rv_topk_finish_keys(&t, kb);
    rv_topk_merge(ka, kb, k, km);
    rv_topk_push_row(&t, row, n, 0);
    rv_topk_finish_keys(&t, kw);
    CU_ASSERT(memcmp(km, kw, sizeof(rv_topk_slot_t) * (size_t)k) == 0);
    const int nm = rv_topk_decode(km, k, it_m, sc_m);
    rv_topk_push_row(&t, row, n, 0);
    const int nw = rv_topk_finish(&t, it_w, sc_w);
    CU_ASSERT_EQUAL(nm, nw);
    int ok = 1;
    for (int q = 0; q < nw; q++) ok &= it_m[q] == it_w[q] && sc_m[q] == sc_w[q] && row[it_m[q]] == sc_m[q];
    CU_ASSERT(ok);
  }
}

/* ======================================================================== */
/* Suite: accuracy                                                          */

static void test_list_gains(void) {
  /* test (sorted) = [2, 5, 9] with rel [1, 3, 2]; list = [9, 0, 5, 10, 2]:
   * 9 -> 2, 0 (below all) -> 0, 5 -> 3, 10 (above all) -> 0, 2 -> 1. */
  const int32_t test[3] = {2, 5, 9};
  const float rel[3] = {1, 3, 2};
  const int32_t list[5] = {9, 0, 5, 10, 2};
  const double want[5] = {2, 0, 3, 0, 1};
  double g[5];
  rv_list_gains(list, 5, test, rel, 3, g);
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(g[r], want[r], EXACT);
  rv_list_gains(list, 5, test, NULL, 3, g); /* binary: 1, 0, 1, 0, 1 */
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(g[r], want[r] > 0 ? 1.0 : 0.0, EXACT);
}

static void test_ideal_gains(void) {
  double ideal[8];
  /* Graded, unsorted, m = 5 > kmax = 3: the 3 largest of {1, 3, 2, 3, .5},
   * descending: [3, 3, 2]. */
  const float rel[5] = {1, 3, 2, 3, 0.5f};
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 3, ideal), 3);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[2], 2.0, EXACT);
  /* m = 5 < kmax = 8: all five sorted: [3, 3, 2, 1, .5]. */
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 8, ideal), 5);
  const double all[5] = {3, 3, 2, 1, 0.5};
  for (int r = 0; r < 5; r++) CU_ASSERT_DOUBLE_EQUAL(ideal[r], all[r], EXACT);
  /* Ascending input, kmax 2: [4, 3] from {1, 2, 3, 4}. */
  const float asc[4] = {1, 2, 3, 4};
  CU_ASSERT_EQUAL(rv_ideal_gains(asc, 4, 2, ideal), 2);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 3.0, EXACT);
  /* NULL rel: all ones; m = 4, kmax 2 -> 2; m = 1, kmax 3 -> 1. */
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 4, 2, ideal), 2);
  CU_ASSERT_DOUBLE_EQUAL(ideal[0], 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(ideal[1], 1.0, EXACT);
  CU_ASSERT_EQUAL(rv_ideal_gains(NULL, 1, 3, ideal), 1);
  /* kmax 0 or m 0 -> 0. */
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 5, 0, ideal), 0);
  CU_ASSERT_EQUAL(rv_ideal_gains(rel, 0, 3, ideal), 0);
}

static void test_dcg_hits(void) {
  /* gains [3, 0, 2]: DCG@3 = 3/log2(2) + 0/log2(3) + 2/log2(4) = 3 + 1 = 4;
   * DCG@2 = 3; DCG@1 = 3; k beyond len uses len: DCG@10 = 4. */
  const double g[3] = {3, 0, 2};
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 3), 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 2), 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 1), 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 3, 10), 4.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(g, 0, 3), 0.0, EXACT);
  /* Gain 6 at rank 7: 6 / log2(8) = 2; gain 1 at rank 3: 1/log2(4) = 0.5. */
  const double h[7] = {0, 0, 1, 0, 0, 0, 6};
  CU_ASSERT_DOUBLE_EQUAL(rv_dcg_at(h, 7, 7), 2.5, EXACT);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 3), 2);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 2), 1);
  CU_ASSERT_EQUAL(rv_hits_at(g, 3, 10), 2);
  CU_ASSERT_EQUAL(rv_hits_at(h, 7, 2), 0);
  /* precision counts missing slots as misses: hits 2 over k = 5. */
  CU_ASSERT_DOUBLE_EQUAL(rv_precision_at(g, 3, 5), 0.4, EXACT);
  /* recall with m = 0: NaN; with m = 4: 2/4. */
  CU_ASSERT(isnan(rv_recall_at(g, 3, 3, 0)));
  CU_ASSERT_DOUBLE_EQUAL(rv_recall_at(g, 3, 3, 4), 0.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(h, 7, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_hit_at(h, 7, 3), 1.0, EXACT);
  /* Perfect list: NDCG = 1. gains [3, 2, 1] vs ideal [3, 2, 1]. */
  const double p[3] = {3, 2, 1};
  CU_ASSERT_DOUBLE_EQUAL(rv_ndcg_at(p, 3, p, 3, 3), 1.0, EXACT);
}

/* ======================================================================== */
/* Suite: metrics (registry and descriptors)                                */

static void test_registry(void) {
  /* Structure of the table: unique names, help text, the function the kind
   * needs, the accuracy metrics first and in the documented order. */
  const char *first[7] = {"precision", "recall", "f1", "ndcg", "map", "mrr", "hit"};
  int n = 0;
  while (rv_metric_registry[n]) n++;
  CU_ASSERT(n >= 7);
  for (int i = 0; i < 7 && i < n; i++) CU_ASSERT_STRING_EQUAL(rv_metric_registry[i]->name, first[i]);
  for (int i = 0; i < n; i++) {
    const rv_metric_t *m = rv_metric_registry[i];
    CU_ASSERT(m->help != NULL && strlen(m->help) > 10);
    if (m->kind == RV_KIND_USER) {
      CU_ASSERT_PTR_NOT_NULL(m->compute_user);
    } else {
      CU_ASSERT_PTR_NOT_NULL(m->finalize);
    }
    CU_ASSERT_PTR_EQUAL(rv_metric_find(m->name), m);
    for (int j = 0; j < i; j++) CU_ASSERT(strcmp(rv_metric_registry[j]->name, m->name) != 0);
  }
  CU_ASSERT_PTR_EQUAL(rv_metric_find("precision"), &rv_metric_precision);
  CU_ASSERT_PTR_EQUAL(rv_metric_find("hit"), &rv_metric_hit);
  CU_ASSERT_PTR_NULL(rv_metric_find("nope"));
  CU_ASSERT_PTR_NULL(rv_metric_find("precision@5")); /* base names only */
  CU_ASSERT_PTR_NULL(rv_metric_find(""));
  /* Every name of the default set exists. */
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", rv_metric_default_set);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) CU_ASSERT_PTR_NOT_NULL(rv_metric_find(tok));
}

/* ======================================================================== */
/* Suite: xsum                                                              */

static void test_xsum_order_independent(void) {
  /* Ten values with mixed magnitudes and cancellation. As doubles the sum
   * depends on the order (checked below), the exact sums must not. */
  const double v[10] = {0.1, 0.2, 0.3, 1e10, -1e10, 1.0 / 3.0, -0.7, 123.456, 0.1, -1e-9};
  rv_i128 fwd = 0, rev = 0, grp = 0, part[3] = {0, 0, 0};
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(rv_xsum_add(&fwd, v[i]), 0);
  for (int i = 9; i >= 0; i--) CU_ASSERT_EQUAL(rv_xsum_add(&rev, v[i]), 0);
  /* Grouping as three "ranks" (interleaved), then integer sum of partials. */
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(rv_xsum_add(&part[i % 3], v[i]), 0);
  grp = (part[2] + part[0]) + part[1];
  CU_ASSERT(memcmp(&fwd, &rev, sizeof fwd) == 0);
  CU_ASSERT(memcmp(&fwd, &grp, sizeof fwd) == 0);
  /* IEEE double addition is not associative for these values (this is what
   * makes the test meaningful): (0.1 + 0.2) + 0.3 = 0.6000000000000001 but
   * 0.1 + (0.2 + 0.3) = 0.6; 1e10 + 0.1 - 1e10 != 0.1. */
  volatile double a = 0.1, b = 0.2, c = 0.3, big = 1e10;
  CU_ASSERT((a + b) + c != a + (b + c));
  CU_ASSERT((big + a) - big != a);

  /* 0.1 added 10 times, sequentially vs in a pairwise tree: bitwise equal.
   * Value: 0.1 = 0x1.999999999999ap-4, scaled by 2^52 it is
   * 0x1999999999999.a = 450359962737049.625 -> rounds to 450359962737050;
   * times 10 = 4503599627370500 = 2^52 + 4 -> value 1 + 4 * 2^-52 = 1 + 2^-50. */
  rv_i128 seq = 0, tree[10];
  for (int i = 0; i < 10; i++) {
    rv_xsum_add(&seq, 0.1);
    tree[i] = 0;
    rv_xsum_add(&tree[i], 0.1);
  }
  for (int w = 1; w < 10; w *= 2)
    for (int i = 0; i + w < 10; i += 2 * w) tree[i] += tree[i + w];
  CU_ASSERT(memcmp(&seq, &tree[0], sizeof seq) == 0);
  CU_ASSERT(seq == (rv_i128)4503599627370500LL);
  CU_ASSERT(rv_xsum_value(seq) == 1.0 + 0x1p-50);
  /* One 0.1 reads back as its grid value 450359962737050 * 2^-52, which is
   * 0.375 * 2^-52 above the double 0.1. */
  rv_i128 one = 0;
  rv_xsum_add(&one, 0.1);
  CU_ASSERT(rv_xsum_value(one) == 450359962737050.0 * 0x1p-52);
}

static void test_xsum_reject(void) {
  rv_i128 acc = 0;
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 1.5), 0);
  const rv_i128 before = acc;
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, NAN), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, INFINITY), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -INFINITY), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 0x1p41), -1);                /* 2^41 > 2^40 */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -0x1p41), -1);
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, nextafter(0x1p40, INFINITY)), -1); /* just above */
  CU_ASSERT(acc == before); /* rejected values leave the sum alone */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, 0x1p40), 0); /* the bound itself is allowed */
  CU_ASSERT_EQUAL(rv_xsum_add(&acc, -0x1p40), 0);
  CU_ASSERT(acc == before);
  /* Moments reject the same values and do not count them. */
  rv_moments_t m = {0, 0, 0};
  CU_ASSERT_EQUAL(rv_moments_add(&m, NAN), -1);
  CU_ASSERT(m.n == 0);
  CU_ASSERT(isnan(rv_moments_mean(&m))); /* n = 0 -> NaN */
}

static void test_xsum_value_roundtrip(void) {
  /* Dyadic fractions with at most 52 fractional bits (and |v| <= 2^40) lie
   * on the grid, so add-then-read is the identity. (1 - 2^-53 would not: it
   * needs 53 fractional bits.) */
  const double v[] = {0.0,     0.5,     -0.25,       3.0625,    0x1p-52,
                      -0x1p-52, 0x1p40, -0x1p40,     1e6 + 0.125, -12345.75,
                      0x1.ffffffffffffep-1 /* 1 - 2^-52 */};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    rv_i128 acc = 0;
    CU_ASSERT_EQUAL(rv_xsum_add(&acc, v[i]), 0);
    CU_ASSERT(rv_xsum_value(acc) == v[i]);
  }
  /* 0.5 + 0.25 + 0.125 = 0.875 exactly; 0.875 - 1 = -0.125. */
  rv_i128 acc = 0;
  rv_xsum_add(&acc, 0.5);
  rv_xsum_add(&acc, 0.25);
  rv_xsum_add(&acc, 0.125);
  CU_ASSERT(rv_xsum_value(acc) == 0.875);
  rv_xsum_add(&acc, -1.0);
  CU_ASSERT(rv_xsum_value(acc) == -0.125);
  /* Below the grid: 2^-53 scales to 0.5 -> rounds to even 0; 3*2^-53 scales
   * to 1.5 -> rounds to 2 units = 2^-51 (round-half-even, default mode). */
  rv_i128 h = 0;
  rv_xsum_add(&h, 0x1p-53);
  CU_ASSERT(h == 0);
  rv_xsum_add(&h, 3 * 0x1p-53);
  CU_ASSERT(h == 2);
  CU_ASSERT(rv_xsum_value(h) == 0x1p-51);
  /* Sums beyond 2^64 grid units (value >= 2^12) use the high word:
   * 4 * 2^40 = 2^42 exactly; 4 * (-2^40) + 0.5 = -2^42 + 0.5, which needs
   * 42 + 1 significant bits, so it is an exact double (negative branch). */
  rv_i128 big = 0;
  for (int i = 0; i < 4; i++) rv_xsum_add(&big, 0x1p40);
  CU_ASSERT(rv_xsum_value(big) == 0x1p42);
  rv_i128 neg = 0;
  for (int i = 0; i < 4; i++) rv_xsum_add(&neg, -0x1p40);
  rv_xsum_add(&neg, 0.5);
  CU_ASSERT(rv_xsum_value(neg) == -0x1p42 + 0.5);
}

/* The second pass over v[0..n) as reduce_all runs it, with the values cut
 * into `parts` contiguous slices standing for ranks: spreads combined with
 * max, m2 partials summed. Returns m2; *scale is the grid's exponent. */
static double two_pass(const double *v, int n, int parts, rv_moments_t *m, int *scale) {
  *m = (rv_moments_t){0, 0, 0};
  for (int i = 0; i < n; i++) CU_ASSERT_EQUAL(rv_moments_add(m, v[i]), 0);
  const double mean = rv_moments_mean(m);
  double spread[3] = {-INFINITY, -INFINITY, -INFINITY}, part[3];
  for (int p = 0; p < parts; p++) {
    const int a = n * p / parts, b = n * (p + 1) / parts;
    rv_moments_spread(v + a, (size_t)(b - a), mean, part);
    for (int j = 0; j < 3; j++) spread[j] = fmax(spread[j], part[j]);
  }
  *scale = rv_moments_scale(spread);
  rv_i128 m2 = 0;
  for (int p = 0; p < parts; p++) {
    rv_moments_t local = {0, 0, 0};
    for (int i = n * p / parts; i < n * (p + 1) / parts; i++)
      CU_ASSERT_EQUAL(rv_moments_add_dev(&local, v[i], mean, *scale), 0);
    m2 += local.m2;
  }
  m->m2 = m2;
  return rv_moments_m2(m, *scale);
}

static void test_moments_two_pass(void) {
  /* Constant sample: 1/3 seven times. The mean (7 g / 7, g the value on the
   * 2^-52 grid) is within an ulp of 1/3 but need not equal it; the spread
   * (max = min) says the sample is constant, so m2 is exactly 0 and the
   * interval has zero width: half = t * sqrt(0) = 0. */
  rv_moments_t m;
  int e;
  const double third[7] = {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3};
  CU_ASSERT_EQUAL(two_pass(third, 7, 3, &m, &e), 0.0);
  CU_ASSERT(m.n == 7);
  CU_ASSERT_EQUAL(e, RV_MOMENTS_CONSTANT);
  const double mean = rv_moments_mean(&m);
  CU_ASSERT_DOUBLE_EQUAL(mean, 1.0 / 3.0, 1e-15);
  double lo, hi;
  rv_ci95(mean, 0.0, 7, &lo, &hi);
  CU_ASSERT(lo == mean && hi == mean);

  /* Values 1, 2, 3: sum 6, mean 2; m2 = 1 + 0 + 1 = 2. Largest deviation
   * 1 = 0.5 * 2^1: e = 1, terms (1/2)^2 2^80 = 2^78, m2 = 2^79 on the grid. */
  const double x[3] = {1, 2, 3};
  CU_ASSERT_DOUBLE_EQUAL(two_pass(x, 3, 1, &m, &e), 2.0, EXACT);
  CU_ASSERT_EQUAL(e, 1);
  CU_ASSERT(m.m2 == (rv_i128)1 << 79);
  /* A deviation beyond the scale is refused (a scale that is not global). */
  CU_ASSERT_EQUAL(rv_moments_add_dev(&m, 4.0, 2.0, 1), -1);
}

static void test_moments_tiny_spread(void) {
  /* v_k = 0.5 + k 1e-12, k = 0..9 (as doubles). Independent reference, with
   * Python's fractions on the exact doubles:
   *   mean = 0.5000000000045, m2 = sum (v_k - mean)^2 = 8.250045775126913e-23,
   *   half = t_{.975,9} sqrt(m2 / 9 / 10) = 2.2621571627409915 * ... = 2.165856598216306e-12.
   * The plain 2^-52 grid (before the spread's grid) rounded every squared
   * deviation (<= 2e-23) to 0: m2 = 0, a zero-width interval. The spread's
   * grid (largest deviation 4.5e-12, e = -37) keeps m2 to rounding, the
   * same at any split. */
  double v[10];
  for (int k = 0; k < 10; k++) v[k] = 0.5 + k * 1e-12;
  rv_moments_t m1, m3, m7;
  int e1, e3, e7;
  const double m2 = two_pass(v, 10, 1, &m1, &e1);
  CU_ASSERT_EQUAL(e1, -37);
  /* The mean is exact to its sum's grid, |delta| <= 2^-53: m2 gains
   * n delta^2 <= 1.2e-31, 1.5e-9 of m2 (the reference uses the exact mean). */
  CU_ASSERT_DOUBLE_EQUAL(m2 / 8.250045775126913e-23, 1.0, 2e-9);
  /* Bitwise the same sums however the users are split over ranks. */
  CU_ASSERT_EQUAL(two_pass(v, 10, 3, &m3, &e3), m2);
  CU_ASSERT_EQUAL(two_pass(v, 10, 7, &m7, &e7), m2);
  CU_ASSERT(m1.m2 == m3.m2 && m3.m2 == m7.m2 && e1 == e3 && e3 == e7);
  double lo, hi;
  const double mean = rv_moments_mean(&m1);
  rv_ci95(mean, m2, 10, &lo, &hi);
  /* The bounds are doubles near 0.5 (ulp 1.1e-16): the width is known to
   * ulp / half = 5e-5 relative. */
  CU_ASSERT_DOUBLE_EQUAL((hi - lo) / 2 / 2.165856598216306e-12, 1.0, 1e-4);
  CU_ASSERT(lo < mean && mean < hi);
}

/* ======================================================================== */
/* Suite: stats                                                             */

static void test_betainc_edges(void) {
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 0.0), 0.0, 0.0);  /* I_0 = 0 */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 1.0), 1.0, 0.0);  /* I_1 = 1 */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, -0.5), 0.0, 0.0); /* clamped below */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 1.5), 1.0, 0.0);  /* clamped above */
  /* I_x(1,1) = x (uniform). */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 1, 0.3), 0.3, 1e-13);
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 1, 0.9), 0.9, 1e-13);
  /* I_x(a,1) = x^a: I_.5(2,1) = .25. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 1, 0.5), 0.25, 1e-13);
  /* I_x(1,b) = 1 - (1-x)^b: I_.5(1,3) = 1 - 1/8 = .875. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(1, 3, 0.5), 0.875, 1e-13);
  /* Symmetry: I_.5(a,a) = .5. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2.5, 2.5, 0.5), 0.5, 1e-13);
  /* Arcsine law: I_x(.5,.5) = (2/pi) asin(sqrt x); x = 1/4 -> (2/pi)(pi/6) = 1/3. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(0.5, 0.5, 0.25), 1.0 / 3.0, 1e-13);
  /* I_x(a,b) = 1 - I_{1-x}(b,a): I_.7(2,3) + I_.3(3,2) = 1. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 3, 0.7) + rv_betainc(3, 2, 0.3), 1.0, 1e-13);
  /* I_x(2,2) = 3x^2 - 2x^3: x = .2 -> .12 - .016 = .104. */
  CU_ASSERT_DOUBLE_EQUAL(rv_betainc(2, 2, 0.2), 0.104, 1e-13);
}

static void test_t_cdf(void) {
  const double nus[5] = {1, 2, 5, 30, 1e6};
  for (int i = 0; i < 5; i++) CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(0.0, nus[i]), 0.5, 1e-15);
  /* nu = 1 is Cauchy: F(t) = 1/2 + atan(t)/pi; F(1) = 3/4, F(-1) = 1/4. */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(1.0, 1.0), 0.75, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(-1.0, 1.0), 0.25, 1e-12);
  /* nu = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)); F(1) = 1/2 + 1/(2 sqrt 3). */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_cdf(1.0, 2.0), 0.5 + 0.5 / sqrt(3.0), 1e-12);
}

static void test_t_quantile(void) {
  /* nu = 1: tan(pi (0.975 - 0.5)) = tan(0.475 pi) = 12.7062047361747.
   * nu = 2: t = (2q - 1) / sqrt(2 q (1 - q)) = 0.95 / sqrt(0.04875) = 4.30265272974946.
   * nu = 10, 30: published tables 2.22813885196, 2.04227245630.
   * nu = 1e6: ~ z_{.975} = 1.959964 (+ (z^3 + z)/(4 nu) ~ 2.4e-6). */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1), tan(0.475 * 3.14159265358979323846), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1), 12.7062047362, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 2), 0.95 / sqrt(2 * 0.975 * 0.025), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 2), 4.30265272975, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 10), 2.22813885196, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 30), 2.04227245630, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.975, 1e6), 1.95996, 1e-4);
  /* Symmetry and the median. */
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.025, 10), -2.22813885196, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(rv_t_quantile(0.5, 7), 0.0, 0.0);
}

static void test_ci95(void) {
  double lo, hi;
  rv_ci95(1.0, 0.0, 0, &lo, &hi); /* n = 0 -> NaN */
  CU_ASSERT(isnan(lo) && isnan(hi));
  rv_ci95(0.25, 0.0, 1, &lo, &hi); /* n = 1 -> zero width at the mean */
  CU_ASSERT_DOUBLE_EQUAL(lo, 0.25, 0.0);
  CU_ASSERT_DOUBLE_EQUAL(hi, 0.25, 0.0);
  /* Values 1, 2, 3: mean 2, m2 = 2, s^2 = m2/(n-1) = 1, s = 1,
   * half = t_{.975,2} * s / sqrt(3) = 4.30265272975 / 1.7320508 = 2.48413771175. */
  rv_ci95(2.0, 2.0, 3, &lo, &hi);
  const double half = 4.30265272974946 / sqrt(3.0);
  CU_ASSERT_DOUBLE_EQUAL(hi - lo, 2 * half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(lo, 2.0 - half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(hi, 2.0 + half, 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(half, 2.48413771175, 1e-10);
  /* n = 11, s^2 = m2/10 = 1 (m2 = 10): half = t_{.975,10} / sqrt(11). */
  rv_ci95(0.0, 10.0, 11, &lo, &hi);
  CU_ASSERT_DOUBLE_EQUAL(hi, 2.22813885196 / sqrt(11.0), 1e-8);
  CU_ASSERT_DOUBLE_EQUAL(lo, -hi, 1e-15);
}

/* ======================================================================== */
/* Suite: partition                                                         */

static void assert_bounds(const int64_t *got, const int64_t *want, int n) {
  for (int i = 0; i < n; i++) CU_ASSERT_EQUAL(got[i], want[i]);
}

static void test_partition_even(void) {
  int64_t b[6];
  rv_partition_even(10, 3, b); /* 4, 3, 3 */
  const int64_t w1[4] = {0, 4, 7, 10};
  assert_bounds(b, w1, 4);
  rv_partition_even(2, 4, b); /* 1, 1, 0, 0 */
  const int64_t w2[5] = {0, 1, 2, 2, 2};
  assert_bounds(b, w2, 5);
  rv_partition_even(9, 3, b); /* 3, 3, 3 */
  const int64_t w3[4] = {0, 3, 6, 9};
  assert_bounds(b, w3, 4);
  rv_partition_even(0, 2, b);
  const int64_t w4[3] = {0, 0, 0};
  assert_bounds(b, w4, 3);
  rv_partition_even(7, 1, b);
  CU_ASSERT(b[0] == 0 && b[1] == 7);
}

static void test_partition_users_hand(void) {
  /* grain 1 (no alignment). 4 users, items_scored 2; train lengths
   * 10, 1, 1, 1 and test lengths 1, 1, 1, 0. cost = items + 1 + train + test:
   *   u0 = 2+1+10+1 = 14, u1 = 2+1+1+1 = 5, u2 = 5, u3 = 2+1+1+0 = 4;
   * total 28, prefix P = 0, 14, 19, 24, 28.
   * Boundary p is the candidate u whose P(u) is closest to p * total / parts:
   * the first u with P(u) >= target, or the candidate below it when that
   * one is strictly closer (compared as P(u) * parts against p * total).
   * parts 2: P >= 14 -> u = 1: [0,1) [1,4), costs 14 | 14 (an even split of
   *   users would be [0,2) [2,4): the heavy user shifts the boundary).
   * parts 3: P >= 9.33 -> 1; P >= 18.67 -> 2: [0,1,2,4], costs 14, 5, 9. */
  const int64_t tr[5] = {0, 10, 11, 12, 13};
  const int64_t te[5] = {0, 1, 2, 3, 3};
  int64_t b[8];
  rv_partition_users(4, 2, tr, te, 1, 2, b);
  const int64_t w2[3] = {0, 1, 4};
  assert_bounds(b, w2, 3);
  rv_partition_users(4, 2, tr, te, 1, 3, b);
  const int64_t w3[4] = {0, 1, 2, 4};
  assert_bounds(b, w3, 4);
  /* CSR pointers that do not start at 0 (a slice): only differences count. */
  const int64_t tr2[5] = {100, 110, 111, 112, 113};
  const int64_t te2[5] = {7, 8, 9, 10, 10};
  rv_partition_users(4, 2, tr2, te2, 1, 3, b);
  assert_bounds(b, w3, 4);
  /* NULL pointers: rows of length 0, cost items + 1 = 3 each, P(u) = 3u,
   * total 12. parts 3: target 4: P(2) = 6 is 2 above, P(1) = 3 is 1 below
   * -> 1; target 8: P(3) = 9 is 1 above, P(2) = 6 is 2 below -> 3:
   * [0, 1, 3, 4] (costs 3, 6, 3). */
  rv_partition_users(4, 2, NULL, NULL, 1, 3, b);
  const int64_t w4[4] = {0, 1, 3, 4};
  assert_bounds(b, w4, 4);
  /* Test rows only: items 0, test lengths 0, 0, 0, 9 -> costs 1, 1, 1, 10,
   * total 13, P = 0, 1, 2, 3, 13. parts 2, target 6.5: P(4) = 13 is 6.5
   * above, P(3) = 3 is 3.5 below -> 3: [0, 3, 4] (costs 3 | 10, rather
   * than 13 | 0 with the first-above rule). */
  const int64_t te3[5] = {0, 0, 0, 0, 9};
  rv_partition_users(4, 0, NULL, te3, 1, 2, b);
  const int64_t w5[3] = {0, 3, 4};
  assert_bounds(b, w5, 3);
}

static void test_partition_users_grain(void) {
  /* Same 4 users (P = 0, 14, 19, 24, 28), grain 2: inner boundaries may only
   * be 0, 2 or 4 (P = 0, 19, 28).
   * parts 2: target 14: P(2) = 19 is 5 above, P(0) = 0 is 14 below -> 2:
   *   [0, 2, 4].
   * parts 3: target 9.33: P(2) = 19 is 9.67 above, P(0) = 0 is 9.33 below
   *   -> 0; target 18.67: P(2) = 19 is 0.33 above -> 2: [0, 0, 2, 4], the
   *   first range is empty (costs 0, 19, 9).
   * The row pointers are given at the grain boundaries only: full pointers
   * tr = {0, 10, 11, 12, 13}, te = {0, 1, 2, 3, 3} at users 0, 2, 4. */
  const int64_t tr[3] = {0, 11, 13};
  const int64_t te[3] = {0, 2, 3};
  int64_t b[8];
  rv_partition_users(4, 2, tr, te, 2, 2, b);
  const int64_t w2[3] = {0, 2, 4};
  assert_bounds(b, w2, 3);
  rv_partition_users(4, 2, tr, te, 2, 3, b);
  const int64_t w3[4] = {0, 0, 2, 4};
  assert_bounds(b, w3, 4);
  /* grain 3, n 4: candidates 0, 3 and n = 4 (P = 0, 24, 28).
   * parts 2: target 14: P(3) = 24 is 10 above, P(0) = 0 is 14 below -> 3:
   * [0, 3, 4]. Pointers at users 0, 3, 4. */
  const int64_t tr3[3] = {0, 12, 13}, te3[3] = {0, 3, 3};
  rv_partition_users(4, 2, tr3, te3, 3, 2, b);
  const int64_t w4[3] = {0, 3, 4};
  assert_bounds(b, w4, 3);
  /* grain 256 > n: the only inner candidates are 0 and n = 4 (P = 0, 28).
   * parts 3: target 9.33 is closer to 0 -> 0; target 18.67 is closer to 28
   * -> 4: [0, 0, 4, 4]. Pointers at users 0 and 4. */
  const int64_t tr256[2] = {0, 13}, te256[2] = {0, 3};
  rv_partition_users(4, 2, tr256, te256, 256, 3, b);
  const int64_t w5[4] = {0, 0, 4, 4};
  assert_bounds(b, w5, 4);
  /* 10 uniform users (items 0, no rows: cost 1, P(u) = u), grain 4, parts 2:
   * candidates 0, 4, 8, 10; target 5: P(8) = 8 is 3 above, P(4) = 4 is 1
   * below -> 4: [0, 4, 10]. */
  rv_partition_users(10, 0, NULL, NULL, 4, 2, b);
  const int64_t w6[3] = {0, 4, 10};
  assert_bounds(b, w6, 3);
}

static void test_partition_users_more_parts(void) {
  /* 2 users of cost 1 each (items 0, no rows), 4 parts, total 2:
   * p=1: 4P >= 2 -> u=1; p=2: 4P >= 4 -> u=1; p=3: 4P >= 6 -> u=2.
   * bounds [0, 1, 1, 2, 2]: two ranges are empty. */
  int64_t b[5];
  rv_partition_users(2, 0, NULL, NULL, 1, 4, b);
  const int64_t w[5] = {0, 1, 1, 2, 2};
  assert_bounds(b, w, 5);
  /* No users at all. */
  rv_partition_users(0, 5, NULL, NULL, 1, 3, b);
  CU_ASSERT(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
}

static void test_partition_users_random(void) {
  /* Random row lengths and grains. Properties:
   *  - b[0] = 0, b[parts] = n, monotone;
   *  - every inner boundary is a multiple of grain or equals n;
   *  - each non-empty range costs less than T/parts + W, W the largest cost
   *    of an aligned window [g*grain, (g+1)*grain): b[p+1] = min(g*grain, n)
   *    is the first candidate with P >= (p+1)T/parts, so the candidate before
   *    it has P < (p+1)T/parts, and P(b[p]) >= p T/parts. */
  rv_rng_t r;
  rv_rng_seed(&r, 777, 5, 0);
  int64_t tr[201], te[201], b[17], cost[200];
  for (int trial = 0; trial < 200; trial++) {
    const int64_t n = (int64_t)rv_rng_below(&r, 200);
    const int parts = (int)rv_rng_below(&r, 16) + 1;
    const int64_t items = (int64_t)rv_rng_below(&r, 50);
    const int64_t grain = (int64_t)rv_rng_below(&r, 4) == 0 ? 1 : (int64_t)rv_rng_below(&r, 40) + 1;
    tr[0] = te[0] = 0;
    int64_t total = 0, wmax = 0;
    for (int64_t u = 0; u < n; u++) {
      const int64_t a = rv_rng_below(&r, 8) == 0 ? (int64_t)rv_rng_below(&r, 500)
                                                 : (int64_t)rv_rng_below(&r, 5);
      const int64_t c = (int64_t)rv_rng_below(&r, 3);
      tr[u + 1] = tr[u] + a;
      te[u + 1] = te[u] + c;
      cost[u] = items + 1 + a + c;
      total += cost[u];
    }
    for (int64_t g0 = 0; g0 < n; g0 += grain) {
      int64_t w = 0;
      for (int64_t u = g0; u < g0 + grain && u < n; u++) w += cost[u];
      if (w > wmax) wmax = w;
    }
    /* The pointers at the grain boundaries, by hand and by rv_partition_coarse. */
    int64_t ctr[201], cte[201], ctr2[201];
    const int64_t ng = (n + grain - 1) / grain;
    for (int64_t g = 0; g <= ng; g++) {
      const int64_t u = g * grain < n ? g * grain : n;
      ctr[g] = tr[u], cte[g] = te[u];
    }
    rv_partition_coarse(tr, n, grain, ctr2);
    int same = 1;
    for (int64_t g = 0; g <= ng; g++) same &= ctr2[g] == ctr[g];
    CU_ASSERT(same);
    rv_partition_users(n, items, ctr, cte, grain, parts, b);
    /* A linear scan over the candidate boundaries with the full prefix costs. */
    int64_t pc[201];
    pc[0] = 0;
    for (int64_t u = 0; u < n; u++) pc[u + 1] = pc[u] + cost[u];
    int64_t prev = 0;
    for (int p = 1; p < parts; p++) {
      const int64_t target = (int64_t)p * pc[n];
      int64_t g = prev;
      while (g < ng && pc[g * grain < n ? g * grain : n] * parts < target) g++;
      if (g > prev) {
        const int64_t below = target - pc[(g - 1) * grain] * parts;
        const int64_t above = pc[g * grain < n ? g * grain : n] * parts - target;
        if (below < above) g--;
      }
      prev = g;
      CU_ASSERT_EQUAL(b[p], g * grain < n ? g * grain : n);
    }
    int ok = b[0] == 0 && b[parts] == n;
    for (int p = 0; p < parts; p++) {
      ok &= b[p] <= b[p + 1];
      if (p > 0) ok &= b[p] % grain == 0 || b[p] == n;
      int64_t c = 0;
      for (int64_t u = b[p]; u < b[p + 1]; u++) c += cost[u];
      ok &= c == 0 || (double)c < (double)total / parts + (double)wmax;
    }
    CU_ASSERT(ok);
  }
}

/* ======================================================================== */
/* Suite: rng                                                               */

static void test_rng_reference(void) {
  /* splitmix64 with state 0 yields mix(0x9e3779b97f4a7c15) as its first
   * output, the published value 0xe220a8397b1dcdaf. */
  CU_ASSERT(rv_mix64(0) == 0xe220a8397b1dcdafULL);
  /* xoshiro256** from state {1, 2, 3, 4}, by hand:
   *   out1 = rotl(2*5, 7) * 9 = 1280 * 9 = 11520;
   *   state -> s2 = 3^1 = 2, s3 = 4^2 = 6, s1 = 2^2 = 0, s0 = 1^6 = 7,
   *            s2 ^= 2<<17 -> 262146, s3 = rotl(6, 45) = 6<<45;
   *   out2 = rotl(0*5, 7) * 9 = 0;
   *   state -> s2 = 262146^7 = 262149, s1 = 0^262149 = 262149, ...;
   *   out3 = rotl(262149*5, 7) * 9 = (1310745 << 7) * 9 = 167775360 * 9 = 1509978240. */
  rv_rng_t r = {{1, 2, 3, 4}};
  CU_ASSERT(rv_rng_next(&r) == 11520u);
  CU_ASSERT(rv_rng_next(&r) == 0u);
  CU_ASSERT(rv_rng_next(&r) == 1509978240u);
}

static void test_rng_keys(void) {
  rv_rng_t a, b, c, d, e;
  rv_rng_seed(&a, 42, RV_STREAM_GEN_USER, 17);
  rv_rng_seed(&b, 42, RV_STREAM_GEN_USER, 17);
  rv_rng_seed(&c, 42, RV_STREAM_GEN_USER, 18); /* different index */
  rv_rng_seed(&d, 42, RV_STREAM_GEN_ITEM, 17); /* different stream */
  rv_rng_seed(&e, 43, RV_STREAM_GEN_USER, 17); /* different seed */
  int same = 1, eq_c = 0, eq_d = 0, eq_e = 0;
  for (int i = 0; i < 100; i++) {
    const uint64_t x = rv_rng_next(&a);
    same &= x == rv_rng_next(&b);
    eq_c += x == rv_rng_next(&c);
    eq_d += x == rv_rng_next(&d);
    eq_e += x == rv_rng_next(&e);
  }
  CU_ASSERT(same);
  /* 64-bit outputs of unrelated streams coincide with probability ~2^-64. */
  CU_ASSERT_EQUAL(eq_c, 0);
  CU_ASSERT_EQUAL(eq_d, 0);
  CU_ASSERT_EQUAL(eq_e, 0);
  /* Neighbouring keys give unrelated streams: the first outputs of indices
   * 0..63 (and of streams 1..4 at index 0) are pairwise distinct. */
  uint64_t first[68];
  for (int i = 0; i < 64; i++) {
    rv_rng_seed(&a, 42, RV_STREAM_GEN_USER, (uint64_t)i);
    first[i] = rv_rng_next(&a);
  }
  for (int s = 1; s <= 4; s++) {
    rv_rng_seed(&a, 42, (uint64_t)s, 1000);
    first[63 + s] = rv_rng_next(&a);
  }
  int distinct = 1;
  for (int i = 0; i < 68; i++)
    for (int j = i + 1; j < 68; j++) distinct &= first[i] != first[j];
  CU_ASSERT(distinct);
}

static void test_rng_ranges(void) {
  rv_rng_t r;
  rv_rng_seed(&r, 1, 2, 3);
  /* Uniform: 60000 draws in [0,1), each a multiple of 2^-53; mean 1/2 with
   * standard error 0.2887/sqrt(60000) = 0.0012 -> tolerance 0.01 (8 sigma). */
  double sum = 0.0;
  int ok = 1;
  for (int i = 0; i < 60000; i++) {
    const double u = rv_rng_uniform(&r);
    ok &= u >= 0.0 && u < 1.0;
    const double scaled = u * 0x1p53;
    ok &= scaled == floor(scaled);
    sum += u;
  }
  CU_ASSERT(ok);
  CU_ASSERT_DOUBLE_EQUAL(sum / 60000.0, 0.5, 0.01);
  /* below(6): 60000 draws, 10000 expected per value, sd ~ 91 -> +-600. */
  int cnt[6] = {0};
  ok = 1;
  for (int i = 0; i < 60000; i++) {
    const uint64_t x = rv_rng_below(&r, 6);
    ok &= x < 6;
    if (x < 6) cnt[x]++;
  }
  CU_ASSERT(ok);
  for (int v = 0; v < 6; v++) CU_ASSERT(cnt[v] > 9400 && cnt[v] < 10600);
  /* below(1) is always 0; below(2^63 + 1) (rejection ~1/2) stays in range. */
  ok = 1;
  for (int i = 0; i < 1000; i++) {
    ok &= rv_rng_below(&r, 1) == 0;
    ok &= rv_rng_below(&r, (1ULL << 63) + 1) <= (1ULL << 63);
    ok &= rv_rng_below(&r, 3) < 3;
  }
  CU_ASSERT(ok);
  /* Normal: mean 0 (se 0.0041 over 60000) and variance 1 (se ~0.0058). */
  double s1 = 0, s2 = 0;
  for (int i = 0; i < 60000; i++) {
    const double z = rv_rng_normal(&r);
    s1 += z;
    s2 += z * z;
  }
  CU_ASSERT_DOUBLE_EQUAL(s1 / 60000.0, 0.0, 0.03);
  CU_ASSERT_DOUBLE_EQUAL(s2 / 60000.0, 1.0, 0.04);
}

/* ======================================================================== */
/* Suite: hash                                                              */

static void test_hash(void) {
  unsigned char buf[70];
  for (int i = 0; i < 70; i++) buf[i] = (unsigned char)(i * 37 + 11);
  const uint64_t h0 = rv_hash64(buf, 70, 0);
  CU_ASSERT(h0 == rv_hash64(buf, 70, 0)); /* deterministic */
  CU_ASSERT(h0 != rv_hash64(buf, 70, 1)); /* keyed */
  /* Flipping one bit of any single byte (body of 32-byte blocks or tail)
   * changes the hash. */
  int ok = 1;
  for (int i = 0; i < 70; i++) {
    buf[i] ^= 1;
    ok &= rv_hash64(buf, 70, 0) != h0;
    buf[i] ^= 1;
  }
  CU_ASSERT(ok);
  CU_ASSERT(rv_hash64(buf, 70, 0) == h0); /* restored */
  /* Length matters even when the extra bytes are zero (the tail is
   * zero-padded, so only the length separates these). */
  unsigned char z[40] = {0};
  const uint64_t hz0 = rv_hash64(z, 0, 0), hz3 = rv_hash64(z, 3, 0), hz4 = rv_hash64(z, 4, 0),
                 hz8 = rv_hash64(z, 8, 0), hz32 = rv_hash64(z, 32, 0), hz33 = rv_hash64(z, 33, 0);
  CU_ASSERT(hz0 != hz3 && hz3 != hz4 && hz4 != hz8 && hz8 != hz32 && hz32 != hz33 && hz0 != hz8);
  const char abc[4] = {'a', 'b', 'c', 0};
  CU_ASSERT(rv_hash64(abc, 3, 0) != rv_hash64(abc, 4, 0));
  /* Prefix vs whole. */
  CU_ASSERT(rv_hash64(buf, 69, 0) != h0);
}

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
/* Suite: regressions — bugs found in review, kept as tests after the fix.    */

static void test_bug_topk_leading_nan_hides_block(void) {
  /* A full block of 16 whose FIRST score is NaN. Header: "NaN are never
   * selected" — but the other 15 must still be. Scores s[j] = j for
   * j = 1..15, k = 3 -> [15, 14, 13].
   * Before the fix the block max started as m = s[0] = NaN and every
   * `s > m ? s : m` with m = NaN is false, so m stays NaN, `!(m > thr)` is
   * true and the whole block is skipped: 0 items selected. */
  float row[16];
  row[0] = NAN;
  for (int j = 1; j < 16; j++) row[j] = (float)j;
  int32_t items[3];
  float sc[3];
  CU_ASSERT_EQUAL(select_topk(row, 16, 3, items, sc), 3);
  CU_ASSERT_EQUAL(items[0], 15);
  CU_ASSERT_EQUAL(items[1], 14);
  CU_ASSERT_EQUAL(items[2], 13);
}

static void test_bug_xsum_value_not_nearest(void) {
  /* Header: rv_xsum_value returns "the double nearest" to acc * 2^-52.
   * acc = 2^64 + 2^63 + 2^11 + 1 grid units, built from exact terms
   * 4096 (2^64 units), 2048 (2^63), 2^-41 (2^11) and 2^-52 (1 unit):
   * exact value 6144 + 2^-41 + 2^-52. The spacing of doubles in
   * [4096, 8192) is 2^-40, so the remainder 2^-41 + 2^-52 is just above
   * half a spacing: the nearest double is 6144 + 2^-40.
   * Current code: lo = (double)(2^63 + 2^11 + 1) rounds to 2^63 + 2^11
   * (spacing 2^11 there), then hi + lo = 2^64 + 2^63 + 2^11 is an exact tie
   * and rounds to even, 2^64 + 2^63 -> 6144: double rounding, 1 ulp low. */
  rv_i128 acc = 0;
  rv_xsum_add(&acc, 4096.0);
  rv_xsum_add(&acc, 2048.0);
  rv_xsum_add(&acc, 0x1p-41);
  rv_xsum_add(&acc, 0x1p-52);
  const rv_i128 want_acc = ((rv_i128)1 << 64) + ((rv_i128)1 << 63) + ((rv_i128)1 << 11) + 1;
  CU_ASSERT(acc == want_acc);
  CU_ASSERT(rv_xsum_value(acc) == 6144.0 + 0x1p-40);
}

/* ======================================================================== */

typedef struct {
  const char *name;
  CU_TestFunc fn;
} test_entry_t;

static int add_suite(const char *name, const test_entry_t *tests, size_t n) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (!s) return -1;
  for (size_t i = 0; i < n; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return -1;
  return 0;
}

#define ADD_SUITE(name, arr) add_suite(name, arr, sizeof(arr) / sizeof(arr[0]))

int main(void) {
  static const test_entry_t score[] = {
      {"rows_sqnorm_normalize", test_rows_sqnorm_normalize},
      {"pool_mean", test_pool_mean},
      {"dot_hand", test_score_dot_hand},
      {"cosine_hand", test_score_cosine_hand},
      {"euclidean_hand", test_score_euclidean_hand},
      {"euclidean_clamp", test_score_euclidean_clamp},
      {"zeroed_accumulate_same_bits", test_score_zeroed_accumulate_same_bits},
  };
  static const test_entry_t example[] = {
      {"topk_dot", test_example_topk_dot},
      {"topk_cosine", test_example_topk_cosine},
      {"topk_euclidean", test_example_topk_euclidean},
      {"metrics_kernels", test_example_metrics_kernels},
      {"metrics_descriptors", test_example_metrics_descriptors},
      {"docs_metrics_example", test_docs_metrics_example},
  };
  static const test_entry_t topk[] = {
      {"k_exceeds_candidates", test_topk_k_exceeds_candidates},
      {"all_masked", test_topk_all_masked},
      {"nan_never_selected", test_topk_nan_never_selected},
      {"long_row_best_last", test_topk_long_row_best_last},
      {"increasing_and_constant", test_topk_increasing_and_constant},
      {"merge_shards", test_topk_merge_shards},
      {"ties_long_row", test_topk_ties_long_row},
      {"tiles_equal_whole", test_topk_tiles_equal_whole},
      {"k_zero", test_topk_k_zero},
      {"random_vs_sort", test_topk_random_vs_sort},
  };
  static const test_entry_t accuracy[] = {
      {"list_gains", test_list_gains},
      {"ideal_gains", test_ideal_gains},
      {"dcg_hits", test_dcg_hits},
  };
  static const test_entry_t metrics[] = {{"registry", test_registry}};
  static const test_entry_t xsum[] = {
      {"order_independent", test_xsum_order_independent},
      {"reject", test_xsum_reject},
      {"value_roundtrip", test_xsum_value_roundtrip},
      {"moments_two_pass", test_moments_two_pass},
      {"moments_tiny_spread", test_moments_tiny_spread},
  };
  static const test_entry_t stats[] = {
      {"betainc_edges", test_betainc_edges},
      {"t_cdf", test_t_cdf},
      {"t_quantile", test_t_quantile},
      {"ci95", test_ci95},
  };
  static const test_entry_t partition[] = {
      {"even", test_partition_even},
      {"users_hand", test_partition_users_hand},
      {"users_grain", test_partition_users_grain},
      {"users_more_parts", test_partition_users_more_parts},
      {"users_random", test_partition_users_random},
  };
  static const test_entry_t rng[] = {
      {"reference", test_rng_reference},
      {"keys", test_rng_keys},
      {"ranges", test_rng_ranges},
  };
  static const test_entry_t hash[] = {{"hash64", test_hash}};
  static const test_entry_t synth[] = {{"user_rows", test_synth_rows}};
  static const test_entry_t bugs[] = {
      {"topk_leading_nan_hides_block", test_bug_topk_leading_nan_hides_block},
      {"xsum_value_not_nearest", test_bug_xsum_value_not_nearest},
  };

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  if (CU_initialize_registry() != CUE_SUCCESS) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    return 1;
  }
  if (ADD_SUITE("score", score) || ADD_SUITE("worked_example", example) ||
      ADD_SUITE("topk", topk) || ADD_SUITE("accuracy", accuracy) ||
      ADD_SUITE("metrics", metrics) || ADD_SUITE("xsum", xsum) || ADD_SUITE("stats", stats) ||
      ADD_SUITE("partition", partition) || ADD_SUITE("rng", rng) || ADD_SUITE("hash", hash) ||
      ADD_SUITE("synth", synth) || ADD_SUITE("regressions", bugs)) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 1;
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
