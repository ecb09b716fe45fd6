/* tsrun-init: executes a plan compiled by tsrun, in order. No policy lives here. */
#ifndef TSRUN_INIT_H
#define TSRUN_INIT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "plan-ops.h"

union arg {
  uint32_t u;
  int32_t i;
  uint64_t q;
  const char *s;
  struct { uint32_t n; const char **v; } sv;
  struct { uint32_t n; const uint8_t *p; } b;
  struct { uint32_t n; uint32_t *p; } av;
};

struct op {
  uint32_t code;
  union arg a[TSRUN_MAX_FIELDS];
};

struct plan {
  uint32_t count;
  struct op *ops;
};

#define MAX_FDS 64

struct ctx {
  int sock;          /* the SOCK_SEQPACKET socket to the parent */
  int fds[MAX_FDS];  /* fds received with the plan, by index */
  int nfds;
  int rootfd;        /* directory the *_IN_ROOT ops resolve against */
  int trees[16];     /* TREE_SLOTS: detached mounts from OPEN_TREE, waiting for MOVE_TREE (0: none) */
  int procfd;        /* the host's procfs, opened and checked before anything else: /proc of the container may lie */
  int mask_dir;      /* the read-only tmpfs shared by masked directories (0: not mounted yet) */
  char exec_path[4096];
};

/* proto.c */
int plan_decode(const uint8_t *buf, size_t len, struct plan *out);
void plan_print(const struct plan *p, FILE *f);
int msg_send(int sock, uint32_t type, uint32_t a, uint32_t b);
int msg_send_fd(int sock, uint32_t type, int fd);
int msg_recv(int sock, uint32_t *type, uint32_t *a, uint32_t *b);
ssize_t msg_recv_plan(int sock, uint8_t *buf, size_t cap, int *fds, int *nfds);

/* ops.c: returns 0 on success, -1 with errno set on failure */
int run_op(struct ctx *c, const struct op *op);

/* pty.c */
int open_pty(struct ctx *c, int sock, uint32_t rows, uint32_t cols, int console);

/* root.c: path resolution inside the root */
int root_open(struct ctx *c, const char *path, int oflags);
int root_open_create(struct ctx *c, const char *path, int create, int *made);
int root_parent(struct ctx *c, const char *path, const char **name);
int mkdir_in_root(struct ctx *c, const char *path, uint32_t mode);
int bind_fd(int src, int dst);
int root_open_nofollow(struct ctx *c, const char *path);
int root_open_protected(struct ctx *c, const char *path);
int proc_open(struct ctx *c, const char *path, int oflags);

/* mounts.c */
#define TREE_SLOTS 16
int mount_setattr_op(struct ctx *c, const char *path, uint32_t mode, uint32_t recursive, uint64_t set, uint64_t clr, uint64_t prop);
int open_tree_op(struct ctx *c, const char *source, uint32_t rec, const char *uidmap, const char *gidmap, uint32_t slot);
int move_tree_op(struct ctx *c, uint32_t slot, const char *dest, uint32_t create);
int mount_copyup_op(struct ctx *c, const char *dest, uint64_t flags, const char *data);
int mask_op(struct ctx *c, const char *path);
int chdir_in_root(struct ctx *c, const char *path);

/* process.c */
int sched_setattr_op(uint32_t policy, uint64_t flags, int32_t nice, uint32_t prio, uint64_t runtime, uint64_t deadline, uint64_t period);
int ioprio_set_op(uint32_t ioprio);
int affinity_op(const uint8_t *mask, uint32_t len);
int personality_op(uint32_t persona);
int mempolicy_op(uint32_t mode, const uint8_t *nodes, uint32_t len);

#endif
