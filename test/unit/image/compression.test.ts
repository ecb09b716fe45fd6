// Compression detection and decompressed(): gzip (zlib), zstd (fzstd, on data made by the zstd CLI),
// plain tars, and the ways a layer stream can be bad.
import test from 'ava'
import { randomBytes } from 'node:crypto'
import { PassThrough, Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { decompressed, detectCompression } from '../../../src/image/compression'
import { sha256 } from '../../../src/image/digest'
import { ImageError } from '../../../src/image/types'
import { haveZstd, layerTar, readAll, zstdCompress } from './source-fixtures'

const noZstd = 'the zstd CLI is not installed (apt-get install zstd) to make zstd test data'

/** A layer tar of a few MiB, part random (incompressible), part repetitive. */
async function sampleTar(): Promise<Buffer> {
  return layerTar({ 'random.bin': randomBytes(1 << 20).toString('latin1'), 'text.txt': 'hello layer\n'.repeat(200_000) })
}

/** A stream of `data` in chunks of `size` bytes. */
function chunked(data: Buffer, size = 65536): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size))
  return Readable.from(chunks, { objectMode: false })
}

test('detectCompression from magic numbers', (t) => {
  t.is(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip')
  t.is(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0])), 'zstd')
  const tar = Buffer.alloc(512)
  tar.write('ustar', 257, 'latin1')
  t.is(detectCompression(tar), 'none')
  t.is(detectCompression(Buffer.alloc(1024)), 'none', 'an empty tar is two zero blocks')
  t.is(detectCompression(Buffer.from('short')), 'none', 'too short to check the tar magic')
  t.throws(() => detectCompression(Buffer.from('BZh91AY&SY')), { instanceOf: ImageError, message: 'bzip2-compressed layers are not supported' })
  t.throws(() => detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0])), { message: 'xz-compressed layers are not supported' })
  t.throws(() => detectCompression(Buffer.alloc(512, 'x')), { message: 'not a tar archive, nor gzip or zstd compressed' })
})

test('plain, gzip and zstd layers decompress to the tar and verify its diff ID', async (t) => {
  const tar = await sampleTar()
  const diffId = sha256(tar)
  t.true((await readAll(decompressed(chunked(tar, 1000), { expectedDiffId: diffId, label: 'layer 1' }))).equals(tar))
  t.true((await readAll(decompressed(chunked(gzipSync(tar), 100), { expectedDiffId: diffId, label: 'layer 1' }))).equals(tar))
  // several gzip members one after another are one stream
  const half = tar.length >> 1
  const twoMembers = Buffer.concat([gzipSync(tar.subarray(0, half)), gzipSync(tar.subarray(half))])
  t.true((await readAll(decompressed(chunked(twoMembers), { expectedDiffId: diffId, label: 'layer 1' }))).equals(tar))
})


const zstdTest = haveZstd ? test : test.skip
const zstdTitle = (title: string): string => (haveZstd ? title : `${title} (skipped: ${noZstd})`)

zstdTest(zstdTitle('zstd layers (levels 1 and 19, no checksum, long window, two frames) decompress and verify'), async (t) => {
  const tar = await sampleTar()
  const diffId = sha256(tar)
  const half = tar.length >> 1
  for (const args of [['-1'], ['-19'], ['--no-check', '-3'], ['--long=27', '-3']]) {
    const z = zstdCompress(tar, args)!
    t.true((await readAll(decompressed(chunked(z, 777), { expectedDiffId: diffId, label: 'layer 1' }))).equals(tar), args.join(' '))
  }
  // two zstd frames
  const frames = Buffer.concat([zstdCompress(tar.subarray(0, half))!, zstdCompress(tar.subarray(half))!])
  t.true((await readAll(decompressed(chunked(frames), { expectedDiffId: diffId, label: 'layer 1' }))).equals(tar))
})

test('an empty tar (1024 zero bytes, as docker writes for empty layers)', async (t) => {
  const empty = Buffer.alloc(1024)
  t.deepEqual(await readAll(decompressed(Readable.from([empty]), { expectedDiffId: sha256(empty), label: 'layer 1' })), empty)
})

test('uncompressed content that is not the diff ID fails at the end', async (t) => {
  const tar = await sampleTar()
  const wrong = sha256('something else')
  for (const blob of [tar, gzipSync(tar), ...(haveZstd ? [zstdCompress(tar)!] : [])]) {
    await t.throwsAsync(readAll(decompressed(chunked(blob), { expectedDiffId: wrong, label: 'layer 2' })), {
      instanceOf: ImageError,
      message: `layer 2: uncompressed content ${sha256(tar)} does not match diff_id ${wrong}`,
    })
  }
})

test('truncated gzip', async (t) => {
  const tar = await sampleTar()
  const gz = gzipSync(tar)
  for (const cut of [gz.length - 4, gz.length >> 1, 20]) {
    await t.throwsAsync(readAll(decompressed(chunked(gz.subarray(0, cut)), { expectedDiffId: sha256(tar), label: 'layer 3 of 3' })), {
      instanceOf: ImageError,
      message: 'layer 3 of 3: truncated gzip stream (unexpected end of file)',
    }, `cut at ${cut}`)
  }
  const corrupt = Buffer.from(gz)
  corrupt.fill(0xff, 100, 200)
  await t.throwsAsync(readAll(decompressed(chunked(corrupt), { expectedDiffId: sha256(tar), label: 'layer 1' })), {
    instanceOf: ImageError,
    message: /^layer 1: corrupt gzip stream: /,
  })
})

zstdTest(zstdTitle('truncated zstd'), async (t) => {
  const tar = await sampleTar()
  const z = zstdCompress(tar)!
  for (const cut of [z.length - 4, z.length >> 1, 10]) {
    await t.throwsAsync(readAll(decompressed(chunked(z.subarray(0, cut)), { expectedDiffId: sha256(tar), label: 'layer 1 of 2' })), {
      instanceOf: ImageError,
      message: 'layer 1 of 2: truncated zstd stream (unexpected end of data)',
    }, `cut at ${cut}`)
  }
})

test('bzip2 and unknown data name the layer', async (t) => {
  await t.throwsAsync(readAll(decompressed(Readable.from([Buffer.from('BZh91AY&SY')]), { expectedDiffId: sha256('x'), label: 'layer 1' })), {
    instanceOf: ImageError, message: 'layer 1: bzip2-compressed layers are not supported',
  })
  await t.throwsAsync(readAll(decompressed(Readable.from([Buffer.alloc(4096, 1)]), { expectedDiffId: sha256('x'), label: 'layer 1' })), {
    message: 'layer 1: not a tar archive, nor gzip or zstd compressed',
  })
})

test('errors of the blob stream pass through as they are; destroying the output stops the input', async (t) => {
  const tar = await sampleTar()
  const src = new PassThrough()
  src.write(gzipSync(tar).subarray(0, 5000))
  const out = decompressed(src, { expectedDiffId: sha256(tar), label: 'layer 1' })
  setTimeout(() => src.destroy(new ImageError('blob sha256:x (layer 1 of 1): digest mismatch')), 50)
  await t.throwsAsync(readAll(out), { instanceOf: ImageError, message: 'blob sha256:x (layer 1 of 1): digest mismatch' })

  const src2 = chunked(gzipSync(tar), 1024)
  const out2 = decompressed(src2, { expectedDiffId: sha256(tar), label: 'layer 1' })
  await new Promise<void>((resolve) => out2.once('data', () => resolve()))
  out2.destroy()
  await new Promise<void>((resolve) => (src2.destroyed ? resolve() : src2.once('close', () => resolve())))
  t.true(src2.destroyed)
})

test('malformed diff IDs are refused up front', (t) => {
  t.throws(() => decompressed(Readable.from([]), { expectedDiffId: 'sha256:xyz', label: 'layer 4' }), { message: /^layer 4: diff_id: malformed digest/ })
})
