import test from 'ava'
import { disassembleSeccomp } from '../../../src/seccomp/compile'
import { compareArg, SECCOMP_OPERATORS, type SeccompOperator } from '../../../src/seccomp/operators'
import { compile, run } from './harness'

const WORD = 0xffffffffn
const U64 = (1n << 64n) - 1n

/** Values where a two-halves comparison goes wrong if the halves are mishandled. */
const BOUNDARIES = [
  0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn,
  0x1_0000_0000n, 0x1_0000_0001n, 0x1_ffff_ffffn, 0xffff_ffff_0000_0000n, 0x7fff_ffff_ffff_ffffn,
  0x8000_0000_0000_0000n, 0xffff_ffff_ffff_fffen, U64, 0x1234_5678_9abc_def0n,
]

function probes(value: bigint): bigint[] {
  const around = [value - 1n, value, value + 1n, value ^ (1n << 32n), value ^ 1n, value + (1n << 32n), value - (1n << 32n)]
  return [...new Set([...BOUNDARIES, ...around].map((v) => v & U64))]
}

interface Case {
  readonly op: SeccompOperator
  readonly value: bigint
  readonly valueTwo: bigint
}

function cases(): Case[] {
  const out: Case[] = []
  for (const op of SECCOMP_OPERATORS) {
    if (op === 'SCMP_CMP_MASKED_EQ') continue
    for (const value of BOUNDARIES) out.push({ op, value, valueTwo: 0n })
  }
  const masks = [0n, 0xffn, 0xffffffffn, 0xffff_ffff_0000_0000n, U64, 0x8000_0000_0000_0001n, 0x7e020000n]
  for (const mask of masks) {
    for (const expected of [0n, 1n, mask, mask & 0xffff_ffff_0000_0000n, 0x1_0000_0000n]) out.push({ op: 'SCMP_CMP_MASKED_EQ', value: mask, valueTwo: expected })
  }
  return out
}

function check(arch: string, hostArch: string, bits: 32 | 64): string[] {
  const failures: string[] = []
  for (const c of cases()) {
    const compiled = compile(
      {
        defaultAction: 'SCMP_ACT_ERRNO',
        architectures: [arch],
        syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ALLOW', args: [{ index: 3, op: c.op, value: c.value, valueTwo: c.valueTwo }] }],
      },
      hostArch,
    )
    for (const arg of probes(c.value)) {
      const cut = (v: bigint): bigint => (bits === 64 ? v : v & WORD)
      const want = compareArg(c.op, cut(arg), cut(c.value), cut(c.valueTwo)) ? 'ALLOW' : 'ERRNO(1)'
      const got = run(compiled, { arch, sys: 'ioctl', args: [0n, 0n, 0n, arg] })
      if (got.verdict !== want) {
        failures.push(
          `${c.op} value=0x${c.value.toString(16)} valueTwo=0x${c.valueTwo.toString(16)} arg=0x${arg.toString(16)}: ` +
            `expected ${want}, got ${got.verdict}\n${disassembleSeccomp(compiled.program, compiled.littleEndian, new Set(got.trace))}`,
        )
      }
    }
  }
  return failures
}

test('every operator on 64-bit arguments matches unsigned 64-bit semantics (x86_64)', (t) => {
  const failures = check('SCMP_ARCH_X86_64', 'x64', 64)
  t.deepEqual(failures.slice(0, 3), [])
})

test('every operator on 64-bit arguments, big-endian host (s390x)', (t) => {
  const failures = check('SCMP_ARCH_S390X', 's390x', 64)
  t.deepEqual(failures.slice(0, 3), [])
})

test('32-bit ABIs compare the low word only (i386, as libseccomp)', (t) => {
  const failures = check('SCMP_ARCH_X86', 'x64', 32)
  t.deepEqual(failures.slice(0, 3), [])
})

test('the high half matters: EQ 0x1_0000_0000 is not EQ 0', (t) => {
  const compiled = compile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mmap'], action: 'SCMP_ACT_KILL_PROCESS', args: [{ index: 0, value: 0x1_0000_0000, op: 'SCMP_CMP_EQ' }] }],
  })
  t.is(run(compiled, { sys: 'mmap', args: [0x1_0000_0000n] }).verdict, 'KILL_PROCESS')
  t.is(run(compiled, { sys: 'mmap', args: [0n] }).verdict, 'ALLOW')
  t.is(run(compiled, { sys: 'mmap', args: [0x2_0000_0000n] }).verdict, 'ALLOW')
})

test('GT on a value with a non-zero high half', (t) => {
  const compiled = compile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [{ names: ['mmap'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0x1_0000_0005, op: 'SCMP_CMP_GT' }] }],
  })
  // a low-word-only comparison would get all three wrong
  t.is(run(compiled, { sys: 'mmap', args: [0n, 0x6n] }).verdict, 'ALLOW')
  t.is(run(compiled, { sys: 'mmap', args: [0n, 0x1_0000_0006n] }).verdict, 'ERRNO(1)')
  t.is(run(compiled, { sys: 'mmap', args: [0n, 0x2_0000_0000n] }).verdict, 'ERRNO(1)')
})

test('MASKED_EQ uses value as the mask and valueTwo as the expected bits', (t) => {
  const compiled = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] }],
  })
  t.is(run(compiled, { sys: 'clone', args: [0x11n] }).verdict, 'ALLOW') // SIGCHLD
  t.is(run(compiled, { sys: 'clone', args: [0x10000000n] }).verdict, 'ERRNO(1)') // CLONE_NEWUSER
  t.is(run(compiled, { sys: 'clone', args: [0x1_0000_0000n] }).verdict, 'ALLOW') // outside the mask
})
