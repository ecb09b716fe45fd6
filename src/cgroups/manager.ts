// The interface every cgroup manager implements, and the options they share.
import type { LinuxResources } from '../spec'
import type { CgroupFsOps } from './cgroupfs'
import type { CgroupStats } from './stats'

export interface CgroupManager {
  /** The container's cgroup path, the same in every hierarchy: "/tsrun-test/abc". */
  readonly path: string
  /**
   * Absolute directories create() made, outermost first, across all hierarchies. Save them with the
   * container's state and pass them back (options.created) so destroy() removes exactly these.
   */
  readonly created: readonly string[]
  /**
   * mkdir in every hierarchy (hybrid: every v1 controller including name=systemd, and the unified tree),
   * then apply `resources`. Invalid resources throw before anything is created; on any later failure
   * what was created is removed again. Throws CgroupError naming the field or the file and value.
   */
  create(resources?: LinuxResources): void
  /** An O_RDONLY|O_DIRECTORY fd of the cgroup2 directory (for clone3 CLONE_INTO_CGROUP); v1 → undefined. */
  openCloneFd(): number | undefined
  /** Move `pid` into the cgroup in every hierarchy. */
  enter(pid: number): void
  /** Apply resources to an existing cgroup (`update`). */
  apply(resources: LinuxResources): void
  freeze(): void
  thaw(): void
  isFrozen(): boolean
  /**
   * Signal the container's processes: `all` → every process in the cgroup and its descendants (v2
   * SIGKILL through cgroup.kill; otherwise frozen while signalled so nothing forks away); else only the
   * processes directly in the container's cgroup.
   */
  kill(signal: number, all: boolean): void
  /** Every pid in the cgroup, descendants included. */
  pids(): number[]
  /** runc `events` statistics. */
  stats(): CgroupStats
  /** Counters for `events`: oom_kill from memory.events (v2) or memory.oom_control (v1). */
  events(): { oomKill: number }
  /** Kill what is left and remove the cgroup in every hierarchy (see `created`); no-op when gone. */
  destroy(): void
}

export interface CgroupManagerOptions {
  /** `created` from the manager that created the cgroup: destroy() then removes exactly those dirs. */
  created?: readonly string[]
  /** Kernel-facing operations; tests pass ones that emulate cgroupfs in a temp dir. */
  ops?: CgroupFsOps
}
