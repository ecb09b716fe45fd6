// Binary plan codec. Layout (little-endian): u32 version, u32 op count, then per op:
// u32 code, u32 body length, body = the op's fields in table order:
//   u32/i32/fd: 4 bytes · u64: 8 bytes · str: u32 length (0xffffffff = null), bytes, NUL
//   strv: u32 count, then count × str · bytes: u32 length, bytes · u32v: u32 count, count × u32
import { OP_BY_CODE, OP_BY_NAME, PLAN_VERSION, type FieldKind, type Op } from './ops'

const NULL_LEN = 0xffffffff

class Writer {
  private chunks: Buffer[] = []
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); this.chunks.push(b) }
  u64(v: bigint): void { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, v)); this.chunks.push(b) }
  str(v: string | null): void {
    if (v === null) return this.u32(NULL_LEN)
    const b = Buffer.from(v, 'utf8')
    if (b.includes(0)) throw new Error(`plan: string contains a NUL byte: ${JSON.stringify(v)}`)
    this.u32(b.length); this.chunks.push(b, Buffer.alloc(1))
  }
  bytes(v: Uint8Array): void { this.u32(v.length); this.chunks.push(Buffer.from(v)) }
  field(kind: FieldKind, v: unknown): void {
    switch (kind) {
      case 'u32': case 'i32': case 'fd': return this.u32(v as number)
      case 'u64': return this.u64(v as bigint)
      case 'str': return this.str(v as string | null)
      case 'strv': { const a = v as string[]; this.u32(a.length); for (const s of a) this.str(s); return }
      case 'u32v': { const a = v as number[]; this.u32(a.length); for (const n of a) this.u32(n); return }
      case 'bytes': return this.bytes(v as Uint8Array)
    }
  }
  done(): Buffer { return Buffer.concat(this.chunks) }
}

export function encodePlan(ops: readonly Op[]): Buffer {
  const out = new Writer()
  out.u32(PLAN_VERSION)
  out.u32(ops.length)
  const parts = [out.done()]
  for (const op of ops) {
    const spec = OP_BY_NAME.get(op.op)!
    const body = new Writer()
    const rec = op as unknown as Record<string, unknown>
    for (const [name, kind] of spec.fields) {
      if (!(name in rec)) throw new Error(`plan: op ${op.op} lacks field ${name}`)
      body.field(kind, rec[name])
    }
    const b = body.done()
    const head = Buffer.alloc(8)
    head.writeUInt32LE(spec.code, 0)
    head.writeUInt32LE(b.length, 4)
    parts.push(head, b)
  }
  return Buffer.concat(parts)
}

class Reader {
  off = 0
  constructor(private buf: Buffer) {}
  private need(n: number): void { if (this.off + n > this.buf.length) throw new Error('plan: truncated') }
  u32(): number { this.need(4); const v = this.buf.readUInt32LE(this.off); this.off += 4; return v }
  i32(): number { this.need(4); const v = this.buf.readInt32LE(this.off); this.off += 4; return v }
  u64(): bigint { this.need(8); const v = this.buf.readBigUInt64LE(this.off); this.off += 8; return v }
  str(): string | null {
    const n = this.u32()
    if (n === NULL_LEN) return null
    this.need(n + 1); const s = this.buf.toString('utf8', this.off, this.off + n); this.off += n + 1; return s
  }
  bytes(): Uint8Array { const n = this.u32(); this.need(n); const b = this.buf.subarray(this.off, this.off + n); this.off += n; return new Uint8Array(b) }
  field(kind: FieldKind): unknown {
    switch (kind) {
      case 'u32': return this.u32()
      case 'i32': case 'fd': return this.i32()
      case 'u64': return this.u64()
      case 'str': return this.str()
      case 'strv': { const n = this.u32(); return Array.from({ length: n }, () => this.str()) }
      case 'u32v': { const n = this.u32(); return Array.from({ length: n }, () => this.u32()) }
      case 'bytes': return this.bytes()
    }
  }
}

export function decodePlan(buf: Buffer): Op[] {
  const r = new Reader(buf)
  const version = r.u32()
  if (version !== PLAN_VERSION) throw new Error(`plan: version ${version}, expected ${PLAN_VERSION}`)
  const count = r.u32()
  const ops: Op[] = []
  for (let i = 0; i < count; i++) {
    const code = r.u32()
    const len = r.u32()
    const spec = OP_BY_CODE.get(code)
    if (!spec) throw new Error(`plan: unknown op code ${code} at index ${i}`)
    const end = r.off + len
    const op: Record<string, unknown> = { op: spec.name }
    for (const [name, kind] of spec.fields) op[name] = r.field(kind)
    if (r.off !== end) throw new Error(`plan: op ${i} (${spec.name}) length ${len} does not match its fields`)
    ops.push(op as unknown as Op)
  }
  if (r.off !== buf.length) throw new Error('plan: trailing bytes')
  return ops
}
