/* The metric registry: one descriptor per metric, one table of them.
 *
 * Adding a metric touches its family file m_<family>.c (the descriptor and
 * its compute or finalize function), one line of the table in registry.c,
 * and its tests. Three shapes exist:
 *
 *  RV_KIND_USER      user-decomposable: compute_user() once per user and
 *                    cutoff; the engine stores the value (/per_user/NAME@k),
 *                    accumulates exact sums and squared deviations, and
 *                    reports the mean with its 95% interval. NaN = the
 *                    metric is not defined for this user (skipped, counted).
 *  RV_KIND_EXPOSURE  from the global exposure counts of the cutoff's lists
 *                    (and exact sums the engine keeps for every list):
 *                    finalize() after the reductions. No interval.
 *  RV_KIND_SCAN      from a score x relevance histogram counted during
 *                    scoring: finalize() after the reductions.
 */
#ifndef RV_METRICS_REGISTRY_H
#define RV_METRICS_REGISTRY_H
#include <stdint.h>

/* Global, read-only context: identical on every rank. */
typedef struct rv_eval_ctx {
  int64_t n_users, n_items;
  int dim;
  const float *item_unit;   /* n_items x dim, L2-normalised item embeddings */
  const int64_t *pop;       /* n_items: train users of each item */
  int64_t train_total;      /* sum of pop */
  const uint8_t *long_tail; /* n_items: 1 outside the short head (APLT) */
  const double *selfinfo;   /* n_items: -log2(max(pop_i, 1) / n_users), or NULL (computed) */
  const int64_t *cat_ptr;   /* n_items + 1, or NULL without categories */
  const int32_t *cat_idx;
  int n_categories;
  int trec;                 /* 1: trec_eval's conventions */
  /* eval --model DIR: the trained model's errors on one user's test positives
   * and sampled negatives (rv_model_user_errors of train/model.h), reached
   * through this callback so that metrics know nothing of train. Returns 0,
   * or -1 without pairs. NULL without a model. */
  int (*model_errors)(const void *model, int64_t user, const float *uvec, float unorm2,
                      const int32_t *test, int64_t n_test, const int32_t *train, int64_t n_train,
                      double *rmse, double *logloss);
  const void *model;
} rv_eval_ctx_t;

/* What a user's list looks like to a metric. All arrays are read-only. */
typedef struct rv_user_view {
  const rv_eval_ctx_t *ctx;
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
  const float *profile;  /* [dim] unit mean of the train items' unit vectors, NULL without train items */
  /* Shared per-user data the engine computes once for all cutoffs (one pass
   * over the list's embeddings), so that list metrics are O(k) per cutoff: */
  const double *prof_cos; /* [len] cos(e_{L[r]}, profile) (RV_NEEDS_PROFILE), NULL without profile */
  const double *pair_cos; /* [len + 1] sum of cos over pairs among the first r items (RV_NEEDS_PAIRS) */
  double auc;            /* this user's AUC over all candidates, NaN when undefined */
  const float *uvec;     /* [dim] the user's scored vector; unorm2 its squared norm (euclidean) */
  float unorm2;
  double *scratch;       /* >= max(dim, n_categories) + 2 * n_categories doubles, zeroed */
  int32_t *iscratch;     /* >= 2 * n_categories + 2 ints */
} rv_user_view_t;

/* What an exposure or scan metric sees after the reductions. */
typedef struct rv_final_view {
  const rv_eval_ctx_t *ctx;
  const int64_t *exposure; /* n_items: lists of this cutoff containing each item */
  int64_t n_lists;         /* users with a non-empty list */
  double sum_log2_len;     /* sum over those users of log2 |L_u@k| */
  const double *list_weight; /* n_items: sum over lists containing i of 1 / |L_u@k| (RV_NEEDS_LISTW) */
  const int64_t *hist;     /* scan histogram: [bins][2] (non-relevant, relevant) */
  int bins;
} rv_final_view_t;

typedef enum rv_metric_kind { RV_KIND_USER = 0, RV_KIND_EXPOSURE = 1, RV_KIND_SCAN = 2 } rv_metric_kind_t;

/* needs: what a metric requires to be computed. */
enum {
  RV_NEEDS_TEST = 1u << 0,       /* NaN for users with no test items */
  RV_NEEDS_LIST = 1u << 1,       /* NaN for users with an empty list */
  RV_NEEDS_PROFILE = 1u << 2,    /* NaN for users with no train items */
  RV_NEEDS_CATEGORIES = 1u << 3, /* omitted (with a message) when the dataset has none */
  RV_NEEDS_AUC = 1u << 4,        /* the scan tracks the test items' ranks */
  RV_NEEDS_HIST = 1u << 5,       /* the scan counts the score histogram */
  RV_NEEDS_LISTW = 1u << 6,      /* per item, the exact sum of 1 / |L_u| over lists containing it */
  RV_NEEDS_PAIRS = 1u << 7,      /* pair_cos: pairwise cosine sums of list prefixes */
  RV_NEEDS_MODEL = 1u << 8       /* a trained model (eval --model DIR); omitted without one */
};

typedef struct rv_metric {
  const char *name; /* base name; reported as name@k when at_k */
  const char *help; /* definition, printed by `receval eval --help-metric NAME` */
  unsigned needs;
  rv_metric_kind_t kind;
  int at_k; /* 1: one value per cutoff */
  /* RV_KIND_USER: per-user value at cutoff k (k = kmax when !at_k). */
  double (*compute_user)(const rv_user_view_t *v, int k);
  /* RV_KIND_EXPOSURE / RV_KIND_SCAN: the value at cutoff k. */
  double (*finalize)(const rv_final_view_t *f, int k);
} rv_metric_t;

/* Every metric, in report order: one line each. A metric is its file under
 * src/metrics/ defining `const rv_metric_t rv_metric_NAME`, its line here,
 * and its test (docs/design.md, "Adding a metric"). */
#define RV_METRIC_LIST(X) \
  X(precision) \
  X(recall) \
  X(f1) \
  X(ndcg) \
  X(map) \
  X(mrr) \
  X(hit) \
  X(auc) \
  X(coverage) \
  X(gini) \
  X(entropy) \
  X(ild) \
  X(novelty) \
  X(unexpectedness) \
  X(serendipity) \
  X(personalization) \
  X(arp) \
  X(aplt) \
  X(calibration) \
  X(mi_user_item) \
  X(mi_user_item_norm) \
  X(mi_score_relevance) \
  X(mi_score_relevance_norm) \
  X(rmse) \
  X(logloss)
#define RV_METRIC_DECLARE_(n) extern const rv_metric_t rv_metric_##n;
RV_METRIC_LIST(RV_METRIC_DECLARE_)

/* NULL-terminated table of every metric, in report order. */
extern const rv_metric_t *const rv_metric_registry[];
/* The default metric set of `receval eval` (comma-separated). */
extern const char rv_metric_default_set[];

const rv_metric_t *rv_metric_find(const char *name);

#endif
