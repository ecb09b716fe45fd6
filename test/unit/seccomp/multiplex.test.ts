import test from 'ava'
import type { SeccompConfig } from '../../../src/seccomp/types'
import { compile, expectVerdict } from './harness'

const denySockets: SeccompConfig = {
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  syscalls: [
    { names: ['socket', 'shmget'], action: 'SCMP_ACT_ERRNO' },
    { names: ['connect'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 0, value: 3, op: 'SCMP_CMP_EQ' }, { index: 2, value: 16, op: 'SCMP_CMP_EQ' }] },
  ],
}

test('a denied socket call is also denied through socketcall on i386', (t) => {
  const c = compile(denySockets)
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socket' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall', args: [1n] }, 'ERRNO(1)') // SYS_SOCKET
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall', args: [2n] }, 'ALLOW') // SYS_BIND
  expectVerdict(t, c, { sys: 'socket' }, 'ERRNO(1)')
})

test('ipc(2) is matched on its low 16 bits (the kernel ignores the version above them)', (t) => {
  const c = compile(denySockets)
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'ipc', args: [23n] }, 'ERRNO(1)') // SHMGET
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'ipc', args: [0x10017n] }, 'ERRNO(1)') // version 1
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'ipc', args: [21n] }, 'ALLOW') // SHMAT
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'shmget' }, 'ERRNO(1)')
})

test('the multiplexed rule replaces argument 0 with the call number and keeps the rest', (t) => {
  const c = compile(denySockets)
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'connect', args: [3n, 0n, 16n] }, 'ERRNO(13)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'connect', args: [4n, 0n, 16n] }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall', args: [3n, 0n, 16n] }, 'ERRNO(13)') // SYS_CONNECT
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall', args: [3n, 0n, 17n] }, 'ALLOW')
})

test('s390x: socketcall is matched on the 32-bit int the kernel reads', (t) => {
  const c = compile({ ...denySockets, architectures: ['SCMP_ARCH_S390X'] }, 's390x')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_S390X', sys: 'socketcall', args: [1n] }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_S390X', sys: 'socketcall', args: [0x1_0000_0001n] }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_S390X', sys: 'socket' }, 'ERRNO(1)')
})

test('an allowed socketcall stays allowed whatever the socket rules say', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: ['SCMP_ARCH_X86'],
    syscalls: [{ names: ['socketcall'], action: 'SCMP_ACT_ALLOW' }, { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2, op: 'SCMP_CMP_EQ' }] }],
  })
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall', args: [5n] }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socket', args: [2n] }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socket', args: [10n] }, 'ERRNO(1)')
})
