// Member names inside the layer root. Names are handled as "binary strings": one char per byte (latin1), so a
// name that is not valid UTF-8 keeps its bytes; '/' (0x2f) never occurs inside a UTF-8 multibyte sequence.
import { MemberError } from './errors'

/**
 * The path of a member relative to the layer root, normalised: leading "/" and "./" dropped, empty and "."
 * components dropped, "a/../b" folded to "b". "" is the root itself. A ".." that would leave the root is an error
 * (never clamped). Lexical only: no component is looked up, so a symlink can never change where ".." goes.
 */
export function memberPath(name: string): string {
  if (name.includes('\0')) throw new MemberError('name contains a NUL byte')
  // fast path for the usual "./a/b" or "a/b": nothing else to normalise
  const plain = name.startsWith('./') ? name.slice(2) : name
  if (plain !== '' && plain[0] !== '/' && plain[0] !== '.' && !plain.includes('/.') && !plain.includes('//') &&
    !plain.endsWith('/')) return plain
  const out: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (out.length === 0) throw new MemberError('path escapes the layer root')
      out.pop()
      continue
    }
    out.push(part)
  }
  return out.join('/')
}

/** The parent of a relative path ("" for a top-level name and for the root). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/')
  return i === -1 ? '' : rel.slice(0, i)
}

/** The last component of a relative path. */
export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1)
}

/** The proper ancestors of a relative path, outermost first ("a/b/c" → ["a", "a/b"]). */
export function ancestorsOf(rel: string): string[] {
  const out: string[] = []
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) out.push(rel.slice(0, i))
  return out
}

/** Whether `rel` is `dir` or lies under it. */
export function isUnder(rel: string, dir: string): boolean {
  return dir === '' || rel === dir || rel.startsWith(dir + '/')
}

/** A binary string as text for messages (its bytes read as UTF-8). */
export function shownName(bin: string): string {
  return Buffer.from(bin, 'latin1').toString('utf8')
}

/** A host path (a JS string, UTF-8) as a binary string. */
export function toBinary(path: string): string {
  return Buffer.from(path, 'utf8').toString('latin1')
}

const NON_ASCII = /[^\x00-\x7f]/

/** Whether a binary string is plain ASCII (then it is the same text in UTF-8). */
export function isAscii(bin: string): boolean {
  return !NON_ASCII.test(bin)
}

/**
 * A binary string as node:fs and the src/sys wrappers take a path: ASCII as it is (the usual case, and cheaper),
 * anything else as its bytes.
 */
export function fsPath(bin: string): string | Buffer {
  return isAscii(bin) ? bin : Buffer.from(bin, 'latin1')
}
