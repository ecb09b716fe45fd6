// All of linux.resources (except devices, which become an eBPF program) → cgroup v2 file writes.
import type { LinuxResources } from '../../spec'
import { CgroupError } from '../cgroup-error'
import { controllerOf, type CgroupWrites, type TranslateContext } from '../file-writes'
import { translateCpuV2 } from './cpu'
import { translateCpusetV2 } from './cpuset'
import { translateHugetlbV2 } from './hugetlb'
import { translateIoV2 } from './io'
import { translateMemoryV2 } from './memory'
import { translatePids } from './pids'
import { translateRdma } from './rdma'
import { translateUnified } from './unified'

/**
 * The writes in runc's order (pids, memory, io, cpu, cpuset, hugetlb, rdma, then unified, which wins).
 * Throws CgroupError for invalid values and for files whose controller is not in `ctx.controllers`.
 */
export function translateV2(resources: LinuxResources | undefined, ctx: TranslateContext): CgroupWrites {
  if (resources === undefined) return {}
  const net = resources.network
  if (net !== undefined && (net.classID !== undefined || (net.priorities ?? []).length > 0)) {
    throw new CgroupError('cgroup: linux.resources.network: net_cls and net_prio do not exist on cgroup v2')
  }
  const translated: CgroupWrites = {
    ...translatePids(resources.pids),
    ...translateMemoryV2(resources.memory, ctx),
    ...translateIoV2(resources.blockIO, ctx),
    ...translateCpuV2(resources.cpu),
    ...translateCpusetV2(resources.cpu),
    ...translateHugetlbV2(resources.hugepageLimits, ctx),
    ...translateRdma(resources.rdma),
  }
  for (const file of Object.keys(translated)) {
    const c = controllerOf(file)
    if (!ctx.controllers.has(c)) {
      throw new CgroupError(
        `cgroup: cannot set ${file}: controller "${c}" is not available (available: ${[...ctx.controllers].join(' ') || 'none'})`,
      )
    }
  }
  return { ...translated, ...translateUnified(resources.unified, ctx) }
}
