#include "io/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void rv_outdir_path(char *buf, size_t len, const char *dir, const char *name, int tmp) {
  snprintf(buf, len, "%s/%s%s", dir, name, tmp ? ".tmp" : "");
}

static int mkdir_p(const char *dir) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return ENAMETOOLONG;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
    *p = '/';
  }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST) return errno;
  return 0;
}

rv_err_t rv_outdir_prepare(const char *dir, const char *const *names, int n) {
  rv_err_t err = RV_OK;
  char probe[4200];
  const int e = mkdir_p(dir);
  RV_REQUIRE(e == 0, RV_ERR_IO, "%s: cannot create the output directory: %s", dir, strerror(e));
  struct stat st;
  RV_REQUIRE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), RV_ERR_IO,
             "%s: the output path is not a directory", dir);
  snprintf(probe, sizeof probe, "%s/.receval-write-probe.%ld", dir, (long)getpid());
  const int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  RV_REQUIRE(fd >= 0, RV_ERR_IO, "%s: output directory is not writable: %s", dir, strerror(errno));
  close(fd);
  unlink(probe);
  for (int i = 0; i < n; i++) {
    char p[4200];
    rv_outdir_path(p, sizeof p, dir, names[i], 0);
    RV_REQUIRE(unlink(p) == 0 || errno == ENOENT, RV_ERR_IO,
               "%s: cannot remove the output of an earlier run: %s", p, strerror(errno));
    rv_outdir_path(p, sizeof p, dir, names[i], 1);
    unlink(p);
  }
done:
  return err;
}

rv_err_t rv_outdir_commit(const char *dir, const char *const *names, int n) {
  rv_err_t err = RV_OK;
  for (int i = 0; i < n; i++) {
    char from[4200], to[4200];
    rv_outdir_path(from, sizeof from, dir, names[i], 1);
    rv_outdir_path(to, sizeof to, dir, names[i], 0);
    RV_REQUIRE(rename(from, to) == 0, RV_ERR_IO, "%s: cannot rename to %s: %s", from, names[i],
               strerror(errno));
  }
done:
  return err;
}

void rv_outdir_discard(const char *dir, const char *const *names, int n) {
  for (int i = 0; i < n; i++) {
    char p[4200];
    rv_outdir_path(p, sizeof p, dir, names[i], 1);
    unlink(p);
    /* A commit that failed half-way may have renamed some: they belong to
     * this failed job (prepare removed any earlier run's). */
    rv_outdir_path(p, sizeof p, dir, names[i], 0);
    unlink(p);
  }
}
