#include "io/textio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/input.h"
#include "io/gunzip.h"

int rv_utf8_valid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *e = p + n;
  while (p < e) {
    const unsigned c = *p;
    int k;
    if (c < 0x80) {
      p++;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      k = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      k = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      k = 3;
    } else {
      return 0;
    }
    if (e - p <= k) return 0;
    for (int i = 1; i <= k; i++)
      if ((p[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0; /* overlong */
    if (c == 0xED && p[1] >= 0xA0) return 0; /* surrogates */
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] >= 0x90) return 0;
    p += k + 1;
  }
  return 1;
}

/* Every byte >= 0x80 becomes the two-byte UTF-8 form of that code point. */
static char *latin1_to_utf8(const char *s, size_t n, size_t *out_len) {
  size_t extra = 0;
  for (size_t i = 0; i < n; i++) extra += (unsigned char)s[i] >= 0x80;
  char *o = malloc(n + extra + 1);
  if (!o) return NULL;
  size_t w = 0;
  for (size_t i = 0; i < n; i++) {
    const unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      o[w++] = (char)c;
    } else {
      o[w++] = (char)(0xC0 | (c >> 6));
      o[w++] = (char)(0x80 | (c & 0x3F));
    }
  }
  o[w] = '\0';
  *out_len = w;
  return o;
}

#define RV_TEXT_MAX ((size_t)1 << 40) /* 1 TiB, read or inflated */

static int ends_with(const char *s, const char *suf) {
  const size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

/* The bytes of a regular file (never opened otherwise), with room for a NUL. */
static rv_err_t read_raw(const char *path, char **out, size_t *out_len) {
  rv_err_t err = RV_OK;
  char *buf = NULL;
  size_t len = 0, cap = 1 << 16;
  RV_TRY(rv_input_regular(path, NULL));
  FILE *f = fopen(path, "rb");
  if (!f) RV_FAIL(RV_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  buf = malloc(cap + 1);
  while (buf) {
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap) break;
    char *nb = cap < RV_TEXT_MAX ? realloc(buf, 2 * cap + 1) : NULL;
    if (!nb) break;
    buf = nb;
    cap *= 2;
  }
  const int bad = ferror(f), full = buf && len == cap;
  fclose(f);
  RV_REQUIRE(buf && !(full && cap < RV_TEXT_MAX), RV_ERR_RUNTIME, "%s: out of memory", path);
  RV_REQUIRE(!full, RV_ERR_DATA, "%s: larger than 1 TiB", path);
  RV_REQUIRE(!bad, RV_ERR_IO, "%s: read error", path);
  *out = buf;
  *out_len = len;
  buf = NULL;
done:
  free(buf);
  return err;
}

/* raw[0..n) (malloc'd with room for a NUL; taken over) into t: inflated
 * when gzip, then checked as text and decoded. */
static rv_err_t decode(const char *name, char *raw, size_t n, rv_text_t *t) {
  rv_err_t err = RV_OK;
  char *buf = raw;
  size_t len = n;
  memset(t, 0, sizeof *t);
  if (rv_gzip_magic((const unsigned char *)raw, n) || ends_with(name, ".gz")) {
    buf = NULL;
    err = rv_gunzip((const unsigned char *)raw, n, name, RV_TEXT_MAX, &buf, &len);
    free(raw);
    if (err) goto done;
  }
  buf[len] = '\0';
  RV_REQUIRE(memchr(buf, '\0', len) == NULL, RV_ERR_DATA, "%s: contains a NUL byte (not text)", name);
  RV_REQUIRE(!memchr(buf, '\r', len) || memchr(buf, '\n', len), RV_ERR_DATA,
             "%s: uses CR-only line ends (classic Mac OS); convert them to LF first (tr '\\r' '\\n')", name);
  size_t skip = (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
  if (rv_utf8_valid(buf + skip, len - skip)) {
    if (skip) memmove(buf, buf + skip, len - skip + 1);
    t->buf = buf;
    t->len = len - skip;
    buf = NULL;
  } else {
    t->buf = latin1_to_utf8(buf, len, &t->len);
    RV_REQUIRE(t->buf, RV_ERR_RUNTIME, "%s: out of memory", name);
    t->was_latin1 = 1;
  }
done:
  free(buf);
  return err;
}

rv_err_t rv_text_read(const char *path, rv_text_t *t) {
  rv_err_t err = RV_OK;
  char *raw = NULL;
  size_t n = 0;
  memset(t, 0, sizeof *t);
  RV_TRY(read_raw(path, &raw, &n));
  RV_TRY(decode(path, raw, n, t));
done:
  return err;
}

rv_err_t rv_text_from_mem(const void *data, size_t n, const char *name, rv_text_t *t) {
  rv_err_t err = RV_OK;
  memset(t, 0, sizeof *t);
  char *raw = malloc(n + 1);
  RV_REQUIRE(raw, RV_ERR_RUNTIME, "%s: out of memory", name);
  if (n) memcpy(raw, data, n);
  RV_TRY(decode(name, raw, n, t));
done:
  return err;
}

void rv_text_free(rv_text_t *t) {
  free(t->buf);
  memset(t, 0, sizeof *t);
}

void rv_rec_init(rv_rec_t *r, const char *buf, size_t len, const char *sep, int quoted) {
  memset(r, 0, sizeof *r);
  r->p = buf;
  r->end = buf + len;
  r->sep = sep;
  r->quoted = quoted;
  r->next_line = 1;
}

void rv_rec_free(rv_rec_t *r) {
  free(r->scratch);
  r->scratch = NULL;
  r->cap = 0;
}

static int reserve(rv_rec_t *r, size_t need) {
  if (need <= r->cap) return 0;
  size_t cap = r->cap ? r->cap : 256;
  while (cap < need) cap *= 2;
  char *s = realloc(r->scratch, cap);
  if (!s) return -1;
  r->scratch = s;
  r->cap = cap;
  return 0;
}

/* One record: fields as offsets into scratch first (scratch may move), then pointers. */
static int read_record(rv_rec_t *r) {
  const size_t sl = strlen(r->sep);
  size_t off[RV_REC_MAX_FIELDS], w = 0;
  const char *p = r->p;
  r->line = r->next_line;
  r->n = 0;
  /* The scratch never needs more than the record's length plus one NUL per field. */
  const char *nl = memchr(p, '\n', (size_t)(r->end - p));
  if (reserve(r, (size_t)((nl ? nl : r->end) - p) + RV_REC_MAX_FIELDS + 1) != 0) return -1;
  off[0] = 0;
  r->n = 1;
  int inq = 0, was_quoted = 0;
  for (;;) {
    if (p >= r->end) {
      if (inq) return -1;
      break;
    }
    const char c = *p;
    if (inq) {
      if (c == '"') {
        if (p + 1 < r->end && p[1] == '"') {
          r->scratch[w++] = '"';
          p += 2;
        } else {
          inq = 0;
          p++;
        }
        continue;
      }
      if (c == '\n') {
        /* A quoted line break: room up to the next one. */
        r->next_line++;
        const char *nx = memchr(p + 1, '\n', (size_t)(r->end - p - 1));
        if (reserve(r, w + (size_t)((nx ? nx : r->end) - p) + RV_REC_MAX_FIELDS + 1) != 0) return -1;
      }
      r->scratch[w++] = c;
      p++;
      continue;
    }
    if (c == '\n' || (c == '\r' && (p + 1 == r->end || p[1] == '\n'))) {
      p += c == '\r' ? 2 : 1;
      if (p > r->end) p = r->end;
      r->next_line++;
      break;
    }
    if (r->quoted && c == '"' && w == off[r->n - 1] && !was_quoted) {
      inq = 1;
      was_quoted = 1;
      p++;
      continue;
    }
    if ((size_t)(r->end - p) >= sl && memcmp(p, r->sep, sl) == 0) {
      r->scratch[w++] = '\0';
      if (r->n == RV_REC_MAX_FIELDS) return -1;
      off[r->n++] = w;
      was_quoted = 0;
      p += sl;
      continue;
    }
    r->scratch[w++] = c;
    p++;
  }
  r->scratch[w] = '\0';
  r->p = p;
  for (int i = 0; i < r->n; i++) {
    r->f[i] = r->scratch + off[i];
    r->flen[i] = (i + 1 < r->n ? off[i + 1] - 1 : w) - off[i];
  }
  return 1;
}

int rv_rec_next(rv_rec_t *r) {
  while (r->p < r->end) {
    const int rc = read_record(r);
    if (rc < 0) return -1;
    if (r->n == 1 && r->flen[0] == 0) continue; /* blank line */
    return 1;
  }
  return 0;
}

rv_err_t rv_table_open(rv_table_t *t, const char *path, const char *sep, int quoted) {
  memset(t, 0, sizeof *t);
  t->path = path;
  const rv_err_t err = rv_text_read(path, &t->text);
  if (err == RV_OK) rv_rec_init(&t->rec, t->text.buf, t->text.len, sep, quoted);
  return err;
}

int rv_table_next(rv_table_t *t) {
  const int rc = rv_rec_next(&t->rec);
  t->records += rc == 1;
  if (rc == 1 && t->expect > 0 && t->rec.n != t->expect)
    return -(int)rv_error_set(RV_ERR_DATA, "%s:%lld: %d fields, expected %d%s", t->path, (long long)t->rec.line,
                              t->rec.n, t->expect,
                              t->rec.quoted ? " (a field holding the separator must be quoted)" : "");
  if (rc >= 0) return rc;
  return -(int)rv_error_set(RV_ERR_DATA, "%s:%lld: malformed record (unterminated quote or more than %d fields)",
                            t->path, (long long)t->rec.line, RV_REC_MAX_FIELDS);
}

rv_err_t rv_table_need(const rv_table_t *t, int n) {
  if (t->rec.n >= n) return RV_OK;
  return rv_error_set(RV_ERR_DATA, "%s:%lld: %d fields, expected at least %d", t->path,
                      (long long)t->rec.line, t->rec.n, n);
}

void rv_table_close(rv_table_t *t) {
  rv_rec_free(&t->rec);
  rv_text_free(&t->text);
}

int rv_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0; /* not opened: a FIFO would block */
}
