#include "kernels/partition.h"

#include "kernels/xsum.h"

/* Cumulative cost of users [0, u(g)), u(g) = min(g * grain, n_users), from
 * the row pointers at the grain boundaries (entry g of tr and te). Monotone in g. */
static rv_i128 prefix_cost(int64_t g, int64_t n_users, int64_t grain, int64_t items, const int64_t *tr,
                           const int64_t *te) {
  const int64_t u = g < (n_users + grain - 1) / grain ? g * grain : n_users;
  rv_i128 c = (rv_i128)u * (rv_i128)items + (rv_i128)u; /* +1 per user: empty rows still cost */
  if (tr) c += tr[g] - tr[0];
  if (te) c += te[g] - te[0];
  return c;
}

void rv_partition_users(int64_t n_users, int64_t items_scored, const int64_t *train_ptr,
                        const int64_t *test_ptr, int64_t grain, int parts, int64_t *bounds) {
  const int64_t n_grains = (n_users + grain - 1) / grain;
#define COST(g) prefix_cost((g), n_users, grain, items_scored, train_ptr, test_ptr)
  const rv_i128 total = COST(n_grains);
  int64_t prev = 0; /* grain index of the previous boundary */
  bounds[0] = 0;
  for (int p = 1; p < parts; p++) {
    /* Smallest grain boundary g with prefix_cost * parts >= p * total. */
    const rv_i128 target = (rv_i128)p * total;
    int64_t lo = prev, hi = n_grains;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (COST(mid) * parts >= target)
        hi = mid;
      else
        lo = mid + 1;
    }
    /* The boundary just below the target may be closer to it. */
    if (lo > prev && target - COST(lo - 1) * parts < COST(lo) * parts - target) lo--;
    prev = lo;
    bounds[p] = lo * grain < n_users ? lo * grain : n_users;
  }
  bounds[parts] = n_users;
#undef COST
}

void rv_partition_coarse(const int64_t *ptr, int64_t n, int64_t grain, int64_t *coarse) {
  const int64_t n_grains = (n + grain - 1) / grain;
  for (int64_t g = 0; g < n_grains; g++) coarse[g] = ptr[g * grain];
  coarse[n_grains] = ptr[n];
}

void rv_partition_even(int64_t n, int parts, int64_t *bounds) {
  const int64_t base = n / parts, extra = n % parts;
  bounds[0] = 0;
  for (int p = 0; p < parts; p++) bounds[p + 1] = bounds[p] + base + (p < extra ? 1 : 0);
}
