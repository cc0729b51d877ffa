/* The bilinear adapter s(u, i) = e_u^T A e_i, fitted in closed form by ridge
 * regression on all user-item pairs (label 1 for train interactions, 0
 * otherwise):  min_A |Y - E_U A E_I^T|_F^2 + lambda |A|_F^2, whose normal
 * equations G_U A G_I + lambda A = M (G_U = E_U^T E_U, G_I = E_I^T E_I,
 * M = E_U^T Y E_I) are solved in the eigenbases of G_U and G_I
 * (docs/training.md). The Gram matrices and M are exact (128-bit) sums over
 * the ranks' users and item shares; the eigendecompositions and products run
 * in ScaLAPACK on a grid over all ranks; lambda is chosen by the AUC of
 * validation positives against sampled negatives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comm/reduce.h"
#include "io/h5local.h"
#include "io/h5util.h"
#include "io/outdir.h"
#include "io/schema.h"
#include "kernels/partition.h"
#include "kernels/similarity.h"
#include "linalg/scalapack.h"
#include "train/train.h"

#define MAX_LAMBDAS 32

/* Local partials: G_U (this rank's users), G_I (this rank's share of the
 * items), M over non-validation and over validation positives. Each fixed
 * block of RV_TRAIN_BLOCK users (items) is summed in double, in index order,
 * then added exactly. */
static rv_err_t partials(const rv_train_t *t, int rank, int nranks, rv_i128 *acc) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = t->ds;
  const int d = ds->dim;
  const size_t dd = (size_t)d * d;
  rv_i128 *gu = acc, *gi = acc + dd, *mt = acc + 2 * dd, *mv = acc + 3 * dd;
  double *v = malloc(sizeof(double) * (size_t)d * 3), *blk = calloc(3 * dd, sizeof(double));
  int64_t *bounds = malloc(sizeof(int64_t) * (size_t)(nranks + 1));
  RV_REQUIRE(v && blk && bounds, RV_ERR_RUNTIME, "out of memory");
  double *rt = v + d, *rv = v + 2 * d;
  const int64_t base = rv_train_ptr(ds, ds->u0);
  int bad = 0;
  for (int64_t b0 = ds->u0; b0 < ds->u1; b0 += RV_TRAIN_BLOCK) {
    const int64_t b1 = b0 + RV_TRAIN_BLOCK < ds->u1 ? b0 + RV_TRAIN_BLOCK : ds->u1;
    memset(blk, 0, sizeof(double) * 3 * dd);
    for (int64_t u = b0; u < b1; u++) {
      const float *e = t->users + (size_t)(u - ds->u0) * d;
      for (int j = 0; j < d; j++) v[j] = e[j], rt[j] = rv[j] = 0.0;
      rv_outer_add(blk, e, v, d);
      for (int64_t q = rv_train_ptr(ds, u) - base; q < rv_train_ptr(ds, u + 1) - base; q++) {
        const float *it = ds->items + (size_t)ds->train_idx[q] * d;
        double *r = t->is_val[q] ? rv : rt;
        for (int j = 0; j < d; j++) r[j] += it[j];
      }
      rv_outer_add(blk + dd, e, rt, d);
      rv_outer_add(blk + 2 * dd, e, rv, d);
    }
    bad |= rv_xsum_add_array(gu, blk, dd) | rv_xsum_add_array(mt, blk + dd, dd) |
           rv_xsum_add_array(mv, blk + 2 * dd, dd);
  }
  const int64_t nblk = (ds->n_items + RV_TRAIN_BLOCK - 1) / RV_TRAIN_BLOCK;
  rv_partition_even(nblk, nranks, bounds);
  for (int64_t b = bounds[rank]; b < bounds[rank + 1]; b++) {
    const int64_t i1 = (b + 1) * RV_TRAIN_BLOCK < ds->n_items ? (b + 1) * RV_TRAIN_BLOCK : ds->n_items;
    memset(blk, 0, sizeof(double) * dd);
    for (int64_t i = b * RV_TRAIN_BLOCK; i < i1; i++) {
      const float *e = ds->items + (size_t)i * d;
      for (int j = 0; j < d; j++) v[j] = e[j];
      rv_outer_add(blk, e, v, d);
    }
    bad |= rv_xsum_add_array(gi, blk, dd);
  }
  RV_REQUIRE(!bad, RV_ERR_RUNTIME, "bilinear: a Gram entry cannot be summed exactly (|value| > 2^40)");
done:
  free(v), free(blk), free(bounds);
  return err;
}

/* Validation AUC of A (row-major, replicated): per validation positive, its
 * sampled negatives (the item-weight validation pairs); 2 per correctly
 * ordered pair, 1 per tie. Collective. */
static rv_err_t val_auc(MPI_Comm comm, const rv_train_t *t, const double *A, double *auc) {
  rv_err_t err = RV_OK;
  const rv_dataset_t *ds = t->ds;
  const int d = ds->dim, N = t->spec->negatives;
  const int64_t base = rv_train_ptr(ds, ds->u0);
  int64_t maxrow = 0;
  for (int64_t u = ds->u0; u < ds->u1; u++)
    if (rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u) > maxrow) maxrow = rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
  const size_t cap = (size_t)(maxrow * (1 + N) + 1);
  int32_t *items = malloc(sizeof(int32_t) * cap);
  float *s = malloc(sizeof(float) * cap), *tu = malloc(sizeof(float) * (size_t)d);
  int64_t cnt[2] = {0, 0};
  if (!items || !s || !tu) err = rv_error_set(RV_ERR_RUNTIME, "out of memory");
  for (int64_t u = ds->u0; u < ds->u1 && !err; u++) {
    const int64_t e0 = rv_train_ptr(ds, u) - base, len = rv_train_ptr(ds, u + 1) - rv_train_ptr(ds, u);
    int64_t np = 0;
    for (int64_t q = 0; q < len; q++)
      if (t->is_val[e0 + q]) items[np++] = ds->train_idx[e0 + q];
    if (np == 0) continue;
    rv_rng_t r;
    rv_rng_seed(&r, t->spec->seed, RV_STREAM_VAL_NEG, (uint64_t)u);
    const int64_t nn = rv_sample_negatives(&r, ds->n_items, ds->train_idx + e0, len, np * N, items + np);
    const float *e = t->users + (size_t)(u - ds->u0) * d;
    for (int k = 0; k < d; k++) {
      double acc = 0.0;
      for (int j = 0; j < d; j++) acc += e[j] * A[(size_t)j * d + k];
      tu[k] = (float)acc;
    }
    rv_score_pairs(RV_SIM_DOT, tu, 0.0f, ds->items, NULL, d, items, np + nn, s);
    for (int64_t p = 0; p < np; p++)
      for (int64_t q = np + p * N; q < np + (p + 1) * N && q < np + nn; q++) {
        cnt[0] += s[p] > s[q] ? 2 : s[p] == s[q] ? 1 : 0;
        cnt[1] += 2;
      }
  }
  free(items), free(s), free(tu);
  RV_AGREE(comm);
  RV_TRY(rv_allreduce_i64(comm, cnt, 2));
  *auc = cnt[1] > 0 ? (double)cnt[0] / (double)cnt[1] : NAN;
done:
  return err;
}

/* A = V_U [C ./ (l_U l_I^T + lambda)] V_I^T, replicated into full. */
static rv_err_t solve(MPI_Comm comm, const rv_grid_t *g, const rv_dmat_t *C, const double *lu,
                      const double *li, double lambda, const rv_dmat_t *VU, const rv_dmat_t *VI,
                      rv_dmat_t *B, rv_dmat_t *T, double *full) {
  rv_err_t err = RV_OK;
  const int lld = C->desc[8];
  for (int lj = 0; lj < C->lcols; lj++)
    for (int lr = 0; lr < C->lrows; lr++) {
      int i, j;
      rv_dmat_global(g, lr, lj, &i, &j);
      B->a[lr + (size_t)lj * lld] = C->a[lr + (size_t)lj * lld] / (lu[i] * li[j] + lambda);
    }
  RV_TRY(rv_gemm(g, 'N', 'T', 1.0, B, VI, 0.0, T));
  RV_TRY(rv_gemm(g, 'N', 'N', 1.0, VU, T, 0.0, B));
  RV_TRY(rv_dmat_to_full(comm, g, B, full));
done:
  return err;
}

static rv_err_t write_model(const char *path, const rv_train_t *t, const double *A, double lambda,
                            const double *lambdas, const double *aucs, int nl) {
  rv_err_t err = RV_OK;
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  hid_t f = H5I_INVALID_HID;
  const int d = t->ds->dim;
  RV_TRY(rv_h5l_create(tmp, &f));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_FORMAT, RV_FMT_MODEL));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_VERSION, RV_FMT_VERSION));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_MODEL, RV_MODEL_BILINEAR));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_SIMILARITY, rv_sim_name(t->sim)));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_N_ITEMS, t->ds->n_items));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_DIM, d));
  RV_TRY(rv_h5_write_attr_i64(f, tmp, RV_ATTR_WHITEN, t->spec->whiten));
  RV_TRY(rv_h5_write_attr_str(f, tmp, RV_ATTR_DATASET_CHECKSUM, t->checksum));
  RV_TRY(rv_h5_write_attr_bytes(f, tmp, RV_ATTR_TRAINSPEC, t->spec_bytes, t->spec_len));
  RV_TRY(rv_h5l_write_attr_f64(f, tmp, RV_ATTR_LAMBDA, lambda));
  RV_TRY(rv_h5l_write(f, tmp, RV_MOD_BILINEAR_A, H5T_NATIVE_DOUBLE, A, (int64_t)d * d));
  RV_TRY(rv_h5l_write(f, tmp, RV_MOD_HISTORY_LAMBDA, H5T_NATIVE_DOUBLE, lambdas, nl));
  RV_TRY(rv_h5l_write(f, tmp, RV_MOD_HISTORY_VAL_AUC, H5T_NATIVE_DOUBLE, aucs, nl));
  RV_REQUIRE(H5Fclose(f) >= 0, RV_ERR_IO, "%s: cannot close", tmp);
  f = H5I_INVALID_HID;
  RV_REQUIRE(rename(tmp, path) == 0, RV_ERR_IO, "%s: cannot rename to %s", tmp, path);
done:
  if (f >= 0) H5Fclose(f);
  if (err) remove(tmp);
  return err;
}

/* "auto" -> 1e-3 .. 10 times the mean eigenvalue product; else the list. */
static rv_err_t lambdas_of(const char *spec, const double *lu, const double *li, int d, double *out,
                           int *n) {
  rv_err_t err = RV_OK;
  *n = 0;
  if (!spec || strcmp(spec, "auto") == 0) {
    double su = 0.0, si = 0.0;
    for (int j = 0; j < d; j++) su += lu[j], si += li[j];
    const double scale = su * si / ((double)d * d);
    static const double f[] = {1e-3, 1e-2, 1e-1, 1.0, 10.0};
    for (int k = 0; k < 5; k++) out[(*n)++] = f[k] * scale;
    return RV_OK;
  }
  const char *p = spec;
  while (*p) {
    char *end;
    const double x = strtod(p, &end);
    RV_REQUIRE(end != p && x > 0.0 && isfinite(x) && (*end == ',' || *end == '\0') && *n < MAX_LAMBDAS,
               RV_ERR_USAGE, "receval train: --lambdas: expected up to %d positive numbers or 'auto', got '%s'",
               MAX_LAMBDAS, spec);
    out[(*n)++] = x;
    p = *end ? end + 1 : end;
  }
done:
  return err;
}

rv_err_t rv_train_bilinear(MPI_Comm comm, rv_train_t *t, FILE *out) {
  rv_err_t err = RV_OK;
  int rank, nranks;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  const int d = t->ds->dim;
  const size_t dd = (size_t)d * d;
  const double t0 = MPI_Wtime();
  rv_grid_t g = {.ctxt = -1};
  int grid_open = 0;
  rv_dmat_t GU = {0}, GI = {0}, VU = {0}, VI = {0}, Ct = {0}, Cf = {0}, B = {0}, T = {0};
  rv_i128 *acc = calloc(4 * dd, sizeof(rv_i128));
  double *full = malloc(sizeof(double) * 4 * dd), *lu = malloc(sizeof(double) * (size_t)d),
         *li = malloc(sizeof(double) * (size_t)d), *A = malloc(sizeof(double) * dd);
  double lambdas[MAX_LAMBDAS], aucs[MAX_LAMBDAS];
  int nl = 0;
  char model[4200];
  rv_outdir_path(model, sizeof model, t->spec->out_dir, RV_MODEL_FILE, 0);
  if (!acc || !full || !lu || !li || !A) err = rv_error_set(RV_ERR_RUNTIME, "out of memory for %d x %d matrices", d, d);
  if (!err) err = partials(t, rank, nranks, acc);
  RV_AGREE(comm);
  const double t_local = MPI_Wtime();
  RV_TRY(rv_allreduce_i128(comm, acc, (int)(4 * dd)));
  const double t_reduce = MPI_Wtime() - t_local;
  /* full = G_U, G_I, M_train, M_all (train + validation). */
  for (size_t q = 0; q < 3 * dd; q++) full[q] = rv_xsum_value(acc[q]);
  for (size_t q = 0; q < dd; q++) full[3 * dd + q] = rv_xsum_value(acc[2 * dd + q] + acc[3 * dd + q]);

  RV_TRY(rv_grid_open(comm, d, t->spec->scalapack_block, &g));
  grid_open = 1;
  err = rv_dmat_alloc(&g, d, &GU);
  if (!err) err = rv_dmat_alloc(&g, d, &GI);
  if (!err) err = rv_dmat_alloc(&g, d, &VU);
  if (!err) err = rv_dmat_alloc(&g, d, &VI);
  if (!err) err = rv_dmat_alloc(&g, d, &Ct);
  if (!err) err = rv_dmat_alloc(&g, d, &Cf);
  if (!err) err = rv_dmat_alloc(&g, d, &B);
  if (!err) err = rv_dmat_alloc(&g, d, &T);
  RV_AGREE(comm);
  rv_dmat_from_full(&g, full, &GU);
  rv_dmat_from_full(&g, full + dd, &GI);
  err = rv_syevd(comm, &g, &GU, lu, &VU);
  if (!err) err = rv_syevd(comm, &g, &GI, li, &VI);
  RV_AGREE(comm);
  /* C = V_U^T M V_I for the train part and for all positives. */
  for (int which = 0; which < 2; which++) {
    rv_dmat_t *C = which == 0 ? &Ct : &Cf;
    rv_dmat_from_full(&g, full + (2 + which) * dd, &B);
    RV_TRY(rv_gemm(&g, 'T', 'N', 1.0, &VU, &B, 0.0, &T));
    RV_TRY(rv_gemm(&g, 'N', 'N', 1.0, &T, &VI, 0.0, C));
  }
  RV_TRY(lambdas_of(t->spec->lambdas, lu, li, d, lambdas, &nl));
  int best = 0;
  if (nl > 1) {
    for (int k = 0; k < nl; k++) {
      RV_TRY(solve(comm, &g, &Ct, lu, li, lambdas[k], &VU, &VI, &B, &T, A));
      RV_TRY(val_auc(comm, t, A, &aucs[k]));
      RV_REQUIRE(!isnan(aucs[k]), RV_ERR_USAGE,
                 "receval train: bilinear: %d values of lambda but no validation pairs (--val-frac is 0 or too small)",
                 nl);
      if (aucs[k] > aucs[best]) best = k;
      if (rank == 0 && out) fprintf(out, "receval train: bilinear lambda %.6g  val_auc %.6f\n", lambdas[k], aucs[k]);
    }
  } else {
    aucs[0] = NAN;
  }
  /* The chosen lambda, refitted on every train positive. */
  RV_TRY(solve(comm, &g, &Cf, lu, li, lambdas[best], &VU, &VI, &B, &T, A));
  if (rank == 0) err = write_model(model, t, A, lambdas[best], lambdas, aucs, nl);
  RV_AGREE(comm);
  if (rank == 0 && out) {
    fprintf(out,
            "receval train: bilinear, d = %d, %d ranks (%d x %d grid, blocks of %d), lambda %.6g, %.2f s (reduction %.3f s)\n"
            "  model in %s\n",
            d, nranks, g.nprow, g.npcol, g.nb, lambdas[best], MPI_Wtime() - t0, t_reduce, model);
    fflush(out);
  }
done:
  rv_dmat_free(&GU), rv_dmat_free(&GI), rv_dmat_free(&VU), rv_dmat_free(&VI);
  rv_dmat_free(&Ct), rv_dmat_free(&Cf), rv_dmat_free(&B), rv_dmat_free(&T);
  if (grid_open) rv_grid_close(&g);
  free(acc), free(full), free(lu), free(li), free(A);
  return err;
}
