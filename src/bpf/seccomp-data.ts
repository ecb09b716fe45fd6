import type { Instruction } from './instruction'
import { type RunOptions, type RunResult, runFilter } from './interpreter'

/** The input of a seccomp filter: struct seccomp_data (linux/seccomp.h), 64 bytes. */
export interface SeccompData {
  /** System call number (int in the kernel struct; negative values are stored as two's complement). */
  readonly nr: number
  /** AUDIT_ARCH_* value of the calling convention. */
  readonly arch: number
  readonly instructionPointer?: bigint
  /** Up to six arguments, each a u64; missing ones are 0. */
  readonly args?: readonly bigint[]
}

export const SECCOMP_DATA_SIZE = 64
export const SECCOMP_DATA_NR = 0
export const SECCOMP_DATA_ARCH = 4
export const SECCOMP_DATA_IP = 8
export const SECCOMP_DATA_ARGS = 16

const U64 = (1n << 64n) - 1n

/** Lay out seccomp_data in the host's byte order, as the kernel hands it to the filter. */
export function encodeSeccompData(data: SeccompData, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(SECCOMP_DATA_SIZE)
  const view = new DataView(bytes.buffer)
  view.setUint32(SECCOMP_DATA_NR, data.nr >>> 0, littleEndian)
  view.setUint32(SECCOMP_DATA_ARCH, data.arch >>> 0, littleEndian)
  view.setBigUint64(SECCOMP_DATA_IP, (data.instructionPointer ?? 0n) & U64, littleEndian)
  const args = data.args ?? []
  if (args.length > 6) throw new RangeError(`seccomp_data has 6 arguments, got ${args.length}`)
  args.forEach((arg, i) => view.setBigUint64(SECCOMP_DATA_ARGS + 8 * i, arg & U64, littleEndian))
  return bytes
}

/** Offset of the high or low 32-bit half of argument `index` in the given byte order. */
export function argWordOffset(index: number, half: 'high' | 'low', littleEndian = true): number {
  const base = SECCOMP_DATA_ARGS + 8 * index
  return (half === 'high') === littleEndian ? base + 4 : base
}

/** Name a load offset inside seccomp_data, for disassembly: "nr", "arch", "args[2].hi", ... */
export function describeSeccompLoad(offset: number, littleEndian = true): string | undefined {
  if (offset === SECCOMP_DATA_NR) return 'nr'
  if (offset === SECCOMP_DATA_ARCH) return 'arch'
  if (offset === SECCOMP_DATA_IP || offset === SECCOMP_DATA_IP + 4) {
    return (offset === SECCOMP_DATA_IP + 4) === littleEndian ? 'instruction_pointer.hi' : 'instruction_pointer.lo'
  }
  if (offset >= SECCOMP_DATA_ARGS && offset < SECCOMP_DATA_SIZE && offset % 4 === 0) {
    const index = Math.floor((offset - SECCOMP_DATA_ARGS) / 8)
    const high = (offset % 8 === 4) === littleEndian
    return `args[${index}].${high ? 'hi' : 'lo'}`
  }
  return undefined
}

/** Run a filter over a seccomp_data value. */
export function runSeccompFilter(program: readonly Instruction[], data: SeccompData, options: RunOptions = {}): RunResult {
  return runFilter(program, encodeSeccompData(data, options.littleEndian ?? true), options)
}
