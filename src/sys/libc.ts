// The one place that loads koffi. Everything else in src/sys declares functions through `libc()`.
import type * as Koffi from 'koffi'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SyscallError } from './errors'

let lib: Koffi.LibraryHandle | undefined
let k: typeof Koffi | undefined

/** koffi itself, loaded on first use, so verbs that need no syscalls never pay it. */
export function koffi(): typeof Koffi {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  k ??= nativeKoffi() ?? (require('koffi') as typeof Koffi)
  return k
}

/**
 * koffi's prebuilt addon (node_modules/@koromix/koffi-<platform>-<arch>/<platform>_<arch>/koffi.node), loaded
 * directly: `require('koffi')` spends ~7 ms in JS before the same dlopen (package-exports resolution, which
 * compiles node's ESM resolver, ELF probing of the node binary, deprecation wrappers we never call), the
 * dlopen itself ~1 ms. The addon's exports are the API we use (func, struct, pointer, errno, …). Anything
 * unexpected (no prebuilt for this platform, a musl build, another koffi version) falls back to require.
 */
function nativeKoffi(): typeof Koffi | undefined {
  const pkg = `@koromix/koffi-${process.platform}-${process.arch}`
  const file = join(`${process.platform}_${process.arch}`, 'koffi.node')
  // dist/ (bundle) or src/sys/ (sources under tsx)
  for (const up of ['..', join('..', '..')]) {
    const modules = join(__dirname, up, 'node_modules')
    const path = join(modules, pkg, file)
    if (!existsSync(path)) continue
    try {
      // the addon of the koffi package we were built against, checked before the dlopen (it cannot be undone)
      const version = (dir: string): unknown => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version
      const want = version(join(modules, 'koffi'))
      if (want === undefined || version(join(modules, pkg)) !== want) return undefined
      const m = { exports: {} as Record<string, unknown> }
      process.dlopen(m, path)
      if (typeof m.exports.load !== 'function' || m.exports.version !== want) throw new Error(`koffi addon ${path}: unexpected exports`)
      return m.exports as unknown as typeof Koffi
    } catch (e) {
      if ((e as Error).message.startsWith('koffi addon')) throw e
      return undefined
    }
  }
  return undefined
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
