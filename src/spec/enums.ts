// The closed vocabularies of the OCI runtime-spec v1.3.0: one table each, with the string-literal type
// derived from it. The validators check against these tables and `tsrun features` can list them.

export const NAMESPACE_TYPES = ['mount', 'pid', 'network', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const
export type NamespaceType = (typeof NAMESPACE_TYPES)[number]

/** getrlimit(2) resource names (Linux). */
export const RLIMIT_TYPES = [
  'RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_LOCKS',
  'RLIMIT_MEMLOCK', 'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_RSS',
  'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_STACK',
] as const
export type RlimitType = (typeof RLIMIT_TYPES)[number]

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number]

/** Actions that carry an errno (`errnoRet`, `defaultErrnoRet`). */
export const SECCOMP_ERRNO_ACTIONS: readonly SeccompAction[] = ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number]

export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
  'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64',
] as const
export type SeccompArch = (typeof SECCOMP_ARCHES)[number]

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number]

/** `linux.devices[].type`: character, block, unbuffered character, FIFO. */
export const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const
export type DeviceType = (typeof DEVICE_TYPES)[number]

/** `linux.resources.devices[].type`: all, character, block. */
export const DEVICE_CGROUP_TYPES = ['a', 'c', 'b'] as const
export type DeviceCgroupType = (typeof DEVICE_CGROUP_TYPES)[number]

/**
 * The spec lists the first four; the recursive spellings are accepted too because runc accepts them and
 * clients copy runc's vocabulary.
 */
export const ROOTFS_PROPAGATIONS = [
  'private', 'shared', 'slave', 'unbindable', 'rprivate', 'rshared', 'rslave', 'runbindable',
] as const
export type RootfsPropagation = (typeof ROOTFS_PROPAGATIONS)[number]

export const SCHEDULER_POLICIES = [
  'SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE',
] as const
export type SchedulerPolicy = (typeof SCHEDULER_POLICIES)[number]

export const SCHEDULER_FLAGS = [
  'SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_KEEP_POLICY',
  'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX',
] as const
export type SchedulerFlag = (typeof SCHEDULER_FLAGS)[number]

export const IOPRIO_CLASSES = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'] as const
export type IOPriorityClass = (typeof IOPRIO_CLASSES)[number]

export const MEMORY_POLICY_MODES = [
  'MPOL_DEFAULT', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED',
  'MPOL_PREFERRED_MANY', 'MPOL_LOCAL',
] as const
export type MemoryPolicyMode = (typeof MEMORY_POLICY_MODES)[number]

export const MEMORY_POLICY_FLAGS = ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] as const
export type MemoryPolicyFlag = (typeof MEMORY_POLICY_FLAGS)[number]

export const PERSONALITY_DOMAINS = ['LINUX', 'LINUX32'] as const
export type PersonalityDomain = (typeof PERSONALITY_DOMAINS)[number]

/** Clocks a time namespace can offset (`linux.timeOffsets` keys). */
export const TIME_OFFSET_CLOCKS = ['boottime', 'monotonic'] as const
export type TimeOffsetClock = (typeof TIME_OFFSET_CLOCKS)[number]

export const HOOK_NAMES = [
  'prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop',
] as const
export type HookName = (typeof HOOK_NAMES)[number]

/** Container statuses as tsrun reports them (see types-state.ts for why `creating` is absent). */
export const CONTAINER_STATUSES = ['created', 'running', 'paused', 'stopped'] as const
export type ContainerStatus = (typeof CONTAINER_STATUSES)[number]
