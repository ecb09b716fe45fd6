// Builders for the image-source tests: layer tars, OCI blobs/manifests/indexes, docker-archive and OCI
// layout tars and directories, all in memory and written to a temp dir.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { dirEntry, fileEntry, packTar, type TarEntry } from '../../../oci-tests/images/tar-buffer'
import { sha256 } from '../../../src/image/digest'
import { hostPlatform } from '../../../src/image/platform'
import type { Platform } from '../../../src/image/types'

export { dirEntry, fileEntry, packTar, type TarEntry }

export const mt = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const

export const host: Platform = hostPlatform()
/** Some platform that is not the host's. */
export const other: Platform = host.architecture === 's390x' ? { os: 'linux', architecture: 'ppc64le' } : { os: 'linux', architecture: 's390x' }

export interface Blob {
  digest: string
  content: Buffer
}

export function blob(content: Buffer | string): Blob {
  const b = Buffer.from(content)
  return { digest: sha256(b), content: b }
}

export function hex(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1)
}

/** An uncompressed layer tar holding the given files. */
export async function layerTar(files: Record<string, string>): Promise<Buffer> {
  return packTar(Object.entries(files).map(([name, content]) => fileEntry(name, content)))
}

/** `zstd` of some bytes through the zstd CLI; undefined when it is not installed. */
export function zstdCompress(content: Buffer, args: string[] = ['-3']): Buffer | undefined {
  const r = spawnSync('zstd', [...args, '-q', '-c'], { input: content, maxBuffer: 1 << 30 })
  if (r.error || r.status !== 0) return undefined
  return r.stdout
}

export const haveZstd = zstdCompress(Buffer.from('x')) !== undefined

export type LayerCompression = 'none' | 'gzip' | 'zstd'

export interface LayerPart {
  tar: Buffer
  diffId: string
  blob: Blob
  mediaType: string
}

export function layerPart(tar: Buffer, compression: LayerCompression = 'none'): LayerPart {
  const content = compression === 'none' ? tar : compression === 'gzip' ? gzipSync(tar) : zstdCompress(tar)
  if (!content) throw new Error('zstd is not installed')
  const mediaType = compression === 'none' ? mt.layer : compression === 'gzip' ? mt.layerGzip : mt.layerZstd
  return { tar, diffId: sha256(tar), blob: blob(content), mediaType }
}

export function configBlob(diffIds: string[], platform: Platform = host, extra: Record<string, unknown> = {}): Blob {
  return blob(JSON.stringify({
    created: '2000-01-01T00:00:00Z',
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    ...extra,
  }))
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: Platform
}

export function desc(mediaType: string, b: Blob, more: Partial<Descriptor> = {}): Descriptor {
  return { mediaType, digest: b.digest, size: b.content.length, ...more }
}

/** One image: config, layers, manifest; `blobs` are all of them. */
export interface TestImage {
  config: Blob
  layers: LayerPart[]
  manifest: Blob
  blobs: Blob[]
  platform: Platform
}

export interface ImageOptions {
  platform?: Platform
  /** replaces the config's diff_ids */
  diffIds?: string[]
  /** changes the layer descriptors written into the manifest */
  layerDescs?: (d: Descriptor[]) => Descriptor[]
  manifestMediaType?: string
}

export function ociImage(layers: LayerPart[], o: ImageOptions = {}): TestImage {
  const platform = o.platform ?? host
  const config = configBlob(o.diffIds ?? layers.map((l) => l.diffId), platform)
  let layerDescs = layers.map((l) => desc(l.mediaType, l.blob))
  if (o.layerDescs) layerDescs = o.layerDescs(layerDescs)
  const manifest = blob(JSON.stringify({
    schemaVersion: 2,
    mediaType: o.manifestMediaType ?? mt.manifest,
    config: desc(mt.config, config),
    layers: layerDescs,
  }))
  return { config, layers, manifest, blobs: [config, ...layers.map((l) => l.blob), manifest], platform }
}

export function indexBlob(manifests: Descriptor[], mediaType: string = mt.index): Blob {
  return blob(JSON.stringify({ schemaVersion: 2, mediaType, manifests }))
}

export function refAnnotations(name: string): Record<string, string> {
  return { 'org.opencontainers.image.ref.name': name }
}

/** The members of an OCI image layout: oci-layout, index.json and blobs/sha256/<hex> (deduplicated). */
export function ociLayoutEntries(manifests: Descriptor[], blobs: Blob[]): TarEntry[] {
  const seen = new Set<string>()
  const out: TarEntry[] = [
    fileEntry('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })),
    fileEntry('index.json', JSON.stringify({ schemaVersion: 2, mediaType: mt.index, manifests })),
    dirEntry('blobs'),
    dirEntry('blobs/sha256'),
  ]
  for (const b of blobs) {
    if (seen.has(b.digest)) continue
    seen.add(b.digest)
    out.push(fileEntry(`blobs/sha256/${hex(b.digest)}`, b.content))
  }
  return out
}

/** A temp dir, removed by `cleanup`. */
export function tempDir(prefix = 'tsrun-image-src-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export async function writeTar(path: string, entries: TarEntry[]): Promise<string> {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, await packTar(entries))
  return path
}

/** Writes the files (and symlinks) of `entries` under `dir`. */
export function writeDir(dir: string, entries: TarEntry[]): string {
  for (const { header, content } of entries) {
    const p = join(dir, header.name)
    if (header.type === 'directory') mkdirSync(p, { recursive: true })
    else if (header.type === 'symlink') {
      mkdirSync(dirname(p), { recursive: true })
      symlinkSync(header.linkname ?? '', p)
    } else {
      mkdirSync(dirname(p), { recursive: true })
      writeFileSync(p, content ?? Buffer.alloc(0))
    }
  }
  return dir
}

/** All of a stream's bytes; rejects with its error. */
export async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of s) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
