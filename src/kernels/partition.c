#include "kernels/partition.h"

#include "kernels/xsum.h"

/* Cumulative cost of users [0, u). Monotone in u. */
static rv_i128 prefix_cost(int64_t u, int64_t items, const int64_t *tr, const int64_t *te) {
  rv_i128 c = (rv_i128)u * (rv_i128)items + (rv_i128)u; /* +1 per user: empty rows still cost */
  if (tr) c += tr[u] - tr[0];
  if (te) c += te[u] - te[0];
  return c;
}

void rv_partition_users(int64_t n_users, int64_t items_scored, const int64_t *train_ptr,
                        const int64_t *test_ptr, int64_t grain, int parts, int64_t *bounds) {
  const rv_i128 total = prefix_cost(n_users, items_scored, train_ptr, test_ptr);
  const int64_t n_grains = (n_users + grain - 1) / grain;
  bounds[0] = 0;
  for (int p = 1; p < parts; p++) {
    /* Smallest grain boundary g * grain with prefix_cost * parts >= p * total. */
    const rv_i128 target = (rv_i128)p * total;
    int64_t lo = (bounds[p - 1] + grain - 1) / grain, hi = n_grains;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      const int64_t u = mid * grain < n_users ? mid * grain : n_users;
      if (prefix_cost(u, items_scored, train_ptr, test_ptr) * parts >= target)
        hi = mid;
      else
        lo = mid + 1;
    }
    /* The boundary just below the target may be closer to it. */
    if (lo > 0 && lo * grain > bounds[p - 1]) {
      const int64_t ua = (lo - 1) * grain, ub = lo * grain < n_users ? lo * grain : n_users;
      const rv_i128 below = target - prefix_cost(ua, items_scored, train_ptr, test_ptr) * parts;
      const rv_i128 above = prefix_cost(ub, items_scored, train_ptr, test_ptr) * parts - target;
      if (below < above) lo--;
    }
    bounds[p] = lo * grain < n_users ? lo * grain : n_users;
  }
  bounds[parts] = n_users;
}

void rv_partition_even(int64_t n, int parts, int64_t *bounds) {
  const int64_t base = n / parts, extra = n % parts;
  bounds[0] = 0;
  for (int p = 0; p < parts; p++) bounds[p + 1] = bounds[p] + base + (p < extra ? 1 : 0);
}
