#include "io/trec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Strict number parsing of p[0..n) (copied: strtod needs a terminator). */
static int num_i64(const char *p, size_t n, int64_t *v) {
  char b[32];
  if (n == 0 || n >= sizeof b) return -1;
  memcpy(b, p, n);
  b[n] = '\0';
  char *end;
  errno = 0;
  const long long x = strtoll(b, &end, 10);
  if (errno || *end) return -1;
  *v = x;
  return 0;
}

static int num_f64(const char *p, size_t n, double *v) {
  char b[64];
  if (n == 0 || n >= sizeof b) return -1;
  memcpy(b, p, n);
  b[n] = '\0';
  char *end;
  errno = 0;
  const double x = strtod(b, &end);
  if (*end || !isfinite(x)) return -1;
  *v = x;
  return 0;
}

rv_err_t rv_trec_parse(const char *buf, size_t len, const char *name, rv_trec_t *out) {
  rv_err_t err = RV_OK;
  memset(out, 0, sizeof *out);
  int64_t line = 0;
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    line++;
    const char *q = p;
    p = nl ? nl + 1 : end;
    const char *e = le;
    if (e > q && e[-1] == '\r') e--;
    while (q < e && is_space(*q)) q++;
    if (q == e || *q == '#') continue;
    /* Six fields; the third may be quoted. */
    const char *f[6];
    size_t fl[6];
    int nf = 0, quoted = 0;
    while (q < e) {
      RV_REQUIRE(nf < 6, RV_ERR_DATA, "%s:%lld: more than 6 fields (expected: user Q0 item rank score tag)", name,
                 (long long)line);
      if (nf == 2 && *q == '"') {
        const char *s = ++q;
        for (;;) {
          RV_REQUIRE(q < e, RV_ERR_DATA, "%s:%lld: unterminated quoted item", name, (long long)line);
          if (*q == '"') {
            if (q + 1 < e && q[1] == '"') {
              q += 2;
              continue;
            }
            break;
          }
          q++;
        }
        f[nf] = s;
        fl[nf++] = (size_t)(q - s);
        q++;
        quoted = 1;
        RV_REQUIRE(q == e || is_space(*q), RV_ERR_DATA, "%s:%lld: text after the closing quote of the item", name,
                   (long long)line);
      } else {
        const char *s = q;
        while (q < e && !is_space(*q)) q++;
        f[nf] = s;
        fl[nf++] = (size_t)(q - s);
      }
      while (q < e && is_space(*q)) q++;
    }
    RV_REQUIRE(nf == 6, RV_ERR_DATA, "%s:%lld: %d fields, expected 6 (user Q0 item rank score tag)", name,
               (long long)line, nf);
    rv_trec_entry_t en = {.user = f[0], .item = f[2], .item_quoted = (uint8_t)quoted, .line = line};
    RV_REQUIRE(fl[0] < UINT32_MAX && fl[2] < UINT32_MAX, RV_ERR_DATA, "%s:%lld: field too long", name, (long long)line);
    en.ulen = (uint32_t)fl[0];
    en.ilen = (uint32_t)fl[2];
    RV_REQUIRE(num_i64(f[3], fl[3], &en.rank) == 0, RV_ERR_DATA, "%s:%lld: rank '%.*s' is not an integer", name,
               (long long)line, (int)(fl[3] < 40 ? fl[3] : 40), f[3]);
    RV_REQUIRE(num_f64(f[4], fl[4], &en.score) == 0, RV_ERR_DATA, "%s:%lld: score '%.*s' is not a finite number",
               name, (long long)line, (int)(fl[4] < 40 ? fl[4] : 40), f[4]);
    if (out->n == out->cap) {
      const int64_t cap = out->cap ? 2 * out->cap : 1024;
      rv_trec_entry_t *ne = realloc(out->e, sizeof *ne * (size_t)cap);
      RV_REQUIRE(ne, RV_ERR_RUNTIME, "%s: out of memory at line %lld", name, (long long)line);
      out->e = ne;
      out->cap = cap;
    }
    out->e[out->n++] = en;
  }
done:
  if (err) rv_trec_free(out);
  return err;
}

void rv_trec_free(rv_trec_t *t) {
  free(t->e);
  memset(t, 0, sizeof *t);
}
