import test from 'ava'
import { decodeProgram } from '../../../src/bpf/instruction'
import {
  SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC,
  SECCOMP_FILTER_FLAG_TSYNC_ESRCH, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
} from '../../../src/seccomp/flags'
import { compileSeccomp, SeccompError } from '../../../src/seccomp/index'
import type { SeccompConfig } from '../../../src/seccomp/types'
import { compile, expectVerdict } from './harness'

test('default allow with one denied syscall', (t) => {
  const c = compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] })
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { sys: 1000 }, 'ALLOW')
  // nr -1 (a tracer skipping the call) is not an x32 call: the default applies, as in libseccomp
  expectVerdict(t, c, { sys: 0xffffffff }, 'ALLOW')
  expectVerdict(t, c, { sys: 0xfffffffe }, 'KILL_PROCESS')
})

test('default deny with an allow list', (t) => {
  const c = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'write', 'exit_group'], action: 'SCMP_ACT_ALLOW' }] })
  for (const sys of ['read', 'write', 'exit_group']) expectVerdict(t, c, { sys }, 'ALLOW')
  for (const sys of ['open', 'mount', 'ptrace']) expectVerdict(t, c, { sys }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 5000 }, 'ERRNO(1)')
})

test('defaultErrnoRet and per-rule errnoRet', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
      { names: ['umount2'], action: 'SCMP_ACT_ERRNO' },
      { names: ['ptrace'], action: 'SCMP_ACT_TRACE' },
      { names: ['kill'], action: 'SCMP_ACT_TRACE', errnoRet: 77 },
      { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: 0 },
    ],
  })
  expectVerdict(t, c, { sys: 'open' }, 'ERRNO(38)')
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(13)')
  expectVerdict(t, c, { sys: 'umount2' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'ptrace' }, 'TRACE(1)')
  expectVerdict(t, c, { sys: 'kill' }, 'TRACE(77)')
  expectVerdict(t, c, { sys: 'setns' }, 'ERRNO(0)')
})

test('every action maps to its SECCOMP_RET value', (t) => {
  const actions: [string, string][] = [
    ['SCMP_ACT_KILL', 'KILL_THREAD'],
    ['SCMP_ACT_KILL_THREAD', 'KILL_THREAD'],
    ['SCMP_ACT_KILL_PROCESS', 'KILL_PROCESS'],
    ['SCMP_ACT_TRAP', 'TRAP(0)'],
    ['SCMP_ACT_ERRNO', 'ERRNO(1)'],
    ['SCMP_ACT_TRACE', 'TRACE(1)'],
    ['SCMP_ACT_LOG', 'LOG'],
    ['SCMP_ACT_NOTIFY', 'USER_NOTIF'],
  ]
  const names = ['read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'poll']
  const c = compile({
    defaultAction: 'SCMP_ACT_ALLOW',
    listenerPath: '/run/agent.sock',
    syscalls: actions.map(([action], i) => ({ names: [names[i] as string], action })),
  })
  actions.forEach(([, verdict], i) => expectVerdict(t, c, { sys: names[i] as string }, verdict))
  expectVerdict(t, c, { sys: 'lseek' }, 'ALLOW')
  const deny = compile({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['read'], action: 'SCMP_ACT_LOG' }] })
  expectVerdict(t, deny, { sys: 'write' }, 'KILL_PROCESS')
  expectVerdict(t, deny, { sys: 'read' }, 'LOG')
})

test('rules whose action equals the default action are dropped', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ERRNO' },
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 },
      { names: ['write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
    ],
  })
  // without dropping, the first rule would have made read ERRNO for good
  expectVerdict(t, c, { sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { sys: 'write', args: [1n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'write', args: [2n] }, 'ERRNO(1)')
  t.is(c.policy.arches[0]?.syscalls.size, 2)
})

test('unknown syscall names are skipped, per architecture', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [{ names: ['no_such_call', 'read', 'socketcall', 'arch_prctl'], action: 'SCMP_ACT_ALLOW' }],
  })
  t.deepEqual(c.policy.unknownNames, ['no_such_call'])
  expectVerdict(t, c, { sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { sys: 'arch_prctl' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'read' }, 'ALLOW')
  // arch_prctl is x86_64-only; the i386 number it would have is some other call
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 172 }, 'ERRNO(1)')
})

test('several rules for one syscall are tried in order; an unconditional rule wins', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 3, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 4, args: [{ index: 1, value: 15, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 6, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 7 },
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 8, args: [{ index: 1, value: 15, op: 'SCMP_CMP_EQ' }] },
    ],
  })
  expectVerdict(t, c, { sys: 'kill', args: [2n, 9n] }, 'ERRNO(3)')
  expectVerdict(t, c, { sys: 'kill', args: [2n, 15n] }, 'ERRNO(4)')
  expectVerdict(t, c, { sys: 'kill', args: [1n, 9n] }, 'ERRNO(3)')
  expectVerdict(t, c, { sys: 'kill', args: [1n, 2n] }, 'ERRNO(5)')
  expectVerdict(t, c, { sys: 'kill', args: [2n, 2n] }, 'ALLOW')
  // libseccomp semantics: once a syscall has an unconditional rule, its conditional rules are gone
  for (const sig of [9n, 15n, 2n]) expectVerdict(t, c, { sys: 'tkill', args: [1n, sig] }, 'ERRNO(7)')
})

test('arguments of one rule are ANDed', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{
      names: ['socket'],
      action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 0, value: 2, op: 'SCMP_CMP_EQ' },
        { index: 1, value: 0xf, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' },
        { index: 2, value: 17, op: 'SCMP_CMP_LE' },
      ],
    }],
  })
  expectVerdict(t, c, { sys: 'socket', args: [2n, 0x801n, 17n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'socket', args: [2n, 1n, 0n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'socket', args: [10n, 1n, 0n] }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'socket', args: [2n, 2n, 0n] }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'socket', args: [2n, 1n, 18n] }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'socket', args: [2n | (1n << 32n), 1n, 0n] }, 'ERRNO(1)')
})

test('several conditions on the same argument are ANDed too (a range)', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [{
      names: ['setuid'],
      action: 'SCMP_ACT_ALLOW',
      args: [{ index: 0, value: 1000, op: 'SCMP_CMP_GE' }, { index: 0, value: 2000, op: 'SCMP_CMP_LT' }],
    }],
  })
  expectVerdict(t, c, { sys: 'setuid', args: [999n] }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'setuid', args: [1000n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'setuid', args: [1999n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'setuid', args: [2000n] }, 'ERRNO(1)')
})

test('a plan carries bytes, size, flags and the listener', (t) => {
  const plan = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] }, 'x64')
  t.is(plan.filter.length, plan.instructions * 8)
  t.is(plan.flags, 0)
  t.false(plan.notify)
  t.is(plan.listenerPath, undefined)
  t.is(decodeProgram(plan.filter).length, plan.instructions)
  // first instruction: ld [4] = code 0x20, k 4, little-endian
  t.deepEqual([...plan.filter.subarray(0, 8)], [0x20, 0, 0, 0, 4, 0, 0, 0])
})

test('flags map to SECCOMP_FILTER_FLAG bits', (t) => {
  const base: SeccompConfig = { defaultAction: 'SCMP_ACT_ALLOW' }
  const plan = compileSeccomp({ ...base, flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }, 'x64')
  t.is(plan.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)
  const notify = compileSeccomp({
    ...base,
    flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', 'SECCOMP_FILTER_FLAG_TSYNC'],
    listenerPath: '/run/agent.sock',
    listenerMetadata: 'hello',
    syscalls: [{ names: ['mount'], action: 'SCMP_ACT_NOTIFY' }],
  }, 'x64')
  t.true(notify.notify)
  t.is(
    notify.flags,
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
  )
  t.is(notify.listenerPath, '/run/agent.sock')
  t.is(notify.listenerMetadata, 'hello')
})

const bad: [string, SeccompConfig, string][] = [
  ['unknown action', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW' }, { names: ['b'], action: 'SCMP_ACT_FOO' }] },
    'linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_FOO"'],
  ['unknown default action', { defaultAction: 'ALLOW' }, 'linux.seccomp.defaultAction: unknown action "ALLOW"'],
  ['unknown operator', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_XX' }] }] },
    'linux.seccomp.syscalls[0].args[0].op: unknown operator "SCMP_CMP_XX"'],
  ['argument index', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] },
    'linux.seccomp.syscalls[0].args[0].index: 6 is not an argument index 0..5'],
  ['negative value', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] },
    'linux.seccomp.syscalls[0].args[0].value: -1 is not an unsigned integer'],
  ['imprecise value', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 2 ** 64, op: 'SCMP_CMP_EQ' }] }] },
    'linux.seccomp.syscalls[0].args[0].value: 18446744073709552000 is above 2^53 and was rounded by JSON parsing; parse the config with 64-bit integers'],
  ['bigint too large', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1n << 64n, op: 'SCMP_CMP_EQ' }] }] },
    'linux.seccomp.syscalls[0].args[0].value: 18446744073709551616 is outside the unsigned 64-bit range'],
  ['unknown arch', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'] },
    'linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_VAX"'],
  ['unknown flag', { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_NOPE'] }, 'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_NOPE"'],
  ['errno too large', { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 5000 }, 'linux.seccomp.defaultErrnoRet: 5000 is not an integer in 0..4095'],
  ['errno on allow', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] },
    'linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not SCMP_ACT_ALLOW'],
  ['empty names', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: [], action: 'SCMP_ACT_ALLOW' }] },
    'linux.seccomp.syscalls[0].names: needs at least one syscall name'],
  ['empty name', { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', ''], action: 'SCMP_ACT_ALLOW' }] },
    'linux.seccomp.syscalls[0].names[1]: not a syscall name'],
  ['notify default', { defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/x' }, 'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action'],
  ['notify write', { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_NOTIFY' }] },
    'linux.seccomp.syscalls[0].names: SCMP_ACT_NOTIFY cannot be used for write'],
  ['notify without listener', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_NOTIFY' }] },
    'linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY'],
  ['killable recv without notify', { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] },
    'linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule'],
]

for (const [title, cfg, message] of bad) {
  test(`rejects: ${title}`, (t) => {
    const error = t.throws(() => compileSeccomp(cfg, 'x64'), { instanceOf: SeccompError })
    t.is(error?.message, message)
  })
}

test('rejects an unsupported host architecture', (t) => {
  t.throws(() => compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, 'loong64'), {
    instanceOf: SeccompError,
    message: 'linux.seccomp: no seccomp support for host architecture "loong64"',
  })
})
