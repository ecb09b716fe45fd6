import test from 'ava'
import { MemberError } from '../../../src/image/unpack/errors'
import { ancestorsOf, baseOf, fsPath, isAscii, isUnder, memberPath, parentOf, shownName, toBinary } from '../../../src/image/unpack/paths'

test('memberPath strips leading "/" and "./" and folds "." and empty components', (t) => {
  t.is(memberPath('etc/passwd'), 'etc/passwd')
  t.is(memberPath('./etc/passwd'), 'etc/passwd')
  t.is(memberPath('/etc/passwd'), 'etc/passwd')
  t.is(memberPath('///etc//./passwd'), 'etc/passwd')
  t.is(memberPath('././etc/'), 'etc')
  t.is(memberPath('.hidden/.x'), '.hidden/.x')
  t.is(memberPath('a..b/c..'), 'a..b/c..')
  t.is(memberPath('...'), '...')
})

test('memberPath gives "" for the root itself', (t) => {
  for (const n of ['', '.', './', '/', '//', './.', 'a/..', './a/../']) t.is(memberPath(n), '', n)
})

test('memberPath folds ".." that stays inside the root', (t) => {
  t.is(memberPath('a/../b'), 'b')
  t.is(memberPath('a/b/../../c/d'), 'c/d')
  t.is(memberPath('/a/./b/../c'), 'a/c')
})

test('memberPath rejects ".." that would leave the root, never clamps', (t) => {
  for (const n of ['..', '../x', './../x', '/../x', 'etc/../../x', 'a/b/../../../x', 'a/../..']) {
    const e = t.throws(() => memberPath(n), { instanceOf: MemberError }, n)
    t.is(e?.message, 'path escapes the layer root')
  }
})

test('memberPath rejects NUL bytes', (t) => {
  t.throws(() => memberPath('a\0b'), { instanceOf: MemberError, message: /NUL/ })
})

test('parentOf, baseOf, ancestorsOf, isUnder', (t) => {
  t.is(parentOf('a/b/c'), 'a/b')
  t.is(parentOf('a'), '')
  t.is(baseOf('a/b/c'), 'c')
  t.is(baseOf('c'), 'c')
  t.deepEqual(ancestorsOf('a/b/c'), ['a', 'a/b'])
  t.deepEqual(ancestorsOf('a'), [])
  t.true(isUnder('a/b', 'a'))
  t.true(isUnder('a', 'a'))
  t.false(isUnder('ab', 'a'))
  t.true(isUnder('x', ''))
})

test('binary strings keep the bytes of names that are not UTF-8', (t) => {
  const raw = Buffer.from([0x66, 0xe9, 0x2f, 0xff]) // "f\xe9/\xff": latin1, not UTF-8
  const bin = raw.toString('latin1')
  t.is(memberPath(`./${bin}`), bin)
  t.false(isAscii(bin))
  t.deepEqual(fsPath(bin), raw)
  t.is(fsPath('plain/ascii'), 'plain/ascii')
  // UTF-8 names round-trip through the binary form
  const utf8 = 'café/ü'
  const b = toBinary(utf8)
  t.is(b.length, Buffer.byteLength(utf8))
  t.is(shownName(b), utf8)
  t.deepEqual(fsPath(b), Buffer.from(utf8))
})
