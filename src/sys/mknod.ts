// mknod(2) for device nodes and fifos, and glibc's makedev encoding of a device number.
import { check, lazyFn } from './libc'
import type { PathArg } from './xattr'

// dev_t is 64-bit on Linux; mode_t is 32-bit
const mknodFn = lazyFn<(path: PathArg, mode: number, dev: bigint) => number>('int mknod(const char *, uint32_t, uint64_t)')

export const S_IFIFO = 0o010000
export const S_IFCHR = 0o020000
export const S_IFBLK = 0o060000

/** The dev_t of major:minor, as glibc's makedev() encodes it (12+20 bits of major, 8+24 bits of minor). */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0), mi = BigInt(minor >>> 0)
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn)
}

/** The major and minor numbers of a dev_t (the inverse of makedev). */
export function majorMinor(dev: bigint | number): { major: number; minor: number } {
  const d = BigInt(dev)
  const major = Number(((d >> 32n) & 0xfffff000n) | ((d >> 8n) & 0xfffn))
  const minor = Number(((d >> 12n) & 0xffffff00n) | (d & 0xffn))
  return { major, minor }
}

/**
 * Create a device node or fifo at `path`: `type` is S_IFCHR, S_IFBLK or S_IFIFO, `perm` the permission bits (the
 * umask applies, as for mknod(2)). mknod never follows a symlink at the last component: it fails with EEXIST.
 */
export function mknod(path: PathArg, type: number, perm: number, dev: bigint = 0n): void {
  const p = typeof path === 'string' ? path : Buffer.concat([path, Buffer.alloc(1)])
  check('mknod', () => mknodFn()(p, type | (perm & 0o7777), dev), typeof path === 'string' ? path : path.toString())
}
