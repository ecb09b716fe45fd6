import test from 'ava'
import { disassemble, formatInstruction } from '../../../src/bpf/disassembler'
import { jump, stmt } from '../../../src/bpf/instruction'
import {
  BPF_A, BPF_ABS, BPF_ALU, BPF_AND, BPF_IMM, BPF_JA, BPF_JGE, BPF_JMP, BPF_JSET, BPF_K, BPF_LD, BPF_LDX, BPF_MEM,
  BPF_MISC, BPF_NEG, BPF_RET, BPF_ST, BPF_TAX, BPF_W, BPF_X,
} from '../../../src/bpf/opcodes'

test('instructions print like bpf_dbg, with absolute jump targets', (t) => {
  t.is(formatInstruction(stmt(BPF_LD | BPF_W | BPF_ABS, 4), 0), 'ld [4]')
  t.is(formatInstruction(stmt(BPF_LD | BPF_IMM, 255), 0), 'ld #0xff')
  t.is(formatInstruction(stmt(BPF_LDX | BPF_MEM, 3), 0), 'ldx M[3]')
  t.is(formatInstruction(stmt(BPF_ST, 2), 0), 'st M[2]')
  t.is(formatInstruction(stmt(BPF_ALU | BPF_AND | BPF_K, 0x7e020000), 0), 'and #0x7e020000')
  t.is(formatInstruction(stmt(BPF_ALU | BPF_AND | BPF_X), 0), 'and x')
  t.is(formatInstruction(stmt(BPF_ALU | BPF_NEG), 0), 'neg')
  t.is(formatInstruction(jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 3, 0), 10), 'jge #0x40000000, 14, 11')
  t.is(formatInstruction(jump(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), 0), 'jset x, 1, 2')
  t.is(formatInstruction({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 5 }, 2), 'ja 8')
  t.is(formatInstruction(stmt(BPF_RET | BPF_A), 0), 'ret a')
  t.is(formatInstruction(stmt(BPF_MISC | BPF_TAX), 0), 'tax')
  t.is(formatInstruction({ code: 0xff, jt: 1, jf: 2, k: 3 }, 0), '.word code=0xff jt=1 jf=2 k=#0x3')
})

test('a listing numbers lines, annotates loads and returns, stars a trace', (t) => {
  const listing = disassemble(
    [stmt(BPF_LD | BPF_W | BPF_ABS, 0), stmt(BPF_RET | BPF_K, 0x7fff0000)],
    { describeLoad: (k) => (k === 0 ? 'nr' : undefined), describeReturn: () => 'ALLOW', highlight: new Set([1]) },
  )
  t.is(listing, ` 0: ld [0]                       ; nr\n*1: ret #0x7fff0000              ; ALLOW`)
})
