// The op table: the single source of truth for the plan wire format.
// native/plan-ops.h is generated from this file (scripts/gen-header.ts); never edit the header by hand.

/** Field kinds on the wire: u32, i32, u64, nullable string, string vector, byte blob, fd index, u32 array. */
export type FieldKind = 'u32' | 'i32' | 'u64' | 'str' | 'strv' | 'bytes' | 'fd' | 'u32v'

export interface OpSpec {
  readonly name: string
  readonly code: number
  readonly fields: readonly (readonly [string, FieldKind])[]
  /** Who runs it and when, for docs/protocol.md. */
  readonly doc: string
}

export const PLAN_VERSION = 1

/** Codes are never reused: 27 (CHDIR) and 32 (MASK_PATH) were retired for CHDIR_IN_ROOT and MASK_SHARED. */
/** Ops run strictly in order. Ops before CLONE run in the helper; ops after it run in the container init. */
export const OPS = [
  { name: 'SETNS', code: 1, fields: [['fd', 'fd'], ['nstype', 'u32']], doc: 'setns(fd, nstype): join an existing namespace' },
  { name: 'UNSHARE', code: 2, fields: [['flags', 'u64']], doc: 'unshare(flags): a time namespace in the helper before clone, a cgroup namespace in the init once it is in its cgroups' },
  { name: 'WRITE_FILE', code: 3, fields: [['path', 'str'], ['data', 'str']], doc: 'open(path, O_WRONLY) and write data (sysctl, timens_offsets, oom_score_adj)' },
  { name: 'CLONE', code: 4, fields: [['flags', 'u64'], ['cgroupFd', 'fd'], ['wait', 'u32']], doc: 'clone3(flags[, CLONE_INTO_CGROUP]); helper sends PID, then exits (or waits for the child when wait=1); the child goes on' },
  { name: 'SYNC', code: 5, fields: [['tag', 'u32']], doc: 'send SYNC(tag) and block until the parent answers ACK' },
  { name: 'SETSID', code: 6, fields: [], doc: 'setsid()' },
  { name: 'MOUNT', code: 7, fields: [['source', 'str'], ['target', 'str'], ['fstype', 'str'], ['flags', 'u64'], ['data', 'str']], doc: 'mount(2) with an absolute target path' },
  { name: 'OPEN_ROOT', code: 8, fields: [['path', 'str']], doc: 'open the root directory used by the *_IN_ROOT ops' },
  { name: 'MOUNT_IN_ROOT', code: 9, fields: [['source', 'str'], ['dest', 'str'], ['fstype', 'str'], ['flags', 'u64'], ['data', 'str'], ['create', 'u32']], doc: 'resolve dest inside the root (openat2 RESOLVE_IN_ROOT), create it (1 dir, 2 file; +4: the last component must be a real directory, not a symlink), mount onto /proc/self/fd/N' },
  { name: 'MKDIR_IN_ROOT', code: 10, fields: [['path', 'str'], ['mode', 'u32']], doc: 'mkdir -p inside the root' },
  { name: 'MKNOD_IN_ROOT', code: 11, fields: [['path', 'str'], ['mode', 'u32'], ['dev', 'u64'], ['uid', 'u32'], ['gid', 'u32']], doc: 'mknod inside the root, then chown' },
  { name: 'SYMLINK_IN_ROOT', code: 12, fields: [['target', 'str'], ['path', 'str']], doc: 'symlink inside the root' },
  { name: 'PIVOT_ROOT', code: 13, fields: [['path', 'str']], doc: 'chdir(path); pivot_root(".", "."); umount2(".", MNT_DETACH); chdir("/")' },
  { name: 'MOVE_ROOT', code: 14, fields: [['path', 'str']], doc: '--no-pivot: chdir(path); mount(path, "/", MS_MOVE); chroot("."); chdir("/")' },
  { name: 'SETHOSTNAME', code: 15, fields: [['name', 'str']], doc: 'sethostname' },
  { name: 'SETDOMAINNAME', code: 16, fields: [['name', 'str']], doc: 'setdomainname' },
  { name: 'SETRLIMIT', code: 17, fields: [['resource', 'u32'], ['soft', 'u64'], ['hard', 'u64']], doc: 'prlimit(0, resource)' },
  { name: 'UMASK', code: 18, fields: [['mask', 'u32']], doc: 'umask' },
  { name: 'CAPS_BOUNDING', code: 19, fields: [['keep', 'u64'], ['last', 'u32']], doc: 'PR_CAPBSET_DROP every capability 0..last not in keep' },
  { name: 'KEEPCAPS', code: 20, fields: [['on', 'u32']], doc: 'PR_SET_KEEPCAPS' },
  { name: 'SETUSER', code: 21, fields: [['uid', 'u32'], ['gid', 'u32'], ['groups', 'u32v'], ['setgroups', 'u32']], doc: 'setgroups (when setgroups=1), setresgid, setresuid' },
  { name: 'CAPSET', code: 22, fields: [['effective', 'u64'], ['permitted', 'u64'], ['inheritable', 'u64']], doc: 'capset' },
  { name: 'AMBIENT', code: 23, fields: [['mask', 'u64'], ['last', 'u32']], doc: 'PR_CAP_AMBIENT_RAISE for every capability in mask' },
  { name: 'NO_NEW_PRIVS', code: 24, fields: [], doc: 'PR_SET_NO_NEW_PRIVS' },
  { name: 'SECCOMP', code: 25, fields: [['program', 'bytes'], ['flags', 'u32']], doc: 'seccomp(SECCOMP_SET_MODE_FILTER, flags, program)' },
  { name: 'CLOSE_FDS', code: 26, fields: [['from', 'u32']], doc: 'close_range(from, ~0, CLOSE_RANGE_CLOEXEC): nothing above from survives exec' },
  { name: 'LOOKUP_EXEC', code: 28, fields: [['file', 'str'], ['path', 'str']], doc: 'find file in PATH (or check it when it has a slash), as the final user' },
  { name: 'READY', code: 29, fields: [], doc: 'send READY: everything is in place' },
  { name: 'WAIT_FIFO', code: 30, fields: [['fd', 'fd']], doc: 'open /proc/self/fd/N O_WRONLY (blocks until start opens the exec fifo), write one byte' },
  { name: 'EXEC', code: 31, fields: [['args', 'strv'], ['env', 'strv']], doc: 'execve the path LOOKUP_EXEC found' },
  { name: 'READONLY_PATH', code: 33, fields: [['path', 'str']], doc: 'bind a path onto itself read-only; missing paths are skipped' },
  { name: 'SET_DUMPABLE', code: 34, fields: [['on', 'u32']], doc: 'PR_SET_DUMPABLE' },
  { name: 'OPEN_PTY', code: 35, fields: [['socket', 'fd'], ['rows', 'u32'], ['cols', 'u32'], ['console', 'u32']], doc: 'open a pty in the container\'s devpts, send the master with its name over socket (SCM_RIGHTS), set the window size, bind the slave on /dev/console when console=1, make it the controlling terminal and stdio' },
  { name: 'MOUNT_SETATTR', code: 36, fields: [['path', 'str'], ['mode', 'u32'], ['recursive', 'u32'], ['attrSet', 'u64'], ['attrClr', 'u64'], ['propagation', 'u64']], doc: 'mount_setattr(AT_RECURSIVE when recursive=1) on path: mode 0 inside the root, 1 an absolute path, 2 the innermost mount containing the absolute path' },
  { name: 'OPEN_TREE', code: 37, fields: [['source', 'str'], ['rec', 'u32'], ['uidMap', 'str'], ['gidMap', 'str'], ['slot', 'u32']], doc: 'open_tree(OPEN_TREE_CLONE, AT_RECURSIVE if rec&1) a detached copy of source, idmap it (MOUNT_ATTR_IDMAP, AT_RECURSIVE if rec&2) with a user namespace made from uidMap/gidMap, keep it in slot (before CLONE)' },
  { name: 'MOVE_TREE', code: 38, fields: [['slot', 'u32'], ['dest', 'str'], ['create', 'u32']], doc: 'move_mount the tree kept in slot onto dest inside the root (created: 1 dir, 2 file)' },
  { name: 'MOUNT_COPYUP', code: 39, fields: [['dest', 'str'], ['flags', 'u64'], ['data', 'str']], doc: 'tmpcopyup: mount a tmpfs on dest inside the root and copy what it covers into it' },
  { name: 'MASK_SHARED', code: 40, fields: [['path', 'str']], doc: 'mask a path inside the root: /dev/null (checked to be the 1:3 device) over files, one read-only tmpfs shared by all masked directories; missing paths are skipped' },
  { name: 'SCHED_SETATTR', code: 41, fields: [['policy', 'u32'], ['flags', 'u64'], ['nice', 'i32'], ['priority', 'u32'], ['runtime', 'u64'], ['deadline', 'u64'], ['period', 'u64']], doc: 'sched_setattr(0, attr): process.scheduler' },
  { name: 'IOPRIO_SET', code: 42, fields: [['ioprio', 'u32']], doc: 'ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio): process.ioPriority' },
  { name: 'SET_AFFINITY', code: 43, fields: [['mask', 'bytes']], doc: 'sched_setaffinity(0, mask): process.execCPUAffinity' },
  { name: 'PERSONALITY', code: 44, fields: [['persona', 'u32']], doc: 'personality(persona): linux.personality' },
  { name: 'SET_MEMPOLICY', code: 45, fields: [['mode', 'u32'], ['nodes', 'bytes']], doc: 'set_mempolicy(mode | flags, nodes bitmask): linux.memoryPolicy' },
  { name: 'CHDIR_IN_ROOT', code: 46, fields: [['path', 'str']], doc: 'chdir to path resolved inside the root (RESOLVE_IN_ROOT, no magic links: /proc/self/fd/N cannot lead out), as the final user' },
] as const satisfies readonly OpSpec[]

export type OpName = (typeof OPS)[number]['name']
type SpecOf<N extends OpName> = Extract<(typeof OPS)[number], { name: N }>
type Value<K extends FieldKind> = K extends 'u32' | 'i32' | 'fd' ? number
  : K extends 'u64' ? bigint
  : K extends 'str' ? string | null
  : K extends 'strv' ? string[]
  : K extends 'u32v' ? number[]
  : Uint8Array
type Args<F> = F extends readonly (readonly [string, FieldKind])[] ? { [E in F[number] as E[0]]: Value<E[1]> } : never

/** One op of a plan, typed by its name. fd fields are indexes into the plan's fd list (-1: none). */
export type Op = { [N in OpName]: { op: N } & Args<SpecOf<N>['fields']> }[OpName]

export const OP_BY_NAME: ReadonlyMap<string, OpSpec> = new Map(OPS.map((o) => [o.name, o]))
export const OP_BY_CODE: ReadonlyMap<number, OpSpec> = new Map(OPS.map((o) => [o.code, o]))

/** Sync tags carried by SYNC ops. */
export const SYNC_TAGS = { setup: 1, hooks: 2 } as const
