// Namespaces: which to create with clone3, which to join by path before it.
import type { LinuxNamespace, NamespaceType } from '../spec'
import { JOIN_ORDER, NAMESPACES } from './table'

export interface NamespacePlan {
  /** clone3 flags for the namespaces created new (time excluded: it is unshared before clone, see below). */
  cloneFlags: bigint
  /** Namespaces joined by path, in join order. */
  join: { type: NamespaceType; path: string; flag: number }[]
  /** A new time namespace is unshared by the helper so its offsets can be written before the init enters it. */
  unshareTime: boolean
  /** A new cgroup namespace is unshared by the init after SYNC(setup), once it is in its cgroups. */
  unshareCgroup: boolean
  created: Set<NamespaceType>
}

export function planNamespaces(namespaces: readonly LinuxNamespace[] = []): NamespacePlan {
  let flags = 0n
  const created = new Set<NamespaceType>()
  const byType = new Map(namespaces.map((n) => [n.type, n]))
  const join: NamespacePlan['join'] = []
  for (const type of JOIN_ORDER) {
    const ns = byType.get(type)
    if (!ns) continue
    const { flag } = NAMESPACES[type]
    if (ns.path) join.push({ type, path: ns.path, flag })
    else {
      created.add(type)
      // time: unshared before clone so offsets can be set; cgroup: unshared by the init after it joined its
      // cgroups, so the namespace root is the container's cgroup in every hierarchy (as runc does)
      if (type !== 'time' && type !== 'cgroup') flags |= BigInt(flag)
    }
  }
  return { cloneFlags: flags, join, unshareTime: created.has('time'), unshareCgroup: created.has('cgroup'), created }
}
