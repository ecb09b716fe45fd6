import { Assembler } from '../bpf/assembler'
import { type Instruction, stmt } from '../bpf/instruction'
import { BPF_ABS, BPF_LD, BPF_W } from '../bpf/opcodes'
import { SECCOMP_DATA_ARCH, SECCOMP_DATA_NR } from '../bpf/seccomp-data'
import { SECCOMP_RET_KILL_PROCESS } from './actions'
import type { ArchInfo } from './arches'
import { type ArgLayout, constantCondition, emitCondition } from './conditions'
import { type ArchPolicy, type ConditionalRule, ENOSYS_ACTION, type SeccompPolicy } from './policy'

/** What a range of syscall numbers leads to: a fixed return value, or one syscall's rules. */
export type Leaf =
  | { readonly kind: 'ret'; readonly action: number }
  | { readonly kind: 'rules'; readonly nr: number; readonly arch: ArchInfo; readonly rules: readonly ConditionalRule[] }

/** Numbers first..last (inclusive, unsigned 32-bit) share one leaf. */
export interface Segment {
  readonly first: number
  readonly last: number
  readonly leaf: Leaf
}

/** ABIs the kernel reports with the same AUDIT_ARCH (x86_64 and x32), told apart by nr range. */
export interface ArchGroup {
  readonly auditArch: number
  readonly members: readonly ArchPolicy[]
}

const NR_MAX = 0xffffffff
/** What happens to a call from an ABI the filter does not list (libseccomp's "bad arch"). */
export const BAD_ARCH_ACTION = SECCOMP_RET_KILL_PROCESS

export function groupArches(policy: SeccompPolicy): ArchGroup[] {
  const groups: { auditArch: number; members: ArchPolicy[] }[] = []
  for (const ap of policy.arches) {
    const group = groups.find((g) => g.auditArch === ap.arch.auditArch)
    if (group) group.members.push(ap)
    else groups.push({ auditArch: ap.arch.auditArch, members: [ap] })
  }
  return groups
}

/**
 * Partition 0..2^32-1 for one AUDIT_ARCH: numbers a member ABI owns get their syscall's leaf
 * or the default action; numbers no listed ABI owns (x32 numbers when only x86_64 is listed)
 * get BAD_ARCH_ACTION. Neighbouring numbers with the same fixed action are merged, so the
 * search has one segment per run rather than one per syscall.
 */
export function groupSegments(group: ArchGroup, defaultAction: number): Segment[] {
  const raw: Segment[] = []
  let next = 0
  const fill = (upTo: number, action: number): void => {
    if (upTo >= next) raw.push({ first: next, last: upTo, leaf: { kind: 'ret', action } })
    next = Math.max(next, upTo + 1)
  }
  for (const { first, last, member, own } of claimRanges(group)) {
    fill(first - 1, BAD_ARCH_ACTION)
    // runc's ENOSYS stub: above the highest named syscall, in the ABI's own range
    const enosysFrom = own && member.enosysAbove !== undefined ? member.enosysAbove + 1 : Infinity
    const unmatched = (upTo: number): void => {
      fill(Math.min(upTo, enosysFrom - 1), defaultAction)
      fill(upTo, ENOSYS_ACTION)
    }
    const numbers = [...member.syscalls.keys()].filter((nr) => nr >= first && nr <= last).sort((a, b) => a - b)
    for (const nr of numbers) {
      unmatched(nr - 1)
      const decision = member.syscalls.get(nr)
      if (decision === undefined) continue
      const leaf: Leaf = decision.kind === 'always'
        ? { kind: 'ret', action: decision.action }
        : { kind: 'rules', nr, arch: member.arch, rules: decision.rules }
      raw.push({ first: nr, last: nr, leaf })
      next = nr + 1
    }
    unmatched(last)
  }
  fill(NR_MAX, BAD_ARCH_ACTION)
  return mergeSegments(raw)
}

interface Claim {
  readonly first: number
  readonly last: number
  readonly member: ArchPolicy
  /** Part of the ABI's own numbering (nrRanges[0]) rather than an extra claim such as nr -1. */
  readonly own: boolean
}

/** Which member ABI owns which numbers, in number order; earlier members win overlaps. */
function claimRanges(group: ArchGroup): Claim[] {
  const claims: Claim[] = []
  for (const member of group.members) {
    let pieces: readonly (readonly [number, number, boolean])[] = member.arch.nrRanges.map(([lo, hi], i) => [lo, hi, i === 0] as const)
    for (const c of claims) {
      pieces = pieces.flatMap(([lo, hi, own]): (readonly [number, number, boolean])[] => {
        if (hi < c.first || lo > c.last) return [[lo, hi, own]]
        const out: (readonly [number, number, boolean])[] = []
        if (lo < c.first) out.push([lo, c.first - 1, own])
        if (hi > c.last) out.push([c.last + 1, hi, own])
        return out
      })
    }
    for (const [first, last, own] of pieces) claims.push({ first, last, member, own })
  }
  return claims.sort((a, b) => a.first - b.first)
}

function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = []
  for (const seg of segments) {
    const prev = out[out.length - 1]
    if (prev && prev.leaf.kind === 'ret' && seg.leaf.kind === 'ret' && prev.leaf.action === seg.leaf.action) {
      out[out.length - 1] = { first: prev.first, last: seg.last, leaf: prev.leaf }
    } else {
      out.push(seg)
    }
  }
  return out
}

/**
 * The whole filter:
 *
 *     ld [arch]; jeq AUDIT_ARCH_a, La; jeq AUDIT_ARCH_b, Lb; ...; ret KILL_PROCESS
 *     La: ld [nr]; <binary search over La's segments>        (one per AUDIT_ARCH)
 *
 * The search compares nr with `jge` against segment starts, halving the candidates at each
 * step, so a syscall costs about log2(segments) jumps whatever its number.
 */
export function emitFilter(policy: SeccompPolicy, littleEndian: boolean): Instruction[] {
  const asm = new Assembler()
  const groups = groupArches(policy)
  const entries = groups.map((g) => asm.label(`arch_${g.members.map((m) => m.arch.name.replace('SCMP_ARCH_', '')).join('_')}`))
  asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_ARCH))
  groups.forEach((g, i) => asm.jumpIf('jeq', g.auditArch, entries[i]))
  asm.ret(BAD_ARCH_ACTION)
  groups.forEach((g, i) => {
    asm.bind(entries[i] as (typeof entries)[number])
    asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, SECCOMP_DATA_NR))
    const segments = groupSegments(g, policy.defaultAction)
    emitSearch(asm, segments, 0, segments.length - 1, policy.defaultAction, littleEndian)
  })
  return asm.assemble()
}

/** Binary search over segments[from..to]; A holds nr on entry. */
function emitSearch(asm: Assembler, segments: readonly Segment[], from: number, last: number, defaultAction: number, le: boolean): void {
  if (from === last) {
    emitLeaf(asm, (segments[from] as Segment).leaf, defaultAction, le)
    return
  }
  const mid = (from + last + 1) >> 1
  const upper = asm.label(`nr_ge_${(segments[mid] as Segment).first}`)
  asm.jumpIf('jge', (segments[mid] as Segment).first, upper)
  emitSearch(asm, segments, from, mid - 1, defaultAction, le)
  asm.bind(upper)
  emitSearch(asm, segments, mid, last, defaultAction, le)
}

/** A leaf ends in `ret` on every path. */
function emitLeaf(asm: Assembler, leaf: Leaf, defaultAction: number, littleEndian: boolean): void {
  if (leaf.kind === 'ret') {
    asm.ret(leaf.action)
    return
  }
  const layout: ArgLayout = { bits: leaf.arch.bits, littleEndian }
  for (const rule of leaf.rules) {
    const verdicts = rule.conditions.map((c) => constantCondition(c, layout.bits))
    if (verdicts.includes(false)) continue // can never match
    const conditions = rule.conditions.filter((_, i) => verdicts[i] !== true)
    if (conditions.length === 0) {
      asm.ret(rule.action) // matches every call: later rules are unreachable
      return
    }
    const fail = asm.label(`nr${leaf.nr}_rule${rule.source}_fail`)
    for (const cond of conditions) emitCondition(asm, cond, layout, fail)
    asm.ret(rule.action)
    asm.bind(fail)
  }
  asm.ret(defaultAction)
}
