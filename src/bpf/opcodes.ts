/**
 * Classic BPF opcode fields (linux/bpf_common.h, linux/filter.h).
 * An opcode is class | size | mode for loads, class | op | src for ALU and jumps.
 */

// instruction classes
export const BPF_LD = 0x00
export const BPF_LDX = 0x01
export const BPF_ST = 0x02
export const BPF_STX = 0x03
export const BPF_ALU = 0x04
export const BPF_JMP = 0x05
export const BPF_RET = 0x06
export const BPF_MISC = 0x07

// load sizes
export const BPF_W = 0x00
export const BPF_H = 0x08
export const BPF_B = 0x10

// load modes
export const BPF_IMM = 0x00
export const BPF_ABS = 0x20
export const BPF_IND = 0x40
export const BPF_MEM = 0x60
export const BPF_LEN = 0x80
export const BPF_MSH = 0xa0

// ALU operations
export const BPF_ADD = 0x00
export const BPF_SUB = 0x10
export const BPF_MUL = 0x20
export const BPF_DIV = 0x30
export const BPF_OR = 0x40
export const BPF_AND = 0x50
export const BPF_LSH = 0x60
export const BPF_RSH = 0x70
export const BPF_NEG = 0x80
export const BPF_MOD = 0x90
export const BPF_XOR = 0xa0

// jump operations
export const BPF_JA = 0x00
export const BPF_JEQ = 0x10
export const BPF_JGT = 0x20
export const BPF_JGE = 0x30
export const BPF_JSET = 0x40

// operand source (ALU, JMP) and return value source (RET)
export const BPF_K = 0x00
export const BPF_X = 0x08
export const BPF_A = 0x10

// misc operations
export const BPF_TAX = 0x00
export const BPF_TXA = 0x80

/** Maximum program length the kernel accepts (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096
/** Number of 32-bit scratch memory cells (BPF_MEMWORDS). */
export const BPF_MEMWORDS = 16

export function bpfClass(code: number): number {
  return code & 0x07
}
export function bpfSize(code: number): number {
  return code & 0x18
}
export function bpfMode(code: number): number {
  return code & 0xe0
}
export function bpfOp(code: number): number {
  return code & 0xf0
}
export function bpfSrc(code: number): number {
  return code & 0x08
}
export function bpfRval(code: number): number {
  return code & 0x18
}
export function bpfMiscOp(code: number): number {
  return code & 0xf8
}
