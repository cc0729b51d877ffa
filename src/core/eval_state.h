/* Internal to the evaluation driver (core/): what one rank owns during
 * `receval eval` and `receval runs`, by lifetime. The functions over it are
 * declared by their files' headers: eval_context.h (vectors, range,
 * fetching across shards), score_pass.h (the scoring pass), eval_model.h
 * (--model, --whiten) and list_source.h (the job with another list source). */
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

/* The plan: fixed before any user is read, the same on every rank of a row
 * (the grid) and on every rank (the rest). */
typedef struct rv_eval_plan {
  /* Grid (DESIGN section 2): the ranks of `row` share this user range, one
   * per item shard; the row's leader (shard 0) measures the users. */
  MPI_Comm row;
  int shards, leader;
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
  int lists_only; /* lists from a source: no score for unlisted candidates */
  const Receval__RunInput *run; /* the source's input statistics (report), or NULL */
  const char *src_conv[8];      /* the source's conventions ("key=value"), replacing same keys */
  int n_src_conv;
} rv_eval_plan_t;

/* The vectors as scored and the metrics' global context: made once by
 * rv_eval_prepare, read-only during the scoring pass. */
typedef struct rv_eval_vectors {
  float *items;     /* the scored item vectors: ds->items (normalised in place for cosine) */
  float *item_unit; /* unit item vectors, NULL unless a metric reads them */
  int own_unit;     /* item_unit is a copy (else it aliases items) */
  float *inorm2, *users, *unorm2;
  rv_range_t range; /* largest norms; range.check: scores are checked finite */
  rv_eval_ctx_t ctx;
  int64_t *pop;
  uint8_t *long_tail;
  double *selfinfo; /* n_items: -log2(max(pop, 1) / n_users) (novelty), or NULL */
} rv_eval_vectors_t;

/* Scratch of one block of users (overwritten block after block). */
typedef struct rv_eval_block {
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
  /* Per-user scratch for metrics. */
  double *gain, *ideal, *dscratch;
  int32_t *iscratch;
  float *profile;
  double *prof_cos, *pair_cos, *sumvec; /* kmax, kmax + 1, dim */
} rv_eval_block_t;

/* This rank's per-user outputs (the rows of results.h5) and per test entry
 * state (AUC), filled by the scoring pass. */
typedef struct rv_eval_local {
  int32_t *top_items;
  float *top_scores;
  double *vals; /* ncols x nu */
  float *blo, *bhi;
  float *texact;
  int64_t *gt, *eq;
  rv_amb_t amb;
} rv_eval_local_t;

/* What is summed over users and reduced across ranks (exact sums). */
typedef struct rv_eval_accum {
  rv_hist_t hist;
  int64_t *hist_out;              /* bins x 2 */
  double hist_width, hist_origin; /* the bins' grid (echoed in the report) */
  int64_t *exposure;              /* nk x n_items */
  rv_i128 *listw;                 /* nk x n_items exact sums of 1/|L_u| (RV_NEEDS_LISTW) */
  double *listw_d;                /* the same as doubles, after the reduction */
  rv_i128 *inv_len;               /* kmax + 1: 1/n on the exact-sum grid, added once per list item */
  int64_t n_lists[64];
  rv_i128 sum_log2_len[64];
  rv_moments_t *mom;              /* ncols */
  int m2_exp[RV_MAX_COLS];        /* the grid of mom[c].m2 (rv_moments_scale) */
  int64_t evaluated, skipped_no_test, short_list;
  double t_measure;               /* seconds spent measuring lists (in the scoring pass) */
} rv_eval_accum_t;

/* What one rank owns during an evaluation, by lifetime. */
typedef struct rv_eval_state {
  const Receval__JobSpec *job;
  rv_dataset_t *ds;
  struct rv_model *model; /* eval --model DIR (train/model.h), else NULL */
  rv_eval_plan_t plan;
  rv_eval_vectors_t vec;
  rv_eval_block_t blk;
  rv_eval_local_t loc;
  rv_eval_accum_t acc;
} rv_eval_state_t;

/* Users per scoring block: the job's --block-users rounded up to whole
 * sgemm panels. */
static inline int64_t rv_eval_block_rows(const Receval__JobSpec *job) {
  return ((int64_t)job->block_users + RV_GEMM_ROWS - 1) / RV_GEMM_ROWS * RV_GEMM_ROWS;
}

#endif
