// The two patches to tar-stream's header decoding (src/image/unpack/tar-patches.ts). These tests fail when
// tar-stream changes what the patches rely on or work around: then re-check tar-patches.ts.
import test from 'ava'
import { dirname, join } from 'node:path'
import { extract, type Header } from 'tar-stream'
import {
  installTarPatches, PAX_RECORDS, paxRecordsOf, parsePaxRecords, RAW_HEADER, rawHeaderInfo, tarStreamHeaders,
  type RawHeaderInfo,
} from '../../../src/image/unpack/tar-patches'
import { buildTar, octal, paxRecord } from './unpack-tar-builder'

type Upstream<F> = F & { upstream?: F }
const binary = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0xff, 0xfe, 0xc3, 0x28, 0x0a, 0x3d])

async function headersOf(tar: Buffer, opts?: object): Promise<Header[]> {
  const ex = extract(opts as Parameters<typeof extract>[0])
  const out: Header[] = []
  const done = (async () => {
    for await (const entry of ex) {
      out.push(entry.header)
      entry.resume()
    }
  })()
  ex.end(tar)
  await done
  return out
}

test('headers.js is the module extract.js requires (so patching its exports reaches every Extract)', (t) => {
  const dir = dirname(require.resolve('tar-stream'))
  const headersPath = join(dir, 'headers.js')
  t.is(require.cache[headersPath]?.exports, tarStreamHeaders())
  const extractModule = require.cache[join(dir, 'extract.js')]
  t.truthy(extractModule, 'extract.js is loaded from next to index.js')
  t.true(extractModule!.children.some((m) => m.exports === tarStreamHeaders()), 'extract.js requires that same headers.js')
  t.throws(() => require('tar-stream/headers'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
})

test('upstream decodePax still turns binary values into UTF-8 text (the reason for the patch)', (t) => {
  installTarPatches()
  const decodePax = tarStreamHeaders().decodePax as Upstream<(b: Buffer) => Record<string, string>>
  t.is(typeof decodePax.upstream, 'function')
  const buf = Buffer.concat([paxRecord('SCHILY.xattr.security.capability', binary), paxRecord('k', 'a'), paxRecord('k', 'b')])
  const upstream = decodePax.upstream!(buf)
  t.notDeepEqual(Buffer.from(upstream['SCHILY.xattr.security.capability']!, 'utf8'), binary,
    'tar-stream now keeps binary PAX values: the decodePax patch may be simplified')
  t.is(upstream.k, 'b', 'upstream keeps only the last of repeated keys')
})

test('upstream decode still maps the old GNU sparse typeflag to type null', (t) => {
  installTarPatches()
  const decode = tarStreamHeaders().decode as Upstream<(b: Buffer) => Header | null>
  const tar = buildTar([{ name: 'f', type: 'S', format: 'gnu', size: 0, edit: (b) => octal(b, 483, 12, 10) }])
  const h = decode.upstream!(tar.subarray(0, 512))
  t.is(h?.type as unknown, null, 'tar-stream now knows typeflag S: re-check the sparse handling')
})

test('patched: PAX records byte for byte and in order, upstream text view unchanged', async (t) => {
  installTarPatches()
  const tar = buildTar([{
    name: 'f', data: 'x',
    pax: [['SCHILY.xattr.security.capability', binary], ['GNU.sparse.offset', '1'], ['GNU.sparse.offset', '2'],
      ['path', Buffer.from([0x64, 0xff, 0x2f, 0x61])]],
  }])
  const [h] = await headersOf(tar)
  const records = (h!.pax as Record<symbol, { key: string; value: Buffer }[]>)[PAX_RECORDS]!
  t.deepEqual(records.map((r) => r.key), ['SCHILY.xattr.security.capability', 'GNU.sparse.offset', 'GNU.sparse.offset', 'path'])
  t.deepEqual(records[0]!.value, binary)
  t.deepEqual(records.map((r) => r.value.toString()).slice(1, 3), ['1', '2'])
  t.deepEqual(records[3]!.value, Buffer.from([0x64, 0xff, 0x2f, 0x61]))
  // what other tar-stream users see is what upstream gives
  const pax = h!.pax as Record<string, string>
  t.is(pax['GNU.sparse.offset'], '2')
  t.is(pax['SCHILY.xattr.security.capability'], binary.toString('utf8'))
  t.deepEqual(paxRecordsOf(h!), records)
})

test('patched: a global PAX header\'s keys reach the entry (as text) under the entry\'s own records', async (t) => {
  installTarPatches()
  const global = buildTar([{ name: 'g', type: 'g', data: Buffer.concat([paxRecord('comment', 'hi'), paxRecord('uid', '5')]) }], false)
  const tar = Buffer.concat([global, buildTar([{ name: 'f', data: 'x', pax: [['uid', '7']] }])])
  const [h] = await headersOf(tar)
  const recs = paxRecordsOf(h!).map((r) => `${r.key}=${r.value}`)
  t.deepEqual(recs, ['comment=hi', 'uid=7'])
})

test('patched: typeflag byte on every header, the block kept for typeflag S', async (t) => {
  installTarPatches()
  const tar = buildTar([
    { name: 'plain', data: 'abc' },
    { name: 'sp', type: 'S', format: 'gnu', size: 0, edit: (b) => octal(b, 483, 12, 4096) },
  ])
  const [a, b] = await headersOf(tar)
  t.deepEqual(rawHeaderInfo(a!), { typeflag: 0x30 })
  const info = (b as unknown as Record<symbol, RawHeaderInfo>)[RAW_HEADER]!
  t.is(info.typeflag, 0x53)
  t.is(b!.type as unknown, null)
  t.deepEqual(info.block, tar.subarray(512 * 2, 512 * 3))
})

test('installTarPatches is idempotent', (t) => {
  installTarPatches()
  const h = tarStreamHeaders()
  const decode = h.decode, decodePax = h.decodePax
  installTarPatches()
  t.is(h.decode, decode)
  t.is(h.decodePax, decodePax)
})

test('rawHeaderInfo fails loudly on a header the patch never saw', (t) => {
  t.throws(() => rawHeaderInfo({ name: 'x' } as Header), { message: /patch is not active/ })
})

test('parsePaxRecords: lengths count bytes; a malformed record ends the parse', (t) => {
  const multi = paxRecord('path', 'é'.repeat(60))
  t.is(Number(multi.toString().split(' ')[0]), multi.length)
  t.deepEqual(parsePaxRecords(multi).map((r) => r.value.toString()), ['é'.repeat(60)])
  const good = paxRecord('a', '1')
  t.deepEqual(parsePaxRecords(Buffer.concat([good, Buffer.from('99 b=2\n')])).map((r) => r.key), ['a'])
  t.deepEqual(parsePaxRecords(Buffer.concat([good, Buffer.from('6 b=2x')])).map((r) => r.key), ['a'])
  t.deepEqual(parsePaxRecords(Buffer.from('5 ab\n')), [])
  t.deepEqual(parsePaxRecords(Buffer.alloc(0)), [])
})
