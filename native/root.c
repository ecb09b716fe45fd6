/* Path resolution inside the container root: every lookup goes through openat2(RESOLVE_IN_ROOT),
 * so a symlink in the rootfs can never point an op at the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
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

/* Open path inside the root without following any symlink on the way (ELOOP if there is one). */
int root_open_nofollow(struct ctx *c, const char *path) {
  struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  return (int)syscall(SYS_openat2, c->rootfd, path, &how, sizeof how);
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

/* Bind src onto dst, both fds: no path, so nothing in the container (a swapped /proc) can redirect it. */
int bind_fd(int src, int dst) {
  int t = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (t < 0) return -1;
  int r = (int)syscall(SYS_move_mount, t, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int e = errno;
  close(t);
  errno = e;
  return r;
}

/* Open a /proc path through the host procfs handle (c->procfd), never through the container's /proc. */
int proc_open(struct ctx *c, const char *path, int oflags) {
  if (strncmp(path, "/proc/", 6) != 0 || c->procfd < 0) return open(path, oflags | O_CLOEXEC);
  return openat(c->procfd, path + 6, oflags | O_CLOEXEC);
}

/* A masked or read-only path: resolved without symlinks (a planted /proc symlink gives ELOOP, not a fake tree),
 * and anything under /proc must really be procfs. */
int root_open_protected(struct ctx *c, const char *path) {
  int fd = root_open_nofollow(c, path);
  if (fd < 0 || strncmp(path, "/proc", 5) != 0 || (path[5] != '/' && path[5] != 0)) return fd;
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) { close(fd); errno = EXDEV; return -1; }
  return fd;
}
