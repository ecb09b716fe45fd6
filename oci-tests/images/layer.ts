// Turns a root filesystem directory into an uncompressed layer tar: regular files, directories
// and symlinks, with their permission bits (setuid/sticky included), owned by root, in a stable order.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { packTar, type TarEntry } from './tar-buffer'

export async function buildLayerTar(rootfs: string): Promise<Buffer> {
  return packTar(walk(rootfs, ''))
}

/** The entries of that layer (to stack test layers on top of it). */
export function layerEntries(rootfs: string): TarEntry[] {
  return [...walk(rootfs, '')]
}

function* walk(rootfs: string, rel: string): Generator<TarEntry> {
  for (const name of readdirSync(join(rootfs, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`
    const full = join(rootfs, path)
    const st = lstatSync(full)
    const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mode: st.mode & 0o7777 }
    if (st.isDirectory()) {
      yield { header: { name: path, type: 'directory', ...owner } }
      yield* walk(rootfs, path)
    } else if (st.isSymbolicLink()) {
      yield { header: { name: path, type: 'symlink', linkname: readlinkSync(full), ...owner } }
    } else if (st.isFile()) {
      yield { header: { name: path, type: 'file', ...owner }, content: readFileSync(full) }
    } else {
      throw new Error(`${full}: only files, directories and symlinks can go into a test layer`)
    }
  }
}
