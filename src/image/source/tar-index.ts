// A header-only index of a tar file: where each member's data starts and how long it is, so that one
// member can be read with positioned reads (or streamed with fs.createReadStream start/end) without
// copying or unpacking the archive. Reads ustar, GNU (long names 'L'/'K', base-256 sizes) and PAX ('x')
// headers. Symlinks and hardlinks are resolved inside the archive, never outside it.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs'
import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { ImageError } from '../types'

export type TarMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface TarMember {
  /** normalized path inside the archive: no leading "/" or "./", no trailing "/" */
  name: string
  type: TarMemberType
  /** symlink target as written, or the hardlinked member's path */
  linkname?: string
  /** offset of the first data byte in the tar file */
  offset: number
  size: number
}

const block = 512
/** Longest GNU long name or PAX header we read into memory. */
const maxMetaSize = 1 << 20
/** How many links one lookup may follow. */
const maxLinkHops = 40

/** "a/./b//c/" → "a/b/c"; "/x" and "./x" → "x"; "" for the root. Results that start with ".." escape the archive. */
export function normalizeMemberName(name: string): string {
  const n = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '')
  return n === '.' ? '' : n
}

/** Whether a normalized member name leads outside the archive. */
export function escapesArchive(normalized: string): boolean {
  return normalized === '..' || normalized.startsWith('../')
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length)
  const nul = field.indexOf(0)
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8')
}

/** An octal number field, or GNU base-256 (high bit of the first byte set). */
function numberField(buf: Buffer, start: number, length: number, what: string): number {
  const field = buf.subarray(start, start + length)
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new ImageError(`negative ${what} in tar header`)
    let n = field[0]! & 0x7f
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!
    if (!Number.isSafeInteger(n)) throw new ImageError(`${what} too large in tar header`)
    return n
  }
  const text = field.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '')
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) throw new ImageError(`bad ${what} ${JSON.stringify(text)} in tar header`)
  return parseInt(text, 8)
}

function checksumOk(header: Buffer): boolean {
  const stored = header.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '')
  if (!/^[0-7]+$/.test(stored)) return false
  const want = parseInt(stored, 8)
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < block; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i]!
    unsigned += b
    signed += b > 127 ? b - 256 : b
  }
  return want === unsigned || want === signed
}

/** PAX extended header records: "<len> <key>=<value>\n" …. */
function parsePax(data: Buffer, where: string): Map<string, string> {
  const out = new Map<string, string>()
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space < 0) break
    const len = parseInt(data.subarray(pos, space).toString('latin1'), 10)
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length) throw new ImageError(`${where}: malformed PAX header record`)
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8') // without the trailing "\n"
    const eq = record.indexOf('=')
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1))
    pos += len
  }
  return out
}

export class TarIndex {
  /** every member by normalized name; a later member of the same name replaces an earlier one */
  readonly members = new Map<string, TarMember>()
  private fd: number | undefined

  private constructor(readonly path: string, fd: number, readonly fileSize: number) {
    this.fd = fd
  }

  /** Indexes the tar file at `path` (its headers only). Throws an ImageError when it is not a readable tar. */
  static open(path: string): TarIndex {
    const fd = openSync(path, 'r')
    try {
      const index = new TarIndex(path, fd, fstatSync(fd).size)
      index.scan()
      return index
    } catch (err) {
      closeSync(fd)
      throw err
    }
  }

  private readAt(buf: Buffer, position: number): number {
    if (this.fd === undefined) throw new Error(`${this.path}: archive already closed`)
    let done = 0
    while (done < buf.length) {
      const n = readSync(this.fd, buf, done, buf.length - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  private scan(): void {
    const header = Buffer.alloc(block)
    let pos = 0
    let longName: string | undefined
    let longLink: string | undefined
    let pax: Map<string, string> | undefined
    let count = 0
    for (;;) {
      const got = this.readAt(header, pos)
      if (got === 0 && count > 0) break // no end-of-archive blocks: tolerated, as GNU tar does
      if (got < block) {
        throw new ImageError(count === 0 ? `${this.path}: not a tar archive (${got} bytes)` : `${this.path}: truncated tar archive (header at offset ${pos})`)
      }
      if (header.every((b) => b === 0)) {
        if (count === 0) throw new ImageError(`${this.path}: not a tar archive (empty)`)
        break
      }
      if (!checksumOk(header)) {
        throw new ImageError(count === 0
          ? `${this.path}: not a tar archive`
          : `${this.path}: corrupt tar header at offset ${pos}`)
      }
      count++
      const typeflag = String.fromCharCode(header[156]!)
      let size = numberField(header, 124, 12, 'size')
      const magic = header.subarray(257, 263).toString('latin1')
      let name = cString(header, 0, 100)
      // POSIX ustar splits long names into prefix/name; GNU's "ustar  " header has other fields there
      if (magic === 'ustar\0') {
        const prefix = cString(header, 345, 155)
        if (prefix !== '') name = `${prefix}/${name}`
      }
      let linkname = cString(header, 157, 100)
      const dataStart = pos + block
      if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x') {
        if (size > maxMetaSize) throw new ImageError(`${this.path}: tar metadata record of ${size} bytes at offset ${pos}`)
        const data = Buffer.alloc(size)
        if (this.readAt(data, dataStart) < size) throw new ImageError(`${this.path}: truncated tar archive (offset ${dataStart})`)
        if (typeflag === 'L') longName = cString(data, 0, data.length)
        else if (typeflag === 'K') longLink = cString(data, 0, data.length)
        else pax = parsePax(data, `${this.path}: offset ${pos}`)
        pos = dataStart + Math.ceil(size / block) * block
        continue
      }
      if (pax) {
        const paxSize = pax.get('size')
        if (paxSize !== undefined) {
          if (!/^[0-9]+$/.test(paxSize)) throw new ImageError(`${this.path}: bad PAX size ${JSON.stringify(paxSize)}`)
          size = Number(paxSize)
        }
        name = pax.get('path') ?? name
        linkname = pax.get('linkpath') ?? linkname
      }
      if (longName !== undefined) name = longName
      if (longLink !== undefined) linkname = longLink
      longName = longLink = pax = undefined

      const type: TarMemberType = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file'
        : typeflag === '5' ? 'directory'
        : typeflag === '2' ? 'symlink'
        : typeflag === '1' ? 'hardlink'
        : 'other'
      // links, devices, directories and fifos carry no data whatever their size field says (as Go's archive/tar reads them)
      const dataSize = type === 'file' || (type === 'other' && !'346'.includes(typeflag)) ? size : 0
      if (type === 'file' && dataStart + dataSize > this.fileSize) {
        throw new ImageError(`${this.path}: truncated tar archive: member ${name} needs ${dataStart + dataSize - this.fileSize} more bytes`)
      }
      const normalized = normalizeMemberName(name)
      if (normalized !== '' && !escapesArchive(normalized)) {
        const member: TarMember = { name: normalized, type, offset: dataStart, size: type === 'file' ? size : 0 }
        if (type === 'symlink' || type === 'hardlink') member.linkname = linkname
        this.members.set(normalized, member)
      }
      pos = dataStart + Math.ceil(dataSize / block) * block
    }
  }

  /**
   * The regular file at `name`, following symlinks (relative to the link's directory, an absolute target
   * taken from the archive root) and hardlinks, in any path component. Undefined when there is no such
   * file; throws an ImageError when a link leads outside the archive or loops.
   */
  lookup(name: string): TarMember | undefined {
    let pending = normalizeMemberName(name).split('/').filter((c) => c !== '' && c !== '.')
    let resolved: string[] = []
    let via = name
    let hops = 0
    while (pending.length > 0) {
      const component = pending.shift()!
      if (component === '..') {
        if (resolved.length === 0) throw new ImageError(`${this.path}: ${via} leads outside the archive`)
        resolved.pop()
        continue
      }
      const here = [...resolved, component].join('/')
      const m = this.members.get(here)
      if (m?.type === 'symlink' || m?.type === 'hardlink') {
        if (++hops > maxLinkHops) throw new ImageError(`${this.path}: ${name}: too many levels of links`)
        const target = m.linkname ?? ''
        via = `${m.type} ${here} -> ${target}`
        // a relative symlink goes on from its directory (which `resolved` is); hardlink names are archive
        // paths, and an absolute symlink target is taken from the archive root
        if (m.type === 'hardlink' || target.startsWith('/')) resolved = []
        pending = [...target.split('/').filter((c) => c !== '' && c !== '.'), ...pending]
        continue
      }
      resolved.push(component)
    }
    const m = this.members.get(resolved.join('/'))
    return m?.type === 'file' ? m : undefined
  }

  /** The whole content of a member (already looked up). */
  read(member: TarMember): Buffer {
    const buf = Buffer.alloc(member.size)
    if (this.readAt(buf, member.offset) < member.size) throw new ImageError(`${this.path}: ${member.name}: truncated`)
    return buf
  }

  /** `length` bytes (or fewer, at the end) from the start of a member. */
  readHead(member: TarMember, length: number): Buffer {
    const buf = Buffer.alloc(Math.min(length, member.size))
    const n = this.readAt(buf, member.offset)
    return buf.subarray(0, n)
  }

  /** A stream of a member's data, straight from the archive file. */
  stream(member: TarMember): Readable {
    if (member.size === 0) return Readable.from([], { objectMode: false })
    return createReadStream(this.path, { start: member.offset, end: member.offset + member.size - 1, highWaterMark: 1 << 20 })
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }
}
