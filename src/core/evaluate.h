/* `receval eval`: the distributed evaluation of one JobSpec. */
#ifndef RV_CORE_EVALUATE_H
#define RV_CORE_EVALUATE_H
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "receval.pb-c.h"

/* Collective on comm. job (global) must already be validated by the CLI;
 * jobspec/len are its packed bytes (stored in results.h5). Writes the
 * outputs of docs/formats.md into job->out_dir and prints a summary on out
 * (rank 0). Errors are agreed. */
rv_err_t rv_evaluate(MPI_Comm comm, const Receval__JobSpec *job, const uint8_t *jobspec,
                     size_t jobspec_len, FILE *out);

#endif
