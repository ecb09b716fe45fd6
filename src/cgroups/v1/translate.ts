// All of linux.resources → cgroup v1 file writes; the manager routes each file to its hierarchy.
import type { LinuxResources } from '../../spec'
import { CgroupError } from '../cgroup-error'
import { controllerOf, type CgroupWrites, type TranslateContext } from '../file-writes'
import { translatePids } from '../v2/pids'
import { translateRdma } from '../v2/rdma'
import { translateBlkioV1 } from './blkio'
import { translateCpuV1 } from './cpu'
import { translateCpusetV1 } from './cpuset'
import { translateDevicesV1 } from './devices'
import { translateHugetlbV1 } from './hugetlb'
import { translateMemoryV1 } from './memory'
import { translateNetV1 } from './net'

/**
 * Writes grouped by controller (each file's prefix names its hierarchy). `linux.resources.unified` is
 * refused, as runc does on v1 and hybrid hosts. Throws CgroupError for invalid values and for files
 * whose controller is not mounted (`ctx.controllers`).
 */
export function translateV1(resources: LinuxResources | undefined, ctx: TranslateContext): CgroupWrites {
  if (resources === undefined) return {}
  if (Object.keys(resources.unified ?? {}).length > 0) {
    throw new CgroupError('cgroup: linux.resources.unified: needs a cgroup v2 host (this one has v1 controllers)')
  }
  const writes: CgroupWrites = {
    ...translateCpusetV1(resources.cpu),
    ...translateDevicesV1(resources.devices),
    ...translateMemoryV1(resources.memory, ctx),
    ...translateCpuV1(resources.cpu),
    ...translatePids(resources.pids),
    ...translateBlkioV1(resources.blockIO, ctx),
    ...translateHugetlbV1(resources.hugepageLimits, ctx),
    ...translateNetV1(resources.network),
    ...translateRdma(resources.rdma),
  }
  for (const file of Object.keys(writes)) {
    const c = controllerOf(file)
    if (!ctx.controllers.has(c)) {
      throw new CgroupError(
        `cgroup: cannot set ${file}: the ${c} controller is not mounted (mounted: ${[...ctx.controllers].join(' ') || 'none'})`,
      )
    }
  }
  return writes
}
