// Container status is computed, never trusted: pid alive with the saved start time, fifo, freezer.
import { existsSync, readFileSync } from 'node:fs'
import type { ContainerStatus } from '../spec'
import type { ContainerRecord } from './record'

export interface ProcStat { state: string; startTime: string }

/** Parse /proc/<pid>/stat: the state letter and field 22 (start time), robust to spaces in comm. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')')
  if (close < 0) return undefined
  const fields = text.slice(close + 2).split(' ')
  // fields[0] is field 3 (state); field 22 is fields[19]
  const state = fields[0]
  const startTime = fields[19]
  return state && startTime ? { state, startTime } : undefined
}

export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

export interface StatusFacts { stat: ProcStat | undefined; fifoExists: boolean; frozen: boolean }

/** Pure status rule (runc refreshState): dead, reused or zombie pid ⇒ stopped; fifo ⇒ created; frozen ⇒ paused. */
export function statusFrom(rec: Pick<ContainerRecord, 'pid' | 'startTime'>, f: StatusFacts): ContainerStatus {
  if (rec.pid <= 0 || !f.stat || f.stat.startTime !== rec.startTime || f.stat.state === 'Z' || f.stat.state === 'X') return 'stopped'
  if (f.frozen) return 'paused'
  return f.fifoExists ? 'created' : 'running'
}

export function currentStatus(rec: ContainerRecord, fifo: string, frozen: () => boolean): ContainerStatus {
  const stat = readProcStat(rec.pid)
  const alive = stat !== undefined && stat.startTime === rec.startTime
  return statusFrom(rec, { stat, fifoExists: alive && existsSync(fifo), frozen: alive && frozen() })
}
