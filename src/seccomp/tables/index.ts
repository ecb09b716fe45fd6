import type { SyscallTable } from './syscall-table'

export type { SyscallTable } from './syscall-table'

const NAMES = ['x86_64', 'i386', 'x32', 'aarch64', 'riscv64', 'arm', 's390x', 's390', 'ppc64', 'ppc', 'mips', 'mips64',
  'mips64n32', 'parisc', 'parisc64'] as const

export type SyscallTableName = (typeof NAMES)[number]

/* eslint-disable @typescript-eslint/no-require-imports */
// Loaded on first use: the tables are most of the seccomp code, and a container needs one or two of them.
const LOADERS: Record<SyscallTableName, () => SyscallTable> = {
  x86_64: () => require('./x86_64').x86_64, i386: () => require('./i386').i386, x32: () => require('./x32').x32,
  aarch64: () => require('./aarch64').aarch64, riscv64: () => require('./riscv64').riscv64, arm: () => require('./arm').arm,
  s390x: () => require('./s390x').s390x, s390: () => require('./s390').s390, ppc64: () => require('./ppc64').ppc64,
  ppc: () => require('./ppc').ppc, mips: () => require('./mips').mips, mips64: () => require('./mips64').mips64,
  mips64n32: () => require('./mips64n32').mips64n32, parisc: () => require('./parisc').parisc,
  parisc64: () => require('./parisc64').parisc64,
}
/* eslint-enable @typescript-eslint/no-require-imports */

const loaded = new Map<SyscallTableName, SyscallTable>()

/** The generated table of one ABI. */
export function syscallTable(name: SyscallTableName): SyscallTable {
  let t = loaded.get(name)
  if (!t) { t = LOADERS[name](); loaded.set(name, t) }
  return t
}

/** Every generated table, by ABI name (loads them all: for tests and tools). */
export const SYSCALL_TABLES: { readonly [K in SyscallTableName]: SyscallTable } = Object.defineProperties({}, Object.fromEntries(
  NAMES.map((n) => [n, { enumerable: true, get: () => syscallTable(n) }]),
)) as { readonly [K in SyscallTableName]: SyscallTable }
