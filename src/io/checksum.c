#include "io/checksum.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernels/hash.h"
#include "kernels/rng.h"

#define CHUNK ((size_t)4 << 20)

rv_err_t rv_file_checksum(MPI_Comm comm, const char *path, uint64_t size, char *out, size_t len) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  unsigned char *buf = malloc(CHUNK);
  int fd = open(path, O_RDONLY);
  uint64_t acc = 0;
  if (!buf) {
    err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  } else if (fd < 0) {
    err = rv_error_set(RV_ERR_IO, "%s: cannot open for checksum: %s", path, strerror(errno));
  } else {
    const uint64_t nchunks = (size + CHUNK - 1) / CHUNK;
    for (uint64_t c = (uint64_t)rank; c < nchunks && !err; c += (uint64_t)nranks) {
      const size_t want = (size_t)(size - c * CHUNK < CHUNK ? size - c * CHUNK : CHUNK);
      size_t got = 0;
      while (got < want) {
        const ssize_t r = pread(fd, buf + got, want - got, (off_t)(c * CHUNK + got));
        if (r <= 0) {
          err = rv_error_set(RV_ERR_IO, "%s: read failed during checksum at byte %llu", path,
                             (unsigned long long)(c * CHUNK + got));
          break;
        }
        got += (size_t)r;
      }
      if (!err) acc += rv_mix64(rv_hash64(buf, want, c) ^ (c * 0x9e3779b97f4a7c15ULL));
    }
  }
  if (fd >= 0) close(fd);
  free(buf);
  RV_AGREE(comm);
  RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, &acc, 1, MPI_UINT64_T, MPI_SUM, comm));
  snprintf(out, len, "rvh64:%016" PRIx64, rv_mix64(acc ^ size));
done:
  return err;
}
