// planExec: a new process in a running container: join its namespaces through a pidfd, be born in its cgroup.
import type { NamespaceType, Process } from '../spec'
import type { Op } from './ops'
import { SYNC_TAGS } from './ops'
import { NAMESPACES } from '../namespaces/table'
import { planAffinity } from '../process/plan'
import { planProcess, planTerminal, processEnv, type FdRequest, type ProcessPlanOptions } from './container'

export interface ExecPlanOptions extends ProcessPlanOptions {
  /** Namespace types the container has (created or joined): all are entered through the init's pidfd. */
  namespaces: readonly NamespaceType[]
  wait: boolean
  cgroupFd: boolean
}

export function planExec(process: Process, o: ExecPlanOptions): { ops: Op[]; fds: FdRequest[] } {
  const fds: FdRequest[] = [{ kind: 'pidfd' }]
  let nsFlags = 0
  for (const t of new Set(o.namespaces)) nsFlags |= NAMESPACES[t].flag
  const ops: Op[] = [{ op: 'SET_DUMPABLE', on: 0 }]
  if (nsFlags) ops.push({ op: 'SETNS', fd: 0, nstype: nsFlags >>> 0 })
  ops.push(...planAffinity(process.execCPUAffinity, 'initial'))
  const cgroupFd = o.cgroupFd ? fds.push({ kind: 'cgroup' }) - 1 : -1
  ops.push({ op: 'CLONE', flags: 0n, cgroupFd, wait: o.wait ? 1 : 0 })
  ops.push({ op: 'SYNC', tag: SYNC_TAGS.setup }, { op: 'SETSID' })
  if (process.terminal) ops.push(...planTerminal(process, fds.push({ kind: 'console' }) - 1, false))
  ops.push(...planProcess(process, o))
  ops.push({ op: 'EXEC', args: process.args, env: processEnv(process.env ?? [], o.home) })
  return { ops, fds }
}
