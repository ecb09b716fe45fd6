/* Generated from src/plan/ops.ts and src/init-protocol/messages.ts by scripts/gen-header.ts. Do not edit. */
#ifndef TSRUN_PLAN_OPS_H
#define TSRUN_PLAN_OPS_H

#define TSRUN_PLAN_VERSION 1
#define TSRUN_PROTOCOL_VERSION 1
#define TSRUN_PROTOCOL_MAGIC 0x5453524eu
#define TSRUN_OP_INDEX_PROTOCOL 0xffffffffu
#define TSRUN_MAX_FIELDS 7
#define TSRUN_MAX_OP 46

/* messages: u32 type, u32 a, u32 b, payload */
#define MSG_PLAN 1
#define MSG_PID 2
#define MSG_SYNC 3
#define MSG_ACK 4
#define MSG_READY 5
#define MSG_SECCOMP_FD 7
#define MSG_ERROR 6

enum tsrun_op {
  OP_SETNS = 1,
  OP_UNSHARE = 2,
  OP_WRITE_FILE = 3,
  OP_CLONE = 4,
  OP_SYNC = 5,
  OP_SETSID = 6,
  OP_MOUNT = 7,
  OP_OPEN_ROOT = 8,
  OP_MOUNT_IN_ROOT = 9,
  OP_MKDIR_IN_ROOT = 10,
  OP_MKNOD_IN_ROOT = 11,
  OP_SYMLINK_IN_ROOT = 12,
  OP_PIVOT_ROOT = 13,
  OP_MOVE_ROOT = 14,
  OP_SETHOSTNAME = 15,
  OP_SETDOMAINNAME = 16,
  OP_SETRLIMIT = 17,
  OP_UMASK = 18,
  OP_CAPS_BOUNDING = 19,
  OP_KEEPCAPS = 20,
  OP_SETUSER = 21,
  OP_CAPSET = 22,
  OP_AMBIENT = 23,
  OP_NO_NEW_PRIVS = 24,
  OP_SECCOMP = 25,
  OP_CLOSE_FDS = 26,
  OP_LOOKUP_EXEC = 28,
  OP_READY = 29,
  OP_WAIT_FIFO = 30,
  OP_EXEC = 31,
  OP_READONLY_PATH = 33,
  OP_SET_DUMPABLE = 34,
  OP_OPEN_PTY = 35,
  OP_MOUNT_SETATTR = 36,
  OP_OPEN_TREE = 37,
  OP_MOVE_TREE = 38,
  OP_MOUNT_COPYUP = 39,
  OP_MASK_SHARED = 40,
  OP_SCHED_SETATTR = 41,
  OP_IOPRIO_SET = 42,
  OP_SET_AFFINITY = 43,
  OP_PERSONALITY = 44,
  OP_SET_MEMPOLICY = 45,
  OP_CHDIR_IN_ROOT = 46,
};

/* field indexes per op */
#define SETNS_FD 0
#define SETNS_NSTYPE 1
#define UNSHARE_FLAGS 0
#define WRITE_FILE_PATH 0
#define WRITE_FILE_DATA 1
#define CLONE_FLAGS 0
#define CLONE_CGROUPFD 1
#define CLONE_WAIT 2
#define SYNC_TAG 0
#define MOUNT_SOURCE 0
#define MOUNT_TARGET 1
#define MOUNT_FSTYPE 2
#define MOUNT_FLAGS 3
#define MOUNT_DATA 4
#define OPEN_ROOT_PATH 0
#define MOUNT_IN_ROOT_SOURCE 0
#define MOUNT_IN_ROOT_DEST 1
#define MOUNT_IN_ROOT_FSTYPE 2
#define MOUNT_IN_ROOT_FLAGS 3
#define MOUNT_IN_ROOT_DATA 4
#define MOUNT_IN_ROOT_CREATE 5
#define MKDIR_IN_ROOT_PATH 0
#define MKDIR_IN_ROOT_MODE 1
#define MKNOD_IN_ROOT_PATH 0
#define MKNOD_IN_ROOT_MODE 1
#define MKNOD_IN_ROOT_DEV 2
#define MKNOD_IN_ROOT_UID 3
#define MKNOD_IN_ROOT_GID 4
#define SYMLINK_IN_ROOT_TARGET 0
#define SYMLINK_IN_ROOT_PATH 1
#define PIVOT_ROOT_PATH 0
#define MOVE_ROOT_PATH 0
#define SETHOSTNAME_NAME 0
#define SETDOMAINNAME_NAME 0
#define SETRLIMIT_RESOURCE 0
#define SETRLIMIT_SOFT 1
#define SETRLIMIT_HARD 2
#define UMASK_MASK 0
#define CAPS_BOUNDING_KEEP 0
#define CAPS_BOUNDING_LAST 1
#define KEEPCAPS_ON 0
#define SETUSER_UID 0
#define SETUSER_GID 1
#define SETUSER_GROUPS 2
#define SETUSER_SETGROUPS 3
#define CAPSET_EFFECTIVE 0
#define CAPSET_PERMITTED 1
#define CAPSET_INHERITABLE 2
#define AMBIENT_MASK 0
#define AMBIENT_LAST 1
#define SECCOMP_PROGRAM 0
#define SECCOMP_FLAGS 1
#define CLOSE_FDS_FROM 0
#define LOOKUP_EXEC_FILE 0
#define LOOKUP_EXEC_PATH 1
#define WAIT_FIFO_FD 0
#define EXEC_ARGS 0
#define EXEC_ENV 1
#define READONLY_PATH_PATH 0
#define SET_DUMPABLE_ON 0
#define OPEN_PTY_SOCKET 0
#define OPEN_PTY_ROWS 1
#define OPEN_PTY_COLS 2
#define OPEN_PTY_CONSOLE 3
#define MOUNT_SETATTR_PATH 0
#define MOUNT_SETATTR_MODE 1
#define MOUNT_SETATTR_RECURSIVE 2
#define MOUNT_SETATTR_ATTRSET 3
#define MOUNT_SETATTR_ATTRCLR 4
#define MOUNT_SETATTR_PROPAGATION 5
#define OPEN_TREE_SOURCE 0
#define OPEN_TREE_REC 1
#define OPEN_TREE_UIDMAP 2
#define OPEN_TREE_GIDMAP 3
#define OPEN_TREE_SLOT 4
#define MOVE_TREE_SLOT 0
#define MOVE_TREE_DEST 1
#define MOVE_TREE_CREATE 2
#define MOUNT_COPYUP_DEST 0
#define MOUNT_COPYUP_FLAGS 1
#define MOUNT_COPYUP_DATA 2
#define MASK_SHARED_PATH 0
#define SCHED_SETATTR_POLICY 0
#define SCHED_SETATTR_FLAGS 1
#define SCHED_SETATTR_NICE 2
#define SCHED_SETATTR_PRIORITY 3
#define SCHED_SETATTR_RUNTIME 4
#define SCHED_SETATTR_DEADLINE 5
#define SCHED_SETATTR_PERIOD 6
#define IOPRIO_SET_IOPRIO 0
#define SET_AFFINITY_MASK 0
#define PERSONALITY_PERSONA 0
#define SET_MEMPOLICY_MODE 0
#define SET_MEMPOLICY_NODES 1
#define CHDIR_IN_ROOT_PATH 0

/* field kinds per op: u=u32 i=i32 q=u64 s=string v=string vector b=bytes f=fd index a=u32 vector */
static const char *const tsrun_op_fields[TSRUN_MAX_OP + 1] = {
  [OP_SETNS] = "fu",
  [OP_UNSHARE] = "q",
  [OP_WRITE_FILE] = "ss",
  [OP_CLONE] = "qfu",
  [OP_SYNC] = "u",
  [OP_SETSID] = "",
  [OP_MOUNT] = "sssqs",
  [OP_OPEN_ROOT] = "s",
  [OP_MOUNT_IN_ROOT] = "sssqsu",
  [OP_MKDIR_IN_ROOT] = "su",
  [OP_MKNOD_IN_ROOT] = "suquu",
  [OP_SYMLINK_IN_ROOT] = "ss",
  [OP_PIVOT_ROOT] = "s",
  [OP_MOVE_ROOT] = "s",
  [OP_SETHOSTNAME] = "s",
  [OP_SETDOMAINNAME] = "s",
  [OP_SETRLIMIT] = "uqq",
  [OP_UMASK] = "u",
  [OP_CAPS_BOUNDING] = "qu",
  [OP_KEEPCAPS] = "u",
  [OP_SETUSER] = "uuau",
  [OP_CAPSET] = "qqq",
  [OP_AMBIENT] = "qu",
  [OP_NO_NEW_PRIVS] = "",
  [OP_SECCOMP] = "bu",
  [OP_CLOSE_FDS] = "u",
  [OP_LOOKUP_EXEC] = "ss",
  [OP_READY] = "",
  [OP_WAIT_FIFO] = "f",
  [OP_EXEC] = "vv",
  [OP_READONLY_PATH] = "s",
  [OP_SET_DUMPABLE] = "u",
  [OP_OPEN_PTY] = "fuuu",
  [OP_MOUNT_SETATTR] = "suuqqq",
  [OP_OPEN_TREE] = "sussu",
  [OP_MOVE_TREE] = "usu",
  [OP_MOUNT_COPYUP] = "sqs",
  [OP_MASK_SHARED] = "s",
  [OP_SCHED_SETATTR] = "uqiuqqq",
  [OP_IOPRIO_SET] = "u",
  [OP_SET_AFFINITY] = "b",
  [OP_PERSONALITY] = "u",
  [OP_SET_MEMPOLICY] = "ub",
  [OP_CHDIR_IN_ROOT] = "s",
};

static const char *const tsrun_op_names[TSRUN_MAX_OP + 1] = {
  [OP_SETNS] = "SETNS",
  [OP_UNSHARE] = "UNSHARE",
  [OP_WRITE_FILE] = "WRITE_FILE",
  [OP_CLONE] = "CLONE",
  [OP_SYNC] = "SYNC",
  [OP_SETSID] = "SETSID",
  [OP_MOUNT] = "MOUNT",
  [OP_OPEN_ROOT] = "OPEN_ROOT",
  [OP_MOUNT_IN_ROOT] = "MOUNT_IN_ROOT",
  [OP_MKDIR_IN_ROOT] = "MKDIR_IN_ROOT",
  [OP_MKNOD_IN_ROOT] = "MKNOD_IN_ROOT",
  [OP_SYMLINK_IN_ROOT] = "SYMLINK_IN_ROOT",
  [OP_PIVOT_ROOT] = "PIVOT_ROOT",
  [OP_MOVE_ROOT] = "MOVE_ROOT",
  [OP_SETHOSTNAME] = "SETHOSTNAME",
  [OP_SETDOMAINNAME] = "SETDOMAINNAME",
  [OP_SETRLIMIT] = "SETRLIMIT",
  [OP_UMASK] = "UMASK",
  [OP_CAPS_BOUNDING] = "CAPS_BOUNDING",
  [OP_KEEPCAPS] = "KEEPCAPS",
  [OP_SETUSER] = "SETUSER",
  [OP_CAPSET] = "CAPSET",
  [OP_AMBIENT] = "AMBIENT",
  [OP_NO_NEW_PRIVS] = "NO_NEW_PRIVS",
  [OP_SECCOMP] = "SECCOMP",
  [OP_CLOSE_FDS] = "CLOSE_FDS",
  [OP_LOOKUP_EXEC] = "LOOKUP_EXEC",
  [OP_READY] = "READY",
  [OP_WAIT_FIFO] = "WAIT_FIFO",
  [OP_EXEC] = "EXEC",
  [OP_READONLY_PATH] = "READONLY_PATH",
  [OP_SET_DUMPABLE] = "SET_DUMPABLE",
  [OP_OPEN_PTY] = "OPEN_PTY",
  [OP_MOUNT_SETATTR] = "MOUNT_SETATTR",
  [OP_OPEN_TREE] = "OPEN_TREE",
  [OP_MOVE_TREE] = "MOVE_TREE",
  [OP_MOUNT_COPYUP] = "MOUNT_COPYUP",
  [OP_MASK_SHARED] = "MASK_SHARED",
  [OP_SCHED_SETATTR] = "SCHED_SETATTR",
  [OP_IOPRIO_SET] = "IOPRIO_SET",
  [OP_SET_AFFINITY] = "SET_AFFINITY",
  [OP_PERSONALITY] = "PERSONALITY",
  [OP_SET_MEMPOLICY] = "SET_MEMPOLICY",
  [OP_CHDIR_IN_ROOT] = "CHDIR_IN_ROOT",
};

static const char *const tsrun_op_field_names[TSRUN_MAX_OP + 1][TSRUN_MAX_FIELDS ? TSRUN_MAX_FIELDS : 1] = {
  [OP_SETNS] = {"fd", "nstype"},
  [OP_UNSHARE] = {"flags"},
  [OP_WRITE_FILE] = {"path", "data"},
  [OP_CLONE] = {"flags", "cgroupFd", "wait"},
  [OP_SYNC] = {"tag"},
  [OP_SETSID] = {},
  [OP_MOUNT] = {"source", "target", "fstype", "flags", "data"},
  [OP_OPEN_ROOT] = {"path"},
  [OP_MOUNT_IN_ROOT] = {"source", "dest", "fstype", "flags", "data", "create"},
  [OP_MKDIR_IN_ROOT] = {"path", "mode"},
  [OP_MKNOD_IN_ROOT] = {"path", "mode", "dev", "uid", "gid"},
  [OP_SYMLINK_IN_ROOT] = {"target", "path"},
  [OP_PIVOT_ROOT] = {"path"},
  [OP_MOVE_ROOT] = {"path"},
  [OP_SETHOSTNAME] = {"name"},
  [OP_SETDOMAINNAME] = {"name"},
  [OP_SETRLIMIT] = {"resource", "soft", "hard"},
  [OP_UMASK] = {"mask"},
  [OP_CAPS_BOUNDING] = {"keep", "last"},
  [OP_KEEPCAPS] = {"on"},
  [OP_SETUSER] = {"uid", "gid", "groups", "setgroups"},
  [OP_CAPSET] = {"effective", "permitted", "inheritable"},
  [OP_AMBIENT] = {"mask", "last"},
  [OP_NO_NEW_PRIVS] = {},
  [OP_SECCOMP] = {"program", "flags"},
  [OP_CLOSE_FDS] = {"from"},
  [OP_LOOKUP_EXEC] = {"file", "path"},
  [OP_READY] = {},
  [OP_WAIT_FIFO] = {"fd"},
  [OP_EXEC] = {"args", "env"},
  [OP_READONLY_PATH] = {"path"},
  [OP_SET_DUMPABLE] = {"on"},
  [OP_OPEN_PTY] = {"socket", "rows", "cols", "console"},
  [OP_MOUNT_SETATTR] = {"path", "mode", "recursive", "attrSet", "attrClr", "propagation"},
  [OP_OPEN_TREE] = {"source", "rec", "uidMap", "gidMap", "slot"},
  [OP_MOVE_TREE] = {"slot", "dest", "create"},
  [OP_MOUNT_COPYUP] = {"dest", "flags", "data"},
  [OP_MASK_SHARED] = {"path"},
  [OP_SCHED_SETATTR] = {"policy", "flags", "nice", "priority", "runtime", "deadline", "period"},
  [OP_IOPRIO_SET] = {"ioprio"},
  [OP_SET_AFFINITY] = {"mask"},
  [OP_PERSONALITY] = {"persona"},
  [OP_SET_MEMPOLICY] = {"mode", "nodes"},
  [OP_CHDIR_IN_ROOT] = {"path"},
};

#endif
