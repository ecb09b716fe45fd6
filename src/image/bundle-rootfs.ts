// A bundle made from an image has no unpacked rootfs: its `tsrun-image.json` names the store and the layers, and
// tsrun mounts them as overlayfs on root.path at create (per-bundle upper and work dirs) and unmounts at delete.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { ImageError } from './types'
import { layerDiffDir, storeLayout } from './store/layout'

export const IMAGE_ROOTFS_FILE = 'tsrun-image.json'

/** The sidecar file bundle create writes next to config.json. */
export interface ImageRootfsFile {
  store: string
  /** the image as it was asked for, and its id */
  image: string
  id: string
  /** bottom layer first */
  chainIds: string[]
  /** relative to the bundle */
  upper: string
  work: string
}

/** What to mount: lower dirs top first (overlayfs order), upper, work, target. */
export interface OverlayRootfs {
  target: string
  lowers: string[]
  upper: string
  work: string
}

/** Reads the sidecar of `bundleDir`, if it has one; checks that every layer is still in the store. */
export function readImageRootfs(bundleDir: string, rootfs: string): OverlayRootfs | undefined {
  const file = join(bundleDir, IMAGE_ROOTFS_FILE)
  let text: string
  try { text = readFileSync(file, 'utf8') } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
  let f: ImageRootfsFile
  try { f = JSON.parse(text) as ImageRootfsFile } catch (e) { throw new ImageError(`${file}: ${(e as Error).message}`) }
  if (typeof f.store !== 'string' || !Array.isArray(f.chainIds) || f.chainIds.length === 0 || typeof f.upper !== 'string' || typeof f.work !== 'string')
    throw new ImageError(`${file}: needs store, chainIds, upper and work`)
  const s = storeLayout(f.store)
  const lowers = [...f.chainIds].reverse().map((c) => {
    const d = layerDiffDir(s, c)
    if (!existsSync(d)) throw new ImageError(`layer ${c} of image ${f.image} is not in the store ${s.root} (removed by image rm or prune?)`)
    return d
  })
  const rel = (p: string): string => (isAbsolute(p) ? p : join(bundleDir, p))
  return { target: rootfs, lowers, upper: rel(f.upper), work: rel(f.work) }
}
