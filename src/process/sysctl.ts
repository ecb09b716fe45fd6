// linux.sysctl: only keys that belong to a namespace the container has are written; host-wide keys are refused
// (runc's validator has the same table). Written through /proc/sys of the init, so they land in its namespaces.
import type { NamespaceType } from '../spec'
import type { Op } from '../plan/ops'
import { fromField } from '../mounts/origin'
import { ProcessPlanError } from './plan'

/** IPC namespace keys, exact. */
const IPC_KEYS = new Set([
  'kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni',
  'kernel.shm_rmid_forced',
])
const UTS_KEYS = new Set(['kernel.hostname', 'kernel.domainname'])

export interface SysctlNamespaces {
  /** Namespace types the container creates. */
  created: ReadonlySet<NamespaceType>
  /** Namespace types it joins by path (another container's, not the host's: the caller cannot tell them apart). */
  joined: ReadonlySet<NamespaceType>
}

/** The namespace a key belongs to, or undefined when it is host-wide. */
export function sysctlNamespace(key: string): NamespaceType | undefined {
  if (IPC_KEYS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc'
  if (key.startsWith('net.')) return 'network'
  if (UTS_KEYS.has(key)) return 'uts'
  return undefined
}

/** "net.ipv4.conf.eth0/100.forwarding" → "/proc/sys/net/ipv4/conf/eth0.100/forwarding" (sysctl(8) convention). */
export function sysctlPath(key: string): string {
  const parts = key.split('.').map((p) => p.replace(/\//g, '.'))
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw new ProcessPlanError(`linux.sysctl: "${key}" is not a valid key`)
  return `/proc/sys/${parts.join('/')}`
}

export function planSysctl(sysctl: Readonly<Record<string, string>> = {}, ns: SysctlNamespaces): Op[] {
  const ops: Op[] = []
  for (const [key, value] of Object.entries(sysctl)) {
    const type = sysctlNamespace(key)
    if (type === undefined) throw new ProcessPlanError(`linux.sysctl: "${key}" is not namespaced`)
    if (!ns.created.has(type) && !ns.joined.has(type))
      throw new ProcessPlanError(`linux.sysctl: "${key}" needs a ${type} namespace (it would change the host's)`)
    ops.push(...fromField(`linux.sysctl "${key}"`, [{ op: 'WRITE_FILE', path: sysctlPath(key), data: value } as Op]))
  }
  return ops
}
