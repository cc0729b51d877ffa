/* The output directory: created if missing, locked against a second job,
 * checked writable and disjoint from the job's inputs, and the
 * temporary-then-rename protocol that keeps a failed job from leaving a
 * finished-looking report. */
#ifndef RV_IO_OUTDIR_H
#define RV_IO_OUTDIR_H
#include <stddef.h>

#include "base/error.h"

/* The lock file every job holds in its output directory (docs/robustness.md). */
#define RV_OUTDIR_LOCK ".receval.lock"

/* Local (rank 0). Creates dir (and parents) and takes its lock (exit 2 with
 * the holder when another live job holds it; a lock left by a dead job is
 * taken over), refuses any input (NULL-terminated `inputs`, paths that may
 * not exist) that is one of the files the job writes (dir/name, its .tmp,
 * the probe, the lock), checks that a file can be created in it, and
 * removes the given outputs of an earlier run so that the directory never
 * holds a report that is not this job's. The lock is held until
 * rv_outdir_release() or the end of the process. */
rv_err_t rv_outdir_prepare(const char *dir, const char *command, const char *const *names, int n,
                           const char *const *inputs);
/* Local: drops the lock taken by rv_outdir_prepare (no-op without one). */
void rv_outdir_release(void);
/* path = dir/name (+ ".tmp" when tmp). */
void rv_outdir_path(char *buf, size_t len, const char *dir, const char *name, int tmp);
/* Local (rank 0): renames dir/name.tmp to dir/name, in the order given. */
rv_err_t rv_outdir_commit(const char *dir, const char *const *names, int n);
/* Local (rank 0): after a failure, removes dir/name.tmp and dir/name (prepare
 * already removed any earlier run's, so these are this failed job's). */
void rv_outdir_discard(const char *dir, const char *const *names, int n);
/* Local: refuses (exit 2) writing `out` (and out.tmp) when it is the same
 * file as one of the NULL-terminated inputs, for outputs outside a --out
 * directory (gen, prepare, compare --json). */
rv_err_t rv_output_not_input(const char *out, const char *const *inputs);

#endif
