/* `receval gen OUT.h5 --users U --items N --dim D --seed S`: a synthetic
 * dataset with planted structure (kernels/synth.h), written in parallel. */
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/spec_run.h"
#include "io/synth_write.h"
#include "receval.pb-c.h"

static const rv_option_t gen_options[] = {
    {"users", "U", "number of users", "10000"},
    {"items", "N", "number of items", "5000"},
    {"dim", "D", "embedding dimension", "64"},
    {"seed", "S", "seed: the same seed gives the same file at any rank count", "1"},
    {"clusters", "C", "latent clusters shared by users and items (0: about sqrt(N)/3)", "0"},
    {"categories", "G", "item categories to write (0: none)", "0"},
    {"no-user-embeddings", NULL, "omit /users/embedding (users are then pooled from train items)", NULL},
    {"binary", NULL, "omit /test/values (every test item has relevance 1)", NULL},
    {"noise", "X", "per-dimension noise around the cluster centre", "0.9"},
    {"test-frac", "X", "share of each user's interactions held out as test", "0.2"},
    {"no-test-frac", "X", "share of users without test items", "0.05"},
    {"max-inter", "M", "most interactions of one user", "200"},
    {NULL, NULL, NULL, NULL}};

static rv_err_t build_spec(int argc, char **argv, FILE *out, void *store, int *done) {
  rv_err_t err = RV_OK;
  Receval__GenSpec *g = store;
  rv_args_t a;
  *done = 0;
  RV_TRY(rv_args_parse("gen", gen_options, argc, argv, &a));
  if (a.help) {
    rv_args_print_help(out, "gen", "OUT.h5 [options]", gen_options);
    *done = 1;
    goto done;
  }
  RV_REQUIRE(a.npos == 1, RV_ERR_USAGE, "receval gen: expected one OUT.h5 argument, got %d", a.npos);
  g->out = (char *)a.pos[0];
  int64_t users = 10000, items = 5000, dim = 64, clusters = 0, cats = 0, maxi = 200;
  RV_TRY(rv_arg_i64(&a, "users", 1, (int64_t)1 << 40, &users));
  RV_TRY(rv_arg_i64(&a, "items", 1, INT32_MAX, &items));
  RV_TRY(rv_arg_i64(&a, "dim", 1, 65536, &dim));
  RV_TRY(rv_arg_i64(&a, "clusters", 0, 1 << 20, &clusters));
  RV_TRY(rv_arg_i64(&a, "categories", 0, 1 << 20, &cats));
  RV_TRY(rv_arg_i64(&a, "max-inter", 2, 1 << 20, &maxi));
  uint64_t seed = 1;
  RV_TRY(rv_arg_u64(&a, "seed", &seed));
  double noise = 0.9, tf = 0.2, ntf = 0.05;
  RV_TRY(rv_arg_double(&a, "noise", 0.0, 100.0, &noise));
  RV_TRY(rv_arg_double(&a, "test-frac", 0.0, 1.0, &tf));
  RV_TRY(rv_arg_double(&a, "no-test-frac", 0.0, 1.0, &ntf));
  g->has_n_users = g->has_n_items = g->has_dim = g->has_seed = g->has_clusters = 1;
  g->has_categories = g->has_user_embeddings = g->has_graded = g->has_noise = 1;
  g->has_test_frac = g->has_no_test_frac = g->has_max_inter = 1;
  g->n_users = users;
  g->n_items = items;
  g->dim = (int32_t)dim;
  g->seed = seed;
  g->clusters = (int32_t)clusters;
  g->categories = (int32_t)cats;
  g->user_embeddings = !rv_arg_flag(&a, "no-user-embeddings");
  g->graded = !rv_arg_flag(&a, "binary");
  g->noise = noise;
  g->test_frac = tf;
  g->no_test_frac = ntf;
  g->max_inter = (int32_t)maxi;
done:
  return err;
}

static rv_err_t run_gen(MPI_Comm comm, const ProtobufCMessage *msg, const uint8_t *bytes, size_t len,
                        FILE *out) {
  rv_err_t err = RV_OK;
  (void)bytes, (void)len;
  int rank;
  MPI_Comm_rank(comm, &rank);
  const Receval__GenSpec *g = (const Receval__GenSpec *)msg;
  rv_synth_params_t p;
  rv_synth_params_default(&p);
  p.n_users = g->n_users;
  p.n_items = g->n_items;
  p.dim = g->dim;
  p.seed = g->seed;
  p.clusters = g->clusters;
  p.categories = g->categories;
  p.graded = g->graded;
  p.noise = g->noise;
  p.test_frac = g->test_frac;
  p.no_test_frac = g->no_test_frac;
  p.max_inter = g->max_inter;
  p.user_embeddings = g->user_embeddings;
  const double t0 = MPI_Wtime();
  RV_TRY(rv_synth_write(comm, &p, g->out));
  if (rank == 0 && out) {
    fprintf(out, "receval gen: wrote %s: %lld users, %lld items, dim %d, seed %llu in %.2f s\n", g->out,
            (long long)p.n_users, (long long)p.n_items, p.dim, (unsigned long long)p.seed,
            MPI_Wtime() - t0);
    fflush(out);
  }
done:
  return err;
}

rv_err_t rv_cmd_gen(MPI_Comm comm, int argc, char **argv, FILE *out) {
  static const rv_spec_cmd_t cmd = {&receval__gen_spec__descriptor, build_spec, NULL, run_gen};
  Receval__GenSpec spec = RECEVAL__GEN_SPEC__INIT;
  return rv_spec_run(comm, argc, argv, out, &cmd, &spec, &spec.base);
}
