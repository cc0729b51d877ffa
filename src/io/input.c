#include "io/input.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

const char *rv_file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

rv_err_t rv_input_regular(const char *path, const char *what) {
  struct stat st;
  if (stat(path, &st) != 0) return rv_error_set(RV_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISREG(st.st_mode)) return RV_OK;
  return rv_error_set(RV_ERR_IO, "%s: not a regular file (%s%s is %s)", path, what ? "the " : "it",
                      what ? what : "", rv_file_kind(st.st_mode));
}
