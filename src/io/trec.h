/* TREC run files: one entry a line, "user Q0 item rank score tag", fields
 * separated by spaces or tabs (CRLF or LF). The second and sixth fields are
 * read and ignored. As an extension, the item field may be a double-quoted
 * string holding spaces (a title), with "" for a quote inside it. Blank
 * lines and lines starting with '#' are skipped.
 *
 * The parser works on a memory buffer (fuzzable): entries point into buf,
 * which must outlive them; buf need not be NUL-terminated. */
#ifndef RV_IO_TREC_H
#define RV_IO_TREC_H
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct rv_trec_entry {
  const char *user, *item; /* not NUL-terminated; item excludes its quotes */
  uint32_t ulen, ilen;
  uint8_t item_quoted;     /* 1: item had quotes ("" inside stays doubled) */
  int64_t rank;
  double score;
  int64_t line;            /* 1-based */
} rv_trec_entry_t;

typedef struct rv_trec {
  rv_trec_entry_t *e;
  int64_t n, cap;
} rv_trec_t;

/* Parses buf[0..len). name is used in messages ("NAME:LINE: ..."); on a
 * malformed line returns RV_ERR_DATA (nothing is kept). Out of memory:
 * RV_ERR_RUNTIME. */
rv_err_t rv_trec_parse(const char *buf, size_t len, const char *name, rv_trec_t *out);
void rv_trec_free(rv_trec_t *t);

#endif
