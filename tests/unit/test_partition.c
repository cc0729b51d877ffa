/* Unit tests of the partition of items and users into parts
 * (src/kernels/partition.h): even blocks, users by weight and grain, more parts
 * than users, random cases. Serial, CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/partition.h"
#include "kernels/rng.h"

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

int main(void) {
  static const test_entry_t partition[] = {
      {"even", test_partition_even},
      {"users_hand", test_partition_users_hand},
      {"users_grain", test_partition_users_grain},
      {"users_more_parts", test_partition_users_more_parts},
      {"users_random", test_partition_users_random},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("partition", partition)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
