import { SeccompError } from './seccomp-error'

// SECCOMP_RET_* (linux/seccomp.h)
export const SECCOMP_RET_KILL_PROCESS = 0x80000000
export const SECCOMP_RET_KILL_THREAD = 0x00000000
export const SECCOMP_RET_TRAP = 0x00030000
export const SECCOMP_RET_ERRNO = 0x00050000
export const SECCOMP_RET_USER_NOTIF = 0x7fc00000
export const SECCOMP_RET_TRACE = 0x7ff00000
export const SECCOMP_RET_LOG = 0x7ffc0000
export const SECCOMP_RET_ALLOW = 0x7fff0000
export const SECCOMP_RET_ACTION_FULL = 0xffff0000
export const SECCOMP_RET_DATA = 0x0000ffff

/** Largest errno the kernel passes back (larger ERRNO data is clamped to it). */
export const MAX_ERRNO = 4095
const EPERM = 1

/** The OCI action names tsrun accepts (runtime-spec config-linux.md, "seccomp"). */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const
export type SeccompActionName = (typeof SECCOMP_ACTIONS)[number]

const ACTION_BASE: Record<SeccompActionName, number> = {
  SCMP_ACT_KILL: SECCOMP_RET_KILL_THREAD, // libseccomp's SCMP_ACT_KILL is KILL_THREAD
  SCMP_ACT_KILL_PROCESS: SECCOMP_RET_KILL_PROCESS,
  SCMP_ACT_KILL_THREAD: SECCOMP_RET_KILL_THREAD,
  SCMP_ACT_TRAP: SECCOMP_RET_TRAP,
  SCMP_ACT_ERRNO: SECCOMP_RET_ERRNO,
  SCMP_ACT_TRACE: SECCOMP_RET_TRACE,
  SCMP_ACT_ALLOW: SECCOMP_RET_ALLOW,
  SCMP_ACT_LOG: SECCOMP_RET_LOG,
  SCMP_ACT_NOTIFY: SECCOMP_RET_USER_NOTIF,
}

export function isActionName(name: string): name is SeccompActionName {
  return Object.hasOwn(ACTION_BASE, name)
}

/**
 * The filter return value for an OCI action. ERRNO and TRACE carry `errnoRet` in their data
 * (EPERM when absent, as runc does for both); other actions take no errnoRet.
 * `path` is the OCI field of the action, `errnoPath` that of its errnoRet.
 */
export function actionReturn(name: string, errnoRet: number | undefined, path: string, errnoPath: string): number {
  if (!isActionName(name)) throw new SeccompError(path, `unknown action ${JSON.stringify(name)}`)
  const base = ACTION_BASE[name]
  if (name !== 'SCMP_ACT_ERRNO' && name !== 'SCMP_ACT_TRACE') {
    if (errnoRet !== undefined) throw new SeccompError(errnoPath, `only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not ${name}`)
    return base
  }
  const data = errnoRet ?? EPERM
  const max = name === 'SCMP_ACT_ERRNO' ? MAX_ERRNO : SECCOMP_RET_DATA
  if (!Number.isInteger(data) || data < 0 || data > max) throw new SeccompError(errnoPath, `${data} is not an integer in 0..${max}`)
  return (base | data) >>> 0
}
