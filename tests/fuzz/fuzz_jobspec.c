/* libFuzzer harness: JobSpec decoding. Every rank of `receval eval` unpacks
 * the broadcast JobSpec bytes and checks them (cli/jobspec.c) before the
 * evaluation indexes anything with them. For any input: unpacking and the
 * check must not crash or leak; a message that passes must satisfy what
 * rv_evaluate relies on, and must survive a pack/unpack round trip
 * unchanged (the bytes stored in results.h5 decode to the same job). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/jobspec.h"
#include "metrics/registry.h"

static void require(int cond) {
  if (!cond) __builtin_trap();
}

static uint8_t *pack(const Receval__JobSpec *j, size_t *n) {
  *n = receval__job_spec__get_packed_size(j);
  uint8_t *b = malloc(*n > 0 ? *n : 1);
  require(b != NULL);
  require(receval__job_spec__pack(j, b) == *n);
  return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Receval__JobSpec *j = receval__job_spec__unpack(NULL, size, data);
  if (!j) return 0;
  if (rv_jobspec_check(j) == RV_OK) {
    /* What the evaluation reads without further checks. */
    require(j->n_k >= 1 && j->n_k <= RV_MAX_K);
    require(j->k[0] >= 1 && j->k[j->n_k - 1] <= RV_MAX_K_VALUE);
    require(strlen(j->out_dir) <= RV_MAX_PATH && strlen(j->dataset) <= RV_MAX_PATH);
    for (size_t i = 0; i < j->n_metrics; i++) require(rv_metric_find(j->metrics[i]) != NULL);
    require(j->block_users >= 1 && j->mi_bins >= 2);
    /* Round trip: packing the decoded message and decoding it again gives
     * a message that packs to the same bytes and still passes. */
    size_t n1, n2;
    uint8_t *b1 = pack(j, &n1);
    Receval__JobSpec *j2 = receval__job_spec__unpack(NULL, n1, b1);
    require(j2 != NULL);
    require(rv_jobspec_check(j2) == RV_OK);
    uint8_t *b2 = pack(j2, &n2);
    require(n1 == n2 && memcmp(b1, b2, n1) == 0);
    receval__job_spec__free_unpacked(j2, NULL);
    free(b1);
    free(b2);
  }
  receval__job_spec__free_unpacked(j, NULL);
  rv_error_clear();
  return 0;
}
