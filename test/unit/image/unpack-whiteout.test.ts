import test from 'ava'
import { MemberError } from '../../../src/image/unpack/errors'
import { classifyWhiteout, opaqueXattr } from '../../../src/image/unpack/whiteout'

test('ordinary names are not whiteouts', (t) => {
  for (const n of ['etc/passwd', 'a.wh.b', 'x/.whx', 'wh.', '.w', '']) t.deepEqual(classifyWhiteout(n), { kind: 'none' }, n)
})

test('.wh.<name> whites out <name> in the same directory', (t) => {
  t.deepEqual(classifyWhiteout('.wh.foo'), { kind: 'whiteout', target: 'foo' })
  t.deepEqual(classifyWhiteout('etc/.wh.passwd'), { kind: 'whiteout', target: 'etc/passwd' })
  t.deepEqual(classifyWhiteout('a/b/.wh..hidden'), { kind: 'whiteout', target: 'a/b/.hidden' })
})

test('.wh..wh..opq makes its directory opaque', (t) => {
  t.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque', dir: '' })
  t.deepEqual(classifyWhiteout('usr/share/.wh..wh..opq'), { kind: 'opaque', dir: 'usr/share' })
})

test('other .wh..wh.* names (AUFS metadata) and what is under them are skipped', (t) => {
  for (const n of ['.wh..wh.plnk', '.wh..wh.aufs', 'x/.wh..wh.orph', '.wh..wh.plnk/1234.5678', 'a/.wh..wh.plnk/b/c']) {
    t.deepEqual(classifyWhiteout(n), { kind: 'skip' }, n)
  }
})

test('whiteouts of nothing, "." or ".." are rejected', (t) => {
  for (const n of ['.wh.', 'a/.wh..', 'a/.wh...']) t.throws(() => classifyWhiteout(n), { instanceOf: MemberError }, n)
})

test('opaque xattr name: trusted.* by default, user.* for userxattr overlay', (t) => {
  t.is(opaqueXattr(false), 'trusted.overlay.opaque')
  t.is(opaqueXattr(true), 'user.overlay.opaque')
})
