import { readFileSync } from 'node:fs'
import test from 'ava'
import { compileSeccomp, SeccompError } from '../../../src/seccomp/index'
import type { LinuxSeccomp } from '../../../src/spec/types-linux'

// The compiler takes a structural type; the canonical spec type must stay assignable to it.

test('the spec\'s LinuxSeccomp compiles as is', (t) => {
  const cfg: LinuxSeccomp = JSON.parse(readFileSync('/work/shared/client-configs/podman-create-config.json', 'utf8')).linux.seccomp
  t.true(compileSeccomp(cfg, 'x64').instructions > 0)
})

test('OCI architectures without a syscall table are refused by name', (t) => {
  const cfg: LinuxSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_LOONGARCH64'] }
  t.throws(() => compileSeccomp(cfg, 'x64'), {
    instanceOf: SeccompError,
    message: 'linux.seccomp.architectures[1]: tsrun has no syscall table for "SCMP_ARCH_LOONGARCH64"',
  })
})
