import test from 'ava'
import { X32_SYSCALL_BIT } from '../../../src/seccomp/arches'
import type { SeccompConfig } from '../../../src/seccomp/types'
import { compile, expectVerdict } from './harness'

// runc (libcontainer/seccomp/patchbpf) prepends a stub to libseccomp's filter: for each ABI in
// `architectures`, a syscall numbered above the highest one the profile names returns ENOSYS.

const profile: SeccompConfig = {
  defaultAction: 'SCMP_ACT_ERRNO',
  architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  syscalls: [
    { names: ['read', 'write', 'openat'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ERRNO' }, // same as the default, but still "named"
  ],
}

test('above the highest named syscall: ENOSYS; below: the default', (t) => {
  const c = compile(profile)
  // x86_64: openat (257) is the highest named
  expectVerdict(t, c, { sys: 'openat' }, 'ALLOW')
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 200 }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 258 }, 'ERRNO(38)')
  expectVerdict(t, c, { sys: 'clone3' }, 'ERRNO(38)')
  // i386: mount (21) < read, write; openat is 295
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 295 }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 296 }, 'ERRNO(38)')
  // x32 has its own highest number
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'openat' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'clone3' }, 'ERRNO(38)')
  expectVerdict(t, c, { sys: X32_SYSCALL_BIT + 100 }, 'ERRNO(1)')
  // other ABIs are still killed
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'read' }, 'KILL_PROCESS')
})

test('no stub when the default lets calls through, or already says ENOSYS', (t) => {
  for (const defaultAction of ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']) {
    const c = compile({ ...profile, defaultAction, syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] })
    t.is(c.policy.arches.filter((a) => a.enosysAbove !== undefined).length, 0, defaultAction)
  }
  const enosys = compile({ ...profile, defaultErrnoRet: 38 })
  t.is(enosys.policy.arches.filter((a) => a.enosysAbove !== undefined).length, 0)
  expectVerdict(t, enosys, { sys: 300 }, 'ERRNO(38)')
  expectVerdict(t, enosys, { sys: 200 }, 'ERRNO(38)')
})

test('stub even for KILL defaults (runc does the same)', (t) => {
  const c = compile({ ...profile, defaultAction: 'SCMP_ACT_KILL_PROCESS' })
  expectVerdict(t, c, { sys: 200 }, 'KILL_PROCESS')
  expectVerdict(t, c, { sys: 300 }, 'ERRNO(38)')
})

test('only for ABIs listed in architectures', (t) => {
  const c = compile({ ...profile, architectures: undefined })
  t.is(c.policy.arches[0]?.enosysAbove, undefined)
  expectVerdict(t, c, { sys: 300 }, 'ERRNO(1)')
})

test('s390x: nr 0 (the multiplexer for large numbers) returns ENOSYS', (t) => {
  const c = compile({ ...profile, architectures: ['SCMP_ARCH_S390X'] }, 's390x')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_S390X', sys: 0 }, 'ERRNO(38)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_S390X', sys: 'read' }, 'ALLOW')
})

test('can be turned off', (t) => {
  const c = compile(profile, 'x64', { enosysStub: false })
  expectVerdict(t, c, { sys: 300 }, 'ERRNO(1)')
})
