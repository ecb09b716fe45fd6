// planContainer: a validated spec + host facts → the ordered ops the helper and init execute. Pure.
import type { Process, Spec } from '../spec'
import type { Op } from './ops'
import { SYNC_TAGS } from './ops'
import { planNamespaces } from '../namespaces/plan'
import { MS, PROPAGATION_OPTIONS } from '../mounts/flags'
import { initialPropagation, needsDevSetup, planMaskedPaths, planMounts, planReadonlyPaths, planReadonlyRoot, planRootPropagation, rootfsParentPrivate, type MountFacts } from '../mounts/plan'
import { checkUnsupported, planAffinity, planLinuxProcessAttrs, planProcessAttrs } from '../process/plan'
import { planSysctl } from '../process/sysctl'
import { planCwd } from '../process/cwd'
import { planDevices, planDevSymlinks } from '../mounts/devices'
import { planUserAndCaps } from '../caps/plan'
import { RLIMITS } from './rlimits'
import type { SeccompPlan } from '../seccomp'

export class PlanError extends Error {}

/** fds the runtime must open and pass, by index. */
export type FdRequest =
  | { kind: 'namespace'; type: string; path: string }
  | { kind: 'execFifo' }
  | { kind: 'cgroup' }
  | { kind: 'pidfd' }
  | { kind: 'console' }

export interface PlanOptions {
  bundle: string
  rootfs: string
  noPivot: boolean
  preserveFds: number
  /** Foreground `run`: the helper stays the init's parent and exits with its status. */
  wait: boolean
  /** A cgroup dir fd for CLONE_INTO_CGROUP will be passed. */
  cgroupFd: boolean
  capLastCap: number
  mountFacts: MountFacts
  seccomp?: SeccompPlan
  /** HOME to add when process.env has none (looked up in the rootfs by the runtime). */
  home?: string
  /** The config has prestart/createRuntime/createContainer hooks: the init stops for them before pivot_root. */
  createHooks?: boolean
  warn(message: string): void
}

export interface ContainerPlan {
  ops: Op[]
  fds: FdRequest[]
  userns: boolean
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const CLONE_NEWTIME = 0x80n

export function planContainer(spec: Spec, o: PlanOptions): ContainerPlan {
  const fds: FdRequest[] = []
  const fdIndex = (r: FdRequest): number => fds.push(r) - 1
  const linux = spec.linux ?? {}
  const process = spec.process
  if (!process) throw new PlanError('process: a process is required to create a container')
  const ns = planNamespaces(linux.namespaces)
  if (!ns.created.has('mount') && !ns.join.some((j) => j.type === 'mount'))
    throw new PlanError('linux.namespaces: a mount namespace is required')
  if (spec.hostname && !ns.created.has('uts')) throw new PlanError('hostname: unable to set hostname without a private UTS namespace')
  if (spec.domainname && !ns.created.has('uts')) throw new PlanError('domainname: unable to set domainname without a private UTS namespace')
  if (linux.timeOffsets && !ns.created.has('time')) throw new PlanError('linux.timeOffsets: requires a new time namespace')
  checkUnsupported(linux)
  const userns = ns.created.has('user')
  const mounts = planMounts(spec.mounts, { bundle: o.bundle, facts: o.mountFacts, uidMappings: userns ? linux.uidMappings : undefined, gidMappings: userns ? linux.gidMappings : undefined })

  const ops: Op[] = [{ op: 'SET_DUMPABLE', on: 0 }]
  for (const j of ns.join) ops.push({ op: 'SETNS', fd: fdIndex({ kind: 'namespace', type: j.type, path: j.path }), nstype: j.flag })
  if (ns.unshareTime) {
    ops.push({ op: 'UNSHARE', flags: CLONE_NEWTIME })
    const off = linux.timeOffsets
    if (off) {
      const lines = Object.entries(off).map(([clock, v]) => `${clock} ${v.secs ?? 0} ${v.nanosecs ?? 0}`)
      ops.push({ op: 'WRITE_FILE', path: '/proc/self/timens_offsets', data: lines.join('\n') })
    }
  }
  const cgroupFd = o.cgroupFd ? fdIndex({ kind: 'cgroup' }) : -1
  ops.push(...mounts.trees, ...planAffinity(process.execCPUAffinity, 'initial'))
  ops.push({ op: 'CLONE', flags: ns.cloneFlags, cgroupFd, wait: o.wait ? 1 : 0 })
  ops.push({ op: 'SYNC', tag: SYNC_TAGS.setup }, { op: 'SETSID' })
  // in a new user namespace the init's ids are unmapped until it becomes root there (runc nsexec does the same)
  if (ns.created.has('user')) ops.push({ op: 'SETUSER', uid: 0, gid: 0, groups: [], setgroups: 0 })
  if (ns.unshareCgroup) ops.push({ op: 'UNSHARE', flags: 0x02000000n })

  // sysctls through the host's /proc, before any container mount exists: the init is already in its namespaces, and
  // nothing from the rootfs or mounts[] can redirect the writes (a symlinked /proc/sys/... into another procfs)
  ops.push(...planSysctl(linux.sysctl, { created: ns.created, joined: new Set(ns.join.map((j) => j.type)) }))
  ops.push(...planRootfs(spec, o, ns.created.has('user'), mounts.ops))
  if (process.terminal) ops.push(...planTerminal(process, fdIndex({ kind: 'console' }), true))

  if (spec.hostname !== undefined) ops.push({ op: 'SETHOSTNAME', name: spec.hostname })
  if (spec.domainname !== undefined) ops.push({ op: 'SETDOMAINNAME', name: spec.domainname })
  ops.push(...planFinalRootfs(spec))
  ops.push(...planLinuxProcessAttrs(linux))
  ops.push(...planProcess(process, o))
  ops.push({ op: 'WAIT_FIFO', fd: fdIndex({ kind: 'execFifo' }) })
  ops.push({ op: 'EXEC', args: process.args, env: processEnv(process.env ?? [], o.home) })
  return { ops, fds, userns: ns.created.has('user') }
}

export type ProcessPlanOptions = Pick<PlanOptions, 'preserveFds' | 'capLastCap' | 'seccomp' | 'home' | 'warn'>

/**
 * The process part, shared by create and exec: oom score, rlimits, umask, fd hygiene, user and capabilities
 * around setuid, cwd, no_new_privs, the executable lookup, seccomp, READY. The caller appends the wait and EXEC.
 */
export function planProcess(process: Process, o: ProcessPlanOptions): Op[] {
  const ops: Op[] = []
  if (process.oomScoreAdj !== undefined)
    ops.push({ op: 'WRITE_FILE', path: '/proc/self/oom_score_adj', data: String(process.oomScoreAdj) })
  for (const r of process.rlimits ?? []) {
    const resource = RLIMITS[r.type]
    if (resource === undefined) throw new PlanError(`process.rlimits: unknown rlimit "${r.type}"`)
    ops.push({ op: 'SETRLIMIT', resource, soft: BigInt(r.soft), hard: BigInt(r.hard) })
  }
  ops.push(...planProcessAttrs(process))
  ops.push({ op: 'UMASK', mask: process.user.umask ?? 0o022 })
  // without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it before capabilities are dropped (runc)
  const seccompEarly = o.seccomp !== undefined && !process.noNewPrivileges
  if (seccompEarly) ops.push({ op: 'SECCOMP', program: o.seccomp!.filter, flags: o.seccomp!.flags })
  ops.push({ op: 'CLOSE_FDS', from: 3 + o.preserveFds })
  ops.push(...planUserAndCaps(process, o.capLastCap, planCwd(process.cwd), o.warn))
  if (process.noNewPrivileges) ops.push({ op: 'NO_NEW_PRIVS' })
  const env = processEnv(process.env ?? [], o.home)
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH
  ops.push({ op: 'LOOKUP_EXEC', file: process.args[0]!, path: pathVar })
  if (o.seccomp && !seccompEarly) ops.push({ op: 'SECCOMP', program: o.seccomp.filter, flags: o.seccomp.flags })
  ops.push({ op: 'READY' })
  return ops
}

/** A pty for the process: opened after pivot_root (in the container's devpts), master sent over the console fd. */
export function planTerminal(process: Process, consoleFd: number, mountConsole: boolean): Op[] {
  const size = process.consoleSize
  return [
    { op: 'OPEN_ROOT', path: '/' },
    { op: 'OPEN_PTY', socket: consoleFd, rows: size?.height ?? 0, cols: size?.width ?? 0, console: mountConsole ? 1 : 0 },
  ]
}

export function processEnv(env: readonly string[], home: string | undefined): string[] {
  if (home === undefined || env.some((e) => e.startsWith('HOME='))) return [...env]
  return [...env, `HOME=${home}`]
}

/** Mount propagation, the root bind, mounts[], /dev, the create hooks' stop, pivot_root. */
function planRootfs(spec: Spec, o: PlanOptions, userns: boolean, mountOps: Op[]): Op[] {
  const linux = spec.linux ?? {}
  const prop = linux.rootfsPropagation ? PROPAGATION_OPTIONS[linux.rootfsPropagation] : undefined
  if (linux.rootfsPropagation && prop === undefined) throw new PlanError(`linux.rootfsPropagation: unknown value "${linux.rootfsPropagation}"`)
  const ops: Op[] = [
    { op: 'MOUNT', source: null, target: '/', fstype: null, flags: BigInt(initialPropagation(prop)), data: null },
    rootfsParentPrivate(o.rootfs),
    { op: 'MOUNT', source: o.rootfs, target: o.rootfs, fstype: null, flags: BigInt(MS.BIND | MS.REC), data: null },
    { op: 'OPEN_ROOT', path: o.rootfs },
  ]
  ops.push(...mountOps)
  if (needsDevSetup(spec.mounts)) {
    ops.push(...planDevices(linux.devices, userns), ...planDevSymlinks())
  }
  // prestart, createRuntime and createContainer hooks run (in the runtime) once the mounts are in place
  if (o.createHooks) ops.push({ op: 'SYNC', tag: SYNC_TAGS.hooks })
  ops.push(o.noPivot ? { op: 'MOVE_ROOT', path: o.rootfs } : { op: 'PIVOT_ROOT', path: o.rootfs })
  return ops
}

/**
 * After pivot_root and hostname (sysctls were written before the rootfs, so /proc/sys is still writable for them):
 * read-only and masked paths, resolved inside the new root, the read-only root, the root's propagation.
 */
function planFinalRootfs(spec: Spec): Op[] {
  const linux = spec.linux ?? {}
  const ops: Op[] = [{ op: 'OPEN_ROOT', path: '/' }]
  ops.push(...planReadonlyPaths(linux.readonlyPaths), ...planMaskedPaths(linux.maskedPaths))
  if (spec.root?.readonly) ops.push(...planReadonlyRoot())
  ops.push(...planRootPropagation(linux.rootfsPropagation))
  return ops
}
