#include "linalg/scalapack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ScaLAPACK and BLACS ship no C header: the prototypes (../shared/TOOLCHAIN.md). */
void Cblacs_pinfo(int *me, int *np);
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ctxt);
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb, const int *irsrc,
               const int *icsrc, const int *ictxt, const int *lld, int *info);
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia,
              const int *ja, const int *desca, double *w, double *z, const int *iz, const int *jz,
              const int *descz, double *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t jobz_len, size_t uplo_len);
void pdgemm_(const char *transa, const char *transb, const int *m, const int *n, const int *k,
             const double *alpha, const double *a, const int *ia, const int *ja, const int *desca,
             const double *b, const int *ib, const int *jb, const int *descb, const double *beta,
             double *c, const int *ic, const int *jc, const int *descc, size_t ta_len, size_t tb_len);

rv_err_t rv_grid_open(MPI_Comm comm, int n, int nb, rv_grid_t *g) {
  rv_err_t err = RV_OK;
  int me, np, p;
  memset(g, 0, sizeof *g);
  g->ctxt = -1;
  MPI_Comm_size(comm, &p);
  Cblacs_pinfo(&me, &np);
  g->nprow = 1;
  for (int r = 1; r * r <= p; r++)
    if (p % r == 0) g->nprow = r;
  g->npcol = p / g->nprow;
  const int span = g->nprow > g->npcol ? g->nprow : g->npcol;
  if (nb == 0)
    g->nb = n > 0 ? n : 1;
  else if (nb > 0)
    g->nb = nb;
  else
    g->nb = n / span < 1 ? 1 : n / span > 32 ? 32 : n / span;
  g->handle = Csys2blacs_handle(comm);
  g->ctxt = g->handle;
  Cblacs_gridinit(&g->ctxt, "Row", g->nprow, g->npcol);
  Cblacs_gridinfo(g->ctxt, &g->nprow, &g->npcol, &g->myrow, &g->mycol);
  RV_REQUIRE(g->myrow >= 0 && g->mycol >= 0, RV_ERR_RUNTIME, "BLACS: cannot build a %d x %d grid",
             g->nprow, g->npcol);
done:
  return err;
}

void rv_grid_close(rv_grid_t *g) {
  if (g->ctxt >= 0) Cblacs_gridexit(g->ctxt);
  Cfree_blacs_system_handle(g->handle);
  g->ctxt = -1;
}

rv_err_t rv_dmat_alloc(const rv_grid_t *g, int n, rv_dmat_t *m) {
  rv_err_t err = RV_OK;
  const int zero = 0;
  int info = 0;
  memset(m, 0, sizeof *m);
  m->n = n;
  m->lrows = numroc_(&n, &g->nb, &g->myrow, &zero, &g->nprow);
  m->lcols = numroc_(&n, &g->nb, &g->mycol, &zero, &g->npcol);
  const int lld = m->lrows > 1 ? m->lrows : 1;
  descinit_(m->desc, &n, &n, &g->nb, &g->nb, &zero, &zero, &g->ctxt, &lld, &info);
  RV_REQUIRE(info == 0, RV_ERR_RUNTIME, "descinit: info %d for a %d x %d matrix", info, n, n);
  m->a = calloc((size_t)lld * (size_t)(m->lcols > 1 ? m->lcols : 1), sizeof(double));
  RV_REQUIRE(m->a, RV_ERR_RUNTIME, "out of memory for a %d x %d matrix", n, n);
done:
  return err;
}

void rv_dmat_free(rv_dmat_t *m) {
  free(m->a);
  m->a = NULL;
}

void rv_dmat_global(const rv_grid_t *g, int li, int lj, int *i, int *j) {
  *i = (li / g->nb * g->nprow + g->myrow) * g->nb + li % g->nb;
  *j = (lj / g->nb * g->npcol + g->mycol) * g->nb + lj % g->nb;
}

void rv_dmat_from_full(const rv_grid_t *g, const double *full, rv_dmat_t *m) {
  const int lld = m->desc[8];
  for (int lj = 0; lj < m->lcols; lj++)
    for (int li = 0; li < m->lrows; li++) {
      int i, j;
      rv_dmat_global(g, li, lj, &i, &j);
      m->a[li + (size_t)lj * lld] = full[(size_t)i * m->n + j];
    }
}

rv_err_t rv_dmat_to_full(MPI_Comm comm, const rv_grid_t *g, const rv_dmat_t *m, double *full) {
  rv_err_t err = RV_OK;
  const int n = m->n, lld = m->desc[8];
  memset(full, 0, sizeof(double) * (size_t)n * n);
  for (int lj = 0; lj < m->lcols; lj++)
    for (int li = 0; li < m->lrows; li++) {
      int i, j;
      rv_dmat_global(g, li, lj, &i, &j);
      full[(size_t)i * n + j] = m->a[li + (size_t)lj * lld];
    }
  /* x + 0 = x exactly: every entry is its owner's value. */
  RV_MPI_TRY(MPI_Allreduce(MPI_IN_PLACE, full, n * n, MPI_DOUBLE, MPI_SUM, comm));
done:
  return err;
}

rv_err_t rv_syevd(MPI_Comm comm, const rv_grid_t *g, rv_dmat_t *a, double *w, rv_dmat_t *z) {
  rv_err_t err = RV_OK;
  const int one = 1, query = -1;
  int info = 0, liwork = 0;
  double wq = 0.0;
  double *work = NULL;
  int *iwork = NULL;
  pdsyevd_("V", "U", &a->n, a->a, &one, &one, a->desc, w, z->a, &one, &one, z->desc, &wq, &query,
           &liwork, &query, &info, 1, 1);
  RV_REQUIRE(info == 0, RV_ERR_RUNTIME, "pdsyevd workspace query: info %d", info);
  /* The documented minimum with the largest local block sizes of the grid
   * (the query alone is too small on some grids: PDORMTR then rejects it). */
  const int zero = 0, n = a->n;
  const int np = numroc_(&n, &g->nb, &zero, &zero, &g->nprow);
  const int nq = numroc_(&n, &g->nb, &zero, &zero, &g->npcol);
  const int tri = 3 * n + (g->nb * (np + 1) > 3 * g->nb ? g->nb * (np + 1) : 3 * g->nb);
  int lwork = (1 + 6 * n + 2 * np * nq > tri ? 1 + 6 * n + 2 * np * nq : tri) + 2 * n;
  if ((int)wq + 1 > lwork) lwork = (int)wq + 1;
  lwork *= 2;
  if (liwork < 7 * n + 8 * g->npcol + 2) liwork = 7 * n + 8 * g->npcol + 2;
  work = malloc(sizeof(double) * (size_t)lwork);
  iwork = malloc(sizeof(int) * (size_t)liwork);
  if (!work || !iwork) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for pdsyevd (%d doubles)", lwork);
  RV_AGREE(comm); /* every rank enters pdsyevd, or none does */
  pdsyevd_("V", "U", &a->n, a->a, &one, &one, a->desc, w, z->a, &one, &one, z->desc, work, &lwork,
           iwork, &liwork, &info, 1, 1);
  RV_MPI_TRY(MPI_Bcast(w, a->n, MPI_DOUBLE, 0, comm)); /* before any check: no rank may skip it */
  RV_REQUIRE(info == 0, RV_ERR_RUNTIME, "pdsyevd: info %d (n = %d)", info, a->n);
done:
  free(work);
  free(iwork);
  return err;
}

rv_err_t rv_gemm(const rv_grid_t *g, char ta, char tb, double alpha, const rv_dmat_t *a,
                 const rv_dmat_t *b, double beta, rv_dmat_t *c) {
  (void)g;
  const int one = 1, n = c->n;
  const char sa[2] = {ta, 0}, sb[2] = {tb, 0};
  pdgemm_(sa, sb, &n, &n, &n, &alpha, a->a, &one, &one, a->desc, b->a, &one, &one, b->desc, &beta,
          c->a, &one, &one, c->desc, 1, 1);
  return RV_OK;
}
