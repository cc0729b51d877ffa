/* Unit tests of AUC by exact counting (src/kernels/accuracy.h,
 * scanstats.h, rowscan.h): from counts, ties and non-candidates, the row scan
 * against brute force, entry offsets and tiles, the euclidean bracket. Serial,
 * CUnit, no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

#include "kernels/accuracy.h"
#include "kernels/rowscan.h"
#include "kernels/scanstats.h"

/* ======================================================================== */
/* Suite: auc (exact counting)                                              */

static void test_auc_from_counts(void) {
  /* 2 positives, 3 negatives. P1: 0 negatives above, 1 tie; P2: 1 above,
   * 0 ties. Correct pairs: P1: 3 - 0 - 1 = 2 + 1/2 tie = 2.5;
   * P2: 3 - 1 = 2. AUC = 4.5 / (2 * 3) = 3/4. */
  const int64_t gt[2] = {0, 1}, eq[2] = {1, 0};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt, eq), 0.75, EXACT);
  /* Every negative ties every positive: 1/2. */
  const int64_t gt0[2] = {0, 0}, eq3[2] = {3, 3};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt0, eq3), 0.5, EXACT);
  /* Perfect and reversed. */
  const int64_t gt3[2] = {3, 3}, eq0[2] = {0, 0};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt0, eq0), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_from_counts(2, 3, gt3, eq0), 0.0, EXACT);
  /* Undefined without positives or negatives. */
  CU_ASSERT(isnan(rv_auc_from_counts(0, 3, gt0, eq0)));
  CU_ASSERT(isnan(rv_auc_from_counts(2, 0, gt0, eq0)));
}

static void test_auc_user_ties_noncandidate(void) {
  /* Test entries t = [0.5, -inf, 0.5]: entry 1 is a seen item (not a
   * candidate). n_cand = 5: the 2 candidate positives and 3 negatives with
   * scores 0.9, 0.5, 0.1. The scan counts every candidate, positives
   * included, against each entry:
   *   entry 0 (0.5): above: 0.9 -> gt 1; equal: itself, entry 2, the
   *                  negative 0.5 -> eq 3.
   *   entry 2: same, gt 1, eq 3.
   *   entry 1 (-inf): whatever the scan left (garbage 7, 7): ignored.
   * rv_auc_user removes the positives' own comparisons (self and the tie
   * with the other positive): gt [1, 1], eq [1, 1], compacted to the front.
   * Brute force: each positive vs negatives 0.9 (0), 0.5 (1/2), 0.1 (1) ->
   * 3/2; AUC = (3/2 + 3/2) / (2 * 3) = 1/2. */
  const float t[3] = {0.5f, -INFINITY, 0.5f};
  int64_t gt[3] = {1, 7, 1}, eq[3] = {3, 7, 3};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(3, t, gt, eq, 5), 0.5, EXACT);
  CU_ASSERT(gt[0] == 1 && gt[1] == 1 && eq[0] == 1 && eq[1] == 1);

  /* Positives at different scores: t = [0.8, 0.2], n_cand = 4, negatives
   * 0.9 and 0.1. Scan counts: entry 0: above 0.9 -> gt 1, eq 1 (self);
   * entry 1: above 0.9, 0.8 -> gt 2, eq 1 (self). After removal: entry 0:
   * gt 1, eq 0; entry 1: gt 1 (0.8 is a positive), eq 0.
   * Brute force: 0.8 beats 0.1 only (1 of 2); 0.2 beats 0.1 (1 of 2):
   * AUC = 2 / 4 = 1/2. */
  const float t2[2] = {0.8f, 0.2f};
  int64_t gt2[2] = {1, 2}, eq2[2] = {1, 1};
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(2, t2, gt2, eq2, 4), 0.5, EXACT);
  CU_ASSERT(gt2[0] == 1 && gt2[1] == 1 && eq2[0] == 0 && eq2[1] == 0);

  /* No positive among the candidates (every test item seen): NaN. */
  const float t3[1] = {-INFINITY};
  int64_t gt3[1] = {0}, eq3[1] = {0};
  CU_ASSERT(isnan(rv_auc_user(1, t3, gt3, eq3, 4)));
  /* Every candidate is a positive (no negative): NaN. t = [1, 2], n_cand 2:
   * scan counts entry 0: gt 1 (2), eq 1; entry 1: gt 0, eq 1. */
  const float t4[2] = {1.0f, 2.0f};
  int64_t gt4[2] = {1, 0}, eq4[2] = {1, 1};
  CU_ASSERT(isnan(rv_auc_user(2, t4, gt4, eq4, 2)));
}

/* The scan row of the brute-force case. u = (1, 0), item i = (s_i, 7): the
 * dot product u.e_i = s_i exactly (small dyadic values), so the row is the
 * exact sgemm result. Items 1 and 10 are seen (masked to -inf in the row);
 * item 1 is also a test item (not a candidate), with raw dot 3.
 *
 *   item   0  1*   2  3  4  5  6  7  8  9    10*  11   12 13 14 15 | 16..19
 *   score  3  (3)  1  2  1  2  0  3  2  0.5  (5)  1.5  0  0  0  0  |  -1
 *   test      T    T  T     T
 *
 * 20 items; the last four score below every bracket. */
enum { AN = 20 };
static const float AUC_DOT[AN] = {3, 3, 1, 2, 1, 2, 0, 3, 2, 0.5f, 5, 1.5f, 0, 0, 0, 0, -1, -1, -1, -1};
static const int32_t AUC_TEST[4] = {1, 2, 3, 5};

static void test_auc_scan_bruteforce(void) {
  const float u[2] = {1, 0};
  float row[AN], e[AN][2];
  for (int i = 0; i < AN; i++) {
    e[i][0] = AUC_DOT[i];
    e[i][1] = 7;
    row[i] = AUC_DOT[i];
  }
  row[1] = row[10] = -INFINITY; /* seen */
  const int m = 4;
  float lo[4], hi[4], t[4];
  for (int j = 0; j < m; j++) {
    rv_auc_bracket(u, e[AUC_TEST[j]], 2, 0, 0.0f, 0.0f, &lo[j], &hi[j]);
    /* The bracket holds the exact dot and is narrow. */
    CU_ASSERT(lo[j] <= AUC_DOT[AUC_TEST[j]] && AUC_DOT[AUC_TEST[j]] <= hi[j]);
    CU_ASSERT((double)hi[j] - (double)lo[j] < 1e-5);
    t[j] = row[AUC_TEST[j]]; /* exact scores; -inf for the seen test item */
  }
  CU_ASSERT(isinf(t[0]) && t[0] < 0);

  int64_t gt[4] = {0, 0, 0, 0}, eq[4] = {0, 0, 0, 0};
  rv_amb_t amb = {0};
  CU_ASSERT_EQUAL_FATAL(rv_auc_scan_row(row, AN, 0, m, AUC_TEST, lo, hi, 0, gt, eq, &amb), 0);
  rv_auc_resolve(&amb, t, gt, eq);
  CU_ASSERT_EQUAL(amb.n, 0);
  /* Counts over every candidate (positives included), by hand:
   *  entry 0 (item 1, t = -inf, bracket around 3): candidates at 3 (items
   *    0, 7) are ambiguous and resolve as above -inf: gt 2, eq 0; nothing
   *    is certainly above 3.
   *  entry 1 (t = 1): above: 0, 3, 5, 7, 8, 11 -> 6; equal: 2 (self), 4 -> 2.
   *  entry 2 (t = 2): above: 0, 7 -> 2; equal: 3 (self), 5, 8 -> 3.
   *  entry 3 (t = 2): same as entry 2.  */
  CU_ASSERT(gt[0] == 2 && eq[0] == 0);
  CU_ASSERT(gt[1] == 6 && eq[1] == 2);
  CU_ASSERT(gt[2] == 2 && eq[2] == 3);
  CU_ASSERT(gt[3] == 2 && eq[3] == 3);

  /* Candidates: 20 - 2 seen = 18; positives among them 3 (items 2, 3, 5);
   * negatives 15: items 0 (3), 4 (1), 6 (0), 7 (3), 8 (2), 9 (0.5),
   * 11 (1.5), 12-15 (0), 16-19 (-1).
   * Brute force over (positive, negative) pairs:
   *  item 2 (1):  above 0, 7, 8, 11 (4); tie 4 (1); below 10 -> 10.5
   *  item 3 (2):  above 0, 7 (2); tie 8 (1); below 12        -> 12.5
   *  item 5 (2):  same                                        -> 12.5
   *  AUC = 35.5 / (3 * 15) = 71/90 = 0.78888...
   * After removing the positives' own comparisons the compacted counts are
   * gt [4, 2, 2], eq [1, 1, 1]. */
  const double auc = rv_auc_user(m, t, gt, eq, AN - 2);
  CU_ASSERT_DOUBLE_EQUAL(auc, 71.0 / 90.0, EXACT);
  CU_ASSERT(gt[0] == 4 && gt[1] == 2 && gt[2] == 2);
  CU_ASSERT(eq[0] == 1 && eq[1] == 1 && eq[2] == 1);

  /* Independent brute force over the row (no code under test). */
  const int is_test[AN] = {[1] = 1, [2] = 1, [3] = 1, [5] = 1};
  double correct = 0.0;
  int64_t npos = 0, nneg = 0;
  for (int a = 0; a < AN; a++) {
    if (!(row[a] > -INFINITY)) continue;
    if (is_test[a])
      npos++;
    else
      nneg++;
    if (!is_test[a]) continue;
    for (int b = 0; b < AN; b++) {
      if (!(row[b] > -INFINITY) || is_test[b]) continue;
      correct += row[a] > row[b] ? 1.0 : row[a] == row[b] ? 0.5 : 0.0;
    }
  }
  CU_ASSERT(npos == 3 && nneg == 15);
  CU_ASSERT_DOUBLE_EQUAL(auc, correct / (double)(npos * nneg), EXACT);
  free(amb.s);
  free(amb.j);
}

static void test_auc_scan_entry_offset(void) {
  /* The same row scanned for a user whose entries start at j0 = 2 of the
   * global arrays (gt/eq of other users at 0, 1 stay untouched), split into
   * two tiles (items 0..9 and 10..19) as the engine does, resolved once. */
  const float u[2] = {1, 0};
  float row[AN], e[AN][2];
  for (int i = 0; i < AN; i++) {
    e[i][0] = AUC_DOT[i];
    e[i][1] = 7;
    row[i] = AUC_DOT[i];
  }
  row[1] = row[10] = -INFINITY;
  float lo[6] = {0}, hi[6] = {0};
  float t[6] = {9, 9, 0, 0, 0, 0};
  for (int j = 0; j < 4; j++) {
    rv_auc_bracket(u, e[AUC_TEST[j]], 2, 0, 0.0f, 0.0f, &lo[2 + j], &hi[2 + j]);
    t[2 + j] = row[AUC_TEST[j]];
  }
  int64_t gt[6] = {11, 12, 0, 0, 0, 0}, eq[6] = {13, 14, 0, 0, 0, 0};
  rv_amb_t amb = {0};
  CU_ASSERT_EQUAL(rv_auc_scan_row(row, 10, 0, 4, AUC_TEST, lo + 2, hi + 2, 2, gt, eq, &amb), 0);
  CU_ASSERT_EQUAL(rv_auc_scan_row(row + 10, 10, 10, 4, AUC_TEST, lo + 2, hi + 2, 2, gt, eq, &amb), 0);
  rv_auc_resolve(&amb, t, gt, eq);
  CU_ASSERT(gt[0] == 11 && gt[1] == 12 && eq[0] == 13 && eq[1] == 14);
  /* Same counts as the one-row scan (see test_auc_scan_bruteforce). */
  CU_ASSERT(gt[3] == 6 && eq[3] == 2 && gt[4] == 2 && eq[4] == 3 && gt[5] == 2 && eq[5] == 3);
  CU_ASSERT_DOUBLE_EQUAL(rv_auc_user(4, t + 2, gt + 2, eq + 2, AN - 2), 71.0 / 90.0, EXACT);
  free(amb.s);
  free(amb.j);
}

static void test_auc_bracket_euclidean(void) {
  /* u = (1, 2), e = (2, 0): 2 u.e - |u|^2 - |e|^2 = 4 - 5 - 4 = -5
   * = -|u - e|^2 = -((-1)^2 + 2^2). The bracket holds -5 and is narrow. */
  const float u[2] = {1, 2}, e[2] = {2, 0};
  float lo, hi;
  rv_auc_bracket(u, e, 2, 1, 5.0f, 4.0f, &lo, &hi);
  CU_ASSERT(lo <= -5.0f && -5.0f <= hi && (double)hi - (double)lo < 1e-4);
  /* u = e: the score is 0 (clamped at 0): hi is clamped to 0. */
  rv_auc_bracket(u, u, 2, 1, 5.0f, 5.0f, &lo, &hi);
  CU_ASSERT(lo <= 0.0f && hi == 0.0f);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t auc[] = {
      {"from_counts", test_auc_from_counts},
      {"user_ties_noncandidate", test_auc_user_ties_noncandidate},
      {"scan_bruteforce", test_auc_scan_bruteforce},
      {"scan_entry_offset_tiles", test_auc_scan_entry_offset},
      {"bracket_euclidean", test_auc_bracket_euclidean},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("auc", auc)};
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
