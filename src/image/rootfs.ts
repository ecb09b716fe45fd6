// What create and delete call for a bundle made from an image (loaded only for such bundles).
import { closeSync, openSync, rmSync, statSync } from 'node:fs'
import { lockExclusive } from '../sys/fs'
import { removeBundleRef } from './store/bundles'
import { storeLayout } from './store/layout'
import { dirname, join } from 'node:path'
import { readImageRootfs } from './bundle-rootfs'
import { applyOverlayRootfs, removeOverlayRootfs } from './overlay-mount'
import { ImageError } from './types'

/** Whether something is mounted on `path` (its device differs from its parent's); false when it is missing. */
export function isMountPoint(path: string): boolean {
  try { return statSync(path).dev !== statSync(dirname(path)).dev } catch { return false }
}

/** Mount the bundle's overlay rootfs on `rootfs`; returns the mount point, or undefined for a plain bundle. */
export function mountBundleRootfs(bundleDir: string, rootfs: string): string | undefined {
  const o = readImageRootfs(bundleDir, rootfs)
  if (!o) return undefined
  // check and mount under a lock: two creates from one bundle at once must not both pass the check
  const lockPath = join(dirname(o.upper), 'mount.lock')
  const fd = openSync(lockPath, 'a', 0o600)
  try {
    lockExclusive(fd, lockPath)
    if (isMountPoint(rootfs))
      throw new ImageError(`${rootfs} is already mounted: is another container running from this bundle? (an image bundle serves one container at a time)`)
    applyOverlayRootfs(o, process.env.TSRUN_OVERLAY_LEGACY_MOUNT === '1')
  } finally {
    closeSync(fd)
  }
  return rootfs
}

export function unmountBundleRootfs(target: string): void {
  removeOverlayRootfs(target)
}

/** Remove a bundle `run --image` made, and its reference in the store (its layers stay for garbage collection). */
export function removeOwnedBundle(b: { dir: string; store: string }): void {
  // a create killed between mounting and writing its state leaves the overlay mounted: never delete through it
  removeOverlayRootfs(join(b.dir, 'rootfs'))
  rmSync(b.dir, { recursive: true, force: true })
  removeBundleRef(storeLayout(b.store), b.dir)
}
