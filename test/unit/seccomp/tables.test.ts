import { existsSync, readFileSync } from 'node:fs'
import test from 'ava'
import { SECCOMP_ARCHES, X32_SYSCALL_BIT } from '../../../src/seccomp/arches'
import { syscallName, syscallNumber } from '../../../src/seccomp/index'
import { SYSCALL_TABLES } from '../../../src/seccomp/tables/index'

test('syscallNumber knows the common calls on each ABI', (t) => {
  const expected: [string, string, number][] = [
    ['SCMP_ARCH_X86_64', 'read', 0],
    ['SCMP_ARCH_X86_64', 'openat', 257],
    ['SCMP_ARCH_X86_64', 'clone3', 435],
    ['SCMP_ARCH_X86_64', 'getppid', 110],
    ['SCMP_ARCH_X86_64', 'mseal', 462],
    ['SCMP_ARCH_X86', 'socketcall', 102],
    ['SCMP_ARCH_X86', 'clock_settime64', 404],
    ['SCMP_ARCH_X32', 'read', X32_SYSCALL_BIT + 0],
    ['SCMP_ARCH_X32', 'execve', X32_SYSCALL_BIT + 520],
    ['SCMP_ARCH_AARCH64', 'openat', 56],
    ['SCMP_ARCH_AARCH64', 'clone3', 435],
    ['SCMP_ARCH_RISCV64', 'riscv_flush_icache', 259],
    ['SCMP_ARCH_ARM', 'cacheflush', 0xf0002],
    ['SCMP_ARCH_MIPSEL', 'read', 4003],
    ['SCMP_ARCH_MIPSEL64', 'read', 5000],
    ['SCMP_ARCH_MIPSEL64N32', 'read', 6000],
    ['SCMP_ARCH_S390X', 'read', 3],
    ['SCMP_ARCH_PPC64LE', 'read', 3],
  ]
  for (const [arch, name, nr] of expected) t.is(syscallNumber(arch, name), nr, `${arch} ${name}`)
  t.is(syscallName('SCMP_ARCH_X86_64', 110), 'getppid')
})

test('syscallNumber: unknown names, ABIs and object keys are undefined', (t) => {
  t.is(syscallNumber('SCMP_ARCH_X86_64', 'socketcall'), undefined)
  t.is(syscallNumber('SCMP_ARCH_AARCH64', 'open'), undefined)
  t.is(syscallNumber('SCMP_ARCH_X86_64', 'no_such_call'), undefined)
  t.is(syscallNumber('SCMP_ARCH_VAX', 'read'), undefined)
  for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) t.is(syscallNumber('SCMP_ARCH_X86_64', key), undefined)
})

test('tables map names to distinct numbers in each ABI range', (t) => {
  for (const [name, table] of Object.entries(SYSCALL_TABLES)) {
    const numbers = Object.values(table)
    t.is(new Set(numbers).size, numbers.length, `${name}: duplicate numbers`)
    t.true(numbers.length > 300, `${name}: ${numbers.length} syscalls`)
    const min = name === 'x32' ? X32_SYSCALL_BIT : name === 'mips' ? 4000 : name === 'mips64' ? 5000 : name === 'mips64n32' ? 6000 : 0
    t.true(numbers.every((n) => Number.isInteger(n) && n >= min && n < min + 0x100000), `${name}: numbers in range`)
  }
  t.is(SECCOMP_ARCHES.length, 19)
})

/** The generated x86 tables agree with the installed kernel headers (when present). */
for (const [table, header] of [
  ['x86_64', '/usr/include/x86_64-linux-gnu/asm/unistd_64.h'],
  ['i386', '/usr/include/x86_64-linux-gnu/asm/unistd_32.h'],
  ['x32', '/usr/include/x86_64-linux-gnu/asm/unistd_x32.h'],
] as const) {
  const run = existsSync(header) ? test : test.skip
  run(`${table} table contains every call of ${header}${existsSync(header) ? '' : ' (skipped: requires linux-libc-dev headers)'}`, (t) => {
    const entries = [...readFileSync(header, 'utf8').matchAll(/^#define __NR_(\w+)\s+\(?(?:__X32_SYSCALL_BIT \+ )?(\d+)\)?/gm)]
    t.true(entries.length > 300)
    for (const [, name, nr] of entries) {
      const want = Number(nr) + (table === 'x32' ? X32_SYSCALL_BIT : 0)
      t.is(SYSCALL_TABLES[table][name as string], want, `${table} ${name}`)
    }
  })
}
