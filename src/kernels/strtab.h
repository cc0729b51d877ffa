/* Interned strings: each distinct byte string gets the next index (0, 1,
 * ...), looked up by an open-addressing hash table. Used for external user
 * and item ids, category names and run-file ids. No MPI, no HDF5. */
#ifndef RV_KERNELS_STRTAB_H
#define RV_KERNELS_STRTAB_H
#include <stddef.h>
#include <stdint.h>

typedef struct rv_strtab {
  char **s;       /* [n] NUL-terminated copies */
  size_t *len;    /* [n] */
  int64_t n, cap;
  int64_t *slot;  /* [nslot]: index + 1, 0 = empty */
  size_t nslot;   /* power of two */
} rv_strtab_t;

/* Index of s[0..len) (added when absent), or -1 when out of memory. */
int64_t rv_strtab_intern(rv_strtab_t *t, const char *s, size_t len);
/* Index of s[0..len), or -1 when absent. */
int64_t rv_strtab_find(const rv_strtab_t *t, const char *s, size_t len);
void rv_strtab_free(rv_strtab_t *t);

#endif
