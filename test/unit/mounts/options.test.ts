// Mount option vocabulary: flags, recursive attributes (mount_setattr), extensions, data.
import test from 'ava'
import { MOUNT_ATTR, MOUNT_OPTION_NAMES, MS, parseMountOptions } from '../../../src/mounts/flags'

test('flags set and clear, the last one wins; cleared flags are remembered', (t) => {
  const p = parseMountOptions(['ro', 'nosuid', 'rw', 'nosymfollow', 'size=1m'])
  t.is(p.flags, MS.NOSUID | MS.NOSYMFOLLOW)
  t.is(p.cleared, MS.RDONLY)
  t.deepEqual(p.data, ['size=1m'])
})

test('r* options become recursive attributes, separate from the flags', (t) => {
  const p = parseMountOptions(['rbind', 'rro', 'rnosuid', 'rnodev', 'rnoexec', 'rnosymfollow', 'rnodiratime'])
  t.is(p.flags, MS.BIND | MS.REC)
  t.is(p.recSet, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NOSYMFOLLOW | MOUNT_ATTR.NODIRATIME)
  t.is(p.recClr, 0)
  const q = parseMountOptions(['rro', 'rrw', 'rsuid', 'rdev', 'rexec', 'rsymfollow', 'rdiratime'])
  t.is(q.recSet, 0)
  t.is(q.recClr, MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV | MOUNT_ATTR.NOEXEC | MOUNT_ATTR.NOSYMFOLLOW | MOUNT_ATTR.NODIRATIME)
})

test('atime options replace the whole atime field (mount_setattr needs MOUNT_ATTR__ATIME in attr_clr)', (t) => {
  for (const [opt, value] of [['rnoatime', MOUNT_ATTR.NOATIME], ['rstrictatime', MOUNT_ATTR.STRICTATIME], ['rrelatime', 0], ['ratime', 0], ['rnorelatime', 0], ['rnostrictatime', 0]] as const) {
    const p = parseMountOptions([opt])
    t.is(p.recSet, value, opt)
    t.is(p.recClr, MOUNT_ATTR._ATIME, opt)
  }
  const last = parseMountOptions(['rnoatime', 'rstrictatime', 'rnodiratime'])
  t.is(last.recSet, MOUNT_ATTR.STRICTATIME | MOUNT_ATTR.NODIRATIME)
})

test('tmpcopyup, idmap and ridmap are extensions, not filesystem data', (t) => {
  t.like(parseMountOptions(['tmpcopyup', 'mode=755']), { tmpcopyup: true, data: ['mode=755'] })
  t.like(parseMountOptions(['bind', 'idmap']), { idmap: 'idmap', data: [] })
  t.like(parseMountOptions(['rbind', 'ridmap']), { idmap: 'ridmap', data: [] })
})

test('the option list names every option runc accepts', (t) => {
  for (const o of ['rro', 'rrw', 'rnosuid', 'rsuid', 'rnodev', 'rdev', 'rnoexec', 'rexec', 'rnoatime', 'ratime', 'rrelatime', 'rnorelatime',
    'rstrictatime', 'rnodiratime', 'rdiratime', 'rnosymfollow', 'rsymfollow', 'tmpcopyup', 'idmap', 'ridmap', 'nosymfollow', 'acl',
    'lazytime', 'iversion', 'shared', 'rslave', 'bind', 'rbind'])
    t.true(MOUNT_OPTION_NAMES.includes(o), o)
})
