import test from 'ava'
import type { TranslateContext } from '../../../src/cgroups/file-writes'
import { translateBlkioV1 } from '../../../src/cgroups/v1/blkio'
import { translateCpuV1 } from '../../../src/cgroups/v1/cpu'
import { translateCpusetV1 } from '../../../src/cgroups/v1/cpuset'
import { translateDevicesV1 } from '../../../src/cgroups/v1/devices'
import { translateHugetlbV1 } from '../../../src/cgroups/v1/hugetlb'
import { translateMemoryV1 } from '../../../src/cgroups/v1/memory'
import { translateNetV1 } from '../../../src/cgroups/v1/net'
import { translateV1 } from '../../../src/cgroups/v1/translate'
import { resourcesOf } from './client-resources'

/** This host's v1 hierarchies. */
const HOST = new Set(['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'name=systemd'])
function ctx(files: string[] = [], controllers: Set<string> = HOST): TranslateContext {
  const set = new Set(files)
  return { has: (f) => set.has(f), controllers }
}
const MEMSW = ctx(['memory.memsw.limit_in_bytes'])

test('cpu', (t) => {
  t.deepEqual(translateCpuV1({ shares: 0, quota: 0, period: 0 }), {})
  t.deepEqual(translateCpuV1({ shares: 512, quota: 50000, period: 100000 }), {
    'cpu.shares': '512', 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000',
  })
  t.deepEqual(translateCpuV1({ quota: -1 }), { 'cpu.cfs_quota_us': '-1' })
  t.deepEqual(translateCpuV1({ quota: -20 }), { 'cpu.cfs_quota_us': '-1' })
  t.deepEqual(translateCpuV1({ burst: 1000, idle: 0, realtimePeriod: 1000000, realtimeRuntime: 950000 }), {
    'cpu.cfs_burst_us': '1000', 'cpu.rt_period_us': '1000000', 'cpu.rt_runtime_us': '950000', 'cpu.idle': '0',
  })
  t.throws(() => translateCpuV1({ shares: -1 }), { message: /cpu\.shares: -1 is out of range/ })
})

test('cpuset', (t) => {
  t.deepEqual(translateCpusetV1({ cpus: '0-1', mems: '0' }), { 'cpuset.cpus': '0-1', 'cpuset.mems': '0' })
  t.deepEqual(translateCpusetV1({ shares: 2 }), {})
})

test('memory: limit before memsw, unlimited memory makes swap unlimited, options', (t) => {
  const table: Array<[Parameters<typeof translateMemoryV1>[0], Record<string, string>]> = [
    [{ limit: 0, reservation: 0, swap: 0, kernel: 0 }, {}],
    [{ limit: 67108864, swap: 134217728 }, { 'memory.limit_in_bytes': '67108864', 'memory.memsw.limit_in_bytes': '134217728' }],
    [{ limit: -1 }, { 'memory.limit_in_bytes': '-1', 'memory.memsw.limit_in_bytes': '-1' }],
    [{ reservation: 1000 }, { 'memory.soft_limit_in_bytes': '1000' }],
    [{ swappiness: 0 }, { 'memory.swappiness': '0' }],
    [{ disableOOMKiller: true }, { 'memory.oom_control': '1' }],
    [{ disableOOMKiller: false, kernel: 100, kernelTCP: 100 }, {}],
  ]
  for (const [mem, want] of table) t.deepEqual(translateMemoryV1(mem, MEMSW), want, JSON.stringify(mem))
  t.deepEqual(translateMemoryV1({ limit: -1 }, ctx()), { 'memory.limit_in_bytes': '-1' })
  t.throws(() => translateMemoryV1({ swappiness: 101 }, MEMSW), { message: /memory\.swappiness: 101 is out of range \(0\.\.100\)/ })
  t.throws(() => translateMemoryV1({ limit: 200, swap: 100 }, MEMSW), { message: /below the memory limit/ })
})

test('blkio: CFQ or BFQ files, throttles', (t) => {
  const bio = {
    weight: 500,
    leafWeight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 200, leafWeight: 100 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1024 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 10 }, { major: 8, minor: 16, rate: 20 }],
  }
  t.deepEqual(translateBlkioV1(bio, ctx(['blkio.weight'])), {
    'blkio.weight': '500', 'blkio.leaf_weight': '300', 'blkio.weight_device': '8:0 200', 'blkio.leaf_weight_device': '8:0 100',
    'blkio.throttle.read_bps_device': '8:0 1024', 'blkio.throttle.write_iops_device': '8:0 10\n8:16 20',
  })
  t.deepEqual(translateBlkioV1({ weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 200 }] }, ctx()), {
    'blkio.bfq.weight': '500', 'blkio.bfq.weight_device': '8:0 200',
  })
  t.deepEqual(translateBlkioV1({ weight: 0 }, ctx()), {})
})

test('hugetlb and net', (t) => {
  t.deepEqual(translateHugetlbV1([{ pageSize: '2MB', limit: 2097152 }], ctx(['hugetlb.2MB.rsvd.limit_in_bytes'])), {
    'hugetlb.2MB.limit_in_bytes': '2097152', 'hugetlb.2MB.rsvd.limit_in_bytes': '2097152',
  })
  t.deepEqual(translateNetV1({ classID: 1048577, priorities: [{ name: 'eth0', priority: 5 }, { name: 'lo', priority: 2 }] }), {
    'net_cls.classid': '1048577', 'net_prio.ifpriomap': 'eth0 5\nlo 2',
  })
})

test('devices: deny-all then allow exceptions', (t) => {
  t.deepEqual(translateDevicesV1(undefined), {})
  t.deepEqual(translateDevicesV1([]), { 'devices.deny': 'a' })
  t.deepEqual(
    translateDevicesV1([
      { allow: false, access: 'rwm' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'c', major: 136, access: 'rwm' },
      { allow: true, type: 'b', major: 8, minor: 0, access: 'r' },
    ]),
    { 'devices.deny': 'a', 'devices.allow': 'c 1:3 rwm\nc 136:* rwm\nb 8:0 r' },
  )
  t.deepEqual(translateDevicesV1([{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }]), {
    'devices.allow': 'a', 'devices.deny': 'c 10:229 rwm',
  })
})

test('translateV1 refuses unified and unmounted controllers', (t) => {
  t.throws(() => translateV1({ unified: { 'memory.high': '1' } }, ctx()), { message: /unified: needs a cgroup v2 host/ })
  t.deepEqual(translateV1({ unified: {} }, ctx()), {})
  t.throws(() => translateV1({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }, ctx()), {
    message: /cannot set hugetlb\.2MB\.limit_in_bytes: the hugetlb controller is not mounted/,
  })
  t.throws(() => translateV1({ network: { classID: 1 } }, ctx()), { message: /net_cls controller is not mounted/ })
})

test('client resources on this hybrid host', (t) => {
  const docker = translateV1(resourcesOf('docker-update-resources.json'), MEMSW)
  t.deepEqual(docker, {
    'memory.limit_in_bytes': '67108864', 'memory.memsw.limit_in_bytes': '134217728',
    'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000', 'pids.max': '100',
  })
  const dockerCreate = translateV1(resourcesOf('docker-create-config.json'), MEMSW)
  t.deepEqual(dockerCreate, {
    'devices.deny': 'a',
    'devices.allow': 'c 1:5 rwm\nc 1:3 rwm\nc 1:9 rwm\nc 1:8 rwm\nc 5:0 rwm\nc 5:1 rwm',
  })
  const ctr = translateV1(resourcesOf('ctr-create-config.json'), MEMSW)
  t.is(ctr['cpu.shares'], '1024')
  t.is(ctr['devices.allow']?.split('\n').length, 9)
  t.deepEqual(translateV1(resourcesOf('podman-create-config.json'), MEMSW), { 'devices.deny': 'a', 'pids.max': '2048' })
  t.deepEqual(translateV1(resourcesOf('cri-sandbox-config.json'), MEMSW), { 'devices.deny': 'a', 'cpu.shares': '2' })
})
