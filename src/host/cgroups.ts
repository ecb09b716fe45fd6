// Which cgroup hierarchies this host has, probed once from /proc/self/mountinfo and passed on as data.
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'

export type CgroupMode = 'v2' | 'hybrid' | 'v1'

export interface CgroupHost {
  mode: CgroupMode
  /** Where cgroup hierarchies are mounted: /sys/fs/cgroup, or a temp dir standing in for it in tests. */
  root: string
  /** The cgroup2 mount: `root` itself on v2, usually `root`/unified on hybrid, undefined on v1. */
  unifiedPath: string | undefined
  /** v1 controller (or "name=systemd") → mount dir. Co-mounted controllers share a dir. Empty on v2. */
  v1: Map<string, string>
  /** The controllers of the cgroup2 root (its cgroup.controllers); on hybrid hosts usually few or none. */
  v2Controllers: string[]
  /**
   * This process's own cgroup per hierarchy, from /proc/self/cgroup: v1 controller (or "name=…") → path,
   * and "" → path in the unified tree. Managers refuse to act on these cgroups or their ancestors.
   */
  self: Map<string, string>
}

/** Where cgroup filesystems are mounted on every distribution this runtime supports. */
export const CGROUP_MOUNT_ROOT = '/sys/fs/cgroup'

/** The v1 controllers a `cgroup` mount's super options can name. */
const V1_CONTROLLERS = new Set([
  'cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'hugetlb', 'net_cls',
  'net_prio', 'perf_event', 'rdma', 'misc',
])

interface CgroupMount {
  fstype: 'cgroup' | 'cgroup2'
  mountpoint: string
  superOptions: string[]
}

/** Undo mountinfo's octal escapes (\040 for a space). */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** The cgroup and cgroup2 mounts in mountinfo text, in order. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = []
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ')
    if (sep < 0) continue
    const pre = line.slice(0, sep).split(' ')
    const post = line.slice(sep + 3).split(' ')
    const fstype = post[0]
    if ((fstype !== 'cgroup' && fstype !== 'cgroup2') || pre[4] === undefined) continue
    mounts.push({ fstype, mountpoint: unescapeMountField(pre[4]), superOptions: (post[2] ?? '').split(',') })
  }
  return mounts
}

/** Parse /proc/PID/cgroup text: controller (or "name=…", or "" for the unified tree) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const self = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line)
    if (m === null) continue
    const controllers = m[1] === '' ? [''] : (m[1] ?? '').split(',')
    for (const c of controllers) self.set(c, m[2] ?? '/')
  }
  return self
}

/**
 * Probe the cgroup layout. `mountinfo` (and `procCgroup`) default to this process's own files; tests pass
 * text and a temp `root`: mounts under /sys/fs/cgroup are then rebased onto `root`.
 */
export function probeCgroupHost(root: string = CGROUP_MOUNT_ROOT, mountinfo?: string, procCgroup?: string): CgroupHost {
  const text = mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8')
  const selfText = procCgroup ?? (mountinfo === undefined ? readFileSync('/proc/self/cgroup', 'utf8') : '')
  const rebase = (mountpoint: string): string | undefined => {
    if (mountpoint === CGROUP_MOUNT_ROOT) return root
    if (mountpoint.startsWith(CGROUP_MOUNT_ROOT + '/')) return posix.join(root, mountpoint.slice(CGROUP_MOUNT_ROOT.length))
    return undefined
  }
  const v1 = new Map<string, string>()
  let unifiedPath: string | undefined
  for (const m of parseCgroupMounts(text)) {
    const dir = rebase(m.mountpoint)
    if (dir === undefined) continue
    if (m.fstype === 'cgroup2') {
      unifiedPath ??= dir
      continue
    }
    for (const opt of m.superOptions) {
      if ((V1_CONTROLLERS.has(opt) || opt.startsWith('name=')) && !v1.has(opt)) v1.set(opt, dir)
    }
  }
  let mode: CgroupMode
  if (unifiedPath === root) {
    mode = 'v2'
    v1.clear()
  } else if (v1.size > 0) {
    mode = unifiedPath === undefined ? 'v1' : 'hybrid'
  } else {
    throw new Error(`cgroup: no cgroup filesystem is mounted under ${CGROUP_MOUNT_ROOT}`)
  }
  let v2Controllers: string[] = []
  if (unifiedPath !== undefined) {
    try {
      v2Controllers = readFileSync(posix.join(unifiedPath, 'cgroup.controllers'), 'utf8').split(/\s+/).filter(Boolean)
    } catch {
      v2Controllers = []
    }
  }
  return { mode, root, unifiedPath, v1, v2Controllers, self: parseProcCgroup(selfText) }
}
