/**
 * The input and output of the seccomp compiler. The input interfaces mirror the OCI
 * `linux.seccomp` object structurally (runtime-spec config-linux.md), so the canonical spec
 * types are assignable to them; numbers may be given as bigint where JSON lost precision.
 */

export interface SeccompArgConfig {
  readonly index: number
  readonly value: number | bigint
  readonly valueTwo?: number | bigint
  readonly op: string
}

export interface SeccompSyscallConfig {
  readonly names: readonly string[]
  readonly action: string
  readonly errnoRet?: number
  readonly args?: readonly SeccompArgConfig[]
}

export interface SeccompConfig {
  readonly defaultAction: string
  readonly defaultErrnoRet?: number
  readonly architectures?: readonly string[]
  readonly flags?: readonly string[]
  readonly listenerPath?: string
  readonly listenerMetadata?: string
  readonly syscalls?: readonly SeccompSyscallConfig[]
}

export interface CompileOptions {
  /**
   * runc's "-ENOSYS stub" (libcontainer/seccomp/patchbpf): unless the default action is ALLOW,
   * LOG or TRACE, a syscall numbered above the highest one the profile names for an ABI listed
   * in `architectures` fails with ENOSYS instead of the default action, so libc falls back
   * from syscalls newer than the profile (clone3, fchmodat2, ...). Default true, as in runc.
   */
  readonly enosysStub?: boolean
}

/** What the plan hands to the native helper: the filter bytes and how to load them. */
export interface SeccompPlan {
  /** struct sock_filter array in the host's byte order. */
  readonly filter: Uint8Array
  /** Number of instructions (filter.length / 8). */
  readonly instructions: number
  /** SECCOMP_FILTER_FLAG_* bits for seccomp(SECCOMP_SET_MODE_FILTER, flags, ...). */
  readonly flags: number
  /** Some action is SCMP_ACT_NOTIFY: load with NEW_LISTENER and pass the fd to the listener. */
  readonly notify: boolean
  readonly listenerPath?: string
  readonly listenerMetadata?: string
}
