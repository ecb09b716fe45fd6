// The layer root: the one place that turns member paths into host paths, and that makes sure every parent on the
// way is a real directory of this layer (never a symlink), so nothing is ever created or changed outside it.
//
// `dirs` caches the paths known to be real directories (made or checked by this unpack), so the common case costs
// no lstat. Whatever replaces a directory goes through remove(), which drops it and everything under it from the
// cache, so the cache never vouches for a path that has since become something else. Only this unpack writes in
// the (new, empty) layer dir, so what it has checked stays true.
import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync, rmSync, unlinkSync, type Stats } from 'node:fs'
import { lgetxattr } from '../../sys/xattr'
import { MemberError } from './errors'
import { ancestorsOf, fsPath, isUnder, parentOf, shownName, toBinary } from './paths'

function hasDefaultAcl(path: string | Buffer): boolean {
  try {
    return lgetxattr(path, 'system.posix_acl_default') !== undefined
  } catch {
    return false // no ACL support on this file system
  }
}

export class LayerRoot {
  /** the layer dir as a binary string, without a trailing slash */
  private readonly root: string
  private readonly dirs = new Set<string>([''])
  /** directories whose setgid bit is set: what is made in them takes their group */
  private readonly setgidDirs = new Set<string>()
  /**
   * Whether some directory here has a default ACL (the layer dir itself, or one from the archive's
   * system.posix_acl_default xattr): a new file's mode then comes from the ACL, not the umask.
   */
  defaultAcl: boolean
  /** directory → [atime, mtime], applied by finish() once nothing more is created in them */
  private readonly dirTimes = new Map<string, [number, number]>()

  constructor(dir: string) {
    this.root = toBinary(dir).replace(/\/+$/, '') || '/'
    const st = lstatSync(this.host(''))
    if (!st.isDirectory()) throw new MemberError('the layer dir is not a directory') // e.g. a symlink
    if ((st.mode & 0o2000) !== 0) this.setgidDirs.add('')
    this.defaultAcl = hasDefaultAcl(this.host(''))
  }

  /** Record the setgid bit of a directory of this layer as its metadata was just set. */
  setSetgid(rel: string, on: boolean): void {
    if (on) this.setgidDirs.add(rel)
    else this.setgidDirs.delete(rel)
  }

  /** Whether what is made in directory `rel` gets its group rather than the process's. */
  isSetgid(rel: string): boolean {
    return this.setgidDirs.size > 0 && this.setgidDirs.has(rel)
  }

  /** The host path of a relative path (a string when it is ASCII, else its bytes). */
  host(rel: string): string | Buffer {
    return fsPath(rel === '' ? this.root : `${this.root}/${rel}`)
  }

  /** lstat, undefined when nothing is there. */
  lstat(rel: string): Stats | undefined {
    return lstatSync(this.host(rel), { throwIfNoEntry: false })
  }

  isKnownDir(rel: string): boolean {
    return this.dirs.has(rel)
  }

  /** Record that `rel` is now a real directory made by this unpack. */
  addDir(rel: string): void {
    this.dirs.add(rel)
  }

  /**
   * Make sure every parent of `rel` is a real directory inside the root, creating missing ones (0755, root:root,
   * as tar does). A symlink or non-directory on the way is an error: nothing is ever created through one.
   */
  ensureParents(rel: string): void {
    const parent = parentOf(rel)
    if (this.dirs.has(parent)) return
    for (const p of ancestorsOf(rel)) {
      if (this.dirs.has(p)) continue
      const st = this.lstat(p)
      if (st === undefined) {
        const host = this.host(p)
        mkdirSync(host, 0o700)
        lchownSync(host, 0, 0)
        chmodSync(host, 0o755)
      } else {
        this.checkDir(p, st)
      }
      this.dirs.add(p)
    }
  }

  /** Like ensureParents, but creating nothing: for the target of a hardlink, which must already be there. */
  checkParents(rel: string, what: string): void {
    for (const p of ancestorsOf(rel)) {
      if (this.dirs.has(p)) continue
      const st = this.lstat(p)
      if (st === undefined) throw new MemberError(`${what} "${shownName(rel)}" does not exist in this layer`)
      this.checkDir(p, st, what)
      this.dirs.add(p)
    }
  }

  private checkDir(p: string, st: Stats, what = 'path'): void {
    if (st.isSymbolicLink()) {
      throw new MemberError(`${what} goes through a symlink: "${shownName(p)}" is a symlink in this layer`)
    }
    if (!st.isDirectory()) throw new MemberError(`${what} goes through "${shownName(p)}", which is not a directory`)
  }

  /**
   * Remove whatever is at `rel` (described by `st`) so that something else can be made there: a directory with
   * everything in it, anything else unlinked (a symlink itself, never what it points to).
   */
  remove(rel: string, st: Stats): void {
    if (rel === '') throw new MemberError('cannot replace the layer root')
    const host = this.host(rel)
    if (st.isDirectory()) {
      rmSync(host, { recursive: true, force: true })
      this.forgetTree(rel)
    } else {
      unlinkSync(host)
    }
  }

  private forgetTree(rel: string): void {
    for (const d of this.dirs) if (isUnder(d, rel)) this.dirs.delete(d)
    for (const d of this.setgidDirs) if (isUnder(d, rel)) this.setgidDirs.delete(d)
    for (const d of this.dirTimes.keys()) if (isUnder(d, rel)) this.dirTimes.delete(d)
  }

  /** Set a directory's times at the end: creating its children would change its mtime. */
  deferDirTimes(rel: string, atime: number, mtime: number): void {
    this.dirTimes.set(rel, [atime, mtime])
  }

  /** Apply the deferred directory times, deepest first. */
  finish(): void {
    const depth = (s: string) => (s === '' ? 0 : s.split('/').length)
    const entries = [...this.dirTimes.entries()].sort((a, b) => depth(b[0]) - depth(a[0]))
    for (const [rel, [atime, mtime]] of entries) lutimesSync(this.host(rel), atime, mtime)
    this.dirTimes.clear()
  }
}
