// OCI linux.resources.devices → the effective device policy: a default and exceptions to it.
import type { LinuxDeviceCgroup } from '../../spec'
import { CgroupError } from '../cgroup-error'
import { checkDeviceNumber } from '../resource-checks'

/** Access bits, with the values of the kernel's BPF_DEVCG_ACC_* (v1 spells them "m", "r", "w"). */
export const ACC_MKNOD = 1
export const ACC_READ = 2
export const ACC_WRITE = 4
export const ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE

export type DeviceKind = 'c' | 'b'

/** One exception to the default; `major`/`minor` undefined means any. */
export interface DeviceException {
  type: DeviceKind
  major: number | undefined
  minor: number | undefined
  access: number
}

/**
 * What the rules amount to: every access is `defaultAllow` except those matching an exception, which get
 * the opposite. Allow-exceptions (default deny) match when the requested access is a subset of theirs;
 * deny-exceptions (default allow) match when it overlaps theirs, as in the kernel's v1 controller.
 */
export interface DevicePolicy {
  defaultAllow: boolean
  exceptions: DeviceException[]
}

export function accessBits(access: string): number {
  let bits = 0
  for (const ch of access) bits |= ch === 'r' ? ACC_READ : ch === 'w' ? ACC_WRITE : ch === 'm' ? ACC_MKNOD : 0
  return bits
}

export function accessString(bits: number): string {
  return (bits & ACC_READ ? 'r' : '') + (bits & ACC_WRITE ? 'w' : '') + (bits & ACC_MKNOD ? 'm' : '')
}

interface NormalRule {
  allow: boolean
  type: 'a' | DeviceKind
  major: number | undefined
  minor: number | undefined
  access: number
}

/** Validate and normalise one rule; type defaults to "a", access to "rwm", -1 or unset numbers to any. */
export function normalizeDeviceRule(rule: LinuxDeviceCgroup, i: number): NormalRule {
  const at = `cgroup: linux.resources.devices[${i}]`
  if (typeof rule.allow !== 'boolean') throw new CgroupError(`${at}.allow: must be true or false`)
  const type = rule.type ?? 'a'
  if (type !== 'a' && type !== 'c' && type !== 'b') {
    throw new CgroupError(`${at}.type: ${JSON.stringify(type)} is not one of "a", "c", "b"`)
  }
  const num = (name: 'major' | 'minor'): number | undefined => {
    const v = rule[name]
    return v === undefined || v === null || v === -1 ? undefined : checkDeviceNumber(`devices[${i}].${name}`, v)
  }
  const access = rule.access ?? 'rwm'
  if (typeof access !== 'string' || !/^[rwm]*$/.test(access)) {
    throw new CgroupError(`${at}.access: ${JSON.stringify(access)} may only contain r, w and m`)
  }
  return { allow: rule.allow, type, major: num('major'), minor: num('minor'), access: access === '' ? ACC_ALL : accessBits(access) }
}

/**
 * Apply the rules in order the way the v1 devices controller does (runc's emulator does the same):
 * start from deny-all; a type "a" rule resets everything to allow-all or deny-all; a rule with the
 * default's action removes its access bits from an exception with exactly the same type and numbers;
 * any other rule adds (or widens) an exception.
 */
export function devicePolicy(rules: readonly LinuxDeviceCgroup[]): DevicePolicy {
  let defaultAllow = false
  let exceptions: DeviceException[] = []
  for (const [i, raw] of rules.entries()) {
    const rule = normalizeDeviceRule(raw, i)
    if (rule.type === 'a') {
      defaultAllow = rule.allow
      exceptions = []
      continue
    }
    const same = exceptions.find((e) => e.type === rule.type && e.major === rule.major && e.minor === rule.minor)
    if (rule.allow === defaultAllow) {
      if (same !== undefined) same.access &= ~rule.access
      exceptions = exceptions.filter((e) => e.access !== 0)
    } else if (same !== undefined) {
      same.access |= rule.access
    } else {
      exceptions.push({ type: rule.type, major: rule.major, minor: rule.minor, access: rule.access })
    }
  }
  return { defaultAllow, exceptions }
}

/** Whether the policy allows `access` (some ACC_* bits) to device type/major/minor: the reference semantics. */
export function policyAllows(policy: DevicePolicy, type: DeviceKind, major: number, minor: number, access: number): boolean {
  for (const e of policy.exceptions) {
    if (e.type !== type || (e.major !== undefined && e.major !== major) || (e.minor !== undefined && e.minor !== minor)) continue
    const hit = policy.defaultAllow ? (access & e.access) !== 0 : (access & ~e.access) === 0
    if (hit) return !policy.defaultAllow
  }
  return policy.defaultAllow
}

/** The v1 spelling of an exception: "c 1:3 rwm", "c 136:* rwm". */
export function exceptionString(e: DeviceException): string {
  return `${e.type} ${e.major ?? '*'}:${e.minor ?? '*'} ${accessString(e.access)}`
}
