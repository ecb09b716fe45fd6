import test from 'ava'
import { closeSync, fstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { openCgroupManager } from '../../../src/cgroups/index'
import { probeCgroupHost } from '../../../src/host/cgroups'
import { resourcesOf } from './client-resources'
import { fakeHybrid, hybridMountinfo } from './fake-cgroupfs'

const SELF = '9:name=systemd:/\n4:memory:/process_api/abc\n0::/\n'
const HIERARCHIES = ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd', 'unified']

function setup() {
  const fs = fakeHybrid()
  return { fs, host: probeCgroupHost(fs.root, hybridMountinfo(), SELF) }
}

test('hybrid create: every v1 hierarchy, name=systemd and the unified tree; cpuset inherited', (t) => {
  const { fs, host } = setup()
  try {
    const m = openCgroupManager(host, '/tsrun-test/c1', { ops: fs.ops })
    m.create(resourcesOf('docker-create-config.json'))
    for (const h of HIERARCHIES) t.true(fs.exists(`${h}/tsrun-test/c1`), h)
    t.is(m.created.length, HIERARCHIES.length * 2)
    t.is(fs.read('cpuset/tsrun-test/cpuset.cpus'), '0-1')
    t.is(fs.read('cpuset/tsrun-test/c1/cpuset.mems'), '0')
    t.is(fs.read('devices/tsrun-test/c1/devices.deny'), 'a')
    t.is(fs.policies.length, 0)
    m.apply(resourcesOf('docker-update-resources.json'))
    t.is(fs.read('memory/tsrun-test/c1/memory.limit_in_bytes'), '67108864')
    t.is(fs.read('memory/tsrun-test/c1/memory.memsw.limit_in_bytes'), '134217728')
    t.is(fs.read('cpu/tsrun-test/c1/cpu.cfs_quota_us'), '50000')
    t.is(fs.read('pids/tsrun-test/c1/pids.max'), '100')
    m.destroy()
    for (const h of HIERARCHIES) t.deepEqual(readdirSync(join(fs.root, h)).filter((n) => n.startsWith('tsrun')), [], h)
  } finally {
    fs.cleanup()
  }
})

test('hybrid: refused resources create nothing', (t) => {
  const { fs, host } = setup()
  try {
    const m = openCgroupManager(host, '/tsrun-test/c2', { ops: fs.ops })
    t.throws(() => m.create({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }), { message: /hugetlb controller is not mounted/ })
    t.throws(() => m.create({ unified: { 'memory.high': '1' } }), { message: /needs a cgroup v2 host/ })
    t.throws(() => m.create({ memory: { swappiness: 200 } }), { message: /memory\.swappiness: 200/ })
    for (const h of HIERARCHIES) t.false(fs.exists(`${h}/tsrun-test`), h)
    t.throws(() => openCgroupManager(host, '/process_api'), { message: /own memory cgroup \/process_api\/abc/ })
  } finally {
    fs.cleanup()
  }
})

test('hybrid: freezer, enter, pids, kill, events, clone fd, stats', (t) => {
  const { fs, host } = setup()
  try {
    const m = openCgroupManager(host, '/c3', { ops: fs.ops })
    m.create()
    m.freeze()
    t.true(m.isFrozen())
    t.is(fs.read('freezer/c3/freezer.state'), 'FROZEN')
    m.thaw()
    t.false(m.isFrozen())
    m.enter(4321)
    for (const h of HIERARCHIES) t.is(fs.read(`${h}/c3/cgroup.procs`), '4321', h)
    fs.write('memory/c3/cgroup.procs', '999991\n')
    t.deepEqual(m.pids(), [4321, 999991])
    for (const h of HIERARCHIES) fs.write(`${h}/c3/cgroup.procs`, '999992\n')
    m.kill(15, true) // ESRCH ignored
    t.is(fs.read('freezer/c3/freezer.state'), 'THAWED')
    fs.write('memory/c3/memory.oom_control', 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')
    t.deepEqual(m.events(), { oomKill: 2 })
    const fd = m.openCloneFd()
    t.true(fd !== undefined && fstatSync(fd).isDirectory())
    if (fd !== undefined) closeSync(fd)
    fs.write('memory/c3/memory.usage_in_bytes', '4096\n')
    fs.write('pids/c3/pids.current', '1\n')
    fs.write('pids/c3/pids.max', '100\n')
    fs.write('cpuacct/c3/cpuacct.stat', 'user 3\nsystem 2\n')
    fs.write('cpuacct/c3/cpuacct.usage', '50000000\n')
    const s = m.stats()
    t.is(s.memory.usage.usage, 4096)
    t.is(s.memory.usage.limit, 9223372036854771712n)
    t.deepEqual(s.pids, { current: 1, limit: 100 })
    t.is(s.cpu.usage.total, 50000000)
    t.is(s.cpu.usage.user, 30000000)
    t.is(s.cpu.usage.kernel, 20000000)
    for (const h of HIERARCHIES) fs.write(`${h}/c3/cgroup.procs`, '')
    m.destroy()
    t.false(fs.exists('memory/c3'))
  } finally {
    fs.cleanup()
  }
})
