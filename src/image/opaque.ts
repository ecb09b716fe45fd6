// Whether a directory of an unpacked layer is opaque for overlayfs (`.wh..wh..opq` in the archive).
import { lgetxattr } from '../sys/xattr'

export function isOpaqueDir(dir: string): boolean {
  for (const name of ['trusted.overlay.opaque', 'user.overlay.opaque']) {
    const v = lgetxattr(dir, name)
    if (v !== undefined && v.toString() === 'y') return true
  }
  return false
}
