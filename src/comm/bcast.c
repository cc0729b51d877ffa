#include "comm/bcast.h"

#include <stdlib.h>

rv_err_t rv_bcast_message(MPI_Comm comm, int root, const ProtobufCMessage *msg,
                          const ProtobufCMessageDescriptor *desc, ProtobufCMessage **copy,
                          uint8_t **bytes, size_t *len) {
  rv_err_t err = RV_OK;
  int rank;
  MPI_Comm_rank(comm, &rank);
  uint8_t *buf = NULL;
  uint64_t n = 0;
  *copy = NULL;
  if (rank == root) n = protobuf_c_message_get_packed_size(msg);
  RV_MPI_TRY(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm));
  buf = malloc(n > 0 ? n : 1);
  if (!buf) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for a %llu-byte message", (unsigned long long)n);
  RV_AGREE(comm);
  if (rank == root) protobuf_c_message_pack(msg, buf);
  RV_MPI_TRY(MPI_Bcast(buf, (int)n, MPI_BYTE, root, comm));
  *copy = protobuf_c_message_unpack(desc, NULL, n, buf);
  if (!*copy) err = rv_error_set(RV_ERR_RUNTIME, "cannot unpack the broadcast %s", desc->name);
  RV_AGREE(comm);
  if (bytes) {
    *bytes = buf;
    *len = n;
    buf = NULL;
  }
done:
  free(buf);
  return err;
}
