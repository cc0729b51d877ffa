#include "kernels/listgeom.h"

#include <string.h>

void rv_list_geometry(const float *unit, int d, const int32_t *items, int len, const float *profile,
                      int pairs, double *prof_cos, double *pair_cos, double *self_sq, double *S) {
  if (pairs) {
    memset(S, 0, sizeof(double) * (size_t)d);
    pair_cos[0] = 0.0;
    self_sq[0] = 0.0;
  }
  for (int r = 0; r < len; r++) {
    const float *e = unit + (size_t)items[r] * d;
    if (r + 1 < len) __builtin_prefetch(unit + (size_t)items[r + 1] * d);
    if (profile) {
      double c = 0.0;
      for (int j = 0; j < d; j++) c += (double)e[j] * profile[j];
      prof_cos[r] = c;
    }
    if (pairs) {
      double dot = 0.0, sq = 0.0;
      for (int j = 0; j < d; j++) {
        dot += S[j] * e[j];
        sq += (double)e[j] * e[j];
        S[j] += e[j];
      }
      pair_cos[r + 1] = pair_cos[r] + dot;
      self_sq[r + 1] = self_sq[r] + sq;
    }
  }
}
