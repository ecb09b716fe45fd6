import test from 'ava'
import { jump, stmt, type Instruction } from '../../../src/bpf/instruction'
import {
  BPF_ABS, BPF_ALU, BPF_B, BPF_DIV, BPF_IMM, BPF_JA, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_LSH, BPF_MEM, BPF_MOD,
  BPF_RET, BPF_ST, BPF_W,
} from '../../../src/bpf/opcodes'
import { BpfValidationError, validateProgram } from '../../../src/bpf/validate'

const ret = stmt(BPF_RET | BPF_K, 0x7fff0000)
const check = (program: Instruction[], seccomp = true): void => validateProgram(program, { dataLength: 64, seccomp })

test('a well-formed seccomp program passes', (t) => {
  t.notThrows(() => check([stmt(BPF_LD | BPF_W | BPF_ABS, 0), jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1), ret, ret]))
})

const rejected: [string, Instruction[], RegExp, boolean?][] = [
  ['empty', [], /program length 0/],
  ['too long', new Array(4097).fill(ret), /program length 4097/],
  ['no final ret', [stmt(BPF_LD | BPF_IMM, 1)], /does not end with ret/],
  ['jump past the end', [jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ret], /leaves the program/],
  ['ja past the end', [{ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 1 }, ret], /leaves the program/],
  ['unaligned load', [stmt(BPF_LD | BPF_W | BPF_ABS, 2), ret], /unaligned or beyond/],
  ['load beyond seccomp_data', [stmt(BPF_LD | BPF_W | BPF_ABS, 64), ret], /unaligned or beyond/],
  ['byte load (not for seccomp)', [stmt(BPF_LD | BPF_B | BPF_ABS, 0), ret], /not allowed/],
  ['MOD (not for seccomp)', [stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret], /not allowed/],
  ['division by constant zero', [stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret], /division by constant zero/],
  ['shift by 32', [stmt(BPF_ALU | BPF_LSH | BPF_K, 32), ret], /shift by 32/],
  ['scratch index 16', [stmt(BPF_ST, 16), ret], /scratch memory index 16/],
  ['uninitialised scratch read', [stmt(BPF_LD | BPF_MEM, 3), ret], /M\[3\] read before it is written/],
  ['scratch written on one path only', [
    jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), stmt(BPF_ST, 1), stmt(BPF_LD | BPF_MEM, 1), ret,
  ], /M\[1\] read before/],
]

for (const [title, program, message] of rejected) {
  test(`rejects: ${title}`, (t) => {
    t.throws(() => check(program), { instanceOf: BpfValidationError, message })
  })
}

test('MOD passes outside seccomp mode', (t) => {
  t.notThrows(() => check([stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret], false))
})
