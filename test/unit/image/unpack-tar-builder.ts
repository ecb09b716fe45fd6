// Builds tar archives byte by byte for the unpack tests: any typeflag, PAX records with binary values, GNU sparse
// headers, broken checksums; what tar-stream's pack cannot produce.

export interface RawEntry {
  name: string | Buffer
  /** typeflag character; '0' when omitted */
  type?: string
  mode?: number
  uid?: number
  gid?: number
  /** seconds */
  mtime?: number
  /** the header's size field; the data's length when omitted */
  size?: number
  data?: Buffer | string
  linkname?: string | Buffer
  devmajor?: number
  devminor?: number
  /** records of an 'x' header written before this entry */
  pax?: [string, Buffer | string][]
  /** 'ustar' (POSIX, the default) or 'gnu' ("ustar  \0" magic, as GNU tar writes) */
  format?: 'ustar' | 'gnu'
  /** change the header block before its checksum is computed */
  edit?: (block: Buffer) => void
  /** write this checksum instead of the right one */
  badChecksum?: boolean
}

/** Write `value` as octal into a `length`-byte field: digits, then a NUL. */
export function octal(block: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0')
  if (text.length > length - 1) throw new Error(`${value} does not fit a ${length}-byte field`)
  block.write(text, offset, 'latin1')
  block[offset + length - 1] = 0
}

function bytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v
}

/** One PAX record: "<len> <key>=<value>\n" with len counting itself. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), bytes(value), Buffer.from('\n')])
  let len = body.length + 1
  while (String(len).length + body.length !== len) len = String(len).length + body.length
  return Buffer.concat([Buffer.from(String(len)), body])
}

export function tarHeader(e: RawEntry, dataLength: number): Buffer {
  const block = Buffer.alloc(512)
  const name = bytes(e.name)
  if (name.length > 100) throw new Error('name longer than 100 bytes: use a PAX path record')
  name.copy(block, 0)
  octal(block, 100, 8, e.mode ?? 0o644)
  octal(block, 108, 8, e.uid ?? 0)
  octal(block, 116, 8, e.gid ?? 0)
  octal(block, 124, 12, e.size ?? dataLength)
  octal(block, 136, 12, e.mtime ?? 946684800)
  block.write(e.type ?? '0', 156, 'latin1')
  if (e.linkname !== undefined) bytes(e.linkname).copy(block, 157, 0, 100)
  if ((e.format ?? 'ustar') === 'ustar') {
    block.write('ustar\u000000', 257, 'latin1')
  } else {
    block.write('ustar  \u0000', 257, 'latin1')
  }
  block.write('root', 265, 'latin1')
  block.write('root', 297, 'latin1')
  octal(block, 329, 8, e.devmajor ?? 0)
  octal(block, 337, 8, e.devminor ?? 0)
  e.edit?.(block)
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const b of block) sum += b
  if (e.badChecksum) sum += 1
  block.write(sum.toString(8).padStart(6, '0'), 148, 'latin1')
  block[154] = 0
  block[155] = 0x20
  return block
}

function padded(data: Buffer): Buffer {
  const rem = data.length % 512
  return rem === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rem)])
}

/** The blocks of one entry (its PAX header first when it has records). */
export function entryBlocks(e: RawEntry): Buffer {
  const parts: Buffer[] = []
  if (e.pax && e.pax.length > 0) {
    const pax = Buffer.concat(e.pax.map(([k, v]) => paxRecord(k, v)))
    parts.push(tarHeader({ name: 'PaxHeaders/x', type: 'x', mode: 0o644 }, pax.length), padded(pax))
  }
  const data = e.data === undefined ? Buffer.alloc(0) : bytes(e.data)
  parts.push(tarHeader(e, data.length), padded(data))
  return Buffer.concat(parts)
}

/** A whole archive, with the two zero blocks at the end unless `end` is false. */
export function buildTar(entries: RawEntry[], end = true): Buffer {
  const parts = entries.map(entryBlocks)
  if (end) parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}
