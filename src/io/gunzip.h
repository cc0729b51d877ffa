/* Strict gzip inflation of a whole file in memory (RFC 1952). Unlike
 * gzread(), which returns what it could inflate when the stream stops
 * early, every member must end with its trailer and its CRC-32 and length
 * must match; members may be concatenated (as `cat a.gz b.gz` makes);
 * anything else after the last member is an error. No MPI, no files. */
#ifndef RV_IO_GUNZIP_H
#define RV_IO_GUNZIP_H
#include <stddef.h>

#include "base/error.h"

/* 1 if in[0..n) starts with the gzip magic bytes 1f 8b. */
int rv_gzip_magic(const unsigned char *in, size_t n);

/* Inflates in[0..n), a gzip stream, into *out (malloc'd, NUL-terminated,
 * *out_len bytes before the NUL; owned by the caller). name is used in
 * messages. Errors (RV_ERR_DATA), nothing returned:
 *   "NAME: truncated gzip stream: member 1 ends after 14370 of its bytes, before its trailer"
 *   "NAME: corrupt gzip: member 1: incorrect data check"
 *   "NAME: corrupt gzip: 12 bytes after the last member are not a gzip member"
 * Out of memory or more than max_out bytes: RV_ERR_RUNTIME / RV_ERR_DATA. */
rv_err_t rv_gunzip(const unsigned char *in, size_t n, const char *name, size_t max_out, char **out,
                   size_t *out_len);

#endif
