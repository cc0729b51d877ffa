/* MPI tests: collective pieces of receval at any rank count (ctest runs this
 * at 1, 2, 3 and 4 ranks). Every rank runs every test; failures are summed
 * over ranks and rank 0 prints the CUnit summary. */
#include <CUnit/Basic.h>
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "comm/bcast.h"
#include "comm/reduce.h"
#include "base/error.h"
#include "io/dataset.h"
#include "io/h5util.h"
#include "io/results.h"
#include "io/synth_write.h"
#include "kernels/partition.h"
#include "kernels/rng.h"
#include "kernels/xsum.h"
#include "receval.pb-c.h"

static MPI_Comm comm;
static int rank, nranks;

/* A fixed list of awkward doubles: keyed by index, identical on every rank. */
static double value_of(int64_t i) {
  rv_rng_t r;
  rv_rng_seed(&r, 99, 7, (uint64_t)i);
  return (rv_rng_uniform(&r) - 0.3) * pow(10.0, (double)(i % 7) - 3.0);
}

/* The exact sum over ranks equals, bit for bit, a serial sum of the same
 * values in reverse order: integer fixed-point addition is associative. */
static void test_exact_sum_any_partition(void) {
  const int64_t n = 10007;
  int64_t b[64];
  rv_partition_even(n, nranks, b);
  rv_i128 mine = 0, serial = 0;
  for (int64_t i = b[rank]; i < b[rank + 1]; i++) CU_ASSERT_EQUAL_FATAL(rv_xsum_add(&mine, value_of(i)), 0);
  for (int64_t i = n - 1; i >= 0; i--) rv_xsum_add(&serial, value_of(i));
  CU_ASSERT_EQUAL(rv_allreduce_i128(comm, &mine, 1), RV_OK);
  CU_ASSERT(memcmp(&mine, &serial, sizeof mine) == 0);
  /* And the plain double sum is within rounding of it (sanity of scale). */
  double plain = 0.0;
  for (int64_t i = 0; i < n; i++) plain += value_of(i);
  CU_ASSERT_DOUBLE_EQUAL(rv_xsum_value(mine), plain, 1e-9 * fabs(plain) + 1e-12);
}

static void test_moments_reduce(void) {
  /* Each rank contributes ranks+1 copies of 0.25: sum = 0.25 * sum_r (r+1). */
  rv_moments_t m = {0, 0, 0};
  for (int i = 0; i <= rank; i++) rv_moments_add(&m, 0.25);
  CU_ASSERT_EQUAL(rv_allreduce_moments(comm, &m, 1), RV_OK);
  const int64_t count = (int64_t)nranks * (nranks + 1) / 2;
  CU_ASSERT_EQUAL((int64_t)m.n, count);
  CU_ASSERT_EQUAL(rv_xsum_value(m.sum), 0.25 * (double)count);
  CU_ASSERT_EQUAL(rv_moments_mean(&m), 0.25);
}

static void test_i64_reduce(void) {
  int64_t v[3] = {rank, 1, (int64_t)1 << 40};
  CU_ASSERT_EQUAL(rv_allreduce_i64(comm, v, 3), RV_OK);
  CU_ASSERT_EQUAL(v[0], (int64_t)nranks * (nranks - 1) / 2);
  CU_ASSERT_EQUAL(v[1], nranks);
  CU_ASSERT_EQUAL(v[2], ((int64_t)1 << 40) * nranks);
}

/* An error on the last rank only becomes every rank's error and message. */
static void test_error_agreement(void) {
  rv_err_t e = RV_OK;
  if (rank == nranks - 1) e = rv_error_set(RV_ERR_DATA, "file.h5: /x: row %d: value 7", rank);
  const rv_err_t g = rv_error_agree(comm, e);
  CU_ASSERT_EQUAL(g, RV_ERR_DATA);
  char expect[64];
  snprintf(expect, sizeof expect, "file.h5: /x: row %d: value 7", nranks - 1);
  CU_ASSERT_STRING_EQUAL(rv_error_message(), expect);
  CU_ASSERT(rv_error_agreed());
  rv_error_clear();
  CU_ASSERT_EQUAL(rv_error_agree(comm, RV_OK), RV_OK);
  /* Two failing ranks: the lowest one wins. */
  e = rank >= 1 || nranks == 1 ? rv_error_set(rank == 1 ? RV_ERR_IO : RV_ERR_USAGE, "r%d", rank) : RV_OK;
  const rv_err_t g2 = rv_error_agree(comm, e);
  CU_ASSERT_EQUAL(g2, nranks == 1 ? RV_ERR_USAGE : RV_ERR_IO);
  CU_ASSERT_STRING_EQUAL(rv_error_message(), nranks == 1 ? "r0" : "r1");
  rv_error_clear();
}

static void test_bcast_jobspec(void) {
  Receval__JobSpec spec = RECEVAL__JOB_SPEC__INIT;
  int32_t ks[3] = {5, 10, 100};
  char *metrics[2] = {(char *)"ndcg", (char *)"hit"};
  if (rank == 0) {
    spec.dataset = (char *)"data.h5";
    spec.out_dir = (char *)"out";
    spec.n_k = 3;
    spec.k = ks;
    spec.n_metrics = 2;
    spec.metrics = metrics;
    spec.has_block_users = 1;
    spec.block_users = 17;
  }
  ProtobufCMessage *copy = NULL;
  uint8_t *bytes = NULL;
  size_t len = 0;
  CU_ASSERT_EQUAL_FATAL(rv_bcast_message(comm, 0, &spec.base, &receval__job_spec__descriptor, &copy,
                                         &bytes, &len),
                        RV_OK);
  const Receval__JobSpec *j = (const Receval__JobSpec *)copy;
  CU_ASSERT_STRING_EQUAL(j->dataset, "data.h5");
  CU_ASSERT_EQUAL(j->n_k, 3);
  CU_ASSERT_EQUAL(j->k[2], 100);
  CU_ASSERT_EQUAL(j->block_users, 17);
  CU_ASSERT_STRING_EQUAL(j->metrics[1], "hit");
  /* Same bytes everywhere: compare a hash of them across ranks. */
  uint64_t h = 1469598103934665603ULL, hmin, hmax;
  for (size_t i = 0; i < len; i++) h = (h ^ bytes[i]) * 1099511628211ULL;
  MPI_Allreduce(&h, &hmin, 1, MPI_UINT64_T, MPI_MIN, comm);
  MPI_Allreduce(&h, &hmax, 1, MPI_UINT64_T, MPI_MAX, comm);
  CU_ASSERT_EQUAL(hmin, hmax);
  protobuf_c_message_free_unpacked(copy, NULL);
  free(bytes);
}

/* results.h5 written collectively with fewer users than ranks (empty
 * ranks take part with empty selections) reads back row by row. */
static void test_results_roundtrip_with_empty_ranks(void) {
  const int64_t n_users = 2, n_items = 5;
  const int kmax = 3;
  int64_t b[64];
  rv_partition_even(n_users, nranks, b);
  const int64_t u0 = b[rank], u1 = b[rank + 1], nu = u1 - u0;
  int32_t items[6];
  float scores[6];
  double vals[2];
  for (int64_t u = u0; u < u1; u++) {
    for (int r = 0; r < kmax; r++) {
      items[(u - u0) * kmax + r] = (int32_t)(u + r);
      scores[(u - u0) * kmax + r] = (float)(10 * u + r);
    }
    vals[u - u0] = u == 0 ? NAN : 0.5;
  }
  int64_t exposure[5] = {1, 2, 2, 1, 0};
  const char *names[1] = {"ndcg@3"};
  const double *cols[1] = {vals};
  const uint8_t spec[3] = {1, 2, 3};
  char path[256];
  snprintf(path, sizeof path, "test_mpi_results_%d.h5", nranks);
  const rv_results_t res = {.n_users = n_users, .n_items = n_items, .kmax = kmax, .u0 = u0, .u1 = u1,
                            .top_items = items, .top_scores = scores, .ncols = 1, .col_names = names,
                            .cols = cols, .exposure = exposure, .jobspec = spec, .jobspec_len = 3,
                            .dataset_path = "d.h5", .dataset_checksum = "rvh64:0"};
  CU_ASSERT_EQUAL_FATAL(rv_results_write(comm, path, &res), RV_OK);
  (void)nu;
  hid_t f;
  CU_ASSERT_EQUAL_FATAL(rv_h5_open_read(comm, path, &f), RV_OK);
  int32_t all_items[6];
  double all_vals[2];
  int64_t all_exp[5];
  CU_ASSERT_EQUAL(rv_h5_read_rows(f, path, "/topk/items", H5T_NATIVE_INT32, 0, 2, kmax, all_items), RV_OK);
  CU_ASSERT_EQUAL(rv_h5_read_rows(f, path, "/per_user/ndcg@3", H5T_NATIVE_DOUBLE, 0, 2, 1, all_vals), RV_OK);
  CU_ASSERT_EQUAL(rv_h5_read_rows(f, path, "/exposure/count", H5T_NATIVE_INT64, 0, 5, 1, all_exp), RV_OK);
  H5Fclose(f);
  for (int u = 0; u < 2; u++)
    for (int r = 0; r < kmax; r++) CU_ASSERT_EQUAL(all_items[u * kmax + r], u + r);
  CU_ASSERT(isnan(all_vals[0]));
  CU_ASSERT_EQUAL(all_vals[1], 0.5);
  CU_ASSERT_EQUAL(all_exp[2], 2);
  CU_ASSERT_EQUAL(all_exp[4], 0);
  MPI_Barrier(comm);
  if (rank == 0) unlink(path);
}

/* Byte copy of a file; 0 on success. */
static int copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  char buf[65536];
  size_t n;
  int bad = !in || !out;
  while (!bad && (n = fread(buf, 1, sizeof buf, in)) > 0) bad = fwrite(buf, 1, n, out) != n;
  if (in) bad |= ferror(in), fclose(in);
  if (out) bad |= fclose(out) != 0;
  return bad;
}

/* Serial HDF5 (no MPI-IO): a whole 1-D int64 dataset, the independent view. */
static int64_t *read_all_i64(const char *path, const char *name, int64_t n) {
  int64_t *v = malloc(sizeof(int64_t) * (size_t)n);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : H5I_INVALID_HID;
  if (!v || d < 0 || H5Dread(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
    free(v);
    v = NULL;
  }
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  return v;
}

/* No rank holds the whole row pointers: rv_dataset_open keeps them at every
 * RV_DATASET_GRAIN-th user, rv_dataset_read_users reads the rank's slice.
 * Both against a serial read of the file, with user ranges that include an
 * empty one and two starting at the same user (the selections that a
 * collective OMPIO read got wrong), and a decreasing pointer that must be
 * reported at its own row at any rank count. */
static void test_dataset_row_pointer_slices(void) {
  const int64_t n = 1000;
  char path[256], bad[256];
  snprintf(path, sizeof path, "test_mpi_ds_%d.h5", nranks);
  snprintf(bad, sizeof bad, "test_mpi_ds_bad_%d.h5", nranks);
  const rv_synth_params_t p = {.n_users = n, .n_items = 60, .dim = 4, .seed = 5, .noise = 0.5, .pop_sigma = 1.0,
                               .in_cluster = 0.8, .min_inter = 1, .max_inter = 9, .test_frac = 0.3,
                               .no_test_frac = 0.1};
  CU_ASSERT_EQUAL_FATAL(rv_synth_write(comm, &p, path), RV_OK);
  int64_t *tr = read_all_i64(path, "/train/indptr", n + 1), *te = read_all_i64(path, "/test/indptr", n + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(tr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(te);
  rv_dataset_t *ds = NULL;
  CU_ASSERT_EQUAL_FATAL(rv_dataset_open(comm, path, &ds), RV_OK);
  CU_ASSERT_EQUAL(ds->grain, RV_DATASET_GRAIN);
  const int64_t ng = (n + RV_DATASET_GRAIN - 1) / RV_DATASET_GRAIN; /* 4: users 0, 256, 512, 768, then 1000 */
  CU_ASSERT_EQUAL(ng, 4);
  for (int64_t g = 0; g <= ng; g++) {
    const int64_t u = g < ng ? g * RV_DATASET_GRAIN : n;
    CU_ASSERT_EQUAL(ds->train_coarse[g], tr[u]);
    CU_ASSERT_EQUAL(ds->test_coarse[g], te[u]);
  }
  /* Ranges: [0, 256), then (from 3 ranks) an empty one at 256, the rest split. */
  int64_t b[65];
  b[0] = 0;
  if (nranks == 1) b[1] = n;
  else {
    b[1] = RV_DATASET_GRAIN;
    const int first_rest = nranks >= 3 ? 2 : 1;
    if (nranks >= 3) b[2] = b[1];
    for (int r = first_rest; r < nranks; r++)
      b[r + 1] = b[first_rest] + (n - b[first_rest]) * (r + 1 - first_rest) / (nranks - first_rest);
  }
  CU_ASSERT_EQUAL_FATAL(rv_dataset_read_users(comm, ds, b[rank], b[rank + 1]), RV_OK);
  int ok = 1;
  for (int64_t u = ds->u0; u <= ds->u1; u++) ok &= rv_train_ptr(ds, u) == tr[u] && rv_test_ptr(ds, u) == te[u];
  CU_ASSERT(ok);
  rv_dataset_destroy(&ds);

  /* /train/indptr decreases at row 700 (one less than row 699). */
  if (rank == 0) {
    CU_ASSERT_EQUAL(copy_file(path, bad), 0); /* no system(): a child process would upset valgrind's one log per rank */
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/train/indptr", H5P_DEFAULT);
    hsize_t at = 700, one = 1;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(1, &one, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
    const int64_t v = tr[699] - 1;
    CU_ASSERT(H5Dwrite(d, H5T_NATIVE_INT64, ms, fs, H5P_DEFAULT, &v) >= 0);
    H5Sclose(ms), H5Sclose(fs), H5Dclose(d), H5Fclose(f);
  }
  MPI_Barrier(comm);
  CU_ASSERT_EQUAL(rv_dataset_open(comm, bad, &ds), RV_ERR_DATA);
  CU_ASSERT_PTR_NULL(ds);
  char want[600];
  snprintf(want, sizeof want, "%s: /train/indptr: row 700: value %lld < previous %lld (must not decrease)", bad,
           (long long)(tr[699] - 1), (long long)tr[699]);
  CU_ASSERT_STRING_EQUAL(rv_error_message(), want);
  rv_error_clear();
  free(tr);
  free(te);
  MPI_Barrier(comm);
  if (rank == 0) unlink(path), unlink(bad);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  comm = MPI_COMM_WORLD;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  rv_h5_quiet();
  if (CU_initialize_registry() != CUE_SUCCESS) MPI_Abort(comm, 1);
  CU_pSuite s = CU_add_suite("mpi", NULL, NULL);
  CU_add_test(s, "exact sum is independent of the partition", test_exact_sum_any_partition);
  CU_add_test(s, "moments reduce exactly", test_moments_reduce);
  CU_add_test(s, "int64 counters reduce", test_i64_reduce);
  CU_add_test(s, "errors are agreed from the lowest failing rank", test_error_agreement);
  CU_add_test(s, "JobSpec broadcast", test_bcast_jobspec);
  CU_add_test(s, "results.h5 round trip with empty ranks", test_results_roundtrip_with_empty_ranks);
  CU_add_test(s, "dataset row pointers in slices", test_dataset_row_pointer_slices);
  CU_basic_set_mode(rank == 0 ? CU_BRM_VERBOSE : CU_BRM_SILENT);
  CU_basic_run_tests();
  int fails = (int)CU_get_number_of_failures() + (CU_get_error() != CUE_SUCCESS), total = 0;
  MPI_Allreduce(&fails, &total, 1, MPI_INT, MPI_SUM, comm);
  if (rank == 0) printf("ranks=%d failures over all ranks: %d\n", nranks, total);
  CU_cleanup_registry();
  MPI_Finalize();
  return total != 0;
}
