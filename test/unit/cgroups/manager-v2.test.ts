import test from 'ava'
import { closeSync, fstatSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { openCgroupManager } from '../../../src/cgroups/index'
import { probeCgroupHost } from '../../../src/host/cgroups'
import { resourcesOf } from './client-resources'
import { fakeV2 } from './fake-cgroupfs'

const V2_MOUNTINFO = '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n'

function setup(controllers?: string[]) {
  const fs = fakeV2(controllers)
  const host = probeCgroupHost(fs.root, V2_MOUNTINFO, '0::/\n')
  return { fs, host }
}

test('create makes the path, enables controllers in ancestors, applies resources; destroy removes only what it made', (t) => {
  const { fs, host } = setup()
  try {
    mkdirSync(join(fs.root, 'existing'))
    fs.write('existing/cgroup.controllers', 'cpu io memory pids\n')
    fs.write('existing/cgroup.subtree_control', 'cpu\n')
    fs.write('existing/cgroup.procs', '')
    const m = openCgroupManager(host, '/existing/new/ctr', { ops: fs.ops })
    m.create({ memory: { limit: 16777216, swap: 33554432 }, pids: { limit: 5 }, cpu: { shares: 1024, quota: 50000, period: 100000 } })
    t.deepEqual(m.created, [join(fs.root, 'existing/new'), join(fs.root, 'existing/new/ctr')])
    t.is(fs.read('existing/cgroup.subtree_control'), '+cpu +io +memory +pids')
    t.is(fs.read('existing/new/ctr/memory.max'), '16777216')
    t.is(fs.read('existing/new/ctr/memory.swap.max'), '16777216')
    t.is(fs.read('existing/new/ctr/pids.max'), '5')
    t.is(fs.read('existing/new/ctr/cpu.weight'), '100')
    t.is(fs.read('existing/new/ctr/cpu.max'), '50000 100000')
    m.apply(resourcesOf('docker-update-resources.json'))
    t.is(fs.read('existing/new/ctr/memory.max'), '67108864')
    t.is(fs.read('existing/new/ctr/pids.max'), '100')
    m.destroy()
    t.false(fs.exists('existing/new'))
    t.true(fs.exists('existing'))
    m.destroy() // gone: no-op
  } finally {
    fs.cleanup()
  }
})

test('a manager opened later removes the leaf, or exactly the saved created dirs', (t) => {
  const { fs, host } = setup()
  try {
    const a = openCgroupManager(host, '/tsrun-test/a', { ops: fs.ops })
    a.create()
    openCgroupManager(host, '/tsrun-test/a', { ops: fs.ops }).destroy()
    t.false(fs.exists('tsrun-test/a'))
    t.true(fs.exists('tsrun-test'))
    const b = openCgroupManager(host, '/tsrun-test/b', { ops: fs.ops })
    b.create()
    t.deepEqual(b.created, [join(fs.root, 'tsrun-test/b')])
    openCgroupManager(host, '/tsrun-test/b', { ops: fs.ops, created: [join(fs.root, 'tsrun-test'), ...b.created] }).destroy()
    t.false(fs.exists('tsrun-test'))
  } finally {
    fs.cleanup()
  }
})

test('invalid resources create nothing; a failing write removes what was created', (t) => {
  const { fs, host } = setup(['cpu', 'memory', 'pids'])
  try {
    const m = openCgroupManager(host, '/t/c', { ops: fs.ops })
    t.throws(() => m.create({ unified: { 'foo.bar': '1' } }), { message: /controller "foo" is not available/ })
    t.throws(() => m.create({ blockIO: { weight: -1 } }), { message: /blockIO\.weight: -1 is out of range/ })
    t.throws(() => m.create({ devices: [{ allow: true, type: 'z' as 'c' }] }), { message: /devices\[0\]\.type/ })
    t.throws(() => m.create({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] } }), {
      message: 'cgroup: cannot set io.max: controller "io" is not available (available: cpu memory pids)',
    })
    t.false(fs.exists('t'))
    // The kernel refusing a value: make memory.max unwritable by turning it into a directory.
    const failing = fakeV2(['memory'])
    try {
      const h = probeCgroupHost(failing.root, V2_MOUNTINFO, '0::/\n')
      const ops = {
        ...failing.ops,
        mkdir(dir: string) {
          failing.ops.mkdir(dir)
          if (dir.endsWith('/c')) {
            rmSync(join(dir, 'memory.max'))
            mkdirSync(join(dir, 'memory.max'))
          }
        },
        rmdir(dir: string) {
          rmSync(dir, { recursive: true })
        },
      }
      const bad = openCgroupManager(h, '/t/c', { ops })
      t.throws(() => bad.create({ memory: { limit: 1000 } }), { message: 'cgroup: write memory.max = "1000": EISDIR' })
      t.false(failing.exists('t'))
    } finally {
      failing.cleanup()
    }
  } finally {
    fs.cleanup()
  }
})

test('refuses an existing cgroup with processes, and the caller\'s own cgroup or ancestors', (t) => {
  const { fs, host } = setup()
  try {
    const m = openCgroupManager(host, '/busy', { ops: fs.ops })
    m.create()
    fs.write('busy/cgroup.procs', '4242\n')
    t.throws(() => openCgroupManager(host, '/busy', { ops: fs.ops }).create(), { message: /already exists and has processes/ })
    fs.write('busy/cgroup.procs', '')
    const self = probeCgroupHost(fs.root, V2_MOUNTINFO, '0::/user.slice/me\n')
    t.throws(() => openCgroupManager(self, '/user.slice'), { message: /refusing \/user\.slice: it holds this process's own unified cgroup/ })
    t.throws(() => openCgroupManager(self, '/user.slice/me'), { message: /refusing/ })
    t.notThrows(() => openCgroupManager(self, '/user.slice/me/child'))
    t.notThrows(() => openCgroupManager(self, '/user'))
  } finally {
    fs.cleanup()
  }
})

test('devices go to the eBPF installer; freeze, thaw, kill, pids, events, clone fd', (t) => {
  const { fs, host } = setup()
  try {
    const m = openCgroupManager(host, '/ctr', { ops: fs.ops })
    m.create(resourcesOf('ctr-create-config.json'))
    t.is(fs.policies.length, 1)
    t.is(fs.policies[0]?.dir, join(fs.root, 'ctr'))
    t.false(fs.policies[0]?.policy.defaultAllow)
    t.is(fs.policies[0]?.policy.exceptions.length, 9)
    t.false(m.isFrozen())
    m.freeze() // an empty cgroup freezes at once
    t.true(m.isFrozen())
    m.thaw()
    t.false(m.isFrozen())
    m.kill(9, true)
    t.is(fs.read('ctr/cgroup.kill'), '1')
    mkdirSync(join(fs.root, 'ctr/sub'))
    fs.write('ctr/sub/cgroup.procs', '999999\n')
    fs.write('ctr/cgroup.procs', '999998\n')
    t.deepEqual(m.pids(), [999998, 999999])
    m.kill(15, false) // pids that do not exist: ESRCH is ignored
    fs.write('ctr/memory.events', 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n')
    t.deepEqual(m.events(), { oomKill: 1 })
    const fd = m.openCloneFd()
    t.true(typeof fd === 'number' && fstatSync(fd as number).isDirectory())
    closeSync(fd as number)
    m.enter(123)
    t.is(fs.read('ctr/cgroup.procs'), '123')
  } finally {
    fs.cleanup()
  }
})
