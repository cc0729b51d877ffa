/* Unit tests of the score histogram (src/kernels/scorehist.h) and of the
 * fused row scan (src/kernels/rowscan.h): the grid, exact bins, row counts, and
 * the fused scan against the separate ones. Serial, CUnit, no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

#include "kernels/rowscan.h"
#include "kernels/scanstats.h"
#include "kernels/scorehist.h"

/* ---- score histogram (kernels/scorehist.h) and the fused row scan ------ */

static void test_hist_grid(void) {
  double w, o;
  /* Cosine, 64 bins: (1 - -1) / 64 = 1/32 is a power of two; o = -1. */
  rv_hist_grid(-1.0, 1.0, 64, &w, &o);
  CU_ASSERT(w == 1.0 / 32 && o == -1.0);
  /* 100 bins over [-1, 1]: 2/100 = 0.02 -> next power of two 1/32 (0.03125);
   * floor(-1 / (1/32)) = -32 -> o = -1; -1 + 100/32 = 2.125 >= 1. */
  rv_hist_grid(-1.0, 1.0, 100, &w, &o);
  CU_ASSERT(w == 1.0 / 32 && o == -1.0);
  /* Dot, M = 3: [-3, 3], 64 bins: 6/64 = 0.09375 -> 1/8; o = floor(-24) / 8 = -3;
   * -3 + 8 = 5 >= 3. */
  rv_hist_grid(-3.0, 3.0, 64, &w, &o);
  CU_ASSERT(w == 0.125 && o == -3.0);
  /* Euclidean [-10, 0], 4 bins: 2.5 -> 4; o = floor(-2.5) * 4 = -12; -12 + 16 = 4 >= 0. */
  rv_hist_grid(-10.0, 0.0, 4, &w, &o);
  CU_ASSERT(w == 4.0 && o == -12.0);
  /* [-0.3, 0.9], 2 bins: 0.6 -> 1; o = floor(-0.3) = -1; -1 + 2 = 1 >= 0.9. */
  rv_hist_grid(-0.3, 0.9, 2, &w, &o);
  CU_ASSERT(w == 1.0 && o == -1.0);
  /* [-0.1, 1.95], 2 bins: 1.025 -> 2; o = floor(-0.05) * 2 = -2; -2 + 4 = 2 >= 1.95. */
  rv_hist_grid(-0.1, 1.95, 2, &w, &o);
  CU_ASSERT(w == 2.0 && o == -2.0);
  /* [-1.5, 0.5], 2 bins: 1 is a power of two; o = floor(-1.5) = -2; -2 + 2 = 0 < 0.5:
   * twice as wide: w = 2, o = floor(-0.75) * 2 = -2, -2 + 4 = 2 >= 0.5. */
  rv_hist_grid(-1.5, 0.5, 2, &w, &o);
  CU_ASSERT(w == 2.0 && o == -2.0);
}

/* The documented bin, derived independently in double: s / w and floor are
 * exact in double for every float s (w a power of two, no underflow in
 * double's range), and so is the difference of two small integers. */
static int ref_bin(float s, double w, double o, int bins) {
  if (isnan(s)) return 0;
  const double x = floor((double)s / w) - o / w;
  return x < 0 ? 0 : x > bins - 1 ? bins - 1 : (int)x;
}

static void test_hist_bins_exact(void) {
  rv_hist_t h;
  const double ws[3] = {1.0 / 32, 0.125, 4.0}, os[3] = {-1.0, -3.0, -12.0};
  const int bs[3] = {64, 64, 4};
  for (int g = 0; g < 3; g++) {
    CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h, bs[g], ws[g], os[g], 64), 0);
    /* Hand values on the cosine grid: bin = floor(32 s) + 32. */
    if (g == 0) {
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0.0f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0.0f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0x1p-149f), 31); /* the smallest negative float */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0x1p-149f), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 1.0f / 32), 33);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(1.0f / 32, 0.0f)), 32);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 1.0f), 63); /* the top edge belongs to the last bin */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -1.0f), 0);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -INFINITY), 0);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, INFINITY), 63);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, NAN), 0);
    }
    /* w = 4 (scale 1/4 < 1): a tiny negative score scaled to -0 still lies below 0. */
    if (g == 2) {
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -0x1p-149f), 2); /* floor(-tiny / 4) = -1, + 3 */
      CU_ASSERT_EQUAL(rv_hist_bin(&h, 0x1p-149f), 3);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, -4.0f), 2);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(-4.0f, 0.0f)), 2);
      CU_ASSERT_EQUAL(rv_hist_bin(&h, nextafterf(-4.0f, -10.0f)), 1);
    }
    /* Scores on and next to every edge, tiny and huge ones. */
    int bad = 0;
    for (int b = -2; b <= bs[g] + 2; b++) {
      const float e = (float)(os[g] + b * ws[g]);
      const float c[5] = {e, nextafterf(e, -INFINITY), nextafterf(e, INFINITY), e * 1e-30f, -e * 1e-30f};
      for (int t = 0; t < 5; t++) bad += rv_hist_bin(&h, c[t]) != ref_bin(c[t], ws[g], os[g], bs[g]);
    }
    CU_ASSERT_EQUAL(bad, 0);
    rv_hist_free(&h);
  }
}

static uint64_t lcg_state = 88172645463325252ull;
static double lcg01(void) {
  lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(lcg_state >> 11) * 0x1.0p-53;
}

/* A row of n scores: mostly a narrow band (like cosines of language-model
 * embeddings), with bin edges, ties, -inf (seen) and a NaN mixed in. */
static void random_row(float *s, int n, double w) {
  for (int q = 0; q < n; q++) {
    const double u = lcg01();
    if (u < 0.02)
      s[q] = -INFINITY;
    else if (u < 0.03)
      s[q] = (float)(floor(lcg01() * 64) * w - 1.0); /* an edge */
    else if (u < 0.035)
      s[q] = 0.5f; /* ties */
    else
      s[q] = (float)(0.2 + 0.15 * (lcg01() + lcg01() + lcg01() - 1.5));
  }
  if (n > 7) s[7] = NAN;
}

static void test_hist_row_counts(void) {
  /* Many rows through the pair table (and through its fold, forced by a
   * small pending budget), compared with bin-by-bin counting. */
  for (int bins = 8; bins <= 128; bins *= 4) { /* 8, 32: pair table; 128: lanes */
    double w, o;
    rv_hist_grid(-1.0, 1.0, bins, &w, &o);
    rv_hist_t h;
    CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h, bins, w, o, 300), 0);
    int64_t want[128] = {0}, got[256] = {0};
    float s[300];
    for (int r = 0; r < 200; r++) {
      const int n = 1 + (int)(lcg01() * 299);
      random_row(s, n, w);
      for (int q = 0; q < n; q++) want[ref_bin(s[q], w, o, bins)]++;
      if (r % 50 == 49) h.pending = INT64_C(1) << 40; /* forces the fold before the next row */
      rv_hist_row(&h, s, n);
    }
    rv_hist_collect(&h, got);
    int bad = 0;
    for (int b = 0; b < bins; b++) bad += got[2 * b] != want[b] || got[2 * b + 1] != 0;
    CU_ASSERT_EQUAL(bad, 0);
    rv_hist_free(&h);
  }
}

static void test_scan_row_fused(void) {
  /* The fused pass equals rv_hist_row + rv_auc_scan_row, count for count,
   * for 0..7 test entries (register groups and their remainders), row
   * lengths with and without a tail, test items in and out of the row, and
   * brackets that other scores fall inside. */
  double w, o;
  rv_hist_grid(-1.0, 1.0, 64, &w, &o);
  rv_hist_t h1, h2;
  CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h1, 64, w, o, 2048), 0);
  CU_ASSERT_EQUAL_FATAL(rv_hist_init(&h2, 64, w, o, 2048), 0);
  static float s[2048];
  int bad = 0;
  for (int r = 0; r < 120; r++) {
    const int n = r % 3 == 0 ? 2048 : 1 + (int)(lcg01() * 2047);
    random_row(s, n, w);
    const int m = r % 8;
    const int32_t t0 = 4096;
    int32_t items[8];
    float lo[8], hi[8];
    for (int t = 0; t < m; t++) {
      const int p = (int)(lcg01() * n);
      items[t] = t % 3 == 2 ? 17 : t0 + p; /* some test items lie in another tile */
      const float c = t % 2 ? s[p] : 0.5f;   /* around a row score, or around the ties */
      lo[t] = nextafterf(c, -INFINITY), hi[t] = nextafterf(c, INFINITY);
      if (!(c > -INFINITY)) lo[t] = hi[t] = 0.25f; /* a seen item: any finite bracket */
    }
    int64_t gt1[8] = {0}, eq1[8] = {0}, gt2[8] = {0}, eq2[8] = {0};
    rv_amb_t a1 = {0}, a2 = {0};
    rv_hist_row(&h1, s, n);
    CU_ASSERT_EQUAL_FATAL(rv_auc_scan_row(s, n, t0, m, items, lo, hi, 0, gt1, eq1, &a1), 0);
    CU_ASSERT_EQUAL_FATAL(rv_scan_row(&h2, s, n, t0, m, items, lo, hi, 0, gt2, eq2, &a2), 0);
    /* The ambiguous scores: same multiset per entry (same order, too). */
    bad += a1.n != a2.n;
    for (int64_t a = 0; a < a1.n && a < a2.n; a++) bad += a1.j[a] != a2.j[a] || a1.s[a] != a2.s[a];
    for (int t = 0; t < m; t++) {
      bad += gt1[t] != gt2[t] || eq1[t] != eq2[t];
      /* Independently: above + own tie + ambiguous = every score >= lo. */
      int64_t reach = 0, amb = 0;
      for (int q = 0; q < n; q++) reach += s[q] >= lo[t];
      for (int64_t a = 0; a < a1.n; a++) amb += a1.j[a] == t;
      bad += gt1[t] + eq1[t] + amb != reach;
    }
    free(a1.s), free(a1.j), free(a2.s), free(a2.j);
  }
  int64_t c1[128] = {0}, c2[128] = {0};
  rv_hist_collect(&h1, c1);
  rv_hist_collect(&h2, c2);
  for (int b = 0; b < 128; b++) bad += c1[b] != c2[b];
  CU_ASSERT_EQUAL(bad, 0);
  /* AUC only (no histogram), one entry: 3 scores above 0.5's bracket. */
  const float row[6] = {0.9f, 0.5f, 0.1f, 0.7f, 0.6f, -INFINITY};
  const int32_t it[1] = {1};
  const float l1[1] = {nextafterf(0.5f, 0.0f)}, u1[1] = {nextafterf(0.5f, 1.0f)};
  int64_t g[1] = {0}, e[1] = {0};
  rv_amb_t a = {0};
  CU_ASSERT_EQUAL(rv_scan_row(NULL, row, 6, 0, 1, it, l1, u1, 0, g, e, &a), 0);
  CU_ASSERT(g[0] == 3 && e[0] == 1 && a.n == 0); /* 0.9, 0.7, 0.6 above; itself tied */
  free(a.s), free(a.j);
  rv_hist_free(&h1);
  rv_hist_free(&h2);
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t hist[] = {
      {"grid", test_hist_grid},
      {"bins_exact", test_hist_bins_exact},
      {"row_counts", test_hist_row_counts},
      {"scan_row_fused", test_scan_row_fused},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("histogram", hist)};
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
