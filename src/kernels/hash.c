#include "kernels/hash.h"

#include <string.h>

#include "kernels/rng.h"

uint64_t rv_hash64(const void *data, size_t n, uint64_t key) {
  const unsigned char *p = data;
  /* Four independent lanes keep the multiplier pipelines busy. */
  uint64_t h[4] = {key ^ 0x243f6a8885a308d3ULL, key ^ 0x13198a2e03707344ULL,
                   key ^ 0xa4093822299f31d0ULL, key ^ 0x082efa98ec4e6c89ULL};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int l = 0; l < 4; l++) {
      uint64_t w;
      memcpy(&w, p + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * 0x9fb21c651e98df25ULL;
      h[l] ^= h[l] >> 29;
    }
  }
  /* Fewer than 32 bytes remain: fold them in 8 at a time, zero-padded. */
  uint64_t tail = 0;
  while (i < n) {
    unsigned char w8[8] = {0};
    const size_t m = n - i < 8 ? n - i : 8;
    memcpy(w8, p + i, m);
    uint64_t w;
    memcpy(&w, w8, 8);
    tail = rv_mix64(tail ^ w);
    i += m;
  }
  uint64_t out = rv_mix64((uint64_t)n ^ key);
  for (int l = 0; l < 4; l++) out = rv_mix64(out ^ h[l]);
  return rv_mix64(out ^ tail);
}
