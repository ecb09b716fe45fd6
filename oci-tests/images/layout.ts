// Writes an OCI image layout directory with any number of layers, each given as tar entries; layers may be
// gzip-compressed, and a test may alter a layer blob before it is described (e.g. truncate it) to make hostile
// images whose descriptors are self-consistent.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { defaultPath, digestHex, hostImageArchitecture, sha256Digest } from './image-config'
import { ociMediaTypes } from './build'
import { fixedMtime, packTar, type TarEntry } from './tar-buffer'

export interface LayerInput {
  entries: TarEntry[]
  gzip?: boolean
  /** changes the blob as stored, before its digest and size go into the manifest */
  alter?: (blob: Buffer) => Buffer
}

export interface LayoutOptions {
  ref?: string
  /** the image config's `config` object (default: busybox-like Env and Cmd ["sh"]) */
  config?: Record<string, unknown>
}

export interface WrittenLayout {
  dir: string
  manifestDigest: string
  configDigest: string
  /** blob digests, bottom layer first */
  layerDigests: string[]
  diffIds: string[]
  blobPath(digest: string): string
}

export async function writeOciLayout(dir: string, layers: LayerInput[], opts: LayoutOptions = {}): Promise<WrittenLayout> {
  const blobs = join(dir, 'blobs', 'sha256')
  mkdirSync(blobs, { recursive: true })
  const blobPath = (d: string): string => join(blobs, digestHex(d))
  const put = (content: Buffer): string => {
    const d = sha256Digest(content)
    writeFileSync(blobPath(d), content)
    return d
  }
  const descs: { mediaType: string; digest: string; size: number }[] = []
  const diffIds: string[] = []
  for (const l of layers) {
    const tar = await packTar(l.entries)
    diffIds.push(sha256Digest(tar))
    let blob = l.gzip ? gzipSync(tar) : tar
    if (l.alter) blob = l.alter(blob)
    descs.push({ mediaType: l.gzip ? `${ociMediaTypes.layer}+gzip` : ociMediaTypes.layer, digest: put(blob), size: blob.length })
  }
  const config = Buffer.from(JSON.stringify({
    created: fixedMtime.toISOString(), architecture: hostImageArchitecture(), os: 'linux',
    config: opts.config ?? { Env: [defaultPath], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }))
  const configDigest = put(config)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: ociMediaTypes.manifest,
    config: { mediaType: ociMediaTypes.config, digest: configDigest, size: config.length }, layers: descs,
  }))
  const manifestDigest = put(manifest)
  const annotations = opts.ref ? { 'org.opencontainers.image.ref.name': opts.ref } : undefined
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: ociMediaTypes.index,
    manifests: [{ mediaType: ociMediaTypes.manifest, digest: manifestDigest, size: manifest.length, annotations }],
  }))
  return { dir, manifestDigest, configDigest, layerDigests: descs.map((d) => d.digest), diffIds, blobPath }
}
