// `tsrun bundle create --image SRC[:REF] DIR [CMD...]`: a bundle whose rootfs is the image's layers, mounted as
// overlayfs at create. DIR gets config.json (converted from the image config), an empty rootfs/ mount point,
// overlay/upper and overlay/work for this bundle's writes, volumes/, and tsrun-image.json naming the layers.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { imageToSpec } from './bundle-config'
import { IMAGE_ROOTFS_FILE, type ImageRootfsFile } from './bundle-rootfs'
import { parseImageArg } from './image-arg'
import { importImage } from './import'
import { layeredReader } from './layered-fs'
import { isOpaqueDir } from './opaque'
import type { Progress } from './progress'
import { addBundleRef } from './store/bundles'
import { findImage, type ImageRecord } from './store/images'
import { layerDiffDir, type StoreLayout } from './store/layout'
import { withStoreLock } from './store/lock'
import { ImageError, type Platform } from './types'

export interface BundleCreateOptions {
  store: StoreLayout
  /** SRC[:REF]: an archive or layout (and an image in it), or an image in the store */
  image: string
  dir: string
  platform: Platform
  args?: string[]
  entrypoint?: string[]
  env?: string[]
  user?: string
  cwd?: string
  terminal?: boolean
  hostname?: string
  readonly?: boolean
  /** linux.cgroupsPath (default: none, so the runtime's default `/<id>` applies) */
  cgroupsPath?: string
  progress?: Progress
}

/** The image an `--image` argument means: imported from an archive when it names one, else from the store. */
export async function imageFor(o: Pick<BundleCreateOptions, 'store' | 'image' | 'platform' | 'progress'>): Promise<ImageRecord> {
  const arg = parseImageArg(o.image)
  if (arg.source) return (await importImage({ store: o.store, source: arg.source, ref: arg.ref, platform: o.platform, progress: o.progress })).image
  const img = arg.ref ? findImage(o.store, arg.ref) : undefined
  if (!img) throw new ImageError(`image "${o.image}": no such file, and no such image in the store ${o.store.root} (tsrun image ls lists it)`)
  return img
}

function checkEmptyDir(dir: string): boolean {
  if (!existsSync(dir)) return false
  if (readdirSync(dir).length > 0) throw new ImageError(`bundle directory ${dir} is not empty`)
  return true
}

export async function createBundle(o: BundleCreateOptions): Promise<{ dir: string; image: ImageRecord }> {
  const dir = resolve(o.dir)
  const existed = checkEmptyDir(dir)
  const image = await imageFor(o)
  return withStoreLock(o.store, 'shared', () => {
    const layers = image.chainIds.map((c) => layerDiffDir(o.store, c))
    for (const [i, l] of layers.entries()) if (!existsSync(l)) throw new ImageError(`layer ${image.chainIds[i]} of image ${image.id} is missing from the store`)
    const { spec, volumeDirs } = imageToSpec(image.config, {
      readFile: layeredReader(layers, { isOpaque: isOpaqueDir }), volumesDir: join(dir, 'volumes'),
      args: o.args, entrypoint: o.entrypoint, env: o.env, user: o.user, cwd: o.cwd, terminal: o.terminal,
      hostname: o.hostname, readonly: o.readonly, id: image.id,
    })
    if (o.cgroupsPath !== undefined && spec.linux) spec.linux.cgroupsPath = o.cgroupsPath
    try {
      // root only, as docker's overlay2 dirs: the mounted rootfs holds the image's setuid files and device nodes,
      // which no host user may reach through the bundle path (the container itself reaches it through its mounts)
      mkdirSync(dirname(dir), { recursive: true })
      if (!existed) mkdirSync(dir, { mode: 0o700 })
      chmodSync(dir, 0o700)
      mkdirSync(join(dir, 'overlay'), { mode: 0o700 })
      // upper is the merged root's own inode: the container's / keeps the usual 0755
      for (const d of ['rootfs', 'overlay/upper', 'overlay/work']) mkdirSync(join(dir, d), { recursive: true, mode: 0o755 })
      for (const d of volumeDirs) mkdirSync(d, { recursive: true, mode: 0o755 })
      const sidecar: ImageRootfsFile = {
        store: o.store.root, image: image.names[0] ?? image.id, id: image.id, chainIds: image.chainIds,
        upper: 'overlay/upper', work: 'overlay/work',
      }
      writeFileSync(join(dir, IMAGE_ROOTFS_FILE), `${JSON.stringify(sidecar, null, 2)}\n`)
      writeFileSync(join(dir, 'config.json'), `${JSON.stringify(spec, null, '\t')}\n`)
      addBundleRef(o.store, { dir, chainIds: image.chainIds })
    } catch (e) {
      if (existed) for (const n of readdirSync(dir)) rmSync(join(dir, n), { recursive: true, force: true })
      else rmSync(dir, { recursive: true, force: true })
      throw e
    }
    return { dir, image }
  })
}
