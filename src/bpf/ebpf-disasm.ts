// eBPF disassembly in the kernel verifier's notation, for failure messages and tests.
import {
  ALU_OPS, BPF_ALU, BPF_ALU64, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32, BPF_LDX, BPF_MEM, BPF_X, JMP_OPS,
  insnClass, type EbpfInsn,
} from './ebpf-insn'

const ALU_SYMBOLS: Record<number, string> = {
  [ALU_OPS.add]: '+=', [ALU_OPS.sub]: '-=', [ALU_OPS.mul]: '*=', [ALU_OPS.div]: '/=', [ALU_OPS.or]: '|=',
  [ALU_OPS.and]: '&=', [ALU_OPS.lsh]: '<<=', [ALU_OPS.rsh]: '>>=', [ALU_OPS.mod]: '%=', [ALU_OPS.xor]: '^=',
  [ALU_OPS.mov]: '=', [ALU_OPS.arsh]: 's>>=',
}
const JMP_SYMBOLS: Record<number, string> = {
  [JMP_OPS.jeq]: '==', [JMP_OPS.jgt]: '>', [JMP_OPS.jge]: '>=', [JMP_OPS.jset]: '&', [JMP_OPS.jne]: '!=',
  [JMP_OPS.jsgt]: 's>', [JMP_OPS.jsge]: 's>=', [JMP_OPS.jlt]: '<', [JMP_OPS.jle]: '<=', [JMP_OPS.jslt]: 's<',
  [JMP_OPS.jsle]: 's<=',
}
const SIZES: Record<number, string> = { 0x00: 'u32', 0x08: 'u16', 0x10: 'u8', 0x18: 'u64' }

export function disassembleInsn(insn: EbpfInsn, pc: number): string {
  const cls = insnClass(insn.code)
  const op = insn.code & 0xf0
  const srcIsReg = (insn.code & BPF_X) !== 0
  if (cls === BPF_LDX && (insn.code & 0xe0) === BPF_MEM) {
    const off = insn.off >= 0 ? `+ ${insn.off}` : `- ${-insn.off}`
    return `r${insn.dst} = *(${SIZES[insn.code & 0x18]} *)(r${insn.src} ${off})`
  }
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    const r = cls === BPF_ALU ? 'w' : 'r'
    if (op === ALU_OPS.neg) return `${r}${insn.dst} = -${r}${insn.dst}`
    const sym = ALU_SYMBOLS[op]
    if (sym !== undefined) return `${r}${insn.dst} ${sym} ${srcIsReg ? `${r}${insn.src}` : insn.imm}`
  }
  if (cls === BPF_JMP || cls === BPF_JMP32) {
    const to = `${insn.off >= 0 ? '+' : ''}${insn.off} (-> ${pc + 1 + insn.off})`
    if (cls === BPF_JMP && op === BPF_EXIT) return 'exit'
    if (cls === BPF_JMP && op === BPF_JA) return `goto ${to}`
    const r = cls === BPF_JMP32 ? 'w' : 'r'
    const sym = JMP_SYMBOLS[op]
    if (sym !== undefined) return `if ${r}${insn.dst} ${sym} ${srcIsReg ? `${r}${insn.src}` : insn.imm} goto ${to}`
  }
  return `.insn 0x${insn.code.toString(16).padStart(2, '0')} dst=${insn.dst} src=${insn.src} off=${insn.off} imm=${insn.imm}`
}

/** One numbered line per instruction. */
export function disassembleEbpf(insns: readonly EbpfInsn[]): string {
  return insns.map((insn, pc) => `${String(pc).padStart(3)}: ${disassembleInsn(insn, pc)}`).join('\n')
}
