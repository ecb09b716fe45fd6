// linux.resources.devices → cgroup v1 devices.deny / devices.allow.
import type { LinuxDeviceCgroup } from '../../spec'
import { devicePolicy, exceptionString } from '../devices/policy'
import type { CgroupWrites } from '../file-writes'
import { lines } from '../resource-checks'

/**
 * The effective policy, written as the kernel wants it: "a" to devices.deny (or devices.allow) resets the
 * cgroup to deny-all (allow-all), then each exception goes to the opposite file.
 */
export function translateDevicesV1(rules: readonly LinuxDeviceCgroup[] | undefined): CgroupWrites {
  if (rules === undefined) return {}
  const policy = devicePolicy(rules)
  const exceptions = lines(policy.exceptions.map(exceptionString))
  if (policy.defaultAllow) {
    return exceptions === '' ? { 'devices.allow': 'a' } : { 'devices.allow': 'a', 'devices.deny': exceptions }
  }
  return exceptions === '' ? { 'devices.deny': 'a' } : { 'devices.deny': 'a', 'devices.allow': exceptions }
}
