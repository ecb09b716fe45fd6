import { archInfo, archTable } from './arches'

/**
 * The number of syscall `name` on OCI architecture `arch` (e.g. "SCMP_ARCH_X86_64"), or
 * undefined when the ABI has no such call. x32 numbers include __X32_SYSCALL_BIT.
 */
export function syscallNumber(arch: string, name: string): number | undefined {
  const info = archInfo(arch)
  if (info === undefined) return undefined
  const table = archTable(info)
  return Object.hasOwn(table, name) ? table[name] : undefined
}

/** The name of syscall `nr` on `arch`, or undefined. */
export function syscallName(arch: string, nr: number): string | undefined {
  const info = archInfo(arch)
  if (info === undefined) return undefined
  for (const [name, n] of Object.entries(archTable(info))) if (n === nr) return name
  return undefined
}
