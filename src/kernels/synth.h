/* The synthetic dataset model behind `receval gen` (docs/formats.md).
 *
 * Planted structure: C latent clusters shared by users and items; item
 * embeddings = cluster centre + noise; item popularity log-normal (skewed);
 * each user belongs to a cluster and draws most interactions from it,
 * weighted by popularity; a share of the interactions is held out as test
 * with graded relevance; some users have no test items. Every value is a
 * function of (seed, item) or (seed, user) only, so any partition of the
 * work across ranks writes the same file. No MPI, no HDF5. */
#ifndef RV_KERNELS_SYNTH_H
#define RV_KERNELS_SYNTH_H
#include <stdint.h>

typedef struct rv_synth_params {
  int64_t n_users, n_items;
  int dim;
  uint64_t seed;
  int clusters;        /* 0: chosen from n_items */
  double noise;        /* per-dimension noise around the centre (centres ~ N(0,1)) */
  double pop_sigma;    /* log-normal sigma of item popularity */
  double in_cluster;   /* probability that a draw comes from the user's cluster */
  int min_inter;       /* interactions per user: min_inter + skewed extra, <= max_inter */
  int max_inter;
  double test_frac;    /* share of a user's interactions held out */
  double no_test_frac; /* share of users with no test items */
  int categories;      /* 0: none */
  int graded;          /* 1: test values in {1,2,3}; 0: no /test/values */
  int user_embeddings; /* write /users/embedding */
} rv_synth_params_t;

/* Defaults for everything but sizes and seed. */
void rv_synth_params_default(rv_synth_params_t *p);

typedef struct rv_synth_model rv_synth_model_t;

/* Builds the global tables (item clusters and popularity, per-cluster
 * sampling tables, centres): O(n_items + clusters * dim). Returns 0, or -1
 * on allocation failure. */
int rv_synth_model_create(const rv_synth_params_t *p, rv_synth_model_t **m);
void rv_synth_model_destroy(rv_synth_model_t **m);
int rv_synth_clusters(const rv_synth_model_t *m);

/* Embedding of one item / one user (dim floats). */
void rv_synth_item_embedding(const rv_synth_model_t *m, int64_t item, float *out);
void rv_synth_user_embedding(const rv_synth_model_t *m, int64_t user, float *out);

/* Upper bound of one user's interactions (train + test). */
int rv_synth_max_rows(const rv_synth_model_t *m);

/* One user's train and test rows, sorted and disjoint. train/test/test_val
 * need rv_synth_max_rows() slots each, scratch as many. */
void rv_synth_user_rows(const rv_synth_model_t *m, int64_t user, int32_t *train, int *n_train,
                        int32_t *test, float *test_val, int *n_test, int32_t *scratch);

/* Categories of one item, sorted (at most 2). Returns the count. */
int rv_synth_item_categories(const rv_synth_model_t *m, int64_t item, int32_t out[2]);

#endif
