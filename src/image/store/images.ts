// Image records in the store: what `image ls` lists and what bundles are made from. A name points at one image:
// importing another image under the same name moves the name, as `docker load` does.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ImageError, type ImageConfig, type Platform } from '../types'
import { idMatches, nameMatches } from '../reference'
import { imageFile, type StoreLayout } from './layout'
import { writeJsonAtomically } from './json-file'

export interface ImageRecord {
  /** manifest digest (OCI) or config digest (docker-archive) */
  id: string
  names: string[]
  configDigest: string
  config: ImageConfig
  platform: Platform
  /** bottom layer first */
  chainIds: string[]
  /** uncompressed bytes of all layers */
  size: number
  /** when it was imported into this store (RFC 3339) */
  imported: string
}

/** `strict`: an unreadable record is an error instead of being skipped (garbage collection must not guess). */
export function listImages(s: StoreLayout, strict = false): ImageRecord[] {
  let files: string[]
  try { files = readdirSync(s.images) } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  const out: ImageRecord[] = []
  for (const f of files.filter((n) => n.endsWith('.json')).sort()) {
    try { out.push(JSON.parse(readFileSync(join(s.images, f), 'utf8')) as ImageRecord) } catch (e) {
      if (strict) throw new ImageError(`image record ${join(s.images, f)} is unreadable (${(e as Error).message}): garbage collection stopped, remove or fix it`)
    }
  }
  return out.sort((a, b) => (a.imported < b.imported ? 1 : a.imported > b.imported ? -1 : 0))
}

/** The image a user means by `ref`: a name (short forms allowed) or an id (12+ hex digits). */
export function findImage(s: StoreLayout, ref: string): ImageRecord | undefined {
  const all = listImages(s)
  return all.find((i) => i.names.some((n) => nameMatches(n, ref))) ?? all.find((i) => idMatches(i.id, ref))
}

/** Store an image record; its names are taken away from any other image that had them. */
export function saveImage(s: StoreLayout, rec: ImageRecord): ImageRecord {
  mkdirSync(s.images, { recursive: true })
  for (const other of listImages(s)) {
    if (other.id === rec.id) { rec = { ...rec, names: [...new Set([...other.names, ...rec.names])] }; continue }
    const kept = other.names.filter((n) => !rec.names.some((m) => nameMatches(m, n)))
    if (kept.length !== other.names.length) writeJsonAtomically(imageFile(s, other.id), { ...other, names: kept })
  }
  writeJsonAtomically(imageFile(s, rec.id), rec)
  return rec
}

/**
 * `image rm REF`: by name, the name goes (and the image with it when no name is left); by id, the image goes.
 * Returns what was removed, for the message. Layers are left to garbage collection.
 */
export function removeImage(s: StoreLayout, ref: string): { untagged?: string; deleted?: string } {
  const all = listImages(s)
  const byName = all.find((i) => i.names.some((n) => nameMatches(n, ref)))
  if (byName && byName.names.length > 1) {
    const name = byName.names.find((n) => nameMatches(n, ref))!
    writeJsonAtomically(imageFile(s, byName.id), { ...byName, names: byName.names.filter((n) => n !== name) })
    return { untagged: name }
  }
  const img = byName ?? all.find((i) => idMatches(i.id, ref))
  if (!img) return {}
  rmSync(imageFile(s, img.id), { force: true })
  return { untagged: byName ? byName.names[0] : undefined, deleted: img.id }
}
