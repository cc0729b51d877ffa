#include "kernels/listgeom.h"

#include <string.h>

/* Dot products in 8 fixed lanes of doubles, summed in lane order at the
 * end: vectorisable without reassociating anything (the order is fixed,
 * so the bits do not depend on the compiler's choices). */
#define LANES 8

void rv_list_geometry(const float *unit, int d, const int32_t *items, int len, const float *profile,
                      int pairs, double *prof_cos, double *pair_cos, double *S) {
  if (pairs) {
    memset(S, 0, sizeof(double) * (size_t)d);
    pair_cos[0] = 0.0;
  }
  const int dv = d / LANES * LANES;
  for (int r = 0; r < len; r++) {
    const float *e = unit + (size_t)items[r] * d;
    if (r + 1 < len) __builtin_prefetch(unit + (size_t)items[r + 1] * d);
    double pc[LANES] = {0}, dc[LANES] = {0};
    for (int j = 0; j < dv; j += LANES)
      for (int t = 0; t < LANES; t++) {
        const double x = e[j + t];
        if (profile) pc[t] += x * profile[j + t];
        if (pairs) {
          dc[t] += S[j + t] * x;
          S[j + t] += x;
        }
      }
    for (int j = dv; j < d; j++) {
      const double x = e[j];
      if (profile) pc[0] += x * profile[j];
      if (pairs) {
        dc[0] += S[j] * x;
        S[j] += x;
      }
    }
    double p = 0.0, dot = 0.0;
    for (int t = 0; t < LANES; t++) p += pc[t], dot += dc[t];
    if (profile) prof_cos[r] = p;
    if (pairs) pair_cos[r + 1] = pair_cos[r] + dot;
  }
}
