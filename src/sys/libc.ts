// The one place that loads koffi. Everything else in src/sys declares functions through `libc()`.
import type * as Koffi from 'koffi'
import { SyscallError } from './errors'

let lib: Koffi.LibraryHandle | undefined
let k: typeof Koffi | undefined

/** koffi itself, loaded on first use (it costs ~8 ms, so verbs that need no syscalls never pay it). */
export function koffi(): typeof Koffi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  k ??= require('koffi') as typeof Koffi
  return k
}

/** The C library handle, loaded on first use. */
export function libc(): Koffi.LibraryHandle {
  lib ??= koffi().load('libc.so.6')
  return lib
}

/** Declare a libc function lazily: the declaration happens on the first call. */
export function lazyFn<F extends (...args: never[]) => unknown>(signature: string): () => F {
  let fn: F | undefined
  return () => (fn ??= libc().func(signature) as unknown as F)
}

/** The calling thread's errno right after a failed call. */
export function errno(): number {
  return koffi().errno()
}

const EINTR = 4

/**
 * Run a libc call that returns -1 on failure; retry on EINTR; throw SyscallError otherwise.
 * Returns the call's (non-negative) result.
 */
export function check(syscall: string, call: () => number, path?: string): number {
  for (;;) {
    const r = call()
    if (r !== -1) return r
    const e = errno()
    if (e !== EINTR) throw new SyscallError(syscall, e, path)
  }
}
