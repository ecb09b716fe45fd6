// linux.cgroupsPath → the container's cgroup path, relative to the root of every hierarchy.
import { posix } from 'node:path'
import { CgroupError } from './cgroup-error'

/**
 * runc's cgroupfs semantics with crun's placement of relative paths:
 * - absolute paths are used as given (cleaned: `..` cannot climb above the root);
 * - unset or empty → `/<id>`, directly under the hierarchy root (runc: under its own cgroup's parent);
 * - relative paths are taken from the hierarchy root too, never nested under the caller's own cgroup
 *   (on hybrid hosts the caller's memory cgroup belongs to the machine's supervisor).
 * The root cgroup itself is refused: a container never gets it.
 */
export function resolveCgroupsPath(cgroupsPath: string | undefined, id: string): string {
  const raw = cgroupsPath === undefined || cgroupsPath === '' ? id : cgroupsPath
  if (raw.includes('\0') || raw.includes('\n')) {
    throw new CgroupError(`cgroup: linux.cgroupsPath ${JSON.stringify(raw)} contains a NUL or newline`)
  }
  let clean = posix.normalize('/' + raw)
  while (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1)
  if (clean === '/' || clean === '/.') {
    throw new CgroupError(`cgroup: linux.cgroupsPath ${JSON.stringify(raw)} is the root cgroup`)
  }
  return clean
}

/** Whether cgroup path `a` is `b` or an ancestor of `b` (both absolute, cleaned). */
export function isSameOrAncestor(a: string, b: string): boolean {
  return a === '/' || a === b || b.startsWith(a + '/')
}
