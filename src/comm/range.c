#include "comm/range.h"

#include <float.h>

#include "kernels/similarity.h"

/* Largest value over comm and the smallest index holding it. */
static rv_err_t max_loc(MPI_Comm comm, double *v, int64_t *idx) {
  rv_err_t err = RV_OK;
  double g = *v;
  RV_MPI_TRY(MPI_Allreduce(v, &g, 1, MPI_DOUBLE, MPI_MAX, comm));
  int64_t mine = *v == g && *idx >= 0 ? *idx : INT64_MAX, first = mine;
  RV_MPI_TRY(MPI_Allreduce(&mine, &first, 1, MPI_INT64_T, MPI_MIN, comm));
  *v = g;
  *idx = first == INT64_MAX ? -1 : first;
done:
  return err;
}

rv_err_t rv_range_compute(MPI_Comm comm, rv_similarity_t sim, const float *users, int64_t nu, int64_t u0,
                          const float *items, int64_t ni, int64_t i0, int d, rv_range_t *r) {
  rv_err_t err = RV_OK;
  *r = (rv_range_t){.sim = sim, .dim = d, .bound = 1.0, .user = -1, .item = -1};
  if (rv_sim_get(sim)->unit_rows) return RV_OK; /* unit rows: |score| <= 1 */
  r->unorm = rv_rows_maxnorm(users, (size_t)nu, d, &r->user);
  r->inorm = rv_rows_maxnorm(items, (size_t)ni, d, &r->item);
  if (r->user >= 0) r->user += u0;
  if (r->item >= 0) r->item += i0;
  RV_TRY(max_loc(comm, &r->unorm, &r->user));
  RV_TRY(max_loc(comm, &r->inorm, &r->item));
  r->bound = rv_score_bound(sim, r->unorm, r->inorm);
  r->check = !rv_score_bound_safe(r->bound, d);
done:
  return rv_error_agree(comm, err);
}

rv_err_t rv_range_error(const rv_range_t *r, const char *path) {
  return rv_error_set(RV_ERR_RUNTIME,
                      "%s: numerical range exceeded: %s scores up to %s = %.2g > %.2g (float32); "
                      "largest user norm %.2g (user %lld), item norm %.2g (item %lld)",
                      path, rv_sim_name(r->sim),
                      rv_sim_get(r->sim)->bound_text, r->bound, (double)FLT_MAX, r->unorm,
                      (long long)r->user, r->inorm, (long long)r->item);
}
