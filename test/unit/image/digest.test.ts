import test from 'ava'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { chainIds, digestOf, Digester, isDigest, parseDigest, sha256, verifyBytes, VerifyingStream } from '../../../src/image/digest'
import { ImageError } from '../../../src/image/types'

const h64 = 'a'.repeat(64)
const h128 = 'b'.repeat(128)

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of s) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

test('parseDigest accepts sha256 and sha512, refuses the rest with the reason', (t) => {
  t.deepEqual(parseDigest(`sha256:${h64}`), { algorithm: 'sha256', hex: h64 })
  t.deepEqual(parseDigest(`sha512:${h128}`), { algorithm: 'sha512', hex: h128 })
  t.throws(() => parseDigest(`md5:${h64}`, 'layer'), { instanceOf: ImageError, message: `layer: unsupported digest "md5:${h64}": want sha256:<hex> or sha512:<hex>` })
  t.throws(() => parseDigest(h64), { message: /unsupported digest/ })
  t.throws(() => parseDigest(`sha256:${'A'.repeat(64)}`), { message: /malformed digest .*want sha256:<64 lowercase hex digits>/ })
  t.throws(() => parseDigest(`sha256:${h128}`), { message: /malformed digest/ })
  t.throws(() => parseDigest(`sha512:${h64}`), { message: /want sha512:<128 lowercase hex digits>/ })
  t.throws(() => parseDigest(42, 'size'), { message: 'size: not a digest: 42' })
  t.true(isDigest(`sha256:${h64}`))
  t.false(isDigest('sha256:'))
})

test('hashing helpers', (t) => {
  t.is(sha256('abc'), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  t.is(digestOf('abc', 'sha512'), `sha512:${createHash('sha512').update('abc').digest('hex')}`)
  const d = new Digester()
  d.update(Buffer.from('a'))
  d.update(Buffer.from('bc'))
  t.is(d.digest(), sha256('abc'))
  t.notThrows(() => verifyBytes(Buffer.from('abc'), { digest: sha256('abc'), size: 3 }, 'x'))
  t.throws(() => verifyBytes(Buffer.from('abc'), { digest: sha256('abc'), size: 4 }, 'x'), { message: 'x: size mismatch: got 3 bytes, expected 4' })
  t.throws(() => verifyBytes(Buffer.from('abd'), { digest: sha256('abc') }, 'x'), { message: `x: digest mismatch: got ${sha256('abd')}, expected ${sha256('abc')}` })
})

test('chainIds follows the image spec', (t) => {
  const d = [sha256('l0'), sha256('l1'), sha256('l2')]
  const c1 = `sha256:${createHash('sha256').update(`${d[0]} ${d[1]}`).digest('hex')}`
  const c2 = `sha256:${createHash('sha256').update(`${c1} ${d[2]}`).digest('hex')}`
  t.deepEqual(chainIds(d), [d[0], c1, c2])
  t.deepEqual(chainIds([]), [])
  t.throws(() => chainIds(['nope']), { message: /diff_id 0: unsupported digest/ })
})

test('VerifyingStream passes data through and fails at the end, or early on too many bytes', async (t) => {
  const data = Buffer.alloc(100_000, 7)
  const ok = new VerifyingStream({ digest: sha256(data), size: data.length, label: 'blob X' })
  t.deepEqual(await drain(Readable.from([data.subarray(0, 500), data.subarray(500)]).pipe(ok)), data)
  await t.throwsAsync(drain(Readable.from([data]).pipe(new VerifyingStream({ digest: sha256('x'), size: data.length, label: 'blob X' }))),
    { instanceOf: ImageError, message: `blob X: digest mismatch: got ${sha256(data)}, expected ${sha256('x')}` })
  await t.throwsAsync(drain(Readable.from([data]).pipe(new VerifyingStream({ digest: sha256(data), size: data.length + 1, label: 'blob X' }))),
    { message: `blob X: size mismatch: got ${data.length} bytes, expected ${data.length + 1}` })
  // early: the second chunk is never passed on
  const early = new VerifyingStream({ digest: sha256(data), size: 10, label: 'blob X' })
  await t.throwsAsync(drain(Readable.from([data.subarray(0, 10), data.subarray(10, 20), data.subarray(20)]).pipe(early)),
    { message: 'blob X: size mismatch: more than the declared 10 bytes' })
  const sha512 = new VerifyingStream({ digest: digestOf(data, 'sha512'), label: 'b' })
  t.is((await drain(Readable.from([data]).pipe(sha512))).length, data.length)
})
