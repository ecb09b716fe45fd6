// GNU sparse files: where a member's stored data goes in the file it stands for. Four encodings of the map:
//   old GNU ('S' typeflag): up to 4 (offset, numbytes) pairs in the header block, real size at offset 483;
//       more pairs go to extension blocks after the header (isextended, offset 482), which tar-stream cannot read:
//       it counts only the data in the header's size, so it would take the extension blocks for file data and
//       then read data as headers. Those members are rejected.
//   PAX 0.0: GNU.sparse.size, GNU.sparse.numblocks, then GNU.sparse.offset / GNU.sparse.numbytes repeated in order
//   PAX 0.1: GNU.sparse.size, GNU.sparse.numblocks, GNU.sparse.map = "off,len,off,len,..."
//   PAX 1.0: GNU.sparse.major=1, minor=0, GNU.sparse.realsize; the map is at the start of the member's data:
//       decimal numbers one per line (count, then offset/length pairs), padded with NULs to a 512-byte boundary
// 0.1 and 1.0 give the real name in GNU.sparse.name (the header holds "GNUSparseFile.<pid>/<name>").
// The stored data is the map's segments, one after another.
import { MemberError } from './errors'
import type { PaxRecord } from './tar-patches'

export interface Segment {
  offset: number
  length: number
}

export type SparseSpec =
  /** the map is known from the headers */
  | { format: 'gnu-old' | '0.0' | '0.1'; realSize: number; segments: Segment[]; name?: string }
  /** the map leads the data (see SparseMapReader) */
  | { format: '1.0'; realSize: number; name?: string }

/** A tar numeric field: octal text (spaces/NULs around it) or GNU base-256 (high bit of the first byte set). */
export function parseNumericField(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length)
  if (field[0]! & 0x80) {
    if (field[0] !== 0x80) throw new MemberError('negative or oversized base-256 number in the header')
    let n = 0
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!
    if (!Number.isSafeInteger(n)) throw new MemberError('number in the header is too large')
    return n
  }
  let i = 0
  while (i < field.length && field[i] === 0x20) i++
  let n = 0
  for (; i < field.length; i++) {
    const c = field[i]!
    if (c === 0 || c === 0x20) break
    if (c < 0x30 || c > 0x37) throw new MemberError('invalid octal number in the header')
    n = n * 8 + (c - 0x30)
  }
  if (!Number.isSafeInteger(n)) throw new MemberError('number in the header is too large')
  return n
}

/** The sparse map of an old GNU 'S' header block. */
export function parseOldGnuSparse(block: Buffer): SparseSpec & { isExtended: boolean } {
  const isExtended = block[482] !== 0
  const realSize = parseNumericField(block, 483, 12)
  const segments: Segment[] = []
  for (let i = 0; i < 4; i++) {
    const at = 386 + 24 * i
    if (block[at] === 0) break // unused entry
    segments.push({ offset: parseNumericField(block, at, 12), length: parseNumericField(block, at + 12, 12) })
  }
  return { format: 'gnu-old', realSize, segments, isExtended }
}

function decimal(text: string, what: string): number {
  if (!/^[0-9]{1,16}$/.test(text)) throw new MemberError(`invalid ${what} "${text.slice(0, 40)}"`)
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new MemberError(`${what} ${text} is too large`)
  return n
}

/** The sparse spec of a member from its GNU.sparse.* PAX records, or undefined when it has none. */
export function sparseFromPax(records: PaxRecord[]): SparseSpec | undefined {
  if (records.length === 0) return undefined
  const last = new Map<string, string>()
  for (const r of records) last.set(r.key, r.value.toString('latin1'))
  const name = last.get('GNU.sparse.name')
  const major = last.get('GNU.sparse.major'), minor = last.get('GNU.sparse.minor')
  if (major !== undefined || minor !== undefined) {
    if (major !== '1' || minor !== '0') throw new MemberError(`unsupported GNU sparse format ${major}.${minor}`)
    const real = last.get('GNU.sparse.realsize') ?? last.get('GNU.sparse.size')
    if (real === undefined) throw new MemberError('GNU sparse 1.0 member without GNU.sparse.realsize')
    return { format: '1.0', realSize: decimal(real, 'GNU.sparse.realsize'), name }
  }
  const size = last.get('GNU.sparse.size') ?? last.get('GNU.sparse.realsize')
  const numblocks = last.get('GNU.sparse.numblocks')
  const map = last.get('GNU.sparse.map')
  let segments: Segment[]
  let format: '0.0' | '0.1'
  if (map !== undefined) {
    format = '0.1'
    const nums = map === '' ? [] : map.split(',').map((s) => decimal(s, 'GNU.sparse.map number'))
    if (nums.length % 2 !== 0) throw new MemberError('GNU.sparse.map has an odd count of numbers')
    segments = []
    for (let i = 0; i < nums.length; i += 2) segments.push({ offset: nums[i]!, length: nums[i + 1]! })
  } else {
    format = '0.0'
    segments = []
    let pending: number | undefined
    for (const r of records) {
      if (r.key === 'GNU.sparse.offset') {
        if (pending !== undefined) throw new MemberError('GNU.sparse.offset without its GNU.sparse.numbytes')
        pending = decimal(r.value.toString('latin1'), 'GNU.sparse.offset')
      } else if (r.key === 'GNU.sparse.numbytes') {
        if (pending === undefined) throw new MemberError('GNU.sparse.numbytes without a GNU.sparse.offset before it')
        segments.push({ offset: pending, length: decimal(r.value.toString('latin1'), 'GNU.sparse.numbytes') })
        pending = undefined
      }
    }
    if (pending !== undefined) throw new MemberError('GNU.sparse.offset without its GNU.sparse.numbytes')
    if (segments.length === 0 && size === undefined && numblocks === undefined) {
      // only keys we do not know (e.g. GNU.sparse.name alone): not a sparse member we can place
      throw new MemberError(`incomplete GNU sparse records (${[...last.keys()].join(', ')})`)
    }
  }
  if (size === undefined) throw new MemberError(`GNU sparse ${format} member without GNU.sparse.size`)
  if (numblocks !== undefined && decimal(numblocks, 'GNU.sparse.numblocks') !== segments.length) {
    throw new MemberError(`GNU.sparse.numblocks is ${numblocks} but the map has ${segments.length} entries`)
  }
  return { format, realSize: decimal(size, 'GNU.sparse.size'), segments, name }
}

/**
 * Check a map against the file's real size and the bytes stored: segments in order, not overlapping, inside the
 * file, and adding up to exactly the stored data.
 */
export function validateSegments(segments: Segment[], realSize: number, dataSize: number): void {
  let end = 0, sum = 0
  for (const s of segments) {
    if (!Number.isSafeInteger(s.offset) || !Number.isSafeInteger(s.length) || s.offset < 0 || s.length < 0) {
      throw new MemberError('invalid sparse map entry')
    }
    if (s.offset < end) throw new MemberError('sparse map entries overlap or are out of order')
    end = s.offset + s.length
    if (end > realSize) throw new MemberError(`sparse map goes past the file's size ${realSize}`)
    sum += s.length
  }
  if (sum !== dataSize) {
    throw new MemberError(`sparse map describes ${sum} bytes of data but the member holds ${dataSize}`)
  }
}

const MAX_MAP_ENTRIES = 1 << 22
const MAX_DIGITS = 16

/**
 * Reads the map that leads the data of a PAX 1.0 sparse member: feed() the data chunks in order; once the map and
 * its padding are complete, `segments` and `mapSize` (bytes taken, a multiple of 512) are set and feed() returns
 * the rest of that chunk (file data). Before that it returns undefined.
 */
export class SparseMapReader {
  segments: Segment[] | undefined
  mapSize = 0
  private readonly numbers: number[] = []
  private count = -1
  private cur = -1
  private digits = 0
  private seen = 0
  private mapEnd = -1

  feed(chunk: Buffer): Buffer | undefined {
    if (this.segments) return chunk
    let i = 0
    if (this.mapEnd === -1) {
      for (; i < chunk.length; i++) {
        const c = chunk[i]!
        if (c >= 0x30 && c <= 0x39) {
          if (++this.digits > MAX_DIGITS) throw new MemberError('number too long in the sparse map')
          this.cur = (this.cur === -1 ? 0 : this.cur * 10) + (c - 0x30)
        } else if (c === 0x0a && this.cur !== -1) {
          this.numbers.push(this.cur)
          this.cur = -1
          this.digits = 0
          if (this.count === -1) {
            this.count = this.numbers.pop()!
            if (this.count > MAX_MAP_ENTRIES) throw new MemberError(`sparse map with ${this.count} entries`)
          }
          if (this.numbers.length === 2 * this.count) {
            i++
            this.mapEnd = this.seen + i
            break
          }
        } else {
          throw new MemberError('invalid byte in the sparse map at the start of the data')
        }
      }
      if (this.mapEnd === -1) {
        this.seen += chunk.length
        return undefined
      }
    }
    const padded = Math.ceil(this.mapEnd / 512) * 512
    const take = Math.min(chunk.length - i, padded - (this.seen + i))
    i += take
    this.seen += i
    if (this.seen < padded) return undefined
    this.mapSize = padded
    const segments: Segment[] = []
    for (let k = 0; k < this.numbers.length; k += 2) segments.push({ offset: this.numbers[k]!, length: this.numbers[k + 1]! })
    this.segments = segments
    return chunk.subarray(i)
  }
}
