/* Unit tests of the similarity table (kernels/similarity.h): names and
 * proto values round-trip, unknown names and values are refused, the help
 * lists name the table's entries in order. Serial, CUnit. */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "kernels/similarity.h"

static void test_round_trip(void) {
  CU_ASSERT_EQUAL(rv_sim_count(), 3);
  for (int i = 0; i < rv_sim_count(); i++) {
    const rv_sim_entry_t *e = rv_sim_get((rv_similarity_t)i);
    CU_ASSERT_EQUAL((int)e->sim, i);
    rv_similarity_t s = (rv_similarity_t)-1;
    CU_ASSERT_EQUAL(rv_sim_parse(rv_sim_name((rv_similarity_t)i), &s), 0);
    CU_ASSERT_EQUAL((int)s, i);
    s = (rv_similarity_t)-1;
    CU_ASSERT_EQUAL(rv_sim_from_proto(e->proto, &s), 0);
    CU_ASSERT_EQUAL((int)s, i);
    CU_ASSERT_PTR_NOT_NULL(e->bound);
    CU_ASSERT_PTR_NOT_NULL(e->range);
  }
  /* The values stored in files and JobSpecs. */
  CU_ASSERT_STRING_EQUAL(rv_sim_name(RV_SIM_COSINE), "cosine");
  CU_ASSERT_STRING_EQUAL(rv_sim_name(RV_SIM_DOT), "dot");
  CU_ASSERT_STRING_EQUAL(rv_sim_name(RV_SIM_EUCLIDEAN), "euclidean");
  CU_ASSERT_EQUAL(RV_SIM_COSINE, 0);
  CU_ASSERT_EQUAL(RV_SIM_DOT, 1);
  CU_ASSERT_EQUAL(RV_SIM_EUCLIDEAN, 2);
  CU_ASSERT_EQUAL(rv_sim_get(RV_SIM_DOT)->proto, 1);
  CU_ASSERT_EQUAL(rv_sim_get(RV_SIM_EUCLIDEAN)->proto, 2);
}

static void test_unknown(void) {
  rv_similarity_t s = RV_SIM_DOT;
  CU_ASSERT_NOT_EQUAL(rv_sim_parse("manhattan", &s), 0);
  CU_ASSERT_NOT_EQUAL(rv_sim_parse("", &s), 0);
  CU_ASSERT_NOT_EQUAL(rv_sim_parse("Cosine", &s), 0);
  CU_ASSERT_NOT_EQUAL(rv_sim_parse(NULL, &s), 0);
  CU_ASSERT_NOT_EQUAL(rv_sim_from_proto(3, &s), 0);
  CU_ASSERT_NOT_EQUAL(rv_sim_from_proto(-1, &s), 0);
  CU_ASSERT_EQUAL(s, RV_SIM_DOT); /* unchanged */
  CU_ASSERT_STRING_EQUAL(rv_sim_name((rv_similarity_t)7), "cosine");
}

static void test_help_lists(void) {
  char help[256] = "", usage[256] = "";
  const int n = rv_sim_count();
  for (int i = 0; i < n; i++) {
    const char *name = rv_sim_name((rv_similarity_t)i);
    strcat(help, i == 0 ? "" : i == n - 1 ? " or " : ", ");
    strcat(help, name);
    strcat(usage, i == 0 ? "" : "|");
    strcat(usage, name);
  }
  CU_ASSERT_STRING_EQUAL(help, RV_SIM_HELP_LIST);
  CU_ASSERT_STRING_EQUAL(usage, RV_SIM_USAGE_LIST);
}

static void test_bounds(void) {
  CU_ASSERT_EQUAL(rv_score_bound(RV_SIM_COSINE, 3.0, 5.0), 1.0);
  CU_ASSERT_EQUAL(rv_score_bound(RV_SIM_DOT, 3.0, 5.0), 15.0);
  CU_ASSERT_EQUAL(rv_score_bound(RV_SIM_EUCLIDEAN, 3.0, 5.0), 64.0);
  double lo = 0, hi = 0;
  rv_sim_get(RV_SIM_DOT)->range(3.0, 5.0, &lo, &hi);
  CU_ASSERT_EQUAL(lo, -15.0);
  CU_ASSERT_EQUAL(hi, 15.0);
  rv_sim_get(RV_SIM_EUCLIDEAN)->range(3.0, 5.0, &lo, &hi);
  CU_ASSERT_EQUAL(lo, -64.0);
  CU_ASSERT_EQUAL(hi, 0.0);
  CU_ASSERT(rv_sim_get(RV_SIM_COSINE)->bilinear_form && rv_sim_get(RV_SIM_DOT)->bilinear_form);
  CU_ASSERT(!rv_sim_get(RV_SIM_EUCLIDEAN)->bilinear_form);
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("similarity", NULL, NULL);
  CU_add_test(s, "name and proto round trip", test_round_trip);
  CU_add_test(s, "unknown names and values", test_unknown);
  CU_add_test(s, "help lists follow the table", test_help_lists);
  CU_add_test(s, "bounds and ranges", test_bounds);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failed = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failed ? 1 : 0;
}
