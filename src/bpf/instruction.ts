import { BPF_JMP, BPF_K } from './opcodes'

/** One classic BPF instruction: struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }. */
export interface Instruction {
  readonly code: number
  readonly jt: number
  readonly jf: number
  readonly k: number
}

/** Size of one encoded struct sock_filter in bytes. */
export const INSTRUCTION_SIZE = 8

/** A non-jump instruction (BPF_STMT). */
export function stmt(code: number, k = 0): Instruction {
  return { code, jt: 0, jf: 0, k: k >>> 0 }
}

/** A conditional jump with numeric offsets (BPF_JUMP); prefer the assembler's labels. */
export function jump(code: number, k: number, jt: number, jf: number): Instruction {
  return { code, jt, jf, k: k >>> 0 }
}

/** An unconditional jump over `offset` instructions. */
export function ja(offset: number): Instruction {
  return { code: BPF_JMP | BPF_K, jt: 0, jf: 0, k: offset >>> 0 }
}

/** Encode instructions as a struct sock_filter array in the given byte order (the host's). */
export function encodeProgram(program: readonly Instruction[], littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(program.length * INSTRUCTION_SIZE)
  const view = new DataView(bytes.buffer)
  program.forEach((ins, i) => {
    const at = i * INSTRUCTION_SIZE
    checkField('code', ins.code, 0xffff, i)
    checkField('jt', ins.jt, 0xff, i)
    checkField('jf', ins.jf, 0xff, i)
    checkField('k', ins.k, 0xffffffff, i)
    view.setUint16(at, ins.code, littleEndian)
    view.setUint8(at + 2, ins.jt)
    view.setUint8(at + 3, ins.jf)
    view.setUint32(at + 4, ins.k, littleEndian)
  })
  return bytes
}

/** Decode a struct sock_filter array. */
export function decodeProgram(bytes: Uint8Array, littleEndian = true): Instruction[] {
  if (bytes.length % INSTRUCTION_SIZE !== 0) {
    throw new RangeError(`BPF program length ${bytes.length} is not a multiple of ${INSTRUCTION_SIZE}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const program: Instruction[] = []
  for (let at = 0; at < bytes.length; at += INSTRUCTION_SIZE) {
    program.push({
      code: view.getUint16(at, littleEndian),
      jt: view.getUint8(at + 2),
      jf: view.getUint8(at + 3),
      k: view.getUint32(at + 4, littleEndian),
    })
  }
  return program
}

function checkField(name: string, value: number, max: number, index: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`instruction ${index}: ${name} ${value} out of range 0..${max}`)
  }
}
