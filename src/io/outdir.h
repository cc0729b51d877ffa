/* The output directory: created if missing, checked writable, and the
 * temporary-then-rename protocol that keeps a failed job from leaving a
 * finished-looking report. */
#ifndef RV_IO_OUTDIR_H
#define RV_IO_OUTDIR_H
#include <stddef.h>

#include "core/error.h"

/* Local (rank 0). Creates dir (and parents), checks that a file can be
 * created in it, and removes the given outputs of an earlier run so that
 * the directory never holds a report that is not this job's. */
rv_err_t rv_outdir_prepare(const char *dir, const char *const *names, int n);
/* path = dir/name (+ ".tmp" when tmp). */
void rv_outdir_path(char *buf, size_t len, const char *dir, const char *name, int tmp);
/* Local (rank 0): renames dir/name.tmp to dir/name, in the order given. */
rv_err_t rv_outdir_commit(const char *dir, const char *const *names, int n);
/* Local (rank 0): after a failure, removes dir/name.tmp and dir/name (prepare
 * already removed any earlier run's, so these are this failed job's). */
void rv_outdir_discard(const char *dir, const char *const *names, int n);

#endif
