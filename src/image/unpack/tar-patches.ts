// Two documented patches to tar-stream 3.2.2's header decoding, installed once per process by installTarPatches().
//
// tar-stream's extract.js calls `headers.decode(block, ...)` and `headers.decodePax(buf)` through the module object
// of its headers.js at every call, so replacing those two properties changes what every Extract sees:
//
// 1. decodePax: upstream decodes every PAX value as UTF-8, so a binary value (an xattr such as security.capability,
//    or a name that is not UTF-8) loses bytes, and a key that occurs more than once (GNU.sparse.offset/numbytes of
//    the PAX 0.0 sparse format) keeps only its last value. The wrapper returns upstream's object unchanged (other
//    users of tar-stream see no difference) with the raw records, in order and byte for byte, under PAX_RECORDS.
// 2. decode: upstream maps typeflags it does not know, such as 'S' (old GNU sparse), to `type: null` and drops the
//    header block, whose sparse map we need. The wrapper adds under RAW_HEADER the typeflag byte and, for 'S', a copy
//    of the 512-byte block.
//
// headers.js is not in tar-stream's "exports", so it is required by its path next to tar-stream's index.js. The path
// is a literal so that a bundler (esbuild) resolves it to the same module extract.js uses; `assertPatched` fails
// loudly if an Extract ever decodes a header without the patch (e.g. two copies of tar-stream).
// test/unit/image/unpack-tar-patches.test.ts fails when tar-stream changes any of this.
import type { Header } from 'tar-stream'

export interface PaxRecord {
  key: string
  value: Buffer
}

export interface RawHeaderInfo {
  /** the typeflag byte (offset 156) */
  typeflag: number
  /** a copy of the header block, kept for typeflag 'S' only */
  block?: Buffer
}

interface HeadersModule {
  decode(buf: Buffer, filenameEncoding?: string, allowUnknownFormat?: boolean): Header | null
  decodePax(buf: Buffer): Record<string, string>
}

export const PAX_RECORDS = Symbol.for('tsrun.tar-stream.paxRecords')
export const RAW_HEADER = Symbol.for('tsrun.tar-stream.rawHeader')
const PATCHED = Symbol.for('tsrun.tar-stream.patched')

const TYPEFLAG_GNU_SPARSE = 0x53 // 'S'

/** tar-stream's headers.js module object, the one extract.js calls through. */
export function tarStreamHeaders(): HeadersModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../../node_modules/tar-stream/headers.js') as HeadersModule
}

/**
 * The records of a PAX extended header, in order, values as raw bytes. Stops at the first malformed record, as
 * tar-stream does. Record format: "<len> <key>=<value>\n", len counting the whole record in bytes.
 */
export function parsePaxRecords(buf: Buffer): PaxRecord[] {
  const records: PaxRecord[] = []
  let pos = 0
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos)
    if (space === -1) break
    const len = Number(buf.toString('latin1', pos, space))
    if (!Number.isSafeInteger(len) || len <= space - pos + 1 || pos + len > buf.length) break
    const end = pos + len
    if (buf[end - 1] !== 0x0a) break
    const eq = buf.indexOf(0x3d, space + 1)
    if (eq === -1 || eq >= end) break
    records.push({ key: buf.toString('utf8', space + 1, eq), value: Buffer.from(buf.subarray(eq + 1, end - 1)) })
    pos = end
  }
  return records
}

/** Install the two patches (idempotent). */
export function installTarPatches(): void {
  const h = tarStreamHeaders()
  const flagged = h.decode as { [PATCHED]?: true }
  if (flagged[PATCHED]) return

  const upstreamDecode = h.decode
  const upstreamDecodePax = h.decodePax

  const decode = function decode(buf: Buffer, filenameEncoding?: string, allowUnknownFormat?: boolean): Header | null {
    const header = upstreamDecode(buf, filenameEncoding, allowUnknownFormat)
    if (header) {
      const info: RawHeaderInfo = { typeflag: buf[156]! }
      if (info.typeflag === TYPEFLAG_GNU_SPARSE) info.block = Buffer.from(buf.subarray(0, 512))
      ;(header as unknown as Record<symbol, unknown>)[RAW_HEADER] = info
    }
    return header
  }
  const decodePax = function decodePax(buf: Buffer): Record<string, string> {
    const result = upstreamDecodePax(buf)
    // enumerable, so that extract.js's Object.assign({}, global, local) carries the local header's records
    ;(result as unknown as Record<symbol, unknown>)[PAX_RECORDS] = parsePaxRecords(buf)
    return result
  }
  Object.assign(decode, { [PATCHED]: true, upstream: upstreamDecode })
  Object.assign(decodePax, { [PATCHED]: true, upstream: upstreamDecodePax })
  h.decode = decode
  h.decodePax = decodePax
}

/** The RAW_HEADER info of a header that came through the patched decode; throws when the patch was not active. */
export function rawHeaderInfo(header: Header): RawHeaderInfo {
  const info = (header as unknown as Record<symbol, RawHeaderInfo | undefined>)[RAW_HEADER]
  if (info === undefined) {
    throw new Error('tar-stream header patch is not active (is a second copy of tar-stream loaded?)')
  }
  return info
}

/**
 * The PAX records that apply to a header, in order: the entry's own records byte for byte, after the keys that only
 * a global header set (upstream merged those as text into header.pax; their values are re-encoded from that text).
 */
export function paxRecordsOf(header: Header): PaxRecord[] {
  const pax = header.pax as (Record<string, string> & { [PAX_RECORDS]?: PaxRecord[] }) | null | undefined
  if (!pax) return []
  const own = pax[PAX_RECORDS] ?? []
  const ownKeys = new Set(own.map((r) => r.key))
  const inherited: PaxRecord[] = []
  for (const key of Object.keys(pax)) {
    if (!ownKeys.has(key)) inherited.push({ key, value: Buffer.from(pax[key]!, 'utf8') })
  }
  return inherited.length === 0 ? own : [...inherited, ...own]
}
