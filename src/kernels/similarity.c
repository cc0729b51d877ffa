#include "kernels/similarity.h"

#include <string.h>

static double bound_unit(double unorm, double inorm) {
  (void)unorm, (void)inorm;
  return 1.0;
}
static double bound_dot(double unorm, double inorm) { return unorm * inorm; }
static double bound_sqdist(double unorm, double inorm) { return (unorm + inorm) * (unorm + inorm); }

static void range_unit(double unorm, double inorm, double *lo, double *hi) {
  (void)unorm, (void)inorm;
  *lo = -1.0, *hi = 1.0;
}
static void range_dot(double unorm, double inorm, double *lo, double *hi) {
  *hi = unorm * inorm;
  *lo = -*hi;
}
static void range_sqdist(double unorm, double inorm, double *lo, double *hi) {
  *lo = -(unorm + inorm) * (unorm + inorm);
  *hi = 0.0;
}

/* Indexed by rv_similarity_t. */
static const rv_sim_entry_t table[] = {
    {.sim = RV_SIM_COSINE, .name = "cosine", .proto = 0, .unit_rows = 1, .bilinear_form = 1,
     .alpha = 1.0f, .bound_text = "1", .bound = bound_unit, .range = range_unit},
    {.sim = RV_SIM_DOT, .name = "dot", .proto = 1, .bilinear_form = 1, .alpha = 1.0f,
     .bound_text = "|u|*|v|", .bound = bound_dot, .range = range_dot},
    {.sim = RV_SIM_EUCLIDEAN, .name = "euclidean", .proto = 2, .minus_sqdist = 1, .alpha = 2.0f,
     .bound_text = "(|u|+|v|)^2", .bound = bound_sqdist, .range = range_sqdist},
};
enum { N_SIM = (int)(sizeof table / sizeof table[0]) };

int rv_sim_count(void) { return N_SIM; }

const rv_sim_entry_t *rv_sim_get(rv_similarity_t sim) {
  return (int)sim >= 0 && (int)sim < N_SIM ? &table[sim] : &table[RV_SIM_COSINE];
}

const char *rv_sim_name(rv_similarity_t sim) { return rv_sim_get(sim)->name; }

int rv_sim_parse(const char *name, rv_similarity_t *sim) {
  for (int i = 0; name && i < N_SIM; i++)
    if (strcmp(name, table[i].name) == 0) {
      *sim = table[i].sim;
      return 0;
    }
  return -1;
}

int rv_sim_from_proto(int v, rv_similarity_t *sim) {
  for (int i = 0; i < N_SIM; i++)
    if (table[i].proto == v) {
      *sim = table[i].sim;
      return 0;
    }
  return -1;
}
