// Reading a file of an image from its unpacked layer directories as the overlay mount of those layers would
// show it, without mounting anything: whiteouts (char device 0/0) and opaque directories hide lower layers,
// and symlinks are resolved inside the image, never on the host.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { ImageError } from './types'

export interface LayeredFsOptions {
  /**
   * Whether a directory of one layer (a host path) is opaque (overlay's `trusted.overlay.opaque` = "y"):
   * it then hides what lower layers hold under the same path. Default: no directory is opaque.
   */
  isOpaque?: (hostDir: string) => boolean
}

/** Linux's MAXSYMLINKS. */
export const MAX_SYMLINK_HOPS = 40

type Entry =
  | { kind: 'missing' }
  /** `dirs`: the host directories that make up the merged directory, top first */
  | { kind: 'dir'; dirs: string[] }
  | { kind: 'symlink'; hostPath: string }
  | { kind: 'file'; hostPath: string }
  | { kind: 'other' }

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw e
  }
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0
}

/** The merged entry `name` of a merged directory made of `dirs` (top first). */
function lookup(dirs: string[], name: string, isOpaque: (dir: string) => boolean): Entry {
  const found: string[] = []
  for (const dir of dirs) {
    const path = join(dir, name)
    const st = lstatOrUndefined(path)
    if (st === undefined) continue
    if (found.length === 0) {
      // The topmost layer holding the name decides what it is.
      if (isWhiteout(st)) return { kind: 'missing' }
      if (st.isSymbolicLink()) return { kind: 'symlink', hostPath: path }
      if (st.isFile()) return { kind: 'file', hostPath: path }
      if (!st.isDirectory()) return { kind: 'other' }
      found.push(path)
    } else {
      // A lower layer adds to the merged directory only while it holds a directory too.
      if (!st.isDirectory()) break
      found.push(path)
    }
    if (isOpaque(path)) break
  }
  return found.length === 0 ? { kind: 'missing' } : { kind: 'dir', dirs: found }
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.')
}

/**
 * Resolve `path` (absolute or not, always from the image's root) in the merged view of `layerDirs`
 * (bottom → top) and return the host path of the regular file it names, or undefined when it is missing or
 * not a regular file. Every symlink met, in any component, is resolved inside the image ("/" and ".." stop at
 * the image's root); more than MAX_SYMLINK_HOPS links throw an ImageError.
 */
export function resolveFileInLayers(layerDirs: string[], path: string, opts: LayeredFsOptions = {}): string | undefined {
  const isOpaque = opts.isOpaque ?? (() => false)
  const rootDirs = [...layerDirs].reverse()
  if (rootDirs.length === 0) return undefined
  // The resolved prefix: one merged directory per component, all of them real directories (no links).
  const stack: string[][] = [rootDirs]
  let todo = components(path)
  let hops = 0
  while (todo.length > 0) {
    const name = todo[0]
    todo = todo.slice(1)
    if (name === '..') {
      if (stack.length > 1) stack.pop()
      continue
    }
    const entry = lookup(stack[stack.length - 1], name, isOpaque)
    switch (entry.kind) {
      case 'missing':
      case 'other':
        return undefined
      case 'file':
        if (todo.length > 0) return undefined // a file used as a directory: ENOTDIR
        return entry.hostPath
      case 'dir':
        stack.push(entry.dirs)
        break
      case 'symlink': {
        if (++hops > MAX_SYMLINK_HOPS) {
          throw new ImageError(`${path}: too many levels of symbolic links in the image (more than ${MAX_SYMLINK_HOPS})`)
        }
        const target = readlinkSync(entry.hostPath, 'utf8')
        if (target === '') return undefined
        if (target.startsWith('/')) stack.length = 1
        todo = [...components(target), ...todo]
        break
      }
    }
  }
  return undefined // the path names a directory (or the root)
}

/** The bytes of the regular file `path` of the image made of `layerDirs` (bottom → top), as the overlay shows it. */
export function readFileFromLayers(layerDirs: string[], path: string, opts: LayeredFsOptions = {}): Buffer | undefined {
  const hostPath = resolveFileInLayers(layerDirs, path, opts)
  if (hostPath === undefined) return undefined
  // Every component above hostPath was checked to be a directory; O_NOFOLLOW guards the last one, and
  // O_NONBLOCK with the fstat check keeps a fifo swapped in from blocking the read.
  let fd: number
  try {
    fd = openSync(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK) // libuv adds O_CLOEXEC
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return undefined
    throw e
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined
    return readFileSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** A `readFile(path)` for imageToSpec's options, reading from `layerDirs` (bottom → top). */
export function layeredReader(layerDirs: string[], opts: LayeredFsOptions = {}): (path: string) => Buffer | undefined {
  const dirs = [...layerDirs]
  return (path) => readFileFromLayers(dirs, path, opts)
}
