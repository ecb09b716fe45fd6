// linux.resources.cpu.{cpus,mems} → cgroup v1 cpuset files.
import type { LinuxCPU } from '../../spec'
import type { CgroupWrites } from '../file-writes'
import { checkCpuList } from '../resource-checks'

/**
 * cpus → cpuset.cpus, mems → cpuset.mems. A new v1 cpuset cgroup starts with both empty (and refuses
 * tasks until they are set): the manager copies them from the parent right after mkdir, before these.
 */
export function translateCpusetV1(cpu: LinuxCPU | undefined): CgroupWrites {
  const w: CgroupWrites = {}
  if (cpu?.cpus !== undefined && cpu.cpus !== '') w['cpuset.cpus'] = checkCpuList('cpu.cpus', cpu.cpus)
  if (cpu?.mems !== undefined && cpu.mems !== '') w['cpuset.mems'] = checkCpuList('cpu.mems', cpu.mems)
  return w
}

/** The cpuset files a new v1 cpuset cgroup must inherit from its parent when they are empty. */
export const CPUSET_INHERITED_FILES = ['cpuset.cpus', 'cpuset.mems'] as const
