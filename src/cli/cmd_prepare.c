/* `receval prepare movielens|amazon|lastfm|csv SRC OUT.h5`: a public
 * dataset (or any interactions CSV) into the input contract. Rank 0 parses,
 * filters, splits, encodes and writes (it is cheap); the other ranks wait
 * for the agreed result. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "io/embed_import.h"
#include "io/outdir.h"
#include "prep/write.h"
#include "kernels/lexenc.h"
#include "prep/convert.h"

static const rv_option_t prepare_options[] = {
    {"split", "NAME", "loo (last interaction by time per user), temporal (global cut) or random", "loo"},
    {"test-frac", "X", "temporal and random splits: share of interactions held out", "0.2"},
    {"seed", "S", "random split and lexical encoder seed", "0"},
    {"threshold", "X", "keep ratings >= X only (implicit feedback from ratings)", NULL},
    {"kcore", "K", "k-core filtering: every user and item keeps >= K interactions", "0"},
    {"min-user", "N", "minimum interactions per user (overrides --kcore for users)", NULL},
    {"min-item", "N", "minimum interactions per item (overrides --kcore for items)", NULL},
    {"graded", NULL, "store test ratings as graded relevance (/test/values)", NULL},
    {"embeddings", "FILE", "item vectors to import (.npy + ids, .h5, .csv), matched by item id", NULL},
    {"embedding-ids", "FILE", "ids of a .npy file's rows, one per line [default: FILE.ids.txt]", NULL},
    {"ignore-extra-embeddings", NULL, "skip vectors whose id names no catalogue item", NULL},
    {"dim", "D", "dimension of the built-in lexical encoder (without --embeddings)", "64"},
    {"user-col", "NAME", "csv: header name of the user column", "user"},
    {"item-col", "NAME", "csv: header name of the item column", "item"},
    {"rating-col", "NAME", "csv: header name of the rating column (optional)", "rating"},
    {"time-col", "NAME", "csv: header name of the timestamp column (optional)", "timestamp"},
    {"delimiter", "SEP", "csv: field separator (',', 'tab', ';', '::', ...)", ","},
    {"no-header", NULL, "csv: no header line; columns are user,item[,rating][,timestamp]", NULL},
    {"item-meta", "FILE", "csv: item metadata CSV with columns item[,title][,text][,categories]", NULL},
    {"dedup-text", NULL, "amazon: drop a review whose user posted the same text earlier under another item", NULL},
    {NULL, NULL, NULL, NULL}};

static const char synopsis[] = "movielens|amazon|lastfm|csv SRC OUT.h5 [options]";

/* OUT.h5 (and OUT.h5.tmp) must be none of the inputs: SRC, the files in a
 * SRC directory, the embeddings and their ids, the item metadata. */
static rv_err_t check_output(const char *outp, const char *srcp, const char *emb, const char *ids,
                             const char *meta) {
  rv_err_t err = RV_OK;
  const char *in[] = {srcp, emb ? emb : "", ids ? ids : "", meta ? meta : "", NULL};
  RV_TRY(rv_output_not_input(outp, in));
  DIR *d = opendir(srcp);
  for (struct dirent *e; d && !err && (e = readdir(d));) {
    char p[4200];
    if (snprintf(p, sizeof p, "%s/%s", srcp, e->d_name) >= (int)sizeof p) continue;
    const char *one[] = {p, NULL};
    err = rv_output_not_input(outp, one);
  }
  if (d) closedir(d);
done:
  return err;
}

static void print_help(FILE *out) {
  rv_args_print_help(out, "prepare", synopsis, prepare_options);
  fprintf(out, "\nKIND and SRC:\n");
  for (int i = 0; rv_converters[i]; i++) fprintf(out, "  %-10s %s\n", rv_converters[i]->name, rv_converters[i]->help);
}

/* What one run does: the positional arguments and the pipeline's options. */
typedef struct plan {
  const char *kind, *srcp, *outp;
  const char *split; /* as given: stored in the file and printed */
  rv_prep_opts_t o;
  int dim; /* of the lexical encoder */
} plan_t;

/* Options -> plan; the output checked against the inputs first. */
static rv_err_t read_plan(const rv_args_t *a, plan_t *p) {
  rv_err_t err = RV_OK;
  RV_REQUIRE(a->npos == 3, RV_ERR_USAGE, "receval prepare: expected KIND SRC OUT.h5, got %d arguments (usage: receval prepare %s)",
             a->npos, synopsis);
  p->kind = a->pos[0], p->srcp = a->pos[1], p->outp = a->pos[2];
  RV_TRY(check_output(p->outp, p->srcp, rv_arg_str(a, "embeddings"), rv_arg_str(a, "embedding-ids"),
                      rv_arg_str(a, "item-meta")));
  rv_prep_opts_t *o = &p->o;
  *o = (rv_prep_opts_t){.test_frac = 0.2};
  p->split = rv_arg_str(a, "split");
  if (strcmp(p->split, "loo") == 0)
    o->split = RV_SPLIT_LOO;
  else if (strcmp(p->split, "temporal") == 0)
    o->split = RV_SPLIT_TEMPORAL;
  else if (strcmp(p->split, "random") == 0)
    o->split = RV_SPLIT_RANDOM;
  else
    RV_FAIL(RV_ERR_USAGE, "receval prepare: --split: expected loo, temporal or random, got '%s'", p->split);
  RV_TRY(rv_arg_double(a, "test-frac", 0.0, 1.0, &o->test_frac));
  RV_TRY(rv_arg_u64(a, "seed", &o->seed));
  if (rv_arg_str(a, "threshold")) {
    o->has_threshold = 1;
    RV_TRY(rv_arg_double(a, "threshold", -1e30, 1e30, &o->threshold));
  }
  int64_t kc = 0, mu = -1, mi = -1, dim = 64;
  RV_TRY(rv_arg_i64(a, "kcore", 0, 1 << 30, &kc));
  RV_TRY(rv_arg_i64(a, "min-user", 0, 1 << 30, &mu));
  RV_TRY(rv_arg_i64(a, "min-item", 0, 1 << 30, &mi));
  RV_TRY(rv_arg_i64(a, "dim", 1, 65536, &dim));
  o->min_user = (int)(mu >= 0 ? mu : kc);
  o->min_item = (int)(mi >= 0 ? mi : kc);
  o->graded = rv_arg_flag(a, "graded");
  p->dim = (int)dim;
done:
  return err;
}

/* The converter of the plan's kind reads SRC; the pipeline filters and
 * splits it (its errors prefixed by SRC). */
static rv_err_t convert(const rv_args_t *a, const plan_t *p, rv_prep_src_t *src, rv_prep_out_t *po) {
  rv_err_t err = RV_OK;
  const rv_converter_t *conv = rv_converter_find(p->kind);
  RV_REQUIRE(conv, RV_ERR_USAGE, "receval prepare: unknown kind '%s' (movielens, amazon, lastfm or csv)", p->kind);
  const char *delim = rv_arg_str(a, "delimiter");
  const rv_conv_opts_t co = {rv_arg_str(a, "user-col"), rv_arg_str(a, "item-col"), rv_arg_str(a, "rating-col"),
                            rv_arg_str(a, "time-col"), strcmp(delim, "tab") == 0 ? "\t" : delim,
                            rv_arg_flag(a, "no-header"), rv_arg_str(a, "item-meta"),
                            rv_arg_given(a, "rating-col"), rv_arg_given(a, "time-col"),
                            rv_arg_flag(a, "dedup-text")};
  RV_REQUIRE(*co.delimiter, RV_ERR_USAGE, "receval prepare: --delimiter: empty");
  RV_TRY(conv->convert(p->srcp, &co, src));
  err = rv_prep_build(src, &p->o, po);
  if (err) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", rv_error_message());
    RV_FAIL(err, "%s: %s", p->srcp, msg);
  }
done:
  return err;
}

/* The item vectors, in the output's item order, and what made them. */
typedef struct vectors {
  float *emb; /* n_items x dim */
  int dim;
  int64_t no_text; /* items the lexical encoder had no text for */
  char encoder[4400];
} vectors_t;

/* Imported by item id (--embeddings), else the built-in lexical encoder. */
static rv_err_t item_vectors(const rv_args_t *a, const plan_t *p, const rv_prep_src_t *src, const rv_prep_out_t *po,
                             vectors_t *v) {
  rv_err_t err = RV_OK;
  const char *ef = rv_arg_str(a, "embeddings");
  int64_t extra = 0;
  v->dim = p->dim;
  const char **texts = malloc(sizeof(char *) * (size_t)(po->n_items + 1));
  RV_REQUIRE(texts, RV_ERR_RUNTIME, "out of memory");
  if (ef) {
    for (int64_t i = 0; i < po->n_items; i++) texts[i] = src->items.s[po->item_src[i]];
    RV_TRY(rv_embed_import(ef, rv_arg_str(a, "embedding-ids"), texts, po->n_items,
                           rv_arg_flag(a, "ignore-extra-embeddings"), &v->emb, &v->dim, &extra));
    snprintf(v->encoder, sizeof v->encoder, "imported from %s", ef);
  } else {
    for (int64_t i = 0; i < po->n_items; i++) {
      texts[i] = src->text[po->item_src[i]];
      v->no_text += texts[i] == NULL;
    }
    v->emb = malloc(sizeof(float) * (size_t)(po->n_items * v->dim + 1));
    RV_REQUIRE(v->emb && rv_lexenc(texts, po->n_items, v->dim, p->o.seed, v->emb) == 0, RV_ERR_RUNTIME,
               "out of memory encoding");
    snprintf(v->encoder, sizeof v->encoder,
             "lexical (receval built-in: TF-IDF-weighted feature hashing of the item text, 2^18 buckets, "
             "random +-1 projection to dim %d, seed %llu; not a language model)",
             v->dim, (unsigned long long)p->o.seed);
  }
done:
  free(texts);
  return err;
}

/* What was read, removed and written. */
static void print_summary(FILE *out, const plan_t *p, const rv_prep_src_t *src, const rv_prep_out_t *po,
                          const vectors_t *v, double t0) {
  fprintf(out, "receval prepare: %s\n", src->source);
  fprintf(out, "  source: %lld users, %lld items, %lld interactions\n", (long long)po->raw_users,
          (long long)po->raw_items, (long long)po->raw_interactions);
  fprintf(out, "  removed: %lld repeated (user, item) pairs, %lld below the threshold, %lld by k-core",
          (long long)po->duplicates, (long long)po->below_threshold, (long long)po->kcore_removed);
  if (src->text_duplicates) fprintf(out, ", %lld repeating their user's text", (long long)src->text_duplicates);
  fputc('\n', out);
  fprintf(out, "  wrote %s: %lld users, %lld items, %lld train and %lld test interactions (split %s), dim %d\n",
          p->outp, (long long)po->n_users, (long long)po->n_items, (long long)po->tr_ptr[po->n_users],
          (long long)po->te_ptr[po->n_users], p->split, v->dim);
  fprintf(out, "  categories: %lld; item vectors: %s\n", (long long)po->n_categories, v->encoder);
  if (v->no_text) fprintf(out, "  %lld items have no text (zero vectors)\n", (long long)v->no_text);
  fprintf(out, "  %.2f s\n", MPI_Wtime() - t0);
  fflush(out);
}

static rv_err_t prepare(int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  rv_args_t a;
  plan_t p;
  rv_prep_src_t src;
  rv_prep_out_t po;
  vectors_t v;
  memset(&src, 0, sizeof src);
  memset(&po, 0, sizeof po);
  memset(&v, 0, sizeof v);
  RV_TRY(rv_args_parse("prepare", prepare_options, argc, argv, &a));
  if (a.help) {
    print_help(out);
    goto done;
  }
  RV_TRY(read_plan(&a, &p));
  const double t0 = MPI_Wtime();
  RV_TRY(convert(&a, &p, &src, &po));
  RV_TRY(item_vectors(&a, &p, &src, &po, &v));
  const rv_prep_file_t pf = {&src, &po, v.emb, v.dim, v.encoder, p.split, &p.o};
  RV_TRY(rv_prep_write(p.outp, &pf));
  if (out) print_summary(out, &p, &src, &po, &v, t0);
done:
  free(v.emb);
  rv_prep_out_free(&po);
  rv_prep_src_free(&src);
  return err;
}

rv_err_t rv_cmd_prepare(MPI_Comm comm, int argc, char **argv, FILE *out) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) err = prepare(argc, argv, out);
  RV_AGREE(comm);
done:
  return err;
}
