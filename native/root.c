/* Path resolution inside the container root: every lookup goes through openat2(RESOLVE_IN_ROOT),
 * so a symlink in the rootfs can never point an op at the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tsrun-init.h"

int root_open(struct ctx *c, const char *path, int oflags) {
  struct open_how how = { .flags = (uint64_t)(oflags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  if (c->rootfd < 0) { errno = EBADFD; return -1; }
  int fd;
  do fd = (int)syscall(SYS_openat2, c->rootfd, path, &how, sizeof how); while (fd < 0 && errno == EAGAIN);
  return fd;
}

/* mkdir -p inside the root, one component at a time. */
int mkdir_in_root(struct ctx *c, const char *path, uint32_t mode) {
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
  memcpy(buf, path, len + 1);
  for (char *p = buf; ; p++) {
    if (*p != '/' && *p != 0) continue;
    if (p == buf) { if (!*p) break; continue; }
    char saved = *p;
    *p = 0;
    int fd = root_open(c, buf, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      const char *name;
      int parent = root_parent(c, buf, &name);
      if (parent < 0) return -1;
      if (mkdirat(parent, name, mode) < 0 && errno != EEXIST) { close(parent); return -1; }
      close(parent);
      fd = root_open(c, buf, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) return -1;
    close(fd);
    *p = saved;
    if (!saved) break;
  }
  return 0;
}

/* Open the parent directory of path inside the root; *name points at the last component. */
int root_parent(struct ctx *c, const char *path, const char **name) {
  char dir[4096]; /* not static: mkdir_in_root below calls back into root_parent */
  const char *slash = strrchr(path, '/');
  if (!slash) { *name = path; return root_open(c, ".", O_PATH | O_DIRECTORY); }
  size_t n = (size_t)(slash - path);
  if (n >= sizeof dir) { errno = ENAMETOOLONG; return -1; }
  memcpy(dir, path, n);
  dir[n] = 0;
  *name = slash + 1;
  if (n == 0) return root_open(c, "/", O_PATH | O_DIRECTORY);
  if (mkdir_in_root(c, dir, 0755) < 0) return -1;
  return root_open(c, dir, O_PATH | O_DIRECTORY);
}

/* Open path (O_PATH) inside the root, creating it as a directory (create=1) or empty file (create=2). */
int root_open_create(struct ctx *c, const char *path, int create, int *made) {
  if (made) *made = 0;
  int fd = root_open(c, path, O_PATH);
  if (fd >= 0 || errno != ENOENT || !create) return fd;
  if (create == 1) {
    if (mkdir_in_root(c, path, 0755) < 0) return -1;
  } else {
    const char *name;
    int parent = root_parent(c, path, &name);
    if (parent < 0) return -1;
    int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    close(parent);
    if (f < 0 && errno != EEXIST) return -1;
    if (f >= 0) close(f);
  }
  if (made) *made = 1;
  return root_open(c, path, O_PATH);
}
