// What create and delete call for a bundle made from an image (loaded only for such bundles).
import { rmSync, statSync } from 'node:fs'
import { removeBundleRef } from './store/bundles'
import { storeLayout } from './store/layout'
import { dirname } from 'node:path'
import { readImageRootfs } from './bundle-rootfs'
import { applyOverlayRootfs, removeOverlayRootfs } from './overlay-mount'
import { ImageError } from './types'

/** Mount the bundle's overlay rootfs on `rootfs`; returns the mount point, or undefined for a plain bundle. */
export function mountBundleRootfs(bundleDir: string, rootfs: string): string | undefined {
  const o = readImageRootfs(bundleDir, rootfs)
  if (!o) return undefined
  if (statSync(rootfs).dev !== statSync(dirname(rootfs)).dev)
    throw new ImageError(`${rootfs} is already mounted: is another container running from this bundle? (an image bundle serves one container at a time)`)
  applyOverlayRootfs(o, process.env.TSRUN_OVERLAY_LEGACY_MOUNT === '1')
  return rootfs
}

export function unmountBundleRootfs(target: string): void {
  removeOverlayRootfs(target)
}

/** Remove a bundle `run --image` made, and its reference in the store (its layers stay for garbage collection). */
export function removeOwnedBundle(b: { dir: string; store: string }): void {
  rmSync(b.dir, { recursive: true, force: true })
  removeBundleRef(storeLayout(b.store), b.dir)
}
