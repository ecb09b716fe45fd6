// Where the layer store keeps things. One directory per layer, keyed by its chain ID; image records; the
// bundles that use layers (so garbage collection never removes a layer a container stands on).
//
//   <store>/layers/<chain hex>/diff        the unpacked layer: an overlayfs lowerdir
//   <store>/layers/<chain hex>/layer.json  { chainId, diffId, bytes, files }
//   <store>/layers/<chain hex>.lock        flock'ed while the layer is unpacked
//   <store>/tmp/                           unpacks in progress (renamed into layers/ when complete)
//   <store>/images/<id hex>.json           an image: names, config, chain IDs
//   <store>/bundles/<sha256 of dir>.json   a bundle made from an image: { dir, chainIds }
import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'

export const DEFAULT_STORE = '/var/lib/tsrun'

export interface StoreLayout {
  root: string
  layers: string
  tmp: string
  images: string
  bundles: string
}

export function storeLayout(root: string = DEFAULT_STORE): StoreLayout {
  const r = resolve(root)
  return { root: r, layers: join(r, 'layers'), tmp: join(r, 'tmp'), images: join(r, 'images'), bundles: join(r, 'bundles') }
}

/** "sha256:abc…" → "abc…" (the file name part). */
export function digestHex(digest: string): string {
  const i = digest.indexOf(':')
  return i >= 0 ? digest.slice(i + 1) : digest
}

export function layerDir(s: StoreLayout, chainId: string): string {
  return join(s.layers, digestHex(chainId))
}

/** The overlayfs lowerdir of a layer. */
export function layerDiffDir(s: StoreLayout, chainId: string): string {
  return join(layerDir(s, chainId), 'diff')
}

export function imageFile(s: StoreLayout, id: string): string {
  return join(s.images, `${digestHex(id)}.json`)
}

export function bundleRefFile(s: StoreLayout, bundleDir: string): string {
  return join(s.bundles, `${createHash('sha256').update(resolve(bundleDir)).digest('hex')}.json`)
}
