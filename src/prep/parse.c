/* Strict number parsing of a field, shared by the converters (parse.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prep/parse.h"

int rv_parse_i64(const char *s, int64_t *v) {
  char *end;
  errno = 0;
  while (*s == ' ') s++;
  const long long x = strtoll(s, &end, 10);
  while (*end == ' ') end++;
  if (errno || end == s || *end) return -1;
  *v = x;
  return 0;
}

int rv_parse_f32(const char *s, float *v) {
  char *end;
  errno = 0;
  while (*s == ' ') s++;
  const double x = strtod(s, &end);
  while (*end == ' ') end++;
  if (errno || end == s || *end || !isfinite(x)) return -1;
  *v = (float)x;
  return 0;
}
