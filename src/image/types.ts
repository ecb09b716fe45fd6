// The image side of tsrun: what an image archive resolves to, and the OCI image-spec config it carries.
// Digests are "sha256:<64 hex>" throughout.
import type { Readable } from 'node:stream'

/** OCI image-spec v1.1 image configuration (application/vnd.oci.image.config.v1+json); unknown fields are kept. */
export interface ImageConfig {
  architecture?: string
  os?: string
  variant?: string
  created?: string
  author?: string
  config?: ImageRunConfig
  rootfs: { type: string; diff_ids: string[] }
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[]
  [key: string]: unknown
}

/** The `config` object of an image configuration: how to run a container from the image. */
export interface ImageRunConfig {
  User?: string
  ExposedPorts?: Record<string, object>
  Env?: string[] | null
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  Volumes?: Record<string, object> | null
  WorkingDir?: string
  Labels?: Record<string, string> | null
  StopSignal?: string
  ArgsEscaped?: boolean
  [key: string]: unknown
}

/** os/architecture[/variant], as `--platform linux/amd64` names it. */
export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** One layer of a resolved image, bottom first. */
export interface LayerBlob {
  /** digest of the blob as stored (compressed or not) */
  digest: string
  size: number
  mediaType: string
  /** digest of the uncompressed tar (config.rootfs.diff_ids[i]) */
  diffId: string
  /**
   * The blob's bytes as stored. The stream fails (emits 'error') at its end when the bytes read do not match `size`
   * or `digest`, so a consumer that unpacks into a temporary place and commits only on success never keeps bad data.
   */
  open(): Readable
}

/** One image picked out of an archive or layout (one manifest, one platform). */
export interface ResolvedImage {
  /** the name it carries (RepoTags[0], org.opencontainers.image.ref.name, io.containerd.image.name), if any */
  name?: string
  /** digest of the manifest; for a docker-archive, the digest of the config (what `docker images --digests` lacks) */
  id: string
  configDigest: string
  config: ImageConfig
  platform: Platform
  layers: LayerBlob[]
}

/** An opened image source: an OCI layout (dir or tar) or a docker-archive tar. */
export interface ImageSource {
  kind: 'oci-layout' | 'docker-archive'
  /** the names of the images it holds, in archive order (may be empty: unnamed images) */
  names(): string[]
  /** the image named `ref` (or the only/first one when ref is undefined) for `platform` */
  resolve(ref: string | undefined, platform: Platform): Promise<ResolvedImage>
  close(): void
}

/** A problem with an image archive or its contents; the message names the archive member or field. */
export class ImageError extends Error {
  override name = 'ImageError'
}
