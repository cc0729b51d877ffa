/* Unit tests of the scoring kernels (src/kernels/score.h): squared norms,
 * normalisation, mean pooling and the score block for every similarity, on the
 * worked example of unit_util.h and on random data. Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/rng.h"

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
  static const unit_suite_t suites[] = {UNIT_SUITE("score", score)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
