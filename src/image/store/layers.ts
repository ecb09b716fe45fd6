// Layers in the store: each unpacked once into a temporary dir and renamed into place when complete, under an
// flock so that two imports of the same layer do not both unpack it.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { lockExclusive } from '../../sys/fs'
import { decompressed } from '../compression'
import { unpackLayer } from '../unpack'
import type { LayerBlob } from '../types'
import { digestHex, layerDir, type StoreLayout } from './layout'

export interface LayerInfo {
  chainId: string
  diffId: string
  /** uncompressed tar bytes */
  bytes: number
  entries: number
}

export function readLayerInfo(s: StoreLayout, chainId: string): LayerInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(layerDir(s, chainId), 'layer.json'), 'utf8')) as LayerInfo
  } catch {
    return undefined
  }
}

/** Chain IDs of every complete layer in the store. */
export function listLayers(s: StoreLayout): string[] {
  try {
    return readdirSync(s.layers).filter((n) => /^([0-9a-f]{64}|[0-9a-f]{128})$/.test(n)).map((n) => `${n.length === 64 ? 'sha256' : 'sha512'}:${n}`)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
}

/**
 * Make sure the layer `chainId` is unpacked in the store. Returns whether this call unpacked it. On failure nothing
 * of the layer is left in the store.
 */
export async function ensureLayer(s: StoreLayout, chainId: string, blob: LayerBlob, label: string,
  onBytes: (n: number) => void = () => {}): Promise<boolean> {
  const final = layerDir(s, chainId)
  if (existsSync(join(final, 'layer.json'))) return false
  mkdirSync(s.layers, { recursive: true })
  mkdirSync(s.tmp, { recursive: true })
  const lockFd = openSync(`${final}.lock`, 'a', 0o600)
  try {
    lockExclusive(lockFd, `${final}.lock`)
    if (existsSync(join(final, 'layer.json'))) return false // another tsrun unpacked it while we waited
    const work = mkdtempSync(join(s.tmp, `${digestHex(chainId).slice(0, 16)}-${process.pid}-`))
    try {
      mkdirSync(join(work, 'diff'), { mode: 0o755 })
      const raw: Readable = blob.open()
      raw.on('data', (chunk: Buffer) => onBytes(chunk.length)) // a listener, not a pipe stage: the stream is consumed anyway
      const tar = decompressed(raw, { expectedDiffId: blob.diffId, label, inputVerifies: blob.digest })
      const stats = await unpackLayer(tar, join(work, 'diff'), { layer: label.replace(/^layer /, '') })
      const info: LayerInfo = { chainId, diffId: blob.diffId, bytes: stats.bytes, entries: stats.entries }
      writeFileSync(join(work, 'layer.json'), JSON.stringify(info))
      rmSync(final, { recursive: true, force: true }) // a dir without layer.json is a leftover
      renameSync(work, final)
      return true
    } catch (e) {
      rmSync(work, { recursive: true, force: true })
      throw e
    }
  } finally {
    closeSync(lockFd)
  }
}
