// Garbage collection: layers that no image and no existing bundle uses are removed, with unpacks that a dead
// process left in tmp/. Bundle refs whose bundle is gone are dropped first.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { listImages } from './images'
import { listBundleRefs } from './bundles'
import { listLayers, readLayerInfo } from './layers'
import { layerDir, type StoreLayout } from './layout'
import { IMAGE_ROOTFS_FILE } from '../bundle-rootfs'

export interface GcResult {
  removedLayers: string[]
  reclaimedBytes: number
}

/** Which layers are in use, and which bundle refs are stale. Reads only. */
export function layersInUse(s: StoreLayout, mountinfo: string): { used: Set<string>; staleRefs: string[] } {
  const used = new Set<string>()
  for (const img of listImages(s, true)) for (const c of img.chainIds) used.add(c)
  // layers an overlay mounts right now, whatever the records say (a bundle moved elsewhere still runs)
  const layerDir = new RegExp(`${s.layers.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([0-9a-f]{64}|[0-9a-f]{128})/diff`, 'g')
  for (const line of mountinfo.split('\n')) {
    if (!line.includes(' - overlay ')) continue
    for (const m of line.matchAll(layerDir)) used.add(`${m[1]!.length === 64 ? 'sha256' : 'sha512'}:${m[1]}`)
  }
  const staleRefs: string[] = []
  for (const { file, ref } of listBundleRefs(s, true)) {
    if (!existsSync(join(ref.dir, IMAGE_ROOTFS_FILE))) { staleRefs.push(file); continue }
    for (const c of ref.chainIds) used.add(c)
  }
  return { used, staleRefs }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}

export function collectGarbage(s: StoreLayout): GcResult {
  const { used, staleRefs } = layersInUse(s, readFileSync('/proc/self/mountinfo', 'utf8'))
  for (const f of staleRefs) rmSync(f, { force: true })
  const result: GcResult = { removedLayers: [], reclaimedBytes: 0 }
  for (const chainId of listLayers(s)) {
    if (used.has(chainId)) continue
    result.reclaimedBytes += readLayerInfo(s, chainId)?.bytes ?? 0
    rmSync(layerDir(s, chainId), { recursive: true, force: true })
    rmSync(`${layerDir(s, chainId)}.lock`, { force: true })
    result.removedLayers.push(chainId)
  }
  let tmp: string[] = []
  try { tmp = readdirSync(s.tmp) } catch { /* none */ }
  for (const name of tmp) {
    const pid = Number(/^[0-9a-f]+-(\d+)-/.exec(name)?.[1] ?? 0)
    if (pid > 0 && pidAlive(pid)) continue
    rmSync(join(s.tmp, name), { recursive: true, force: true })
  }
  return result
}
