// The runtime's view of cgroups: open the manager for a container and describe its dirs for `cgroup` mounts.
import { basename, join } from 'node:path'
import { openCgroupManager, probeCgroupHost, resolveCgroupsPath, type CgroupHost, type CgroupManager } from '../cgroups'
import type { MountFacts } from '../mounts/plan'

let host: CgroupHost | undefined
export function cgroupHost(): CgroupHost {
  host ??= probeCgroupHost()
  return host
}

export function containerCgroupPath(cgroupsPath: string | undefined, id: string): string {
  return resolveCgroupsPath(cgroupsPath, id)
}

export function cgroupManager(path: string, created?: readonly string[]): CgroupManager {
  return openCgroupManager(cgroupHost(), path, { created })
}

/** For a `cgroup` mount: the host dir of the container's cgroup in each hierarchy. */
export function cgroupMountFacts(path: string): MountFacts['cgroup'] {
  const h = cgroupHost()
  if (h.mode === 'v2') return { mode: 'v2' }
  const dirs = new Map<string, string>()
  for (const mountDir of h.v1.values()) dirs.set(basename(mountDir), join(mountDir, path))
  if (h.unifiedPath) dirs.set(basename(h.unifiedPath), join(h.unifiedPath, path))
  return { mode: 'v1', dirs: [...dirs] }
}
