#include "io/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rv_version.h"

/* The lock this process holds (rank 0 of a job; one output directory). */
static int lock_fd = -1;
static char lock_path[4200];

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

/* Exit 2 when `path` (existing or not) is the same file as an input: same
 * device and inode, so hard links, symbolic links and "a/../b" spellings
 * are all caught. */
static rv_err_t refuse_input(const char *path, const char *const *inputs) {
  rv_err_t err = RV_OK;
  struct stat o, in;
  if (!inputs || stat(path, &o) != 0) return RV_OK;
  for (int i = 0; inputs[i]; i++) {
    if (!*inputs[i] || stat(inputs[i], &in) != 0) continue;
    if (in.st_dev != o.st_dev || in.st_ino != o.st_ino) continue;
    if (strcmp(inputs[i], path) == 0)
      RV_FAIL(RV_ERR_USAGE, "%s: an input of this job is a file it would replace or remove; "
              "write the outputs elsewhere (nothing was changed)", path);
    RV_FAIL(RV_ERR_USAGE, "%s: an input of this job is the same file as %s, which it would replace "
            "or remove; write the outputs elsewhere (nothing was changed)", inputs[i], path);
  }
done:
  return err;
}

rv_err_t rv_output_not_input(const char *out, const char *const *inputs) {
  rv_err_t err = RV_OK;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  RV_TRY(refuse_input(out, inputs));
  RV_TRY(refuse_input(tmp, inputs));
done:
  return err;
}

/* "pid 123 on host n1, receval eval 0.4 (abc), since 2026-12-01T23:50:00Z" */
static void holder_line(char *buf, size_t len, const char *command) {
  char host[256] = "?", when[32] = "?";
  gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(buf, len, "pid %ld on host %s, receval %s %s (%s), since %s\n", (long)getpid(), host,
           command, RV_VERSION, RV_GIT_REVISION, when);
}

/* The holder's line from a lock file that another process holds. */
static void read_holder(int fd, char *buf, size_t len) {
  const ssize_t r = pread(fd, buf, len - 1, 0);
  buf[r > 0 ? r : 0] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  if (!*buf) snprintf(buf, len, "holder not yet recorded");
}

/* A POSIX record lock (fcntl) on DIR/.receval.lock: held while the process
 * lives, released by the kernel when it dies (so a killed job's lock file
 * is stale and taken over), and honoured across nodes on NFS, Lustre and
 * GPFS. The file's text names the holder for the second job's message. */
static rv_err_t lock_dir(const char *dir, const char *command) {
  rv_err_t err = RV_OK;
  snprintf(lock_path, sizeof lock_path, "%s/%s", dir, RV_OUTDIR_LOCK);
  for (int attempt = 0; attempt < 16; attempt++) {
    const int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    RV_REQUIRE(fd >= 0, RV_ERR_IO, "%s: output directory is not writable (cannot create %s): %s", dir,
               RV_OUTDIR_LOCK, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
      const int e = errno;
      if (e == EACCES || e == EAGAIN) {
        char holder[512];
        read_holder(fd, holder, sizeof holder);
        close(fd);
        RV_FAIL(RV_ERR_USAGE,
                "%s: the output directory is in use by another receval job (%s); wait for it or "
                "choose another --out (its files were not touched)",
                dir, holder);
      }
      close(fd);
      RV_REQUIRE(!(e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL), RV_ERR_IO,
                 "%s: the file system does not support locks (%s): receval cannot keep a second "
                 "job out of this output directory; use a directory on a file system with POSIX locks",
                 lock_path, strerror(e));
      RV_FAIL(RV_ERR_IO, "%s: cannot lock: %s", lock_path, strerror(e));
    }
    /* The previous holder may have removed the file between our open and
     * lock: then the lock is on a dead inode; try again on the new file. */
    struct stat a, b;
    if (fstat(fd, &a) == 0 && stat(lock_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
      char line[600];
      holder_line(line, sizeof line, command);
      const size_t n = strlen(line);
      if (ftruncate(fd, 0) != 0 || pwrite(fd, line, n, 0) != (ssize_t)n) {
        const int e = errno;
        close(fd);
        RV_FAIL(RV_ERR_IO, "%s: cannot write the lock file: %s", lock_path, strerror(e));
      }
      lock_fd = fd;
      return RV_OK;
    }
    close(fd);
  }
  RV_FAIL(RV_ERR_IO, "%s: cannot take the lock: the file keeps being replaced", lock_path);
done:
  return err;
}

void rv_outdir_release(void) {
  if (lock_fd < 0) return;
  unlink(lock_path); /* while still held: a waiting job then locks a new file */
  close(lock_fd);
  lock_fd = -1;
}

rv_err_t rv_outdir_prepare(const char *dir, const char *command, const char *const *names, int n,
                           const char *const *inputs) {
  rv_err_t err = RV_OK;
  char probe[4200], p[4200];
  const int e = mkdir_p(dir);
  RV_REQUIRE(e == 0, RV_ERR_IO, "%s: cannot create the output directory: %s", dir, strerror(e));
  struct stat st;
  RV_REQUIRE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), RV_ERR_IO,
             "%s: the output path is not a directory", dir);
  /* Every path the job may write, before any is touched. */
  snprintf(probe, sizeof probe, "%s/.receval-write-probe.%ld", dir, (long)getpid());
  snprintf(p, sizeof p, "%s/%s", dir, RV_OUTDIR_LOCK);
  RV_TRY(refuse_input(p, inputs));
  RV_TRY(refuse_input(probe, inputs));
  for (int i = 0; i < n; i++) {
    rv_outdir_path(p, sizeof p, dir, names[i], 0);
    RV_TRY(refuse_input(p, inputs));
    rv_outdir_path(p, sizeof p, dir, names[i], 1);
    RV_TRY(refuse_input(p, inputs));
  }
  if (lock_fd < 0) RV_TRY(lock_dir(dir, command));
  const int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  RV_REQUIRE(fd >= 0, RV_ERR_IO, "%s: output directory is not writable: %s", dir, strerror(errno));
  close(fd);
  unlink(probe);
  for (int i = 0; i < n; i++) {
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
