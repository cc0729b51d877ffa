/* Unit tests of `prepare`, `runs` and `compare` building blocks: the text
 * reader (quoting, CRLF, latin-1, gzip), the preparation pipeline
 * (deduplication, threshold, k-core, the three splits), the TREC parser,
 * title normalisation, the lexical encoder, interned strings, and the paired
 * tests. Serial, CUnit. Every expected value is derived by hand in the
 * comment next to it. */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/runs.h"
#include "io/input.h"
#include "io/trec.h"
#include "kernels/lexenc.h"
#include "kernels/signif.h"
#include "kernels/strtab.h"
#include "prep/prep.h"
#include "io/textio.h"

#define NEAR(a, b, tol) CU_ASSERT(fabs((double)(a) - (double)(b)) <= (tol))

static void test_records(void) {
  const char buf[] = "a,\"b,c\",\"d\"\"e\"\r\n\r\nf,\"g\nh\",i\nj::k";
  rv_rec_t r;
  rv_rec_init(&r, buf, strlen(buf), ",", 1);
  CU_ASSERT_EQUAL(rv_rec_next(&r), 1);
  CU_ASSERT_EQUAL(r.n, 3);
  CU_ASSERT_STRING_EQUAL(r.f[0], "a");
  CU_ASSERT_STRING_EQUAL(r.f[1], "b,c");   /* quoted comma */
  CU_ASSERT_STRING_EQUAL(r.f[2], "d\"e");  /* doubled quote; CR dropped */
  CU_ASSERT_EQUAL(r.line, 1);
  CU_ASSERT_EQUAL(rv_rec_next(&r), 1);     /* line 2 is blank */
  CU_ASSERT_EQUAL(r.line, 3);
  CU_ASSERT_EQUAL(r.n, 3);
  CU_ASSERT_STRING_EQUAL(r.f[1], "g\nh");  /* a line break inside quotes */
  CU_ASSERT_STRING_EQUAL(r.f[2], "i");
  CU_ASSERT_EQUAL(rv_rec_next(&r), 1);
  CU_ASSERT_EQUAL(r.line, 5);
  CU_ASSERT_EQUAL(r.n, 1);
  CU_ASSERT_STRING_EQUAL(r.f[0], "j::k");
  CU_ASSERT_EQUAL(rv_rec_next(&r), 0);
  rv_rec_free(&r);

  const char dat[] = "1::Toy Story (1995)::Animation|Comedy\n";
  rv_rec_init(&r, dat, strlen(dat), "::", 0);
  CU_ASSERT_EQUAL(rv_rec_next(&r), 1);
  CU_ASSERT_EQUAL(r.n, 3);
  CU_ASSERT_STRING_EQUAL(r.f[1], "Toy Story (1995)");
  CU_ASSERT_STRING_EQUAL(r.f[2], "Animation|Comedy");
  rv_rec_free(&r);

  const char bad[] = "a,\"b\n";
  rv_rec_init(&r, bad, strlen(bad), ",", 1);
  CU_ASSERT_EQUAL(rv_rec_next(&r), -1); /* unterminated quote */
  rv_rec_free(&r);
}

static void write_file(const char *path, const char *bytes, size_t n) {
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fwrite(bytes, 1, n, f);
  fclose(f);
}

static void test_text_read(void) {
  rv_text_t t;
  char path[] = "/tmp/rv_test_prep_XXXXXX";
  const int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd); /* written again by name below */
  /* latin-1 e-acute (0xE9) and e-grave (0xE8) become C3 A9 and C3 A8. */
  write_file(path, "caf\xe9 cr\xe8me\n", 11);
  CU_ASSERT_EQUAL(rv_text_read(path, &t), RV_OK);
  CU_ASSERT_EQUAL(t.was_latin1, 1);
  CU_ASSERT_STRING_EQUAL(t.buf, "caf\xc3\xa9 cr\xc3\xa8me\n");
  CU_ASSERT_EQUAL(t.len, 13);
  rv_text_free(&t);
  /* Valid UTF-8 stays as it is; a byte-order mark is dropped. */
  write_file(path, "\xEF\xBB\xBFna\xc3\xafve", 9);
  CU_ASSERT_EQUAL(rv_text_read(path, &t), RV_OK);
  CU_ASSERT_EQUAL(t.was_latin1, 0);
  CU_ASSERT_STRING_EQUAL(t.buf, "na\xc3\xafve");
  rv_text_free(&t);
  /* gzip is inflated. */
  gzFile g = gzopen(path, "wb");
  gzwrite(g, "line one\nline two\n", 18);
  gzclose(g);
  CU_ASSERT_EQUAL(rv_text_read(path, &t), RV_OK);
  CU_ASSERT_STRING_EQUAL(t.buf, "line one\nline two\n");
  rv_text_free(&t);
  /* A NUL byte is not text. */
  write_file(path, "a\0b", 3);
  CU_ASSERT_EQUAL(rv_text_read(path, &t), RV_ERR_DATA);
  remove(path);
  CU_ASSERT_EQUAL(rv_text_read("/nonexistent/rv", &t), RV_ERR_IO);
  CU_ASSERT(!rv_utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
  CU_ASSERT(!rv_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
  CU_ASSERT(rv_utf8_valid("\xf0\x9f\x98\x80", 4));
}

/* gzip of s[0..n) as one member (zlib's own deflate, gzip wrapper). */
static size_t gz(const char *s, size_t n, unsigned char *out, size_t cap) {
  z_stream z = {0};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  z.next_in = (Bytef *)s, z.avail_in = (uInt)n, z.next_out = out, z.avail_out = (uInt)cap;
  deflate(&z, Z_FINISH);
  const size_t w = cap - z.avail_out;
  deflateEnd(&z);
  return w;
}

/* Strict gzip: every strict prefix of a stream is refused as truncated (gzread
 * returned the lines inflated so far), a flipped CRC or length byte as
 * corrupt; concatenated members are one text; plain bytes pass unchanged. */
static void test_gzip_strict(void) {
  const char text[] = "1 Q0 a 1 0.5 t\n2 Q0 b 1 0.4 t\n3 Q0 c 1 0.3 t\n";
  const size_t tl = strlen(text);
  unsigned char g[512], two[1024];
  const size_t n = gz(text, tl, g, sizeof g);
  rv_text_t t;
  CU_ASSERT_EQUAL_FATAL(rv_text_from_mem(g, n, "r.gz", &t), RV_OK);
  CU_ASSERT_EQUAL(t.len, tl);
  CU_ASSERT_STRING_EQUAL(t.buf, text);
  rv_text_free(&t);
  for (size_t cut = 0; cut < n; cut++) {
    const rv_err_t e = rv_text_from_mem(g, cut, "r.gz", &t);
    CU_ASSERT_EQUAL(e, RV_ERR_DATA);
    CU_ASSERT(e && (strstr(rv_error_message(), "truncated") || strstr(rv_error_message(), "corrupt gzip")));
    CU_ASSERT(e && strstr(rv_error_message(), "r.gz") != NULL);
    CU_ASSERT_PTR_NULL(t.buf);
  }
  for (size_t b = n - 8; b < n; b++) { /* CRC-32, then ISIZE */
    g[b] ^= 0x01;
    CU_ASSERT_EQUAL(rv_text_from_mem(g, n, "r.gz", &t), RV_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), b < n - 4 ? "incorrect data check" : "incorrect length check"));
    g[b] ^= 0x01;
  }
  /* Two members: the text of both; then bytes after the last member. */
  const size_t n1 = gz(text, 15, two, sizeof two), n2 = gz(text + 15, tl - 15, two + n1, sizeof two - n1);
  CU_ASSERT_EQUAL(rv_text_from_mem(two, n1 + n2, "c.gz", &t), RV_OK);
  CU_ASSERT_STRING_EQUAL(t.buf, text);
  rv_text_free(&t);
  memcpy(two + n1 + n2, "\n", 1);
  CU_ASSERT_EQUAL(rv_text_from_mem(two, n1 + n2 + 1, "c.gz", &t), RV_ERR_DATA);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "after the last member"));
  /* The second member cut: truncated, naming member 2. */
  CU_ASSERT_EQUAL(rv_text_from_mem(two, n1 + n2 - 3, "c.gz", &t), RV_ERR_DATA);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "member 2"));
  /* Plain text is read unchanged, even when it starts like nothing known. */
  CU_ASSERT_EQUAL(rv_text_from_mem(text, tl, "r.trec", &t), RV_OK);
  CU_ASSERT_STRING_EQUAL(t.buf, text);
  rv_text_free(&t);
  CU_ASSERT_EQUAL(rv_text_from_mem("", 0, "empty.trec", &t), RV_OK);
  CU_ASSERT_EQUAL(t.len, 0);
  rv_text_free(&t);
  /* CR-only line ends are named; CRLF is fine. */
  CU_ASSERT_EQUAL(rv_text_from_mem("a,b\rc,d\r", 8, "mac.csv", &t), RV_ERR_DATA);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "CR-only"));
  CU_ASSERT_EQUAL(rv_text_from_mem("a,b\r\nc,d\r\n", 10, "dos.csv", &t), RV_OK);
  rv_text_free(&t);
}

/* A FIFO is refused without being opened (this would block otherwise). */
static void test_not_regular(void) {
  char path[] = "/tmp/rv_fifo_XXXXXX";
  const int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  remove(path);
  CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
  rv_text_t t;
  CU_ASSERT_EQUAL(rv_text_read(path, &t), RV_ERR_IO);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "not a regular file (it is a FIFO)"));
  CU_ASSERT_EQUAL(rv_input_regular(path, "run file"), RV_ERR_IO);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "(the run file is a FIFO)"));
  remove(path);
  CU_ASSERT_EQUAL(rv_input_regular("/tmp", "dataset"), RV_ERR_IO);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), "/tmp: not a regular file (the dataset is a directory)"));
}

/* A table whose records must have the header's field count. */
static void test_table_expect(void) {
  char path[] = "/tmp/rv_tab_XXXXXX";
  const int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  const char csv[] = "user,item\nu1,i1\nu1,Item, A\n";
  write_file(path, csv, strlen(csv));
  rv_table_t t;
  CU_ASSERT_EQUAL_FATAL(rv_table_open(&t, path, ",", 1), RV_OK);
  CU_ASSERT_EQUAL(rv_table_next(&t), 1);
  t.expect = t.rec.n;
  CU_ASSERT_EQUAL(rv_table_next(&t), 1);
  CU_ASSERT_EQUAL(rv_table_next(&t), -(int)RV_ERR_DATA);
  CU_ASSERT_PTR_NOT_NULL(strstr(rv_error_message(), ":3: 3 fields, expected 2"));
  rv_table_close(&t);
  remove(path);
}

/* Last.fm's tags.dat is latin-1 (../shared/data; skipped when absent): read
 * as such, every byte >= 0x80 becomes two UTF-8 bytes. */
static void test_real_latin1(void) {
  const char *path = RV_SHARED_DATA "/hetrec2011-lastfm-2k-partial/tags.dat";
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("skipped: %s is absent ", path);
    return;
  }
  size_t n = 0, high = 0;
  int c;
  while ((c = fgetc(f)) != EOF) n++, high += c >= 0x80;
  fclose(f);
  rv_text_t t;
  CU_ASSERT_EQUAL_FATAL(rv_text_read(path, &t), RV_OK);
  CU_ASSERT_EQUAL(t.was_latin1, 1);
  CU_ASSERT(high > 0);
  CU_ASSERT_EQUAL(t.len, n + high);
  CU_ASSERT(rv_utf8_valid(t.buf, t.len));
  rv_text_free(&t);
}

static void test_strtab_idcmp(void) {
  rv_strtab_t t = {0};
  char b[32];
  for (int i = 0; i < 5000; i++) {
    const int n = snprintf(b, sizeof b, "id-%d", i * 7);
    CU_ASSERT_EQUAL(rv_strtab_intern(&t, b, (size_t)n), i);
  }
  CU_ASSERT_EQUAL(t.n, 5000);
  CU_ASSERT_EQUAL(rv_strtab_intern(&t, "id-7", 4), 1); /* already there */
  CU_ASSERT_EQUAL(rv_strtab_find(&t, "id-34993", 8), 4999);
  CU_ASSERT_EQUAL(rv_strtab_find(&t, "id-1", 4), -1);
  rv_strtab_free(&t);
  CU_ASSERT(rv_id_cmp("9", "10") < 0);   /* numeric */
  CU_ASSERT(rv_id_cmp("007", "7") < 0);  /* equal numbers: bytewise */
  CU_ASSERT(rv_id_cmp("100", "99") > 0);
  CU_ASSERT(rv_id_cmp("a10", "a9") < 0); /* not digits: bytewise */
}

/* The fixture of the pipeline tests (user, item, rating, ts) in file order:
 *   b x 4 10 | a x 5 20 | a y 2 30 | a x 3 40 | b y 5 15 | c z 5 50 | a z 4 25 | b z 1 5
 * (a, x) twice: the later (3, 40) stays. */
static void fixture(rv_prep_src_t *s) {
  static const struct { const char *u, *i; float r; int64_t ts; } x[] = {
      {"b", "x", 4, 10}, {"a", "x", 5, 20}, {"a", "y", 2, 30}, {"a", "x", 3, 40},
      {"b", "y", 5, 15}, {"c", "z", 5, 50}, {"a", "z", 4, 25}, {"b", "z", 1, 5}};
  memset(s, 0, sizeof *s);
  s->has_rating = s->has_time = 1;
  for (int t = 0; t < 8; t++) CU_ASSERT_EQUAL(rv_prep_add(s, x[t].u, 1, x[t].i, 1, x[t].r, x[t].ts), 0);
  CU_ASSERT_EQUAL(rv_prep_add_categories(s, rv_prep_item(s, "x", 1), "g2|g1||g2", "Genres"), 0);
}

static void test_pipeline_loo(void) {
  rv_prep_src_t s;
  rv_prep_out_t o;
  fixture(&s);
  rv_prep_opts_t op = {.split = RV_SPLIT_LOO};
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o), RV_OK);
  /* Users a, b, c -> 0, 1, 2; items x, y, z -> 0, 1, 2. After dedup:
   * a: z(25) y(30) x(40) -> test x, train {y, z}; b: z(5) x(10) y(15) ->
   * test y, train {x, z}; c: z only -> train {z}, no test. */
  CU_ASSERT_EQUAL(o.raw_interactions, 8);
  CU_ASSERT_EQUAL(o.duplicates, 1);
  CU_ASSERT_EQUAL(o.n_users, 3);
  CU_ASSERT_EQUAL(o.n_items, 3);
  const int64_t trp[] = {0, 2, 4, 5}, tep[] = {0, 1, 2, 2};
  const int32_t tri[] = {1, 2, 0, 2, 2}, tei[] = {0, 1};
  const float trv[] = {2, 4, 4, 1, 5}, tev[] = {3, 5}; /* (a, x) kept its later rating 3 */
  const int64_t trt[] = {30, 25, 10, 5, 50};
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.tr_ptr[i], trp[i]);
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.te_ptr[i], tep[i]);
  for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(o.tr_idx[i], tri[i]);
  for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(o.tr_val[i], trv[i]);
  for (int i = 0; i < 5; i++) CU_ASSERT_EQUAL(o.tr_ts[i], trt[i]);
  for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(o.te_idx[i], tei[i]);
  for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(o.te_val[i], tev[i]);
  /* Categories: g2 (id 0), g1 (id 1) on item x only, sorted, the repeat and the empty one dropped. */
  CU_ASSERT_EQUAL(o.n_categories, 2);
  CU_ASSERT_EQUAL(o.cat_ptr[0], 0);
  CU_ASSERT_EQUAL(o.cat_ptr[1], 2);
  CU_ASSERT_EQUAL(o.cat_ptr[3], 2);
  CU_ASSERT_EQUAL(o.cat_idx[0], 0);
  CU_ASSERT_EQUAL(o.cat_idx[1], 1);
  CU_ASSERT_STRING_EQUAL(s.text[0], "Genres: g2, g1, g2"); /* text keeps what the source says */
  rv_prep_out_free(&o);
  rv_prep_src_free(&s);
}

static void test_pipeline_filters(void) {
  rv_prep_src_t s;
  rv_prep_out_t o;
  fixture(&s);
  /* Threshold 4 drops (a,x)=3, (a,y)=2, (b,z)=1; k-core 2 then drops
   * everything (a and c keep one each, x and y one each): an error. */
  rv_prep_opts_t op = {.split = RV_SPLIT_LOO, .has_threshold = 1, .threshold = 4, .min_user = 2, .min_item = 2};
  CU_ASSERT_EQUAL(rv_prep_build(&s, &op, &o), RV_ERR_DATA);
  /* Threshold alone: 7 - 3 = 4 left, users a, b, c, items x, y, z. */
  op.min_user = op.min_item = 0;
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o), RV_OK);
  CU_ASSERT_EQUAL(o.below_threshold, 3);
  CU_ASSERT_EQUAL(o.tr_ptr[3] + o.te_ptr[3], 4);
  rv_prep_out_free(&o);
  /* k-core 2 alone: c (1 interaction) goes; z keeps a and b: stable. */
  op.has_threshold = 0;
  op.min_user = op.min_item = 2;
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o), RV_OK);
  CU_ASSERT_EQUAL(o.kcore_removed, 1);
  CU_ASSERT_EQUAL(o.n_users, 2);
  CU_ASSERT_EQUAL(o.n_items, 3);
  CU_ASSERT_EQUAL(o.tr_ptr[2] + o.te_ptr[2], 6);
  rv_prep_out_free(&o);
  rv_prep_src_free(&s);
}

static void test_pipeline_temporal_random(void) {
  rv_prep_src_t s;
  rv_prep_out_t o, o2;
  fixture(&s);
  /* Temporal, 0.3 of 7 -> round(2.1) = 2 latest: (a,x)@40 and (c,z)@50. */
  rv_prep_opts_t op = {.split = RV_SPLIT_TEMPORAL, .test_frac = 0.3};
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o), RV_OK);
  CU_ASSERT_EQUAL(o.temporal_cut, 40);
  const int64_t tep[] = {0, 1, 1, 2}, trp[] = {0, 2, 5, 5};
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.te_ptr[i], tep[i]);
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.tr_ptr[i], trp[i]);
  CU_ASSERT_EQUAL(o.te_idx[0], 0);
  CU_ASSERT_EQUAL(o.te_idx[1], 2);
  rv_prep_out_free(&o);
  /* Random 0.5: a and b have 3 -> round(1.5) = 2 test, 1 train; c has 1 ->
   * round(0.5) = 1, capped at m - 1 = 0. Same seed, same split. */
  op = (rv_prep_opts_t){.split = RV_SPLIT_RANDOM, .test_frac = 0.5, .seed = 7};
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o), RV_OK);
  CU_ASSERT_EQUAL_FATAL(rv_prep_build(&s, &op, &o2), RV_OK);
  const int64_t rtep[] = {0, 2, 4, 4};
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.te_ptr[i], rtep[i]);
  for (int i = 0; i < 4; i++) CU_ASSERT_EQUAL(o.te_idx[i], o2.te_idx[i]);
  for (int i = 0; i < 3; i++) CU_ASSERT_EQUAL(o.tr_idx[i], o2.tr_idx[i]);
  /* Train and test of a user are disjoint and cover the user's items. */
  for (int u = 0; u < 2; u++) {
    int seen[3] = {0, 0, 0};
    for (int64_t t = o.tr_ptr[u]; t < o.tr_ptr[u + 1]; t++) seen[o.tr_idx[t]]++;
    for (int64_t t = o.te_ptr[u]; t < o.te_ptr[u + 1]; t++) seen[o.te_idx[t]]++;
    CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
  }
  rv_prep_out_free(&o);
  rv_prep_out_free(&o2);
  rv_prep_src_free(&s);
}

static void test_trec_parse(void) {
  const char buf[] = "u1 Q0 i1 1 0.5 run\r\n\n# comment\nu1\tQ0\t\"A Title, with \"\"quotes\"\"\" 2 -1e3 run\nu2 Q0 i3 1 2 r";
  rv_trec_t t;
  CU_ASSERT_EQUAL_FATAL(rv_trec_parse(buf, strlen(buf), "run", &t), RV_OK);
  CU_ASSERT_EQUAL_FATAL(t.n, 3);
  CU_ASSERT(t.e[0].ulen == 2 && memcmp(t.e[0].user, "u1", 2) == 0);
  CU_ASSERT(t.e[0].ilen == 2 && memcmp(t.e[0].item, "i1", 2) == 0);
  CU_ASSERT_EQUAL(t.e[0].rank, 1);
  CU_ASSERT_EQUAL(t.e[0].score, 0.5);
  CU_ASSERT_EQUAL(t.e[0].line, 1);
  /* The quoted item: 14 bytes "A Title, with " + 10 bytes ""quotes"" = 24, quotes still doubled. */
  CU_ASSERT_EQUAL(t.e[1].item_quoted, 1);
  CU_ASSERT_EQUAL(t.e[1].ilen, 24);
  CU_ASSERT(memcmp(t.e[1].item, "A Title, with \"\"quotes\"\"", 24) == 0);
  CU_ASSERT_EQUAL(t.e[1].rank, 2);
  CU_ASSERT_EQUAL(t.e[1].score, -1000.0);
  CU_ASSERT_EQUAL(t.e[1].line, 4);
  CU_ASSERT_EQUAL(t.e[2].line, 5); /* no final newline */
  rv_trec_free(&t);
  static const char *const bad[] = {"u Q0 i 1 0.5\n", "u Q0 i x 0.5 r\n", "u Q0 i 1 nan r\n",
                                    "u Q0 \"i 1 0.5 r\n", "u Q0 \"i\"x 1 0.5 r\n", "u Q0 i 1 0.5 r extra\n",
                                    "u Q0 i 99999999999999999999 0.5 r\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CU_ASSERT_EQUAL(rv_trec_parse(bad[i], strlen(bad[i]), "bad", &t), RV_ERR_DATA);
    CU_ASSERT_PTR_NULL(t.e);
  }
  CU_ASSERT_EQUAL(rv_trec_parse("", 0, "empty", &t), RV_OK);
  CU_ASSERT_EQUAL(t.n, 0);
  /* Not NUL-terminated: the parser must stop at len. */
  char nt[12];
  memcpy(nt, "a Q0 b 1 2 c", 12);
  CU_ASSERT_EQUAL(rv_trec_parse(nt, 12, "nt", &t), RV_OK);
  CU_ASSERT_EQUAL(t.n, 1);
  rv_trec_free(&t);
}

static void test_title_norm(void) {
  char out[64];
  const char *s = "  The  Matrix\t(1999) ";
  const size_t n = rv_title_norm(s, strlen(s), out);
  CU_ASSERT_EQUAL(n, 17);
  CU_ASSERT(memcmp(out, "the matrix (1999)", 17) == 0);
  CU_ASSERT_EQUAL(rv_title_norm("   ", 3, out), 0);
}

static void test_lexenc(void) {
  const char *texts[] = {"red apple", "red apple", "blue car", NULL, "RED, Apple!!", "apple red red"};
  float v[6 * 64], w[6 * 64];
  CU_ASSERT_EQUAL_FATAL(rv_lexenc(texts, 6, 64, 1, v), 0);
  /* Same tokens after lower-casing and splitting at punctuation: same vector. */
  CU_ASSERT(memcmp(v, v + 64, sizeof(float) * 64) == 0);
  CU_ASSERT(memcmp(v, v + 4 * 64, sizeof(float) * 64) == 0);
  /* Term frequency matters: "red" twice differs from once. */
  CU_ASSERT(memcmp(v, v + 5 * 64, sizeof(float) * 64) != 0);
  double n0 = 0, n3 = 0;
  for (int j = 0; j < 64; j++) n0 += (double)v[j] * v[j], n3 += fabs(v[3 * 64 + j]);
  NEAR(n0, 1.0, 1e-6); /* unit rows */
  CU_ASSERT_EQUAL(n3, 0.0); /* no text: zero vector */
  CU_ASSERT_EQUAL_FATAL(rv_lexenc(texts, 6, 64, 2, w), 0);
  CU_ASSERT(memcmp(v, w, sizeof v) != 0); /* the seed changes the projection */
  CU_ASSERT_EQUAL_FATAL(rv_lexenc(texts, 6, 64, 1, w), 0);
  CU_ASSERT(memcmp(v, w, sizeof v) == 0); /* deterministic */
}

static void test_paired(void) {
  rv_paired_t r;
  /* d = 1..5: mean 3, sd sqrt(2.5), t = 3 / sqrt(2.5 / 5) = sqrt(18) = 4.2426407;
   * df 4, closed form for nu = 4 with x = t / sqrt(t^2 + 4) = sqrt(18/22):
   * p = 1 - (3/2)(x - x^3/3) = 0.0132356. W+ = 15, W- = 0; exact: only the
   * all-positive of 2^5 sign patterns reaches 15: p = 2 / 32 = 0.0625. */
  const double a[5] = {0, 0, 0, 0, 0}, b[5] = {1, 2, 3, 4, 5};
  CU_ASSERT_EQUAL_FATAL(rv_paired_tests(a, b, 5, &r), 0);
  NEAR(r.mean_diff, 3.0, 1e-15);
  NEAR(r.t, sqrt(18.0), 1e-12);
  NEAR(r.df, 4.0, 0);
  const double x = sqrt(18.0 / 22.0);
  NEAR(r.p_t, 1.0 - 1.5 * (x - x * x * x / 3.0), 1e-10);
  NEAR(r.p_t, 0.0132356, 1e-6);
  NEAR(r.cohen_dz, 3.0 / sqrt(2.5), 1e-12);
  CU_ASSERT_EQUAL(r.w_plus, 15.0);
  CU_ASSERT_EQUAL(r.w_minus, 0.0);
  CU_ASSERT_EQUAL(r.exact, 1);
  NEAR(r.p_w, 0.0625, 1e-15);
  NEAR(r.rank_biserial, 1.0, 0);
  /* Zeros dropped, ties averaged: d = 1, -1, 2, 0, 2, 3 -> |d| ranks 1.5,
   * 1.5, 3.5, 3.5, 5; W+ = 13.5, W- = 1.5; m = 5, mean 7.5, var = 5*6*11/24
   * - (6 + 6)/48 = 13.5; z = 6 / sqrt(13.5) = 1.6329932; p = 2(1 - Phi(z))
   * = 0.10247 (normal tables). */
  const double a2[6] = {0, 0, 0, 0, 0, 0}, b2[6] = {1, -1, 2, 0, 2, 3};
  CU_ASSERT_EQUAL_FATAL(rv_paired_tests(a2, b2, 6, &r), 0);
  CU_ASSERT_EQUAL(r.n_nonzero, 5);
  CU_ASSERT_EQUAL(r.w_plus, 13.5);
  CU_ASSERT_EQUAL(r.w_minus, 1.5);
  CU_ASSERT_EQUAL(r.exact, 0);
  NEAR(r.z, 6.0 / sqrt(13.5), 1e-12);
  NEAR(r.p_w, 0.10247, 2e-5);
  /* No differences at all: nothing to test. */
  CU_ASSERT_EQUAL_FATAL(rv_paired_tests(a, a, 5, &r), 0);
  CU_ASSERT_EQUAL(r.p_t, 1.0);
  CU_ASSERT_EQUAL(r.p_w, 1.0);
  CU_ASSERT_EQUAL(r.n_nonzero, 0);
  /* Holm: p = (0.01, 0.04, 0.03) -> sorted 0.01*3 = 0.03, 0.03*2 = 0.06,
   * 0.04*1 = 0.04 raised to 0.06 (monotone). NaN stays out: m = 2. */
  const double p[3] = {0.01, 0.04, 0.03}, q[3] = {0.02, NAN, 0.01};
  double adj[3];
  rv_holm(p, 3, adj);
  NEAR(adj[0], 0.03, 1e-15);
  NEAR(adj[1], 0.06, 1e-15);
  NEAR(adj[2], 0.06, 1e-15);
  rv_holm(q, 3, adj);
  NEAR(adj[0], 0.02, 1e-15);
  CU_ASSERT(isnan(adj[1]));
  NEAR(adj[2], 0.02, 1e-15);
}

typedef struct {
  const char *name;
  CU_TestFunc fn;
} entry_t;

int main(void) {
  static const entry_t tests[] = {
      {"records", test_records},
      {"text_read", test_text_read},
      {"gzip_strict", test_gzip_strict},
      {"not_regular", test_not_regular},
      {"table_expect", test_table_expect},
      {"real_latin1", test_real_latin1},
      {"strtab_idcmp", test_strtab_idcmp},
      {"pipeline_loo", test_pipeline_loo},
      {"pipeline_filters", test_pipeline_filters},
      {"pipeline_temporal_random", test_pipeline_temporal_random},
      {"trec_parse", test_trec_parse},
      {"title_norm", test_title_norm},
      {"lexenc", test_lexenc},
      {"paired", test_paired},
  };
  if (CU_initialize_registry() != CUE_SUCCESS) return 1;
  CU_pSuite s = CU_add_suite("prep", NULL, NULL);
  for (size_t i = 0; s && i < sizeof tests / sizeof tests[0]; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) s = NULL;
  if (!s) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 1;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  const unsigned failures = CU_get_number_of_failures();
  CU_cleanup_registry();
  return failures != 0;
}
