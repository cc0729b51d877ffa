/* Unit tests of the metric table (src/metrics/registry.h): the registry's
 * structure and lookup, and every descriptor's shape and needs flags. Serial,
 * CUnit, no MPI. */
#include "unit_util.h"

#include "metrics/registry.h"

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
/* Suite: descriptors                                                       */

static void test_descriptor_shapes(void) {
  /* Shapes and needs the engine relies on (METRICS.md "Which users count
   * where"): accuracy metrics need test items; every other list metric needs
   * a non-empty list only (test items or not); unexpectedness and
   * serendipity need a profile; serendipity also needs test items;
   * calibration needs categories; exposure metrics are RV_KIND_EXPOSURE;
   * I(S;Y) is a scan metric on the histogram; AUC is per user (no cutoff). */
  const char *acc[] = {"precision", "recall", "f1", "ndcg", "map", "mrr", "hit"};
  for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++) {
    const rv_metric_t *m = metric(acc[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_USER);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT((m->needs & RV_NEEDS_TEST) != 0);
    CU_ASSERT_PTR_NOT_NULL(m->compute_user);
  }
  const rv_metric_t *auc = metric("auc");
  CU_ASSERT_EQUAL(auc->kind, RV_KIND_USER);
  CU_ASSERT_EQUAL(auc->at_k, 0);
  CU_ASSERT_EQUAL(auc->needs & (RV_NEEDS_TEST | RV_NEEDS_AUC), RV_NEEDS_TEST | RV_NEEDS_AUC);

  const char *list[] = {"ild", "novelty", "arp", "aplt", "unexpectedness", "calibration"};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
    const rv_metric_t *m = metric(list[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_USER);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT((m->needs & RV_NEEDS_LIST) != 0);
    CU_ASSERT((m->needs & RV_NEEDS_TEST) == 0); /* users without test items count */
  }
  CU_ASSERT((metric("unexpectedness")->needs & RV_NEEDS_PROFILE) != 0);
  CU_ASSERT((metric("calibration")->needs & RV_NEEDS_CATEGORIES) != 0);
  const unsigned ser = metric("serendipity")->needs;
  CU_ASSERT_EQUAL(ser & (RV_NEEDS_TEST | RV_NEEDS_LIST | RV_NEEDS_PROFILE),
                  RV_NEEDS_TEST | RV_NEEDS_LIST | RV_NEEDS_PROFILE);

  const char *expo[] = {"coverage", "gini", "entropy", "personalization", "mi_user_item",
                        "mi_user_item_norm"};
  for (size_t i = 0; i < sizeof expo / sizeof expo[0]; i++) {
    const rv_metric_t *m = metric(expo[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_EXPOSURE);
    CU_ASSERT_EQUAL(m->at_k, 1);
    CU_ASSERT_PTR_NOT_NULL(m->finalize);
  }
  const char *scan[] = {"mi_score_relevance", "mi_score_relevance_norm"};
  for (size_t i = 0; i < 2; i++) {
    const rv_metric_t *m = metric(scan[i]);
    CU_ASSERT_EQUAL(m->kind, RV_KIND_SCAN);
    CU_ASSERT_EQUAL(m->at_k, 0);
    CU_ASSERT((m->needs & RV_NEEDS_HIST) != 0);
    CU_ASSERT_PTR_NOT_NULL(m->finalize);
  }
}

/* ======================================================================== */

int main(void) {
  static const test_entry_t metrics[] = {{"registry", test_registry}};
  static const test_entry_t descriptors[] = {{"shapes_and_needs", test_descriptor_shapes}};
  static const unit_suite_t suites[] = {
      UNIT_SUITE("metrics", metrics),
      UNIT_SUITE("descriptors", descriptors),
  };

  rv_score_init(); /* single-threaded BLAS, as the engine runs it */
  return unit_main(suites, sizeof suites / sizeof suites[0]);
}
