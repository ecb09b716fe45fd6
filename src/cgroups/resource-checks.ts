// Validation of linux.resources numbers, with the JSON path of the offending field in the message.
import { CgroupError } from './cgroup-error'

/** A field that is unset when absent or zero (docker sends cpu.shares 0, blockIO.weight 0, memory.reservation 0). */
export function isSet(value: number | undefined): value is number {
  return value !== undefined && value !== 0
}

/** Check `value` is an integer within [min, max]; returns it. */
export function checkInt(path: string, value: unknown, min: number, max: number = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new CgroupError(`cgroup: linux.resources.${path}: ${JSON.stringify(value)} is not an integer`)
  }
  if (value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`
    throw new CgroupError(`cgroup: linux.resources.${path}: ${value} is out of range (${range})`)
  }
  return value
}

/** An int64 limit where -1 means unlimited ("max") and 0 means unset: -1 or >= 0. */
export function checkLimit(path: string, value: unknown): number {
  const v = checkInt(path, value, Number.MIN_SAFE_INTEGER)
  if (v < -1) throw new CgroupError(`cgroup: linux.resources.${path}: ${v} is not a limit (-1 for unlimited, or >= 0)`)
  return v
}

/** cgroup v2 spelling of an int64 limit: -1 → "max", 0 → "" (unset), else the number. */
export function limitToV2(value: number): string {
  return value === 0 ? '' : value === -1 ? 'max' : String(value)
}

/** Check a cpu or memory-node list like "0-3,7". */
export function checkCpuList(path: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\s*(\d+(-\d+)?)(\s*,\s*\d+(-\d+)?)*\s*$/.test(value)) {
    throw new CgroupError(`cgroup: linux.resources.${path}: ${JSON.stringify(value)} is not a list like "0-3,7"`)
  }
  return value.replace(/\s+/g, '')
}

/** Check a major or minor device number (>= 0). */
export function checkDeviceNumber(path: string, value: unknown): number {
  return checkInt(path, value, 0, 0xffffffff)
}

/** Join lines into one multi-line value, skipping the empty ones. */
export function lines(values: readonly string[]): string {
  return values.filter((v) => v !== '').join('\n')
}
