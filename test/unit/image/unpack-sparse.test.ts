import test from 'ava'
import { MemberError } from '../../../src/image/unpack/errors'
import {
  parseNumericField, parseOldGnuSparse, sparseFromPax, SparseMapReader, validateSegments,
} from '../../../src/image/unpack/sparse'
import { octal, tarHeader } from './unpack-tar-builder'

const rec = (key: string, value: string) => ({ key, value: Buffer.from(value) })

/** An old GNU 'S' header block with the given map (at most 4 entries) and real size. */
function gnuSparseBlock(map: [number, number][], realSize: number, isExtended = false): Buffer {
  return tarHeader({
    name: 'f', type: 'S', format: 'gnu', size: map.reduce((n, [, l]) => n + l, 0),
    edit: (b) => {
      map.forEach(([off, len], i) => { octal(b, 386 + 24 * i, 12, off); octal(b, 398 + 24 * i, 12, len) })
      b[482] = isExtended ? 1 : 0
      octal(b, 483, 12, realSize)
    },
  }, 0)
}

test('numeric fields: octal with spaces/NULs, and GNU base-256', (t) => {
  const b = Buffer.alloc(24)
  b.write('  0001750 \0', 0, 'latin1')
  t.is(parseNumericField(b, 0, 12), 0o1750)
  b.fill(0, 12)
  b[12] = 0x80
  b[22] = 0x01
  b[23] = 0x02
  t.is(parseNumericField(b, 12, 12), 0x102)
  b.write('0009', 0, 'latin1')
  t.throws(() => parseNumericField(b, 0, 12), { instanceOf: MemberError })
})

test('old GNU sparse header: up to 4 map entries and the real size', (t) => {
  const spec = parseOldGnuSparse(gnuSparseBlock([[1048576, 4096], [4997120, 4096], [10485760, 0]], 10485760))
  t.deepEqual(spec, {
    format: 'gnu-old', realSize: 10485760, isExtended: false,
    segments: [{ offset: 1048576, length: 4096 }, { offset: 4997120, length: 4096 }, { offset: 10485760, length: 0 }],
  })
  const four = parseOldGnuSparse(gnuSparseBlock([[0, 1], [10, 1], [20, 1], [30, 1]], 40))
  t.is(four.format === 'gnu-old' ? four.segments.length : 0, 4)
  t.true(parseOldGnuSparse(gnuSparseBlock([[0, 1]], 40, true)).isExtended)
})

test('PAX sparse 0.0: repeated GNU.sparse.offset/numbytes in order', (t) => {
  const spec = sparseFromPax([rec('GNU.sparse.size', '10485760'), rec('GNU.sparse.numblocks', '2'),
    rec('GNU.sparse.offset', '1048576'), rec('GNU.sparse.numbytes', '4096'),
    rec('GNU.sparse.offset', '4997120'), rec('GNU.sparse.numbytes', '4096')])
  t.deepEqual(spec, { format: '0.0', realSize: 10485760, name: undefined,
    segments: [{ offset: 1048576, length: 4096 }, { offset: 4997120, length: 4096 }] })
  t.throws(() => sparseFromPax([rec('GNU.sparse.size', '9'), rec('GNU.sparse.numbytes', '1')]), { instanceOf: MemberError })
  t.throws(() => sparseFromPax([rec('GNU.sparse.size', '9'), rec('GNU.sparse.offset', '1')]), { instanceOf: MemberError })
  t.throws(() => sparseFromPax([rec('GNU.sparse.size', '9'), rec('GNU.sparse.numblocks', '2'),
    rec('GNU.sparse.offset', '1'), rec('GNU.sparse.numbytes', '1')]), { message: /numblocks/ })
})

test('PAX sparse 0.1: GNU.sparse.map and GNU.sparse.name', (t) => {
  const spec = sparseFromPax([rec('GNU.sparse.size', '100'), rec('GNU.sparse.numblocks', '2'),
    rec('GNU.sparse.name', 'dir/f'), rec('GNU.sparse.map', '0,10,50,5')])
  t.deepEqual(spec, { format: '0.1', realSize: 100, name: 'dir/f',
    segments: [{ offset: 0, length: 10 }, { offset: 50, length: 5 }] })
  t.throws(() => sparseFromPax([rec('GNU.sparse.size', '100'), rec('GNU.sparse.map', '0,10,50')]), { message: /odd/ })
  t.throws(() => sparseFromPax([rec('GNU.sparse.map', '0,10')]), { message: /GNU.sparse.size/ })
})

test('PAX sparse 1.0: version, real size and name; the map comes with the data', (t) => {
  t.deepEqual(sparseFromPax([rec('GNU.sparse.major', '1'), rec('GNU.sparse.minor', '0'), rec('GNU.sparse.name', 'f'),
    rec('GNU.sparse.realsize', '10485760')]), { format: '1.0', realSize: 10485760, name: 'f' })
  t.throws(() => sparseFromPax([rec('GNU.sparse.major', '2'), rec('GNU.sparse.minor', '0'),
    rec('GNU.sparse.realsize', '1')]), { message: /unsupported GNU sparse format 2.0/ })
  t.throws(() => sparseFromPax([rec('GNU.sparse.major', '1'), rec('GNU.sparse.minor', '0')]), { message: /realsize/ })
  t.is(sparseFromPax([]), undefined)
  t.throws(() => sparseFromPax([rec('GNU.sparse.name', 'x')]), { message: /incomplete/ })
})

test('1.0 map reader: parses the leading map and its padding, whatever the chunking', (t) => {
  const map = Buffer.from('3\n1048576\n4096\n4997120\n4096\n10485760\n0\n')
  const data = Buffer.from('hello world data')
  const stream = Buffer.concat([map, Buffer.alloc(512 - map.length), data])
  for (const size of [1, 2, 7, 100, 511, 512, 513, stream.length]) {
    const r = new SparseMapReader()
    const out: Buffer[] = []
    for (let i = 0; i < stream.length; i += size) {
      const rest = r.feed(stream.subarray(i, i + size))
      if (rest) out.push(rest)
    }
    t.deepEqual(r.segments, [{ offset: 1048576, length: 4096 }, { offset: 4997120, length: 4096 },
      { offset: 10485760, length: 0 }], `chunks of ${size}`)
    t.is(r.mapSize, 512)
    t.deepEqual(Buffer.concat(out), data, `chunks of ${size}`)
  }
})

test('1.0 map reader: a map longer than one block, an empty map, and garbage', (t) => {
  const nums = ['100']
  for (let i = 0; i < 100; i++) nums.push(String(i * 1000), '10')
  const map = Buffer.from(nums.join('\n') + '\n')
  t.true(map.length > 512)
  const r = new SparseMapReader()
  const rest = r.feed(Buffer.concat([map, Buffer.alloc(1024 - map.length), Buffer.from('x')]))
  t.is(r.mapSize, 1024)
  t.is(r.segments!.length, 100)
  t.deepEqual(rest, Buffer.from('x'))

  const empty = new SparseMapReader()
  t.deepEqual(empty.feed(Buffer.concat([Buffer.from('0\n'), Buffer.alloc(510)])), Buffer.alloc(0))
  t.deepEqual(empty.segments, [])

  t.throws(() => new SparseMapReader().feed(Buffer.from('1\n-5\n')), { instanceOf: MemberError })
  t.throws(() => new SparseMapReader().feed(Buffer.from('1\n\n')), { instanceOf: MemberError })
  t.throws(() => new SparseMapReader().feed(Buffer.from('99999999999999999\n')), { instanceOf: MemberError })
})

test('segments must be ordered, inside the file, and add up to the stored data', (t) => {
  const ok = [{ offset: 0, length: 10 }, { offset: 20, length: 5 }, { offset: 30, length: 0 }]
  t.notThrows(() => validateSegments(ok, 30, 15))
  t.throws(() => validateSegments(ok, 29, 15), { message: /past the file/ })
  t.throws(() => validateSegments(ok, 30, 16), { message: /describes 15 bytes/ })
  t.throws(() => validateSegments([{ offset: 5, length: 10 }, { offset: 10, length: 1 }], 30, 11), { message: /overlap/ })
  t.throws(() => validateSegments([{ offset: -1, length: 1 }], 30, 1), { instanceOf: MemberError })
})
