/* `receval inspect FILE`: the root attributes and every dataset (type,
 * shape) of an HDF5 file; for a receval dataset, the full validation of
 * `eval` (collective, every rank its users) and statistics. Exit code 3 when
 * the dataset is invalid, after printing the verdict. */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "comm/reduce.h"
#include "io/dataset.h"
#include "io/h5local.h"
#include "io/h5util.h"
#include "io/schema.h"
#include "kernels/partition.h"

static const rv_option_t inspect_options[] = {{NULL, NULL, NULL, NULL}};

static herr_t print_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  FILE *out = data;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a), s = H5Aget_space(a);
  const hssize_t n = H5Sget_simple_extent_npoints(s);
  fprintf(out, "  @%-26s ", name);
  if (H5Tget_class(t) == H5T_INTEGER && n == 1 && H5Tget_sign(t) == H5T_SGN_NONE) {
    unsigned long long v = 0; /* read as signed, 2^64-1 would print as 2^63-1 */
    H5Aread(a, H5T_NATIVE_ULLONG, &v);
    fprintf(out, "%llu\n", v);
  } else if (H5Tget_class(t) == H5T_INTEGER && n == 1) {
    long long v = 0;
    H5Aread(a, H5T_NATIVE_LLONG, &v);
    fprintf(out, "%lld\n", v);
  } else if (H5Tget_class(t) == H5T_FLOAT && n == 1) {
    double v = 0;
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    fprintf(out, "%.17g\n", v);
  } else if (H5Tget_class(t) == H5T_STRING && n == 1) {
    char buf[4096];
    if (rv_h5_attr_str(loc, "", name, buf, sizeof buf) == RV_OK)
      fprintf(out, "\"%s\"\n", buf);
    else
      fprintf(out, "(unreadable string)\n");
  } else {
    fprintf(out, "(%lld values)\n", (long long)n);
  }
  H5Sclose(s), H5Tclose(t), H5Aclose(a);
  return 0;
}

static herr_t print_obj(hid_t loc, const char *name, const H5O_info_t *info, void *data) {
  FILE *out = data;
  if (info->type != H5O_TYPE_DATASET) return 0;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT), t = H5Dget_type(d), s = H5Dget_space(d);
  hsize_t dims[8] = {0};
  const int nd = H5Sget_simple_extent_ndims(s);
  if (nd > 0 && nd <= 8) H5Sget_simple_extent_dims(s, dims, NULL);
  const H5T_class_t c = H5Tget_class(t);
  char ty[64];
  if (c == H5T_STRING)
    snprintf(ty, sizeof ty, "%s string", H5Tis_variable_str(t) > 0 ? "vlen" : "fixed");
  else
    snprintf(ty, sizeof ty, "%s%zu", c == H5T_FLOAT ? "float" : c == H5T_INTEGER ? (H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") : "other",
             8 * H5Tget_size(t));
  fprintf(out, "  /%-27s %-12s [", name, ty);
  for (int i = 0; i < nd && i < 8; i++) fprintf(out, "%s%llu", i ? ", " : "", (unsigned long long)dims[i]);
  fprintf(out, "]\n");
  H5Sclose(s), H5Tclose(t), H5Dclose(d);
  return 0;
}

/* Soft and external links: H5Ovisit does not follow them, so a dataset
 * behind one would not be listed (eval refuses external links). */
static herr_t print_link(hid_t loc, const char *name, const H5L_info_t *info, void *data) {
  FILE *out = data;
  char val[1024];
  const char *ofile = "?", *opath = "?";
  unsigned flags;
  if (info->type == H5L_TYPE_HARD) return 0;
  if (info->u.val_size == 0 || info->u.val_size > sizeof val || H5Lget_val(loc, name, val, sizeof val, H5P_DEFAULT) < 0)
    snprintf(val, sizeof val, "?");
  if (info->type == H5L_TYPE_SOFT)
    fprintf(out, "  /%-27s soft link to %s\n", name, val);
  else if (info->type == H5L_TYPE_EXTERNAL) {
    if (H5Lunpack_elink_val(val, info->u.val_size, &flags, &ofile, &opath) < 0) ofile = opath = "?";
    fprintf(out, "  /%-27s external link to %s:%s (not read: data outside the file)\n", name, ofile, opath);
  } else
    fprintf(out, "  /%-27s user-defined link (not read)\n", name);
  return 0;
}

/* Rank 0: lists the file serially; *is_dataset = 1 for a receval dataset. */
static rv_err_t listing(const char *path, FILE *out, int *is_dataset) {
  rv_err_t err = RV_OK;
  uint64_t size;
  *is_dataset = 0;
  RV_TRY(rv_dataset_precheck(path, &size)); /* the checks and messages of eval */
  hid_t f = H5I_INVALID_HID;
  RV_TRY(rv_h5l_open(path, &f));
  char fmt[128] = "";
  if (H5Aexists(f, RV_ATTR_FORMAT) > 0) rv_h5_attr_str(f, path, RV_ATTR_FORMAT, fmt, sizeof fmt);
  *is_dataset = strcmp(fmt, "receval-dataset") == 0;
  if (out) {
    fprintf(out, "%s\nroot attributes:\n", path);
    H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, NULL, print_attr, out);
    fprintf(out, "datasets:\n");
    H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, print_obj, out);
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, print_link, out);
  }
  H5Fclose(f);
done:
  return err;
}

static int cmp_i64(const void *a, const void *b) {
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* The row lengths of every user, on rank 0 (*len, n_users entries; NULL on
 * the other ranks): the median needs them all, and no rank holds the whole
 * row pointers. Collective. */
static rv_err_t gather_lengths(MPI_Comm comm, const rv_dataset_t *ds, int test, int64_t **len) {
  rv_err_t err = RV_OK;
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const int64_t nu = ds->u1 - ds->u0;
  int64_t *mine = NULL, *all = NULL;
  int *counts = NULL, *displs = NULL;
  *len = NULL;
  /* Checked before rank 0 allocates n_users lengths (MPI counts are int). */
  if (ds->n_users > INT32_MAX)
    err = rv_error_set(RV_ERR_USAGE, "receval inspect: %lld users: row statistics are limited to %d users",
                       (long long)ds->n_users, INT32_MAX);
  RV_AGREE(comm);
  mine = malloc(sizeof(int64_t) * (size_t)(nu + 1));
  counts = malloc(sizeof(int) * (size_t)size);
  displs = malloc(sizeof(int) * (size_t)size);
  if (rank == 0) all = malloc(sizeof(int64_t) * (size_t)ds->n_users);
  if (!mine || !counts || !displs || (rank == 0 && !all)) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  for (int64_t u = ds->u0; u < ds->u1; u++)
    mine[u - ds->u0] = test ? rv_test_ptr(ds, u + 1) - rv_test_ptr(ds, u) : rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
  int n = (int)nu;
  RV_MPI_TRY(MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, comm));
  if (rank == 0)
    for (int r = 0, at = 0; r < size; r++) displs[r] = at, at += counts[r];
  RV_MPI_TRY(MPI_Gatherv(mine, n, MPI_INT64_T, all, counts, displs, MPI_INT64_T, 0, comm));
  *len = all;
  all = NULL;
done:
  free(mine);
  free(all);
  free(counts);
  free(displs);
  return err;
}

/* min / median / max / mean of n row lengths (sorted in place) holding nnz entries. */
static void row_stats(FILE *out, const char *what, int64_t *len, int64_t n, int64_t nnz) {
  int64_t empty = 0;
  for (int64_t u = 0; u < n; u++) empty += len[u] == 0;
  qsort(len, (size_t)n, sizeof(int64_t), cmp_i64);
  const double med = n % 2 ? (double)len[n / 2] : 0.5 * (double)(len[n / 2 - 1] + len[n / 2]);
  fprintf(out, "  %-28s min %lld, median %g, max %lld, mean %.3f; %lld empty\n", what, (long long)len[0], med,
          (long long)len[n - 1], (double)nnz / (double)n, (long long)empty);
}

rv_err_t rv_cmd_inspect(MPI_Comm comm, int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, size, is_ds = 0, help = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  rv_dataset_t *ds = NULL;
  int64_t *pop = NULL, *len_train = NULL, *len_test = NULL, bounds[2];
  rv_args_t a;
  err = rv_args_parse("inspect", inspect_options, argc, argv, &a);
  if (!err && a.help) {
    if (rank == 0) rv_args_print_help(out, "inspect", "FILE.h5", inspect_options);
    help = 1;
  }
  if (!err && !help && a.npos != 1)
    err = rv_error_set(RV_ERR_USAGE, "receval inspect: expected one FILE argument, got %d", a.npos);
  RV_AGREE(comm);
  if (help) goto done;
  const char *path = a.pos[0];
  if (rank == 0) err = listing(path, out, &is_ds);
  RV_AGREE(comm);
  RV_MPI_TRY(MPI_Bcast(&is_ds, 1, MPI_INT, 0, comm));
  if (!is_ds) {
    if (rank == 0 && out) fprintf(out, "verdict: not a receval dataset (root attribute format is not \"receval-dataset\")\n");
    goto done;
  }
  err = rv_dataset_open(comm, path, &ds);
  if (!err) {
    int64_t b[size + 1];
    rv_partition_even(ds->n_users, size, b);
    bounds[0] = b[rank], bounds[1] = b[rank + 1];
    err = rv_dataset_read_users(comm, ds, bounds[0], bounds[1]);
  }
  if (err) {
    if (rank == 0 && out) fprintf(out, "verdict: INVALID: %s\n", rv_error_message());
    goto done;
  }
  pop = calloc((size_t)ds->n_items, sizeof(int64_t));
  if (!pop) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  RV_AGREE(comm);
  for (int64_t t = 0; t < rv_train_ptr(ds, ds->u1) - rv_train_ptr(ds, ds->u0); t++) pop[ds->train_idx[t]]++;
  RV_TRY(rv_allreduce_i64(comm, pop, ds->n_items));
  RV_TRY(gather_lengths(comm, ds, 0, &len_train));
  RV_TRY(gather_lengths(comm, ds, 1, &len_test));
  if (rank == 0 && out) {
    int64_t cold = 0, maxpop = 0;
    for (int64_t i = 0; i < ds->n_items; i++) cold += pop[i] == 0, maxpop = pop[i] > maxpop ? pop[i] : maxpop;
    fprintf(out, "statistics:\n");
    fprintf(out, "  %-28s %lld users, %lld items, dim %d\n", "sizes", (long long)ds->n_users, (long long)ds->n_items,
            ds->dim);
    fprintf(out, "  %-28s %lld train, %lld test; train density %.3g\n", "interactions", (long long)ds->train_nnz,
            (long long)ds->test_nnz, (double)ds->train_nnz / ((double)ds->n_users * (double)ds->n_items));
    row_stats(out, "train items per user", len_train, ds->n_users, ds->train_nnz);
    row_stats(out, "test items per user", len_test, ds->n_users, ds->test_nnz);
    fprintf(out, "  %-28s %lld items with no train interaction; most popular item has %lld\n", "item popularity",
            (long long)cold, (long long)maxpop);
    fprintf(out, "  %-28s user embeddings %s, graded test values %s, categories %s (%d)\n", "optional data",
            ds->has_user_embeddings ? "yes" : "no (pooled from train items)", ds->has_test_values ? "yes" : "no",
            ds->has_categories ? "yes" : "no", ds->n_categories);
    fprintf(out, "verdict: valid (every check of receval eval passed)\n");
    fflush(out);
  }
done:
  free(pop);
  free(len_train);
  free(len_test);
  rv_dataset_destroy(&ds);
  return err;
}
