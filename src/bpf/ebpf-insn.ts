// eBPF instructions: the opcode vocabulary and the 8-byte encoding (kernel Documentation/bpf/standardization).

/** One instruction. `imm` is a signed 32-bit value, `off` a signed 16-bit one. */
export interface EbpfInsn {
  code: number
  dst: number
  src: number
  off: number
  imm: number
}

// Instruction classes.
export const BPF_LD = 0x00
export const BPF_LDX = 0x01
export const BPF_ST = 0x02
export const BPF_STX = 0x03
export const BPF_ALU = 0x04
export const BPF_JMP = 0x05
export const BPF_JMP32 = 0x06
export const BPF_ALU64 = 0x07

// Load/store size and mode.
export const BPF_W = 0x00
export const BPF_H = 0x08
export const BPF_B = 0x10
export const BPF_DW = 0x18
export const BPF_MEM = 0x60

// Operand source.
export const BPF_K = 0x00
export const BPF_X = 0x08

/** ALU operations (bits 4-7 of the opcode). */
export const ALU_OPS = {
  add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70,
  neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0,
} as const
export type AluOp = keyof typeof ALU_OPS

/** Conditional jump operations (bits 4-7 of the opcode); ja is 0x00, call 0x80, exit 0x90. */
export const JMP_OPS = {
  jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70,
  jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0,
} as const
export type JmpOp = keyof typeof JMP_OPS
export const BPF_JA = 0x00
export const BPF_EXIT = 0x90

export function insnClass(code: number): number {
  return code & 0x07
}

/** Encode instructions as the kernel reads them (little-endian, 8 bytes each). */
export function encodeEbpf(insns: readonly EbpfInsn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8)
  const view = new DataView(out.buffer)
  insns.forEach((insn, i) => {
    view.setUint8(i * 8, insn.code)
    view.setUint8(i * 8 + 1, ((insn.src & 0xf) << 4) | (insn.dst & 0xf))
    view.setInt16(i * 8 + 2, insn.off, true)
    view.setInt32(i * 8 + 4, insn.imm, true)
  })
  return out
}

export function decodeEbpf(bytes: Uint8Array): EbpfInsn[] {
  if (bytes.length % 8 !== 0) throw new Error(`ebpf: ${bytes.length} bytes is not a whole number of instructions`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const insns: EbpfInsn[] = []
  for (let i = 0; i < bytes.length; i += 8) {
    const regs = view.getUint8(i + 1)
    insns.push({ code: view.getUint8(i), dst: regs & 0xf, src: regs >> 4, off: view.getInt16(i + 2, true), imm: view.getInt32(i + 4, true) })
  }
  return insns
}
