/* Unit tests of the guards against hostile input (serial, CUnit, no MPI
 * calls): overflow-checked sizes and the memory bound (base/size.h), and
 * the JobSpec check every rank applies to the decoded broadcast
 * (cli/jobspec.h). Expected values are written from the definitions. */
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/jobspec.h"
#include "base/size.h"

static void test_size_of(void) {
  size_t b = 0;
  CU_ASSERT_EQUAL(rv_size_of(&b, 4, 3, 5), 0);
  CU_ASSERT_EQUAL(b, 60);
  CU_ASSERT_EQUAL(rv_size_of(&b, 8, 0, INT64_MAX), 0);
  CU_ASSERT_EQUAL(b, 0);
  /* 4 * 2^62 = 2^64 does not fit. */
  CU_ASSERT_EQUAL(rv_size_of(&b, 4, (int64_t)1 << 62, 1), -1);
  CU_ASSERT_EQUAL(b, SIZE_MAX);
  /* 2^32 * 2^32 overflows in the second product. */
  CU_ASSERT_EQUAL(rv_size_of(&b, 1, (int64_t)1 << 32, (int64_t)1 << 32), -1);
  /* 2^31 * 2^16 * 4 = 2^49 fits. */
  CU_ASSERT_EQUAL(rv_size_of(&b, 4, ((int64_t)1 << 31), 65536), 0);
  CU_ASSERT_EQUAL(b, (size_t)1 << 49);
  CU_ASSERT_EQUAL(rv_size_of(&b, 4, -1, 1), -1);
  CU_ASSERT_EQUAL(rv_size_of(&b, 4, 1, -7), -1);
  CU_ASSERT_EQUAL(rv_size_add(&b, SIZE_MAX - 1, 1), 0);
  CU_ASSERT_EQUAL(b, SIZE_MAX);
  CU_ASSERT_EQUAL(rv_size_add(&b, SIZE_MAX, 1), -1);
}

static void test_malloc_n(void) {
  CU_ASSERT_PTR_NULL(rv_malloc_n(8, (int64_t)1 << 62, 4)); /* overflow: no call to malloc */
  CU_ASSERT_PTR_NULL(rv_calloc_n(8, -3, 1));
  int64_t *z = rv_calloc_n(sizeof(int64_t), 3, 7);
  CU_ASSERT_PTR_NOT_NULL_FATAL(z);
  for (int i = 0; i < 21; i++) CU_ASSERT_EQUAL(z[i], 0);
  free(z);
  void *one = rv_malloc_n(4, 0, 9); /* empty: a valid, freeable pointer */
  CU_ASSERT_PTR_NOT_NULL(one);
  free(one);
}

static void test_check_fits(void) {
  const uint64_t mem = rv_node_memory();
  CU_ASSERT(mem > ((uint64_t)1 << 20));
  CU_ASSERT_EQUAL(rv_check_fits("f.h5", "x", 1 << 20), RV_OK);
  if (mem < SIZE_MAX) {
    CU_ASSERT_EQUAL(rv_check_fits("f.h5", "the row pointers", (size_t)mem + 1), RV_ERR_RUNTIME);
    CU_ASSERT(strstr(rv_error_message(), "f.h5: ") == rv_error_message());
    CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "for the row pointers"));
    CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "node's memory"));
  }
  CU_ASSERT_EQUAL(rv_check_fits("f.h5", "y", SIZE_MAX), RV_ERR_RUNTIME);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "overflow"));
}

/* A JobSpec as cmd_eval builds it; each test breaks one field. */
static int32_t ks[3] = {1, 5, 10};
static char *metrics[2] = {(char *)"ndcg", (char *)"coverage"};
static Receval__JobSpec good(void) {
  Receval__JobSpec j = RECEVAL__JOB_SPEC__INIT;
  j.command = (char *)"eval";
  j.dataset = (char *)"data.h5";
  j.out_dir = (char *)"out";
  j.n_k = 3;
  j.k = ks;
  j.n_metrics = 2;
  j.metrics = metrics;
  return j;
}

static void expect_bad(const Receval__JobSpec *j, const char *frag) {
  CU_ASSERT_EQUAL(rv_jobspec_check(j), RV_ERR_USAGE);
  if (!strstr(rv_error_message(), frag)) {
    fprintf(stderr, "message '%s' lacks '%s'\n", rv_error_message(), frag);
    CU_FAIL("message lacks the field");
  }
}

/* A packed good JobSpec with extra bytes appended, unpacked: NULL, or a
 * message the caller frees. */
static Receval__JobSpec *unpack_with(const uint8_t *extra, size_t n_extra) {
  Receval__JobSpec g = good();
  const size_t n = receval__job_spec__get_packed_size(&g);
  uint8_t *b = malloc(n + n_extra);
  receval__job_spec__pack(&g, b);
  if (n_extra > 0) memcpy(b + n, extra, n_extra);
  Receval__JobSpec *j = receval__job_spec__unpack(NULL, n + n_extra, b);
  free(b);
  return j;
}

static void test_jobspec_unknown_fields(void) {
  /* Field 99 as a varint (tag (99 << 3) | 0 = 792 = 0x98 0x06, value 1). */
  const uint8_t f99[3] = {0x98, 0x06, 0x01};
  Receval__JobSpec *j = unpack_with(f99, sizeof f99);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  expect_bad(j, "1 unknown field(s), the first numbered 99");
  receval__job_spec__free_unpacked(j, NULL);
  /* What the JobSpec fuzzer found: a field numbered 0 (tag 0x85 0x00, wire
   * type 5) that protobuf-c accepts, packs again as 0x05, and then refuses
   * to unpack: it must not pass the check. */
  const uint8_t f0[6] = {0x85, 0x00, 0x00, 0x72, 0x75, 0x6e};
  j = unpack_with(f0, sizeof f0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j); /* protobuf-c 1.4.1 (Debian 12) accepts it */
  expect_bad(j, "the first numbered 0");
  receval__job_spec__free_unpacked(j, NULL);
  /* The good message itself has none and passes. */
  j = unpack_with(NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  CU_ASSERT_EQUAL(rv_jobspec_check(j), RV_OK);
  receval__job_spec__free_unpacked(j, NULL);
}

static void test_jobspec(void) {
  Receval__JobSpec j = good();
  CU_ASSERT_EQUAL(rv_jobspec_check(&j), RV_OK); /* defaults of the .proto pass */
  j.command = (char *)"train";
  expect_bad(&j, "command: 'train'");
  j = good(), j.command = NULL;
  expect_bad(&j, "command: '(none)'");
  j = good(), j.dataset = (char *)"";
  expect_bad(&j, "dataset: missing");
  char *longp = malloc(RV_MAX_PATH + 2);
  memset(longp, 'a', RV_MAX_PATH + 1);
  longp[RV_MAX_PATH + 1] = '\0';
  j = good(), j.out_dir = longp;
  expect_bad(&j, "out_dir: 4001 bytes");
  free(longp);
  j = good(), j.n_k = 0;
  expect_bad(&j, "k: 0 cutoffs");
  int32_t down[3] = {1, 10, 5}, rep[2] = {5, 5}, zero[1] = {0}, big[1] = {RV_MAX_K_VALUE + 1};
  j = good(), j.k = down;
  expect_bad(&j, "k[2]: 5 after 10");
  j = good(), j.k = rep, j.n_k = 2;
  expect_bad(&j, "k[1]: 5 after 5");
  j = good(), j.k = zero, j.n_k = 1;
  expect_bad(&j, "k[0]: 0");
  j = good(), j.k = big, j.n_k = 1;
  expect_bad(&j, "k[0]: 1000001");
  j = good(), j.similarity = (Receval__Similarity)7;
  expect_bad(&j, "similarity: unknown value 7");
  j = good(), j.block_users = 0;
  expect_bad(&j, "block_users: 0");
  j = good(), j.mi_bins = 1;
  expect_bad(&j, "mi_bins: 1");
  j = good(), j.item_shards = 4;
  CU_ASSERT_EQUAL(rv_jobspec_check(&j), RV_OK);
  j = good(), j.item_shards = 0;
  expect_bad(&j, "item_shards: 0");
  j = good(), j.item_shards = 65537;
  expect_bad(&j, "item_shards: 65537");
  j = good(), j.item_shards = 2, j.whiten = 1;
  expect_bad(&j, "item_shards: 2 with whiten");
  j = good(), j.item_shards = 2, j.model_dir = (char *)"m";
  expect_bad(&j, "item_shards: 2 with model_dir");
  j = good(), j.model_dir = (char *)"";
  expect_bad(&j, "model_dir: missing");
  j = good(), j.command = (char *)"runs";
  expect_bad(&j, "run_file: missing");
  j = good(), j.command = (char *)"runs", j.run_file = (char *)"r.trec", j.run_order = (char *)"best";
  expect_bad(&j, "run_order: 'best'");
  j = good(), j.command = (char *)"runs", j.run_file = (char *)"r.trec", j.run_order = (char *)"rank";
  CU_ASSERT_EQUAL(rv_jobspec_check(&j), RV_OK);
  j = good(), j.convention = (char *)"TREC";
  expect_bad(&j, "convention: 'TREC'");
  char *m2[2] = {(char *)"ndcg", (char *)"nosuch"}, *m3[2] = {(char *)"ndcg", (char *)"ndcg"},
       *m4[1] = {NULL};
  j = good(), j.metrics = m2;
  expect_bad(&j, "metrics[1]: unknown metric 'nosuch'");
  j = good(), j.metrics = m3;
  expect_bad(&j, "metrics[1]: 'ndcg' repeats");
  j = good(), j.metrics = m4, j.n_metrics = 1;
  expect_bad(&j, "metrics[0]: unknown metric '(none)'");
  j = good(), j.n_metrics = 0;
  expect_bad(&j, "metrics: 0 names");
}

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("robust", NULL, NULL);
  if (!s || !CU_add_test(s, "size_of", test_size_of) || !CU_add_test(s, "malloc_n", test_malloc_n) ||
      !CU_add_test(s, "check_fits", test_check_fits) || !CU_add_test(s, "jobspec", test_jobspec) ||
      !CU_add_test(s, "jobspec_unknown_fields", test_jobspec_unknown_fields)) {
    CU_cleanup_registry();
    return 1;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures != 0;
}
