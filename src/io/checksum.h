/* Dataset checksum "rvh64:<hex>": the file is cut into 4 MiB chunks, each
 * hashed with rv_hash64 keyed by its index, and the chunk hashes are mixed
 * and added modulo 2^64. Chunks are spread round-robin over the ranks and
 * the sum is order-free, so the value is the same at any rank count. */
#ifndef RV_IO_CHECKSUM_H
#define RV_IO_CHECKSUM_H
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Collective on comm. Writes "rvh64:%016x" into out (>= 23 bytes). */
rv_err_t rv_file_checksum(MPI_Comm comm, const char *path, uint64_t size, char *out, size_t len);

#endif
