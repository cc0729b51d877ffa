/* Input files: every file a subcommand reads is first checked to be a
 * regular file, with stat() only, so that a FIFO, a terminal or a device
 * such as /dev/zero is never opened (opening a FIFO blocks until a writer
 * comes; reading /dev/zero never ends). docs/robustness.md. */
#ifndef RV_IO_INPUT_H
#define RV_IO_INPUT_H
#include <sys/types.h>

#include "base/error.h"

/* Local. RV_OK when path names a regular file (symbolic links followed).
 * what names the input in the message ("dataset", "run file") or is NULL.
 * RV_ERR_IO otherwise, one line naming the file and what it is:
 *   "run.fifo: not a regular file (the run file is a FIFO)"
 *   "x.h5: cannot open: No such file or directory" */
rv_err_t rv_input_regular(const char *path, const char *what);

/* "a directory", "a FIFO", "a character device", ... for a non-regular mode. */
const char *rv_file_kind(mode_t mode);

#endif
