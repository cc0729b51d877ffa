/* Embedding whitening (--whiten): x -> (x - mu) W with mu the mean item
 * embedding, C = cov of the item embeddings = V diag(l) V^T and
 * W = V diag(max(l, 1e-9 max l))^-1/2, so whitened items have (nearly) the
 * identity covariance. Sums are exact over the ranks' item shares; the
 * eigendecomposition is ScaLAPACK's (one block: bitwise the same at any
 * rank count). */
#ifndef RV_LINALG_WHITEN_H
#define RV_LINALG_WHITEN_H
#include <mpi.h>
#include <stdint.h>

#include "base/error.h"

/* Collective: whitens items (n_items x d, identical on every rank) and this
 * rank's users (n_users x d, may be NULL) in place. */
rv_err_t rv_whiten(MPI_Comm comm, float *items, int64_t n_items, float *users, int64_t n_users,
                   int d);

#endif
