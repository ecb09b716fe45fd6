import type { Assembler, Label } from '../bpf/assembler'
import { stmt } from '../bpf/instruction'
import { BPF_ABS, BPF_ALU, BPF_AND, BPF_K, BPF_LD, BPF_W } from '../bpf/opcodes'
import { argWordOffset } from '../bpf/seccomp-data'
import type { SeccompOperator } from './operators'

/** One argument comparison of a rule, with values already cut to the ABI's argument width. */
export interface ArgCondition {
  readonly index: number
  readonly op: SeccompOperator
  readonly value: bigint
  readonly valueTwo: bigint
}

export interface ArgLayout {
  /** 32-bit ABIs have 32-bit arguments: only the low word is compared (as libseccomp does). */
  readonly bits: 32 | 64
  /** Byte order of seccomp_data on the host. */
  readonly littleEndian: boolean
}

const WORD = 0xffffffffn

/** A condition that holds, or fails, for every argument value: no code is needed for it. */
export function constantCondition(cond: ArgCondition, bits: 32 | 64): boolean | undefined {
  const max = bits === 64 ? (1n << 64n) - 1n : WORD
  switch (cond.op) {
    case 'SCMP_CMP_GE':
      return cond.value === 0n ? true : undefined
    case 'SCMP_CMP_LT':
      return cond.value === 0n ? false : undefined
    case 'SCMP_CMP_LE':
      return cond.value === max ? true : undefined
    case 'SCMP_CMP_GT':
      return cond.value === max ? false : undefined
    case 'SCMP_CMP_MASKED_EQ':
      if ((cond.valueTwo & ~cond.value) !== 0n) return false
      return cond.value === 0n ? true : undefined
    default:
      return undefined
  }
}

/**
 * Emit the test for one condition: falls through when it holds, jumps to `fail` when not.
 * A 64-bit argument is compared as two 32-bit words, high word first: the high words decide
 * unless they are equal, then the low words decide (unsigned throughout).
 */
export function emitCondition(asm: Assembler, cond: ArgCondition, layout: ArgLayout, fail: Label): void {
  const pass = asm.label('pass')
  const hi = Number((cond.value >> 32n) & WORD)
  const lo = Number(cond.value & WORD)
  const loadHigh = (): void => asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, argWordOffset(cond.index, 'high', layout.littleEndian)))
  const loadLow = (): void => asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, argWordOffset(cond.index, 'low', layout.littleEndian)))
  const wide = layout.bits === 64

  switch (cond.op) {
    case 'SCMP_CMP_EQ':
      if (wide) {
        loadHigh()
        asm.jumpIf('jeq', hi, undefined, fail)
      }
      loadLow()
      asm.jumpIf('jeq', lo, undefined, fail)
      break
    case 'SCMP_CMP_NE':
      if (wide) {
        loadHigh()
        asm.jumpIf('jeq', hi, undefined, pass)
      }
      loadLow()
      asm.jumpIf('jeq', lo, fail, undefined)
      break
    case 'SCMP_CMP_GT':
    case 'SCMP_CMP_GE': {
      if (wide) {
        loadHigh()
        asm.jumpIf('jgt', hi, pass, undefined)
        if (hi !== 0) asm.jumpIf('jeq', hi, undefined, fail)
      }
      loadLow()
      asm.jumpIf(cond.op === 'SCMP_CMP_GT' ? 'jgt' : 'jge', lo, undefined, fail)
      break
    }
    case 'SCMP_CMP_LT':
    case 'SCMP_CMP_LE': {
      if (wide) {
        loadHigh()
        asm.jumpIf('jgt', hi, fail, undefined)
        if (hi !== 0) asm.jumpIf('jeq', hi, undefined, pass)
      }
      loadLow()
      // LT fails when low >= value, LE when low > value
      asm.jumpIf(cond.op === 'SCMP_CMP_LT' ? 'jge' : 'jgt', lo, fail, undefined)
      break
    }
    case 'SCMP_CMP_MASKED_EQ': {
      const expected = cond.valueTwo
      const words: [half: 'high' | 'low', mask: number, want: number][] = [
        ['high', Number((cond.value >> 32n) & WORD), Number((expected >> 32n) & WORD)],
        ['low', lo, Number(expected & WORD)],
      ]
      for (const [half, mask, want] of words) {
        if (half === 'high' && !wide) continue
        if (mask === 0 && want === 0) continue // (x & 0) == 0 always holds
        if (half === 'high') loadHigh()
        else loadLow()
        if (mask !== 0xffffffff) asm.emit(stmt(BPF_ALU | BPF_AND | BPF_K, mask))
        asm.jumpIf('jeq', want, undefined, fail)
      }
      break
    }
  }
  asm.bind(pass)
}
