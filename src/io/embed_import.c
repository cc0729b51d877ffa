#include "io/embed_import.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/size.h"
#include "io/h5local.h"
#include "io/h5util.h"
#include "io/input.h"
#include "kernels/strtab.h"
#include "io/schema.h"
#include "io/textio.h"

typedef struct table {
  rv_strtab_t ids; /* row r has id ids.s[r] */
  float *v;        /* m x d */
  int64_t m;
  int d;
} table_t;

static int ends_with(const char *s, const char *suf) {
  const size_t a = strlen(s), b = strlen(suf);
  return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Adds id as row `row`; a repeated id is an error. */
static rv_err_t add_id(table_t *t, const char *path, const char *id, size_t len, int64_t row) {
  rv_err_t err = RV_OK;
  const int64_t before = t->ids.n;
  const int64_t i = rv_strtab_intern(&t->ids, id, len);
  RV_REQUIRE(i >= 0, RV_ERR_RUNTIME, "out of memory");
  RV_REQUIRE(t->ids.n > before, RV_ERR_DATA, "%s: id '%.*s' appears twice (rows %lld and %lld)", path,
             (int)len, id, (long long)i, (long long)row);
done:
  return err;
}

static rv_err_t load_npy(const char *path, const char *ids_path, table_t *t) {
  rv_err_t err = RV_OK;
  FILE *f = NULL;
  char *hdr = NULL;
  rv_table_t idt;
  int idt_open = 0;
  double *row = NULL;
  RV_TRY(rv_input_regular(path, "embeddings file")); /* a FIFO is never opened */
  f = fopen(path, "rb");
  RV_REQUIRE(f, RV_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  unsigned char magic[10];
  RV_REQUIRE(fread(magic, 1, 8, f) == 8 && memcmp(magic, "\x93NUMPY", 6) == 0, RV_ERR_DATA,
             "%s: not a .npy file (no \\x93NUMPY magic)", path);
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    RV_REQUIRE(fread(b, 1, 2, f) == 2, RV_ERR_DATA, "%s: truncated header", path);
    hlen = b[0] | (uint32_t)b[1] << 8;
  } else {
    unsigned char b[4];
    RV_REQUIRE(fread(b, 1, 4, f) == 4, RV_ERR_DATA, "%s: truncated header", path);
    hlen = b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  }
  RV_REQUIRE(hlen < (1u << 20), RV_ERR_DATA, "%s: header of %u bytes is implausible", path, hlen);
  hdr = calloc(hlen + 1, 1);
  RV_REQUIRE(hdr && fread(hdr, 1, hlen, f) == hlen, RV_ERR_DATA, "%s: truncated header", path);
  const char *descr = strstr(hdr, "'descr'"), *fo = strstr(hdr, "'fortran_order'"), *sh = strstr(hdr, "'shape'");
  RV_REQUIRE(descr && fo && sh, RV_ERR_DATA, "%s: header lacks descr, fortran_order or shape", path);
  int f8 = 0;
  if (strstr(descr, "'<f4'"))
    f8 = 0;
  else if (strstr(descr, "'<f8'"))
    f8 = 1;
  else
    RV_FAIL(RV_ERR_DATA, "%s: dtype must be little-endian float32 or float64 ('<f4' or '<f8')", path);
  RV_REQUIRE(strncmp(strchr(fo, ':') + 1 + strspn(strchr(fo, ':') + 1, " "), "False", 5) == 0, RV_ERR_DATA,
             "%s: fortran_order must be False (save a C-order array)", path);
  long long m = -1, d = -1;
  RV_REQUIRE(sscanf(strchr(sh, '(') ? strchr(sh, '(') : "", "(%lld, %lld)", &m, &d) == 2 && m >= 1 && d >= 1 &&
                 d <= 65536,
             RV_ERR_DATA, "%s: shape must be (rows, dim) with 1 <= dim <= 65536", path);
  t->m = m;
  t->d = (int)d;
  size_t bytes;
  (void)rv_size_of(&bytes, sizeof(float), m, d); /* SIZE_MAX on overflow: refused below */
  RV_TRY(rv_check_fits(path, "the embeddings", bytes));
  t->v = rv_malloc_n(sizeof(float), m, d);
  row = malloc(sizeof(double) * (size_t)d);
  RV_REQUIRE(t->v && row, RV_ERR_RUNTIME, "%s: out of memory for %lld x %lld", path, m, d);
  for (long long r = 0; r < m; r++) {
    if (f8) {
      RV_REQUIRE(fread(row, sizeof(double), (size_t)d, f) == (size_t)d, RV_ERR_DATA, "%s: truncated at row %lld",
                 path, r);
      for (long long j = 0; j < d; j++) t->v[r * d + j] = (float)row[j];
    } else {
      RV_REQUIRE(fread(t->v + r * d, sizeof(float), (size_t)d, f) == (size_t)d, RV_ERR_DATA,
                 "%s: truncated at row %lld", path, r);
    }
  }
  RV_TRY(rv_table_open(&idt, ids_path, "\n", 0));
  idt_open = 1;
  int rc;
  int64_t r = 0;
  while ((rc = rv_table_next(&idt)) == 1) {
    RV_REQUIRE(r < m, RV_ERR_DATA, "%s: more ids than the %lld rows of %s", ids_path, m, path);
    RV_TRY(add_id(t, ids_path, idt.rec.f[0], idt.rec.flen[0], r));
    r++;
  }
  if (rc < 0) {
    err = (rv_err_t)-rc;
    goto done;
  }
  RV_REQUIRE(r == m, RV_ERR_DATA, "%s: %lld ids for the %lld rows of %s", ids_path, (long long)r, m, path);
done:
  if (f) fclose(f);
  if (idt_open) rv_table_close(&idt);
  free(hdr);
  free(row);
  return err;
}

static rv_err_t load_h5(const char *path, table_t *t) {
  rv_err_t err = RV_OK;
  hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID, s = H5I_INVALID_HID, ty = H5I_INVALID_HID;
  char **vs = NULL;
  int64_t *iv = NULL;
  hsize_t dims[2] = {0, 0}, idims[1] = {0};
  RV_TRY(rv_input_regular(path, "embeddings file"));
  RV_TRY(rv_h5l_open(path, &f));
  RV_REQUIRE(H5Lexists(f, RV_EMB_EMBEDDING, H5P_DEFAULT) > 0 && H5Lexists(f, RV_EMB_ID, H5P_DEFAULT) > 0, RV_ERR_DATA,
             "%s: needs datasets /embedding [rows, dim] and /id [rows]", path);
  d = H5Dopen2(f, RV_EMB_EMBEDDING, H5P_DEFAULT);
  s = H5Dget_space(d);
  ty = H5Dget_type(d);
  RV_REQUIRE(d >= 0 && s >= 0 && H5Tget_class(ty) == H5T_FLOAT && H5Sget_simple_extent_ndims(s) == 2, RV_ERR_DATA,
             "%s: /embedding must be a 2-D float dataset", path);
  H5Sget_simple_extent_dims(s, dims, NULL);
  RV_REQUIRE(dims[0] >= 1 && dims[1] >= 1 && dims[1] <= 65536, RV_ERR_DATA, "%s: /embedding: shape [%llu, %llu]",
             path, (unsigned long long)dims[0], (unsigned long long)dims[1]);
  t->m = (int64_t)dims[0];
  t->d = (int)dims[1];
  size_t bytes;
  (void)rv_size_of(&bytes, sizeof(float), t->m, t->d); /* SIZE_MAX on overflow: refused below */
  RV_TRY(rv_check_fits(path, "/embedding", bytes));
  t->v = rv_malloc_n(sizeof(float), t->m, t->d);
  RV_REQUIRE(t->v, RV_ERR_RUNTIME, "%s: out of memory", path);
  RV_REQUIRE(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->v) >= 0, RV_ERR_IO,
             "%s: /embedding: read failed", path);
  H5Tclose(ty), H5Sclose(s), H5Dclose(d);
  ty = s = d = H5I_INVALID_HID;
  d = H5Dopen2(f, RV_EMB_ID, H5P_DEFAULT);
  s = H5Dget_space(d);
  ty = H5Dget_type(d);
  RV_REQUIRE(d >= 0 && s >= 0 && H5Sget_simple_extent_ndims(s) == 1, RV_ERR_DATA, "%s: /id must be 1-D", path);
  H5Sget_simple_extent_dims(s, idims, NULL);
  RV_REQUIRE((int64_t)idims[0] == t->m, RV_ERR_DATA, "%s: /id has %llu entries, /embedding %lld rows", path,
             (unsigned long long)idims[0], (long long)t->m);
  if (H5Tget_class(ty) == H5T_INTEGER) {
    iv = malloc(sizeof(int64_t) * (size_t)t->m);
    RV_REQUIRE(iv && H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv) >= 0, RV_ERR_IO,
               "%s: /id: read failed", path);
    for (int64_t r = 0; r < t->m; r++) {
      char b[32];
      const int n = snprintf(b, sizeof b, "%lld", (long long)iv[r]);
      RV_TRY(add_id(t, path, b, (size_t)n, r));
    }
  } else if (H5Tget_class(ty) == H5T_STRING) {
    int64_t ns = 0;
    RV_TRY(rv_h5_read_strings(f, path, "id", &ns, &vs));
    for (int64_t r = 0; r < t->m; r++) RV_TRY(add_id(t, path, vs[r], strlen(vs[r]), r));
  } else {
    RV_FAIL(RV_ERR_DATA, "%s: /id must hold strings or integers", path);
  }
done:
  rv_h5_free_strings(vs, t->m);
  free(iv);
  if (ty >= 0) H5Tclose(ty);
  if (s >= 0) H5Sclose(s);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  return err;
}

static rv_err_t load_csv(const char *path, table_t *t) {
  rv_err_t err = RV_OK;
  rv_text_t x;
  int64_t cap = 0, line = 0;
  RV_TRY(rv_text_read(path, &x));
  t->d = -1;
  for (char *p = x.buf; p < x.buf + x.len;) {
    char *e = memchr(p, '\n', (size_t)(x.buf + x.len - p));
    if (!e) e = x.buf + x.len;
    *e = '\0';
    if (e > p && e[-1] == '\r') e[-1] = '\0';
    line++;
    char *c = strchr(p, ',');
    if (*p && c) {
      *c = '\0';
      const char *id = p;
      char *q = c + 1, *end;
      int j = 0;
      errno = 0;
      strtod(q, &end);
      if (!(line == 1 && (end == q || (*end != ',' && *end != '\0')))) { /* else a header */
        int cnt = 1;
        for (const char *z = q; *z; z++) cnt += *z == ',';
        if (t->d < 0) t->d = cnt;
        if (cnt != t->d || cnt > 65536) {
          err = rv_error_set(RV_ERR_DATA, "%s:%lld: %d values, expected %d (at most 65536)", path, (long long)line,
                             cnt, t->d);
          break;
        }
        if (t->m == cap) {
          cap = cap ? 2 * cap : 1024;
          float *nv = realloc(t->v, sizeof(float) * (size_t)cap * (size_t)t->d);
          if (!nv) {
            err = rv_error_set(RV_ERR_RUNTIME, "%s: out of memory", path);
            break;
          }
          t->v = nv;
        }
        float *row = t->v + (size_t)t->m * (size_t)t->d;
        for (;;) {
          const double v = strtod(q, &end);
          if (end == q || !(*end == ',' || *end == '\0') || !isfinite(v)) {
            err = rv_error_set(RV_ERR_DATA, "%s:%lld: value %d is not a finite number", path, (long long)line, j + 1);
            break;
          }
          row[j++] = (float)v;
          if (*end == '\0') break;
          q = end + 1;
        }
        if (!err) err = add_id(t, path, id, strlen(id), t->m);
        if (err) break;
        t->m++;
      }
    }
    p = e + 1;
  }
  rv_text_free(&x);
  RV_TRY(err);
  RV_REQUIRE(t->m > 0, RV_ERR_DATA, "%s: no vectors", path);
done:
  return err;
}

rv_err_t rv_embed_import(const char *path, const char *ids_path, const char *const *ids, int64_t n,
                         int ignore_extra, float **out, int *dim, int64_t *n_extra) {
  rv_err_t err = RV_OK;
  table_t t = {0};
  uint8_t *used = NULL;
  *out = NULL;
  char idp[4200];
  if (ends_with(path, ".npy")) {
    if (!ids_path) {
      snprintf(idp, sizeof idp, "%.*s.ids.txt", (int)(strlen(path) - 4), path);
      ids_path = idp;
    }
    RV_TRY(load_npy(path, ids_path, &t));
  } else if (ends_with(path, ".h5") || ends_with(path, ".hdf5")) {
    RV_TRY(load_h5(path, &t));
  } else if (ends_with(path, ".csv") || ends_with(path, ".csv.gz")) {
    RV_TRY(load_csv(path, &t));
  } else {
    RV_FAIL(RV_ERR_USAGE, "%s: --embeddings: expected a .npy, .h5/.hdf5 or .csv file", path);
  }
  *dim = t.d;
  *out = malloc(sizeof(float) * (size_t)(n * t.d + 1));
  used = calloc((size_t)t.m, 1);
  RV_REQUIRE(*out && used, RV_ERR_RUNTIME, "out of memory");
  int64_t missing = 0, first_missing = -1;
  for (int64_t i = 0; i < n; i++) {
    const int64_t r = rv_strtab_find(&t.ids, ids[i], strlen(ids[i]));
    if (r < 0) {
      if (missing++ == 0) first_missing = i;
      continue;
    }
    used[r] = 1;
    memcpy(*out + (size_t)i * t.d, t.v + (size_t)r * t.d, sizeof(float) * (size_t)t.d);
    for (int j = 0; j < t.d; j++)
      RV_REQUIRE(isfinite((*out)[(size_t)i * t.d + j]), RV_ERR_DATA, "%s: row %lld (id '%s'), value %d is not finite",
                 path, (long long)r, ids[i], j);
  }
  RV_REQUIRE(missing == 0, RV_ERR_DATA, "%s: no vector for %lld of the %lld catalogue items (first: id '%s')", path,
             (long long)missing, (long long)n, ids[first_missing]);
  int64_t extra = 0, first_extra = -1;
  for (int64_t r = 0; r < t.m; r++)
    if (!used[r] && extra++ == 0) first_extra = r;
  *n_extra = extra;
  RV_REQUIRE(extra == 0 || ignore_extra, RV_ERR_DATA,
             "%s: %lld vectors name no catalogue item (first: id '%s'); --ignore-extra-embeddings skips them",
             path, (long long)extra, t.ids.s[first_extra]);
done:
  if (err) {
    free(*out);
    *out = NULL;
  }
  free(used);
  free(t.v);
  rv_strtab_free(&t.ids);
  return err;
}
