/* The similarities: one table, one entry per similarity s(u,i).
 *
 * Adding a similarity after this change touches:
 *   1. src/kernels/score.h      its rv_similarity_t value (the next number;
 *                               values are stored in files, never renumber);
 *   2. src/kernels/similarity.c its entry (name, proto value, preparation,
 *                               sgemm scale, bounds), and, when the scoring
 *                               is neither a product nor minus a squared
 *                               distance, its branch in kernels/score.c;
 *   3. src/kernels/similarity.h RV_SIM_HELP_LIST / RV_SIM_USAGE_LIST below
 *                               (help texts; tests/unit/test_similarity.c
 *                               checks they list the table's names);
 *   4. proto/receval.proto      its value in enum Similarity (= .proto);
 *   5. tests/unit/test_similarity.c and an e2e reference (tests/e2e/py).
 * Everything else (eval/train options, JobSpec check, report.json, model
 * and checkpoint files, range checks, score histogram) reads the table.
 * The bilinear model accepts the entries with bilinear_form = 1 (its usage
 * message in cli/cmd_train.c names them).
 * Before: about 15 edits in 6 folders (cli/cmd_eval, cli/cmd_train twice,
 * cli/jobspec, cli/run, core/evaluate, core/eval_context, core/eval_model,
 * core/score_pass, io/report, train/model, train/checkpoint, train/bilinear,
 * train/prepare, comm/range, kernels/score). */
#ifndef RV_KERNELS_SIMILARITY_H
#define RV_KERNELS_SIMILARITY_H
#include "kernels/score.h"

/* The names for help texts and messages, in table order. */
#define RV_SIM_HELP_LIST "cosine, dot or euclidean"
#define RV_SIM_USAGE_LIST "cosine|dot|euclidean"

typedef struct rv_sim_entry {
  rv_similarity_t sim;
  const char *name;  /* --similarity NAME, report.json, model/checkpoint attribute */
  int proto;         /* its value in enum Similarity (proto/receval.proto) */
  int unit_rows;     /* vectors normalised to unit L2 norm (rv_rows_normalize): |s| <= 1 */
  int minus_sqdist;  /* s = alpha u.i - ||u||^2 - ||i||^2 clamped to <= 0: needs the
                      * squared norms (rv_rows_sqnorm) */
  int bilinear_form; /* a bilinear form u^T A i (the bilinear model may train it) */
  float alpha;       /* sgemm scale of U V^T in rv_score_block */
  const char *bound_text;                 /* rv_score_bound as text, for messages */
  double (*bound)(double unorm, double inorm); /* rv_score_bound */
  /* Range [lo, hi] of the scores for vectors of norm <= unorm, inorm (the
   * score histogram's grid). */
  void (*range)(double unorm, double inorm, double *lo, double *hi);
} rv_sim_entry_t;

/* The entry of sim; an unknown value gets the cosine entry (the default). */
const rv_sim_entry_t *rv_sim_get(rv_similarity_t sim);
/* Its name ("cosine", "dot", "euclidean"). */
const char *rv_sim_name(rv_similarity_t sim);
/* *sim = the similarity called name; nonzero (and *sim unchanged) when
 * there is none. */
int rv_sim_parse(const char *name, rv_similarity_t *sim);
/* *sim = the similarity whose proto value is v; nonzero (and *sim
 * unchanged) when there is none. */
int rv_sim_from_proto(int v, rv_similarity_t *sim);
/* The number of similarities; rv_sim_get(0 .. n-1) are all of them. */
int rv_sim_count(void);

#endif
