/* The metric registry: one descriptor per metric, one table of them.
 *
 * Adding a metric touches its family file m_<family>.c (the descriptor and
 * compute_user), one line of the table in registry.c, and its tests. The
 * engine does the rest: it calls compute_user once per user and cutoff,
 * stores the value in results.h5 (/per_user/<name>@<k>), accumulates exact
 * sums and sums of squares, and reports the mean with its 95% interval. */
#ifndef RV_METRICS_REGISTRY_H
#define RV_METRICS_REGISTRY_H
#include <stdint.h>

/* What a user's list looks like to a metric. All arrays are read-only. */
typedef struct rv_user_view {
  int64_t user;
  int kmax;              /* largest cutoff of the job */
  int len;               /* entries in the list (< kmax when candidates ran out) */
  const int32_t *items;  /* [len], best first */
  const float *scores;   /* [len] */
  const double *gain;    /* [len]: relevance of items[r], 0 when not relevant */
  int64_t n_test;        /* |R_u| */
  const int32_t *test;   /* [n_test], sorted */
  const float *test_rel; /* [n_test] or NULL (all 1) */
  const double *ideal;   /* [n_ideal] the largest relevances, descending */
  int n_ideal;           /* min(n_test, kmax) */
  int64_t n_train;
  const int32_t *train;  /* [n_train], sorted */
} rv_user_view_t;

/* needs: what a metric requires of a user or dataset to be defined. */
enum {
  RV_NEEDS_TEST = 1u << 0 /* skipped (NaN) for users with no test items */
};

typedef struct rv_metric {
  const char *name; /* base name; reported as name@k when at_k */
  const char *help; /* definition, printed by `receval eval --help-metric NAME` */
  unsigned needs;
  int at_k;         /* 1: one value per cutoff */
  /* Per-user value at cutoff k (ignored when !at_k); NaN = not defined. */
  double (*compute_user)(const rv_user_view_t *v, int k);
} rv_metric_t;

/* NULL-terminated table of every metric, in report order. */
extern const rv_metric_t *const rv_metric_registry[];
/* The default metric set of `receval eval` (comma-separated). */
extern const char rv_metric_default_set[];

const rv_metric_t *rv_metric_find(const char *name);

#endif
