// cbench: time commands precisely for the benchmark harness (bench/run.mjs).
//
//   cbench [--par] [--crun-ns] [--out FILE] [--err FILE] -- STEP [::: STEP]...
//
// A STEP is a command line (exec'd with execvp), or a built-in:
//   @wait PIDFILE   wait (pidfd_open + poll) until the pid in PIDFILE exits; 0 ms if it is already gone
// Steps run one after the other (or all at once with --par). For each step one line is printed:
//   step=I exit=E wall_ns=N user_us=U sys_us=S maxrss_kb=R
// then `total_ns=N` (first start to last end). Wall is measured around fork..wait4 only, so the
// harness (node) costs nothing; user/sys/maxrss come from wait4's rusage of that child (its reaped
// descendants included). Children get stdin=/dev/null, stdout=--out (default /dev/null) and
// stderr=--err (default /dev/null), both appended; cbench's own stdout never reaches them, so a
// container that keeps its stdio open cannot hold up the harness.
// --crun-ns: before the first step, enter a private mount namespace and cover /sys/fs/cgroup/unified
// with a tmpfs (crun 1.8 refuses this host's hybrid cgroup layout otherwise); the cost is not timed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

struct step {
  char **argv;
  pid_t pid;
  long long start, end;
  int status;
  struct rusage ru;
  int builtin_done;
};

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
  fprintf(stderr, "cbench: %s: %s\n", what, strerror(errno));
  exit(125);
}

static const char *out_path = "/dev/null", *err_path = "/dev/null";

static pid_t start_child(char **argv) {
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (in > 2) close(in);
    if (out > 2) close(out);
    if (err > 2) close(err);
    execvp(argv[0], argv);
    dprintf(2, "cbench: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

/* @wait PIDFILE: returns 0 when the process is gone, 1 on a bad pid file, 2 on timeout. */
static int builtin_wait(const char *pidfile) {
  FILE *f = fopen(pidfile, "r");
  if (!f) return 1;
  long pid = 0;
  int n = fscanf(f, "%ld", &pid);
  fclose(f);
  if (n != 1 || pid <= 0) return 1;
  int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (fd < 0) return errno == ESRCH ? 0 : 1;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, 20000);
  close(fd);
  return r == 1 ? 0 : 2;
}

static void crun_ns(void) {
  if (unshare(CLONE_NEWNS) < 0) die("unshare(CLONE_NEWNS)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / rprivate");
  if (access("/sys/fs/cgroup/unified", F_OK) == 0 &&
      mount("none", "/sys/fs/cgroup/unified", "tmpfs", 0, NULL) < 0)
    die("mount tmpfs on /sys/fs/cgroup/unified");
}

static void print_step(int i, struct step *s) {
  int code = WIFEXITED(s->status) ? WEXITSTATUS(s->status) : 128 + WTERMSIG(s->status);
  long long user = (long long)s->ru.ru_utime.tv_sec * 1000000 + s->ru.ru_utime.tv_usec;
  long long sys = (long long)s->ru.ru_stime.tv_sec * 1000000 + s->ru.ru_stime.tv_usec;
  printf("step=%d exit=%d wall_ns=%lld user_us=%lld sys_us=%lld maxrss_kb=%ld\n", i, code, s->end - s->start, user,
         sys, s->ru.ru_maxrss);
}

int main(int argc, char **argv) {
  int par = 0, i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--par")) par = 1;
    else if (!strcmp(argv[i], "--crun-ns")) crun_ns();
    else if (!strcmp(argv[i], "--out") && i + 1 < argc) out_path = argv[++i];
    else if (!strcmp(argv[i], "--err") && i + 1 < argc) err_path = argv[++i];
    else if (!strcmp(argv[i], "--")) { i++; break; }
    else { fprintf(stderr, "cbench: unknown option %s\n", argv[i]); return 125; }
  }
  if (i >= argc) { fprintf(stderr, "usage: cbench [--par] [--crun-ns] [--out F] [--err F] -- CMD [::: CMD]...\n"); return 125; }

  /* split argv[i..] on ":::" in place */
  int max = argc;
  struct step *steps = calloc(max, sizeof *steps);
  int n = 0;
  steps[n++].argv = &argv[i];
  for (int j = i; j < argc; j++) {
    if (!strcmp(argv[j], ":::")) {
      argv[j] = NULL;
      steps[n++].argv = &argv[j + 1];
    }
  }
  for (int k = 0; k < n; k++)
    if (!steps[k].argv[0]) { fprintf(stderr, "cbench: empty step\n"); return 125; }

  long long t0 = now_ns(), tend = t0;
  if (!par) {
    for (int k = 0; k < n; k++) {
      struct step *s = &steps[k];
      if (!strcmp(s->argv[0], "@wait")) {
        s->start = now_ns();
        int r = builtin_wait(s->argv[1] ? s->argv[1] : "");
        s->end = now_ns();
        s->status = r << 8;
      } else {
        s->start = now_ns();
        s->pid = start_child(s->argv);
        if (wait4(s->pid, &s->status, 0, &s->ru) < 0) die("wait4");
        s->end = now_ns();
      }
      tend = s->end;
    }
  } else {
    for (int k = 0; k < n; k++) {
      steps[k].start = now_ns();
      steps[k].pid = start_child(steps[k].argv);
    }
    for (int left = n; left > 0; left--) {
      int status;
      struct rusage ru;
      pid_t p = wait4(-1, &status, 0, &ru);
      if (p < 0) die("wait4");
      long long t = now_ns();
      for (int k = 0; k < n; k++)
        if (steps[k].pid == p) { steps[k].end = t; steps[k].status = status; steps[k].ru = ru; }
      tend = t;
    }
  }
  for (int k = 0; k < n; k++) print_step(k, &steps[k]);
  printf("total_ns=%lld\n", tend - t0);
  return 0;
}
