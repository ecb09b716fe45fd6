// Mounting an image rootfs as overlayfs in the runtime's mount namespace, and unmounting it.
// Lower dirs go one by one through fsconfig "lowerdir+" (kernel 6.8+), so the number of layers is not limited by
// the one-page option string of mount(2) (about 43 layers of store paths). Older kernels: mount(2) with lower dirs
// relative to their common parent (the store's layers/ dir, as the working directory), which fits about 58.
import { dirname, relative } from 'node:path'
import { closeSync } from 'node:fs'
import { fsconfigString, fsCreateAndMount, fsopen, mount, moveMountFd, MNT_DETACH, umount2 } from '../sys/mount'
import { SyscallError } from '../sys/errors'
import { ImageError } from './types'
import type { OverlayRootfs } from './bundle-rootfs'

const PAGE = 4096

/** mount(2) option string for an overlay, with lower dirs relative to `cwd` when that makes it fit a page. Pure. */
export function legacyOverlayOptions(o: OverlayRootfs): { data: string; cwd?: string } {
  // mount(2) data separates options with "," and lower dirs with ":" (and "\\" escapes): such a path would
  // change the options (fsconfig takes each path whole)
  for (const p of [...o.lowers, o.upper, o.work]) {
    if (/[,:\\]/.test(p)) throw new ImageError(`${p}: a path with ",", ":" or "\\" cannot be passed to mount(2) (this kernel has no fsconfig lowerdir+)`)
  }
  const tail = `,upperdir=${o.upper},workdir=${o.work}`
  const abs = `lowerdir=${o.lowers.join(':')}${tail}`
  if (abs.length < PAGE) return { data: abs }
  const cwd = dirname(dirname(o.lowers[0]!)) // <store>/layers
  const rel = `lowerdir=${o.lowers.map((l) => relative(cwd, l)).join(':')}${tail}`
  if (rel.length < PAGE) return { data: rel, cwd }
  throw new ImageError(`${o.lowers.length} layers do not fit in one mount(2) option page and this kernel has no fsconfig lowerdir+`)
}

function mountLegacy(o: OverlayRootfs): void {
  const { data, cwd } = legacyOverlayOptions(o)
  const back = process.cwd()
  if (cwd) process.chdir(cwd)
  try { mount('overlay', o.target, 'overlay', 0, data) } finally { if (cwd) process.chdir(back) }
}

function mountWithFsconfig(o: OverlayRootfs): void {
  const fs = fsopen('overlay')
  try {
    for (const l of o.lowers) fsconfigString(fs, 'lowerdir+', l)
    fsconfigString(fs, 'upperdir', o.upper)
    fsconfigString(fs, 'workdir', o.work)
    const mfd = fsCreateAndMount(fs, `overlay on ${o.target}`)
    try { moveMountFd(mfd, o.target) } finally { closeSync(mfd) }
  } finally {
    closeSync(fs)
  }
}

/** Mount the overlay on o.target. `legacy` forces the mount(2) path (tests of old kernels). */
export function applyOverlayRootfs(o: OverlayRootfs, legacy = false): void {
  try {
    if (legacy) return mountLegacy(o)
    try {
      mountWithFsconfig(o)
    } catch (e) {
      // "lowerdir+" is unknown before 6.8 (EINVAL); the new mount API itself may be missing (ENOSYS)
      if (e instanceof SyscallError && (e.code === 'EINVAL' || e.code === 'ENOSYS') && e.syscall !== 'move_mount') mountLegacy(o)
      else throw e
    }
  } catch (e) {
    if (e instanceof ImageError) throw e
    throw new ImageError(`mount image rootfs (overlay on ${o.target}): ${(e as Error).message}`)
  }
}

/** Unmount an image rootfs (lazily, so a process that still holds it open does not stop delete). */
export function removeOverlayRootfs(target: string): void {
  try { umount2(target, MNT_DETACH) } catch (e) {
    if (e instanceof SyscallError && (e.code === 'EINVAL' || e.code === 'ENOENT')) return // not mounted (any more)
    throw e
  }
}
