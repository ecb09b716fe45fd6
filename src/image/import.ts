// Importing an image into the store: open the archive, pick the image and platform, unpack every layer the store
// does not have yet (verified against its digest and diff_id), and record the image.
import { chainIds } from './digest'
import { openImageSource } from './source'
import { ensureLayer, readLayerInfo } from './store/layers'
import { saveImage, type ImageRecord } from './store/images'
import { withStoreLock } from './store/lock'
import type { StoreLayout } from './store/layout'
import type { Platform } from './types'
import { silentProgress, type Progress } from './progress'
import { normalizeName } from './reference'

export interface ImportOptions {
  store: StoreLayout
  source: string
  /** which image of the archive (name or manifest digest); default: its only image */
  ref?: string
  platform: Platform
  /** an extra name to record for the image */
  name?: string
  progress?: Progress
}

export async function importImage(o: ImportOptions): Promise<{ image: ImageRecord; unpacked: number }> {
  const progress = o.progress ?? silentProgress
  const src = await openImageSource(o.source)
  try {
    const img = await src.resolve(o.ref, o.platform)
    const chains = chainIds(img.layers.map((l) => l.diffId))
    return await withStoreLock(o.store, 'shared', async () => {
      let unpacked = 0, size = 0
      for (const [i, layer] of img.layers.entries()) {
        progress.layer(i + 1, img.layers.length, layer.size)
        const label = `layer ${i + 1} of ${img.layers.length} (${layer.digest})`
        if (await ensureLayer(o.store, chains[i]!, layer, label, (n) => progress.bytes(n))) unpacked++
        size += readLayerInfo(o.store, chains[i]!)?.bytes ?? layer.size
      }
      progress.done()
      const names = [...new Set([img.name, o.name].filter((n): n is string => !!n).map(normalizeName))]
      const image = saveImage(o.store, {
        id: img.id, names, configDigest: img.configDigest, config: img.config, platform: img.platform,
        chainIds: chains, size, imported: new Date().toISOString(),
      })
      return { image, unpacked }
    })
  } finally {
    src.close()
  }
}
