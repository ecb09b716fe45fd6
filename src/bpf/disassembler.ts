import type { Instruction } from './instruction'
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH, BPF_ST,
  BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfMode, bpfOp, bpfRval, bpfSrc,
} from './opcodes'

export interface DisassembleOptions {
  /** Name for an absolute load offset, e.g. 0 → "nr" for seccomp_data. */
  readonly describeLoad?: (offset: number) => string | undefined
  /** Meaning of a returned constant, e.g. 0x7fff0000 → "ALLOW". */
  readonly describeReturn?: (value: number) => string | undefined
  /** Program counters to mark with "*" (an execution trace). */
  readonly highlight?: ReadonlySet<number>
}

const ALU_NAMES: Record<number, string> = {
  [BPF_ADD]: 'add', [BPF_SUB]: 'sub', [BPF_MUL]: 'mul', [BPF_DIV]: 'div', [BPF_MOD]: 'mod',
  [BPF_OR]: 'or', [BPF_AND]: 'and', [BPF_XOR]: 'xor', [BPF_LSH]: 'lsh', [BPF_RSH]: 'rsh',
}
const JUMP_NAMES: Record<number, string> = { [BPF_JEQ]: 'jeq', [BPF_JGT]: 'jgt', [BPF_JGE]: 'jge', [BPF_JSET]: 'jset' }

function hex(n: number): string {
  return `#0x${(n >>> 0).toString(16)}`
}

/** One instruction as text, with jump targets as absolute program counters. */
export function formatInstruction(ins: Instruction, pc: number, options: DisassembleOptions = {}): string {
  const cls = bpfClass(ins.code)
  const withNote = (text: string, note: string | undefined): string => (note ? `${text.padEnd(28)} ; ${note}` : text)
  switch (cls) {
    case BPF_LD:
    case BPF_LDX: {
      const reg = cls === BPF_LD ? 'ld' : 'ldx'
      const mode = bpfMode(ins.code)
      if (mode === BPF_ABS) return withNote(`${reg} [${ins.k}]`, options.describeLoad?.(ins.k))
      if (mode === BPF_IMM) return `${reg} ${hex(ins.k)}`
      if (mode === BPF_MEM) return `${reg} M[${ins.k}]`
      if (mode === BPF_LEN) return `${reg} #len`
      break
    }
    case BPF_ST:
      return `st M[${ins.k}]`
    case BPF_STX:
      return `stx M[${ins.k}]`
    case BPF_ALU: {
      const op = bpfOp(ins.code)
      if (op === BPF_NEG) return 'neg'
      const name = ALU_NAMES[op]
      if (name) return `${name} ${bpfSrc(ins.code) === BPF_X ? 'x' : hex(ins.k)}`
      break
    }
    case BPF_JMP: {
      const op = bpfOp(ins.code)
      if (op === BPF_JA) return `ja ${pc + 1 + ins.k}`
      const name = JUMP_NAMES[op]
      if (name) {
        const operand = bpfSrc(ins.code) === BPF_X ? 'x' : hex(ins.k)
        return `${name} ${operand}, ${pc + 1 + ins.jt}, ${pc + 1 + ins.jf}`
      }
      break
    }
    case BPF_RET:
      if (bpfRval(ins.code) === BPF_A) return 'ret a'
      return withNote(`ret ${hex(ins.k)}`, options.describeReturn?.(ins.k))
    case BPF_MISC:
      if (bpfMiscOp(ins.code) === BPF_TAX) return 'tax'
      if (bpfMiscOp(ins.code) === BPF_TXA) return 'txa'
      break
  }
  return `.word code=0x${ins.code.toString(16)} jt=${ins.jt} jf=${ins.jf} k=${hex(ins.k)}`
}

/** The whole program, one numbered line per instruction. */
export function disassemble(program: readonly Instruction[], options: DisassembleOptions = {}): string {
  const width = String(Math.max(program.length - 1, 0)).length
  return program
    .map((ins, pc) => `${options.highlight?.has(pc) ? '*' : ' '}${String(pc).padStart(width)}: ${formatInstruction(ins, pc, options)}`)
    .join('\n')
}
