/* receval public API.
 *
 * rv_run() is the whole program behind `receval`: it parses argv, runs the
 * subcommand on the ranks of comm and returns an exit code (0 success,
 * 1 runtime, 2 usage, 3 invalid data, 4 I/O; docs/design.md). Collective on
 * comm. Human-readable output goes to out on rank 0. When it returns a
 * non-zero code, rv_last_error() is the one-line message and
 * rv_last_error_agreed() tells whether every rank returned the same code
 * (otherwise the caller must MPI_Abort: some rank may be inside a collective). */
#ifndef RECEVAL_H
#define RECEVAL_H
#include <mpi.h>
#include <stdio.h>

int rv_run(MPI_Comm comm, int argc, char **argv, FILE *out);
const char *rv_last_error(void);
int rv_last_error_agreed(void);

#endif
