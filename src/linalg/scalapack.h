/* ScaLAPACK on a BLACS grid over all ranks of a communicator: small dense
 * d x d problems (Gram matrices, covariances) distributed 2-D block-cyclic.
 * Full matrices on the caller's side are row-major and replicated. */
#ifndef RV_LINALG_SCALAPACK_H
#define RV_LINALG_SCALAPACK_H
#include <mpi.h>

#include "base/error.h"

typedef struct rv_grid {
  int handle, ctxt;
  int nprow, npcol, myrow, mycol;
  int nb; /* block size */
} rv_grid_t;

/* An n x n matrix distributed on the grid (column-major local blocks). */
typedef struct rv_dmat {
  int n, lrows, lcols;
  int desc[9];
  double *a;
} rv_dmat_t;

/* Collective on comm: a P = nprow x npcol grid (nprow the largest divisor of
 * P not above sqrt(P)) for n x n matrices with block size nb; nb = 0 puts the
 * whole matrix in one block on grid process (0, 0): ScaLAPACK then does the
 * same arithmetic at any rank count (bitwise-identical results), the other
 * ranks only take part in its collectives. nb < 0: n / max(nprow, npcol)
 * (at least 1, at most 32), so that every rank holds a part (results then
 * depend on the grid in the last bits). */
rv_err_t rv_grid_open(MPI_Comm comm, int n, int nb, rv_grid_t *g);
void rv_grid_close(rv_grid_t *g);

rv_err_t rv_dmat_alloc(const rv_grid_t *g, int n, rv_dmat_t *m);
void rv_dmat_free(rv_dmat_t *m);
/* Local: takes this rank's blocks of the replicated row-major full[n x n]. */
void rv_dmat_from_full(const rv_grid_t *g, const double *full, rv_dmat_t *m);
/* Collective: the replicated row-major full matrix on every rank (each entry
 * has one owner, so the sum that assembles it is exact). */
rv_err_t rv_dmat_to_full(MPI_Comm comm, const rv_grid_t *g, const rv_dmat_t *m, double *full);
/* Global row and column of local entry (li, lj). */
void rv_dmat_global(const rv_grid_t *g, int li, int lj, int *i, int *j);

/* Collective: eigendecomposition of the symmetric a (destroyed) by pdsyevd:
 * a = z diag(w) z^T, w ascending, replicated on every rank of comm (pdsyevd
 * leaves w valid only where the matrix has entries: it is broadcast from
 * grid process (0, 0), rank 0 of comm). */
rv_err_t rv_syevd(MPI_Comm comm, const rv_grid_t *g, rv_dmat_t *a, double *w, rv_dmat_t *z);
/* Collective: c = alpha op(a) op(b) + beta c by pdgemm (op: 'N' or 'T'). */
rv_err_t rv_gemm(const rv_grid_t *g, char ta, char tb, double alpha, const rv_dmat_t *a,
                 const rv_dmat_t *b, double beta, rv_dmat_t *c);

#endif
