import type { Instruction } from './instruction'
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MAXINSNS, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG,
  BPF_OR, BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, bpfClass, bpfOp,
} from './opcodes'

export class BpfValidationError extends Error {
  constructor(
    readonly pc: number,
    message: string,
  ) {
    super(pc < 0 ? message : `instruction ${pc}: ${message}`)
    this.name = 'BpfValidationError'
  }
}

const ALU_OPS = [BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH]
const JUMP_OPS = [BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET]

/** The opcodes kernel/seccomp.c seccomp_check_filter() accepts (no MOD, no packet loads). */
export const SECCOMP_OPCODES: ReadonlySet<number> = new Set([
  BPF_LD | BPF_W | BPF_ABS,
  BPF_LD | BPF_W | BPF_LEN,
  BPF_LDX | BPF_W | BPF_LEN,
  BPF_RET | BPF_K,
  BPF_RET | BPF_A,
  ...ALU_OPS.flatMap((op) => [BPF_ALU | op | BPF_K, BPF_ALU | op | BPF_X]),
  BPF_ALU | BPF_NEG,
  BPF_LD | BPF_IMM,
  BPF_LDX | BPF_IMM,
  BPF_MISC | BPF_TAX,
  BPF_MISC | BPF_TXA,
  BPF_LD | BPF_MEM,
  BPF_LDX | BPF_MEM,
  BPF_ST,
  BPF_STX,
  BPF_JMP | BPF_JA,
  ...JUMP_OPS.flatMap((op) => [BPF_JMP | op | BPF_K, BPF_JMP | op | BPF_X]),
])

/** Everything the interpreter can run: the seccomp set plus MOD. */
export const INTERPRETER_OPCODES: ReadonlySet<number> = new Set([
  ...SECCOMP_OPCODES,
  BPF_ALU | BPF_MOD | BPF_K,
  BPF_ALU | BPF_MOD | BPF_X,
])

export interface ValidateOptions {
  /** Size of the input in bytes; absolute loads must stay inside it (seccomp_data: 64). */
  readonly dataLength: number
  /** Restrict to what the seccomp loader accepts (default true). */
  readonly seccomp?: boolean
}

/**
 * The checks the kernel applies before accepting a classic filter (bpf_check_classic,
 * check_load_and_stores, seccomp_check_filter): length, opcodes, jump ranges, constant
 * divisors and shifts, scratch memory indexes and initialisation, aligned in-bounds loads,
 * and a final return.
 */
export function validateProgram(program: readonly Instruction[], options: ValidateOptions): void {
  const allowed = (options.seccomp ?? true) ? SECCOMP_OPCODES : INTERPRETER_OPCODES
  const len = program.length
  if (len === 0 || len > BPF_MAXINSNS) throw new BpfValidationError(-1, `program length ${len} outside 1..${BPF_MAXINSNS}`)
  program.forEach((ins, pc) => {
    if (!allowed.has(ins.code)) throw new BpfValidationError(pc, `opcode 0x${ins.code.toString(16)} not allowed`)
    const cls = bpfClass(ins.code)
    if (ins.code === (BPF_LD | BPF_W | BPF_ABS)) {
      if (ins.k % 4 !== 0 || ins.k + 4 > options.dataLength) {
        throw new BpfValidationError(pc, `load of offset ${ins.k} is unaligned or beyond ${options.dataLength} bytes`)
      }
    }
    if (cls === BPF_ALU && (ins.code & BPF_X) === 0) {
      const op = bpfOp(ins.code)
      if ((op === BPF_DIV || op === BPF_MOD) && ins.k === 0) throw new BpfValidationError(pc, 'division by constant zero')
      if ((op === BPF_LSH || op === BPF_RSH) && ins.k >= 32) throw new BpfValidationError(pc, `shift by ${ins.k}`)
    }
    const usesMemory = ins.code === (BPF_LD | BPF_MEM) || ins.code === (BPF_LDX | BPF_MEM) || cls === BPF_ST || cls === BPF_STX
    if (usesMemory && ins.k >= BPF_MEMWORDS) throw new BpfValidationError(pc, `scratch memory index ${ins.k}`)
    if (cls === BPF_JMP) {
      if (bpfOp(ins.code) === BPF_JA) {
        if (ins.k >= len - pc - 1) throw new BpfValidationError(pc, `ja +${ins.k} leaves the program`)
      } else if (pc + 1 + Math.max(ins.jt, ins.jf) >= len) {
        throw new BpfValidationError(pc, `jump +${ins.jt}/+${ins.jf} leaves the program`)
      }
    }
  })
  const last = program[len - 1] as Instruction
  if (bpfClass(last.code) !== BPF_RET) throw new BpfValidationError(len - 1, 'program does not end with ret')
  checkMemoryInitialised(program)
}

/** Reject loads from scratch cells some path reaches without storing to them first. */
function checkMemoryInitialised(program: readonly Instruction[]): void {
  const ALL = (1 << BPF_MEMWORDS) - 1
  const valid = new Array<number>(program.length).fill(ALL)
  valid[0] = 0
  program.forEach((ins, pc) => {
    let mask = valid[pc] as number
    const cls = bpfClass(ins.code)
    if (cls === BPF_ST || cls === BPF_STX) mask |= 1 << ins.k
    if ((ins.code === (BPF_LD | BPF_MEM) || ins.code === (BPF_LDX | BPF_MEM)) && (mask & (1 << ins.k)) === 0) {
      throw new BpfValidationError(pc, `scratch memory M[${ins.k}] read before it is written`)
    }
    if (cls === BPF_JMP) {
      const targets = bpfOp(ins.code) === BPF_JA ? [pc + 1 + ins.k] : [pc + 1 + ins.jt, pc + 1 + ins.jf]
      for (const t of targets) valid[t] = (valid[t] as number) & mask
    } else if (pc + 1 < program.length) {
      // like the kernel, a ret does not reset what the next instruction may assume
      valid[pc + 1] = (valid[pc + 1] as number) & mask
    }
  })
}
