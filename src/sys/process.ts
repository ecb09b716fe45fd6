// Process control: signals, pidfds, prctl.
import { check, lazyFn } from './libc'
import { SyscallError } from './errors'

const SYS_pidfd_open = 434
const SYS_pidfd_send_signal = 424
const syscall3 = lazyFn<(nr: number, a: number, b: number, c: number) => number>('long syscall(long, long, long, long)')
const syscall4 = lazyFn<(nr: number, a: number, b: number, c: number, d: number) => number>(
  'long syscall(long, long, long, long, long)',
)
const prctlFn = lazyFn<(op: number, a: number, b: number, c: number, d: number) => number>(
  'int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)',
)

export function pidfdOpen(pid: number): number {
  return check('pidfd_open', () => Number(syscall3()(SYS_pidfd_open, pid, 0, 0)))
}

export function pidfdSendSignal(pidfd: number, signal: number): void {
  check('pidfd_send_signal', () => Number(syscall4()(SYS_pidfd_send_signal, pidfd, signal, 0, 0)))
}

/** kill(2); returns false when the process does not exist (ESRCH). */
export function signalProcess(pid: number, signal: number): boolean {
  try {
    process.kill(pid, signal)
    return true
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ESRCH') return false
    throw new SyscallError('kill', -(err.errno ?? 0) || 1, String(pid))
  }
}

const PR_SET_CHILD_SUBREAPER = 36
export function setChildSubreaper(): void {
  check('prctl', () => prctlFn()(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
}
