import { readFileSync } from 'node:fs'
import test from 'ava'
import type { SeccompData } from '../../../src/bpf/seccomp-data'
import { archInfo, X32_SYSCALL_BIT } from '../../../src/seccomp/arches'
import { type CompiledSeccomp, disassembleSeccomp } from '../../../src/seccomp/compile'
import { SECCOMP_OPERATORS } from '../../../src/seccomp/operators'
import type { SeccompConfig, SeccompSyscallConfig } from '../../../src/seccomp/types'
import { compile } from './harness'
import { compareVerdicts, formatMismatch, libseccompExporter } from './libseccomp'

const exporter = libseccompExporter()
const differential = exporter.ok ? test : test.skip
const skipNote = exporter.ok ? '' : ` (skipped: ${exporter.reason})`

const U64 = (1n << 64n) - 1n
const BOUNDARIES = [
  0n, 1n, 8n, 0x20000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0008n,
  0x7e020000n, 0x10000000n, 0xffff_ffff_0000_0000n, 0x8000_0000_0000_0000n, U64,
]

/** A small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s
  }
}

/**
 * Every syscall number 0..1099 (and the x32 ones) for each listed ABI and one foreign ABI, with
 * zero arguments; then, for every syscall that has argument rules, argument vectors built from
 * the rule values, their neighbours and 64-bit boundary values.
 */
function* inputs(compiled: CompiledSeccomp): Generator<SeccompData> {
  const audits = [...new Set(compiled.policy.arches.map((a) => a.arch.auditArch)), archInfo('SCMP_ARCH_AARCH64')!.auditArch, 0]
  const nrs = new Set<number>()
  for (let n = 0; n < 1100; n++) nrs.add(n).add(X32_SYSCALL_BIT + n)
  for (const n of [X32_SYSCALL_BIT - 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]) nrs.add(n)
  for (const arch of audits) for (const nr of nrs) yield { nr, arch }

  const next = rng(42)
  for (const { arch, syscalls } of compiled.policy.arches) {
    for (const [nr, decision] of syscalls) {
      if (decision.kind !== 'rules') continue
      const candidates: bigint[][] = Array.from({ length: 6 }, () => [0n])
      for (const rule of decision.rules) {
        for (const c of rule.conditions) {
          const v = c.value
          candidates[c.index]!.push(...[v, v - 1n, v + 1n, c.valueTwo, v ^ (1n << 32n), v | c.valueTwo, ~v].map((x) => x & U64))
        }
      }
      for (let i = 0; i < 6; i++) if (candidates[i]!.length > 1) candidates[i]!.push(...BOUNDARIES)
      for (let i = 0; i < 6; i++) {
        for (const value of candidates[i]!) {
          const args = [0n, 0n, 0n, 0n, 0n, 0n]
          args[i] = value
          yield { nr, arch: arch.auditArch, args }
        }
      }
      for (let k = 0; k < 300; k++) {
        yield { nr, arch: arch.auditArch, args: candidates.map((list) => list[next() % list.length]!) }
      }
    }
  }
}

function differ(t: import('ava').ExecutionContext, cfg: SeccompConfig, hostArch = 'x64'): void {
  if (!exporter.ok) return
  // libseccomp alone: runc's ENOSYS stub is runc's, not libseccomp's (enosys.test.ts covers it)
  const ours = compile(cfg, hostArch, { enosysStub: false })
  const theirs = exporter.run(cfg, hostArch)
  const { compared, mismatches } = compareVerdicts(ours.program, theirs, inputs(ours), ours.littleEndian)
  t.log(`${compared} inputs compared; tsrun ${ours.program.length} instructions, libseccomp ${theirs.length}`)
  if (mismatches.length === 0) {
    t.pass()
    return
  }
  t.fail(
    `${mismatches.length} of ${compared} verdicts differ from libseccomp:\n` +
      mismatches.slice(0, 10).map(formatMismatch).join('\n') +
      `\n--- tsrun\n${disassembleSeccomp(ours.program)}\n--- libseccomp\n${disassembleSeccomp(theirs)}`,
  )
}

function clientProfile(file: string): SeccompConfig {
  return JSON.parse(readFileSync(`/work/shared/client-configs/${file}`, 'utf8')).linux.seccomp
}

differential(`docker's default profile decides like libseccomp${skipNote}`, (t) => {
  differ(t, clientProfile('docker-create-config.json'))
})

differential(`podman's default profile decides like libseccomp${skipNote}`, (t) => {
  differ(t, clientProfile('podman-create-config.json'))
})

differential(`every operator, 64-bit boundary values, three x86 ABIs, like libseccomp${skipNote}`, (t) => {
  const values = [0n, 1n, 0x7fffffffn, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0001n, 0xffff_ffff_0000_0000n, 0x8000_0000_0000_0000n, U64 - 1n]
  const names = ['read', 'write', 'open', 'close', 'ioctl', 'mmap', 'mprotect', 'munmap', 'brk', 'lseek', 'pread64', 'pwrite64', 'access', 'pipe', 'dup', 'dup2', 'getpid', 'socket', 'connect', 'accept', 'sendto', 'recvfrom', 'bind', 'listen', 'kill', 'uname', 'fcntl', 'flock', 'fsync', 'truncate', 'getcwd', 'chdir', 'rename', 'mkdir', 'rmdir', 'creat', 'link', 'unlink', 'symlink', 'readlink', 'chmod', 'chown', 'umask', 'getuid', 'setuid', 'setgid', 'getgid', 'geteuid', 'getegid', 'setpgid', 'getppid', 'getpgrp', 'setsid', 'setreuid', 'setregid', 'getgroups', 'setgroups', 'setresuid', 'getresuid', 'setresgid', 'getresgid', 'getpgid', 'setfsuid']
  const syscalls: SeccompSyscallConfig[] = []
  let n = 0
  for (const op of SECCOMP_OPERATORS) {
    for (const value of values) {
      const name = names[n++ % names.length]!
      const args = op === 'SCMP_CMP_MASKED_EQ'
        ? [{ index: n % 6, op, value, valueTwo: value & 0xffff_0000_ffffn }]
        : [{ index: n % 6, op, value }]
      syscalls.push({ names: [name], action: n % 2 ? 'SCMP_ACT_ALLOW' : 'SCMP_ACT_TRAP', args })
    }
  }
  // ANDed conditions on several arguments, and ORed rules with one action
  syscalls.push({ names: ['prctl'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 4 }, { index: 1, op: 'SCMP_CMP_GT', value: 0x1_0000_0000 }, { index: 2, op: 'SCMP_CMP_MASKED_EQ', value: 0xff, valueTwo: 0x12 }] })
  syscalls.push({ names: ['madvise'], action: 'SCMP_ACT_LOG', args: [{ index: 2, op: 'SCMP_CMP_EQ', value: 4 }] })
  syscalls.push({ names: ['madvise'], action: 'SCMP_ACT_LOG', args: [{ index: 2, op: 'SCMP_CMP_LE', value: 1 }] })
  syscalls.push({ names: ['exit_group', 'exit', 'rt_sigreturn'], action: 'SCMP_ACT_ALLOW' })
  differ(t, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'], syscalls })
})

differential(`default allow with denials, x86_64 only (x32 calls killed), like libseccomp${skipNote}`, (t) => {
  differ(t, {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['mount', 'umount2', 'kexec_load', 'socketcall', 'no_such_call'], action: 'SCMP_ACT_ERRNO' },
      { names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x10000000, valueTwo: 0x10000000 }] },
    ],
  })
})

differential(`conditional and unconditional rules on one syscall combine like libseccomp${skipNote}`, (t) => {
  // libseccomp drops a syscall's conditional rules once it has an unconditional one, and
  // ignores conditional rules added after it
  differ(t, {
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 6, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 7 },
      { names: ['tkill'], action: 'SCMP_ACT_ERRNO', errnoRet: 8, args: [{ index: 1, value: 15, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 3, args: [{ index: 1, value: 9, op: 'SCMP_CMP_EQ' }] },
      { names: ['kill'], action: 'SCMP_ACT_ERRNO', errnoRet: 5, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
    ],
  })
})

differential(`socket and IPC calls are also filtered through socketcall/ipc, like libseccomp${skipNote}`, (t) => {
  differ(t, {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
    syscalls: [
      { names: ['socket', 'shmget', 'semop', 'sendmmsg'], action: 'SCMP_ACT_ERRNO' },
      { names: ['connect'], action: 'SCMP_ACT_ERRNO', errnoRet: 13, args: [{ index: 0, value: 3, op: 'SCMP_CMP_EQ' }, { index: 2, value: 16, op: 'SCMP_CMP_EQ' }] },
      { names: ['bind'], action: 'SCMP_ACT_LOG', args: [{ index: 1, value: 0x1000, op: 'SCMP_CMP_GE' }] },
    ],
  })
})
