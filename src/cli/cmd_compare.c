/* `receval compare DIR_A DIR_B`: paired significance tests on the per-user
 * values two evaluations of the same dataset left in results.h5 (kernels/
 * signif.h), over the users both evaluated, with Holm-Bonferroni across the
 * compared metrics. A table on stdout and, with --json FILE, the same as
 * JSON. Rank 0 does the work (it is cheap); the others wait for the agreed
 * result. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "io/outdir.h"
#include "io/results_read.h"
#include "io/schema.h"
#include "kernels/signif.h"

#define RV_MAX_CMP RV_RESULTS_MAX_COLS

static const rv_option_t compare_options[] = {
    {"metrics", "LIST", "per-user metrics to compare, comma-separated [default: every one both hold]", NULL},
    {"alpha", "X", "significance level of the verdict column (Holm-adjusted p)", "0.05"},
    {"json", "FILE", "also write the results as JSON to FILE ('-' for stdout)", NULL},
    {NULL, NULL, NULL, NULL}};

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

typedef rv_results_in_t side_t;

/* The per-user metrics both sides hold (and --metrics names, each checked). */
static rv_err_t pick_metrics(const side_t *A, const side_t *B, const char *want, const char **names, int *nm) {
  rv_err_t err = RV_OK;
  *nm = 0;
  for (int i = 0; i < A->n; i++)
    for (int j = 0; j < B->n; j++)
      if (strcmp(A->names[i], B->names[j]) == 0 && listed(want, A->names[i])) names[(*nm)++] = A->names[i];
  if (want)
    for (const char *p = want; p && *p;) {
      const char *e = strchr(p, ',');
      const int len = e ? (int)(e - p) : (int)strlen(p);
      int found = 0;
      for (int i = 0; i < *nm; i++) found |= (int)strlen(names[i]) == len && strncmp(names[i], p, (size_t)len) == 0;
      RV_REQUIRE(found, RV_ERR_USAGE, "receval compare: --metrics: '%.*s' is not a per-user metric of both runs", len, p);
      p = e ? e + 1 : NULL;
    }
  RV_REQUIRE(*nm > 0, RV_ERR_DATA, "receval compare: %s and %s share no per-user metric", A->path, B->path);
done:
  return err;
}

/* The paired tests of each metric over the users valued in both runs. */
static rv_err_t run_tests(const side_t *A, const side_t *B, const char *const *names, int nm, rv_paired_t *res) {
  rv_err_t err = RV_OK;
  const int64_t n = A->n_users;
  double *va = malloc(sizeof(double) * (size_t)n), *vb = malloc(sizeof(double) * (size_t)n);
  double *pa = malloc(sizeof(double) * (size_t)n), *pb = malloc(sizeof(double) * (size_t)n);
  int usable = 0; /* metrics with at least one user valued in both runs */
  RV_REQUIRE(va && vb && pa && pb && res, RV_ERR_RUNTIME, "out of memory");
  for (int m = 0; m < nm; m++) {
    RV_TRY(rv_results_in_column(A, names[m], va));
    RV_TRY(rv_results_in_column(B, names[m], vb));
    int64_t k = 0;
    for (int64_t u = 0; u < n; u++)
      if (isfinite(va[u]) && isfinite(vb[u])) pa[k] = va[u], pb[k] = vb[u], k++;
    RV_REQUIRE(rv_paired_tests(pa, pb, k, &res[m]) == 0, RV_ERR_RUNTIME, "out of memory");
    if (k == 0) res[m].p_t = res[m].p_w = NAN; /* nothing tested: no p-value, out of Holm's count */
    usable += k > 0;
  }
  RV_REQUIRE(usable > 0, RV_ERR_DATA, "receval compare: %s and %s: no users with values in both runs for %s%s",
             A->path, B->path, names[0], nm > 1 ? " (nor for any other compared metric)" : "");
done:
  free(va), free(vb), free(pa), free(pb);
  return err;
}

typedef struct verdicts {
  const char *dir_a, *dir_b, *checksum;
  const char *const *names;
  const rv_paired_t *res;
  const double *ht, *hw; /* Holm-adjusted p of the t-test and of Wilcoxon */
  int nm;
  double alpha;
} verdicts_t;

static void print_table(FILE *out, const verdicts_t *v) {
  fprintf(out, "receval compare: A = %s, B = %s (differences B - A; users both evaluated)\n", v->dir_a, v->dir_b);
  fprintf(out, "%-22s %6s %10s %10s %10s %8s %10s %10s %7s %10s %10s %10s  %s\n", "metric", "users", "mean A",
          "mean B", "diff", "d_z", "p(t)", "holm p(t)", "r_rb", "p(W)", "holm p(W)", "W test", "verdict");
  for (int m = 0; m < v->nm; m++) {
    const rv_paired_t *r = &v->res[m];
    const char *verdict = r->n == 0                                         ? "no users with values in both runs"
                          : !(v->ht[m] < v->alpha && v->hw[m] < v->alpha) ? "no significant difference"
                          : r->mean_diff > 0                               ? "B higher"
                                                                           : "A higher";
    fprintf(out, "%-22s %6lld %10.6f %10.6f %+10.6f %8.4f %10.3g %10.3g %7.3f %10.3g %10.3g %10s  %s\n", v->names[m],
            (long long)r->n, r->mean_a, r->mean_b, r->mean_diff, r->cohen_dz, r->p_t, v->ht[m], r->rank_biserial,
            r->p_w, v->hw[m], r->n_nonzero == 0 ? "-" : r->exact ? "exact" : "normal", verdict);
  }
  fprintf(out, "a difference is reported when both Holm-adjusted p-values (t-test and Wilcoxon, across the %d "
               "metrics) are below %g\n", v->nm, v->alpha);
  fflush(out);
}

static void set_nums(json_t *o, const char *const *keys, const double *v, int n) {
  for (int i = 0; i < n; i++) json_object_set_new(o, keys[i], num(v[i]));
}

/* One metric's entry of the JSON (keys in this order). */
static json_t *metric_json(const rv_paired_t *r, double ht, double hw) {
  static const char *const k1[] = {"mean_a", "mean_b", "mean_diff", "sd_diff", "t", "df", "p_t", "p_t_holm", "cohen_dz"};
  static const char *const k2[] = {"wilcoxon_w_plus", "wilcoxon_w_minus", "wilcoxon_z"};
  static const char *const k3[] = {"p_wilcoxon", "p_wilcoxon_holm", "rank_biserial"};
  const double v1[] = {r->mean_a, r->mean_b, r->mean_diff, r->sd_diff, r->t, r->df, r->p_t, ht, r->cohen_dz};
  const double v2[] = {r->w_plus, r->w_minus, r->z}, v3[] = {r->p_w, hw, r->rank_biserial};
  json_t *o = json_object();
  json_object_set_new(o, "users", json_integer(r->n));
  set_nums(o, k1, v1, 9);
  json_object_set_new(o, "wilcoxon_nonzero", json_integer(r->n_nonzero));
  set_nums(o, k2, v2, 3);
  json_object_set_new(o, "wilcoxon_exact", json_boolean(r->exact));
  set_nums(o, k3, v3, 3);
  return o;
}

/* --json FILE: to stdout for '-', else FILE.tmp renamed over FILE (never
 * one of the six inputs). */
static rv_err_t write_json(const char *jpath, FILE *out, const verdicts_t *v) {
  rv_err_t err = RV_OK;
  json_t *root = json_object();
  json_object_set_new(root, "a", json_string(v->dir_a));
  json_object_set_new(root, "b", json_string(v->dir_b));
  json_object_set_new(root, "dataset_checksum", json_string(v->checksum));
  json_object_set_new(root, "difference", json_string("b - a"));
  json_object_set_new(root, "alpha", json_real(v->alpha));
  json_t *ms = json_object();
  for (int m = 0; m < v->nm; m++) json_object_set_new(ms, v->names[m], metric_json(&v->res[m], v->ht[m], v->hw[m]));
  json_object_set_new(root, "metrics", ms);
  const size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(17) | JSON_PRESERVE_ORDER;
  if (strcmp(jpath, "-") == 0) {
    RV_REQUIRE(json_dumpf(root, out, flags) == 0, RV_ERR_IO, "cannot write JSON to stdout");
    fputc('\n', out);
  } else {
    char tmp[4200];
    char in[6][4200];
    const char *inputs[7];
    const char *dirs[2] = {v->dir_a, v->dir_b};
    for (int i = 0; i < 6; i++) {
      snprintf(in[i], sizeof in[i], "%s/%s", dirs[i / 3], i % 3 == 0 ? "report.json" : i % 3 == 1 ? "report.pb" : RV_FILE_RESULTS);
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
done:
  json_decref(root);
  return err;
}

static rv_err_t compare(int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  rv_args_t a;
  side_t *A = calloc(1, sizeof *A), *B = calloc(1, sizeof *B);
  rv_paired_t *res = NULL;
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
  RV_TRY(rv_results_in_open(a.pos[0], A));
  RV_TRY(rv_results_in_open(a.pos[1], B));
  RV_REQUIRE(strcmp(A->checksum, B->checksum) == 0 && A->n_users == B->n_users, RV_ERR_DATA,
             "receval compare: %s and %s evaluate different datasets (checksums %s and %s)", A->path, B->path,
             A->checksum, B->checksum);
  RV_TRY(pick_metrics(A, B, rv_arg_str(&a, "metrics"), names, &nm));
  res = calloc((size_t)nm, sizeof *res);
  RV_TRY(run_tests(A, B, names, nm, res));
  double pt[RV_MAX_CMP], pw[RV_MAX_CMP], ht[RV_MAX_CMP], hw[RV_MAX_CMP];
  for (int m = 0; m < nm; m++) pt[m] = res[m].p_t, pw[m] = res[m].p_w;
  rv_holm(pt, nm, ht);
  rv_holm(pw, nm, hw);
  const verdicts_t v = {a.pos[0], a.pos[1], A->checksum, names, res, ht, hw, nm, alpha};
  if (out) print_table(out, &v);
  const char *jpath = rv_arg_str(&a, "json");
  if (jpath) RV_TRY(write_json(jpath, out, &v));
done:
  if (A) rv_results_in_close(A);
  if (B) rv_results_in_close(B);
  free(A), free(B), free(res);
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
