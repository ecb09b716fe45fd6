// OCI/AUFS whiteout names and what they become in an overlayfs lower dir:
//   <dir>/.wh.<name>      → <dir>/<name> as a character device 0/0 (an overlay whiteout)
//   <dir>/.wh..wh..opq    → the overlay opaque xattr ("y") on <dir>
//   <dir>/.wh..wh.<other> → AUFS metadata (.wh..wh.plnk, .wh..wh.aufs, ...): skipped, with anything under it
import { MemberError } from './errors'
import { baseOf, parentOf } from './paths'

export const WHITEOUT_PREFIX = '.wh.'
export const WHITEOUT_META_PREFIX = '.wh..wh.'
export const WHITEOUT_OPAQUE = '.wh..wh..opq'

export type Whiteout =
  /** an ordinary member */
  | { kind: 'none' }
  /** remove `target` from the layers below */
  | { kind: 'whiteout'; target: string }
  /** hide the contents of `dir` in the layers below */
  | { kind: 'opaque'; dir: string }
  /** AUFS metadata, not for overlayfs */
  | { kind: 'skip' }

const NONE: Whiteout = { kind: 'none' }
const SKIP: Whiteout = { kind: 'skip' }

/** What the member at the normalised relative path `rel` means as a whiteout. */
export function classifyWhiteout(rel: string): Whiteout {
  if (!rel.includes(WHITEOUT_PREFIX)) return NONE // the common case, one scan
  const base = baseOf(rel)
  // anything inside an AUFS metadata dir (e.g. .wh..wh.plnk/1234.5678) is metadata too
  for (const part of rel.split('/').slice(0, -1)) if (part.startsWith(WHITEOUT_META_PREFIX)) return SKIP
  if (!base.startsWith(WHITEOUT_PREFIX)) return NONE
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', dir: parentOf(rel) }
  if (base.startsWith(WHITEOUT_META_PREFIX)) return SKIP
  const name = base.slice(WHITEOUT_PREFIX.length)
  if (name === '' || name === '.' || name === '..') throw new MemberError(`invalid whiteout name "${base}"`)
  const parent = parentOf(rel)
  return { kind: 'whiteout', target: parent === '' ? name : `${parent}/${name}` }
}

/** The xattr that marks an opaque directory: trusted.* for overlay as root, user.* for `-o userxattr` overlay. */
export function opaqueXattr(userxattr: boolean): string {
  return userxattr ? 'user.overlay.opaque' : 'trusted.overlay.opaque'
}
