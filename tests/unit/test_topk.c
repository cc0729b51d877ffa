/* Unit tests of top-k selection and shard merging (src/kernels/topk.h):
 * padding, masking, NaN, ties, tiles, and random rows against a sort. Serial,
 * CUnit.
 *
 * Every expected value is derived by hand or from a closed form; the
 * derivation sits in a comment next to the assertion. Nothing here was
 * obtained by running the code under test. */
#include "unit_util.h"

#include "kernels/rng.h"

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

/* ======================================================================== */

int main(void) {
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
  static const test_entry_t bugs[] = {
      {"topk_leading_nan_hides_block", test_bug_topk_leading_nan_hides_block},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("topk", topk), UNIT_SUITE("regressions", bugs)};

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
