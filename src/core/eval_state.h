/* Internal to the evaluation driver (core/evaluate.c, core/score_pass.c,
 * core/eval_context.c): what one rank owns during `receval eval`. */
#ifndef RV_CORE_EVAL_STATE_H
#define RV_CORE_EVAL_STATE_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "comm/range.h"
#include "base/error.h"
#include "io/dataset.h"
#include "kernels/scanstats.h"
#include "kernels/scorehist.h"
#include "kernels/score.h"
#include "kernels/topk.h"
#include "kernels/xsum.h"
#include "metrics/registry.h"
#include "receval.pb-c.h"

/* Determinism by fixed shapes. OpenBLAS's result for one score depends on
 * the call's shape and on the row's position in it (measured: the same row
 * gives different bits at M = 64 and M = 512, or at positions 0 and 5), not
 * on the other rows or on alignment. So every sgemm call has exactly
 * RV_GEMM_ROWS user rows (the last panel is padded with zero rows), rank
 * ranges start at multiples of RV_GEMM_ROWS, and item tiles start at
 * multiples of RV_ITEM_TILE: a user's scores are then computed by the same
 * call shape at the same position at any rank count and block size.
 * 256 rows reach the full sgemm rate (docs/benchmarks.md); the score tile
 * (256 x 2048 floats, 2 MiB) is read by the selection right behind. */
#define RV_GEMM_ROWS 256
#define RV_ITEM_TILE 2048
#define RV_MAX_COLS 512
#define RV_MAX_FINALS 128

/* One reported per-user value: a user-kind metric at one cutoff. */
typedef struct rv_col {
  const rv_metric_t *metric;
  int k;
  char name[64];
} rv_col_t;

/* One value computed after the reductions (exposure or scan kind). */
typedef struct rv_final {
  const rv_metric_t *metric;
  int k, kidx; /* cutoff and its index in job->k (kidx 0 for scan metrics) */
  char name[64];
  double value;
} rv_final_t;

typedef struct rv_eval_state {
  const Receval__JobSpec *job;
  /* Grid (DESIGN section 2): the ranks of `row` share this user range, one
   * per item shard; the row's leader (shard 0) measures the users. */
  MPI_Comm row;
  int shards, leader;
  rv_dataset_t *ds;
  struct rv_model *model; /* eval --model DIR (train/model.h), else NULL */
  rv_similarity_t sim;
  unsigned needs; /* union of the selected metrics' needs */
  int nk, kmax;
  /* Columns and finals of the job. */
  rv_col_t cols[RV_MAX_COLS];
  int ncols;
  rv_final_t finals[RV_MAX_FINALS];
  int nfinals;
  char omitted[8][160];
  int nomitted;
  /* Vectors. */
  float *items;     /* the scored item vectors: ds->items (normalised in place for cosine) */
  float *item_unit; /* unit item vectors, NULL unless a metric reads them */
  int own_unit;     /* item_unit is a copy (else it aliases items) */
  float *inorm2, *users, *unorm2;
  rv_range_t range; /* largest norms; range.check: scores are checked finite */
  /* Global context for metrics. */
  rv_eval_ctx_t ctx;
  int64_t *pop;
  uint8_t *long_tail;
  double *selfinfo; /* n_items: -log2(max(pop, 1) / n_users) (novelty), or NULL */
  /* Scan scratch. */
  float *tile;
  rv_topk_slot_t *heap;
  rv_topk_t *sel;
  int64_t *cursor, *tcursor;
  rv_topk_slot_t *keys; /* B x kmax selections as order keys (merged across shards) */
  int *lens;            /* B list lengths */
  int32_t *remap;       /* kmax: list items as rows of fetch_vec */
  /* Item vectors fetched from the row's shards for one block (sorted ids). */
  int32_t *fetch_ids;
  float *fetch_vec;
  int64_t fetch_n, fetch_cap;
  /* Per local user outputs. */
  int32_t *top_items;
  float *top_scores;
  double *vals; /* ncols x nu */
  /* Per local test entry (AUC). */
  float *blo, *bhi;
  float *texact;
  int64_t *gt, *eq;
  rv_amb_t amb;
  /* Score histogram. */
  rv_hist_t hist;
  int64_t *hist_out; /* bins x 2 */
  double hist_width, hist_origin; /* the bins' grid (echoed in the report) */
  /* Reductions. */
  int64_t *exposure; /* nk x n_items */
  rv_i128 *listw;    /* nk x n_items exact sums of 1/|L_u| (RV_NEEDS_LISTW) */
  double *listw_d;   /* the same as doubles, after the reduction */
  rv_i128 *inv_len;  /* kmax + 1: 1/n on the exact-sum grid, added once per list item */
  int64_t n_lists[64];
  rv_i128 sum_log2_len[64];
  rv_moments_t *mom; /* ncols */
  int m2_exp[RV_MAX_COLS]; /* the grid of mom[c].m2 (rv_moments_scale) */
  int64_t evaluated, skipped_no_test, short_list;
  double t_measure; /* seconds spent measuring lists (in the scoring pass) */
  int lists_only; /* lists from a source: no score for unlisted candidates */
  const Receval__RunInput *run; /* the source's input statistics (report), or NULL */
  const char *src_conv[8];      /* the source's conventions ("key=value"), replacing same keys */
  int n_src_conv;
  /* Per-user scratch for metrics. */
  double *gain, *ideal, *dscratch;
  int32_t *iscratch;
  float *profile;
  double *prof_cos, *pair_cos, *sumvec; /* kmax, kmax + 1, dim */
} rv_eval_state_t;

/* core/eval_context.c: vectors, popularity, long tail, histogram range.
 * Collective on comm. */
rv_err_t rv_eval_prepare(MPI_Comm comm, rv_eval_state_t *s);
/* core/eval_context.c: the numerical range of the scores from the largest
 * norms of the vectors as scored (after rv_eval_model_bind). Fails when
 * they overflow; sets s->range.check when only the computed scores can
 * tell. Collective on comm; errors agreed. */
rv_err_t rv_eval_check_range(MPI_Comm comm, rv_eval_state_t *s);
/* Item sharding: fetch_vec = the rows of `shard` (this rank's rows of an
 * item matrix) for ids (sorted and deduplicated in place, n on entry),
 * assembled across the row; rv_eval_fetched finds one of them. Collective
 * on s->row; errors agreed on it. */
rv_err_t rv_eval_fetch(rv_eval_state_t *s, const float *shard, int32_t *ids, int64_t n);
const float *rv_eval_fetched(const rv_eval_state_t *s, int32_t item);
/* core/score_pass.c: the scoring pass over this rank's users. Local. */
rv_err_t rv_eval_score(rv_eval_state_t *s, int rank, int show_progress);
/* core/score_pass.c: measures local user lu's list, already in
 * top_items/top_scores (len entries): exposure, counts and every user-kind
 * column with a metric. tr_base, te_base: ptr[u0] of train and test. Local. */
rv_err_t rv_eval_measure_user(rv_eval_state_t *s, int64_t lu, int len, int64_t tr_base, int64_t te_base);

/* Where the lists come from: the scoring pass (NULL source) or another
 * (core/runs.c: a recommender's run file). plan() adds the source's own
 * per-user columns (metric NULL) before the metric columns; fill() replaces
 * the scoring pass: it puts every local user's list in top_items/top_scores,
 * fills the source's columns and calls rv_eval_measure_user. Collective. */
typedef struct rv_list_source {
  rv_err_t (*plan)(rv_eval_state_t *s, void *arg);
  rv_err_t (*fill)(MPI_Comm comm, rv_eval_state_t *s, void *arg);
  void *arg;
} rv_list_source_t;

/* core/evaluate.c: the whole job with lists from src (NULL: the scoring
 * pass, as rv_evaluate). Collective. */
rv_err_t rv_evaluate_with(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                          size_t jobspec_len, const rv_list_source_t *src, FILE *out);
/* core/eval_model.c: --model DIR. attach (collective) loads and checks it
 * before rv_eval_prepare; bind points it at the prepared vectors. */
rv_err_t rv_eval_model_attach(MPI_Comm comm, rv_eval_state_t *s);
void rv_eval_model_bind(rv_eval_state_t *s);
void rv_eval_model_free(rv_eval_state_t *s);
/* --whiten (collective): whitens the dataset's items and users in place
 * before rv_eval_prepare (pooled users are then means of whitened items). */
rv_err_t rv_eval_whiten(MPI_Comm comm, rv_eval_state_t *s);

#endif
