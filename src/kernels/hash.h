/* A fast 64-bit hash of byte ranges, used for the dataset checksum. */
#ifndef RV_KERNELS_HASH_H
#define RV_KERNELS_HASH_H
#include <stddef.h>
#include <stdint.h>

/* Hash of n bytes keyed by `key` (word-at-a-time multiply-mix). */
uint64_t rv_hash64(const void *data, size_t n, uint64_t key);

#endif
