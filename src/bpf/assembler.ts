import { type Instruction, stmt } from './instruction'
import { BPF_JA, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_JSET, BPF_K, BPF_RET, BPF_X, bpfClass } from './opcodes'

/** A symbolic jump target. Create with `Assembler.label`, place with `Assembler.bind`. */
export class Label {
  constructor(
    readonly name: string,
    readonly id: number,
  ) {}
  toString(): string {
    return `${this.name}#${this.id}`
  }
}

export type JumpCondition = 'jeq' | 'jgt' | 'jge' | 'jset'

const CONDITION_OPS: Record<JumpCondition, number> = { jeq: BPF_JEQ, jgt: BPF_JGT, jge: BPF_JGE, jset: BPF_JSET }

/** Largest offset a conditional jump can encode in its 8-bit jt/jf. */
const MAX_SHORT_JUMP = 255

type Item =
  | { readonly kind: 'ins'; readonly ins: Instruction }
  | { readonly kind: 'cond'; readonly code: number; readonly k: number; readonly jt: Label | null; readonly jf: Label | null }
  | { readonly kind: 'ja'; readonly target: Label }
  | { readonly kind: 'bind'; readonly label: Label }

export class AssemblerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'AssemblerError'
  }
}

/**
 * Builds a classic BPF program with symbolic, forward-only labels. Conditional jumps whose
 * target lies more than 255 instructions ahead are rewritten to jump to a `ja` trampoline
 * inserted right after them; `assemble` repeats until every offset fits.
 */
export class Assembler {
  private readonly items: Item[] = []
  private nextLabelId = 0
  private readonly bound = new Set<Label>()

  /** A fresh label; the name is for disassembly and error messages only. */
  label(name = 'L'): Label {
    return new Label(name, this.nextLabelId++)
  }

  /** Place `label` before the next emitted instruction. */
  bind(label: Label): void {
    if (this.bound.has(label)) throw new AssemblerError(`label ${label} bound twice`)
    this.bound.add(label)
    this.items.push({ kind: 'bind', label })
  }

  /** Emit a non-jump instruction. */
  emit(ins: Instruction): void {
    if (bpfClass(ins.code) === BPF_JMP) throw new AssemblerError('use jumpIf/goto for jumps so targets stay symbolic')
    this.items.push({ kind: 'ins', ins })
  }

  /** `ret #k` */
  ret(k: number): void {
    this.emit(stmt(BPF_RET | BPF_K, k))
  }

  /** Jump to `onTrue` if `A <cond> k`, else to `onFalse`; an omitted target means the next instruction. */
  jumpIf(cond: JumpCondition, k: number, onTrue?: Label, onFalse?: Label): void {
    this.items.push({ kind: 'cond', code: BPF_JMP | CONDITION_OPS[cond] | BPF_K, k: k >>> 0, jt: onTrue ?? null, jf: onFalse ?? null })
  }

  /** Like `jumpIf` but compares A with X. */
  jumpIfX(cond: JumpCondition, onTrue?: Label, onFalse?: Label): void {
    this.items.push({ kind: 'cond', code: BPF_JMP | CONDITION_OPS[cond] | BPF_X, k: 0, jt: onTrue ?? null, jf: onFalse ?? null })
  }

  /** Unconditional jump (`ja`), any distance. */
  goto(target: Label): void {
    this.items.push({ kind: 'ja', target })
  }

  /** Resolve labels, insert trampolines where needed, and return the instructions. */
  assemble(): Instruction[] {
    let items = this.items.slice()
    for (;;) {
      const layout = this.layout(items)
      const rewritten = this.insertTrampolines(items, layout)
      if (rewritten === null) return this.resolve(items, layout)
      items = rewritten
    }
  }

  private layout(items: readonly Item[]): { pcOf: number[]; labelPc: Map<Label, number>; length: number } {
    const pcOf: number[] = []
    const labelPc = new Map<Label, number>()
    let pc = 0
    for (const item of items) {
      pcOf.push(pc)
      if (item.kind === 'bind') labelPc.set(item.label, pc)
      else pc++
    }
    for (const [label, at] of labelPc) {
      if (at >= pc) throw new AssemblerError(`label ${label} is bound after the last instruction`)
    }
    return { pcOf, labelPc, length: pc }
  }

  private target(label: Label, from: number, labelPc: Map<Label, number>): number {
    const at = labelPc.get(label)
    if (at === undefined) throw new AssemblerError(`label ${label} is used but never bound`)
    if (at <= from) throw new AssemblerError(`jump at ${from} to ${label} at ${at} goes backwards`)
    return at
  }

  private offset(label: Label | null, from: number, labelPc: Map<Label, number>): number {
    return label === null ? 0 : this.target(label, from, labelPc) - from - 1
  }

  /** Returns a new item list with trampolines, or null when every jump already fits. */
  private insertTrampolines(items: readonly Item[], layout: { pcOf: number[]; labelPc: Map<Label, number> }): Item[] | null {
    const out: Item[] = []
    let changed = false
    items.forEach((item, i) => {
      if (item.kind !== 'cond') {
        out.push(item)
        return
      }
      const pc = layout.pcOf[i] as number
      const farTrue = this.offset(item.jt, pc, layout.labelPc) > MAX_SHORT_JUMP
      const farFalse = this.offset(item.jf, pc, layout.labelPc) > MAX_SHORT_JUMP
      if (!farTrue && !farFalse) {
        out.push(item)
        return
      }
      changed = true
      const after = this.label('after')
      const trampolines: Item[] = []
      const viaTrampoline = (target: Label): Label => {
        const t = this.label('trampoline')
        trampolines.push({ kind: 'bind', label: t }, { kind: 'ja', target })
        return t
      }
      const jt = farTrue ? viaTrampoline(item.jt as Label) : (item.jt ?? after)
      const jf = farFalse ? viaTrampoline(item.jf as Label) : (item.jf ?? after)
      out.push({ ...item, jt, jf }, ...trampolines, { kind: 'bind', label: after })
    })
    return changed ? out : null
  }

  private resolve(items: readonly Item[], layout: { pcOf: number[]; labelPc: Map<Label, number> }): Instruction[] {
    const program: Instruction[] = []
    items.forEach((item, i) => {
      const pc = layout.pcOf[i] as number
      switch (item.kind) {
        case 'bind':
          return
        case 'ins':
          program.push(item.ins)
          return
        case 'ja':
          program.push({ code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: this.offset(item.target, pc, layout.labelPc) })
          return
        case 'cond':
          program.push({
            code: item.code,
            jt: this.offset(item.jt, pc, layout.labelPc),
            jf: this.offset(item.jf, pc, layout.labelPc),
            k: item.k,
          })
      }
    })
    return program
  }
}
