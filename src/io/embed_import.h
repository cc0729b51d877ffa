/* Item vectors from an outside encoder, matched to the catalogue by id:
 *  - FILE.npy: a float32 or float64 C-order matrix [m, d] with an id file
 *    (one id per line, row order; default FILE.ids.txt);
 *  - FILE.h5 / .hdf5: datasets /embedding (float [m, d]) and /id (strings
 *    or integers, [m]);
 *  - FILE.csv: lines "id,v1,...,vd" (a first line whose second field is not
 *    a number is a header).
 * Every catalogue id must have exactly one row; rows whose id names no
 * catalogue item are an error unless ignore_extra. Local (rank 0). */
#ifndef RV_IO_EMBED_IMPORT_H
#define RV_IO_EMBED_IMPORT_H
#include <stdint.h>

#include "base/error.h"

rv_err_t rv_embed_import(const char *path, const char *ids_path, const char *const *ids, int64_t n,
                         int ignore_extra, float **out, int *dim, int64_t *n_extra);

#endif
