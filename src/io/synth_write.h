/* Writes a synthetic dataset (kernels/synth.h) in the input contract,
 * collectively: each rank generates and writes its own users and items. */
#ifndef RV_IO_SYNTH_WRITE_H
#define RV_IO_SYNTH_WRITE_H
#include <mpi.h>

#include "base/error.h"
#include "kernels/synth.h"

/* Collective on comm. Writes path + ".tmp" and renames it to path when
 * complete. The file's contents depend only on p, not on the rank count. */
rv_err_t rv_synth_write(MPI_Comm comm, const rv_synth_params_t *p, const char *path);

#endif
