// Binary plan codec. Layout (little-endian): u32 version, u32 op count, then per op:
// u32 code, u32 body length, body = the op's fields in table order:
//   u32/i32/fd: 4 bytes · u64: 8 bytes · str: u32 length (0xffffffff = null), bytes, NUL
//   strv: u32 count, then count × str · bytes: u32 length, bytes · u32v: u32 count, count × u32
import { OP_BY_CODE, OP_BY_NAME, PLAN_VERSION, type FieldKind, type Op } from './ops'

const NULL_LEN = 0xffffffff

/** Writes into one growing buffer (a plan has hundreds of small fields: no Buffer per field). */
class Writer {
  private buf = Buffer.allocUnsafe(4096)
  off = 0
  private room(n: number): void {
    if (this.off + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.off + n))
    this.buf.copy(next, 0, 0, this.off)
    this.buf = next
  }
  u32(v: number): void { this.room(4); this.buf.writeUInt32LE(v >>> 0, this.off); this.off += 4 }
  /** Overwrite a u32 written earlier (an op's body length, known once its fields are written). */
  u32At(at: number, v: number): void { this.buf.writeUInt32LE(v >>> 0, at) }
  u64(v: bigint): void { this.room(8); this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.off); this.off += 8 }
  str(v: string | null): void {
    if (v === null) return this.u32(NULL_LEN)
    if (v.includes('\0')) throw new Error(`plan: string contains a NUL byte: ${JSON.stringify(v)}`)
    const len = Buffer.byteLength(v, 'utf8')
    this.u32(len)
    this.room(len + 1)
    this.off += this.buf.write(v, this.off, 'utf8')
    this.buf[this.off++] = 0
  }
  bytes(v: Uint8Array): void { this.u32(v.length); this.room(v.length); this.buf.set(v, this.off); this.off += v.length }
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
  done(): Buffer { return Buffer.from(this.buf.subarray(0, this.off)) }
}

export function encodePlan(ops: readonly Op[]): Buffer {
  const out = new Writer()
  out.u32(PLAN_VERSION)
  out.u32(ops.length)
  for (const op of ops) {
    const spec = OP_BY_NAME.get(op.op)!
    const rec = op as unknown as Record<string, unknown>
    out.u32(spec.code)
    const lenAt = out.off
    out.u32(0)
    for (const [name, kind] of spec.fields) {
      if (!(name in rec)) throw new Error(`plan: op ${op.op} lacks field ${name}`)
      out.field(kind, rec[name])
    }
    out.u32At(lenAt, out.off - lenAt - 4)
  }
  return out.done()
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
