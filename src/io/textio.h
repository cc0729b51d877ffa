/* Text input for the converters: whole files in memory as UTF-8 (latin-1
 * files are transcoded, a UTF-8 byte-order mark is dropped, gzip is
 * inflated), and a record reader for delimited text (RFC 4180 quoting for
 * CSV, CRLF or LF line ends, multi-character separators such as "::"). */
#ifndef RV_IO_TEXTIO_H
#define RV_IO_TEXTIO_H
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct rv_text {
  char *buf; /* NUL-terminated UTF-8 */
  size_t len;
  int was_latin1; /* 1: the file was not valid UTF-8 and was read as latin-1 */
} rv_text_t;

/* Reads path into t. path must be a regular file (a FIFO or device is
 * refused without being opened, RV_ERR_IO). A gzip file (by its magic
 * bytes, or a name ending in ".gz") is inflated strictly (io/gunzip.h:
 * a truncated or corrupt stream is RV_ERR_DATA, "truncated" / "corrupt
 * gzip"); any other file is read unchanged. Refused as text (RV_ERR_DATA):
 * a NUL byte, CR-only line ends. Errors name the file. */
rv_err_t rv_text_read(const char *path, rv_text_t *t);
/* The same from data[0..n) (copied), with name standing for the path. */
rv_err_t rv_text_from_mem(const void *data, size_t n, const char *name, rv_text_t *t);
void rv_text_free(rv_text_t *t);
/* 1 if s[0..n) is valid UTF-8. */
int rv_utf8_valid(const char *s, size_t n);

#define RV_REC_MAX_FIELDS 64

typedef struct rv_rec {
  const char *p, *end;
  const char *sep; /* separator string ("," "\t" "::" "|") */
  int quoted;      /* 1: fields may be quoted with '"' (CSV) */
  int64_t line;    /* line number of the record last returned (1-based) */
  int64_t next_line;
  char *scratch;   /* unquoted field bytes */
  size_t cap;
  int n;           /* fields of the last record */
  char *f[RV_REC_MAX_FIELDS];
  size_t flen[RV_REC_MAX_FIELDS];
} rv_rec_t;

void rv_rec_init(rv_rec_t *r, const char *buf, size_t len, const char *sep, int quoted);
/* Next non-empty record: 1 when one was read (fields in r->f, NUL-terminated),
 * 0 at the end, -1 on a malformed record (an unterminated quote, too many
 * fields, out of memory): r->line names it. */
int rv_rec_next(rv_rec_t *r);
void rv_rec_free(rv_rec_t *r);

#endif

/* A delimited file read whole: open, then rv_table_next() per record. */
typedef struct rv_table {
  const char *path;
  int expect; /* > 0: every record must have exactly this many fields (set by the converter) */
  int64_t records; /* records returned so far: 1 for the header, wherever blank lines put it */
  rv_text_t text;
  rv_rec_t rec;
} rv_table_t;

rv_err_t rv_table_open(rv_table_t *t, const char *path, const char *sep, int quoted);
/* 1: a record is in t->rec; 0: end; RV error code (negated) on a malformed
 * record, with the message set ("FILE:LINE: ..."), including a record whose
 * field count differs from t->expect ("FILE:LINE: 3 fields, expected 2"). */
int rv_table_next(rv_table_t *t);
/* Checks that the record has at least n fields; sets the error otherwise. */
rv_err_t rv_table_need(const rv_table_t *t, int n);
void rv_table_close(rv_table_t *t);
/* 1 if path exists, of any kind (not opened: rv_text_read then names a
 * FIFO or directory). */
int rv_file_exists(const char *path);
