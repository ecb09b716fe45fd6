// What the OCI layout and docker-archive readers share: media types, descriptors, verified reads of
// small blobs, verifying layer streams, image configs, and picking an image by name and platform.
import type { Readable } from 'node:stream'
import { parseDigest, verifyBytes, VerifyingStream } from '../digest'
import { formatPlatform, normalizePlatform, platformScore } from '../platform'
import { idMatches, nameMatches } from '../reference'
import { ImageError, type ImageConfig, type LayerBlob, type Platform } from '../types'
import { parseJsonObject, type ArchiveFiles, maxJsonSize } from './files'

export const mediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const

export const indexMediaTypes: readonly string[] = [mediaTypes.ociIndex, mediaTypes.dockerList]
export const manifestMediaTypes: readonly string[] = [mediaTypes.ociManifest, mediaTypes.dockerManifest]
export const configMediaTypes: readonly string[] = [mediaTypes.ociConfig, mediaTypes.dockerConfig]
export const schema1MediaTypes: readonly string[] = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]

/** Layer media types whose blobs are plain, gzip or zstd tars. */
const layerMediaTypes: readonly string[] = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
]

/** Throws an ImageError for a layer media type tsrun cannot unpack (nondistributable/foreign, encrypted, unknown). */
export function checkLayerMediaType(mediaType: string, label: string): void {
  if (layerMediaTypes.includes(mediaType)) return
  if (mediaType.includes('nondistributable') || mediaType.includes('foreign')) {
    throw new ImageError(`${label}: nondistributable (foreign) layer of media type ${mediaType} is not supported`)
  }
  throw new ImageError(`${label}: unsupported layer media type ${JSON.stringify(mediaType)}`)
}

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType?: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: Platform
  urls?: string[]
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Checks the shape of a descriptor (digest, size, and the optional fields' types); throws an ImageError naming `what`. */
export function parseDescriptor(v: unknown, what: string): Descriptor {
  if (!isRecord(v)) throw new ImageError(`${what}: not a descriptor object`)
  parseDigest(v.digest, `${what}: digest`)
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw new ImageError(`${what}: size ${JSON.stringify(v.size)} is not a byte count`)
  }
  const d: Descriptor = { digest: v.digest as string, size: v.size }
  if (v.mediaType !== undefined) {
    if (typeof v.mediaType !== 'string') throw new ImageError(`${what}: mediaType is not a string`)
    d.mediaType = v.mediaType
  }
  if (isRecord(v.annotations)) {
    d.annotations = Object.fromEntries(Object.entries(v.annotations).filter((e): e is [string, string] => typeof e[1] === 'string'))
  }
  if (isRecord(v.platform)) {
    const p = v.platform
    if (typeof p.os !== 'string' || typeof p.architecture !== 'string') throw new ImageError(`${what}: platform without os and architecture`)
    d.platform = normalizePlatform(typeof p.variant === 'string' && p.variant !== ''
      ? { os: p.os, architecture: p.architecture, variant: p.variant }
      : { os: p.os, architecture: p.architecture })
  }
  if (Array.isArray(v.urls)) d.urls = v.urls.filter((u): u is string => typeof u === 'string')
  return d
}

/** Where the OCI image layout keeps a blob: blobs/<algorithm>/<hex>. */
export function blobPath(digest: string): string {
  const { algorithm, hex } = parseDigest(digest)
  return `blobs/${algorithm}/${hex}`
}

/** The digest a path of the form blobs/<algorithm>/<hex> names, if it has that form. */
export function digestFromBlobPath(path: string): string | undefined {
  const m = /^(?:\.\/)?blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(path)
  if (!m) return undefined
  const digest = `${m[1]}:${m[2]}`
  try {
    parseDigest(digest)
    return digest
  } catch {
    return undefined
  }
}

/** A small blob read whole and checked against its descriptor (size, then digest) before anyone parses it. */
export function readVerifiedBlob(files: ArchiveFiles, desc: { digest: string; size: number }, what: string, path = blobPath(desc.digest)): Buffer {
  const size = files.size(path)
  if (size === undefined) throw new ImageError(`${files.where}: missing blob ${desc.digest} (${what})`)
  if (desc.size > maxJsonSize) throw new ImageError(`${files.where}: ${what} ${desc.digest}: ${desc.size} bytes is more than the ${maxJsonSize} a JSON document may have`)
  const content = files.read(path, what, Math.max(desc.size + 1, 1))
  verifyBytes(content, desc, `${files.where}: ${what} ${desc.digest}`)
  return content
}

/** A layer of a resolved image, whose open() stream fails at its end on a size or digest mismatch. */
export function layerBlob(files: ArchiveFiles, path: string, layer: Omit<LayerBlob, 'open'>, label: string): LayerBlob {
  if (files.size(path) === undefined) throw new ImageError(`${files.where}: missing blob ${layer.digest} (${label})`)
  return {
    ...layer,
    open(): Readable {
      const verify = new VerifyingStream({ digest: layer.digest, size: layer.size, label: `blob ${layer.digest} (${label})` })
      const raw = files.open(path)
      raw.on('error', (err) => verify.destroy(err))
      verify.on('close', () => raw.destroy())
      return raw.pipe(verify)
    },
  }
}

/** Parses and checks an image configuration (rootfs.diff_ids must be digests). */
export function parseImageConfig(content: Buffer, what: string): ImageConfig {
  const c = parseJsonObject(content, what)
  const rootfs = c.rootfs
  if (!isRecord(rootfs) || !Array.isArray(rootfs.diff_ids)) throw new ImageError(`${what}: no rootfs.diff_ids`)
  rootfs.diff_ids.forEach((d, i) => parseDigest(d, `${what}: rootfs.diff_ids[${i}]`))
  if (rootfs.type !== undefined && rootfs.type !== 'layers') throw new ImageError(`${what}: rootfs.type ${JSON.stringify(rootfs.type)} is not "layers"`)
  for (const k of ['os', 'architecture', 'variant'] as const) {
    if (c[k] !== undefined && typeof c[k] !== 'string') throw new ImageError(`${what}: ${k} is not a string`)
  }
  return c as unknown as ImageConfig
}

/** The platform an image config declares, if it names its os and architecture. */
export function configPlatform(c: ImageConfig): Platform | undefined {
  if (!c.os || !c.architecture) return undefined
  return normalizePlatform(c.variant ? { os: c.os, architecture: c.architecture, variant: c.variant } : { os: c.os, architecture: c.architecture })
}

/** "no image for linux/arm64 in <archive>: it has linux/amd64, linux/s390x". */
export function noPlatformError(where: string, want: Platform, have: readonly Platform[], note = ''): ImageError {
  const list = [...new Set(have.map(formatPlatform))]
  return new ImageError(`no image for ${formatPlatform(want)} in ${where}: it has ${list.length ? list.join(', ') : 'no platform'}${note}`)
}

/** Of several candidates, the first with the best platform score; undefined when none matches. */
export function bestPlatform<T extends { platform: Platform }>(want: Platform, candidates: readonly T[]): T | undefined {
  let best: T | undefined
  let bestScore = -1
  for (const c of candidates) {
    const s = platformScore(want, c.platform)
    if (s > bestScore) [best, bestScore] = [c, s]
  }
  return best
}

/** One image of an archive, as the names and digests that pick it. */
export interface ArchiveEntry {
  /** the names it carries, full or short */
  names: string[]
  /** what a digest ref may name: the manifest (OCI) or config (docker-archive) digest */
  digest: string
}

export function isDigestRef(ref: string): boolean {
  return /^(sha256|sha512):/.test(ref) || /^[0-9a-f]{12,128}$/.test(ref)
}

function entryNameMatches(name: string, query: string): boolean {
  if (name === query) return true
  try {
    return nameMatches(name, query)
  } catch {
    return false
  }
}

/**
 * The entries `ref` picks: undefined picks the only image (an error when there are several), a digest
 * (or name@digest) picks by digest, a name by any of its full or short forms. Entries with the same
 * digest are one image. Also returns the name the image is known by.
 */
export function selectEntries<T extends ArchiveEntry>(where: string, entries: readonly T[], ref: string | undefined): { picked: T[]; name?: string } {
  const images = [...new Map(entries.map((e) => [e.digest, e])).values()]
  const describe = (e: T) => e.names[0] ?? e.digest
  if (ref === undefined) {
    if (images.length === 0) throw new ImageError(`${where}: the archive holds no image`)
    if (images.length > 1) {
      throw new ImageError(`${where}: archive holds ${images.length} images: name one of ${images.map(describe).join(', ')}`)
    }
    const only = images[0]!
    const name = entries.find((e) => e.digest === only.digest && e.names.length > 0)?.names[0]
    return { picked: entries.filter((e) => e.digest === only.digest), ...(name === undefined ? {} : { name }) }
  }
  const at = ref.lastIndexOf('@')
  const [namePart, digestPart] = at > 0 ? [ref.slice(0, at), ref.slice(at + 1)] : isDigestRef(ref) ? [undefined, ref] : [ref, undefined]
  const picked = entries.filter((e) => {
    if (digestPart !== undefined && !idMatches(e.digest, digestPart)) return false
    if (namePart !== undefined && !(digestPart !== undefined && e.names.length === 0) && !e.names.some((n) => entryNameMatches(n, namePart))) return false
    return true
  })
  if (picked.length === 0) {
    const have = images.map(describe)
    throw new ImageError(`${where}: no image ${digestPart !== undefined && namePart === undefined ? 'with digest' : 'named'} ${ref}: it has ${have.length ? have.join(', ') : 'none'}`)
  }
  const name = namePart !== undefined
    ? picked.flatMap((e) => e.names).find((n) => entryNameMatches(n, namePart))
    : picked.find((e) => e.names.length > 0)?.names[0]
  return { picked, ...(name === undefined ? {} : { name }) }
}
