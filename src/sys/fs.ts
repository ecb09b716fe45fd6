// File-system calls node:fs does not offer: mkfifo, flock, O_PATH opens.
import { check, lazyFn } from './libc'

const mkfifoFn = lazyFn<(path: string, mode: number) => number>('int mkfifo(const char *, uint32_t)')
const flockFn = lazyFn<(fd: number, op: number) => number>('int flock(int, int)')

export const LOCK_SH = 1
export const LOCK_EX = 2
export const LOCK_NB = 4
export const O_PATH = 0o10000000
export const O_CLOEXEC = 0o2000000
export const O_DIRECTORY = 0o200000

export function mkfifo(path: string, mode: number): void {
  check('mkfifo', () => mkfifoFn()(path, mode), path)
}

/** Take a shared flock on fd (blocking). */
export function lockShared(fd: number, path?: string): void {
  check('flock', () => flockFn()(fd, LOCK_SH), path)
}

/** Take an exclusive flock on fd (blocking). */
export function lockExclusive(fd: number, path?: string): void {
  check('flock', () => flockFn()(fd, LOCK_EX), path)
}
