/* Mount ops beyond mount(2): mount_setattr, detached trees (idmapped binds), tmpcopyup, shared masks.
 * Every path inside the container goes through root_open (openat2 RESOLVE_IN_ROOT). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tsrun-init.h"

#define FDPATH(buf, fd) snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd)
#define KEEP_ERRNO(stmt) do { int e_ = errno; stmt; errno = e_; } while (0)

static int setattr_fd(int fd, const char *path, int flags, uint64_t set, uint64_t clr, uint64_t prop, int userns) {
  struct mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = prop, .userns_fd = (uint64_t)userns };
  return mount_setattr(fd, path, flags, &a, sizeof a);
}

/* mode 0: path inside the root; 1: absolute path; 2: the innermost mount that contains the absolute path. */
int mount_setattr_op(struct ctx *c, const char *path, uint32_t mode, uint32_t recursive, uint64_t set, uint64_t clr, uint64_t prop) {
  int flags = recursive ? AT_RECURSIVE : 0;
  if (mode == 1) return setattr_fd(AT_FDCWD, path, flags | AT_SYMLINK_NOFOLLOW, set, clr, prop, 0);
  if (mode == 2) {
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (;;) { /* EINVAL: not the root of a mount, so try the parent directory */
      if (setattr_fd(AT_FDCWD, p, flags | AT_SYMLINK_NOFOLLOW, set, clr, prop, 0) == 0) return 0;
      char *slash = strrchr(p, '/');
      if (errno != EINVAL || !slash || p[1] == 0) return -1;
      slash == p ? (void)(p[1] = 0) : (void)(*slash = 0);
    }
  }
  int fd = root_open(c, path, O_PATH);
  if (fd < 0) return -1;
  int r = setattr_fd(fd, "", flags | AT_EMPTY_PATH, set, clr, prop, 0);
  KEEP_ERRNO(close(fd));
  return r;
}

static int write_str(const char *path, const char *s) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, s, strlen(s));
  KEEP_ERRNO(close(fd));
  return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* A user namespace with these id maps, held by an fd: a child unshares it and waits while we write its maps. */
static int userns_fd(const char *uidmap, const char *gidmap) {
  int p[2], fd = -1;
  char path[64];
  if (pipe2(p, O_CLOEXEC) < 0) return -1;
  struct clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0) { char b; close(p[1]); (void)!read(p[0], &b, 1); _exit(0); }
  close(p[0]);
  if (pid > 0) {
    snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
    if (write_str(path, uidmap) == 0) {
      snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
      if (write_str(path, gidmap) == 0) {
        snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
      }
    }
  }
  KEEP_ERRNO(close(p[1]); if (pid > 0) waitpid(pid, NULL, 0));
  return fd;
}

/* A detached copy of source, idmapped before anyone can see it (rec: 1 the whole tree, 2 idmap every mount in it). */
int open_tree_op(struct ctx *c, const char *source, uint32_t rec, const char *uidmap, const char *gidmap, uint32_t slot) {
  if (slot >= TREE_SLOTS) { errno = EINVAL; return -1; }
  int ns = -1, r = -1;
  int t = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec & 1 ? AT_RECURSIVE : 0));
  if (t < 0) return -1;
  if ((ns = userns_fd(uidmap, gidmap)) < 0) goto out;
  if (setattr_fd(t, "", AT_EMPTY_PATH | (rec & 2 ? AT_RECURSIVE : 0), MOUNT_ATTR_IDMAP, 0, 0, ns) < 0) goto out;
  if ((c->trees[slot] = fcntl(t, F_DUPFD_CLOEXEC, 3)) < 0) goto out;
  r = 0;
out:
  KEEP_ERRNO(close(t); if (ns >= 0) close(ns));
  return r;
}

int move_tree_op(struct ctx *c, uint32_t slot, const char *dest, uint32_t create) {
  if (slot >= TREE_SLOTS || c->trees[slot] <= 0) { errno = EBADF; return -1; }
  int fd = root_open_create(c, dest, (int)create, NULL);
  if (fd < 0) return -1;
  int r = move_mount(c->trees[slot], "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  KEEP_ERRNO(close(fd); close(c->trees[slot]); c->trees[slot] = 0);
  return r;
}

/* Copy the tree under dir fd `from` into dir fd `to`: files, dirs, symlinks, nodes, with modes and owners. */
static int copy_tree(int from, int to) {
  int dfd = dup(from), r = 0;
  DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
  if (!d) { if (dfd >= 0) close(dfd); return -1; }
  for (struct dirent *e; r == 0 && (e = readdir(d)); ) {
    struct stat st;
    const char *n = e->d_name;
    if (!strcmp(n, ".") || !strcmp(n, "..")) continue;
    if (fstatat(from, n, &st, AT_SYMLINK_NOFOLLOW) < 0) { r = -1; break; }
    if (S_ISDIR(st.st_mode)) {
      int a = -1, b = -1;
      r = mkdirat(to, n, st.st_mode & 07777);
      if (r == 0 && (a = openat(from, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0 &&
          (b = openat(to, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
        r = copy_tree(a, b);
      else r = -1;
      KEEP_ERRNO(if (a >= 0) close(a); if (b >= 0) close(b));
    } else if (S_ISREG(st.st_mode)) {
      int a = openat(from, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      int b = a < 0 ? -1 : openat(to, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
      for (off_t left = st.st_size; b >= 0 && left > 0; ) {
        ssize_t k = sendfile(b, a, NULL, (size_t)left);
        if (k <= 0) { if (k == 0) errno = EIO; break; }
        left -= k;
      }
      r = b < 0 || lseek(a, 0, SEEK_CUR) != st.st_size ? -1 : 0;
      KEEP_ERRNO(if (a >= 0) close(a); if (b >= 0) close(b));
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t k = readlinkat(from, n, target, sizeof target - 1);
      r = k < 0 ? -1 : (target[k] = 0, symlinkat(target, to, n));
    } else r = mknodat(to, n, st.st_mode, st.st_rdev);
    if (r == 0) r = fchownat(to, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    if (r == 0 && S_ISDIR(st.st_mode)) r = fchmodat(to, n, st.st_mode & 07777, 0);
  }
  KEEP_ERRNO(closedir(d));
  return r;
}

/* tmpcopyup: mount a tmpfs on dest and copy into it what it covers. */
int mount_copyup_op(struct ctx *c, const char *dest, uint64_t flags, const char *data) {
  char p[64];
  int made = root_open_create(c, dest, 1, NULL), under = -1, top = -1, r = -1;
  if (made < 0) return -1;
  close(made);
  if ((under = root_open(c, dest, O_RDONLY | O_DIRECTORY)) < 0) return -1;
  FDPATH(p, under);
  struct stat st;
  if (fstat(under, &st) == 0 && mount("tmpfs", p, "tmpfs", (unsigned long)flags, data) == 0 &&
      (top = root_open(c, dest, O_RDONLY | O_DIRECTORY)) >= 0 && fchmod(top, st.st_mode & 07777) == 0 &&
      fchown(top, st.st_uid, st.st_gid) == 0)
    r = copy_tree(under, top);
  KEEP_ERRNO(close(under); if (top >= 0) close(top));
  return r;
}

/* Mask one path: a file with the host's /dev/null (checked to be 1:3), a directory with the one shared read-only tmpfs. */
int mask_op(struct ctx *c, const char *path) {
  struct stat st;
  int fd = root_open_protected(c, path), r = -1, null = -1;
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  if (fstat(fd, &st) < 0) goto out;
  if (S_ISDIR(st.st_mode) && c->mask_dir > 0) {
    r = bind_fd(c->mask_dir, fd);
  } else if (S_ISDIR(st.st_mode)) {
    /* the first masked directory: a new read-only tmpfs, built and attached by fd (no path to redirect) */
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), m = -1;
    if (fs >= 0 && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "0", 0) == 0 &&
        syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0555", 0) == 0 &&
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
      m = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    KEEP_ERRNO(if (fs >= 0) close(fs));
    if (m < 0) goto out;
    if (syscall(SYS_move_mount, m, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) { KEEP_ERRNO(close(m)); goto out; }
    c->mask_dir = m;
    r = 0;
  } else {
    if ((null = open("/dev/null", O_PATH | O_CLOEXEC)) < 0 || fstat(null, &st) < 0) goto out;
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) { errno = ENODEV; goto out; }
    r = bind_fd(null, fd);
  }
out:
  KEEP_ERRNO(close(fd); if (null >= 0) close(null));
  return r;
}

/* The process cwd, resolved like every other path in the container: a magic link such as /proc/self/fd/N (an fd
 * the runtime passed, CVE-2024-21626) cannot take it out of the root. */
int chdir_in_root(struct ctx *c, const char *path) {
  int fd = root_open(c, path, O_PATH | O_DIRECTORY);
  if (fd < 0) return -1;
  int r = fchdir(fd);
  KEEP_ERRNO(close(fd));
  return r;
}
