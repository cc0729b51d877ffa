/* Writes a prepared dataset (prep/prep.h) in the input contract, with its
 * external ids, titles, texts and category names as variable-length UTF-8
 * string datasets. Local: one writer (rank 0 of `receval prepare`), under
 * path + ".tmp", renamed when complete. */
#ifndef RV_PREP_WRITE_H
#define RV_PREP_WRITE_H
#include "base/error.h"
#include "prep/prep.h"

typedef struct rv_prep_file {
  const rv_prep_src_t *src;
  const rv_prep_out_t *out;
  const float *emb; /* n_items x dim, in the output's item order */
  int dim;
  const char *encoder; /* what produced emb */
  const char *split;   /* "loo", "temporal" or "random" */
  const rv_prep_opts_t *opts;
} rv_prep_file_t;

rv_err_t rv_prep_write(const char *path, const rv_prep_file_t *p);

#endif
