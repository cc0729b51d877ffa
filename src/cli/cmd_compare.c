/* `receval compare DIR_A DIR_B`: paired significance tests on the per-user
 * values two evaluations of the same dataset left in results.h5 (kernels/
 * signif.h), over the users both evaluated, with Holm-Bonferroni across the
 * compared metrics. A table on stdout and, with --json FILE, the same as
 * JSON. Rank 0 does the work (it is cheap); the others wait for the agreed
 * result. */
#include <errno.h>
#include <hdf5.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "io/h5util.h"
#include "io/input.h"
#include "io/outdir.h"
#include "kernels/signif.h"

#define RV_MAX_CMP 256

static const rv_option_t compare_options[] = {
    {"metrics", "LIST", "per-user metrics to compare, comma-separated [default: every one both hold]", NULL},
    {"alpha", "X", "significance level of the verdict column (Holm-adjusted p)", "0.05"},
    {"json", "FILE", "also write the results as JSON to FILE ('-' for stdout)", NULL},
    {NULL, NULL, NULL, NULL}};

typedef struct side {
  char path[4200];
  hid_t f;
  int64_t n_users;
  char checksum[64];
  char names[RV_MAX_CMP][64];
  int n;
} side_t;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g, (void)info;
  side_t *s = data;
  if (s->n < RV_MAX_CMP && strlen(name) < sizeof s->names[0]) snprintf(s->names[s->n++], sizeof s->names[0], "%s", name);
  return 0;
}

static rv_err_t open_side(const char *dir, side_t *s) {
  rv_err_t err = RV_OK;
  hid_t d = H5I_INVALID_HID, sp = H5I_INVALID_HID, g = H5I_INVALID_HID;
  snprintf(s->path, sizeof s->path, "%s/results.h5", dir);
  s->f = H5I_INVALID_HID;
  if (access(s->path, F_OK) == 0) RV_TRY(rv_input_regular(s->path, "results file")); /* a FIFO is never opened */
  RV_REQUIRE(H5Fis_hdf5(s->path) > 0, RV_ERR_IO, "%s: missing or not an HDF5 file (run receval eval or runs first)",
             s->path);
  s->f = H5Fopen(s->path, H5F_ACC_RDONLY, H5P_DEFAULT);
  RV_REQUIRE(s->f >= 0, RV_ERR_IO, "%s: cannot open", s->path);
  char fmt[64];
  RV_TRY(rv_h5_attr_str(s->f, s->path, "format", fmt, sizeof fmt));
  RV_REQUIRE(strcmp(fmt, "receval-results") == 0, RV_ERR_DATA, "%s: format is '%s', expected receval-results",
             s->path, fmt);
  RV_TRY(rv_h5_attr_str(s->f, s->path, "dataset_checksum", s->checksum, sizeof s->checksum));
  RV_REQUIRE(rv_h5_exists(s->f, "/topk/items"), RV_ERR_DATA, "%s: /topk/items is missing", s->path);
  d = H5Dopen2(s->f, "/topk/items", H5P_DEFAULT);
  sp = H5Dget_space(d);
  hsize_t dims[2] = {0, 0};
  RV_REQUIRE(d >= 0 && sp >= 0 && H5Sget_simple_extent_ndims(sp) == 2, RV_ERR_DATA, "%s: /topk/items is not 2-D",
             s->path);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  s->n_users = (int64_t)dims[0];
  if (rv_h5_exists(s->f, "/per_user")) {
    g = H5Gopen2(s->f, "/per_user", H5P_DEFAULT);
    RV_REQUIRE(g >= 0, RV_ERR_DATA, "%s: /per_user is not a group", s->path);
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, s);
  }
done:
  if (g >= 0) H5Gclose(g);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  return err;
}

static rv_err_t read_col(side_t *s, const char *name, double *v) {
  rv_err_t err = RV_OK;
  char p[128];
  hsize_t dims[1];
  snprintf(p, sizeof p, "/per_user/%s", name);
  RV_TRY(rv_h5_check_dataset(s->f, s->path, p, H5T_FLOAT, 8, 1, dims));
  RV_REQUIRE((int64_t)dims[0] == s->n_users, RV_ERR_DATA, "%s: %s has %llu values for %lld users", s->path, p,
             (unsigned long long)dims[0], (long long)s->n_users);
  hid_t d = H5Dopen2(s->f, p, H5P_DEFAULT);
  const herr_t rc = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  RV_REQUIRE(rc >= 0, RV_ERR_IO, "%s: %s: read failed", s->path, p);
done:
  return err;
}

static int listed(const char *list, const char *name) {
  if (!list) return 1;
  const size_t n = strlen(name);
  for (const char *p = list; p && *p;) {
    const char *e = strchr(p, ',');
    const size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && strncmp(p, name, n) == 0) return 1;
    p = e ? e + 1 : NULL;
  }
  return 0;
}

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static rv_err_t compare(int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  rv_args_t a;
  side_t *A = calloc(1, sizeof *A), *B = calloc(1, sizeof *B);
  double *va = NULL, *vb = NULL, *pa = NULL, *pb = NULL;
  rv_paired_t *res = NULL;
  json_t *root = NULL;
  const char *names[RV_MAX_CMP];
  int nm = 0;
  RV_REQUIRE(A && B, RV_ERR_RUNTIME, "out of memory");
  A->f = B->f = H5I_INVALID_HID;
  RV_TRY(rv_args_parse("compare", compare_options, argc, argv, &a));
  if (a.help) {
    rv_args_print_help(out, "compare", "DIR_A DIR_B [options]", compare_options);
    goto done;
  }
  RV_REQUIRE(a.npos == 2, RV_ERR_USAGE, "receval compare: expected DIR_A DIR_B, got %d arguments", a.npos);
  double alpha = 0.05;
  RV_TRY(rv_arg_double(&a, "alpha", 0.0, 1.0, &alpha));
  RV_TRY(open_side(a.pos[0], A));
  RV_TRY(open_side(a.pos[1], B));
  RV_REQUIRE(strcmp(A->checksum, B->checksum) == 0 && A->n_users == B->n_users, RV_ERR_DATA,
             "receval compare: %s and %s evaluate different datasets (checksums %s and %s)", A->path, B->path,
             A->checksum, B->checksum);
  const char *want = rv_arg_str(&a, "metrics");
  for (int i = 0; i < A->n; i++)
    for (int j = 0; j < B->n; j++)
      if (strcmp(A->names[i], B->names[j]) == 0 && listed(want, A->names[i])) names[nm++] = A->names[i];
  if (want)
    for (const char *p = want; p && *p;) {
      const char *e = strchr(p, ',');
      const int len = e ? (int)(e - p) : (int)strlen(p);
      int found = 0;
      for (int i = 0; i < nm; i++) found |= (int)strlen(names[i]) == len && strncmp(names[i], p, (size_t)len) == 0;
      RV_REQUIRE(found, RV_ERR_USAGE, "receval compare: --metrics: '%.*s' is not a per-user metric of both runs", len, p);
      p = e ? e + 1 : NULL;
    }
  RV_REQUIRE(nm > 0, RV_ERR_DATA, "receval compare: %s and %s share no per-user metric", A->path, B->path);
  const int64_t n = A->n_users;
  va = malloc(sizeof(double) * (size_t)n), vb = malloc(sizeof(double) * (size_t)n);
  pa = malloc(sizeof(double) * (size_t)n), pb = malloc(sizeof(double) * (size_t)n);
  res = calloc((size_t)nm, sizeof *res);
  int usable = 0; /* metrics with at least one user valued in both runs */
  RV_REQUIRE(va && vb && pa && pb && res, RV_ERR_RUNTIME, "out of memory");
  for (int m = 0; m < nm; m++) {
    RV_TRY(read_col(A, names[m], va));
    RV_TRY(read_col(B, names[m], vb));
    int64_t k = 0;
    for (int64_t u = 0; u < n; u++)
      if (isfinite(va[u]) && isfinite(vb[u])) pa[k] = va[u], pb[k] = vb[u], k++;
    RV_REQUIRE(rv_paired_tests(pa, pb, k, &res[m]) == 0, RV_ERR_RUNTIME, "out of memory");
    if (k == 0) res[m].p_t = res[m].p_w = NAN; /* nothing tested: no p-value, out of Holm's count */
    usable += k > 0;
  }
  RV_REQUIRE(usable > 0, RV_ERR_DATA, "receval compare: %s and %s: no users with values in both runs for %s%s",
             A->path, B->path, names[0], nm > 1 ? " (nor for any other compared metric)" : "");
  double pt[RV_MAX_CMP], pw[RV_MAX_CMP], ht[RV_MAX_CMP], hw[RV_MAX_CMP];
  for (int m = 0; m < nm; m++) pt[m] = res[m].p_t, pw[m] = res[m].p_w;
  rv_holm(pt, nm, ht);
  rv_holm(pw, nm, hw);
  if (out) {
    fprintf(out, "receval compare: A = %s, B = %s (differences B - A; users both evaluated)\n", a.pos[0], a.pos[1]);
    fprintf(out, "%-22s %6s %10s %10s %10s %8s %10s %10s %7s %10s %10s %10s  %s\n", "metric", "users", "mean A",
            "mean B", "diff", "d_z", "p(t)", "holm p(t)", "r_rb", "p(W)", "holm p(W)", "W test", "verdict");
    for (int m = 0; m < nm; m++) {
      const rv_paired_t *r = &res[m];
      const char *verdict = r->n == 0                             ? "no users with values in both runs"
                            : !(ht[m] < alpha && hw[m] < alpha) ? "no significant difference"
                            : r->mean_diff > 0                 ? "B higher"
                                                               : "A higher";
      fprintf(out, "%-22s %6lld %10.6f %10.6f %+10.6f %8.4f %10.3g %10.3g %7.3f %10.3g %10.3g %10s  %s\n", names[m],
              (long long)r->n, r->mean_a, r->mean_b, r->mean_diff, r->cohen_dz, r->p_t, ht[m], r->rank_biserial,
              r->p_w, hw[m], r->n_nonzero == 0 ? "-" : r->exact ? "exact" : "normal", verdict);
    }
    fprintf(out, "a difference is reported when both Holm-adjusted p-values (t-test and Wilcoxon, across the %d "
                 "metrics) are below %g\n", nm, alpha);
    fflush(out);
  }
  const char *jpath = rv_arg_str(&a, "json");
  if (jpath) {
    root = json_object();
    json_object_set_new(root, "a", json_string(a.pos[0]));
    json_object_set_new(root, "b", json_string(a.pos[1]));
    json_object_set_new(root, "dataset_checksum", json_string(A->checksum));
    json_object_set_new(root, "difference", json_string("b - a"));
    json_object_set_new(root, "alpha", json_real(alpha));
    json_t *ms = json_object();
    for (int m = 0; m < nm; m++) {
      const rv_paired_t *r = &res[m];
      json_t *o = json_object();
      json_object_set_new(o, "users", json_integer(r->n));
      json_object_set_new(o, "mean_a", num(r->mean_a));
      json_object_set_new(o, "mean_b", num(r->mean_b));
      json_object_set_new(o, "mean_diff", num(r->mean_diff));
      json_object_set_new(o, "sd_diff", num(r->sd_diff));
      json_object_set_new(o, "t", num(r->t));
      json_object_set_new(o, "df", num(r->df));
      json_object_set_new(o, "p_t", num(r->p_t));
      json_object_set_new(o, "p_t_holm", num(ht[m]));
      json_object_set_new(o, "cohen_dz", num(r->cohen_dz));
      json_object_set_new(o, "wilcoxon_nonzero", json_integer(r->n_nonzero));
      json_object_set_new(o, "wilcoxon_w_plus", num(r->w_plus));
      json_object_set_new(o, "wilcoxon_w_minus", num(r->w_minus));
      json_object_set_new(o, "wilcoxon_z", num(r->z));
      json_object_set_new(o, "wilcoxon_exact", json_boolean(r->exact));
      json_object_set_new(o, "p_wilcoxon", num(r->p_w));
      json_object_set_new(o, "p_wilcoxon_holm", num(hw[m]));
      json_object_set_new(o, "rank_biserial", num(r->rank_biserial));
      json_object_set_new(ms, names[m], o);
    }
    json_object_set_new(root, "metrics", ms);
    const size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER;
    if (strcmp(jpath, "-") == 0) {
      RV_REQUIRE(json_dumpf(root, out, flags) == 0, RV_ERR_IO, "cannot write JSON to stdout");
      fputc('\n', out);
    } else {
      char tmp[4200];
      char in[6][4200];
      const char *inputs[7];
      for (int i = 0; i < 6; i++) {
        snprintf(in[i], sizeof in[i], "%s/%s", a.pos[i / 3], i % 3 == 0 ? "report.json" : i % 3 == 1 ? "report.pb" : "results.h5");
        inputs[i] = in[i];
      }
      inputs[6] = NULL;
      RV_TRY(rv_output_not_input(jpath, inputs));
      snprintf(tmp, sizeof tmp, "%s.tmp", jpath);
      RV_REQUIRE(json_dump_file(root, tmp, flags) == 0, RV_ERR_IO, "%s: cannot write", tmp);
      if (rename(tmp, jpath) != 0) {
        remove(tmp);
        RV_FAIL(RV_ERR_IO, "%s: cannot rename to %s: %s", tmp, jpath, strerror(errno));
      }
    }
  }
done:
  if (root) json_decref(root);
  if (A && A->f >= 0) H5Fclose(A->f);
  if (B && B->f >= 0) H5Fclose(B->f);
  free(A), free(B), free(va), free(vb), free(pa), free(pb), free(res);
  return err;
}

rv_err_t rv_cmd_compare(MPI_Comm comm, int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) err = compare(argc, argv, out);
  RV_AGREE(comm);
done:
  return err;
}
