// Extended attributes of a path, never following a symlink at the last component: lsetxattr, lgetxattr, llistxattr.
// Values are bytes (Buffer): `security.capability` and friends are binary.
import { SyscallError } from './errors'
import { check, errno, lazyFn } from './libc'

/** A path as node:fs takes it: a string (UTF-8) or the raw bytes of a name that is not valid UTF-8. */
export type PathArg = string | Buffer

type SetFn = (path: PathArg, name: string, value: Buffer, size: number, flags: number) => number
type GetFn = (path: PathArg, name: string, value: Buffer | null, size: number) => number
type ListFn = (path: PathArg, list: Buffer | null, size: number) => number

const lsetxattrFn = lazyFn<SetFn>('int lsetxattr(const char *, const char *, const void *, size_t, int)')
const lgetxattrFn = lazyFn<GetFn>('long lgetxattr(const char *, const char *, void *, size_t)')
const llistxattrFn = lazyFn<ListFn>('long llistxattr(const char *, void *, size_t)')

/** lsetxattr flags */
export const XATTR_CREATE = 1
export const XATTR_REPLACE = 2

const ENODATA = 61
const ERANGE = 34

/** A NUL-terminated copy of a Buffer path (koffi passes a Buffer's bytes as they are); strings pass unchanged. */
function cPath(path: PathArg): PathArg {
  return typeof path === 'string' ? path : Buffer.concat([path, Buffer.alloc(1)])
}

function shown(path: PathArg): string {
  return typeof path === 'string' ? path : path.toString()
}

/** Set the extended attribute `name` of `path` (the symlink itself when it is one) to `value`. */
export function lsetxattr(path: PathArg, name: string, value: Buffer | string, flags = 0): void {
  const v = typeof value === 'string' ? Buffer.from(value) : value
  const p = cPath(path)
  check(`lsetxattr(${name})`, () => lsetxattrFn()(p, name, v, v.length, flags), shown(path))
}

/** The value of the extended attribute `name` of `path` (not following a final symlink); undefined when it has none. */
export function lgetxattr(path: PathArg, name: string): Buffer | undefined {
  const p = cPath(path)
  for (;;) {
    const size = lgetxattrFn()(p, name, null, 0)
    if (size === -1) {
      const e = errno()
      if (e === ENODATA) return undefined
      if (e === 4) continue // EINTR
      throw new SyscallError(`lgetxattr(${name})`, e, shown(path))
    }
    const buf = Buffer.alloc(size)
    const n = size === 0 ? 0 : lgetxattrFn()(p, name, buf, size)
    if (n === -1) {
      const e = errno()
      if (e === ERANGE || e === 4) continue // it grew meanwhile, or EINTR: ask again
      if (e === ENODATA) return undefined
      throw new SyscallError(`lgetxattr(${name})`, e, shown(path))
    }
    return buf.subarray(0, n)
  }
}

/** The names of the extended attributes of `path` (not following a final symlink). */
export function llistxattr(path: PathArg): string[] {
  const p = cPath(path)
  for (;;) {
    const size = check('llistxattr', () => llistxattrFn()(p, null, 0), shown(path))
    if (size === 0) return []
    const buf = Buffer.alloc(size)
    const n = llistxattrFn()(p, buf, size)
    if (n === -1) {
      const e = errno()
      if (e === ERANGE || e === 4) continue
      throw new SyscallError('llistxattr', e, shown(path))
    }
    return buf.subarray(0, n).toString('latin1').split('\0').filter((s) => s !== '')
  }
}
