// OCI mounts[] → ops, in the order runc performs them. Pure: host facts come in as `MountFacts`.
import { isAbsolute, join, posix } from 'node:path'
import type { IDMapping, Mount } from '../spec'
import type { Op } from '../plan/ops'
import { MOUNT_ATTR, MS, PROPAGATION_OPTIONS, parseMountOptions } from './flags'
import { fromField } from './origin'

export interface MountFacts {
  /** What a bind source is on the host: decides whether the destination is created as a dir or a file. */
  sourceKind(path: string): 'dir' | 'file' | 'missing'
  /** Host cgroup mounts for a `cgroup` mount: pure v2, or v1 hierarchies (name → host dir of the container's cgroup). */
  cgroup: { mode: 'v2' } | { mode: 'v1'; dirs: [string, string][] }
}

const CREATE_DIR = 1
const CREATE_FILE = 2
/**
 * The destination's last component must be a real directory, never a symlink (runc: proc and sysfs "must be
 * mounted on ordinary directory"): a /proc swapped for a symlink would otherwise take procfs to a place the
 * masks, which resolve /proc without symlinks, never look at.
 */
const ORDINARY_DIR = 4
const PSEUDO_FS = new Set(['proc', 'sysfs'])

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

/** A planning error about one config field; the caller prefixes the field's label. */
export class MountPlanError extends Error {}

/** Detached trees (idmapped binds) are kept by the helper in this many slots between OPEN_TREE and MOVE_TREE. */
export const TREE_SLOTS = 16

export interface MountContext {
  bundle: string
  facts: MountFacts
  /** The container's user namespace maps: the default for idmap mounts without their own. */
  uidMappings?: readonly IDMapping[]
  gidMappings?: readonly IDMapping[]
}

/** What a failure of mounts[i] is called: `mounts[4] (bind /etc/hosts on /etc/hosts)`. */
export function mountLabel(m: Mount, index: number): string {
  const { flags } = parseMountOptions(m.options)
  if (isBind(m, flags)) return `mounts[${index}] (bind ${m.source ?? ''} on ${m.destination})`
  const type = m.type ?? 'none'
  return `mounts[${index}] (${type}${m.source && m.source !== type ? ` ${m.source}` : ''} on ${m.destination})`
}

/**
 * mounts[] → `trees`: ops for the helper before CLONE (detached, idmapped copies of bind sources, made in the host's
 * user namespace), and `ops`: the mounts in the container's mount namespace, in config order. Every op is tagged
 * with its mount's label.
 */
export function planMounts(mounts: readonly Mount[] = [], ctx: MountContext): { trees: Op[]; ops: Op[] } {
  const trees: Op[] = [], ops: Op[] = []
  mounts.forEach((m, i) => {
    const label = mountLabel(m, i)
    try {
      const r = planMount(m, ctx, trees.length)
      if (trees.length + r.trees.length > TREE_SLOTS) throw new MountPlanError(`at most ${TREE_SLOTS} idmapped mounts are supported`)
      trees.push(...fromField(label, r.trees))
      ops.push(...fromField(label, r.ops))
    } catch (e) {
      if (e instanceof MountPlanError) throw new MountPlanError(`${label}: ${e.message}`)
      throw e
    }
  })
  return { trees, ops }
}

/** Flags that need a remount to take effect on a bind mount. */
const BIND_REMOUNT_MASK = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME | MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME | MS.NOSYMFOLLOW

function idMapText(maps: readonly IDMapping[]): string {
  return maps.map((x) => `${x.containerID} ${x.hostID} ${x.size}`).join('\n')
}

/** Files under /proc a mount may cover (runc's list): anything else there could blind the runtime's own procfs use. */
const PROC_ALLOWED = new Set(['/proc/cpuinfo', '/proc/diskstats', '/proc/meminfo', '/proc/stat', '/proc/swaps', '/proc/uptime',
  '/proc/loadavg', '/proc/slabinfo', '/proc/net/dev', '/proc/sys/kernel/ns_last_pid'])

/** runc's rule: /proc itself only as procfs, and inside /proc only the allowed files (CVE-2019-19921). */
function checkProcDestination(dest: string, type: string | undefined): void {
  if (dest === '/proc' && type !== 'proc') throw new MountPlanError(`"${dest}" cannot be mounted because it is not of type proc`)
  if (dest.startsWith('/proc/') && !PROC_ALLOWED.has(dest)) throw new MountPlanError(`"${dest}" cannot be mounted because it is inside /proc`)
}

export function planMount(m: Mount, ctx: MountContext, slot = 0): { trees: Op[]; ops: Op[] } {
  const dest = cleanDestination(m.destination)
  const o = parseMountOptions(m.options)
  const { flags, propagation, data } = o
  const trees: Op[] = [], ops: Op[] = []
  if ((m.uidMappings || m.gidMappings) && !o.idmap) throw new MountPlanError('uidMappings and gidMappings need the idmap or ridmap option')
  if (m.type === 'cgroup' || m.type === 'cgroup2') return { trees, ops: planCgroupMount(dest, flags, ctx.facts) }
  checkProcDestination(dest, m.type)
  if (isBind(m, flags)) {
    const source = m.source === undefined ? '' : isAbsolute(m.source) ? m.source : join(ctx.bundle, m.source)
    const kind = ctx.facts.sourceKind(source)
    if (kind === 'missing') throw new MountPlanError('ENOENT: no such file or directory')
    const create = kind === 'dir' ? CREATE_DIR : CREATE_FILE
    if (o.idmap) {
      const uid = m.uidMappings ?? ctx.uidMappings, gid = m.gidMappings ?? ctx.gidMappings
      if (!uid?.length || !gid?.length)
        throw new MountPlanError(`${o.idmap} needs uidMappings and gidMappings (on the mount, or from the container's user namespace)`)
      const rec = (flags & MS.REC ? TREE_RECURSIVE : 0) | (o.idmap === 'ridmap' ? ATTR_RECURSIVE : 0)
      trees.push({ op: 'OPEN_TREE', source, rec, uidMap: idMapText(uid), gidMap: idMapText(gid), slot })
      ops.push({ op: 'MOVE_TREE', slot, dest, create })
    } else {
      ops.push(mountOp(source, dest, null, MS.BIND | (flags & MS.REC), null, create))
    }
    const remount = flags & BIND_REMOUNT_MASK
    if (remount) ops.push(mountOp(null, dest, null, MS.BIND | MS.REMOUNT | remount, null, 0))
  } else if (o.idmap) {
    throw new MountPlanError(`${o.idmap} is only supported on bind mounts`)
  } else if (o.tmpcopyup) {
    if (m.type !== 'tmpfs') throw new MountPlanError('tmpcopyup is only supported on tmpfs mounts')
    ops.push({ op: 'MOUNT_COPYUP', dest, flags: BigInt(flags & ~(MS.REMOUNT | MS.RDONLY)), data: data.length ? data.join(',') : null })
    if (flags & MS.RDONLY) ops.push(setattrOp(dest, false, MOUNT_ATTR.RDONLY, 0))
  } else {
    const create = CREATE_DIR | (PSEUDO_FS.has(m.type ?? '') ? ORDINARY_DIR : 0)
    ops.push(mountOp(m.source ?? m.type ?? 'none', dest, m.type ?? null, flags & ~MS.REMOUNT, data.length ? data.join(',') : null, create))
  }
  if (o.recSet || o.recClr) ops.push(setattrOp(dest, true, o.recSet, o.recClr))
  for (const p of propagation) ops.push(mountOp(null, dest, null, p, null, 0))
  return { trees, ops }
}

/** OPEN_TREE rec bits: clone the whole tree (rbind), apply the id map to every mount in it (ridmap). */
export const TREE_RECURSIVE = 1
export const ATTR_RECURSIVE = 2

/** mount_setattr on a destination inside the root (mode 0). */
export function setattrOp(dest: string, recursive: boolean, set: number, clr: number, propagation = 0): Op {
  return { op: 'MOUNT_SETATTR', path: dest, mode: 0, recursive: recursive ? 1 : 0, attrSet: BigInt(set), attrClr: BigInt(clr), propagation: BigInt(propagation) }
}

/**
 * runc's rootfsParentMountPrivate: the mount that holds the rootfs becomes private (in the container's mount
 * namespace), so the rootfs bind does not propagate anywhere and pivot_root accepts it whatever rootfsPropagation says.
 */
export function rootfsParentPrivate(rootfs: string): Op {
  return fromField('linux.rootfsPropagation', [{ op: 'MOUNT_SETATTR', path: rootfs, mode: 2, recursive: 0, attrSet: 0n, attrClr: 0n, propagation: BigInt(MS.PRIVATE) } as Op])[0]!
}

/**
 * The propagation of the host's mounts in the new mount namespace, before the rootfs bind: rootfsPropagation when
 * it is shared, slave or private (runc), else rslave. Unbindable is only applied to the container's root after
 * pivot_root: made unbindable first, the host's mounts could not be bound into the container at all.
 */
export function initialPropagation(prop: number | undefined): number {
  return prop !== undefined && (prop & (MS.SHARED | MS.SLAVE | MS.PRIVATE)) !== 0 ? prop : MS.SLAVE | MS.REC
}

/** rootfsPropagation on the container's root, last: after pivot_root and the read-only and masked paths' binds. */
export function planRootPropagation(value: string | undefined): Op[] {
  const prop = value === undefined ? undefined : PROPAGATION_OPTIONS[value]
  if (value !== undefined && prop === undefined) throw new MountPlanError(`linux.rootfsPropagation: unknown value "${value}"`)
  if (prop === undefined) return []
  return fromField('linux.rootfsPropagation', [{ op: 'MOUNT', source: null, target: '/', fstype: null, flags: BigInt(prop), data: null } as Op])
}

/** root.readonly: make the root mount read-only and nothing else (its nosuid/nodev/noexec stay, unlike a bind remount). */
export function planReadonlyRoot(): Op[] {
  return fromField('root.readonly', [setattrOp('/', false, MOUNT_ATTR.RDONLY, 0)])
}

/**
 * linux.maskedPaths: one MASK op per path; the helper puts the host's /dev/null (checked to be 1:3) over files and
 * one read-only tmpfs, shared by all, over directories. Missing paths are skipped.
 */
export function planMaskedPaths(paths: readonly string[] = []): Op[] {
  return paths.flatMap((path, i) => fromField(`linux.maskedPaths[${i}] (${path})`, [{ op: 'MASK_SHARED', path } as Op]))
}

/** linux.readonlyPaths, tagged for error messages. */
export function planReadonlyPaths(paths: readonly string[] = []): Op[] {
  return paths.flatMap((path, i) => fromField(`linux.readonlyPaths[${i}] (${path})`, [{ op: 'READONLY_PATH', path } as Op]))
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
