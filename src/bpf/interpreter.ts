import type { Instruction } from './instruction'
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MEMWORDS, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR,
  BPF_RET, BPF_RSH, BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR, bpfClass, bpfMiscOp, bpfOp,
  bpfRval, bpfSrc,
} from './opcodes'

export class BpfRuntimeError extends Error {
  constructor(
    readonly pc: number,
    message: string,
  ) {
    super(`instruction ${pc}: ${message}`)
    this.name = 'BpfRuntimeError'
  }
}

export interface RunOptions {
  /** Byte order of 32-bit loads from the input (seccomp loads are native-endian). Default true. */
  readonly littleEndian?: boolean
  /** Record the program counters executed, for failure messages. */
  readonly trace?: boolean
}

export interface RunResult {
  /** The 32-bit return value (unsigned). */
  readonly value: number
  /** Instructions executed, the final ret included. */
  readonly steps: number
  /** Program counters executed, when `trace` was asked for. */
  readonly trace?: readonly number[]
}

/**
 * Run a classic BPF program over `data` the way the kernel does for seccomp: 32-bit unsigned
 * registers A and X, 16 scratch cells, forward-only jumps, division by a zero X returns 0.
 * The program should have passed `validateProgram`; anything that would read or jump out of
 * bounds anyway throws `BpfRuntimeError`.
 */
export function runFilter(program: readonly Instruction[], data: Uint8Array, options: RunOptions = {}): RunResult {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const le = options.littleEndian ?? true
  const trace: number[] | undefined = options.trace ? [] : undefined
  const mem = new Uint32Array(BPF_MEMWORDS)
  let a = 0
  let x = 0
  let steps = 0
  let pc = 0
  for (;;) {
    const ins = program[pc]
    if (ins === undefined) throw new BpfRuntimeError(pc, 'ran off the end of the program')
    steps++
    trace?.push(pc)
    const cls = bpfClass(ins.code)
    switch (cls) {
      case BPF_RET:
        return { value: (bpfRval(ins.code) === BPF_A ? a : ins.k) >>> 0, steps, ...(trace ? { trace } : {}) }
      case BPF_LD:
        a = load(ins, pc, view, le, mem, data.byteLength)
        break
      case BPF_LDX:
        x = loadX(ins, pc, mem, data.byteLength)
        break
      case BPF_ST:
        mem[memIndex(ins, pc)] = a
        break
      case BPF_STX:
        mem[memIndex(ins, pc)] = x
        break
      case BPF_ALU: {
        const operand = bpfSrc(ins.code) === BPF_X ? x : ins.k
        const op = bpfOp(ins.code)
        if ((op === BPF_DIV || op === BPF_MOD) && operand === 0) {
          if (bpfSrc(ins.code) === BPF_X) return { value: 0, steps, ...(trace ? { trace } : {}) }
          throw new BpfRuntimeError(pc, 'division by constant zero')
        }
        a = alu(op, a, operand, pc)
        break
      }
      case BPF_JMP: {
        const op = bpfOp(ins.code)
        if (op === BPF_JA) {
          pc += ins.k
          break
        }
        const operand = bpfSrc(ins.code) === BPF_X ? x : ins.k
        pc += compare(op, a, operand, pc) ? ins.jt : ins.jf
        break
      }
      case BPF_MISC:
        if (bpfMiscOp(ins.code) === BPF_TAX) x = a
        else if (bpfMiscOp(ins.code) === BPF_TXA) a = x
        else throw new BpfRuntimeError(pc, `unknown misc opcode 0x${ins.code.toString(16)}`)
        break
      default:
        throw new BpfRuntimeError(pc, `unknown opcode 0x${ins.code.toString(16)}`)
    }
    pc++
  }
}

function load(ins: Instruction, pc: number, view: DataView, le: boolean, mem: Uint32Array, length: number): number {
  switch (ins.code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (ins.k + 4 > view.byteLength) throw new BpfRuntimeError(pc, `load of offset ${ins.k} beyond ${view.byteLength} bytes`)
      return view.getUint32(ins.k, le)
    case BPF_LD | BPF_W | BPF_LEN:
      return length
    case BPF_LD | BPF_IMM:
      return ins.k >>> 0
    case BPF_LD | BPF_MEM:
      return mem[memIndex(ins, pc)] as number
    default:
      throw new BpfRuntimeError(pc, `unsupported load opcode 0x${ins.code.toString(16)}`)
  }
}

function loadX(ins: Instruction, pc: number, mem: Uint32Array, length: number): number {
  switch (ins.code) {
    case BPF_LDX | BPF_W | BPF_IMM:
      return ins.k >>> 0
    case BPF_LDX | BPF_W | BPF_LEN:
      return length
    case BPF_LDX | BPF_W | BPF_MEM:
      return mem[memIndex(ins, pc)] as number
    default:
      throw new BpfRuntimeError(pc, `unsupported ldx opcode 0x${ins.code.toString(16)}`)
  }
}

function memIndex(ins: Instruction, pc: number): number {
  if (ins.k >= BPF_MEMWORDS) throw new BpfRuntimeError(pc, `scratch memory index ${ins.k}`)
  return ins.k
}

function alu(op: number, a: number, operand: number, pc: number): number {
  switch (op) {
    case BPF_ADD:
      return (a + operand) >>> 0
    case BPF_SUB:
      return (a - operand) >>> 0
    case BPF_MUL:
      return Math.imul(a, operand) >>> 0
    case BPF_DIV:
      return Math.floor(a / operand) >>> 0
    case BPF_MOD:
      return a % operand >>> 0
    case BPF_OR:
      return (a | operand) >>> 0
    case BPF_AND:
      return (a & operand) >>> 0
    case BPF_XOR:
      return (a ^ operand) >>> 0
    case BPF_LSH:
      return operand >= 32 ? 0 : (a << operand) >>> 0
    case BPF_RSH:
      return operand >= 32 ? 0 : a >>> operand
    case BPF_NEG:
      return -a >>> 0
    default:
      throw new BpfRuntimeError(pc, `unknown alu op 0x${op.toString(16)}`)
  }
}

function compare(op: number, a: number, operand: number, pc: number): boolean {
  switch (op) {
    case BPF_JEQ:
      return a === operand
    case BPF_JGT:
      return a > operand
    case BPF_JGE:
      return a >= operand
    case BPF_JSET:
      return (a & operand) !== 0
    default:
      throw new BpfRuntimeError(pc, `unknown jump op 0x${op.toString(16)}`)
  }
}
