// linux.resources.cpu → cgroup v2 cpu controller files.
import type { LinuxCPU } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites } from '../file-writes'
import { checkInt, isSet } from '../resource-checks'

/**
 * cpu.shares (v1, 2..262144, default 1024) → cpu.weight (v2, 1..10000, default 100), as runc 1.3+ and
 * crun 1.23+ convert it: a quadratic in log2(shares) that maps 2→1, 1024→100 and 262144→10000 exactly
 * (the older linear formula mapped the default 1024 to 39). 0 means unset.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares === 0) return 0
  if (shares <= 2) return 1
  if (shares >= 262144) return 10000
  const l = Math.log2(shares)
  const exponent = (l * l + 125 * l) / 612 - 7 / 34
  return Math.ceil(Math.pow(10, exponent))
}

export function translateCpuV2(cpu: LinuxCPU | undefined): CgroupWrites {
  const w: CgroupWrites = {}
  if (cpu === undefined) return w
  if (isSet(cpu.realtimeRuntime) || isSet(cpu.realtimePeriod)) {
    throw new CgroupError('cgroup: linux.resources.cpu.realtimeRuntime/realtimePeriod: realtime scheduling is not supported on cgroup v2')
  }
  if (isSet(cpu.shares)) w['cpu.weight'] = String(cpuSharesToWeight(checkInt('cpu.shares', cpu.shares, 0)))
  // Written before cpu.max; when the kernel refuses it (burst above the old quota) it is retried after.
  if (cpu.burst !== undefined) w['cpu.max.burst'] = String(checkInt('cpu.burst', cpu.burst, 0))
  const quota = cpu.quota === undefined ? 0 : checkInt('cpu.quota', cpu.quota, Number.MIN_SAFE_INTEGER)
  const period = cpu.period === undefined ? 0 : checkInt('cpu.period', cpu.period, 0)
  if (quota !== 0 || period !== 0) {
    // A negative quota means unlimited; a period alone keeps the quota unlimited (runc does the same).
    w['cpu.max'] = (quota > 0 ? String(quota) : 'max') + (period !== 0 ? ` ${period}` : '')
  }
  if (cpu.idle !== undefined) w['cpu.idle'] = String(checkInt('cpu.idle', cpu.idle, 0, 1))
  return w
}
