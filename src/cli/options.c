#include "cli/options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find(const rv_option_t *opts, const char *name, size_t len) {
  for (int i = 0; opts[i].name; i++)
    if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return i;
  return -1;
}

rv_err_t rv_args_parse(const char *cmd, const rv_option_t *opts, int argc, char **argv,
                       rv_args_t *a) {
  rv_err_t err = RV_OK;
  memset(a, 0, sizeof *a);
  a->cmd = cmd;
  a->opts = opts;
  for (int i = 0; i < argc; i++) {
    const char *s = argv[i];
    if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
      a->help = 1;
      continue;
    }
    if (strncmp(s, "--", 2) != 0 || s[2] == '\0') {
      RV_REQUIRE(a->npos < RV_MAX_POS, RV_ERR_USAGE, "receval %s: unexpected argument '%s'", cmd, s);
      a->pos[a->npos++] = s;
      continue;
    }
    const char *name = s + 2, *eq = strchr(name, '=');
    const size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const int o = find(opts, name, len);
    RV_REQUIRE(o >= 0, RV_ERR_USAGE, "receval %s: unknown option '%.*s' (see receval %s --help)",
               cmd, (int)len + 2, s, cmd);
    if (!opts[o].metavar) {
      RV_REQUIRE(!eq, RV_ERR_USAGE, "receval %s: option '--%s' takes no value", cmd, opts[o].name);
      a->val[o] = "1";
    } else if (eq) {
      a->val[o] = eq + 1;
    } else {
      RV_REQUIRE(i + 1 < argc, RV_ERR_USAGE, "receval %s: option '--%s' needs a value (%s)", cmd,
                 opts[o].name, opts[o].metavar);
      a->val[o] = argv[++i];
    }
  }
done:
  return err;
}

void rv_args_print_help(FILE *out, const char *cmd, const char *synopsis,
                        const rv_option_t *opts) {
  fprintf(out, "usage: receval %s %s\n\noptions:\n", cmd, synopsis);
  for (int i = 0; opts[i].name; i++) {
    char lhs[64];
    snprintf(lhs, sizeof lhs, "--%s%s%s", opts[i].name, opts[i].metavar ? " " : "",
             opts[i].metavar ? opts[i].metavar : "");
    fprintf(out, "  %-26s %s", lhs, opts[i].help);
    if (opts[i].def) fprintf(out, " [default: %s]", opts[i].def);
    fputc('\n', out);
  }
  fprintf(out, "  %-26s %s\n", "--help", "print this help");
}

static const char *value(const rv_args_t *a, const char *name, int *idx) {
  const int o = find(a->opts, name, strlen(name));
  *idx = o;
  if (o < 0) return NULL;
  return a->val[o] ? a->val[o] : a->opts[o].def;
}

int rv_arg_given(const rv_args_t *a, const char *name) {
  int o;
  value(a, name, &o);
  return o >= 0 && a->val[o] != NULL;
}

int rv_arg_flag(const rv_args_t *a, const char *name) {
  int o;
  const char *v = value(a, name, &o);
  return v && strcmp(v, "1") == 0;
}

const char *rv_arg_str(const rv_args_t *a, const char *name) {
  int o;
  return value(a, name, &o);
}

rv_err_t rv_arg_i64(const rv_args_t *a, const char *name, int64_t lo, int64_t hi, int64_t *out) {
  rv_err_t err = RV_OK;
  int o;
  const char *v = value(a, name, &o);
  if (!v) return RV_OK; /* keep the caller's default */
  char *end;
  errno = 0;
  const long long x = strtoll(v, &end, 10);
  RV_REQUIRE(errno == 0 && end != v && *end == '\0' && x >= lo && x <= hi, RV_ERR_USAGE,
             "receval %s: --%s: expected an integer in [%lld, %lld], got '%s'", a->cmd, name,
             (long long)lo, (long long)hi, v);
  *out = x;
done:
  return err;
}

rv_err_t rv_arg_u64(const rv_args_t *a, const char *name, uint64_t *out) {
  rv_err_t err = RV_OK;
  int o;
  const char *v = value(a, name, &o);
  if (!v) return RV_OK;
  char *end;
  errno = 0;
  const unsigned long long x = strtoull(v, &end, 10);
  RV_REQUIRE(errno == 0 && end != v && *end == '\0' && v[0] != '-', RV_ERR_USAGE,
             "receval %s: --%s: expected a non-negative integer, got '%s'", a->cmd, name, v);
  *out = x;
done:
  return err;
}

rv_err_t rv_arg_double(const rv_args_t *a, const char *name, double lo, double hi, double *out) {
  rv_err_t err = RV_OK;
  int o;
  const char *v = value(a, name, &o);
  if (!v) return RV_OK;
  char *end;
  errno = 0;
  const double x = strtod(v, &end);
  RV_REQUIRE(errno == 0 && end != v && *end == '\0' && isfinite(x) && x >= lo && x <= hi,
             RV_ERR_USAGE, "receval %s: --%s: expected a number in [%g, %g], got '%s'", a->cmd,
             name, lo, hi, v);
  *out = x;
done:
  return err;
}

static int cmp_int(const void *x, const void *y) {
  const int a = *(const int *)x, b = *(const int *)y;
  return (a > b) - (a < b);
}

rv_err_t rv_arg_intlist(const rv_args_t *a, const char *name, int64_t lo, int64_t hi, int *out,
                        int max, int *n) {
  rv_err_t err = RV_OK;
  int o;
  const char *v = value(a, name, &o);
  *n = 0;
  RV_REQUIRE(v && *v, RV_ERR_USAGE, "receval %s: --%s: a comma-separated list is required",
             a->cmd, name);
  const char *p = v;
  while (*p) {
    char *end;
    errno = 0;
    const long long x = strtoll(p, &end, 10);
    RV_REQUIRE(errno == 0 && end != p && (*end == ',' || *end == '\0') && x >= lo && x <= hi,
               RV_ERR_USAGE, "receval %s: --%s: expected integers in [%lld, %lld], got '%s'",
               a->cmd, name, (long long)lo, (long long)hi, v);
    RV_REQUIRE(*n < max, RV_ERR_USAGE, "receval %s: --%s: at most %d values", a->cmd, name, max);
    out[(*n)++] = (int)x;
    p = *end == ',' ? end + 1 : end;
    RV_REQUIRE(!(*end == ',' && *p == '\0'), RV_ERR_USAGE, "receval %s: --%s: trailing comma in '%s'",
               a->cmd, name, v);
  }
  qsort(out, (size_t)*n, sizeof(int), cmp_int);
  int w = 0;
  for (int i = 0; i < *n; i++)
    if (w == 0 || out[w - 1] != out[i]) out[w++] = out[i];
  *n = w;
done:
  return err;
}
