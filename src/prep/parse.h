/* Strict number parsing of a field (leading and trailing blanks allowed,
 * nothing else): 0, or -1 when the field is not a number (or not finite). */
#ifndef RV_PREP_PARSE_H
#define RV_PREP_PARSE_H
#include <stdint.h>

int rv_parse_i64(const char *s, int64_t *v);
int rv_parse_f32(const char *s, float *v);

#endif
