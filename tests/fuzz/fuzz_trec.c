/* libFuzzer harness: the TREC run-file parser of `receval runs`
 * (io/trec.c), on arbitrary bytes. For any input: no crash, no leak, no read
 * outside the buffer; on success every entry's user and item lie inside the
 * buffer, on the line the entry names, and lines never decrease; on failure
 * nothing is kept. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/trec.h"

static void require(int cond) {
  if (!cond) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* A copy of exactly `size` bytes: ASan catches any read past the end. */
  char *buf = malloc(size > 0 ? size : 1);
  require(buf != NULL);
  if (size > 0) memcpy(buf, data, size);
  rv_trec_t t = {0};
  const rv_err_t err = rv_trec_parse(buf, size, "fuzz.trec", &t);
  if (err == RV_OK) {
    int64_t last = 0;
    for (int64_t i = 0; i < t.n; i++) {
      const rv_trec_entry_t *e = &t.e[i];
      require(e->user >= buf && e->user + e->ulen <= buf + size && e->ulen > 0);
      require(e->item >= buf && e->item + e->ilen <= buf + size);
      require(e->line >= 1 && e->line >= last);
      last = e->line;
      /* the line number is the count of newlines before the user field, plus 1 */
      int64_t nl = 1;
      for (const char *p = buf; p < e->user; p++) nl += *p == '\n';
      require(nl == e->line);
    }
  } else {
    require(t.n == 0);
  }
  rv_trec_free(&t);
  free(buf);
  return 0;
}
