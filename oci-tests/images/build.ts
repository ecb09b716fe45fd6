// Writes offline test images from a root filesystem directory: a docker-archive tar
// (`docker save` format) and an OCI image layout tar, both with one uncompressed layer.
// `ctr images import`, `podman load` and `docker load` take either.
//
//   node --import tsx oci-tests/images/build.ts [OUTDIR]    (default oci-tests/out/images)
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { buildBusyboxRootfs, defaultBusyboxRootfsDir } from '../../rootfs-fixtures/busybox'
import { digestHex, imageConfigJson, sha256Digest } from './image-config'
import { buildLayerTar } from './layer'
import { dirEntry, fileEntry, packTar } from './tar-buffer'

export const busyboxImageRef = 'docker.io/library/tsrun-busybox:latest'
export const pauseImageRef = 'docker.io/library/tsrun-pause:latest'
export const busyboxCmd = ['sh']
export const pauseCmd = ['sleep', '2147483647']
export const defaultImagesDir = resolve(__dirname, '..', 'out', 'images')

export const ociMediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const

export interface ImageBuildOptions {
  /** the image's Cmd (default ["sh"]) */
  cmd?: string[]
}

/** What was written; digests are "sha256:<hex>". */
export interface BuiltImage {
  path: string
  ref: string
  layerDigest: string
  configDigest: string
  /** OCI layout only */
  manifestDigest?: string
}

interface ImageParts {
  layer: Buffer
  layerDigest: string
  config: Buffer
  configDigest: string
}

async function imageParts(rootfs: string, opts: ImageBuildOptions): Promise<ImageParts> {
  const layer = await buildLayerTar(rootfs)
  const layerDigest = sha256Digest(layer)
  const config = imageConfigJson({ cmd: opts.cmd ?? busyboxCmd, diffId: layerDigest })
  return { layer, layerDigest, config, configDigest: sha256Digest(config) }
}

/** `docker save` layout: manifest.json, <config-hex>.json, <layer-hex>/layer.tar. */
export async function buildDockerArchive(rootfs: string, out: string, ref: string, opts: ImageBuildOptions = {}): Promise<BuiltImage> {
  const p = await imageParts(rootfs, opts)
  const configName = `${digestHex(p.configDigest)}.json`
  const layerName = `${digestHex(p.layerDigest)}/layer.tar`
  const manifest = [{ Config: configName, RepoTags: [ref], Layers: [layerName] }]
  const tar = await packTar([
    dirEntry(digestHex(p.layerDigest)),
    fileEntry(layerName, p.layer),
    fileEntry(configName, p.config),
    fileEntry('manifest.json', JSON.stringify(manifest)),
  ])
  writeAtomically(out, tar)
  return { path: resolve(out), ref, layerDigest: p.layerDigest, configDigest: p.configDigest }
}

/** OCI image layout: oci-layout, index.json (named by annotations), blobs/sha256/<hex>. */
export async function buildOciArchive(rootfs: string, out: string, ref: string, opts: ImageBuildOptions = {}): Promise<BuiltImage> {
  const p = await imageParts(rootfs, opts)
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: ociMediaTypes.manifest,
    config: { mediaType: ociMediaTypes.config, digest: p.configDigest, size: p.config.length },
    layers: [{ mediaType: ociMediaTypes.layer, digest: p.layerDigest, size: p.layer.length }],
  }))
  const manifestDigest = sha256Digest(manifest)
  const index = {
    schemaVersion: 2,
    mediaType: ociMediaTypes.index,
    manifests: [{
      mediaType: ociMediaTypes.manifest,
      digest: manifestDigest,
      size: manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': ref, 'io.containerd.image.name': ref },
    }],
  }
  const blob = (digest: string, content: Buffer) => fileEntry(`blobs/sha256/${digestHex(digest)}`, content)
  const tar = await packTar([
    fileEntry('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' })),
    fileEntry('index.json', JSON.stringify(index)),
    dirEntry('blobs'),
    dirEntry('blobs/sha256'),
    blob(manifestDigest, manifest),
    blob(p.configDigest, p.config),
    blob(p.layerDigest, p.layer),
  ])
  writeAtomically(out, tar)
  return { path: resolve(out), ref, layerDigest: p.layerDigest, configDigest: p.configDigest, manifestDigest }
}

export interface TestImages {
  rootfs: string
  busybox: { docker: BuiltImage; oci: BuiltImage }
  pause: { docker: BuiltImage; oci: BuiltImage }
}

/**
 * Builds the busybox rootfs fixture (with the checker at /checker) and, in `outDir`, the busybox
 * and pause images in both formats: busybox.docker.tar, busybox.oci.tar, pause.docker.tar, pause.oci.tar.
 */
export async function buildTestImages(outDir = defaultImagesDir, rootfs = defaultBusyboxRootfsDir): Promise<TestImages> {
  buildBusyboxRootfs(rootfs)
  const at = (name: string) => join(outDir, name)
  const pause = { cmd: pauseCmd }
  return {
    rootfs: resolve(rootfs),
    busybox: {
      docker: await buildDockerArchive(rootfs, at('busybox.docker.tar'), busyboxImageRef),
      oci: await buildOciArchive(rootfs, at('busybox.oci.tar'), busyboxImageRef),
    },
    pause: {
      docker: await buildDockerArchive(rootfs, at('pause.docker.tar'), pauseImageRef, pause),
      oci: await buildOciArchive(rootfs, at('pause.oci.tar'), pauseImageRef, pause),
    },
  }
}

/** Concurrent builders (ava workers) never see a half-written archive. */
function writeAtomically(path: string, content: Buffer): void {
  mkdirSync(dirname(resolve(path)), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}`
  try {
    writeFileSync(tmp, content)
    renameSync(tmp, path)
  } finally {
    rmSync(tmp, { force: true })
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  buildTestImages(process.argv[2] ?? defaultImagesDir).then(
    (images) => process.stdout.write(`${JSON.stringify(images, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`)
      process.exitCode = 1
    },
  )
}
