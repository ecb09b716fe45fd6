// Process attributes → ops: scheduler, I/O priority, CPU affinity, personality, NUMA memory policy. Pure: names,
// numbers and the rules between fields are decided here; the helper makes one syscall per op.
import type { ExecCPUAffinity, IOPriority, Linux, LinuxMemoryPolicy, LinuxPersonality, Process, Scheduler } from '../spec'
import type { Op } from '../plan/ops'
import { fromField } from '../mounts/origin'

export class ProcessPlanError extends Error {}

/** sched(7) policy numbers; SCHED_ISO was never merged into Linux. */
export const SCHED_POLICIES: Readonly<Record<string, number | undefined>> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_ISO: undefined, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
}
export const SCHED_FLAGS: Readonly<Record<string, number>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01, SCHED_FLAG_RECLAIM: 0x02, SCHED_FLAG_DL_OVERRUN: 0x04, SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
}
export const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 }
export const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 }
export const MPOL_MODES: Readonly<Record<string, number>> = {
  MPOL_DEFAULT: 0, MPOL_PREFERRED: 1, MPOL_BIND: 2, MPOL_INTERLEAVE: 3, MPOL_LOCAL: 4, MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
}
export const MPOL_FLAGS: Readonly<Record<string, number>> = {
  MPOL_F_NUMA_BALANCING: 1 << 13, MPOL_F_RELATIVE_NODES: 1 << 14, MPOL_F_STATIC_NODES: 1 << 15,
}

const IOPRIO_CLASS_SHIFT = 13

/** "0-3,7" → [0, 1, 2, 3, 7]. */
export function parseList(list: string, field: string, max = 8192): number[] {
  const out = new Set<number>()
  for (const part of list.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part)
    if (!m) throw new ProcessPlanError(`${field}: "${part}" is not a number or a range like 0-3`)
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2])
    if (hi < lo) throw new ProcessPlanError(`${field}: range "${part}" is backwards`)
    if (hi >= max) throw new ProcessPlanError(`${field}: ${hi} is out of range (at most ${max - 1})`)
    for (let i = lo; i <= hi; i++) out.add(i)
  }
  return [...out].sort((a, b) => a - b)
}

/** A bitmask of whole 64-bit words, as sched_setaffinity and set_mempolicy read it. */
export function bitmask(bits: readonly number[]): Uint8Array {
  const words = Math.max(1, Math.ceil((Math.max(-1, ...bits) + 1) / 64))
  const mask = new Uint8Array(words * 8)
  for (const b of bits) mask[b >> 3]! |= 1 << (b & 7)
  return mask
}

export function planScheduler(s: Scheduler): Op[] {
  const field = 'process.scheduler'
  const policy = SCHED_POLICIES[s.policy]
  if (policy === undefined) throw new ProcessPlanError(`${field}: policy ${s.policy} is not supported by Linux`)
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR'
  const priority = s.priority ?? 0
  if (realtime && (priority < 1 || priority > 99)) throw new ProcessPlanError(`${field}: ${s.policy} needs a priority from 1 to 99`)
  if (!realtime && priority !== 0) throw new ProcessPlanError(`${field}: priority must be 0 for ${s.policy}`)
  if (s.nice !== undefined && s.nice !== 0 && !['SCHED_OTHER', 'SCHED_BATCH'].includes(s.policy))
    throw new ProcessPlanError(`${field}: nice only applies to SCHED_OTHER and SCHED_BATCH`)
  const deadline = s.policy === 'SCHED_DEADLINE'
  if (deadline && !(s.runtime && s.deadline)) throw new ProcessPlanError(`${field}: SCHED_DEADLINE needs runtime and deadline`)
  if (!deadline && (s.runtime || s.deadline || s.period)) throw new ProcessPlanError(`${field}: runtime, deadline and period only apply to SCHED_DEADLINE`)
  const flags = (s.flags ?? []).reduce((f, name) => f | (SCHED_FLAGS[name] ?? 0), 0)
  return fromField(field, [{
    op: 'SCHED_SETATTR', policy, flags: BigInt(flags), nice: s.nice ?? 0, priority,
    runtime: BigInt(s.runtime ?? 0), deadline: BigInt(s.deadline ?? 0), period: BigInt(s.period ?? 0),
  }])
}

export function planIoPriority(p: IOPriority): Op[] {
  const cls = IOPRIO_CLASSES[p.class]
  if (cls === undefined) throw new ProcessPlanError(`process.ioPriority: unknown class ${p.class}`)
  if (!(p.priority >= 0 && p.priority <= 7)) throw new ProcessPlanError('process.ioPriority: priority must be 0 to 7')
  return fromField('process.ioPriority', [{ op: 'IOPRIO_SET', ioprio: (cls << IOPRIO_CLASS_SHIFT) | p.priority }])
}

/** One affinity step: `initial` runs in the helper before the init is born in its cgroup, `final` in the init after. */
export function planAffinity(a: ExecCPUAffinity | undefined, which: 'initial' | 'final'): Op[] {
  const list = a?.[which]
  if (list === undefined || list.trim() === '') return []
  const field = `process.execCPUAffinity.${which}`
  const cpus = parseList(list, field)
  if (cpus.length === 0) return []
  return fromField(field, [{ op: 'SET_AFFINITY', mask: bitmask(cpus) }])
}

export function planPersonality(p: LinuxPersonality): Op[] {
  const persona = PERSONALITY_DOMAINS[p.domain]
  if (persona === undefined) throw new ProcessPlanError(`linux.personality: unknown domain ${p.domain}`)
  if (p.flags?.length) throw new ProcessPlanError(`linux.personality: flags are not supported (got ${p.flags.join(', ')})`)
  return fromField('linux.personality', [{ op: 'PERSONALITY', persona }])
}

export function planMemoryPolicy(m: LinuxMemoryPolicy): Op[] {
  const field = 'linux.memoryPolicy'
  const mode = MPOL_MODES[m.mode]
  if (mode === undefined) throw new ProcessPlanError(`${field}: unknown mode ${m.mode}`)
  const flags = (m.flags ?? []).reduce((f, name) => {
    const bit = MPOL_FLAGS[name]
    if (bit === undefined) throw new ProcessPlanError(`${field}: unknown flag ${name}`)
    return f | bit
  }, 0)
  const nodes = m.nodes ? parseList(m.nodes, `${field}.nodes`, 1024) : []
  return fromField(field, [{ op: 'SET_MEMPOLICY', mode: mode | flags, nodes: nodes.length ? bitmask(nodes) : new Uint8Array(0) }])
}

/** Ops the init runs for the process fields, before rlimits and capabilities (it still has CAP_SYS_NICE). */
export function planProcessAttrs(process: Process): Op[] {
  return [
    ...(process.scheduler ? planScheduler(process.scheduler) : []),
    ...(process.ioPriority ? planIoPriority(process.ioPriority) : []),
    ...planAffinity(process.execCPUAffinity, 'final'),
  ]
}

/** Ops for the container-wide linux fields the init applies to itself before exec. */
export function planLinuxProcessAttrs(linux: Linux): Op[] {
  return [
    ...(linux.personality ? planPersonality(linux.personality) : []),
    ...(linux.memoryPolicy ? planMemoryPolicy(linux.memoryPolicy) : []),
  ]
}

/**
 * Fields tsrun cannot apply on any host yet: rejected with the field named, never ignored.
 * intelRdt needs resctrl groups managed by the runtime; netDevices needs a netlink move from the host namespace.
 */
export function checkUnsupported(linux: Linux): void {
  if (linux.intelRdt)
    throw new ProcessPlanError('linux.intelRdt: Intel RDT (resctrl) is not supported by tsrun; remove the field or use a runtime with resctrl support')
  if (linux.netDevices && Object.keys(linux.netDevices).length)
    throw new ProcessPlanError(`linux.netDevices: moving host network devices (${Object.keys(linux.netDevices).join(', ')}) into the container is not supported by tsrun`)
}
