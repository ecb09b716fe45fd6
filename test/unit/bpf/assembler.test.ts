import test from 'ava'
import { Assembler, AssemblerError } from '../../../src/bpf/assembler'
import { disassemble } from '../../../src/bpf/disassembler'
import { stmt } from '../../../src/bpf/instruction'
import { runFilter } from '../../../src/bpf/interpreter'
import { BPF_ABS, BPF_ALU, BPF_JA, BPF_JMP, BPF_LD, BPF_W, BPF_ADD, BPF_K, BPF_IMM } from '../../../src/bpf/opcodes'
import { validateProgram } from '../../../src/bpf/validate'

function input(word: number): Uint8Array {
  const bytes = new Uint8Array(4)
  new DataView(bytes.buffer).setUint32(0, word, true)
  return bytes
}

test('labels resolve to forward offsets; omitted targets fall through', (t) => {
  const asm = new Assembler()
  const yes = asm.label('yes')
  const big = asm.label('big')
  asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, 0))
  asm.jumpIf('jeq', 7, yes)
  asm.jumpIf('jgt', 100, big, undefined)
  asm.ret(1)
  asm.bind(yes)
  asm.ret(2)
  asm.bind(big)
  asm.ret(3)
  const program = asm.assemble()
  t.deepEqual(program.map((i) => [i.jt, i.jf]), [[0, 0], [2, 0], [2, 0], [0, 0], [0, 0], [0, 0]])
  validateProgram(program, { dataLength: 4 })
  t.is(runFilter(program, input(7)).value, 2)
  t.is(runFilter(program, input(101)).value, 3)
  t.is(runFilter(program, input(5)).value, 1)
})

test('goto emits ja with the distance', (t) => {
  const asm = new Assembler()
  const end = asm.label('end')
  asm.goto(end)
  asm.ret(1)
  asm.ret(2)
  asm.bind(end)
  asm.ret(3)
  const program = asm.assemble()
  t.deepEqual(program[0], { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 2 })
  t.is(runFilter(program, new Uint8Array(0)).value, 3)
})

test('label misuse is an error', (t) => {
  const unbound = new Assembler()
  unbound.jumpIf('jeq', 1, unbound.label('nowhere'))
  unbound.ret(0)
  t.throws(() => unbound.assemble(), { instanceOf: AssemblerError, message: /never bound/ })

  const backwards = new Assembler()
  const top = backwards.label('top')
  backwards.bind(top)
  backwards.ret(0)
  backwards.goto(top)
  backwards.ret(0)
  t.throws(() => backwards.assemble(), { instanceOf: AssemblerError, message: /goes backwards/ })

  const twice = new Assembler()
  const l = twice.label('l')
  twice.bind(l)
  t.throws(() => twice.bind(l), { instanceOf: AssemblerError, message: /bound twice/ })

  const dangling = new Assembler()
  dangling.ret(0)
  dangling.bind(dangling.label('end'))
  t.throws(() => dangling.assemble(), { instanceOf: AssemblerError, message: /after the last instruction/ })

  t.throws(() => new Assembler().emit({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: 0 }), { instanceOf: AssemblerError })
})

/** `n` filler instructions that leave A alone: A += 0. */
function filler(asm: Assembler, n: number): void {
  for (let i = 0; i < n; i++) asm.emit(stmt(BPF_ALU | BPF_ADD | BPF_K, 0))
}

for (const [title, trueFar, falseFar] of [['jt', true, false], ['jf', false, true], ['jt and jf', true, true]] as const) {
  test(`a conditional jump beyond 255 goes through a ja trampoline (${title} far)`, (t) => {
    const asm = new Assembler()
    const far = asm.label('far')
    const farToo = asm.label('farToo')
    const near = asm.label('near')
    asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, 0))
    asm.jumpIf('jeq', 1, trueFar ? far : near, falseFar ? farToo : undefined)
    asm.ret(10) // fall-through / near path
    asm.bind(near)
    asm.ret(11)
    filler(asm, 300)
    asm.bind(far)
    asm.ret(20)
    filler(asm, 300)
    asm.bind(farToo)
    asm.ret(30)
    const program = asm.assemble()
    validateProgram(program, { dataLength: 4 })
    const listing = disassemble(program)
    t.true(program.every((i) => i.jt <= 255 && i.jf <= 255), listing)
    t.true(program.some((i) => i.code === (BPF_JMP | BPF_JA)), listing)
    t.is(runFilter(program, input(1)).value, trueFar ? 20 : 11, listing)
    t.is(runFilter(program, input(2)).value, falseFar ? 30 : 10, listing)
  })
}

test('trampolines that push other jumps out of range are fixed up too', (t) => {
  // 40 conditional jumps, each to a target just inside the 255 limit: the first trampoline
  // inserted pushes the others beyond it, so assembly must iterate
  const asm = new Assembler()
  const targets = Array.from({ length: 40 }, (_, i) => asm.label(`t${i}`))
  asm.emit(stmt(BPF_LD | BPF_W | BPF_ABS, 0))
  targets.forEach((target, i) => asm.jumpIf('jeq', i, target))
  asm.ret(999)
  filler(asm, 250)
  targets.forEach((target, i) => {
    asm.bind(target)
    asm.ret(i)
    filler(asm, 3)
  })
  asm.emit(stmt(BPF_LD | BPF_IMM, 0))
  asm.ret(0)
  const program = asm.assemble()
  validateProgram(program, { dataLength: 4 })
  for (let i = 0; i < 40; i++) t.is(runFilter(program, input(i)).value, i)
  t.is(runFilter(program, input(77)).value, 999)
})
