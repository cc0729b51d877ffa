/* Declarative command-line options: one table per subcommand; parsing,
 * typed access with range checks and --help are generated from it. Unknown
 * options are errors (a typo in a batch script must not run defaults). */
#ifndef RV_CLI_OPTIONS_H
#define RV_CLI_OPTIONS_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

#define RV_MAX_OPTS 32
#define RV_MAX_POS 4

typedef struct rv_option {
  const char *name;    /* without the leading "--" */
  const char *metavar; /* NULL for a flag */
  const char *help;
  const char *def;     /* default value as text, or NULL */
} rv_option_t;

typedef struct rv_args {
  const char *cmd;
  const rv_option_t *opts; /* terminated by an entry with name NULL */
  const char *pos[RV_MAX_POS];
  int npos;
  const char *val[RV_MAX_OPTS]; /* NULL: not given */
  int help;
} rv_args_t;

/* Parses argv[0..argc) (after the subcommand). Accepts --name value and
 * --name=value; --help sets a->help. Local; returns RV_ERR_USAGE on error. */
rv_err_t rv_args_parse(const char *cmd, const rv_option_t *opts, int argc, char **argv,
                       rv_args_t *a);
void rv_args_print_help(FILE *out, const char *cmd, const char *synopsis,
                        const rv_option_t *opts);

int rv_arg_flag(const rv_args_t *a, const char *name);
/* 1 if the option was on the command line (not just its default). */
int rv_arg_given(const rv_args_t *a, const char *name);
const char *rv_arg_str(const rv_args_t *a, const char *name);
rv_err_t rv_arg_i64(const rv_args_t *a, const char *name, int64_t lo, int64_t hi, int64_t *out);
rv_err_t rv_arg_u64(const rv_args_t *a, const char *name, uint64_t *out);
rv_err_t rv_arg_double(const rv_args_t *a, const char *name, double lo, double hi, double *out);
/* Comma-separated integers in [lo, hi], sorted ascending, duplicates removed. */
rv_err_t rv_arg_intlist(const rv_args_t *a, const char *name, int64_t lo, int64_t hi, int *out,
                        int max, int *n);

/* cli/cmd_eval.c: --k and --metrics of eval and runs into a JobSpec and its
 * arrays (cli/jobspec.h). */
struct rv_job_store;
rv_err_t rv_parse_metrics(const rv_args_t *a, struct rv_job_store *st);

#endif
