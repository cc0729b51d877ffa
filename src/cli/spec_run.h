/* The one way a subcommand with a spec message runs (eval, runs, gen, train):
 * rank 0 turns the command line into the message, every rank receives the
 * same bytes, checks what it decoded, and runs it. A bad command line is
 * agreed before any rank does work; help is printed once and ends the run. */
#ifndef RV_CLI_SPEC_RUN_H
#define RV_CLI_SPEC_RUN_H
#include <mpi.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

typedef struct rv_spec_cmd {
  const ProtobufCMessageDescriptor *desc;
  /* Rank 0: argv -> *msg (storage for the message's arrays in `store`);
   * *help_done = 1 when it printed help and there is nothing to run. */
  rv_err_t (*build)(int argc, char **argv, FILE *out, void *store, int *help_done);
  /* Every rank, on the decoded copy; NULL when the decoder's checks suffice. */
  rv_err_t (*check)(const ProtobufCMessage *msg);
  /* Every rank: the decoded message and its bytes (recorded in outputs). */
  rv_err_t (*run)(MPI_Comm comm, const ProtobufCMessage *msg, const uint8_t *bytes, size_t len,
                  FILE *out);
} rv_spec_cmd_t;

/* Collective on comm. msg is the message inside store that build fills. */
rv_err_t rv_spec_run(MPI_Comm comm, int argc, char **argv, FILE *out, const rv_spec_cmd_t *cmd,
                     void *store, const ProtobufCMessage *msg);

#endif
