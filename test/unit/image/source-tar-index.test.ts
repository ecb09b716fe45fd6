// The header-only tar indexer: ustar prefixes, GNU long names/links and base-256 sizes, PAX records,
// links resolved inside the archive only, and broken archives.
import test from 'ava'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TarIndex } from '../../../src/image/source'
import { ImageError } from '../../../src/image/types'
import { packTar, readAll, tempDir } from './source-fixtures'

const tmp = tempDir()
test.after.always(() => tmp.cleanup())
let n = 0

interface RawEntry {
  name: string
  type?: string
  content?: Buffer | string
  linkname?: string
  /** write the size field in GNU base-256 */
  base256?: boolean
  /** ustar prefix field */
  prefix?: string
  gnu?: boolean
}

/** A tar header written by hand, to cover what tar-stream does not write. */
function header(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512)
  h.write(e.name, 0, 100, 'utf8')
  h.write('0000644\0', 100, 'latin1')
  h.write('0000000\0', 108, 'latin1')
  h.write('0000000\0', 116, 'latin1')
  if (e.base256) {
    h[124] = 0x80
    h.writeUIntBE(size, 124 + 12 - 6, 6)
  } else {
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1')
  }
  h.write('00000000000\0', 136, 'latin1')
  h.write(e.type ?? '0', 156, 'latin1')
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8')
  h.write(e.gnu ? 'ustar  \0' : 'ustar\u000000', 257, 'latin1')
  if (e.prefix) h.write(e.prefix, 345, 155, 'utf8')
  h.fill(0x20, 148, 156)
  let sum = 0
  for (const b of h) sum += b
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return h
}

function rawTar(entries: RawEntry[], end = true): string {
  const parts: Buffer[] = []
  for (const e of entries) {
    const content = Buffer.from(e.content ?? '')
    parts.push(header(e, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512))
  }
  if (end) parts.push(Buffer.alloc(1024))
  const path = join(tmp.dir, `raw${n++}.tar`)
  writeFileSync(path, Buffer.concat(parts))
  return path
}

function pax(records: Record<string, string>): string {
  let out = ''
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`
    const bytes = (x: string) => Buffer.byteLength(x)
    let len = bytes(body) + 1
    while (bytes(`${len}${body}`) !== len) len = bytes(`${len}${body}`)
    out += `${len}${body}`
  }
  return out
}

async function content(index: TarIndex, name: string): Promise<string | undefined> {
  const m = index.lookup(name)
  if (!m) return undefined
  const streamed = (await readAll(index.stream(m))).toString()
  if (streamed !== index.read(m).toString()) throw new Error('read and stream differ')
  return streamed
}

test('ustar prefix, GNU long name and long link, base-256 size, PAX path/linkpath/size', async (t) => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(130)}`
  const path = rawTar([
    { name: 'short.txt', content: 'short' },
    { name: 'file.txt', prefix: 'some/prefix', content: 'prefixed' },
    { name: '././@LongLink', type: 'L', content: `${long}\0`, gnu: true },
    { name: 'truncated-name', content: 'long', gnu: true },
    { name: '././@LongLink', type: 'K', content: `${long}\0`, gnu: true },
    { name: 'long-link', type: '2', gnu: true },
    { name: 'big.bin', content: 'base256', base256: true, gnu: true },
    { name: 'PaxHeaders/x', type: 'x', content: pax({ path: 'pax/ünïcode name.txt', size: '3' }) },
    { name: 'ignored', content: 'abc' },
    { name: 'PaxHeaders/y', type: 'x', content: pax({ linkpath: 'short.txt' }) },
    { name: 'pax-link', type: '2' },
  ])
  const index = TarIndex.open(path)
  try {
    t.is(await content(index, 'short.txt'), 'short')
    t.is(await content(index, './short.txt'), 'short')
    t.is(await content(index, 'some/prefix/file.txt'), 'prefixed')
    t.is(await content(index, long), 'long')
    t.is(await content(index, 'long-link'), 'long')
    t.is(await content(index, 'big.bin'), 'base256')
    t.is(await content(index, 'pax/ünïcode name.txt'), 'abc')
    t.is(await content(index, 'pax-link'), 'short')
    t.is(index.lookup('ignored'), undefined)
    t.is(index.lookup('truncated-name'), undefined)
  } finally {
    index.close()
  }
})

test('symlinks (relative, absolute, through directories), hardlinks, loops and escapes', async (t) => {
  const path = rawTar([
    { name: 'a/', type: '5' },
    { name: 'a/real.txt', content: 'real' },
    { name: 'b/link.txt', type: '2', linkname: '../a/real.txt' },
    { name: 'b/abs.txt', type: '2', linkname: '/a/real.txt' },
    { name: 'dirlink', type: '2', linkname: 'a' },
    { name: 'hard.txt', type: '1', linkname: 'a/real.txt' },
    { name: 'chain', type: '2', linkname: 'b/link.txt' },
    { name: 'loop1', type: '2', linkname: 'loop2' },
    { name: 'loop2', type: '2', linkname: 'loop1' },
    { name: 'out', type: '2', linkname: '../outside' },
    { name: 'deep/out', type: '2', linkname: '../../../etc/passwd' },
    { name: 'hardout', type: '1', linkname: '../x' },
  ])
  const index = TarIndex.open(path)
  try {
    for (const name of ['a/real.txt', 'b/link.txt', 'b/abs.txt', 'dirlink/real.txt', 'hard.txt', 'chain', 'a/../b/link.txt']) {
      t.is(await content(index, name), 'real', name)
    }
    t.is(index.lookup('a'), undefined, 'a directory is no file')
    t.is(index.lookup('nothing'), undefined)
    t.throws(() => index.lookup('loop1'), { instanceOf: ImageError, message: `${path}: loop1: too many levels of links` })
    t.throws(() => index.lookup('out'), { message: `${path}: symlink out -> ../outside leads outside the archive` })
    t.throws(() => index.lookup('deep/out'), { message: `${path}: symlink deep/out -> ../../../etc/passwd leads outside the archive` })
    t.throws(() => index.lookup('hardout'), { message: `${path}: hardlink hardout -> ../x leads outside the archive` })
    t.throws(() => index.lookup('../etc/passwd'), { message: `${path}: ../etc/passwd leads outside the archive` })
  } finally {
    index.close()
  }
})

test('a later member of the same name wins; archives without end blocks are read', async (t) => {
  const path = rawTar([{ name: 'x', content: 'first' }, { name: 'x', content: 'second' }], false)
  const index = TarIndex.open(path)
  t.is(await content(index, 'x'), 'second')
  index.close()
})

test('tar-stream archives (PAX for long names) index the same', async (t) => {
  const long = `${'p'.repeat(150)}/${'q'.repeat(120)}.txt`
  const path = join(tmp.dir, 'ts.tar')
  writeFileSync(path, await packTar([
    { header: { name: long, type: 'file' }, content: Buffer.from('pax long') },
    { header: { name: 'empty', type: 'file' }, content: Buffer.alloc(0) },
  ]))
  const index = TarIndex.open(path)
  t.is(await content(index, long), 'pax long')
  t.is(await content(index, 'empty'), '')
  index.close()
})

test('not a tar, truncated tar, corrupt header', (t) => {
  const notTar = join(tmp.dir, 'not.tar')
  writeFileSync(notTar, Buffer.alloc(2048, 'x'))
  t.throws(() => TarIndex.open(notTar), { instanceOf: ImageError, message: `${notTar}: not a tar archive` })
  const short = join(tmp.dir, 'short.tar')
  writeFileSync(short, 'tiny')
  t.throws(() => TarIndex.open(short), { message: `${short}: not a tar archive (4 bytes)` })
  const full = rawTar([{ name: 'a', content: 'a'.repeat(3000) }], false)
  const cut = join(tmp.dir, 'cut.tar')
  writeFileSync(cut, readFileSync(full).subarray(0, 2000))
  t.throws(() => TarIndex.open(cut), { message: `${cut}: truncated tar archive: member a needs 1512 more bytes` })
  const two = rawTar([{ name: 'a', content: 'a' }, { name: 'b', content: 'b' }])
  const buf = readFileSync(two)
  buf[1024] = buf[1024]! ^ 1 // the second header
  const corrupt = join(tmp.dir, 'corrupt.tar')
  writeFileSync(corrupt, buf)
  t.throws(() => TarIndex.open(corrupt), { message: `${corrupt}: corrupt tar header at offset 1024` })
})
