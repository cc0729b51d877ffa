/* Unit tests of the beyond-accuracy list metrics: diversity (ILD), novelty,
 * popularity (ARP, APLT), unexpectedness, serendipity and calibration
 * (src/metrics/m_diversity.c, m_popularity.c, m_calibration.c). Serial, CUnit,
 * no MPI.
 *
 * Every metric is reached through its descriptor, rv_metric_find(NAME), and
 * called as the engine calls it (see unit_util.h); every expected value is
 * derived by hand (or written as the closed form of the definition in
 * ../shared/METRICS.md) in a comment next to the assertion. */
#include "unit_util.h"

static int all_zero(const double *x, int n) {
  for (int i = 0; i < n; i++)
    if (x[i] != 0.0) return 0;
  return 1;
}

/* ======================================================================== */
/* Suite: beyond (diversity, popularity, surprise, calibration)             */

/* Items of the beyond-accuracy cases, unit vectors in 2 dimensions:
 *   e0 = (1, 0)    e1 = (0, 1)    e2 = (1, 0)    e3 = (0.6, 0.8)
 *   e4 = (0, 0) (a zero embedding stays zero)    e5 = (r, r), r = sqrt(1/2)
 * Train popularity pop = (0, 5, 10, 1, 2, 3), n_users = 10.
 * Categories (G = 3): e0 {0}, e1 {1}, e2 {0, 1}, e3 {2}, e4 {}, e5 {2}. */
enum { BN = 6, BD = 2, BG = 3 };
#define R_HALF 0.70710678118654752f
static const float B_UNIT[BN * BD] = {1, 0, 0, 1, 1, 0, 0.6f, 0.8f, 0, 0, R_HALF, R_HALF};
static const int64_t B_POP[BN] = {0, 5, 10, 1, 2, 3};
static const int64_t B_CAT_PTR[BN + 1] = {0, 1, 2, 4, 5, 5, 6};
static const int32_t B_CAT_IDX[6] = {0, 1, 0, 1, 2, 2};

static rv_eval_ctx_t beyond_ctx(const uint8_t *long_tail) {
  rv_eval_ctx_t c = {.n_users = 10,
                     .n_items = BN,
                     .dim = BD,
                     .item_unit = B_UNIT,
                     .pop = B_POP,
                     .train_total = 21,
                     .long_tail = long_tail,
                     .cat_ptr = B_CAT_PTR,
                     .cat_idx = B_CAT_IDX,
                     .n_categories = BG,
                     .trec = 0};
  return c;
}

/* scratch: >= max(dim, G) + 2G doubles, zeroed; iscratch >= 2G ints. */
enum { NSCR = 3 + 2 * BG + 4 };
static double g_scr[NSCR];
static int32_t g_iscr[2 * BG + 4];

static rv_user_view_t list_view(const rv_eval_ctx_t *ctx, const int32_t *items, int len, int kmax,
                                const double *gain) {
  memset(g_scr, 0, sizeof g_scr);
  rv_user_view_t v = {.ctx = ctx,
                      .user = 0,
                      .kmax = kmax,
                      .len = len,
                      .items = items,
                      .scores = DUMMY_SCORES,
                      .gain = gain,
                      .n_test = 0,
                      .test = NULL,
                      .test_rel = NULL,
                      .ideal = NULL,
                      .n_ideal = 0,
                      .n_train = 0,
                      .train = NULL,
                      .profile = NULL,
                      .auc = NAN,
                      .scratch = g_scr,
                      .iscratch = g_iscr};
  return v;
}

static void test_ild(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* [e0, e1, e2] = (1,0), (0,1), (1,0): pairs cos(0,1) = 0, cos(0,2) = 1,
   * cos(1,2) = 0; mean 1/3 -> ild = 1 - 1/3 = 2/3. */
  const int32_t l012[3] = {0, 1, 2};
  rv_user_view_t v = list_view(&ctx, l012, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 2.0 / 3.0, EXACT);
  CU_ASSERT(all_zero(g_scr, NSCR)); /* scratch handed back zeroed */
  /* k = 2 < len: [e0, e1] only: cos 0 -> 1. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0, EXACT);
  /* k = 5 > len = 3: the 3 items -> 2/3. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 5), 2.0 / 3.0, EXACT);
  /* Lists shorter than 2 have no pair: NaN (k = 1, or a one-item list,
   * or an empty list). */
  CU_ASSERT(isnan(user_metric("ild", &v, 1)));
  v.len = 1;
  CU_ASSERT(isnan(user_metric("ild", &v, 3)));
  v.len = 0;
  CU_ASSERT(isnan(user_metric("ild", &v, 3)));
  /* A zero embedding: cos with it is 0. [e0, e4, e2]: pairs 0, 1, 0 ->
   * mean 1/3 -> 2/3 (with |e4|^2 = 0 taken out, not 1). [e0, e4, e1]:
   * all 0 -> 1. */
  const int32_t l042[3] = {0, 4, 2}, l041[3] = {0, 4, 1};
  v = list_view(&ctx, l042, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 2.0 / 3.0, EXACT);
  v = list_view(&ctx, l041, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 3), 1.0, EXACT);
  /* 45 degrees: [e0, e5]: cos = r -> 1 - 1/sqrt2 = 0.29289. [e3, e5]:
   * cos = 0.6 r + 0.8 r = 1.4 r = 0.98995 -> 0.01005. */
  const int32_t l05[2] = {0, 5}, l35[2] = {3, 5};
  v = list_view(&ctx, l05, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0 - sqrt(0.5), F32);
  v = list_view(&ctx, l35, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 1.0 - 1.4 * sqrt(0.5), F32);
  /* Duplicate-direction list [e0, e2] (same vector): cos 1 -> 0. */
  const int32_t l02[2] = {0, 2};
  v = list_view(&ctx, l02, 2, 2, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("ild", &v, 2), 0.0, EXACT);
  CU_ASSERT(all_zero(g_scr, NSCR));
}

static void test_novelty_arp_aplt(void) {
  /* Long tail set by hand: pop = (0, 5, 10, 1, 2, 3), total 21; 80% = 16.8.
   * Most popular first: item 2 (10) -> 10, item 1 (5) -> 15, item 5 (3) ->
   * 18 >= 16.8: short head {2, 1, 5}, long tail {0, 3, 4}. */
  const uint8_t lt[BN] = {1, 0, 0, 1, 1, 0};
  const rv_eval_ctx_t ctx = beyond_ctx(lt);
  /* List [0, 1, 2], pop (0, 5, 10), n_users 10. Item 0 was seen by nobody:
   * max(0, 1) = 1.
   *  novelty: terms -log2(1/10) = log2 10, -log2(5/10) = 1, -log2(10/10) = 0:
   *    k=3: (log2 10 + 1) / 3 = 1.44064; k=1: log2 10; k=2: (log2 10 + 1)/2.
   *  arp:  k=3: 15/3 = 5; k=1: 0; k=2: 5/2.
   *  aplt: long tail (1, 0, 0): k=3: 1/3; k=1: 1; k=2: 1/2. */
  const int32_t l[3] = {0, 1, 2};
  rv_user_view_t v = list_view(&ctx, l, 3, 3, NULL);
  const double L10 = log2(10.0);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), (L10 + 1.0) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), 1.4406426982957872, 1e-14);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 1), L10, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 2), (L10 + 1.0) / 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 5.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 2), 2.5, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 1.0 / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 1), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 2), 0.5, EXACT);
  /* Short list: k = 10 > len = 3 divides by |L_u| = 3, not k. */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 10), (L10 + 1.0) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 10), 5.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 10), 1.0 / 3.0, EXACT);
  /* pop 1 and pop 0 give the same self-information (max(pop, 1)):
   * [3] (pop 1) and [0] (pop 0) -> log2 10 both; arp 1 vs 0. */
  const int32_t l3[1] = {3}, l0[1] = {0};
  v = list_view(&ctx, l3, 1, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), L10, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 1.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 1.0, EXACT);
  v = list_view(&ctx, l0, 1, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3), L10, EXACT);
  /* [3, 4, 5]: pop (1, 2, 3): novelty (log2 10 + log2 5 + log2(10/3)) / 3;
   * arp 2; aplt (1 + 1 + 0) / 3 = 2/3. */
  const int32_t l345[3] = {3, 4, 5};
  v = list_view(&ctx, l345, 3, 3, NULL);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("novelty", &v, 3),
                         (L10 + log2(5.0) + log2(10.0 / 3.0)) / 3.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("arp", &v, 3), 2.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("aplt", &v, 3), 2.0 / 3.0, EXACT);
  /* Empty list (whole catalogue seen): NaN, not 0/0 noise or 0. */
  v.len = 0;
  CU_ASSERT(isnan(user_metric("novelty", &v, 3)));
  CU_ASSERT(isnan(user_metric("arp", &v, 3)));
  CU_ASSERT(isnan(user_metric("aplt", &v, 3)));
}

static void test_unexpectedness_serendipity(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* Profile h = (1, 0). List [e0, e1, e3, e4]:
   *  1 - cos: e0 (1,0): 0; e1 (0,1): 1; e3 (0.6,0.8): 0.4; e4 zero: 1 - 0 = 1.
   *  unexpectedness k=4: (0 + 1 + 0.4 + 1) / 4 = 0.6; k=3: 1.4/3;
   *  k=1: 0; k=9 > len: 2.4 / 4 = 0.6.
   * Serendipity with gains [2, 0, 1, 0] (graded; the indicator [i in R_u]
   * is used, not the grade): terms e0 (relevant) 0, e3 (relevant) 0.4;
   * divided by |L_u|: k=4: 0.4/4 = 0.1; k=3: 0.4/3; k=1: 0; k=2: 0. */
  const float h[2] = {1, 0};
  const int32_t l[4] = {0, 1, 3, 4};
  const double gain[4] = {2, 0, 1, 0};
  rv_user_view_t v = list_view(&ctx, l, 4, 4, gain);
  v.profile = h;
  v.n_train = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 4), 0.6, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 3), 1.4 / 3.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 1), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 9), 0.6, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 4), 0.1, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 3), 0.4 / 3.0, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 2), 0.0, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 1), 0.0, EXACT);
  /* Profile h = (0.6, 0.8): [e0, e1]: cos 0.6 -> 0.4, cos 0.8 -> 0.2:
   * mean 0.3. With gains [0, 1]: serendipity 0.2 / 2 = 0.1. */
  const float h2[2] = {0.6f, 0.8f};
  const int32_t l01[2] = {0, 1};
  const double g01[2] = {0, 1};
  v = list_view(&ctx, l01, 2, 2, g01);
  v.profile = h2;
  v.n_train = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("unexpectedness", &v, 2), 0.3, F32);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("serendipity", &v, 2), 0.1, F32);
  /* No profile (no train items): NaN. Empty list: NaN. */
  v.profile = NULL;
  CU_ASSERT(isnan(user_metric("unexpectedness", &v, 2)));
  CU_ASSERT(isnan(user_metric("serendipity", &v, 2)));
  v.profile = h2;
  v.len = 0;
  CU_ASSERT(isnan(user_metric("unexpectedness", &v, 2)));
  CU_ASSERT(isnan(user_metric("serendipity", &v, 2)));
}

/* Steck's KL in bits with a = 0.01, over p's support (the test's own copy of
 * the formula, evaluated on hand-derived distributions). */
static double kl_steck(const double *p, const double *q, int G) {
  double s = 0.0;
  for (int g = 0; g < G; g++)
    if (p[g] > 0.0) s += p[g] * log2(p[g] / (0.99 * q[g] + 0.01 * p[g]));
  return s;
}

static void test_calibration(void) {
  const rv_eval_ctx_t ctx = beyond_ctx(NULL);
  /* Train H_u = {0, 2, 3}: e0 {0} -> cat0 += 1; e2 {0, 1} -> 1/2 each;
   * e3 {2} -> cat2 += 1. Total weight 3: p = (1.5, 0.5, 1) / 3
   * = (1/2, 1/6, 1/3).
   * List [1, 2, 4] (k = 3): e1 {1} -> cat1 += 1; e2 -> 1/2 each; e4 has no
   * category (no weight, not counted): total 2: q = (1/4, 3/4, 0).
   * q has no mass on cat2, which p has: the mixture 0.99 q + 0.01 p keeps
   * the KL finite:
   *  KL = 1/2 log2((1/2) / (0.99/4 + 0.01/2))
   *     + 1/6 log2((1/6) / (0.99*3/4 + 0.01/6))
   *     + 1/3 log2((1/3) / (0.01/3))             [= 1/3 log2 100]
   *     = 0.492822 - 0.359777 + 2.214619 = 2.347664 bits. */
  const int32_t train[3] = {0, 2, 3};
  const int32_t l[3] = {1, 2, 4};
  rv_user_view_t v = list_view(&ctx, l, 3, 3, NULL);
  v.train = train;
  v.n_train = 3;
  const double p[3] = {0.5, 1.0 / 6.0, 1.0 / 3.0};
  const double q3[3] = {0.25, 0.75, 0.0};
  const double want3 = 0.5 * log2(0.5 / (0.99 * 0.25 + 0.005)) +
                       (1.0 / 6.0) * log2((1.0 / 6.0) / (0.99 * 0.75 + 0.01 / 6.0)) +
                       (1.0 / 3.0) * log2(100.0);
  CU_ASSERT_DOUBLE_EQUAL(kl_steck(p, q3, 3), want3, EXACT); /* the two forms agree */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), want3, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 2.3476643875452896, 1e-13);
  CU_ASSERT(all_zero(g_scr, NSCR)); /* scratch handed back zeroed */
  /* k = 2: [1, 2]: the same q (e4 contributed nothing). */
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 2), want3, EXACT);
  /* k = 1: [1]: q = (0, 1, 0):
   *  KL = 1/2 log2(0.5/0.005) + 1/6 log2((1/6)/(0.99 + 0.01/6)) + 1/3 log2 100
   *     = 5/6 log2 100 + 1/6 log2((1/6)/(0.99 + 1/600)) = 5.10773. */
  const double want1 = (5.0 / 6.0) * log2(100.0) + (1.0 / 6.0) * log2((1.0 / 6.0) / (0.99 + 0.01 / 6.0));
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), want1, EXACT);
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), 5.107731880075507, 1e-13);
  /* Perfectly calibrated: list [0, 2, 3] = the train items: q = p ->
   * every term p log2(p / p) = 0. Also [5, 2, 0] (e5 {2} replaces e3 {2}). */
  const int32_t same[3] = {0, 2, 3}, same2[3] = {5, 2, 0};
  v.items = same;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 0.0, EXACT);
  v.items = same2;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), 0.0, EXACT);
  /* No list item has a category ([4]): q = 0 -> KL = sum p log2(1/0.01)
   * = log2 100 = 6.64386. */
  const int32_t l4[1] = {4};
  v.items = l4;
  v.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), log2(100.0), EXACT);
  /* Train items without category (H_u = {4}): p undefined -> NaN. */
  const int32_t t4[1] = {4};
  v.items = l;
  v.len = 3;
  v.train = t4;
  v.n_train = 1;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  /* Empty list: NaN. */
  v.train = train;
  v.n_train = 3;
  v.len = 0;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  /* Dataset without categories: NaN. */
  rv_eval_ctx_t nocat = beyond_ctx(NULL);
  nocat.cat_ptr = NULL;
  nocat.cat_idx = NULL;
  nocat.n_categories = 0;
  v.ctx = &nocat;
  v.len = 3;
  CU_ASSERT(isnan(user_metric("calibration", &v, 3)));
  CU_ASSERT(all_zero(g_scr, NSCR));
  /* Two users in a row share the scratch: a second call after the first
   * sees zeroed buffers and gives its own value. User 2: train {1}
   * (p = (0, 1, 0)), list [1] -> 0; then user 1 again -> want3. */
  v.ctx = &ctx;
  const int32_t t1[1] = {1}, l1[1] = {1};
  v.train = t1;
  v.n_train = 1;
  v.items = l1;
  v.len = 1;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 1), 0.0, EXACT);
  v.train = train;
  v.n_train = 3;
  v.items = l;
  v.len = 3;
  CU_ASSERT_DOUBLE_EQUAL(user_metric("calibration", &v, 3), want3, EXACT);
}

static void test_empty_list_user(void) {
  /* A user who has seen the whole catalogue gets an empty list (len 0).
   * The engine skips RV_NEEDS_LIST metrics for them, but every list metric
   * must itself answer NaN (never divide by 0 into a number), and such a
   * user contributes no exposure: n_lists excludes them. */
  const uint8_t lt[BN] = {1, 0, 0, 1, 1, 0};
  const rv_eval_ctx_t ctx = beyond_ctx(lt);
  const float h[2] = {1, 0};
  const int32_t train[2] = {0, 1};
  rv_user_view_t v = list_view(&ctx, DUMMY_ITEMS, 0, 3, NULL);
  v.profile = h;
  v.train = train;
  v.n_train = 2;
  const char *names[] = {"ild", "novelty", "arp", "aplt", "unexpectedness", "serendipity",
                         "calibration"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    for (int k = 1; k <= 3; k++) CU_ASSERT(isnan(user_metric(names[i], &v, k)));
  CU_ASSERT(all_zero(g_scr, NSCR));
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t beyond[] = {
      {"ild", test_ild},
      {"novelty_arp_aplt", test_novelty_arp_aplt},
      {"unexpectedness_serendipity", test_unexpectedness_serendipity},
      {"calibration", test_calibration},
      {"empty_list_user", test_empty_list_user},
  };
  static const unit_suite_t suites[] = {UNIT_SUITE("beyond", beyond)};
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
