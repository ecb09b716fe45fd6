import { readFileSync } from 'node:fs'
import test from 'ava'
import { compileSeccomp, X32_SYSCALL_BIT } from '../../../src/seccomp/index'
import type { SeccompConfig } from '../../../src/seccomp/types'
import { compile, expectVerdict } from './harness'

function clientProfile(file: string): SeccompConfig {
  return JSON.parse(readFileSync(`/work/shared/client-configs/${file}`, 'utf8')).linux.seccomp
}

const docker = clientProfile('docker-create-config.json')
const podman = clientProfile('podman-create-config.json')

test('docker and podman profiles compile to plans within the kernel limit', (t) => {
  for (const [name, cfg] of [['docker', docker], ['podman', podman]] as const) {
    const plan = compileSeccomp(cfg, 'x64')
    t.log(`${name}: ${plan.instructions} instructions, flags ${plan.flags}`)
    t.true(plan.instructions > 100 && plan.instructions < 4096)
    t.is(plan.flags, 0)
    t.false(plan.notify)
  }
  // the same profiles on an arm64 host (the x86 ABIs they list become extra ABIs)
  t.true(compileSeccomp(docker, 'arm64').instructions > 100)
})

test('docker: default ERRNO(EPERM), allow list, argument rules', (t) => {
  const c = compile(docker)
  // no defaultErrnoRet: EPERM
  expectVerdict(t, c, { sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'unshare' }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'kexec_load' }, 'ERRNO(1)')
  // runc's ENOSYS stub: calls newer than the newest the profile names (futex_waitv, 449) get
  // ENOSYS, so libc falls back; older unlisted calls keep the default
  expectVerdict(t, c, { sys: 'futex_waitv' }, 'ALLOW')
  for (const sys of ['set_mempolicy_home_node', 'fchmodat2', 'mseal', 1000]) expectVerdict(t, c, { sys }, 'ERRNO(38)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'fchmodat2' }, 'ERRNO(38)')
  // x32 numbers its compat calls 512..547, so 452 is below x32's highest named call
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'fchmodat2' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: X32_SYSCALL_BIT + 600 }, 'ERRNO(38)')
  expectVerdict(t, c, { sys: 0xffffffff }, 'ERRNO(1)') // nr -1 goes to the filter proper, as in runc
  const plain = compile(docker, 'x64', { enosysStub: false })
  expectVerdict(t, plain, { sys: 'fchmodat2' }, 'ERRNO(1)')
  for (const sys of ['read', 'write', 'openat', 'execve', 'exit_group', 'ptrace', 'statx', 'close_range', 'arch_prctl']) {
    expectVerdict(t, c, { sys }, 'ALLOW')
  }
  // clone3 is answered with ENOSYS so libc falls back to clone
  expectVerdict(t, c, { sys: 'clone3' }, 'ERRNO(38)')
  // clone without namespace flags only (mask 0x7e020000 must be clear)
  expectVerdict(t, c, { sys: 'clone', args: [0x01200011n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'clone', args: [0x10000000n] }, 'ERRNO(1)') // CLONE_NEWUSER
  expectVerdict(t, c, { sys: 'clone', args: [0x00020000n] }, 'ERRNO(1)') // CLONE_NEWNS
  // personality: only the listed personas
  for (const persona of [0n, 8n, 0x20000n, 0x20008n, 0xffffffffn]) expectVerdict(t, c, { sys: 'personality', args: [persona] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'personality', args: [0x0400000n] }, 'ERRNO(1)')
  expectVerdict(t, c, { sys: 'personality', args: [0x1_0000_0000n] }, 'ERRNO(1)')
  // the listed compat ABIs get the same list; unlisted ones are killed
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'socketcall' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: '_llseek' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'read' }, 'ALLOW')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X32', sys: 'mount' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_AARCH64', sys: 'read' }, 'KILL_PROCESS')
})

test('podman: default ERRNO(ENOSYS), explicit EPERM denials', (t) => {
  const c = compile(podman)
  expectVerdict(t, c, { sys: 1000 }, 'ERRNO(38)')
  for (const sys of ['bpf', 'kexec_load', 'init_module', 'open_by_handle_at', 'clock_settime', 'kcmp', 'iopl', 'acct']) {
    expectVerdict(t, c, { sys }, 'ERRNO(1)')
  }
  // podman resolves capabilities into the profile: this config allows mount and friends
  for (const sys of ['read', 'mount', 'unshare', 'setns', 'clone', 'clone3', 'socket', 'keyctl']) expectVerdict(t, c, { sys }, 'ALLOW')
  expectVerdict(t, c, { sys: 'personality', args: [8n] }, 'ALLOW')
  expectVerdict(t, c, { sys: 'personality', args: [9n] }, 'ERRNO(38)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'stime' }, 'ERRNO(1)')
  expectVerdict(t, c, { arch: 'SCMP_ARCH_X86', sys: 'clock_settime64' }, 'ERRNO(1)')
})
