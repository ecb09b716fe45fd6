// linux.resources.rdma → rdma.max (the same file and syntax on v1 and v2).
import type { LinuxRdma } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites } from '../file-writes'
import { checkInt, lines } from '../resource-checks'

/** One "DEVICE hca_handle=N hca_object=M" line per device that sets at least one limit. */
export function translateRdma(rdma: Record<string, LinuxRdma> | undefined): CgroupWrites {
  const out: string[] = []
  for (const [device, limit] of Object.entries(rdma ?? {})) {
    if (!/^[^\s=]+$/.test(device)) throw new CgroupError(`cgroup: linux.resources.rdma: bad device name ${JSON.stringify(device)}`)
    let line = device
    if (limit.hcaHandles !== undefined) line += ` hca_handle=${checkInt(`rdma.${device}.hcaHandles`, limit.hcaHandles, 0, 0xffffffff)}`
    if (limit.hcaObjects !== undefined) line += ` hca_object=${checkInt(`rdma.${device}.hcaObjects`, limit.hcaObjects, 0, 0xffffffff)}`
    if (line !== device) out.push(line)
  }
  return out.length > 0 ? { 'rdma.max': lines(out) } : {}
}
