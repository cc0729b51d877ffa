/* rv_spec_run: build on rank 0, agree, broadcast, check, run (spec_run.h). */
#include "cli/spec_run.h"

#include <stdlib.h>

#include "comm/bcast.h"

rv_err_t rv_spec_run(MPI_Comm comm, int argc, char **argv, FILE *out, const rv_spec_cmd_t *cmd,
                     void *store, const ProtobufCMessage *msg) {
  rv_err_t err = RV_OK;
  int rank, help_done = 0;
  MPI_Comm_rank(comm, &rank);
  ProtobufCMessage *copy = NULL;
  uint8_t *bytes = NULL;
  size_t len = 0;
  if (rank == 0) err = cmd->build(argc, argv, out, store, &help_done);
  RV_AGREE(comm);
  RV_MPI_TRY(MPI_Bcast(&help_done, 1, MPI_INT, 0, comm));
  if (help_done) goto done;
  RV_TRY(rv_bcast_message(comm, 0, msg, cmd->desc, &copy, &bytes, &len));
  /* Every rank checks what it decoded (the same bytes: the same verdict). */
  if (cmd->check) err = cmd->check(copy);
  RV_AGREE(comm);
  RV_TRY(cmd->run(comm, copy, bytes, len, out));
done:
  if (copy) protobuf_c_message_free_unpacked(copy, NULL);
  free(bytes);
  return err;
}
