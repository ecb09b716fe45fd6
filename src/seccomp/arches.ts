import { SeccompError } from './seccomp-error'
import { syscallTable, type SyscallTable, type SyscallTableName } from './tables/index'

/** x32 system calls arrive on x86_64 (same AUDIT_ARCH) with this bit set in nr. */
export const X32_SYSCALL_BIT = 0x40000000

const AUDIT_ARCH_64BIT = 0x80000000
const AUDIT_ARCH_LE = 0x40000000
const AUDIT_ARCH_MIPS64_N32 = 0x20000000

export interface ArchInfo {
  /** OCI name, e.g. SCMP_ARCH_X86_64. */
  readonly name: string
  /** AUDIT_ARCH_* value the kernel puts in seccomp_data.arch. */
  readonly auditArch: number
  readonly tableName: SyscallTableName
  /** Argument width: 32-bit ABIs compare only the low word of an argument, as libseccomp does. */
  readonly bits: 32 | 64
  readonly littleEndian: boolean
  /**
   * The syscall numbers this ABI owns within its AUDIT_ARCH: x86_64 and x32 split on
   * X32_SYSCALL_BIT, except that nr -1 (a tracer skipping a call) stays with x86_64, as in
   * libseccomp. Where two listed ABIs claim a number, the one listed first (native) has it.
   */
  readonly nrRanges: readonly NrRange[]
}

export type NrRange = readonly [first: number, last: number]

const NR_MAX = 0xffffffff
const ALL: readonly NrRange[] = [[0, NR_MAX]]

function arch(name: string, machine: number, flags: number, tableName: SyscallTableName, nrRanges = ALL): ArchInfo {
  return {
    name,
    auditArch: (machine | flags) >>> 0,
    tableName,
    bits: (flags & AUDIT_ARCH_64BIT) !== 0 && name !== 'SCMP_ARCH_X32' ? 64 : 32,
    littleEndian: (flags & AUDIT_ARCH_LE) !== 0,
    nrRanges,
  }
}

const B64 = AUDIT_ARCH_64BIT
const LE = AUDIT_ARCH_LE
// ELF machine numbers: EM_386 3, EM_MIPS 8, EM_PARISC 15, EM_PPC 20, EM_PPC64 21, EM_S390 22,
// EM_ARM 40, EM_X86_64 62, EM_AARCH64 183, EM_RISCV 243
const ARCHES: readonly ArchInfo[] = [
  arch('SCMP_ARCH_X86', 3, LE, 'i386'),
  arch('SCMP_ARCH_X86_64', 62, B64 | LE, 'x86_64', [[0, X32_SYSCALL_BIT - 1], [NR_MAX, NR_MAX]]),
  arch('SCMP_ARCH_X32', 62, B64 | LE, 'x32', [[X32_SYSCALL_BIT, NR_MAX]]),
  arch('SCMP_ARCH_ARM', 40, LE, 'arm'),
  arch('SCMP_ARCH_AARCH64', 183, B64 | LE, 'aarch64'),
  arch('SCMP_ARCH_MIPS', 8, 0, 'mips'),
  arch('SCMP_ARCH_MIPSEL', 8, LE, 'mips'),
  arch('SCMP_ARCH_MIPS64', 8, B64, 'mips64'),
  arch('SCMP_ARCH_MIPSEL64', 8, B64 | LE, 'mips64'),
  arch('SCMP_ARCH_MIPS64N32', 8, B64 | AUDIT_ARCH_MIPS64_N32, 'mips64n32'),
  arch('SCMP_ARCH_MIPSEL64N32', 8, B64 | LE | AUDIT_ARCH_MIPS64_N32, 'mips64n32'),
  arch('SCMP_ARCH_PPC', 20, 0, 'ppc'),
  arch('SCMP_ARCH_PPC64', 21, B64, 'ppc64'),
  arch('SCMP_ARCH_PPC64LE', 21, B64 | LE, 'ppc64'),
  arch('SCMP_ARCH_S390', 22, 0, 's390'),
  arch('SCMP_ARCH_S390X', 22, B64, 's390x'),
  arch('SCMP_ARCH_PARISC', 15, 0, 'parisc'),
  arch('SCMP_ARCH_PARISC64', 15, B64, 'parisc64'),
  arch('SCMP_ARCH_RISCV64', 243, B64 | LE, 'riscv64'),
]

const BY_NAME = new Map(ARCHES.map((a) => [a.name, a]))

/** The OCI architecture names tsrun has syscall tables for. */
export const SECCOMP_ARCHES: readonly string[] = ARCHES.map((a) => a.name)

/** Node's process.arch → the OCI name of the native ABI. */
const NODE_ARCHES: Record<string, string> = {
  x64: 'SCMP_ARCH_X86_64',
  ia32: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390x: 'SCMP_ARCH_S390X',
  s390: 'SCMP_ARCH_S390',
  ppc64: 'SCMP_ARCH_PPC64LE', // Node supports only little-endian ppc64 on Linux
  ppc: 'SCMP_ARCH_PPC',
  mips: 'SCMP_ARCH_MIPS',
  mipsel: 'SCMP_ARCH_MIPSEL',
  mips64el: 'SCMP_ARCH_MIPSEL64',
}

export function archInfo(name: string): ArchInfo | undefined {
  return BY_NAME.get(name)
}

/** The native ABI for a Node `process.arch` value. */
export function nativeArch(hostArch: string): ArchInfo {
  const name = NODE_ARCHES[hostArch]
  const info = name === undefined ? undefined : BY_NAME.get(name)
  if (info === undefined) throw new SeccompError('linux.seccomp', `no seccomp support for host architecture ${JSON.stringify(hostArch)}`)
  return info
}

export function archTable(info: ArchInfo): SyscallTable {
  return syscallTable(info.tableName)
}
