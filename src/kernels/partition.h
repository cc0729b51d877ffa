/* Contiguous partitions of users balanced by cost. Pure integer arithmetic:
 * every rank computes the same boundaries from the same global inputs. */
#ifndef RV_KERNELS_PARTITION_H
#define RV_KERNELS_PARTITION_H
#include <stdint.h>

/* Cuts users [0, n_users) into `parts` contiguous ranges, bounds[0..parts],
 * balancing cost(u) = items_scored + 1 + train_len(u) + test_len(u). The
 * row lengths come from the CSR row pointers at the grain boundaries only:
 * train_ptr[g] = train row pointer at user min(g * grain, n_users), for
 * g = 0..ceil(n_users / grain) (rv_partition_coarse makes them; with grain 1
 * they are the row pointers themselves); either may be NULL for zero
 * length. Every inner boundary is a multiple of grain (>= 1), so that users
 * sit at the same position of the same fixed-size panels at any rank count.
 * Range p is [bounds[p], bounds[p+1]); ranges may be empty. */
void rv_partition_users(int64_t n_users, int64_t items_scored, const int64_t *train_ptr,
                        const int64_t *test_ptr, int64_t grain, int parts, int64_t *bounds);

/* The row pointers at the grain boundaries: coarse[g] = ptr[min(g * grain, n)],
 * g = 0..ceil(n / grain), from the n + 1 row pointers ptr. */
void rv_partition_coarse(const int64_t *ptr, int64_t n, int64_t grain, int64_t *coarse);

/* Even split of n into parts (first n % parts ranges one larger). */
void rv_partition_even(int64_t n, int parts, int64_t *bounds);

#endif
