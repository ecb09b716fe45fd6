// Namespace vocabulary: OCI type → clone flag and /proc/<pid>/ns name.
import type { NamespaceType } from '../spec'

export const NAMESPACES: Readonly<Record<NamespaceType, { flag: number; proc: string }>> = {
  user: { flag: 0x10000000, proc: 'user' },
  mount: { flag: 0x00020000, proc: 'mnt' },
  pid: { flag: 0x20000000, proc: 'pid' },
  network: { flag: 0x40000000, proc: 'net' },
  ipc: { flag: 0x08000000, proc: 'ipc' },
  uts: { flag: 0x04000000, proc: 'uts' },
  cgroup: { flag: 0x02000000, proc: 'cgroup' },
  time: { flag: 0x00000080, proc: 'time' },
}

/** The order namespaces are joined in: user first (it owns the others), mount last (paths stay host paths). */
export const JOIN_ORDER: readonly NamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount']
