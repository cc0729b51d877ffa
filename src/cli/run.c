/* rv_run: the whole program behind main, on an injected communicator. */
#include <string.h>

#include "cli/commands.h"
#include "base/error.h"
#include "io/h5util.h"
#include "io/outdir.h"
#include "kernels/similarity.h"
#include "receval.h"
#include "rv_version.h"

static void usage(FILE *out) {
  fprintf(out,
          "receval %s (%s): distributed evaluation of recommenders on language-model embeddings\n"
          "\n"
          "usage: receval COMMAND [options]   (run under mpirun -np N or srun --mpi=pmix)\n"
          "\n"
          "commands:\n"
          "  eval DATASET.h5 --out DIR [--k 10,20] [--similarity " RV_SIM_USAGE_LIST "]\n"
          "                  [--keep-seen] [--block-users B] [--metrics LIST|all] [--item-shards P]\n"
          "                  [--whiten] [--model DIR]   (a model trained by receval train)\n"
          "  train DATASET.h5 --out DIR --model item-weight|bilinear [--loss mse|bce] [--epochs E]\n"
          "                  [--checkpoint-every N] [--resume] [--seed S] [--whiten]\n"
          "                  (SIGTERM/SIGUSR1: checkpoint, exit 5; docs/training.md)\n"
          "  gen OUT.h5 --users U --items N --dim D [--seed S]   synthetic data, planted structure\n"
          "  prepare movielens|amazon|lastfm|csv SRC OUT.h5 [--split loo|temporal|random]\n"
          "                  [--embeddings FILE]   public datasets into the input format\n"
          "  inspect FILE.h5   header, sizes, statistics and validation verdict\n"
          "  runs DATASET.h5 RUNFILE --out DIR   evaluate any recommender's ranked lists\n"
          "  compare DIR_A DIR_B   paired significance tests on per-user values\n"
          "  version\n"
          "\n"
          "receval COMMAND --help prints the options of a command. Exit codes: 0 success,\n"
          "1 runtime failure, 2 usage error, 3 invalid input data, 4 I/O error,\n"
          "5 training interrupted by SIGTERM/SIGUSR1 after writing a checkpoint (rerun with --resume).\n",
          RV_VERSION, RV_GIT_REVISION);
}

/* The subcommands: one line each (cli/commands.h). */
typedef struct rv_command {
  const char *name;
  rv_err_t (*run)(MPI_Comm comm, int argc, char **argv, FILE *out);
} rv_command_t;
static const rv_command_t commands[] = {
    {"eval", rv_cmd_eval},       {"train", rv_cmd_train}, {"gen", rv_cmd_gen},
    {"prepare", rv_cmd_prepare}, {"inspect", rv_cmd_inspect}, {"runs", rv_cmd_runs},
    {"compare", rv_cmd_compare}, {NULL, NULL}};

static const rv_command_t *find_command(const char *name) {
  for (const rv_command_t *c = commands; c->name; c++)
    if (strcmp(c->name, name) == 0) return c;
  return NULL;
}

int rv_run(MPI_Comm comm, int argc, char **argv, FILE *out) {
  const rv_command_t *cmd;
  int rank;
  MPI_Comm_rank(comm, &rank);
  rv_error_clear();
  rv_error_set_rank(rank);
  rv_h5_quiet();
  rv_err_t err = RV_OK;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "help") == 0) {
    if (rank == 0) usage(out);
    err = argc < 2 ? rv_error_set(RV_ERR_USAGE, "no command given (see receval --help)") : RV_OK;
  } else if ((cmd = find_command(argv[1]))) {
    err = cmd->run(comm, argc - 2, argv + 2, out);
  } else if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
    if (rank == 0) fprintf(out, "receval %s (%s)\n", RV_VERSION, RV_GIT_REVISION);
  } else {
    err = rv_error_set(RV_ERR_USAGE, "unknown command '%s' (see receval --help)", argv[1]);
  }
  rv_outdir_release(); /* the output directory's lock, held by rank 0 since prepare */
  /* Every path above either agreed already or failed identically on all
   * ranks (argv is the same everywhere); agreeing again is cheap and safe. */
  return (int)rv_error_agree(comm, err);
}

const char *rv_last_error(void) { return rv_error_message(); }
int rv_last_error_agreed(void) { return rv_error_agreed(); }
