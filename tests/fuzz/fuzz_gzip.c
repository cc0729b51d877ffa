/* libFuzzer harness: the text reader every text input goes through
 * (io/textio.h rv_text_from_mem, the same code as rv_text_read after the
 * file's bytes are read) and its strict gzip inflation (io/gunzip.c).
 * The first byte picks the mode:
 *  - even: the rest, as a file named "fuzz.gz" (any bytes: headers, flags,
 *    deflate blocks, trailers, several members). Whatever is accepted is
 *    NUL-terminated text of the stated length with no NUL inside and no
 *    CR-only line ends; a failure keeps nothing and is a data error.
 *  - odd: the rest is plain text P, compressed here by zlib's deflate into
 *    one or two gzip members (split where the second byte says). The stream
 *    must read exactly as P reads plain; every strict prefix of it (other
 *    than a complete first member) and a flipped trailer bit must be refused
 *    with RV_ERR_DATA, "truncated" or "corrupt gzip". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/gunzip.h"
#include "io/textio.h"

static void require(int cond) {
  if (!cond) __builtin_trap();
}

/* One gzip member of s[0..n) appended at out + *w (out holds cap bytes). */
static void deflate_member(const uint8_t *s, size_t n, uint8_t *out, size_t cap, size_t *w) {
  z_stream z;
  memset(&z, 0, sizeof z);
  require(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  z.next_in = (Bytef *)s;
  z.avail_in = (uInt)n;
  z.next_out = out + *w;
  z.avail_out = (uInt)(cap - *w);
  require(deflate(&z, Z_FINISH) == Z_STREAM_END);
  *w = cap - z.avail_out;
  deflateEnd(&z);
}

static void check_text(const rv_text_t *t) {
  require(t->buf != NULL && t->buf[t->len] == '\0' && strlen(t->buf) == t->len);
  require(!memchr(t->buf, '\r', t->len) || memchr(t->buf, '\n', t->len));
}

static void refused(const uint8_t *g, size_t n) {
  rv_text_t t;
  const rv_err_t e = rv_text_from_mem(g, n, "fuzz.gz", &t);
  require(e == RV_ERR_DATA);
  require(t.buf == NULL);
  const char *m = rv_error_message();
  require(strstr(m, "fuzz.gz") && (strstr(m, "truncated") || strstr(m, "corrupt gzip")));
}

static void roundtrip(const uint8_t *p, size_t n, unsigned split_byte, unsigned cut_byte) {
  if (rv_gzip_magic(p, n)) return; /* a plain text starting like gzip is read as gzip */
  const size_t cap = 2 * n + 256;
  uint8_t *g = malloc(cap);
  require(g != NULL);
  const int two = (split_byte & 0x100) != 0;
  const size_t split = two ? split_byte % 0x100 % (n + 1) : n;
  size_t w = 0;
  deflate_member(p, split, g, cap, &w);
  const size_t one = w; /* a complete first member ends here: a valid stream */
  if (two) deflate_member(p + split, n - split, g, cap, &w);
  rv_text_t plain, gz;
  const rv_err_t ep = rv_text_from_mem(p, n, "fuzz.txt", &plain);
  const rv_err_t eg = rv_text_from_mem(g, w, "fuzz.gz", &gz);
  require((ep == RV_OK) == (eg == RV_OK));
  if (ep == RV_OK) {
    check_text(&gz);
    require(gz.len == plain.len && memcmp(gz.buf, plain.buf, plain.len) == 0 && gz.was_latin1 == plain.was_latin1);
  }
  rv_text_free(&plain);
  rv_text_free(&gz);
  const size_t cut = cut_byte % w;
  if (cut != one) refused(g, cut);
  g[w - 1 - cut_byte % 8] ^= (uint8_t)(1u << (cut_byte % 8)); /* CRC-32 or length */
  refused(g, w);
  free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3) return 0;
  if (data[0] & 1) {
    roundtrip(data + 3, size - 3, data[1] | ((unsigned)(data[0] & 2) << 7), data[2]);
    return 0;
  }
  rv_text_t t;
  const rv_err_t e = rv_text_from_mem(data + 1, size - 1, "fuzz.gz", &t);
  if (e == RV_OK) {
    check_text(&t);
  } else {
    require(t.buf == NULL && (e == RV_ERR_DATA || e == RV_ERR_RUNTIME));
  }
  rv_text_free(&t);
  return 0;
}
