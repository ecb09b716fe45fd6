// Packs a list of tar entries into one in-memory tar (the test images are a few MiB).
import { pack, type Header } from 'tar-stream'

export interface TarEntry {
  header: Partial<Header> & Pick<Header, 'name'>
  /** file content; omit for directories and symlinks */
  content?: Buffer
}

/** A fixed timestamp, so that identical inputs give identical tars and digests. */
export const fixedMtime = new Date('2000-01-01T00:00:00Z')

export async function packTar(entries: Iterable<TarEntry>): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  const done = (async () => {
    for await (const chunk of tar) chunks.push(chunk as Buffer)
  })()
  for (const { header, content } of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve())
      if (content) tar.entry({ mtime: fixedMtime, ...header, size: content.length }, content, cb)
      else tar.entry({ mtime: fixedMtime, ...header }, cb)
    })
  }
  tar.finalize()
  await done
  return Buffer.concat(chunks)
}

/** A regular file entry owned by root, mode 0644 unless given. */
export function fileEntry(name: string, content: Buffer | string, mode = 0o644): TarEntry {
  return { header: { name, type: 'file', mode, uid: 0, gid: 0 }, content: Buffer.from(content) }
}

/** A directory entry owned by root, mode 0755. */
export function dirEntry(name: string): TarEntry {
  return { header: { name, type: 'directory', mode: 0o755, uid: 0, gid: 0 } }
}
