// The files of an image archive, whether it is a directory or a tar: look one up, read a small one whole,
// stream a big one. Paths are archive-relative and may not lead outside the archive.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ImageError } from '../types'
import { escapesArchive, normalizeMemberName, TarIndex, type TarMember } from './tar-index'

/** The largest JSON document (manifest.json, index.json, a manifest or config) read into memory. */
export const maxJsonSize = 32 << 20

export interface ArchiveFiles {
  /** the archive as the user named it, for messages */
  readonly where: string
  /** the size of the regular file at `path`, undefined when there is none */
  size(path: string): number | undefined
  /** the whole file (at most `limit` bytes, else an ImageError naming `what`) */
  read(path: string, what: string, limit?: number): Buffer
  /** up to `length` bytes from the start of the file */
  readHead(path: string, length: number): Buffer
  /** the file's bytes as a stream */
  open(path: string): Readable
  close(): void
}

function checkedPath(where: string, path: string): string {
  const n = normalizeMemberName(path)
  if (n === '' || escapesArchive(n)) throw new ImageError(`${where}: ${JSON.stringify(path)} is not a path inside the archive`)
  return n
}

/** An archive that is a tar file, indexed once; members are read in place. */
export class TarFiles implements ArchiveFiles {
  private constructor(readonly where: string, private readonly index: TarIndex) {}

  static open(where: string): TarFiles {
    return new TarFiles(where, TarIndex.open(where))
  }

  private member(path: string): TarMember | undefined {
    return this.index.lookup(checkedPath(this.where, path))
  }

  private need(path: string, what: string): TarMember {
    const m = this.member(path)
    if (!m) throw new ImageError(`${this.where}: ${what} missing: no ${path} in the archive`)
    return m
  }

  size(path: string): number | undefined {
    return this.member(path)?.size
  }

  read(path: string, what: string, limit = maxJsonSize): Buffer {
    const m = this.need(path, what)
    if (m.size > limit) throw new ImageError(`${this.where}: ${what} (${path}) is ${m.size} bytes, more than the ${limit} allowed`)
    return this.index.read(m)
  }

  readHead(path: string, length: number): Buffer {
    return this.index.readHead(this.need(path, path), length)
  }

  open(path: string): Readable {
    return this.index.stream(this.need(path, path))
  }

  close(): void {
    this.index.close()
  }
}

/** An archive unpacked into a directory (an OCI image layout directory, or an unpacked `docker save`). */
export class DirFiles implements ArchiveFiles {
  constructor(readonly where: string) {}

  private full(path: string): string {
    return join(this.where, checkedPath(this.where, path))
  }

  size(path: string): number | undefined {
    try {
      const st = statSync(this.full(path))
      return st.isFile() ? st.size : undefined
    } catch (err) {
      if (['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined
      throw err
    }
  }

  read(path: string, what: string, limit = maxJsonSize): Buffer {
    const size = this.size(path)
    if (size === undefined) throw new ImageError(`${this.where}: ${what} missing: no ${path} in the directory`)
    if (size > limit) throw new ImageError(`${this.where}: ${what} (${path}) is ${size} bytes, more than the ${limit} allowed`)
    return this.readHead(path, size + 1)
  }

  readHead(path: string, length: number): Buffer {
    const fd = openSync(this.full(path), 'r')
    try {
      const buf = Buffer.alloc(length)
      let done = 0
      while (done < length) {
        const n = readSync(fd, buf, done, length - done, done)
        if (n === 0) break
        done += n
      }
      return buf.subarray(0, done)
    } finally {
      closeSync(fd)
    }
  }

  open(path: string): Readable {
    return createReadStream(this.full(path), { highWaterMark: 1 << 20 })
  }

  close(): void {}
}

/** JSON.parse of a verified document, an ImageError naming it when it is not JSON or not an object. */
export function parseJsonObject(content: Buffer, what: string): Record<string, unknown> {
  let v: unknown
  try {
    v = JSON.parse(content.toString('utf8'))
  } catch (err) {
    throw new ImageError(`${what}: invalid JSON: ${(err as Error).message}`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ImageError(`${what}: not a JSON object`)
  return v as Record<string, unknown>
}

/** JSON.parse of a document that must be an array. */
export function parseJsonArray(content: Buffer, what: string): unknown[] {
  let v: unknown
  try {
    v = JSON.parse(content.toString('utf8'))
  } catch (err) {
    throw new ImageError(`${what}: invalid JSON: ${(err as Error).message}`)
  }
  if (!Array.isArray(v)) throw new ImageError(`${what}: not a JSON array`)
  return v
}
