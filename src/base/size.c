#include "base/size.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int rv_size_of(size_t *bytes, size_t elem, int64_t n, int64_t m) {
  size_t a, b;
  *bytes = SIZE_MAX;
  if (n < 0 || m < 0) return -1;
  if (__builtin_mul_overflow(elem, (uint64_t)n, &a) || __builtin_mul_overflow(a, (uint64_t)m, &b))
    return -1;
  *bytes = b;
  return 0;
}

int rv_size_add(size_t *sum, size_t a, size_t b) {
  if (__builtin_add_overflow(a, b, sum)) {
    *sum = SIZE_MAX;
    return -1;
  }
  return 0;
}

void *rv_malloc_n(size_t elem, int64_t n, int64_t m) {
  size_t bytes;
  if (rv_size_of(&bytes, elem, n, m) != 0) return NULL;
  return malloc(bytes > 0 ? bytes : 1);
}

void *rv_calloc_n(size_t elem, int64_t n, int64_t m) {
  size_t bytes;
  if (rv_size_of(&bytes, elem, n, m) != 0) return NULL;
  return calloc(bytes > 0 ? bytes : 1, 1);
}

uint64_t rv_node_memory(void) {
  uint64_t mem = UINT64_MAX;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0) mem = (uint64_t)pages * (uint64_t)page;
  return mem;
}

/* "12.3 GiB" style, for messages. */
static void human(char *buf, size_t len, uint64_t bytes) {
  static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = (double)bytes;
  int u = 0;
  while (v >= 1024.0 && u < 6) v /= 1024.0, u++;
  if (u == 0)
    snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
  else
    snprintf(buf, len, "%.1f %s", v, unit[u]);
}

rv_err_t rv_check_fits(const char *fname, const char *what, size_t bytes) {
  const uint64_t mem = rv_node_memory();
  if ((uint64_t)bytes <= mem) return RV_OK;
  char need[32], have[32];
  human(need, sizeof need, bytes);
  human(have, sizeof have, mem);
  if (bytes == SIZE_MAX)
    return rv_error_set(RV_ERR_RUNTIME, "%s: %s: the sizes in the file overflow a 64-bit byte count",
                        fname, what);
  return rv_error_set(RV_ERR_RUNTIME,
                      "%s: the sizes in the file need %s per rank for %s, more than this node's "
                      "memory (%s)",
                      fname, need, what, have);
}
