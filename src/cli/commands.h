/* Subcommands of receval. Each is collective on comm and returns an agreed
 * error code (see base/error.h). */
#ifndef RV_CLI_COMMANDS_H
#define RV_CLI_COMMANDS_H
#include <mpi.h>
#include <stdio.h>

#include "base/error.h"

rv_err_t rv_cmd_eval(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_gen(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_prepare(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_inspect(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_runs(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_compare(MPI_Comm comm, int argc, char **argv, FILE *out);
rv_err_t rv_cmd_train(MPI_Comm comm, int argc, char **argv, FILE *out);

#endif
