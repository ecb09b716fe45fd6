// What the PAX records of a member say: names, owner, times, xattrs and the GNU sparse keys.
import { MemberError } from './errors'
import type { PaxRecord } from './tar-patches'

export interface PaxInfo {
  /** binary strings (one char per byte) */
  path?: string
  linkpath?: string
  uid?: number
  gid?: number
  /** seconds since the epoch, with a fraction */
  mtime?: number
  atime?: number
  /** xattr name → value bytes (SCHILY.xattr.* and LIBARCHIVE.xattr.*) */
  xattrs: Map<string, Buffer>
  /** every GNU.sparse.* record, in order (the 0.0 format repeats offset/numbytes) */
  sparse: PaxRecord[]
}

const SCHILY_XATTR = 'SCHILY.xattr.'
const LIBARCHIVE_XATTR = 'LIBARCHIVE.xattr.'
const GNU_SPARSE = 'GNU.sparse.'

/** A uid or gid: a decimal in 0..2^32-2 (2^32-1 is chown's "leave unchanged"). */
export function parseId(text: string, what: string): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw new MemberError(`invalid ${what} "${text}"`)
  const n = Number(text)
  if (n > 0xfffffffe) throw new MemberError(`${what} ${n} is out of range`)
  return n
}

/** A PAX time: decimal seconds with an optional fraction, possibly negative. */
export function parseTime(text: string, what: string): number {
  if (!/^-?[0-9]{1,15}(\.[0-9]*)?$/.test(text)) throw new MemberError(`invalid ${what} "${text}"`)
  return Number(text.endsWith('.') ? text.slice(0, -1) : text)
}

/** Percent-decoding of libarchive's xattr names (it escapes '%', '=' and non-printable bytes as %XX). */
export function percentDecode(text: string): string {
  return Buffer.from(text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1').toString('utf8')
}

export function interpretPax(records: PaxRecord[]): PaxInfo {
  const info: PaxInfo = { xattrs: new Map(), sparse: [] }
  for (const { key, value } of records) {
    switch (key) {
      case 'path': info.path = value.toString('latin1'); break
      case 'linkpath': info.linkpath = value.toString('latin1'); break
      case 'uid': info.uid = parseId(value.toString('latin1'), 'PAX uid'); break
      case 'gid': info.gid = parseId(value.toString('latin1'), 'PAX gid'); break
      case 'mtime': info.mtime = parseTime(value.toString('latin1'), 'PAX mtime'); break
      case 'atime': info.atime = parseTime(value.toString('latin1'), 'PAX atime'); break
      default:
        if (key.startsWith(SCHILY_XATTR)) {
          info.xattrs.set(key.slice(SCHILY_XATTR.length), value)
        } else if (key.startsWith(LIBARCHIVE_XATTR)) {
          const name = percentDecode(key.slice(LIBARCHIVE_XATTR.length))
          // bsdtar writes both forms for one xattr; the SCHILY one is the raw bytes already
          if (!info.xattrs.has(name)) info.xattrs.set(name, Buffer.from(value.toString('latin1'), 'base64'))
        } else if (key.startsWith(GNU_SPARSE)) {
          info.sparse.push({ key, value })
        }
    }
  }
  return info
}
