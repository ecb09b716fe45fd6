import {
  actionReturn, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_USER_NOTIF,
} from './actions'
import { type ArchInfo, archInfo, archTable, nativeArch } from './arches'
import type { ArgCondition } from './conditions'
import { multiplexedRule } from './multiplex'
import { isOperator } from './operators'
import { SeccompError } from './seccomp-error'
import type { CompileOptions, SeccompArgConfig, SeccompConfig, SeccompSyscallConfig } from './types'

/** Arguments a rule applies to (ANDed) and the return value when they all hold. */
export interface ConditionalRule {
  readonly conditions: readonly ArgCondition[]
  readonly action: number
  /** Index of the rule in linux.seccomp.syscalls, for explanations. */
  readonly source: number
}

/** What one syscall number gets, before falling back to the default action. */
export type SyscallDecision =
  | { readonly kind: 'always'; readonly action: number; readonly source: number }
  | { readonly kind: 'rules'; readonly rules: readonly ConditionalRule[] }

export interface ArchPolicy {
  readonly arch: ArchInfo
  /** Only syscalls whose outcome can differ from the default action. */
  readonly syscalls: ReadonlyMap<number, SyscallDecision>
  /** With the ENOSYS stub: numbers above this one (in the ABI's own range) return ENOSYS. */
  readonly enosysAbove?: number
}

/** The rule algebra: the config resolved per ABI, ready for the emitter. */
export interface SeccompPolicy {
  readonly defaultAction: number
  /** Native ABI first, then the configured ones in config order. */
  readonly arches: readonly ArchPolicy[]
  readonly notify: boolean
  /** Syscall names no table knows (runc ignores them too). */
  readonly unknownNames: readonly string[]
}

/** ERRNO(ENOSYS): what runc's stub answers for syscalls newer than the profile. */
export const ENOSYS_ACTION = (SECCOMP_RET_ERRNO | 38) >>> 0

const U64_MAX = (1n << 64n) - 1n
const WORD = 0xffffffffn
const MAX_ARGS = 6

/**
 * Resolve a `linux.seccomp` object into per-ABI decisions, with the semantics runc gets from
 * libseccomp:
 *  - the native ABI is always filtered; `architectures` adds more;
 *  - a name unknown on an ABI is skipped for that ABI only;
 *  - a rule whose action equals the default action is dropped;
 *  - the conditions of one rule are ANDed; several conditional rules for one syscall are
 *    tried in config order, the first match wins;
 *  - an unconditional rule makes the syscall's action fixed, and the first one wins
 *    (libseccomp discards conditional rules once a syscall has an unconditional one);
 *  - on 32-bit ABIs arguments are 32 bits wide, so values are cut to their low word;
 *  - socket and SysV IPC calls are also filtered through socketcall/ipc where an ABI has them;
 *  - with `enosysStub` (default), runc's ENOSYS stub (see CompileOptions).
 */
export function buildPolicy(cfg: SeccompConfig, hostArch: string, options: CompileOptions = {}): SeccompPolicy {
  if (typeof cfg.defaultAction !== 'string') throw new SeccompError('linux.seccomp.defaultAction', 'required')
  if (cfg.defaultAction === 'SCMP_ACT_NOTIFY') {
    throw new SeccompError('linux.seccomp.defaultAction', 'SCMP_ACT_NOTIFY cannot be the default action')
  }
  const defaultAction = actionReturn(cfg.defaultAction, cfg.defaultErrnoRet, 'linux.seccomp.defaultAction', 'linux.seccomp.defaultErrnoRet')
  const arches = selectArches(cfg, hostArch)
  const maps = arches.map(() => new Map<number, SyscallDecision>())
  const named = new Set<string>()
  let notify = false

  ;(cfg.syscalls ?? []).forEach((rule, i) => {
    const path = `linux.seccomp.syscalls[${i}]`
    const action = actionReturn(rule.action, rule.errnoRet, `${path}.action`, `${path}.errnoRet`)
    const names = ruleNames(rule, path)
    const args = (rule.args ?? []).map((arg, j) => parseArg(arg, `${path}.args[${j}]`))
    if (action === SECCOMP_RET_USER_NOTIF) {
      notify = true
      if (names.includes('write')) throw new SeccompError(`${path}.names`, 'SCMP_ACT_NOTIFY cannot be used for write')
    }
    names.forEach((name) => named.add(name))
    if (action === defaultAction) return
    arches.forEach((arch, a) => {
      const table = archTable(arch)
      const conditions = arch.bits === 64 ? args : args.map(toWord)
      const map = maps[a] as Map<number, SyscallDecision>
      for (const name of names) {
        const muxed = multiplexedRule(table, name, conditions)
        if (muxed) addRule(map, muxed.nr, muxed.conditions, action, i)
        if (Object.hasOwn(table, name)) addRule(map, table[name] as number, conditions, action, i)
      }
    })
  })

  if (notify && !cfg.listenerPath) {
    throw new SeccompError('linux.seccomp.listenerPath', 'required when an action is SCMP_ACT_NOTIFY')
  }
  const unknownNames = [...named].filter((name) => !arches.some((arch) => Object.hasOwn(archTable(arch), name)))
  const stub = (options.enosysStub ?? true) && needsEnosysStub(defaultAction)
  const listed = new Set(cfg.architectures ?? [])
  return {
    defaultAction,
    arches: arches.map((arch, a) => {
      const syscalls = maps[a] as Map<number, SyscallDecision>
      const above = stub && listed.has(arch.name) ? highestNamed(arch, named) : undefined
      if (above === undefined) return { arch, syscalls }
      // s390 multiplexes large syscall numbers through nr 0 and leaves unknown ones there
      if (arch.tableName === 's390' || arch.tableName === 's390x') syscalls.set(0, { kind: 'always', action: ENOSYS_ACTION, source: -1 })
      return { arch, syscalls, enosysAbove: above }
    }),
    notify,
    unknownNames,
  }
}

/** runc adds the stub unless the default already lets calls through (or already says ENOSYS). */
function needsEnosysStub(defaultAction: number): boolean {
  const base = (defaultAction & 0xffff0000) >>> 0
  if (base === SECCOMP_RET_ALLOW || base === SECCOMP_RET_LOG || base === SECCOMP_RET_TRACE) return false
  return defaultAction !== ENOSYS_ACTION
}

/** The highest number, on this ABI, of any syscall the profile names (whatever its action). */
function highestNamed(arch: ArchInfo, names: ReadonlySet<string>): number | undefined {
  const table = archTable(arch)
  let highest: number | undefined
  for (const name of names) {
    if (!Object.hasOwn(table, name)) continue
    const nr = table[name] as number
    if (highest === undefined || nr > highest) highest = nr
  }
  return highest
}

/** OCI names a config may use that tsrun cannot filter (no syscall table; libseccomp 2.5 lacks them too). */
const UNSUPPORTED_ARCHES: readonly string[] = ['SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB', 'SCMP_ARCH_RISCV32']

function selectArches(cfg: SeccompConfig, hostArch: string): ArchInfo[] {
  const native = nativeArch(hostArch)
  const arches = [native]
  ;(cfg.architectures ?? []).forEach((name, i) => {
    const info = typeof name === 'string' ? archInfo(name) : undefined
    if (info === undefined) {
      const reason = UNSUPPORTED_ARCHES.includes(name) ? 'tsrun has no syscall table for' : 'unknown architecture'
      throw new SeccompError(`linux.seccomp.architectures[${i}]`, `${reason} ${JSON.stringify(name)}`)
    }
    if (!arches.includes(info)) arches.push(info)
  })
  return arches
}

function ruleNames(rule: SeccompSyscallConfig, path: string): string[] {
  if (!Array.isArray(rule.names) || rule.names.length === 0) throw new SeccompError(`${path}.names`, 'needs at least one syscall name')
  rule.names.forEach((name, k) => {
    if (typeof name !== 'string' || name === '') throw new SeccompError(`${path}.names[${k}]`, 'not a syscall name')
  })
  return [...rule.names]
}

function parseArg(arg: SeccompArgConfig, path: string): ArgCondition {
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index >= MAX_ARGS) {
    throw new SeccompError(`${path}.index`, `${String(arg.index)} is not an argument index 0..${MAX_ARGS - 1}`)
  }
  if (typeof arg.op !== 'string' || !isOperator(arg.op)) throw new SeccompError(`${path}.op`, `unknown operator ${JSON.stringify(arg.op)}`)
  return {
    index: arg.index,
    op: arg.op,
    value: parseU64(arg.value, `${path}.value`),
    valueTwo: arg.valueTwo === undefined ? 0n : parseU64(arg.valueTwo, `${path}.valueTwo`),
  }
}

function parseU64(value: number | bigint, path: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > U64_MAX) throw new SeccompError(path, `${value} is outside the unsigned 64-bit range`)
    return value
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SeccompError(path, `${String(value)} is not an unsigned integer`)
  }
  if (!Number.isSafeInteger(value)) {
    throw new SeccompError(path, `${value} is above 2^53 and was rounded by JSON parsing; parse the config with 64-bit integers`)
  }
  return BigInt(value)
}

function toWord(cond: ArgCondition): ArgCondition {
  return { ...cond, value: cond.value & WORD, valueTwo: cond.valueTwo & WORD }
}

function addRule(map: Map<number, SyscallDecision>, nr: number, conditions: readonly ArgCondition[], action: number, source: number): void {
  const existing = map.get(nr)
  if (existing?.kind === 'always') return
  if (conditions.length === 0) {
    map.set(nr, { kind: 'always', action, source })
    return
  }
  const rules = existing?.kind === 'rules' ? existing.rules : []
  map.set(nr, { kind: 'rules', rules: [...rules, { conditions, action, source }] })
}
