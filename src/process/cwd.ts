// process.cwd: resolved inside the container's root like every mount target, never through a magic link: a cwd of
// /proc/self/fd/N must not reach an fd the runtime passed to the init (CVE-2024-21626, "Leaky Vessels").
import type { Op } from '../plan/ops'
import { fromField } from '../mounts/origin'

/** The root is opened again first: after pivot_root (create) or setns (exec), "/" is the container's root. */
export function planCwd(cwd: string | undefined): Op[] {
  return fromField(`process.cwd (${cwd || '/'})`, [{ op: 'OPEN_ROOT', path: '/' }, { op: 'CHDIR_IN_ROOT', path: cwd || '/' }] as Op[])
}
