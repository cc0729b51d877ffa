#include "io/gunzip.h"

#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

int rv_gzip_magic(const unsigned char *in, size_t n) { return n >= 2 && in[0] == 0x1f && in[1] == 0x8b; }

typedef struct gzout {
  char *buf;
  size_t len, cap, max;
} gzout_t;

/* Room for at least one more byte plus the NUL; -1 out of memory, -2 too large. */
static int grow(gzout_t *o) {
  if (o->cap - o->len > 1) return 0;
  if (o->cap >= o->max) return -2;
  size_t cap = o->cap ? 2 * o->cap : 1 << 16;
  if (cap > o->max) cap = o->max;
  char *b = realloc(o->buf, cap);
  if (!b) return -1;
  o->buf = b;
  o->cap = cap;
  return 0;
}

/* One member from z's input until Z_STREAM_END: Z_STREAM_END, or the zlib
 * error, Z_BUF_ERROR when the input ended first, Z_MEM_ERROR or -100 (too large). */
static int inflate_member(z_stream *z, gzout_t *o) {
  for (;;) {
    const int g = grow(o);
    if (g) return g == -1 ? Z_MEM_ERROR : -100;
    const size_t room = o->cap - o->len - 1;
    z->next_out = (Bytef *)o->buf + o->len;
    z->avail_out = room > UINT_MAX ? UINT_MAX : (unsigned)room;
    const unsigned before = z->avail_out;
    const int rc = inflate(z, Z_NO_FLUSH);
    o->len += before - z->avail_out;
    if (rc == Z_STREAM_END) return rc;
    if (rc == Z_BUF_ERROR && z->avail_in > 0) continue; /* needed more output room */
    if (rc != Z_OK) return rc == Z_BUF_ERROR ? Z_BUF_ERROR : rc;
    if (z->avail_in == 0 && z->avail_out > 0) return Z_BUF_ERROR; /* all input used, stream not ended */
  }
}

static rv_err_t member_error(const char *name, int rc, int member, size_t used, const z_stream *z, const gzout_t *o) {
  if (rc == Z_BUF_ERROR)
    return rv_error_set(RV_ERR_DATA, "%s: truncated gzip stream: member %d ends after %zu of its bytes, before its trailer",
                        name, member, used);
  if (rc == Z_MEM_ERROR) return rv_error_set(RV_ERR_RUNTIME, "%s: out of memory inflating", name);
  if (rc == -100) return rv_error_set(RV_ERR_DATA, "%s: inflates to more than %zu bytes", name, o->max - 1);
  return rv_error_set(RV_ERR_DATA, "%s: corrupt gzip: member %d: %s", name, member, z->msg ? z->msg : "invalid data");
}

rv_err_t rv_gunzip(const unsigned char *in, size_t n, const char *name, size_t max_out, char **out,
                   size_t *out_len) {
  rv_err_t err = RV_OK;
  gzout_t o = {NULL, 0, 0, max_out < 2 ? 2 : max_out};
  z_stream z = {0};
  int member = 0, init = 0;
  *out = NULL;
  *out_len = 0;
  RV_REQUIRE(rv_gzip_magic(in, n), RV_ERR_DATA, "%s: corrupt gzip: no gzip header%s", name,
             n < 2 ? " (truncated)" : "");
  /* 16 + MAX_WBITS: gzip wrapper only (no zlib or raw streams); zlib checks CRC-32 and ISIZE. */
  RV_REQUIRE(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK, RV_ERR_RUNTIME, "%s: out of memory inflating", name);
  init = 1;
  size_t at = 0; /* where the current member starts */
  while (at < n) {
    RV_REQUIRE(rv_gzip_magic(in + at, n - at), RV_ERR_DATA,
               "%s: corrupt gzip: %zu bytes after the last member are not a gzip member", name, n - at);
    member++;
    RV_REQUIRE(inflateReset(&z) == Z_OK, RV_ERR_RUNTIME, "%s: inflate reset failed", name);
    const size_t left = n - at;
    z.next_in = (Bytef *)(in + at);
    z.avail_in = left > UINT_MAX ? UINT_MAX : (unsigned)left;
    int rc;
    /* Members longer than 4 GiB: feed the input in windows of UINT_MAX bytes. */
    while ((rc = inflate_member(&z, &o)) == Z_BUF_ERROR && (size_t)(z.next_in - in) < n) {
      const size_t rest = n - (size_t)(z.next_in - in);
      z.avail_in = rest > UINT_MAX ? UINT_MAX : (unsigned)rest;
    }
    if (rc != Z_STREAM_END) {
      err = member_error(name, rc, member, n - at, &z, &o);
      goto done;
    }
    at = (size_t)(z.next_in - in);
  }
  if (!o.buf) RV_REQUIRE(grow(&o) == 0, RV_ERR_RUNTIME, "%s: out of memory inflating", name);
  o.buf[o.len] = '\0';
  *out = o.buf;
  *out_len = o.len;
  o.buf = NULL;
done:
  if (init) inflateEnd(&z);
  free(o.buf);
  return err;
}
