/* libFuzzer harness: the delimited-record reader of `receval prepare`
 * (io/textio.h rv_rec_next, RFC 4180 quoting, multi-character separators)
 * and the csv converter's field-count check (prep/conv_csv.c). The first
 * byte picks the separator, quoting and the converter's header mode; the
 * rest is the text.
 *  - Records, on a buffer of exactly the input's size (a read past it is an
 *    ASan error): every record has 1..64 fields, each NUL-terminated at its
 *    length, line numbers increase. Unquoted, a record's fields joined by the
 *    separator are exactly its line (without LF or CRLF). Quoted, the fields
 *    written back with every field quoted parse to the same fields.
 *  - The converter (the text written to a file, as `prepare csv` reads it):
 *    when it accepts, every data record had exactly the header's (or, with
 *    --no-header, the first record's) field count, and each one is an
 *    interaction: nothing dropped or shifted. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prep/convert.h"
#include "io/textio.h"

static void require(int cond) {
  if (!cond) __builtin_trap();
}

static const char *const SEPS[4] = {",", "\t", "::", ";"};

static void check_fields(const rv_rec_t *r, int64_t *last) {
  require(r->n >= 1 && r->n <= RV_REC_MAX_FIELDS);
  require(r->line > *last && r->next_line >= r->line); /* equal: the last record has no line end */
  *last = r->line;
  for (int i = 0; i < r->n; i++) require(r->f[i][r->flen[i]] == '\0');
}

/* Unquoted: the line the record names, minus its line end, is the fields joined. */
static void check_unquoted(const rv_rec_t *r, const char *buf, size_t n, const char *sep) {
  const char *p = buf, *end = buf + n;
  for (int64_t l = 1; l < r->line; l++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    require(nl != NULL);
    p = nl + 1;
  }
  const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
  if (le > p && le[-1] == '\r') le--;
  const size_t sl = strlen(sep);
  for (int i = 0; i < r->n; i++) {
    require((size_t)(le - p) >= r->flen[i] && memcmp(p, r->f[i], r->flen[i]) == 0);
    p += r->flen[i];
    if (i + 1 < r->n) {
      require((size_t)(le - p) >= sl && memcmp(p, sep, sl) == 0);
      p += sl;
    }
  }
  require(p == le);
}

/* Quoted: every field re-quoted ("" for a quote) parses back to the same fields. */
static void check_requoted(const rv_rec_t *r, const char *sep) {
  size_t cap = 1;
  for (int i = 0; i < r->n; i++) cap += 2 * r->flen[i] + 2 + strlen(sep);
  char *b = malloc(cap), *w = b;
  require(b != NULL);
  for (int i = 0; i < r->n; i++) {
    if (i) w += sprintf(w, "%s", sep);
    *w++ = '"';
    for (size_t j = 0; j < r->flen[i]; j++) {
      if (r->f[i][j] == '"') *w++ = '"';
      *w++ = r->f[i][j];
    }
    *w++ = '"';
  }
  rv_rec_t q;
  rv_rec_init(&q, b, (size_t)(w - b), sep, 1);
  require(rv_rec_next(&q) == 1 && q.n == r->n);
  for (int i = 0; i < r->n; i++) require(q.flen[i] == r->flen[i] && memcmp(q.f[i], r->f[i], r->flen[i]) == 0);
  require(rv_rec_next(&q) == 0);
  rv_rec_free(&q);
  free(b);
}

/* Records of text[0..n): data records (after the header unless no_header)
 * and whether all have the first record's field count; -1 if malformed. */
static int64_t count_records(const char *text, size_t n, const char *sep, int quoted, int no_header, int *same) {
  rv_rec_t r;
  int rc, first = -1;
  int64_t k = 0;
  *same = 1;
  rv_rec_init(&r, text, n, sep, quoted);
  while ((rc = rv_rec_next(&r)) == 1) {
    if (first < 0) first = r.n;
    *same &= r.n == first;
    k++;
  }
  rv_rec_free(&r);
  if (rc < 0) return -1;
  return k - (!no_header && k > 0);
}

static char g_path[4096]; /* the converter's input file, under RV_FUZZ_TMPDIR (or /tmp) */
static void remove_file(void) { remove(g_path); }

static void check_converter(const uint8_t *data, size_t size, const char *sep, int no_header) {
  if (!g_path[0]) {
    const char *dir = getenv("RV_FUZZ_TMPDIR");
    snprintf(g_path, sizeof g_path, "%s/fuzz_csv_%ld.csv", dir && *dir ? dir : "/tmp", (long)getpid());
    atexit(remove_file);
  }
  FILE *f = fopen(g_path, "wb");
  require(f != NULL);
  require(fwrite(data, 1, size, f) == size);
  fclose(f);
  const rv_conv_opts_t o = {"user", "item", "rating", "timestamp", sep, no_header, NULL, 0, 0, 0};
  rv_prep_src_t s;
  memset(&s, 0, sizeof s);
  if (rv_conv_csv(g_path, &o, &s) == RV_OK) {
    rv_text_t t;
    require(rv_text_read(g_path, &t) == RV_OK);
    int same;
    const int64_t k = count_records(t.buf, t.len, sep, strcmp(sep, ",") == 0, no_header, &same);
    require(k >= 0 && same && s.n == k);
    rv_text_free(&t);
  }
  rv_prep_src_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  const char *sep = SEPS[data[0] & 3];
  const int quoted = (data[0] >> 2) & 1, no_header = (data[0] >> 3) & 1;
  const size_t n = size - 1;
  char *buf = malloc(n > 0 ? n : 1); /* exactly the text: ASan sees any read past it */
  require(buf != NULL);
  if (n) memcpy(buf, data + 1, n);
  rv_rec_t r;
  rv_rec_init(&r, buf, n, sep, quoted);
  int64_t last = 0;
  int rc;
  while ((rc = rv_rec_next(&r)) == 1) {
    check_fields(&r, &last);
    if (quoted) check_requoted(&r, sep);
    else check_unquoted(&r, buf, n, sep);
  }
  rv_rec_free(&r);
  free(buf);
  if (data[0] & 0x10) check_converter(data + 1, n, sep, no_header);
  return 0;
}
