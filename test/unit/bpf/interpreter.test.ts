import test from 'ava'
import { jump, stmt, type Instruction } from '../../../src/bpf/instruction'
import { BpfRuntimeError, runFilter } from '../../../src/bpf/interpreter'
import {
  BPF_A, BPF_ABS, BPF_ADD, BPF_ALU, BPF_AND, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET,
  BPF_K, BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_MUL, BPF_NEG, BPF_OR, BPF_RET, BPF_RSH,
  BPF_ST, BPF_STX, BPF_SUB, BPF_TAX, BPF_TXA, BPF_W, BPF_X, BPF_XOR,
} from '../../../src/bpf/opcodes'
import { encodeSeccompData, runSeccompFilter } from '../../../src/bpf/seccomp-data'

const ldImm = (k: number): Instruction => stmt(BPF_LD | BPF_IMM, k)
const ldxImm = (k: number): Instruction => stmt(BPF_LDX | BPF_W | BPF_IMM, k)
const retA = stmt(BPF_RET | BPF_A)
const run = (program: Instruction[], data = new Uint8Array(64)): number => runFilter(program, data).value

test('ALU with constants and with X, 32-bit unsigned wrap-around', (t) => {
  const alu = (op: number, a: number, k: number): [number, number] => [
    run([ldImm(a), stmt(BPF_ALU | op | BPF_K, k), retA]),
    run([ldImm(a), ldxImm(k), stmt(BPF_ALU | op | BPF_X), retA]),
  ]
  t.deepEqual(alu(BPF_ADD, 0xffffffff, 2), [1, 1])
  t.deepEqual(alu(BPF_SUB, 1, 2), [0xffffffff, 0xffffffff])
  t.deepEqual(alu(BPF_MUL, 0x10000, 0x10001), [0x10000, 0x10000])
  t.deepEqual(alu(BPF_DIV, 0xffffffff, 16), [0x0fffffff, 0x0fffffff])
  t.deepEqual(alu(BPF_MOD, 100, 7), [2, 2])
  t.deepEqual(alu(BPF_OR, 0xf0, 0x0f), [0xff, 0xff])
  t.deepEqual(alu(BPF_AND, 0xf0f0f0f0, 0xff00ff00), [0xf000f000, 0xf000f000])
  t.deepEqual(alu(BPF_XOR, 0xffffffff, 0x0f0f0f0f), [0xf0f0f0f0, 0xf0f0f0f0])
  t.deepEqual(alu(BPF_LSH, 0x80000001, 1), [2, 2])
  t.deepEqual(alu(BPF_RSH, 0x80000000, 31), [1, 1])
  t.is(run([ldImm(1), stmt(BPF_ALU | BPF_NEG), retA]), 0xffffffff)
})

test('division by a zero X returns 0 from the program', (t) => {
  t.is(run([ldImm(5), ldxImm(0), stmt(BPF_ALU | BPF_DIV | BPF_X), stmt(BPF_RET | BPF_K, 7)]), 0)
  t.throws(() => run([ldImm(5), stmt(BPF_ALU | BPF_DIV | BPF_K, 0), retA]), { instanceOf: BpfRuntimeError })
})

test('jumps on constants and on X', (t) => {
  const cond = (op: number, a: number, k: number): [number, number] => [
    run([ldImm(a), jump(BPF_JMP | op | BPF_K, k, 0, 1), stmt(BPF_RET | BPF_K, 1), stmt(BPF_RET | BPF_K, 0)]),
    run([ldImm(a), ldxImm(k), jump(BPF_JMP | op | BPF_X, 0, 0, 1), stmt(BPF_RET | BPF_K, 1), stmt(BPF_RET | BPF_K, 0)]),
  ]
  t.deepEqual(cond(BPF_JEQ, 5, 5), [1, 1])
  t.deepEqual(cond(BPF_JEQ, 5, 6), [0, 0])
  t.deepEqual(cond(BPF_JGT, 0x80000000, 0x7fffffff), [1, 1]) // unsigned
  t.deepEqual(cond(BPF_JGT, 5, 5), [0, 0])
  t.deepEqual(cond(BPF_JGE, 5, 5), [1, 1])
  t.deepEqual(cond(BPF_JGE, 4, 5), [0, 0])
  t.deepEqual(cond(BPF_JSET, 0b1010, 0b0010), [1, 1])
  t.deepEqual(cond(BPF_JSET, 0b1010, 0b0101), [0, 0])
  t.is(run([{ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 1 }, stmt(BPF_RET | BPF_K, 1), stmt(BPF_RET | BPF_K, 2)]), 2)
})

test('tax, txa, scratch memory, length loads', (t) => {
  t.is(run([ldImm(9), stmt(BPF_MISC | BPF_TAX), ldImm(0), stmt(BPF_MISC | BPF_TXA), retA]), 9)
  t.is(run([ldImm(3), stmt(BPF_ST, 15), ldImm(0), stmt(BPF_LD | BPF_MEM, 15), retA]), 3)
  t.is(run([ldxImm(4), stmt(BPF_STX, 2), stmt(BPF_LDX | BPF_MEM, 2), stmt(BPF_MISC | BPF_TXA), retA]), 4)
  t.is(run([stmt(BPF_LD | BPF_W | BPF_LEN), retA]), 64)
  t.is(run([stmt(BPF_LDX | BPF_W | BPF_LEN), stmt(BPF_MISC | BPF_TXA), retA]), 64)
})

test('absolute loads read seccomp_data in the host byte order', (t) => {
  const data = { nr: 59, arch: 0xc000003e, instructionPointer: 0x7fff_0000_1234n, args: [0x1_0000_0002n, 0n, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn] }
  const load = (k: number): Instruction[] => [stmt(BPF_LD | BPF_W | BPF_ABS, k), retA]
  t.is(runSeccompFilter(load(0), data).value, 59)
  t.is(runSeccompFilter(load(4), data).value, 0xc000003e)
  t.is(runSeccompFilter(load(16), data).value, 2) // args[0] low word (LE)
  t.is(runSeccompFilter(load(20), data).value, 1) // args[0] high word (LE)
  t.is(runSeccompFilter(load(16), data, { littleEndian: false }).value, 1) // BE: high word first
  t.is(runSeccompFilter(load(60), data).value, 0xffffffff)
  t.is(runSeccompFilter(load(0), { nr: -1, arch: 0 }).value, 0xffffffff)
  t.is(encodeSeccompData(data).length, 64)
  t.throws(() => runFilter(load(64), encodeSeccompData(data)), { instanceOf: BpfRuntimeError })
})

test('steps and trace count every executed instruction', (t) => {
  const program = [ldImm(1), jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), stmt(BPF_RET | BPF_K, 0), stmt(BPF_RET | BPF_K, 1)]
  const result = runFilter(program, new Uint8Array(0), { trace: true })
  t.is(result.value, 1)
  t.is(result.steps, 3)
  t.deepEqual(result.trace, [0, 1, 3])
  t.throws(() => runFilter([ldImm(1)], new Uint8Array(0)), { instanceOf: BpfRuntimeError, message: /ran off the end/ })
})
