// resolveUser: every form of an image's User against the image's /etc/passwd and /etc/group.
import test from 'ava'
import { ImageError } from '../../../src/image/types'
import { parseGroup, parsePasswd, resolveUser } from '../../../src/image/user-lookup'

const passwd = [
  '# comment',
  'root:x:0:0:root:/root:/bin/sh',
  '',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'app:x:1001:1001:shadowed duplicate:/nowhere:/bin/sh',
  'broken:x:abc:1::/:/bin/sh',
  '+nisuser',
  'nogroups:x:2000:2000::/home/ng:/bin/sh',
].join('\n')

const group = [
  'root:x:0:',
  'daemon:x:1:app',
  'wheel:x:10:root,app',
  'app:x:1000:',
  'staff:x:50: app , other',
  'audio:x:29:other',
  'dup:x:10:app',
].join('\n')

const files = { passwd, group }

test('parsePasswd skips comments, blanks, NIS entries and lines with bad ids', (t) => {
  const names = parsePasswd(passwd).map((u) => u.name)
  t.deepEqual(names, ['root', 'daemon', 'app', 'app', 'nogroups'])
  t.deepEqual(parsePasswd(passwd)[2], { name: 'app', uid: 1000, gid: 1000, home: '/home/app', shell: '/bin/sh' })
})

test('parseGroup reads members, trimming spaces', (t) => {
  const staff = parseGroup(group).find((g) => g.name === 'staff')
  t.deepEqual(staff, { name: 'staff', gid: 50, members: ['app', 'other'] })
  t.deepEqual(parseGroup('root:x:0:\n').map((g) => g.members), [[]])
})

test('"" is root with root\'s groups', (t) => {
  t.deepEqual(resolveUser('', files), { uid: 0, gid: 0, additionalGids: [10], name: 'root', home: '/root' })
})

test('"" without passwd or group files is 0:0', (t) => {
  t.deepEqual(resolveUser('', {}), { uid: 0, gid: 0, additionalGids: [] })
})

test('a user name takes uid, gid and supplementary groups from the files (first passwd match wins, gids deduplicated)', (t) => {
  t.deepEqual(resolveUser('app', files), { uid: 1000, gid: 1000, additionalGids: [1, 10, 50], name: 'app', home: '/home/app' })
})

test('a numeric uid present in passwd is that user', (t) => {
  const u = resolveUser('1000', files)
  t.is(u.uid, 1000)
  t.is(u.gid, 1000)
  t.deepEqual(u.additionalGids, [1, 10, 50])
  t.is(u.name, 'app')
})

test('a numeric uid absent from passwd is fine: gid 0, no groups', (t) => {
  t.deepEqual(resolveUser('4242', files), { uid: 4242, gid: 0, additionalGids: [] })
  t.deepEqual(resolveUser('4242', {}), { uid: 4242, gid: 0, additionalGids: [] })
})

test('uid:gid, both numeric, with and without entries', (t) => {
  t.deepEqual(resolveUser('4242:4343', files), { uid: 4242, gid: 4343, additionalGids: [] })
  const u = resolveUser('1000:29', files)
  t.is(u.gid, 29)
  t.deepEqual(u.additionalGids, [1, 10, 50], 'the user keeps its supplementary groups with an explicit gid')
})

test('name:group and uid:group look the group name up', (t) => {
  const a = resolveUser('app:audio', files)
  t.deepEqual([a.uid, a.gid, a.additionalGids], [1000, 29, [1, 10, 50]])
  const b = resolveUser('4242:staff', files)
  t.deepEqual([b.uid, b.gid, b.additionalGids], [4242, 50, []])
})

test('name:gid takes the gid as given, even without a group entry', (t) => {
  const u = resolveUser('app:777', files)
  t.deepEqual([u.uid, u.gid, u.additionalGids], [1000, 777, [1, 10, 50]])
})

test('a user with no group memberships has no additional gids', (t) => {
  t.deepEqual(resolveUser('nogroups', files).additionalGids, [])
})

test('a missing user name is an error naming the user and the field', (t) => {
  const e = t.throws(() => resolveUser('nobody2', files, 'config.User'), { instanceOf: ImageError })
  t.is(e?.message, 'config.User: user "nobody2" not found in the image\'s /etc/passwd')
  t.throws(() => resolveUser('app', {}), { message: /user "app" not found/ }, 'a name needs a passwd file')
})

test('a missing group name is an error naming the group', (t) => {
  t.throws(() => resolveUser('app:nogroup', files, 'config.User'), {
    instanceOf: ImageError,
    message: 'config.User: group "nogroup" not found in the image\'s /etc/group',
  })
  t.throws(() => resolveUser('1000:wheel', { passwd }), { message: /group "wheel" not found/ })
})

test('malformed specs and ids out of range are errors', (t) => {
  for (const bad of [':', 'app:', ':10', 'a:b:c', '-1', '2147483648', '1:-5', '1:99999999999']) {
    t.throws(() => resolveUser(bad, files), { instanceOf: ImageError }, bad)
  }
  t.is(resolveUser('2147483647', files).uid, 2147483647)
})
