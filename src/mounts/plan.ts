// OCI mounts[] → ops, in the order runc performs them. Pure: host facts come in as `MountFacts`.
import { isAbsolute, join, posix } from 'node:path'
import type { Mount } from '../spec'
import type { Op } from '../plan/ops'
import { MS, parseMountOptions } from './flags'

export interface MountFacts {
  /** What a bind source is on the host: decides whether the destination is created as a dir or a file. */
  sourceKind(path: string): 'dir' | 'file' | 'missing'
  /** Host cgroup mounts for a `cgroup` mount: pure v2, or v1 hierarchies (name → host dir of the container's cgroup). */
  cgroup: { mode: 'v2' } | { mode: 'v1'; dirs: [string, string][] }
}

const CREATE_DIR = 1
const CREATE_FILE = 2

/** Clean absolute destination inside the container ("relative to /" when relative, spec 1.2). */
export function cleanDestination(dest: string): string {
  return posix.normalize(posix.join('/', dest))
}

function isBind(m: Mount, flags: number): boolean {
  return m.type === 'bind' || (flags & MS.BIND) !== 0
}

function mountOp(source: string | null, dest: string, fstype: string | null, flags: number, data: string | null, create: number): Op {
  return { op: 'MOUNT_IN_ROOT', source, dest, fstype, flags: BigInt(flags), data, create }
}

/** Flags that need a remount to take effect on a bind mount. */
const BIND_REMOUNT_MASK = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME | MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME

export function planMount(m: Mount, bundle: string, facts: MountFacts): Op[] {
  const dest = cleanDestination(m.destination)
  const { flags, propagation, data } = parseMountOptions(m.options)
  const ops: Op[] = []
  if (m.type === 'cgroup' || m.type === 'cgroup2') return planCgroupMount(dest, flags, facts)
  if (isBind(m, flags)) {
    const source = m.source === undefined ? '' : isAbsolute(m.source) ? m.source : join(bundle, m.source)
    const kind = facts.sourceKind(source)
    ops.push(mountOp(source, dest, null, MS.BIND | (flags & MS.REC), null, kind === 'dir' ? CREATE_DIR : CREATE_FILE))
    const remount = flags & BIND_REMOUNT_MASK
    if (remount) ops.push(mountOp(null, dest, null, MS.BIND | MS.REMOUNT | remount, null, 0))
  } else {
    ops.push(mountOp(m.source ?? m.type ?? 'none', dest, m.type ?? null, flags & ~MS.REMOUNT, data.length ? data.join(',') : null, CREATE_DIR))
  }
  for (const p of propagation) ops.push(mountOp(null, dest, null, p, null, 0))
  return ops
}

/** A cgroup mount: cgroup2 on a pure v2 host; on v1/hybrid hosts a tmpfs with the container's own cgroup dirs bound in. */
function planCgroupMount(dest: string, flags: number, facts: MountFacts): Op[] {
  const common = flags & (MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY)
  if (facts.cgroup.mode === 'v2') return [mountOp('cgroup2', dest, 'cgroup2', common, null, CREATE_DIR)]
  const ops: Op[] = [mountOp('tmpfs', dest, 'tmpfs', common & ~MS.RDONLY, 'mode=755', CREATE_DIR)]
  for (const [name, hostDir] of facts.cgroup.dirs) {
    const sub = posix.join(dest, name)
    ops.push(mountOp(hostDir, sub, null, MS.BIND | MS.REC, null, CREATE_DIR))
    ops.push(mountOp(null, sub, null, MS.BIND | MS.REMOUNT | common, null, 0))
  }
  if (common & MS.RDONLY) ops.push(mountOp(null, dest, null, MS.REMOUNT | common, 'mode=755', 0))
  return ops
}

/** runc sets up /dev itself unless the config bind-mounts something over /dev. */
export function needsDevSetup(mounts: readonly Mount[] = []): boolean {
  return !mounts.some((m) => cleanDestination(m.destination) === '/dev' && isBind(m, parseMountOptions(m.options).flags))
}
