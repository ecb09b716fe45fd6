/* One handler per op. Each does exactly what src/plan/ops.ts says, nothing more. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>
#include "tsrun-init.h"

#define A(i) (op->a[i])

static int fd_arg(struct ctx *c, int32_t idx) {
  if (idx < 0) return -1;
  if (idx >= c->nfds) { errno = EBADF; return -2; }
  return c->fds[idx];
}

static int write_file(struct ctx *c, const char *path, const char *data) {
  int fd = proc_open(c, path, O_WRONLY);
  if (fd < 0) return -1;
  size_t len = strlen(data);
  ssize_t n = write(fd, data, len);
  int e = errno;
  close(fd);
  if (n != (ssize_t)len) { errno = n < 0 ? e : EIO; return -1; }
  return 0;
}

static void fd_path(char *buf, size_t n, int fd) { snprintf(buf, n, "/proc/self/fd/%d", fd); }

static int op_clone(struct ctx *c, const struct op *op) {
  int cg = fd_arg(c, A(CLONE_CGROUPFD).i);
  if (cg == -2) return -1;
  struct clone_args ca = { .flags = A(CLONE_FLAGS).q, .exit_signal = SIGCHLD };
  if (cg >= 0) { ca.flags |= CLONE_INTO_CGROUP; ca.cgroup = (uint64_t)cg; }
  pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
  if (pid < 0) return -1;
  if (pid == 0) return 0; /* the container init: go on with the next op */
  if (msg_send(c->sock, MSG_PID, (uint32_t)pid, 0) < 0) { kill(pid, SIGKILL); _exit(1); }
  close(c->sock);
  if (!A(CLONE_WAIT).u) _exit(0);
  /* foreground run: stay the parent, report the child's status as our own */
  signal(SIGINT, SIG_IGN); signal(SIGTERM, SIG_IGN); signal(SIGHUP, SIG_IGN); signal(SIGQUIT, SIG_IGN);
  int status;
  while (waitpid(pid, &status, 0) < 0) if (errno != EINTR) _exit(255);
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int op_sync(struct ctx *c, const struct op *op) {
  uint32_t type;
  if (msg_send(c->sock, MSG_SYNC, A(SYNC_TAG).u, 0) < 0) return -1;
  if (msg_recv(c->sock, &type, NULL, NULL) < 0) return -1;
  if (type != MSG_ACK) { errno = EPROTO; return -1; }
  return 0;
}

/* A mount point whose last component must be a real directory (create flag 4, which the planner sets for proc
 * and sysfs): opened O_NOFOLLOW|O_DIRECTORY below its parent, so a symlink there is refused, not followed. */
static int open_fs_mountpoint(struct ctx *c, const char *dest, int create) {
  const char *name;
  int parent = root_parent(c, dest, &name);
  if (parent < 0) return -1;
  if (!*name) { close(parent); return root_open(c, dest, O_PATH | O_DIRECTORY); }
  int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create && (mkdirat(parent, name, 0755) == 0 || errno == EEXIST))
    fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
  int e = errno;
  close(parent);
  errno = e;
  return fd;
}

static int op_mount_in_root(struct ctx *c, const struct op *op) {
  char target[64];
  int create = (int)A(MOUNT_IN_ROOT_CREATE).u;
  int fd = create & 4 ? open_fs_mountpoint(c, A(MOUNT_IN_ROOT_DEST).s, create & 3)
                      : root_open_create(c, A(MOUNT_IN_ROOT_DEST).s, create, NULL);
  if (fd < 0) return -1;
  fd_path(target, sizeof target, fd);
  int r = mount(A(MOUNT_IN_ROOT_SOURCE).s, target, A(MOUNT_IN_ROOT_FSTYPE).s, (unsigned long)A(MOUNT_IN_ROOT_FLAGS).q,
                A(MOUNT_IN_ROOT_DATA).s);
  int e = errno;
  close(fd);
  errno = e;
  return r;
}

static int op_mknod(struct ctx *c, const struct op *op) {
  const char *name;
  int parent = root_parent(c, A(MKNOD_IN_ROOT_PATH).s, &name);
  if (parent < 0) return -1;
  int r = mknodat(parent, name, A(MKNOD_IN_ROOT_MODE).u, (dev_t)A(MKNOD_IN_ROOT_DEV).q);
  if (r == 0 || errno == EEXIST)
    r = fchownat(parent, name, A(MKNOD_IN_ROOT_UID).u, A(MKNOD_IN_ROOT_GID).u, AT_SYMLINK_NOFOLLOW);
  int e = errno;
  close(parent);
  errno = e;
  return r;
}

static int op_symlink(struct ctx *c, const struct op *op) {
  const char *name;
  int parent = root_parent(c, A(SYMLINK_IN_ROOT_PATH).s, &name);
  if (parent < 0) return -1;
  int r = symlinkat(A(SYMLINK_IN_ROOT_TARGET).s, parent, name);
  int e = errno;
  close(parent);
  if (r < 0 && e == EEXIST) return 0;
  errno = e;
  return r;
}

static int op_pivot_root(const struct op *op) {
  if (chdir(A(PIVOT_ROOT_PATH).s) < 0) return -1;
  if (syscall(SYS_pivot_root, ".", ".") < 0) return -1;
  /* keep the unmount of the old root from propagating to the host */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) return -1;
  if (umount2(".", MNT_DETACH) < 0) return -1;
  return chdir("/");
}

static int op_move_root(const struct op *op) {
  if (chdir(A(MOVE_ROOT_PATH).s) < 0) return -1;
  if (mount(A(MOVE_ROOT_PATH).s, "/", NULL, MS_MOVE, NULL) < 0) return -1;
  if (chroot(".") < 0) return -1;
  return chdir("/");
}

static int op_capset(const struct op *op) {
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  uint64_t e = A(CAPSET_EFFECTIVE).q, p = A(CAPSET_PERMITTED).q, i = A(CAPSET_INHERITABLE).q;
  d[0] = (struct __user_cap_data_struct){ (uint32_t)e, (uint32_t)p, (uint32_t)i };
  d[1] = (struct __user_cap_data_struct){ (uint32_t)(e >> 32), (uint32_t)(p >> 32), (uint32_t)(i >> 32) };
  return (int)syscall(SYS_capset, &h, d);
}

static int each_cap(uint64_t mask, uint32_t last, int want, int (*fn)(int)) {
  for (uint32_t cap = 0; cap <= last && cap < 64; cap++)
    if ((((mask >> cap) & 1) != 0) == want && fn((int)cap) < 0) return -1;
  return 0;
}
static int drop_bounding(int cap) { return prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); }
static int raise_ambient(int cap) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0); }

static int op_setuser(const struct op *op) {
  if (A(SETUSER_SETGROUPS).u && setgroups(A(SETUSER_GROUPS).av.n, (gid_t *)A(SETUSER_GROUPS).av.p) < 0) return -1;
  if (syscall(SYS_setresgid, A(SETUSER_GID).u, A(SETUSER_GID).u, A(SETUSER_GID).u) < 0) return -1;
  return (int)syscall(SYS_setresuid, A(SETUSER_UID).u, A(SETUSER_UID).u, A(SETUSER_UID).u);
}

static int op_seccomp(struct ctx *c, const struct op *op) {
  struct sock_fprog prog = { (unsigned short)(A(SECCOMP_PROGRAM).b.n / 8), (struct sock_filter *)A(SECCOMP_PROGRAM).b.p };
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, A(SECCOMP_FLAGS).u, &prog);
  if (r < 0) return -1;
  if (!(A(SECCOMP_FLAGS).u & SECCOMP_FILTER_FLAG_NEW_LISTENER)) return 0;
  int fd = (int)r; /* the notify fd: to tsrun, which hands it to the seccomp agent */
  r = msg_send_fd(c->sock, MSG_SECCOMP_FD, fd);
  close(fd);
  return r < 0 ? -1 : 0;
}

static int executable(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return -1;
  if (!S_ISREG(st.st_mode)) { errno = EACCES; return -1; }
  return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
}

static int op_lookup_exec(struct ctx *c, const struct op *op) {
  const char *file = A(LOOKUP_EXEC_FILE).s, *path = A(LOOKUP_EXEC_PATH).s;
  if (strchr(file, '/')) {
    snprintf(c->exec_path, sizeof c->exec_path, "%s", file);
    return executable(file);
  }
  for (const char *p = path ? path : ""; ; ) {
    const char *end = strchrnul(p, ':');
    int n = (int)(end - p);
    snprintf(c->exec_path, sizeof c->exec_path, "%.*s%s%s", n, p, n ? "/" : "./", file);
    if (executable(c->exec_path) == 0) return 0;
    if (!*end) break;
    p = end + 1;
  }
  errno = ENOENT;
  return -1;
}

/* As pid 1 of its namespace the waiting init would ignore signals with a default action: die on them as
 * runc's init does (`kill ID TERM` of a created container). execve resets these handlers. */
static void die_on_signal(int sig) { _exit(128 + sig); }

static int op_wait_fifo(struct ctx *c, const struct op *op) {
  char p[64];
  int fd = fd_arg(c, A(WAIT_FIFO_FD).i);
  if (fd < 0) { errno = EBADF; return -1; }
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM };
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) signal(sigs[i], die_on_signal);
  int w = proc_open(c, p, O_WRONLY); /* blocks until `start` opens the fifo for reading */
  if (w < 0) return -1;
  ssize_t n = write(w, "0", 1);
  close(w);
  close(fd);
  return n == 1 ? 0 : -1;
}

static int op_readonly(struct ctx *c, const struct op *op) {
  int fd = root_open_protected(c, A(READONLY_PATH_PATH).s);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  /* bind the path onto itself (fd-based), then make the new mount read-only, keeping its other flags */
  int t = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE), r = -1;
  if (t >= 0 && syscall(SYS_move_mount, t, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0) {
    struct mount_attr a = { .attr_set = MOUNT_ATTR_RDONLY };
    r = (int)syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &a, sizeof a);
  }
  int e = errno;
  if (t >= 0) close(t);
  close(fd);
  errno = e;
  return r;
}

int run_op(struct ctx *c, const struct op *op) {
  int fd;
  switch (op->code) {
  case OP_SETNS:
    if ((fd = fd_arg(c, A(SETNS_FD).i)) < 0) { errno = EBADF; return -1; }
    return setns(fd, (int)A(SETNS_NSTYPE).u);
  case OP_UNSHARE: return unshare((int)A(UNSHARE_FLAGS).q);
  case OP_WRITE_FILE: return write_file(c, A(WRITE_FILE_PATH).s, A(WRITE_FILE_DATA).s);
  case OP_CLONE: return op_clone(c, op);
  case OP_SYNC: return op_sync(c, op);
  case OP_SETSID: return setsid() < 0 && errno != EPERM ? -1 : 0;
  case OP_MOUNT:
    return mount(A(MOUNT_SOURCE).s, A(MOUNT_TARGET).s, A(MOUNT_FSTYPE).s, (unsigned long)A(MOUNT_FLAGS).q, A(MOUNT_DATA).s);
  case OP_OPEN_ROOT:
    if (c->rootfd >= 0) close(c->rootfd);
    c->rootfd = open(A(OPEN_ROOT_PATH).s, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return c->rootfd < 0 ? -1 : 0;
  case OP_MOUNT_IN_ROOT: return op_mount_in_root(c, op);
  case OP_MKDIR_IN_ROOT: return mkdir_in_root(c, A(MKDIR_IN_ROOT_PATH).s, A(MKDIR_IN_ROOT_MODE).u);
  case OP_MKNOD_IN_ROOT: return op_mknod(c, op);
  case OP_SYMLINK_IN_ROOT: return op_symlink(c, op);
  case OP_PIVOT_ROOT: return op_pivot_root(op);
  case OP_MOVE_ROOT: return op_move_root(op);
  case OP_SETHOSTNAME: return sethostname(A(SETHOSTNAME_NAME).s, strlen(A(SETHOSTNAME_NAME).s));
  case OP_SETDOMAINNAME: return setdomainname(A(SETDOMAINNAME_NAME).s, strlen(A(SETDOMAINNAME_NAME).s));
  case OP_SETRLIMIT: {
    struct rlimit rl = { A(SETRLIMIT_SOFT).q, A(SETRLIMIT_HARD).q };
    return prlimit(0, (int)A(SETRLIMIT_RESOURCE).u, &rl, NULL);
  }
  case OP_UMASK: umask(A(UMASK_MASK).u); return 0;
  case OP_CAPS_BOUNDING: return each_cap(A(CAPS_BOUNDING_KEEP).q, A(CAPS_BOUNDING_LAST).u, 0, drop_bounding);
  case OP_KEEPCAPS: return prctl(PR_SET_KEEPCAPS, A(KEEPCAPS_ON).u, 0, 0, 0);
  case OP_SETUSER: return op_setuser(op);
  case OP_CAPSET: return op_capset(op);
  case OP_AMBIENT: return each_cap(A(AMBIENT_MASK).q, A(AMBIENT_LAST).u, 1, raise_ambient);
  case OP_NO_NEW_PRIVS: return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  case OP_SECCOMP: return op_seccomp(c, op);
  case OP_CLOSE_FDS: return (int)syscall(SYS_close_range, A(CLOSE_FDS_FROM).u, ~0u, CLOSE_RANGE_CLOEXEC);
  case OP_LOOKUP_EXEC: return op_lookup_exec(c, op);
  case OP_READY: return msg_send(c->sock, MSG_READY, 0, 0);
  case OP_WAIT_FIFO: return op_wait_fifo(c, op);
  case OP_EXEC:
    execve(c->exec_path, (char *const *)A(EXEC_ARGS).sv.v, (char *const *)A(EXEC_ENV).sv.v);
    return -1;
  case OP_READONLY_PATH: return op_readonly(c, op);
  case OP_SET_DUMPABLE: return prctl(PR_SET_DUMPABLE, A(SET_DUMPABLE_ON).u, 0, 0, 0);
  case OP_OPEN_PTY:
    if ((fd = fd_arg(c, A(OPEN_PTY_SOCKET).i)) < 0) { errno = EBADF; return -1; }
    return open_pty(c, fd, A(OPEN_PTY_ROWS).u, A(OPEN_PTY_COLS).u, (int)A(OPEN_PTY_CONSOLE).u);
  case OP_MOUNT_SETATTR: return mount_setattr_op(c, A(MOUNT_SETATTR_PATH).s, A(MOUNT_SETATTR_MODE).u, A(MOUNT_SETATTR_RECURSIVE).u, A(MOUNT_SETATTR_ATTRSET).q, A(MOUNT_SETATTR_ATTRCLR).q, A(MOUNT_SETATTR_PROPAGATION).q);
  case OP_OPEN_TREE: return open_tree_op(c, A(OPEN_TREE_SOURCE).s, A(OPEN_TREE_REC).u, A(OPEN_TREE_UIDMAP).s, A(OPEN_TREE_GIDMAP).s, A(OPEN_TREE_SLOT).u);
  case OP_MOVE_TREE: return move_tree_op(c, A(MOVE_TREE_SLOT).u, A(MOVE_TREE_DEST).s, A(MOVE_TREE_CREATE).u);
  case OP_MOUNT_COPYUP: return mount_copyup_op(c, A(MOUNT_COPYUP_DEST).s, A(MOUNT_COPYUP_FLAGS).q, A(MOUNT_COPYUP_DATA).s);
  case OP_MASK_SHARED: return mask_op(c, A(MASK_SHARED_PATH).s);
  case OP_SCHED_SETATTR: return sched_setattr_op(A(SCHED_SETATTR_POLICY).u, A(SCHED_SETATTR_FLAGS).q, A(SCHED_SETATTR_NICE).i, A(SCHED_SETATTR_PRIORITY).u, A(SCHED_SETATTR_RUNTIME).q, A(SCHED_SETATTR_DEADLINE).q, A(SCHED_SETATTR_PERIOD).q);
  case OP_IOPRIO_SET: return ioprio_set_op(A(IOPRIO_SET_IOPRIO).u);
  case OP_SET_AFFINITY: return affinity_op(A(SET_AFFINITY_MASK).b.p, A(SET_AFFINITY_MASK).b.n);
  case OP_PERSONALITY: return personality_op(A(PERSONALITY_PERSONA).u);
  case OP_SET_MEMPOLICY: return mempolicy_op(A(SET_MEMPOLICY_MODE).u, A(SET_MEMPOLICY_NODES).b.p, A(SET_MEMPOLICY_NODES).b.n);
  case OP_CHDIR_IN_ROOT: return chdir_in_root(c, A(CHDIR_IN_ROOT_PATH).s);
  }
  errno = ENOSYS;
  return -1;
}
