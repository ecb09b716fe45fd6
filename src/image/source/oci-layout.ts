// The OCI image layout (image-spec "image-layout"), as a directory or inside a tar: oci-layout,
// index.json, blobs/<alg>/<hex>. Written by `podman save --format oci-archive`/`oci-dir`, `skopeo copy
// oci:`, `ctr images export` and `docker save` (25 and later, beside its manifest.json).
import { formatPlatform } from '../platform'
import { ImageError, type ImageSource, type Platform, type ResolvedImage } from '../types'
import {
  bestPlatform, checkLayerMediaType, configMediaTypes, configPlatform, indexMediaTypes, isDigestRef, layerBlob,
  manifestMediaTypes, noPlatformError, parseDescriptor, parseImageConfig, readVerifiedBlob, schema1MediaTypes,
  selectEntries, blobPath, type ArchiveEntry, type Descriptor,
} from './common'
import { parseJsonObject, type ArchiveFiles } from './files'

const refNameKey = 'org.opencontainers.image.ref.name'
const containerdNameKey = 'io.containerd.image.name'
/** How deep image indexes may nest. */
const maxDescriptors = 10_000
const maxIndexDepth = 8

interface OciEntry extends ArchiveEntry {
  desc: Descriptor
}

/** A manifest reached through the index tree, with the platform its descriptor names (if any). */
interface Leaf {
  desc: Descriptor
  platform?: Platform
}

interface Manifest {
  desc: Descriptor
  config: Descriptor
  layers: Descriptor[]
}

/** The names an index.json entry carries: the full containerd name first, then the ref.name (maybe only a tag). */
function entryNames(d: Descriptor): string[] {
  const a = d.annotations ?? {}
  return [...new Set([a[containerdNameKey], a[refNameKey]].filter((n): n is string => typeof n === 'string' && n !== ''))]
}

function isAttestation(d: Descriptor): boolean {
  const a = d.annotations ?? {}
  return a['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
}

export class OciLayoutSource implements ImageSource {
  readonly kind = 'oci-layout' as const
  private readonly entries: OciEntry[]

  /** Reads oci-layout and index.json; throws an ImageError when they are missing or malformed. */
  constructor(private readonly files: ArchiveFiles) {
    const where = files.where
    const layout = parseJsonObject(files.read('oci-layout', 'oci-layout file', 1 << 16), `${where}: oci-layout`)
    const version = layout.imageLayoutVersion
    if (typeof version !== 'string') throw new ImageError(`${where}: oci-layout: no imageLayoutVersion`)
    if (!/^1\./.test(version)) throw new ImageError(`${where}: oci-layout: unsupported imageLayoutVersion ${JSON.stringify(version)}`)
    const index = parseJsonObject(files.read('index.json', 'index.json'), `${where}: index.json`)
    if (!Array.isArray(index.manifests)) throw new ImageError(`${where}: index.json: no manifests list`)
    this.entries = index.manifests.map((m, i) => {
      const desc = parseDescriptor(m, `${where}: index.json manifests[${i}]`)
      return { desc, digest: desc.digest, names: entryNames(desc) }
    })
  }

  /** How many images index.json lists. */
  get size(): number {
    return this.entries.length
  }

  names(): string[] {
    return [...new Set(this.entries.flatMap((e) => e.names))]
  }

  async resolve(ref: string | undefined, platform: Platform): Promise<ResolvedImage> {
    const where = this.files.where
    let roots: Descriptor[]
    let name: string | undefined
    try {
      const sel = selectEntries(where, this.entries, ref)
      roots = sel.picked.map((e) => e.desc)
      name = sel.name
    } catch (err) {
      // a digest that is no top-level entry may still be a manifest inside one of their indexes
      const nested = ref !== undefined && isDigestRef(ref) && !ref.includes('@') ? this.findNested(ref) : undefined
      if (!nested) throw err
      roots = [nested.desc]
      name = nested.name
    }
    const leaves = roots.flatMap((d) => this.leaves(d, 0))
    if (leaves.length === 0) throw new ImageError(`${where}: ${ref ?? 'the image'} has no image manifest`)

    // The platform of each manifest: its descriptor's, else its config's (a single-platform image)
    const candidates: { leaf: Leaf; platform: Platform; manifest?: Manifest }[] = []
    const absent: Platform[] = []
    for (const leaf of leaves) {
      if (leaf.platform) {
        if (this.files.size(blobPath(leaf.desc.digest)) === undefined) absent.push(leaf.platform)
        else candidates.push({ leaf, platform: leaf.platform })
        continue
      }
      // ctr exports list every platform of an index but hold the blobs of some only
      if (leaves.length > 1 && this.files.size(blobPath(leaf.desc.digest)) === undefined) continue
      const manifest = this.manifest(leaf.desc)
      const config = parseImageConfig(readVerifiedBlob(this.files, manifest.config, 'config'), `${where}: config ${manifest.config.digest}`)
      candidates.push({ leaf, platform: configPlatform(config) ?? platform, manifest })
    }
    const chosen = bestPlatform(platform, candidates)
    if (!chosen) {
      const note = absent.length ? ` (listed, but not in the archive: ${[...new Set(absent.map(formatPlatform))].join(', ')})` : ''
      throw noPlatformError(where, platform, candidates.map((c) => c.platform), note)
    }
    return this.image(chosen.manifest ?? this.manifest(chosen.leaf.desc), name, platform)
  }

  close(): void {
    this.files.close()
  }

  /** Reads a blob that must be an index or a manifest, verified, as JSON. */
  private document(desc: Descriptor, what: string): Record<string, unknown> {
    return parseJsonObject(readVerifiedBlob(this.files, desc, what), `${this.files.where}: ${what} ${desc.digest}`)
  }

  /** The kind of document a descriptor points at: from its media type, else from the document itself. */
  private kindOf(desc: Descriptor): 'index' | 'manifest' | 'other' {
    const mt = desc.mediaType
    if (mt !== undefined) {
      if (indexMediaTypes.includes(mt)) return 'index'
      if (manifestMediaTypes.includes(mt)) return 'manifest'
      if (schema1MediaTypes.includes(mt)) throw new ImageError(`${this.files.where}: manifest ${desc.digest}: Docker schema 1 manifests are not supported`)
      return 'other'
    }
    const doc = this.document(desc, 'manifest')
    if (typeof doc.mediaType === 'string') return this.kindOf({ ...desc, mediaType: doc.mediaType })
    if (Array.isArray(doc.manifests)) return 'index'
    if (Array.isArray(doc.layers)) return 'manifest'
    return 'other'
  }

  /** Every image manifest under `desc`, depth first in index order, without attestations and other artifacts. */
  private leaves(desc: Descriptor, depth: number, budget = { left: maxDescriptors }): Leaf[] {
    if (depth > maxIndexDepth) throw new ImageError(`${this.files.where}: image indexes nest more than ${maxIndexDepth} deep`)
    // fan-out too: an index listing another one 40 times, 8 deep, would be 40^8 verified reads
    if (--budget.left < 0) throw new ImageError(`${this.files.where}: image indexes list more than ${maxDescriptors} descriptors`)
    const kind = this.kindOf(desc)
    if (kind === 'manifest') return [desc.platform ? { desc, platform: desc.platform } : { desc }]
    if (kind === 'other') return []
    const index = this.document(desc, 'image index')
    if (!Array.isArray(index.manifests)) throw new ImageError(`${this.files.where}: image index ${desc.digest}: no manifests list`)
    return index.manifests
      .map((m, i) => parseDescriptor(m, `${this.files.where}: image index ${desc.digest} manifests[${i}]`))
      .filter((d) => !isAttestation(d))
      .flatMap((d) => this.leaves(d, depth + 1, budget))
  }

  /** A manifest or index with this digest anywhere under index.json's entries, and the entry's name. */
  private findNested(ref: string): { desc: Descriptor; name?: string } | undefined {
    const digest = ref.includes(':') ? ref : `sha256:${ref}`
    const walk = (desc: Descriptor, depth: number): Descriptor | undefined => {
      if (desc.digest === digest) return desc
      if (depth > maxIndexDepth || this.files.size(blobPath(desc.digest)) === undefined || this.kindOf(desc) !== 'index') return undefined
      const index = this.document(desc, 'image index')
      for (const [i, m] of (Array.isArray(index.manifests) ? index.manifests : []).entries()) {
        const found = walk(parseDescriptor(m, `${this.files.where}: image index ${desc.digest} manifests[${i}]`), depth + 1)
        if (found) return found
      }
      return undefined
    }
    for (const e of this.entries) {
      const desc = walk(e.desc, 0)
      if (desc) return e.names[0] === undefined ? { desc } : { desc, name: e.names[0] }
    }
    return undefined
  }

  private manifest(desc: Descriptor): Manifest {
    const where = this.files.where
    const what = `${where}: manifest ${desc.digest}`
    const doc = this.document(desc, 'manifest')
    if (typeof doc.mediaType === 'string' && !manifestMediaTypes.includes(doc.mediaType)) {
      throw new ImageError(`${what}: media type ${doc.mediaType} is not an image manifest`)
    }
    if (doc.schemaVersion !== 2) throw new ImageError(`${what}: schemaVersion ${JSON.stringify(doc.schemaVersion)} is not 2`)
    const config = parseDescriptor(doc.config, `${what}: config`)
    if (config.mediaType !== undefined && !configMediaTypes.includes(config.mediaType)) {
      throw new ImageError(`${what}: not a container image (config media type ${config.mediaType})`)
    }
    if (!Array.isArray(doc.layers)) throw new ImageError(`${what}: no layers list`)
    const layers = doc.layers.map((l, i) => parseDescriptor(l, `${what}: layers[${i}]`))
    return { desc, config, layers }
  }

  private image(m: Manifest, name: string | undefined, want: Platform): ResolvedImage {
    const where = this.files.where
    const config = parseImageConfig(readVerifiedBlob(this.files, m.config, 'config'), `${where}: config ${m.config.digest}`)
    const platform = configPlatform(config) ?? m.desc.platform ?? want
    if (!bestPlatform(want, [{ platform }])) throw noPlatformError(where, want, [platform])
    const diffIds = config.rootfs.diff_ids
    if (m.layers.length !== diffIds.length) {
      throw new ImageError(`${where}: manifest ${m.desc.digest} has ${m.layers.length} layers but its config lists ${diffIds.length} diff_ids`)
    }
    const n = m.layers.length
    const layers = m.layers.map((l, i) => {
      const label = `layer ${i + 1} of ${n}`
      const mediaType = l.mediaType ?? ''
      checkLayerMediaType(mediaType, `${where}: ${label} (${l.digest})`)
      return layerBlob(this.files, blobPath(l.digest), { digest: l.digest, size: l.size, mediaType, diffId: diffIds[i]! }, label)
    })
    return { ...(name === undefined ? {} : { name }), id: m.desc.digest, configDigest: m.config.digest, config, platform, layers }
  }
}
