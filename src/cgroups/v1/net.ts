// linux.resources.network → cgroup v1 net_cls and net_prio files.
import type { LinuxNetwork } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites } from '../file-writes'
import { checkInt, lines } from '../resource-checks'

export function translateNetV1(net: LinuxNetwork | undefined): CgroupWrites {
  const w: CgroupWrites = {}
  if (net === undefined) return w
  if (net.classID !== undefined) w['net_cls.classid'] = String(checkInt('network.classID', net.classID, 0, 0xffffffff))
  const prios = (net.priorities ?? []).map((p, i) => {
    if (typeof p.name !== 'string' || !/^[^\s/]+$/.test(p.name)) {
      throw new CgroupError(`cgroup: linux.resources.network.priorities[${i}].name: bad interface name ${JSON.stringify(p.name)}`)
    }
    return `${p.name} ${checkInt(`network.priorities[${i}].priority`, p.priority, 0, 0xffffffff)}`
  })
  if (prios.length > 0) w['net_prio.ifpriomap'] = lines(prios)
  return w
}
