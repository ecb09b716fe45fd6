/* tsrun-init: receive a plan and its fds from tsrun, execute the ops in order, report failures as
 * {op index, errno}. Usage: tsrun-init --sock FD | --decode (plan on stdin) | --version */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "tsrun-init.h"

#define PLAN_MAX (1u << 20)

static int decode_stdin(void) {
  static uint8_t buf[PLAN_MAX];
  size_t len = 0;
  ssize_t n;
  while ((n = read(0, buf + len, sizeof buf - len)) > 0) len += (size_t)n;
  struct plan p;
  if (plan_decode(buf, len, &p) < 0) { fputs("tsrun-init: malformed plan\n", stderr); return 1; }
  plan_print(&p, stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--decode")) return decode_stdin();
  if (argc == 2 && !strcmp(argv[1], "--version")) {
    printf("tsrun-init protocol %d plan %d\n", TSRUN_PROTOCOL_VERSION, TSRUN_PLAN_VERSION);
    return 0;
  }
  if (argc != 3 || strcmp(argv[1], "--sock")) {
    fputs("usage: tsrun-init --sock FD | --decode | --version (run by tsrun, not by hand)\n", stderr);
    return 2;
  }
  prctl(PR_SET_NAME, "tsrun-init", 0, 0, 0); /* we run from /proc/self/fd/N: name the process for ps */
  struct ctx c = { .sock = atoi(argv[2]), .rootfd = -1 };
  /* the host's procfs, checked: every later /proc access goes through it, never through the container's /proc */
  struct statfs sf;
  c.procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (c.procfd < 0 || fstatfs(c.procfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) return 1;
  uint8_t *buf = malloc(PLAN_MAX);
  if (!buf) return 1;
  ssize_t n = msg_recv_plan(c.sock, buf, PLAN_MAX, c.fds, &c.nfds);
  if (n < 12) return 1;
  uint32_t head[3];
  memcpy(head, buf, sizeof head);
  if (head[0] != MSG_PLAN || head[1] != TSRUN_PROTOCOL_MAGIC || head[2] != TSRUN_PROTOCOL_VERSION) {
    msg_send(c.sock, MSG_ERROR, TSRUN_OP_INDEX_PROTOCOL, TSRUN_PROTOCOL_VERSION);
    return 1;
  }
  struct plan p;
  if (plan_decode(buf + 12, (size_t)n - 12, &p) < 0) {
    msg_send(c.sock, MSG_ERROR, TSRUN_OP_INDEX_PROTOCOL, TSRUN_PROTOCOL_VERSION);
    return 1;
  }
  for (uint32_t i = 0; i < p.count; i++) {
    if (run_op(&c, &p.ops[i]) < 0) {
      int e = errno;
      /* nobody listens any more after READY (create has returned): say it on stderr instead */
      if (msg_send(c.sock, MSG_ERROR, i, (uint32_t)e) < 0)
        dprintf(2, "tsrun-init: op %u (%s%s%s): %s\n", i, tsrun_op_names[p.ops[i].code],
                p.ops[i].code == OP_EXEC ? " " : "", p.ops[i].code == OP_EXEC ? c.exec_path : "", strerror(e));
      _exit(p.ops[i].code == OP_EXEC ? 127 : 1);
    }
  }
  _exit(0);
}
