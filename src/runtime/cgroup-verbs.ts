// pause, resume, update, ps and events: verbs that act on a container's cgroup.
import { spawnSync } from 'node:child_process'
import { TsrunError } from '../errors'
import { checkTransition } from '../state/transitions'
import type { LinuxResources } from '../spec'
import { cgroupStatsJson, type CgroupManager } from '../cgroups'
import { loadContainer, type Loaded } from './container'
import { cgroupManager } from './cgroup'

function managerOf(c: Loaded): CgroupManager {
  if (!c.record.cgroupPath) throw new TsrunError(`container ${c.record.id} has no cgroup`)
  return cgroupManager(c.record.cgroupPath, c.record.cgroupCreated)
}

export function pauseContainer(root: string, id: string): void {
  const c = loadContainer(root, id)
  checkTransition('pause', c.status, id)
  managerOf(c).freeze()
}

export function resumeContainer(root: string, id: string): void {
  const c = loadContainer(root, id)
  checkTransition('resume', c.status, id)
  managerOf(c).thaw()
}

export function updateContainer(root: string, id: string, resources: LinuxResources): void {
  const c = loadContainer(root, id)
  if (c.status === 'stopped') throw new TsrunError('container not running')
  managerOf(c).apply(resources)
}

export function containerPids(root: string, id: string): number[] {
  const c = loadContainer(root, id, false)
  if (c.status === 'stopped') return []
  return managerOf(c).pids()
}

/** runc's table form: the host's ps output, header plus the rows whose PID column is one of the container's. */
export function psTable(pids: number[], psArgs: string[]): string {
  const out = spawnSync('ps', psArgs.length ? psArgs : ['-ef'], { encoding: 'utf8' })
  if (out.status !== 0) throw new TsrunError(`ps: ${out.stderr.trim() || `exit ${out.status}`}`)
  const [header = '', ...rows] = out.stdout.split('\n')
  const col = header.trim().split(/\s+/).indexOf('PID')
  if (col < 0) throw new TsrunError(`couldn't find PID field in ps output`)
  const want = new Set(pids)
  return [header, ...rows.filter((r) => want.has(Number(r.trim().split(/\s+/)[col])))].join('\n') + '\n'
}

export function statsEvent(root: string, id: string): string {
  const c = loadContainer(root, id, false)
  if (c.status === 'stopped') throw new TsrunError('container not running')
  return `{"type":"stats","id":${JSON.stringify(id)},"data":${cgroupStatsJson(managerOf(c).stats())}}`
}

/** Stats every interval and an `oom` event whenever the OOM-kill count grows, until the container stops. */
export async function streamEvents(root: string, id: string, intervalMs: number, write: (line: string) => void): Promise<void> {
  const c = loadContainer(root, id, false)
  const cg = managerOf(c)
  let ooms = cg.events().oomKill
  for (;;) {
    const now = loadContainer(root, id, false)
    if (now.status === 'stopped') return
    const n = cg.events().oomKill
    if (n > ooms) write(`{"type":"oom","id":${JSON.stringify(id)}}`)
    ooms = n
    write(`{"type":"stats","id":${JSON.stringify(id)},"data":${cgroupStatsJson(cg.stats())}}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
