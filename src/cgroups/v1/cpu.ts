// linux.resources.cpu → cgroup v1 cpu controller files.
import type { LinuxCPU } from '../../spec'
import type { CgroupWrites } from '../file-writes'
import { checkInt, isSet } from '../resource-checks'

/**
 * shares → cpu.shares, period/quota → cpu.cfs_period_us/cpu.cfs_quota_us (-1 = unlimited), burst →
 * cpu.cfs_burst_us, realtime → cpu.rt_period_us/cpu.rt_runtime_us, idle → cpu.idle. Zero means unset
 * except for burst and idle, where 0 is a value. When the kernel refuses a period or quota because of the
 * other's current value (EINVAL), the manager writes it again after the rest.
 */
export function translateCpuV1(cpu: LinuxCPU | undefined): CgroupWrites {
  const w: CgroupWrites = {}
  if (cpu === undefined) return w
  if (isSet(cpu.shares)) w['cpu.shares'] = String(checkInt('cpu.shares', cpu.shares, 0))
  if (isSet(cpu.period)) w['cpu.cfs_period_us'] = String(checkInt('cpu.period', cpu.period, 0))
  if (isSet(cpu.quota)) {
    const quota = checkInt('cpu.quota', cpu.quota, Number.MIN_SAFE_INTEGER)
    w['cpu.cfs_quota_us'] = String(quota < 0 ? -1 : quota)
  }
  if (cpu.burst !== undefined) w['cpu.cfs_burst_us'] = String(checkInt('cpu.burst', cpu.burst, 0))
  if (isSet(cpu.realtimePeriod)) w['cpu.rt_period_us'] = String(checkInt('cpu.realtimePeriod', cpu.realtimePeriod, 0))
  if (isSet(cpu.realtimeRuntime)) {
    w['cpu.rt_runtime_us'] = String(checkInt('cpu.realtimeRuntime', cpu.realtimeRuntime, -1))
  }
  if (cpu.idle !== undefined) w['cpu.idle'] = String(checkInt('cpu.idle', cpu.idle, 0, 1))
  return w
}
