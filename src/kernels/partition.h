/* Contiguous partitions of users balanced by cost. Pure integer arithmetic:
 * every rank computes the same boundaries from the same global inputs. */
#ifndef RV_KERNELS_PARTITION_H
#define RV_KERNELS_PARTITION_H
#include <stdint.h>

/* Cuts users [0, n_users) into `parts` contiguous ranges, bounds[0..parts],
 * balancing cost(u) = items_scored + 1 + train_len(u) + test_len(u), where
 * the row lengths come from the CSR row pointers train_ptr and test_ptr
 * (n_users + 1 entries each; either may be NULL for zero length). Every
 * inner boundary is a multiple of grain (>= 1), so that users sit at the
 * same position of the same fixed-size panels at any rank count.
 * Range p is [bounds[p], bounds[p+1]); ranges may be empty. */
void rv_partition_users(int64_t n_users, int64_t items_scored, const int64_t *train_ptr,
                        const int64_t *test_ptr, int64_t grain, int parts, int64_t *bounds);

/* Even split of n into parts (first n % parts ranges one larger). */
void rv_partition_even(int64_t n, int parts, int64_t *bounds);

#endif
