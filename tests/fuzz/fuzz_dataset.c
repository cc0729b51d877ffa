/* libFuzzer harness: the dataset validator (io/dataset.c, io/h5util.c) and,
 * for what it accepts, the whole evaluation.
 *
 * The input is not raw HDF5 bytes (that would fuzz the HDF5 library's own
 * parser, which receval cannot fix) but a recipe for a small dataset file
 * written with the HDF5 API: header attributes (sane or arbitrary 64-bit
 * values), and for every dataset whether it is present, its dtype, shape
 * (as the header says or off by a little), storage (contiguous, chunked +
 * gzip, declared but never written) and contents (CSR rows that may be
 * unsorted, repeated or out of range; embeddings with zeros, NaN, Inf).
 *
 * Then, on MPI_COMM_SELF, exactly what `receval eval` runs:
 * rv_dataset_open + rv_dataset_read_users. Whatever they accept is
 * re-checked here independently (the oracle: indptr from 0, monotone, ending
 * at nnz; indices in range and strictly increasing per row; finite
 * embeddings; positive finite test values; categories below 2^20), and
 * then evaluated in full through rv_run (`receval eval FILE --metrics all`
 * with cutoffs from the input), which must not crash whatever it returns.
 * libFuzzer's malloc limit (-malloc_limit_mb) catches any allocation a
 * header could inflate. */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/dataset.h"
#include "receval.h"

static char g_dir[256], g_file[300], g_out[300];
static FILE *g_null;

static void require(int cond) {
  if (!cond) __builtin_trap();
}

typedef struct {
  const uint8_t *p;
  size_t n;
} rd_t;
static unsigned u8(rd_t *r) {
  if (r->n == 0) return 0;
  r->n--;
  return *r->p++;
}
static int64_t i64(rd_t *r) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | u8(r);
  return (int64_t)v;
}
static float f32(rd_t *r) {
  const unsigned b = u8(r);
  switch (b) {
    case 255: return NAN;
    case 254: return INFINITY;
    case 253: return -INFINITY;
    case 252: return 1e30f;
    default: return b < 8 ? 0.0f : ((float)b - 128.0f) / 16.0f;
  }
}

/* The scratch directory goes when the fuzzer exits normally. */
static void cleanup(void) {
  static const char *const outs[] = {"results.h5", "report.pb", "report.json", "results.h5.tmp",
                                     "report.pb.tmp", "report.json.tmp"};
  char p[400];
  for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
    snprintf(p, sizeof p, "%s/%s", g_out, outs[i]);
    unlink(p);
  }
  rmdir(g_out);
  unlink(g_file);
  rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  MPI_Init(NULL, NULL);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  /* Scratch under RV_FUZZ_TMPDIR (.ci/fuzz.sh removes it: libFuzzer may
   * leave without running atexit handlers), else /dev/shm or /tmp. */
  const char *base = getenv("RV_FUZZ_TMPDIR");
  if (!base || !*base) base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(g_dir, sizeof g_dir, "%s/rv-fuzz-dataset.%ld", base, (long)getpid());
  mkdir(g_dir, 0700);
  snprintf(g_file, sizeof g_file, "%s/in.h5", g_dir);
  snprintf(g_out, sizeof g_out, "%s/out", g_dir);
  g_null = fopen("/dev/null", "w");
  atexit(cleanup);
  return 0;
}

/* How one dataset is stored, from one recipe byte. */
enum { ST_NORMAL, ST_ABSENT, ST_WRONG_TYPE, ST_SHAPE_OFF, ST_UNWRITTEN, ST_GZIP, ST_RANK_OFF };
static int storage(unsigned b) {
  static const int map[16] = {ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL,
                              ST_GZIP,   ST_GZIP,   ST_ABSENT, ST_ABSENT, ST_WRONG_TYPE,
                              ST_SHAPE_OFF, ST_SHAPE_OFF, ST_UNWRITTEN, ST_RANK_OFF, ST_NORMAL};
  return map[b & 15];
}

/* Writes path as [rows, cols] (cols 0: 1-D) of mtype from buf, stored as st says. */
static void put(hid_t f, const char *path, hid_t ftype, hid_t mtype, int64_t rows, int64_t cols,
                const void *buf, int st, rd_t *r) {
  if (st == ST_ABSENT) return;
  if (st == ST_SHAPE_OFF) rows += (int64_t)(u8(r) % 5) - 2;
  if (rows < 0) rows = 0;
  int rank = cols > 0 ? 2 : 1;
  if (st == ST_RANK_OFF) rank = 3 - rank;
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)(cols > 0 ? cols : 1)};
  if (rank == 2 && cols == 0) dims[1] = 1;
  if (rank == 1 && cols > 0) dims[0] = (hsize_t)(rows * cols);
  if (st == ST_WRONG_TYPE) switch (u8(r) & 3) {
      case 0: ftype = H5T_IEEE_F64LE; break;
      case 1: ftype = H5T_STD_I32LE; break;
      case 2: ftype = H5T_STD_U64LE; break;
      default: ftype = H5T_STD_I64LE; break;
    }
  const hid_t sp = H5Screate_simple(rank, dims, NULL);
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (st == ST_GZIP || (st == ST_UNWRITTEN && (u8(r) & 1))) {
    hsize_t ch[2] = {1 + u8(r) % 4, dims[1] > 0 ? dims[1] : 1};
    H5Pset_chunk(dcpl, rank, ch);
    H5Pset_deflate(dcpl, 1);
  }
  H5Pset_fill_time(dcpl, H5D_FILL_TIME_IFSET);
  const hid_t d = H5Dcreate2(f, path, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  /* Data as the header says; a shape that is off reads or writes what fits. */
  if (d >= 0 && st != ST_UNWRITTEN && dims[0] > 0) {
    const hsize_t want = (hsize_t)rows * (hsize_t)(cols > 0 ? cols : 1);
    hsize_t have = dims[0] * (rank == 2 ? dims[1] : 1);
    if (have <= want) {
      H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    }
  }
  if (d >= 0) H5Dclose(d);
  H5Pclose(dcpl);
  H5Sclose(sp);
}

static void attr_i64(hid_t f, const char *name, int64_t v) {
  const hid_t s = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(f, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT64, &v);
  H5Aclose(a);
  H5Sclose(s);
}

static void attr_str(hid_t f, const char *name, const char *v) {
  const hid_t s = H5Screate(H5S_SCALAR), t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(v) + 1);
  const hid_t a = H5Acreate2(f, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, v);
  H5Aclose(a);
  H5Tclose(t);
  H5Sclose(s);
}

/* A CSR of `rows` rows over `cols` columns: row lengths and entries from
 * the recipe; `tidy` sorts each row and drops repeats. */
static int64_t csr(rd_t *r, int64_t rows, int64_t cols, int wide, int tidy, int64_t *ptr,
                   int32_t *idx, int64_t cap) {
  ptr[0] = 0;
  for (int64_t u = 0; u < rows; u++) {
    int64_t len = u8(r) % 5, n = ptr[u];
    for (int64_t t = 0; t < len && n < cap; t++) {
      /* -1 .. cols + 1, or up to ~2^20 + 2^15 for wide (category ids) */
      const int32_t v = wide ? (int32_t)u8(r) * 4200 - 1 : (int32_t)(u8(r) % (unsigned)(cols + 3)) - 1;
      idx[n++] = tidy ? (v < 0 ? 0 : (v >= cols ? (int32_t)cols - 1 : v)) : v;
    }
    if (tidy) { /* insertion sort, then drop repeats */
      int64_t w = ptr[u];
      for (int64_t a = ptr[u] + 1; a < n; a++)
        for (int64_t b = a; b > ptr[u] && idx[b - 1] > idx[b]; b--) {
          const int32_t x = idx[b];
          idx[b] = idx[b - 1], idx[b - 1] = x;
        }
      for (int64_t a = ptr[u]; a < n; a++)
        if (a == ptr[u] || idx[a] != idx[w - 1]) idx[w++] = idx[a];
      n = w;
    }
    ptr[u + 1] = n;
  }
  if (u8(r) % 8 == 0) ptr[u8(r) % (rows + 1)] += (int64_t)(u8(r) % 3) - 1; /* a bad pointer */
  return ptr[rows] > cap ? cap : (ptr[rows] < 0 ? 0 : ptr[rows]);
}

/* The oracle: what the evaluation relies on, re-checked from scratch. */
static void oracle(const rv_dataset_t *ds) {
  require(ds->n_users >= 1 && ds->n_items >= 1 && ds->dim >= 1);
  const int64_t *ptrs[2] = {ds->train_ptr, ds->test_ptr};
  const int32_t *idxs[2] = {ds->train_idx, ds->test_idx};
  const int64_t nnz[2] = {ds->train_nnz, ds->test_nnz};
  for (int g = 0; g < 2; g++) {
    const int64_t *p = ptrs[g];
    require(p[0] == 0 && p[ds->n_users] == nnz[g]);
    for (int64_t u = 0; u < ds->n_users; u++) {
      require(p[u + 1] >= p[u]);
      for (int64_t t = p[u]; t < p[u + 1]; t++) {
        require(idxs[g][t] >= 0 && idxs[g][t] < ds->n_items);
        require(t == p[u] || idxs[g][t] > idxs[g][t - 1]);
      }
    }
  }
  for (int64_t i = 0; i < ds->n_items * ds->dim; i++) require(isfinite(ds->items[i]));
  if (ds->users)
    for (int64_t i = 0; i < ds->n_users * ds->dim; i++) require(isfinite(ds->users[i]));
  if (ds->test_val)
    for (int64_t t = 0; t < ds->test_nnz; t++) require(isfinite(ds->test_val[t]) && ds->test_val[t] > 0);
  if (ds->cat_ptr) {
    require(ds->cat_ptr[0] == 0 && ds->cat_ptr[ds->n_items] == ds->cat_nnz);
    for (int64_t i = 0; i < ds->n_items; i++)
      for (int64_t t = ds->cat_ptr[i]; t < ds->cat_ptr[i + 1]; t++)
        require(ds->cat_idx[t] >= 0 && ds->cat_idx[t] < (1 << 20) && ds->cat_idx[t] < ds->n_categories &&
                (t == ds->cat_ptr[i] || ds->cat_idx[t] > ds->cat_idx[t - 1]));
  }
}

#define MAXU 12
#define MAXN 12
#define MAXD 4
#define CAP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rd_t r = {data, size};
  const unsigned flags = u8(&r);
  const int64_t U = 1 + u8(&r) % MAXU, N = 1 + u8(&r) % MAXN, D = 1 + u8(&r) % MAXD;
  /* Header: as the data, off by a little, or any 64-bit value. */
  int64_t hu = U, hn = N, hd = D;
  const unsigned hmode = u8(&r);
  if (hmode % 16 == 1) hu = i64(&r);
  if (hmode % 16 == 2) hn = i64(&r);
  if (hmode % 16 == 3) hd = i64(&r);
  if (hmode % 16 == 4) hu += (int64_t)(u8(&r) % 3) - 1;

  static float items[MAXN * MAXD], users[MAXU * MAXD], tval[CAP];
  static int64_t trp[MAXU + 1], tep[MAXU + 1], cp[MAXN + 1];
  static int32_t tri[CAP], tei[CAP], ci[CAP];
  for (int64_t i = 0; i < N * D; i++) items[i] = f32(&r);
  for (int64_t i = 0; i < U * D; i++) users[i] = f32(&r);
  const int tidy = !(flags & 0x10);
  const int64_t trn = csr(&r, U, N, 0, tidy, trp, tri, CAP);
  const int64_t ten = csr(&r, U, N, 0, tidy, tep, tei, CAP);
  for (int64_t t = 0; t < ten; t++) tval[t] = (flags & 0x20) ? f32(&r) : 1.0f + (float)(u8(&r) % 4);
  const int64_t cn = csr(&r, N, 6, (flags & 0x40) != 0, tidy, cp, ci, CAP);

  const hid_t f = H5Fcreate(g_file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return 0;
  attr_str(f, "format", (flags & 0x80) && (u8(&r) & 1) ? "receval-datasex" : "receval-dataset");
  attr_i64(f, "version", (flags & 0x80) && (u8(&r) & 1) ? 2 : 1);
  attr_i64(f, "n_users", hu);
  attr_i64(f, "n_items", hn);
  attr_i64(f, "dim", hd);
  const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  H5Gclose(H5Gcreate2(f, "/items", lcpl, H5P_DEFAULT, H5P_DEFAULT));
  H5Gclose(H5Gcreate2(f, "/train", lcpl, H5P_DEFAULT, H5P_DEFAULT));
  H5Gclose(H5Gcreate2(f, "/test", lcpl, H5P_DEFAULT, H5P_DEFAULT));
  H5Gclose(H5Gcreate2(f, "/users", lcpl, H5P_DEFAULT, H5P_DEFAULT));
  if (flags & 4) H5Gclose(H5Gcreate2(f, "/items/category", lcpl, H5P_DEFAULT, H5P_DEFAULT));
  H5Pclose(lcpl);
  const hid_t F4 = H5T_IEEE_F32LE, I8 = H5T_STD_I64LE, I4 = H5T_STD_I32LE;
  put(f, "/items/embedding", F4, H5T_NATIVE_FLOAT, N, D, items, storage(u8(&r)), &r);
  if (flags & 1) put(f, "/users/embedding", F4, H5T_NATIVE_FLOAT, U, D, users, storage(u8(&r)), &r);
  put(f, "/train/indptr", I8, H5T_NATIVE_INT64, U + 1, 0, trp, storage(u8(&r)), &r);
  put(f, "/train/indices", I4, H5T_NATIVE_INT32, trn, 0, tri, storage(u8(&r)), &r);
  put(f, "/test/indptr", I8, H5T_NATIVE_INT64, U + 1, 0, tep, storage(u8(&r)), &r);
  put(f, "/test/indices", I4, H5T_NATIVE_INT32, ten, 0, tei, storage(u8(&r)), &r);
  if (flags & 2) put(f, "/test/values", F4, H5T_NATIVE_FLOAT, ten, 0, tval, storage(u8(&r)), &r);
  if (flags & 4) {
    put(f, "/items/category/indptr", I8, H5T_NATIVE_INT64, N + 1, 0, cp, storage(u8(&r)), &r);
    put(f, "/items/category/indices", I4, H5T_NATIVE_INT32, cn, 0, ci, storage(u8(&r)), &r);
  }
  H5Fclose(f);

  rv_dataset_t *ds = NULL;
  rv_err_t err = rv_dataset_open(MPI_COMM_SELF, g_file, &ds);
  if (err == RV_OK) {
    err = rv_dataset_read_users(MPI_COMM_SELF, ds, 0, ds->n_users);
    if (err == RV_OK) oracle(ds);
  }
  rv_dataset_destroy(&ds);
  if (err == RV_OK) {
    /* Accepted: the whole evaluation must run on it without a crash. */
    char k[32];
    const unsigned k1 = 1 + u8(&r) % 4, k2 = k1 + 1 + u8(&r) % 12;
    snprintf(k, sizeof k, "%u,%u", k1, k2);
    static const char *const sims[3] = {"cosine", "dot", "euclidean"};
    char *argv[] = {(char *)"receval", (char *)"eval", g_file, (char *)"--out", g_out, (char *)"--k", k,
                    (char *)"--metrics", (char *)"all", (char *)"--similarity", (char *)sims[u8(&r) % 3],
                    (u8(&r) & 1) ? (char *)"--keep-seen" : (char *)"--block-users=1", NULL};
    rv_run(MPI_COMM_SELF, 12, argv, g_null);
  }
  return 0;
}
