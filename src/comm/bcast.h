/* Broadcast of protobuf messages: the root packs, everyone unpacks. */
#ifndef RV_COMM_BCAST_H
#define RV_COMM_BCAST_H
#include <mpi.h>
#include <protobuf-c/protobuf-c.h>
#include <stdint.h>

#include "base/error.h"

/* Collective on comm. On root, msg is packed and sent; on every rank *copy
 * receives a freshly unpacked message (free it with
 * protobuf_c_message_free_unpacked(*copy, NULL)), and *bytes/ *len (if
 * bytes is not NULL) a malloc'ed copy of the packed bytes. */
rv_err_t rv_bcast_message(MPI_Comm comm, int root, const ProtobufCMessage *msg,
                          const ProtobufCMessageDescriptor *desc, ProtobufCMessage **copy,
                          uint8_t **bytes, size_t *len);

#endif
