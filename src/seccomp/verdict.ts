import {
  MAX_ERRNO, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_KILL_THREAD, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
} from './actions'

export type VerdictAction = 'KILL_PROCESS' | 'KILL_THREAD' | 'TRAP' | 'ERRNO' | 'USER_NOTIF' | 'TRACE' | 'LOG' | 'ALLOW'

/** What the kernel does with a filter's return value. */
export interface Verdict {
  readonly action: VerdictAction
  /** errno for ERRNO (clamped to MAX_ERRNO as the kernel does), message for TRACE and TRAP, else 0. */
  readonly data: number
}

const ACTIONS = new Map<number, VerdictAction>([
  [SECCOMP_RET_KILL_PROCESS, 'KILL_PROCESS'],
  [SECCOMP_RET_KILL_THREAD, 'KILL_THREAD'],
  [SECCOMP_RET_TRAP, 'TRAP'],
  [SECCOMP_RET_ERRNO, 'ERRNO'],
  [SECCOMP_RET_USER_NOTIF, 'USER_NOTIF'],
  [SECCOMP_RET_TRACE, 'TRACE'],
  [SECCOMP_RET_LOG, 'LOG'],
  [SECCOMP_RET_ALLOW, 'ALLOW'],
])

/**
 * Decode a return value with the kernel's SECCOMP_RET_ACTION_FULL mask (kernel/seccomp.c
 * __seccomp_filter): the upper 16 bits select the action, any value it does not know kills
 * the process; the lower 16 bits are the data.
 */
export function decodeVerdict(ret: number): Verdict {
  const action = ACTIONS.get((ret & SECCOMP_RET_ACTION_FULL) >>> 0) ?? 'KILL_PROCESS'
  const raw = ret & SECCOMP_RET_DATA
  const data = action === 'ERRNO' ? Math.min(raw, MAX_ERRNO) : action === 'TRACE' || action === 'TRAP' ? raw : 0
  return { action, data }
}

/** "ALLOW", "ERRNO(1)", "KILL_PROCESS", ... */
export function formatVerdict(verdict: Verdict): string {
  return verdict.action === 'ERRNO' || verdict.action === 'TRACE' || verdict.action === 'TRAP'
    ? `${verdict.action}(${verdict.data})`
    : verdict.action
}

/** For disassembly: the verdict a `ret #k` stands for. */
export function describeReturn(ret: number): string {
  return formatVerdict(decodeVerdict(ret))
}
