// Making one tar member in the layer dir: files, directories, symlinks, hardlinks, device nodes, fifos and
// whiteouts, with owner, mode (setuid/setgid/sticky included), xattrs and times as the archive gives them.
// Every operation on the last component is one that does not follow a symlink (O_EXCL|O_NOFOLLOW opens, mknod,
// symlink, link, lchown, lutimes, lsetxattr); chmod is only used on a directory or node this unpack just made or
// checked. Something already at a member's path is replaced (a directory removed with all it holds), except a
// directory by a directory, which keeps its contents and gets the new metadata.
import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync,
  openSync, symlinkSync,
} from 'node:fs'
import type { Header } from 'tar-stream'
import { modeIsDefault, type CreationDefaults } from './defaults'
import { makedev, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from '../../sys/mknod'
import { lsetxattr } from '../../sys/xattr'
import { MemberError } from './errors'
import { SparseContent, writeAll } from './file-content'
import { interpretPax, type PaxInfo } from './pax'
import { fsPath, isUnder, memberPath, parentOf, shownName } from './paths'
import type { LayerRoot } from './root'
import { parseOldGnuSparse, sparseFromPax, type SparseSpec } from './sparse'
import { paxRecordsOf, rawHeaderInfo } from './tar-patches'
import { classifyWhiteout, opaqueXattr } from './whiteout'

export interface ApplyOptions {
  /** mark opaque directories with user.overlay.opaque instead of trusted.overlay.opaque */
  userxattr?: boolean
}

export interface ApplyCounts {
  files: number
  dirs: number
  whiteouts: number
}

/** Where a member's data goes while the tar streams it; end() finishes the file (owner, mode, xattrs, times). */
export interface OpenMember {
  write(chunk: Buffer): void
  end(): void
  /** close without finishing (the unpack failed) */
  abort(): void
}

interface Meta {
  uid: number
  gid: number
  mode: number
  atime: number
  mtime: number
  xattrs: Map<string, Buffer>
}

const O_CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW
const EOPNOTSUPP = 'EOPNOTSUPP'

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code
}

const typeflagNames: Record<string, string> = {
  D: 'GNU dumpdir', K: 'GNU long link name', L: 'GNU long name', M: 'GNU multi-volume continuation',
  N: 'GNU old long name', S: 'GNU sparse', V: 'GNU volume label', X: 'Solaris extended header', I: 'inode metadata',
  A: 'Solaris ACL', E: 'Solaris extended attribute',
}

function typeflagText(flag: number): string {
  const c = String.fromCharCode(flag)
  const known = typeflagNames[c]
  const shown = flag >= 0x20 && flag < 0x7f ? `'${c}'` : `0x${flag.toString(16).padStart(2, '0')}`
  return known ? `${shown} (${known})` : shown
}

function checkId(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xfffffffe) throw new MemberError(`invalid ${what} ${n}`)
  return n
}

/** Set the archive's xattrs on what was just made at `host` (after chown, which drops security.capability). */
function setXattrs(host: string | Buffer, xattrs: Map<string, Buffer>, userAllowed: boolean): void {
  for (const [name, value] of xattrs) {
    // overlayfs's own attributes (opaque, redirect, metacopy, origin) are not taken from an archive
    if (name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.')) continue
    // the kernel allows user.* only on regular files and directories
    if (!userAllowed && name.startsWith('user.')) continue
    try {
      lsetxattr(host, name, value)
    } catch (e) {
      if (codeOf(e) !== EOPNOTSUPP) throw e // the file system has no such namespace: skip, as GNU tar does
    }
  }
}

/** A regular file being written; end() gives it its owner, mode, xattrs and times, in that order. */
class OpenFile implements OpenMember {
  private open = true

  constructor(private readonly fd: number, private readonly host: string | Buffer, private readonly meta: Meta,
    private readonly sparse: SparseContent | undefined, private readonly chown: boolean,
    private readonly chmod: boolean, private readonly counts: ApplyCounts) {}

  write(chunk: Buffer): void {
    if (this.sparse) this.sparse.write(chunk)
    else writeAll(this.fd, chunk, 0, chunk.length, null)
  }

  end(): void {
    const { fd, meta } = this
    try {
      this.sparse?.end()
      // chown clears setuid/setgid (and security.capability): mode and xattrs after it, times last.
      // Skipped when they would change nothing (root:root outside setgid dirs; a mode the umask kept).
      if (this.chown) fchownSync(fd, meta.uid, meta.gid)
      if (this.chmod) fchmodSync(fd, meta.mode)
      if (meta.xattrs.size > 0) setXattrs(this.host, meta.xattrs, true)
      futimesSync(fd, meta.atime, meta.mtime)
    } finally {
      this.close()
    }
    this.counts.files++
  }

  abort(): void {
    try {
      this.close()
    } catch { /* already failing */ }
  }

  private close(): void {
    if (this.open) {
      this.open = false
      closeSync(this.fd)
    }
  }
}

export class EntryApplier {
  /** the name of the member being applied (a binary string), for messages */
  private currentName: string | undefined

  /** the name of the member being applied, as text for messages */
  get current(): string | undefined {
    return this.currentName === undefined ? undefined : shownName(this.currentName)
  }

  constructor(private readonly root: LayerRoot, private readonly opts: ApplyOptions, private readonly counts: ApplyCounts,
    private readonly defaults: CreationDefaults) {}

  /** Whether something just made at `rel` needs a chown to be uid:gid. */
  private needsChown(rel: string, uid: number, gid: number): boolean {
    return uid !== 0 || gid !== 0 || !this.defaults.rootOwned || this.root.isSetgid(parentOf(rel))
  }

  /**
   * Apply one member. Returns where its data goes when it is a file with data; otherwise the member is complete
   * (and any data it carries is to be skipped).
   */
  begin(header: Header): OpenMember | undefined {
    this.currentName = header.name
    const raw = rawHeaderInfo(header)
    const pax: PaxInfo = header.pax ? interpretPax(paxRecordsOf(header)) : { xattrs: new Map(), sparse: [] }
    let name = pax.path ?? header.name
    this.currentName = name
    let type: string | null = header.type
    let sparse: SparseSpec | undefined
    if (type === null) {
      if (raw.block === undefined) throw new MemberError(`unsupported entry type ${typeflagText(raw.typeflag)}`)
      const spec = parseOldGnuSparse(raw.block)
      if (spec.isExtended) {
        throw new MemberError('old GNU sparse member with extension blocks (more than 4 data segments) is not ' +
          'supported: tar-stream would read the extension blocks as file data; repack with --format=pax')
      }
      type = 'file'
      sparse = spec
    }
    if (pax.sparse.length > 0) {
      const spec = sparseFromPax(pax.sparse)
      if (spec) {
        if (type !== 'file' && type !== 'contiguous-file') throw new MemberError(`GNU sparse records on a ${type}`)
        sparse = spec
        if (spec.name !== undefined) name = spec.name
        this.currentName = name
      }
    }

    const rel = memberPath(name)
    const wh = classifyWhiteout(rel)
    if (wh.kind === 'skip') return undefined
    const meta = this.meta(header, pax)
    if (wh.kind === 'opaque') {
      this.root.ensureParents(rel) // the directory itself too, when missing
      lsetxattr(this.root.host(wh.dir), opaqueXattr(this.opts.userxattr ?? false), 'y')
      this.counts.whiteouts++
      return undefined
    }
    if (wh.kind === 'whiteout') {
      this.root.ensureParents(rel)
      this.whiteout(wh.target, meta)
      this.counts.whiteouts++
      return undefined
    }

    switch (type) {
      case 'file':
      case 'contiguous-file':
        return this.file(rel, meta, header.size, sparse)
      case 'directory':
        this.directory(rel, meta)
        return undefined
      case 'symlink':
        this.symlink(rel, pax.linkpath ?? header.linkname, meta)
        return undefined
      case 'link':
        this.hardlink(rel, pax.linkpath ?? header.linkname)
        return undefined
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.node(rel, type, header, meta)
        return undefined
      default:
        throw new MemberError(`unsupported entry type ${typeflagText(raw.typeflag)}`)
    }
  }

  private meta(header: Header, pax: PaxInfo): Meta {
    const mtime = pax.mtime ?? header.mtime.getTime() / 1000
    if (!Number.isFinite(mtime)) throw new MemberError('invalid mtime')
    if (!Number.isSafeInteger(header.mode)) throw new MemberError('invalid mode')
    return {
      uid: checkId(pax.uid ?? header.uid, 'uid'),
      gid: checkId(pax.gid ?? header.gid, 'gid'),
      mode: header.mode & 0o7777,
      mtime,
      atime: pax.atime ?? mtime,
      xattrs: pax.xattrs,
    }
  }

  /** Make something at `rel` with `make`; when something is already there, remove it and make again. */
  private create(rel: string, make: () => void): void {
    if (rel === '') throw new MemberError('only a directory can be the layer root')
    try {
      make()
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw e
      this.removeExisting(rel)
      make()
    }
  }

  private removeExisting(rel: string): void {
    const st = this.root.lstat(rel)
    if (st) this.root.remove(rel, st)
  }

  private file(rel: string, meta: Meta, size: number, sparse: SparseSpec | undefined): OpenMember {
    if (rel === '') throw new MemberError('only a directory can be the layer root')
    this.root.ensureParents(rel)
    const host = this.root.host(rel)
    let fd: number
    try {
      fd = openSync(host, O_CREATE_NEW, meta.mode & 0o777)
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw e
      this.removeExisting(rel)
      fd = openSync(host, O_CREATE_NEW, meta.mode & 0o777)
    }
    const chown = this.needsChown(rel, meta.uid, meta.gid)
    const chmod = chown || this.root.defaultAcl || !modeIsDefault(meta.mode, this.defaults)
    let sparseSink: SparseContent | undefined
    try {
      if (sparse) sparseSink = new SparseContent(fd, sparse, size)
    } catch (e) {
      closeSync(fd)
      throw e
    }
    return new OpenFile(fd, host, meta, sparseSink, chown, chmod, this.counts)
  }

  private directory(rel: string, meta: Meta): void {
    const host = this.root.host(rel)
    if (rel !== '' && !this.root.isKnownDir(rel)) {
      this.root.ensureParents(rel)
      try {
        mkdirSync(host, 0o700)
      } catch (e) {
        if (codeOf(e) !== 'EEXIST') throw e
        const st = this.root.lstat(rel)
        if (!st?.isDirectory()) {
          if (st) this.root.remove(rel, st)
          mkdirSync(host, 0o700)
        }
      }
      this.root.addDir(rel)
    }
    lchownSync(host, meta.uid, meta.gid)
    chmodSync(host, meta.mode) // a real directory of this layer (made or checked just now)
    this.root.setSetgid(rel, (meta.mode & 0o2000) !== 0)
    if (meta.xattrs.size > 0) {
      setXattrs(host, meta.xattrs, true)
      if (meta.xattrs.has('system.posix_acl_default')) this.root.defaultAcl = true
    }
    this.root.deferDirTimes(rel, meta.atime, meta.mtime)
    this.counts.dirs++
  }

  private symlink(rel: string, target: string | null, meta: Meta): void {
    // any target text is fine: a symlink is only text, and nothing here ever follows one
    if (!target) throw new MemberError('symlink without a target')
    if (target.includes('\0')) throw new MemberError('symlink target contains a NUL byte')
    this.root.ensureParents(rel)
    const host = this.root.host(rel)
    this.create(rel, () => symlinkSync(fsPath(target), host))
    if (this.needsChown(rel, meta.uid, meta.gid)) lchownSync(host, meta.uid, meta.gid)
    if (meta.xattrs.size > 0) setXattrs(host, meta.xattrs, false)
    lutimesSync(host, meta.atime, meta.mtime)
  }

  private hardlink(rel: string, linkname: string | null): void {
    if (!linkname) throw new MemberError('hardlink without a target')
    let target: string
    try {
      target = memberPath(linkname)
    } catch (e) {
      if (e instanceof MemberError) throw new MemberError(`hardlink target "${shownName(linkname)}": ${e.message}`)
      throw e
    }
    if (target === '') throw new MemberError('hardlink to the layer root')
    this.root.checkParents(target, 'hardlink target')
    const tst = this.root.lstat(target)
    if (!tst) throw new MemberError(`hardlink target "${shownName(target)}" does not exist in this layer`)
    if (tst.isDirectory()) throw new MemberError(`hardlink target "${shownName(target)}" is a directory`)
    if (!tst.isFile() && !tst.isSymbolicLink()) {
      throw new MemberError(`hardlink target "${shownName(target)}" is not a regular file or symlink`)
    }
    if (target === rel) return // a link to itself: it is there already
    if (isUnder(target, rel)) throw new MemberError('hardlink would replace a directory holding its own target')
    this.root.ensureParents(rel)
    const from = this.root.host(target), to = this.root.host(rel)
    try {
      linkSync(from, to) // link(2) never follows a symlink at the target: it links the symlink itself
    } catch (e) {
      if (codeOf(e) !== 'EEXIST') throw e
      const st = this.root.lstat(rel)
      if (st && st.ino === tst.ino && st.dev === tst.dev) return // already this very file
      if (st) this.root.remove(rel, st)
      linkSync(from, to)
    }
  }

  private node(rel: string, type: 'character-device' | 'block-device' | 'fifo', header: Header, meta: Meta): void {
    let kind = S_IFIFO, dev = 0n
    if (type !== 'fifo') {
      kind = type === 'character-device' ? S_IFCHR : S_IFBLK
      const { devmajor, devminor } = header
      if (!Number.isSafeInteger(devmajor) || !Number.isSafeInteger(devminor) || devmajor < 0 || devminor < 0 ||
        devmajor > 0xffffffff || devminor > 0xffffffff) throw new MemberError('invalid device number')
      dev = makedev(devmajor, devminor)
    }
    this.root.ensureParents(rel)
    const host = this.root.host(rel)
    this.create(rel, () => mknod(host, kind, 0, dev))
    lchownSync(host, meta.uid, meta.gid)
    chmodSync(host, meta.mode) // the node just made (mknod does not follow symlinks, and nothing else writes here)
    if (meta.xattrs.size > 0) setXattrs(host, meta.xattrs, false)
    lutimesSync(host, meta.atime, meta.mtime)
  }

  /** An overlay whiteout: a character device 0/0 with mode 0 at `target`, in place of anything there. */
  private whiteout(target: string, meta: Meta): void {
    const host = this.root.host(target)
    this.create(target, () => mknod(host, S_IFCHR, 0, makedev(0, 0)))
    if (meta.uid !== 0 || meta.gid !== 0) lchownSync(host, meta.uid, meta.gid)
  }
}
