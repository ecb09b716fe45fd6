/* OPEN_PTY: a terminal for the container process, opened inside the container's devpts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "tsrun-init.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* One sendmsg: payload = the pty name, one fd (runc's cmsg.SendFile; go-runc and conmon read exactly this). */
static int send_master(int sock, int master, const char *name) {
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = { (void *)name, strlen(name) };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &master, sizeof(int));
  ssize_t n;
  do n = sendmsg(sock, &mh, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

int open_pty(struct ctx *c, int sock, uint32_t rows, uint32_t cols, int console) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -1;
  int unlock = 0, n, slave = -1, r = -1;
  char name[64];
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) goto out;
  slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY); /* no path lookup: cannot be redirected */
  if (slave < 0) goto out;
  snprintf(name, sizeof name, "/dev/pts/%d", n);
  if (rows && cols) {
    struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0) goto out;
  }
  if (console) {
    /* /dev/console must be ours: a symlink there (CVE-2025-52565) would send the pty mount elsewhere */
    int target = root_open_nofollow(c, "/dev/console");
    if (target < 0 && errno == ENOENT) target = root_open_create(c, "/dev/console", 2, NULL);
    if (target < 0) goto out;
    struct stat st;
    if (fstat(target, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) { close(target); errno = ELOOP; goto out; }
    int m = bind_fd(slave, target);
    close(target);
    if (m < 0) goto out;
  }
  if (send_master(sock, master, name) < 0) goto out;
  if (ioctl(slave, TIOCSCTTY, 0) < 0) goto out;
  for (int fd = 0; fd < 3; fd++) if (dup2(slave, fd) < 0) goto out;
  r = 0;
out:
  { int e = errno; close(master); if (slave > 2) close(slave); close(sock); errno = e; }
  return r;
}
