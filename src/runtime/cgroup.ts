// The runtime's view of cgroups: open the manager for a container and describe its dirs for `cgroup` mounts.
import { closeSync, constants, openSync, readFileSync, write } from 'node:fs'
import { basename, join } from 'node:path'
import { O_CLOEXEC } from '../sys/fs'
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

/**
 * Start the kernel's slow part of a cgroup.procs write early, off the main thread. The first write to any
 * cgroup.procs takes cgroup_threadgroup_rwsem for writing, which waits for an RCU grace period (10–20 ms
 * here, `strace -T`); writes that follow within about a grace period are fast. Moving the init into its
 * cgroups is on create's and exec's critical path, so we trigger that wait while node plans and spawns:
 * this process writes its own pid to the cgroup.procs of the cgroup it is already in, which the kernel
 * treats as a move to the same place (nothing changes). Only when that file lists our pid (a cgroup
 * namespace or a bind mount can make /proc/self/cgroup name another directory); best effort otherwise.
 */
export function warmCgroupAttach(): void {
  const candidates: string[] = []
  try {
    const h = cgroupHost()
    if (h.mode === 'v2') {
      const own = h.self.get('')
      if (own !== undefined) candidates.push(join(h.root, own))
    } else {
      for (const [controller, mount] of h.v1) {
        const own = h.self.get(controller)
        if (own !== undefined) candidates.push(join(mount, own))
      }
    }
  } catch { /* no cgroups: nothing to warm */ }
  // the shallowest of our cgroups (usually a hierarchy's root): nobody's delegated cgroup, whose files a
  // manager (systemd, a supervisor) might watch
  const dir = candidates.sort((a, b) => a.split('/').length - b.split('/').length)[0]
  if (dir === undefined) return
  const procs = join(dir, 'cgroup.procs')
  let fd: number
  try {
    if (!readFileSync(procs, 'latin1').split('\n').includes(String(process.pid))) return
    // opened here, written on a libuv thread: create's main thread does not return to the event loop
    // before the init is in its cgroups, so the write must be one request the thread pool starts at once
    fd = openSync(procs, constants.O_WRONLY | O_CLOEXEC)
  } catch {
    return
  }
  write(fd, String(process.pid), () => { closeSync(fd) })
}
