// linux.resources.cpu.{cpus,mems} → cgroup v2 cpuset files.
import type { LinuxCPU } from '../../spec'
import type { CgroupWrites } from '../file-writes'
import { checkCpuList } from '../resource-checks'

export function translateCpusetV2(cpu: LinuxCPU | undefined): CgroupWrites {
  const w: CgroupWrites = {}
  if (cpu?.cpus !== undefined && cpu.cpus !== '') w['cpuset.cpus'] = checkCpuList('cpu.cpus', cpu.cpus)
  if (cpu?.mems !== undefined && cpu.mems !== '') w['cpuset.mems'] = checkCpuList('cpu.mems', cpu.mems)
  return w
}
