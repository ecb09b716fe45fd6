import test from 'ava'
import { runSeccompFilter } from '../../../src/bpf/seccomp-data'
import { archInfo, nativeArch, SECCOMP_ARCHES, X32_SYSCALL_BIT } from '../../../src/seccomp/arches'
import { compileSeccomp } from '../../../src/seccomp/index'
import { decodeVerdict } from '../../../src/seccomp/verdict'
import { compile, expectVerdict } from './harness'

const allowRead = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'open'], action: 'SCMP_ACT_ALLOW' }] }

test('a call from an ABI the filter does not list is KILL_PROCESS', (t) => {
  const c = compile(allowRead)
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'read' }, 'KILL_PROCESS')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'read' }, 'KILL_PROCESS')
  const result = runSeccompFilter(c.program, { nr: 0, arch: 0x12345678 })
  t.is(decodeVerdict(result.value).action, 'KILL_PROCESS')
})

test('the native ABI is always filtered, even when architectures omits it', (t) => {
  const c = compile({ ...allowRead, architectures: ['SCMP_ARCH_X86'] })
  t.deepEqual(c.policy.arches.map((a) => a.arch.name), ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'])
  expectVerdict(t, c, { sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'write' }, 'ERRNO(1)')
})

test('x32 calls on x86_64 are KILL_PROCESS when x32 is not listed', (t) => {
  const c = compile({ ...allowRead, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'] })
  // read on x32 is nr 0x40000000 with AUDIT_ARCH_X86_64: an allow list for x86_64 must not let it through
  expectVerdict(t, c, { sys: X32_SYSCALL_BIT + 0 }, 'KILL_PROCESS')
  expectVerdict(t, c, { sys: X32_SYSCALL_BIT + 2 }, 'KILL_PROCESS')
  expectVerdict(t, c, { sys: 'write' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 0x3fffffff }, 'ERRNO(38)') // runc's ENOSYS stub: above every named call
  // and a default-allow filter cannot be bypassed through x32 either
  const deny = compile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] })
  expectVerdict(t, deny, { arch: 'SCMP_ARCH_X32', sys: 'mount' }, 'KILL_PROCESS')
})

test('x32 listed: x32 numbers get the x32 rules', (t) => {
  const c = compile({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
    syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }, { names: ['open'], action: 'SCMP_ACT_ERRNO', errnoRet: 2 }],
  })
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'open' }, 'ERRNO(2)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'read' }, 'ALLOW')
  // x32 and x86_64 share AUDIT_ARCH_X86_64: a single arch check covers both
  t.is(c.program.filter((ins) => ins.code === 0x15 && ins.k === 0xc000003e).length, 1)
})

test('x32 alone on an x86_64 host still filters native calls', (t) => {
  const c = compile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X32'], syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] })
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'mount' }, 'ERRNO(1)')
})

test('aarch64 host with arm compat', (t) => {
  const c = compile({ ...allowRead, syscalls: [{ names: ['read', 'openat'], action: 'SCMP_ACT_ALLOW' }], architectures: ['SCMP_ARCH_ARM'] }, 'arm64')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'openat' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'write' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_ARM', sys: 'openat' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86_64', sys: 'read' }, 'KILL_PROCESS')
})

test('big-endian hosts get big-endian filter bytes', (t) => {
  const plan = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW' }, 's390x')
  // ld [4]: code 0x0020, k 4, both big-endian
  t.deepEqual([...plan.filter.subarray(0, 8)], [0, 0x20, 0, 0, 0, 0, 0, 4])
})

test('every OCI architecture has an audit value, a table and a known byte order', (t) => {
  const seen = new Set<number>()
  for (const name of SECCOMP_ARCHES) {
    const info = archInfo(name)
    if (!info) return t.fail(name)
    if (name !== 'SCMP_ARCH_X32') {
      t.false(seen.has(info.auditArch), `${name} audit arch is unique`)
      seen.add(info.auditArch)
    }
    const c = compile({ defaultAction: 'SCMP_ACT_ALLOW', architectures: [name], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO' }] })
    expectVerdict(t, c, { arch: name, sys: 'read' }, 'ERRNO(1)')
  }
  t.is(archInfo('SCMP_ARCH_X86_64')?.auditArch, 0xc000003e)
  t.is(archInfo('SCMP_ARCH_X86')?.auditArch, 0x40000003)
  t.is(archInfo('SCMP_ARCH_AARCH64')?.auditArch, 0xc00000b7)
  t.is(archInfo('SCMP_ARCH_RISCV64')?.auditArch, 0xc00000f3)
  t.is(archInfo('SCMP_ARCH_S390X')?.auditArch, 0x80000016)
  t.is(archInfo('SCMP_ARCH_PPC64LE')?.auditArch, 0xc0000015)
  t.is(archInfo('SCMP_ARCH_MIPSEL64N32')?.auditArch, 0xe0000008)
  t.is(nativeArch('x64').name, 'SCMP_ARCH_X86_64')
  t.is(nativeArch('arm64').name, 'SCMP_ARCH_AARCH64')
})
