/* Process attributes: scheduler, I/O priority, CPU affinity, personality, NUMA memory policy.
 * Every value (policy numbers, masks, flags) was decided in TypeScript. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tsrun-init.h"

struct sched_attr_v1 {
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
};

int sched_setattr_op(uint32_t policy, uint64_t flags, int32_t nice, uint32_t prio, uint64_t runtime, uint64_t deadline, uint64_t period) {
  struct sched_attr_v1 a = { sizeof a, policy, flags, nice, prio, runtime, deadline, period };
  return (int)syscall(SYS_sched_setattr, 0, &a, 0);
}

int ioprio_set_op(uint32_t ioprio) { return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, ioprio); }

int affinity_op(const uint8_t *mask, uint32_t len) { return sched_setaffinity(0, len, (const cpu_set_t *)mask); }

int personality_op(uint32_t persona) { return personality(persona) < 0 ? -1 : 0; }

/* nodes: a bitmask of len bytes; the kernel reads maxnode - 1 bits */
int mempolicy_op(uint32_t mode, const uint8_t *nodes, uint32_t len) {
  return (int)syscall(SYS_set_mempolicy, mode, len ? nodes : NULL, len ? (unsigned long)len * 8 + 1 : 0);
}
