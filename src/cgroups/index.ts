// The cgroup library: probe the host, resolve linux.cgroupsPath, open a manager for one container.
import type { CgroupHost } from '../host/cgroups'
import { CgroupError } from './cgroup-error'
import { isSameOrAncestor } from './cgroups-path'
import type { CgroupManager, CgroupManagerOptions } from './manager'
import { realOps } from './real-ops'
import { CgroupV1Manager } from './v1/manager'
import { CgroupV2Manager } from './v2/manager'

export type { CgroupHost, CgroupMode } from '../host/cgroups'
export { probeCgroupHost, parseProcCgroup } from '../host/cgroups'
export type { LinuxResources } from '../spec'
export { CgroupError } from './cgroup-error'
export { resolveCgroupsPath } from './cgroups-path'
export type { CgroupFsOps } from './cgroupfs'
export type { CgroupManager, CgroupManagerOptions } from './manager'
export { cgroupStatsJson, type CgroupStats } from './stats'
export { translateV1 } from './v1/translate'
export { translateV2 } from './v2/translate'
export { cpuSharesToWeight } from './v2/cpu'
export { devicePolicy, type DevicePolicy } from './devices/policy'

/**
 * A manager for the cgroup at `path` (from resolveCgroupsPath) on this host: the v2 manager on pure v2
 * hosts, the v1 manager (every v1 hierarchy, plus the unified tree on hybrid hosts) otherwise.
 * Refuses a path that is this process's own cgroup or one of its ancestors in any hierarchy: limits,
 * freezing or killing there would hit the caller (and on hybrid hosts the machine's supervisor).
 */
export function openCgroupManager(host: CgroupHost, path: string, options: CgroupManagerOptions = {}): CgroupManager {
  if (!path.startsWith('/') || path === '/') throw new CgroupError(`cgroup: bad cgroup path ${JSON.stringify(path)}`)
  for (const [controller, own] of host.self) {
    const relevant = controller === '' ? host.unifiedPath !== undefined : host.mode !== 'v2' && host.v1.has(controller)
    if (relevant && isSameOrAncestor(path, own)) {
      throw new CgroupError(
        `cgroup: refusing ${path}: it holds this process's own ${controller === '' ? 'unified' : controller} cgroup ${own}`,
      )
    }
  }
  const ops = options.ops ?? realOps
  if (host.mode === 'v2') return new CgroupV2Manager(host.root, path, host.v2Controllers, ops, options.created)
  return new CgroupV1Manager(host.v1, host.mode === 'hybrid' ? host.unifiedPath : undefined, path, ops, options.created)
}
