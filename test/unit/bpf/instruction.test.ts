import test from 'ava'
import { decodeProgram, encodeProgram, ja, jump, stmt } from '../../../src/bpf/instruction'
import { BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W } from '../../../src/bpf/opcodes'

const program = [
  stmt(BPF_LD | BPF_W | BPF_ABS, 4),
  jump(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
  stmt(BPF_RET | BPF_K, 0x80000000),
  ja(0),
  stmt(BPF_RET | BPF_K, 0x7fff0000),
]

test('struct sock_filter is 8 bytes: u16 code, u8 jt, u8 jf, u32 k (little-endian)', (t) => {
  const bytes = encodeProgram(program)
  t.is(bytes.length, 40)
  t.deepEqual([...bytes.subarray(8, 16)], [0x15, 0x00, 0x01, 0x00, 0x3e, 0x00, 0x00, 0xc0])
  t.deepEqual(decodeProgram(bytes), program)
})

test('big-endian encoding swaps code and k, not jt/jf', (t) => {
  const bytes = encodeProgram(program, false)
  t.deepEqual([...bytes.subarray(8, 16)], [0x00, 0x15, 0x01, 0x00, 0xc0, 0x00, 0x00, 0x3e])
  t.deepEqual(decodeProgram(bytes, false), program)
})

test('fields out of range are refused', (t) => {
  t.throws(() => encodeProgram([{ code: 0x10000, jt: 0, jf: 0, k: 0 }]), { message: /code 65536 out of range/ })
  t.throws(() => encodeProgram([{ code: 0x15, jt: 256, jf: 0, k: 0 }]), { message: /jt 256 out of range/ })
  t.throws(() => decodeProgram(new Uint8Array(7)), { instanceOf: RangeError })
  t.is(stmt(BPF_RET | BPF_K, -1).k, 0xffffffff)
})
