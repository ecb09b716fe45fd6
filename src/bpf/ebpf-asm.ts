// A minimal eBPF assembler: the instructions a cgroup device filter needs, with named labels for jumps.
import {
  ALU_OPS, BPF_ALU, BPF_ALU64, BPF_B, BPF_EXIT, BPF_H, BPF_JA, BPF_JMP, BPF_JMP32, BPF_K, BPF_LDX, BPF_MEM,
  BPF_W, BPF_X, JMP_OPS, type AluOp, type EbpfInsn, type JmpOp,
} from './ebpf-insn'

type Pending = EbpfInsn & { target?: string }

function checkReg(r: number): void {
  if (!Number.isInteger(r) || r < 0 || r > 10) throw new Error(`ebpf: bad register r${r}`)
}

function checkImm(imm: number): number {
  if (!Number.isInteger(imm) || imm < -0x80000000 || imm > 0xffffffff) throw new Error(`ebpf: immediate ${imm} does not fit 32 bits`)
  return imm | 0
}

export class EbpfAssembler {
  private readonly insns: Pending[] = []
  private readonly labels = new Map<string, number>()

  private emit(insn: Pending): this {
    checkReg(insn.dst)
    checkReg(insn.src)
    this.insns.push(insn)
    return this
  }

  /** Bind `name` to the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`ebpf: label ${name} defined twice`)
    this.labels.set(name, this.insns.length)
    return this
  }

  /** dst = *(size *)(src + off), size 4, 2 or 1 bytes. */
  load(size: 4 | 2 | 1, dst: number, src: number, off: number): this {
    const sz = size === 4 ? BPF_W : size === 2 ? BPF_H : BPF_B
    return this.emit({ code: BPF_LDX | BPF_MEM | sz, dst, src, off, imm: 0 })
  }

  /** 32-bit ALU with an immediate: `w<dst> op= imm` (the upper half of the register is cleared). */
  alu32(op: AluOp, dst: number, imm: number): this {
    return this.emit({ code: BPF_ALU | ALU_OPS[op] | BPF_K, dst, src: 0, off: 0, imm: checkImm(imm) })
  }

  /** 32-bit ALU with a register operand. */
  alu32Reg(op: AluOp, dst: number, src: number): this {
    return this.emit({ code: BPF_ALU | ALU_OPS[op] | BPF_X, dst, src, off: 0, imm: 0 })
  }

  /** 64-bit ALU with an immediate (sign-extended). */
  alu64(op: AluOp, dst: number, imm: number): this {
    return this.emit({ code: BPF_ALU64 | ALU_OPS[op] | BPF_K, dst, src: 0, off: 0, imm: checkImm(imm) })
  }

  /** 64-bit ALU with a register operand. */
  alu64Reg(op: AluOp, dst: number, src: number): this {
    return this.emit({ code: BPF_ALU64 | ALU_OPS[op] | BPF_X, dst, src, off: 0, imm: 0 })
  }

  /** `if w<dst> op imm goto label`, comparing the low 32 bits. */
  jmp32(op: JmpOp, dst: number, imm: number, target: string): this {
    return this.emit({ code: BPF_JMP32 | JMP_OPS[op] | BPF_K, dst, src: 0, off: 0, imm: checkImm(imm), target })
  }

  /** `if r<dst> op imm goto label`, comparing 64 bits against the sign-extended immediate. */
  jmp(op: JmpOp, dst: number, imm: number, target: string): this {
    return this.emit({ code: BPF_JMP | JMP_OPS[op] | BPF_K, dst, src: 0, off: 0, imm: checkImm(imm), target })
  }

  /** `goto label`. */
  ja(target: string): this {
    return this.emit({ code: BPF_JMP | BPF_JA, dst: 0, src: 0, off: 0, imm: 0, target })
  }

  exit(): this {
    return this.emit({ code: BPF_JMP | BPF_EXIT, dst: 0, src: 0, off: 0, imm: 0 })
  }

  /** Resolve labels (forward jumps only, as the verifier of older kernels wants) and return the program. */
  assemble(): EbpfInsn[] {
    return this.insns.map((insn, pc) => {
      const { target, ...plain } = insn
      if (target === undefined) return plain
      const at = this.labels.get(target)
      if (at === undefined) throw new Error(`ebpf: jump at ${pc} to undefined label ${target}`)
      const off = at - (pc + 1)
      if (off < 0) throw new Error(`ebpf: backward jump at ${pc} to ${target}`)
      if (off > 0x7fff) throw new Error(`ebpf: jump at ${pc} to ${target} is too far (${off})`)
      return { ...plain, off }
    })
  }
}
