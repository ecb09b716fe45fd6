// `docker save` archives, read through their manifest.json: [{ Config, RepoTags, Layers, LayerSources }].
// Before Docker 25: Config "<hex>.json", Layers "<v1 id>/layer.tar" (uncompressed; a layer shared by two
// images is a symlink to the other's layer.tar), plus legacy `repositories` and per-layer json/VERSION
// files, which are ignored. Docker 25 and later, and `ctr images export`: Config and Layers are
// "blobs/sha256/<hex>", and layers may be compressed (then the hex is the compressed blob's digest).
import { detectCompression, ociLayerMediaType, sniffLength } from '../compression'
import { Digester, isDigest, sha256, verifyBytes } from '../digest'
import { ImageError, type ImageConfig, type ImageSource, type LayerBlob, type Platform, type ResolvedImage } from '../types'
import {
  bestPlatform, checkLayerMediaType, configPlatform, digestFromBlobPath, layerBlob, noPlatformError, parseDescriptor,
  parseImageConfig, selectEntries, type ArchiveEntry, type Descriptor,
} from './common'
import { parseJsonArray, type ArchiveFiles } from './files'

interface DockerEntry extends ArchiveEntry {
  /** position in manifest.json, for messages */
  index: number
  configPath: string
  config: ImageConfig
  layerPaths: string[]
  /** foreign layers, by diff ID */
  layerSources: Map<string, Descriptor>
}

function stringArray(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new ImageError(`${what}: not a list of strings`)
  return v as string[]
}

/** The digest a docker-archive config path claims: "blobs/sha256/<hex>" or "<hex>.json". */
function configDigestFromPath(path: string): string | undefined {
  const fromBlob = digestFromBlobPath(path)
  if (fromBlob) return fromBlob
  const m = /^(?:\.\/)?([0-9a-f]{64})\.json$/.exec(path)
  return m ? `sha256:${m[1]}` : undefined
}

export class DockerArchiveSource implements ImageSource {
  readonly kind = 'docker-archive' as const
  private readonly entries: DockerEntry[]

  /** Reads manifest.json and every image config it names (verified where the path carries the digest). */
  constructor(private readonly files: ArchiveFiles) {
    const where = files.where
    const manifest = parseJsonArray(files.read('manifest.json', 'manifest.json'), `${where}: manifest.json`)
    if (manifest.length === 0) throw new ImageError(`${where}: manifest.json lists no images`)
    this.entries = manifest.map((raw, i) => {
      const what = `${where}: manifest.json[${i}]`
      if (typeof raw !== 'object' || raw === null) throw new ImageError(`${what}: not an object`)
      const e = raw as Record<string, unknown>
      if (typeof e.Config !== 'string') throw new ImageError(`${what}: no Config`)
      const layerPaths = stringArray(e.Layers, `${what}: Layers`)
      const names = stringArray(e.RepoTags, `${what}: RepoTags`)
      const layerSources = new Map<string, Descriptor>()
      if (typeof e.LayerSources === 'object' && e.LayerSources !== null) {
        for (const [diffId, d] of Object.entries(e.LayerSources)) layerSources.set(diffId, parseDescriptor(d, `${what}: LayerSources[${diffId}]`))
      }
      const content = files.read(e.Config, `config ${e.Config}`)
      const claimed = configDigestFromPath(e.Config)
      if (claimed) verifyBytes(content, { digest: claimed }, `${where}: config ${e.Config}`)
      const digest = claimed ?? sha256(content)
      const config = parseImageConfig(content, `${where}: config ${e.Config}`)
      return { index: i, names, digest, configPath: e.Config, config, layerPaths, layerSources }
    })
  }

  names(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.names))]
  }

  async resolve(ref: string | undefined, platform: Platform): Promise<ResolvedImage> {
    const where = this.files.where
    const { picked, name } = selectEntries(where, this.entries, ref)
    // the same image may be listed more than once; different images under one name are told apart by platform
    const candidates = picked.map((e) => ({ e, platform: configPlatform(e.config) ?? platform }))
    const chosen = bestPlatform(platform, candidates)
    if (!chosen) throw noPlatformError(where, platform, candidates.map((c) => c.platform))
    const e = chosen.e
    const diffIds = e.config.rootfs.diff_ids
    if (e.layerPaths.length !== diffIds.length) {
      throw new ImageError(`${where}: manifest.json[${e.index}] has ${e.layerPaths.length} layers but its config lists ${diffIds.length} diff_ids`)
    }
    const layers: LayerBlob[] = []
    for (const [i, path] of e.layerPaths.entries()) layers.push(await this.layer(e, i, path, diffIds[i]!))
    return {
      ...(name === undefined ? {} : { name }),
      id: e.digest,
      configDigest: e.digest,
      config: e.config,
      platform: chosen.platform,
      layers,
    }
  }

  close(): void {
    this.files.close()
  }

  private async layer(e: DockerEntry, i: number, path: string, diffId: string): Promise<LayerBlob> {
    const where = this.files.where
    const n = e.layerPaths.length
    const label = `layer ${i + 1} of ${n}: ${path}`
    const source = e.layerSources.get(diffId)
    if (source?.mediaType) checkLayerMediaType(source.mediaType, `${where}: layer ${i + 1} of ${n} (${diffId})`)
    const size = this.files.size(path)
    if (size === undefined) throw new ImageError(`${where}: missing layer ${path} (layer ${i + 1} of ${n})`)
    const compression = (() => {
      try {
        return detectCompression(this.files.readHead(path, sniffLength))
      } catch (err) {
        throw err instanceof ImageError ? new ImageError(`${where}: ${label}: ${err.message}`) : err
      }
    })()
    // What the blob's bytes must hash to: the digest its path or LayerSources names; for an uncompressed
    // layer without one, its diff ID (the layer tar's own sha256); else, hash it now.
    const digest = source?.digest ?? digestFromBlobPath(path) ??
      (compression === 'none' ? diffId : await this.hash(path))
    if (!isDigest(digest)) throw new ImageError(`${where}: ${label}: bad digest ${digest}`)
    const mediaType = source?.mediaType ?? ociLayerMediaType(compression)
    return layerBlob(this.files, path, { digest, size: source?.size ?? size, mediaType, diffId }, label)
  }

  /** sha256 of a whole archive member (a compressed layer whose stored digest the archive does not say). */
  private async hash(path: string): Promise<string> {
    const d = new Digester('sha256')
    for await (const chunk of this.files.open(path)) d.update(chunk as Buffer)
    return d.digest()
  }
}
