/* Sizes that come from input files. Every count read from a file is
 * turned into bytes here, with overflow checks, and compared with the
 * node's memory before anything of that size is allocated: a hostile
 * header gives a one-line error, never a huge malloc or a wrapped size. */
#ifndef RV_BASE_SIZE_H
#define RV_BASE_SIZE_H
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* *bytes = elem * n * m. Returns 0, or -1 when n or m is negative or the
 * product does not fit in size_t (then *bytes = SIZE_MAX). */
int rv_size_of(size_t *bytes, size_t elem, int64_t n, int64_t m);
/* *sum = a + b, or -1 (and SIZE_MAX) on overflow. */
int rv_size_add(size_t *sum, size_t a, size_t b);
/* malloc / calloc of elem * n * m bytes (at least 1); NULL on overflow,
 * negative counts or failure. */
void *rv_malloc_n(size_t elem, int64_t n, int64_t m);
void *rv_calloc_n(size_t elem, int64_t n, int64_t m);
/* Physical memory of this node in bytes (UINT64_MAX when unknown). */
uint64_t rv_node_memory(void);
/* RV_ERR_RUNTIME "FILE: the sizes in the file need X per rank for WHAT,
 * more than this node's memory (Y)" when bytes exceeds rv_node_memory()
 * (bytes == SIZE_MAX: an overflowed count). Local. */
rv_err_t rv_check_fits(const char *fname, const char *what, size_t bytes);

#endif
