import test from 'ava'
import { modeIsDefault, readUmask } from '../../../src/image/unpack/defaults'
import { MemberError } from '../../../src/image/unpack/errors'
import { interpretPax, parseId, parseTime, percentDecode } from '../../../src/image/unpack/pax'

const rec = (key: string, value: Buffer | string) => ({ key, value: Buffer.isBuffer(value) ? value : Buffer.from(value) })

test('names keep their bytes as binary strings', (t) => {
  const raw = Buffer.from([0x61, 0xff, 0x2f, 0xc3, 0xa9])
  const info = interpretPax([rec('path', raw), rec('linkpath', 'target')])
  t.deepEqual(Buffer.from(info.path!, 'latin1'), raw)
  t.is(info.linkpath, 'target')
})

test('large uids/gids and fractional times', (t) => {
  const info = interpretPax([rec('uid', '3000000000'), rec('gid', '4294967294'), rec('mtime', '1500000000.123456789'),
    rec('atime', '-1.5')])
  t.is(info.uid, 3000000000)
  t.is(info.gid, 4294967294)
  t.is(info.mtime, 1500000000.123456789)
  t.is(info.atime, -1.5)
})

test('invalid ids and times are rejected', (t) => {
  t.throws(() => parseId('4294967295', 'uid'), { instanceOf: MemberError }) // chown's "unchanged"
  t.throws(() => parseId('-1', 'uid'), { instanceOf: MemberError })
  t.throws(() => parseId('12a', 'uid'), { instanceOf: MemberError })
  t.throws(() => parseTime('1e9', 'mtime'), { instanceOf: MemberError })
  t.throws(() => parseTime('', 'mtime'), { instanceOf: MemberError })
  t.is(parseTime('12.', 'mtime'), 12)
})

test('SCHILY.xattr values are raw bytes; LIBARCHIVE.xattr are base64 with %-encoded names', (t) => {
  const cap = Buffer.from('0100000280000000000000000000000000000000', 'hex')
  const bin = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x61])
  const info = interpretPax([
    rec('SCHILY.xattr.security.capability', cap),
    rec('LIBARCHIVE.xattr.user.a%3Db%25', bin.toString('base64')),
    rec('LIBARCHIVE.xattr.user.both', Buffer.from('x').toString('base64')),
    rec('SCHILY.xattr.user.both', 'x'),
  ])
  t.deepEqual(info.xattrs.get('security.capability'), cap)
  t.deepEqual(info.xattrs.get('user.a=b%'), bin)
  t.deepEqual(info.xattrs.get('user.both'), Buffer.from('x'))
  t.is(info.xattrs.size, 3)
  t.is(percentDecode('user.%C3%A9'), 'user.é')
})

test('GNU.sparse records are kept in order, repeated keys included', (t) => {
  const info = interpretPax([rec('GNU.sparse.offset', '0'), rec('GNU.sparse.numbytes', '1'), rec('GNU.sparse.offset', '9'),
    rec('GNU.sparse.numbytes', '2'), rec('comment', 'x')])
  t.deepEqual(info.sparse.map((r) => `${r.key}=${r.value}`),
    ['GNU.sparse.offset=0', 'GNU.sparse.numbytes=1', 'GNU.sparse.offset=9', 'GNU.sparse.numbytes=2'])
})

test('umask from /proc/self/status and when a chmod can be skipped', (t) => {
  t.is(readUmask('Name:\tnode\nUmask:\t0022\nState:\tR\n'), 0o22)
  t.is(readUmask('Name:\tnode\n'), undefined)
  const d = { rootOwned: true, umask: 0o22 }
  t.true(modeIsDefault(0o644, d))
  t.true(modeIsDefault(0o755, d))
  t.false(modeIsDefault(0o666, d)) // the umask would take g+w, o+w
  t.false(modeIsDefault(0o4755, d)) // setuid needs the chmod
  t.false(modeIsDefault(0o1777, d))
  t.false(modeIsDefault(0o644, { rootOwned: true, umask: undefined }))
})
