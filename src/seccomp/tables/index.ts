import { aarch64 } from './aarch64'
import { arm } from './arm'
import { i386 } from './i386'
import { mips } from './mips'
import { mips64 } from './mips64'
import { mips64n32 } from './mips64n32'
import { parisc } from './parisc'
import { parisc64 } from './parisc64'
import { ppc } from './ppc'
import { ppc64 } from './ppc64'
import { riscv64 } from './riscv64'
import { s390 } from './s390'
import { s390x } from './s390x'
import type { SyscallTable } from './syscall-table'
import { x32 } from './x32'
import { x86_64 } from './x86_64'

export type { SyscallTable } from './syscall-table'

/** Every generated table, by ABI name. */
export const SYSCALL_TABLES = {
  x86_64, i386, x32, aarch64, riscv64, arm, s390x, s390, ppc64, ppc, mips, mips64, mips64n32, parisc, parisc64,
} as const satisfies Record<string, SyscallTable>

export type SyscallTableName = keyof typeof SYSCALL_TABLES
