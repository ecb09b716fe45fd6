import test from 'ava'
import { BPF_JA, BPF_JMP } from '../../../src/bpf/opcodes'
import { x86_64 } from '../../../src/seccomp/tables/x86_64'
import { groupArches, groupSegments } from '../../../src/seccomp/emitter'
import type { SeccompSyscallConfig } from '../../../src/seccomp/types'
import { compile, expectVerdict, run } from './harness'

/** The first `n` x86_64 syscalls by number. */
function firstSyscalls(n: number): string[] {
  return Object.entries(x86_64).sort((a, b) => a[1] - b[1]).slice(0, n).map(([name]) => name)
}

test('a 300-syscall profile is searched in O(log n) instructions', (t) => {
  const names = firstSyscalls(300)
  // neighbouring syscalls get different errnos, so no two numbers can share a segment
  const syscalls: SeccompSyscallConfig[] = names.map((name, i) => ({ names: [name], action: 'SCMP_ACT_ERRNO', errnoRet: 2 + (i % 5) }))
  const c = compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls })
  const segments = groupSegments(groupArches(c.policy)[0]!, c.policy.defaultAction)
  t.true(segments.length >= 300)

  let maxSteps = 0
  names.forEach((name, i) => {
    expectVerdict(t, c, { sys: name }, `ERRNO(${2 + (i % 5)})`)
    maxSteps = Math.max(maxSteps, run(c, { sys: name }).steps)
  })
  for (const nr of [400, 1000, 0x3fffffff]) maxSteps = Math.max(maxSteps, run(c, { sys: nr }).steps)
  const bound = 2 * Math.log2(names.length) + 4
  t.log(`${c.program.length} instructions, ${segments.length} segments, worst case ${maxSteps} executed (bound ${bound.toFixed(1)})`)
  t.true(maxSteps <= bound, `worst case ${maxSteps} > ${bound}`)
  // ld arch, jeq arch, ld nr, the search (ceil(log2 segments) jumps), ret, and a ja
  // trampoline or two where a subtree is more than 255 instructions long
  t.true(maxSteps <= 6 + Math.ceil(Math.log2(segments.length)))
})

test('runs of neighbouring syscalls with one action collapse into one segment', (t) => {
  const c = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: firstSyscalls(300), action: 'SCMP_ACT_ALLOW' }] })
  const segments = groupSegments(groupArches(c.policy)[0]!, c.policy.defaultAction)
  t.true(segments.length <= 4, `${segments.length} segments`)
  t.true(c.program.length < 20)
  for (const name of firstSyscalls(300)) expectVerdict(t, c, { sys: name }, 'ALLOW')
  expectVerdict(t, c, { sys: 'kexec_file_load' }, 'ERRNO(1)')
})

test('large programs: far jumps go through ja trampolines and still land right', (t) => {
  const names = firstSyscalls(300)
  // every syscall gets an argument check, so leaves are 6+ instructions and the top of the
  // search tree jumps over more than 255 instructions
  const syscalls: SeccompSyscallConfig[] = names.map((name, i) => ({
    names: [name],
    action: 'SCMP_ACT_ALLOW',
    args: [{ index: i % 6, value: BigInt(i + 1) << 32n, op: 'SCMP_CMP_EQ' }],
  }))
  const c = compile({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls })
  const trampolines = c.program.filter((ins) => ins.code === (BPF_JMP | BPF_JA)).length
  t.log(`${c.program.length} instructions, ${trampolines} trampolines`)
  t.true(c.program.length > 1500)
  t.true(trampolines > 0)
  t.true(c.program.every((ins) => ins.jt <= 255 && ins.jf <= 255))
  names.forEach((name, i) => {
    const args = [0n, 0n, 0n, 0n, 0n, 0n]
    args[i % 6] = BigInt(i + 1) << 32n
    expectVerdict(t, c, { sys: name, args }, 'ALLOW')
    args[i % 6] = BigInt(i + 1)
    expectVerdict(t, c, { sys: name, args }, 'KILL_PROCESS')
  })
})
