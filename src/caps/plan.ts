// process.capabilities → the op sequence around setuid: bounding drop, keepcaps, setuid, capset, ambient.
import type { Process } from '../spec'
import type { Op } from '../plan/ops'
import { capabilityNumber } from './table'

export class CapabilityError extends Error {}

export interface CapSets { bounding: bigint; effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint }

function mask(names: readonly string[] | undefined, field: string, lastCap: number, warn: (m: string) => void): bigint {
  let m = 0n
  for (const name of names ?? []) {
    const n = capabilityNumber(name)
    if (n === undefined) throw new CapabilityError(`process.capabilities.${field}: unknown capability "${name}"`)
    if (n > lastCap) { warn(`capability ${name} is not supported by this kernel; ignored`); continue }
    m |= 1n << BigInt(n)
  }
  return m
}

export function capSets(caps: NonNullable<Process['capabilities']>, lastCap: number, warn: (m: string) => void): CapSets {
  return {
    bounding: mask(caps.bounding, 'bounding', lastCap, warn),
    effective: mask(caps.effective, 'effective', lastCap, warn),
    permitted: mask(caps.permitted, 'permitted', lastCap, warn),
    inheritable: mask(caps.inheritable, 'inheritable', lastCap, warn),
    ambient: mask(caps.ambient, 'ambient', lastCap, warn),
  }
}

/** Ops that set the user with capabilities applied around it (runc's finalizeNamespace order). */
export function planUserAndCaps(p: Process, lastCap: number, chdir: Op[], warn: (m: string) => void): Op[] {
  const user = p.user
  const groups = user.additionalGids ?? []
  const setuser: Op = { op: 'SETUSER', uid: user.uid, gid: user.gid, groups, setgroups: 1 }
  // no capabilities object means no capabilities at all (runc), not "keep root's"
  const s = capSets(p.capabilities ?? {}, lastCap, warn)
  // the kernel raises an ambient capability only if it is permitted and inheritable: drop the rest with a warning
  const ambient = s.ambient & s.permitted & s.inheritable
  if (ambient !== s.ambient) warn('process.capabilities.ambient: capabilities that are not both permitted and inheritable cannot be raised; ignored')
  s.ambient = ambient
  return [
    { op: 'CAPS_BOUNDING', keep: s.bounding, last: lastCap },
    { op: 'KEEPCAPS', on: 1 },
    setuser,
    { op: 'KEEPCAPS', on: 0 },
    ...chdir,
    { op: 'CAPSET', effective: s.effective, permitted: s.permitted, inheritable: s.inheritable },
    ...(s.ambient ? [{ op: 'AMBIENT', mask: s.ambient, last: lastCap } as Op] : []),
  ]
}
