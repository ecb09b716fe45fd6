// A small eBPF interpreter for testing programs before the kernel sees them: registers, ALU/ALU64,
// JMP/JMP32, loads from a read-only context buffer, exit. No maps, helpers, stack or stores.
import {
  ALU_OPS, BPF_ALU, BPF_ALU64, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LDX, BPF_MEM, BPF_X, JMP_OPS,
  insnClass, type EbpfInsn,
} from './ebpf-insn'
import { disassembleInsn } from './ebpf-disasm'

/** Where the context appears in the interpreter's address space (r1 at entry). */
const CTX_BASE = 0x10000n
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v)
const U32 = (v: bigint): bigint => BigInt.asUintN(32, v)

export class EbpfRuntimeError extends Error {
  constructor(pc: number, insn: EbpfInsn | undefined, why: string) {
    super(`ebpf: at ${pc}${insn === undefined ? '' : ` (${disassembleInsn(insn, pc)})`}: ${why}`)
    this.name = 'EbpfRuntimeError'
  }
}

function alu(op: number, a: bigint, b: bigint, bits: 32 | 64): bigint | undefined {
  const wrap = bits === 32 ? U32 : U64
  const shift = b & BigInt(bits - 1)
  switch (op) {
    case ALU_OPS.add: return wrap(a + b)
    case ALU_OPS.sub: return wrap(a - b)
    case ALU_OPS.mul: return wrap(a * b)
    case ALU_OPS.div: return b === 0n ? 0n : wrap(a / b)
    case ALU_OPS.mod: return b === 0n ? a : wrap(a % b)
    case ALU_OPS.or: return wrap(a | b)
    case ALU_OPS.and: return wrap(a & b)
    case ALU_OPS.xor: return wrap(a ^ b)
    case ALU_OPS.lsh: return wrap(a << shift)
    case ALU_OPS.rsh: return wrap(a >> shift)
    case ALU_OPS.arsh: return wrap((bits === 32 ? BigInt.asIntN(32, a) : BigInt.asIntN(64, a)) >> shift)
    case ALU_OPS.neg: return wrap(-a)
    case ALU_OPS.mov: return wrap(b)
    default: return undefined
  }
}

function compare(op: number, a: bigint, b: bigint, bits: 32 | 64): boolean | undefined {
  const sa = BigInt.asIntN(bits, a)
  const sb = BigInt.asIntN(bits, b)
  switch (op) {
    case JMP_OPS.jeq: return a === b
    case JMP_OPS.jne: return a !== b
    case JMP_OPS.jgt: return a > b
    case JMP_OPS.jge: return a >= b
    case JMP_OPS.jlt: return a < b
    case JMP_OPS.jle: return a <= b
    case JMP_OPS.jset: return (a & b) !== 0n
    case JMP_OPS.jsgt: return sa > sb
    case JMP_OPS.jsge: return sa >= sb
    case JMP_OPS.jslt: return sa < sb
    case JMP_OPS.jsle: return sa <= sb
    default: return undefined
  }
}

/**
 * Run `insns` with r1 pointing at `ctx`; returns r0 at exit. Reading a register never written, loading
 * outside the context, an unknown opcode or running past the end throw EbpfRuntimeError, which names
 * the instruction: what the verifier would have refused.
 */
export function runEbpf(insns: readonly EbpfInsn[], ctx: Uint8Array, maxSteps = 100_000): bigint {
  const regs: Array<bigint | undefined> = new Array<bigint | undefined>(11).fill(undefined)
  regs[1] = CTX_BASE
  const view = new DataView(ctx.buffer, ctx.byteOffset, ctx.byteLength)
  let pc = 0
  for (let steps = 0; steps < maxSteps; steps++) {
    const insn = insns[pc]
    if (insn === undefined) throw new EbpfRuntimeError(pc, undefined, 'ran past the end of the program')
    const fail = (why: string): never => {
      throw new EbpfRuntimeError(pc, insn, why)
    }
    const reg = (r: number): bigint => regs[r] ?? fail(`r${r} read before it was written`)
    const cls = insnClass(insn.code)
    const op = insn.code & 0xf0
    const useReg = (insn.code & BPF_X) !== 0
    if (cls === BPF_LDX && (insn.code & 0xe0) === BPF_MEM) {
      const size = ({ 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 } as Record<number, number>)[insn.code & 0x18] ?? 0
      const addr = reg(insn.src) + BigInt(insn.off) - CTX_BASE
      if (addr < 0n || addr + BigInt(size) > BigInt(ctx.length)) fail(`load of ${size} bytes outside the context`)
      const at = Number(addr)
      regs[insn.dst] =
        size === 8 ? view.getBigUint64(at, true) : BigInt(size === 4 ? view.getUint32(at, true) : size === 2 ? view.getUint16(at, true) : view.getUint8(at))
      pc++
      continue
    }
    if (cls === BPF_ALU || cls === BPF_ALU64) {
      const bits = cls === BPF_ALU ? 32 : 64
      const wrap = bits === 32 ? U32 : U64
      const b = useReg ? wrap(reg(insn.src)) : wrap(BigInt(insn.imm))
      const a = op === ALU_OPS.mov ? 0n : wrap(reg(insn.dst))
      const r = alu(op, a, b, bits)
      regs[insn.dst] = r ?? fail('unknown ALU operation')
      pc++
      continue
    }
    if (cls === BPF_JMP || cls === BPF_JMP32) {
      if (cls === BPF_JMP && op === BPF_EXIT) return reg(0)
      if (cls === BPF_JMP && op === BPF_JA) {
        pc += 1 + insn.off
        continue
      }
      const bits = cls === BPF_JMP32 ? 32 : 64
      const wrap = bits === 32 ? U32 : U64
      const taken = compare(op, wrap(reg(insn.dst)), wrap(useReg ? reg(insn.src) : BigInt(insn.imm)), bits)
      if (taken === undefined) fail('unknown jump operation')
      pc += 1 + (taken === true ? insn.off : 0)
      continue
    }
    fail('unsupported instruction')
  }
  throw new EbpfRuntimeError(pc, insns[pc], `no exit within ${maxSteps} steps`)
}
