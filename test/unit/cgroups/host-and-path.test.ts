import test from 'ava'
import { resolveCgroupsPath, isSameOrAncestor } from '../../../src/cgroups/cgroups-path'
import { parseProcCgroup, probeCgroupHost } from '../../../src/host/cgroups'
import { fakeHybrid, fakeV2, hybridMountinfo } from './fake-cgroupfs'

test('probe: this host\'s hybrid layout, rebased onto a temp root', (t) => {
  const fs = fakeHybrid()
  try {
    const host = probeCgroupHost(fs.root, hybridMountinfo(), '4:memory:/process_api/abc\n1:cpu,cpuacct:/\n0::/\n')
    t.is(host.mode, 'hybrid')
    t.is(host.root, fs.root)
    t.is(host.unifiedPath, `${fs.root}/unified`)
    t.is(host.v1.get('memory'), `${fs.root}/memory`)
    t.is(host.v1.get('name=systemd'), `${fs.root}/systemd`)
    t.is(host.v1.size, 9)
    t.deepEqual(host.v2Controllers, ['hugetlb'])
    t.is(host.self.get('memory'), '/process_api/abc')
    t.is(host.self.get('cpuacct'), '/')
    t.is(host.self.get(''), '/')
  } finally {
    fs.cleanup()
  }
})

test('probe: pure v2, v1 only, co-mounted controllers, escaped mount points, nothing', (t) => {
  const fs = fakeV2(['cpu', 'memory'])
  try {
    const v2 = probeCgroupHost(fs.root, '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n')
    t.is(v2.mode, 'v2')
    t.is(v2.unifiedPath, fs.root)
    t.deepEqual(v2.v2Controllers, ['cpu', 'memory'])
    t.is(v2.v1.size, 0)
  } finally {
    fs.cleanup()
  }
  const v1 = probeCgroupHost(
    '/x',
    [
      '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
      '33 31 0:30 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,memory',
      '34 31 0:31 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
      '35 31 0:32 / /elsewhere/pids rw - cgroup cgroup rw,pids',
      '36 23 0:33 / /proc rw - proc proc rw',
    ].join('\n'),
  )
  t.is(v1.mode, 'v1')
  t.is(v1.unifiedPath, undefined)
  t.is(v1.v1.get('cpu'), '/x/cpu,cpuacct')
  t.is(v1.v1.get('cpuacct'), '/x/cpu,cpuacct')
  t.is(v1.v1.get('memory'), '/x/my memory')
  t.is(v1.v1.get('name=systemd'), '/x/systemd')
  t.false(v1.v1.has('pids'))
  t.false(v1.v1.has('xattr'))
  t.throws(() => probeCgroupHost('/x', '36 23 0:33 / /proc rw - proc proc rw\n'), { message: /no cgroup filesystem/ })
})

test('probe: the real host answers', (t) => {
  const host = probeCgroupHost()
  t.true(['v2', 'hybrid', 'v1'].includes(host.mode))
  t.true(host.self.size > 0)
})

test('/proc/self/cgroup parsing', (t) => {
  const m = parseProcCgroup('12:pids:/a\n3:cpu,cpuacct:/b\n1:name=systemd:/c\n0::/d\n')
  t.deepEqual([...m], [['pids', '/a'], ['cpu', '/b'], ['cpuacct', '/b'], ['name=systemd', '/c'], ['', '/d']])
})

test('cgroupsPath: runc semantics, relative paths from the root, never the root', (t) => {
  t.is(resolveCgroupsPath(undefined, 'abc'), '/abc')
  t.is(resolveCgroupsPath('', 'abc'), '/abc')
  t.is(resolveCgroupsPath('/docker/123', 'abc'), '/docker/123')
  t.is(resolveCgroupsPath('/docker/123/', 'abc'), '/docker/123')
  t.is(resolveCgroupsPath('libpod_parent/x', 'abc'), '/libpod_parent/x')
  t.is(resolveCgroupsPath('/a/../../b', 'abc'), '/b')
  t.is(resolveCgroupsPath('../../etc', 'abc'), '/etc')
  t.is(resolveCgroupsPath('//a//b', 'abc'), '/a/b')
  t.is(resolveCgroupsPath('system.slice:docker:abc', 'abc'), '/system.slice:docker:abc')
  t.throws(() => resolveCgroupsPath('/', 'abc'), { message: /is the root cgroup/ })
  t.throws(() => resolveCgroupsPath('/a/..', 'abc'), { message: /is the root cgroup/ })
  t.throws(() => resolveCgroupsPath('a\nb', 'abc'), { message: /NUL or newline/ })
  t.true(isSameOrAncestor('/a', '/a/b'))
  t.true(isSameOrAncestor('/a', '/a'))
  t.false(isSameOrAncestor('/a', '/ab'))
  t.false(isSameOrAncestor('/a/b', '/a'))
})
