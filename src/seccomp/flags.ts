import { SeccompError } from './seccomp-error'

// SECCOMP_FILTER_FLAG_* (linux/seccomp.h)
export const SECCOMP_FILTER_FLAG_TSYNC = 1 << 0
export const SECCOMP_FILTER_FLAG_LOG = 1 << 1
export const SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
export const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4
export const SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5

const FLAG_BITS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
}

/** The flag names a config may ask for (runtime-spec config-linux.md). */
export const SECCOMP_FLAGS: readonly string[] = Object.keys(FLAG_BITS)

/**
 * The flags word for seccomp(2). NEW_LISTENER is added when some action is NOTIFY; with
 * TSYNC the kernel then also needs TSYNC_ESRCH (a listener cannot report which thread failed
 * to sync). WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER.
 */
export function filterFlags(names: readonly string[] | undefined, notify: boolean): number {
  let flags = 0
  ;(names ?? []).forEach((name, i) => {
    const bit = FLAG_BITS[name]
    if (bit === undefined || !Object.hasOwn(FLAG_BITS, name)) {
      throw new SeccompError(`linux.seccomp.flags[${i}]`, `unknown flag ${JSON.stringify(name)}`)
    }
    flags |= bit
  })
  if (notify) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER
  if (notify && flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH
  if (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) {
    throw new SeccompError('linux.seccomp.flags', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule')
  }
  return flags
}
