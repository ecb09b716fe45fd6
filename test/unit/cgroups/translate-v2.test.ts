import test from 'ava'
import { CgroupError } from '../../../src/cgroups/cgroup-error'
import type { TranslateContext } from '../../../src/cgroups/file-writes'
import { cpuSharesToWeight, translateCpuV2 } from '../../../src/cgroups/v2/cpu'
import { translateCpusetV2 } from '../../../src/cgroups/v2/cpuset'
import { translateHugetlbV2 } from '../../../src/cgroups/v2/hugetlb'
import { blkioWeightToIoWeight, translateIoV2 } from '../../../src/cgroups/v2/io'
import { swapToV2, translateMemoryV2 } from '../../../src/cgroups/v2/memory'
import { translatePids } from '../../../src/cgroups/v2/pids'
import { translateRdma } from '../../../src/cgroups/v2/rdma'
import { translateV2 } from '../../../src/cgroups/v2/translate'
import { translateUnified } from '../../../src/cgroups/v2/unified'
import type { LinuxResources } from '../../../src/spec/types-resources'
import { resourcesOf } from './client-resources'

const ALL = new Set(['cpu', 'cpuset', 'io', 'memory', 'pids', 'hugetlb', 'rdma', 'misc'])
function ctx(files: string[] = [], controllers: Set<string> = ALL): TranslateContext {
  const set = new Set(files)
  return { has: (f) => set.has(f), controllers }
}
const STANDARD = ctx(['memory.swap.max', 'hugetlb.2MB.rsvd.max'])

test('cpu shares → weight uses the runc 1.3 quadratic conversion', (t) => {
  const table: Array<[number, number]> = [
    [0, 0], [1, 1], [2, 1], [3, 2], [10, 4], [100, 17], [512, 59], [1024, 100], [2048, 174], [4096, 303],
    [65536, 3023], [262143, 10000], [262144, 10000], [262145, 10000],
  ]
  for (const [shares, weight] of table) t.is(cpuSharesToWeight(shares), weight, `shares ${shares}`)
})

test('cpu: zero values mean unset, quota/period/burst/idle', (t) => {
  const table: Array<[Parameters<typeof translateCpuV2>[0], Record<string, string>]> = [
    [undefined, {}],
    [{ shares: 0 }, {}],
    [{ shares: 1024 }, { 'cpu.weight': '100' }],
    [{ shares: 2 }, { 'cpu.weight': '1' }],
    [{ quota: 50000, period: 100000 }, { 'cpu.max': '50000 100000' }],
    [{ quota: 50000 }, { 'cpu.max': '50000' }],
    [{ quota: -1 }, { 'cpu.max': 'max' }],
    [{ quota: -1, period: 50000 }, { 'cpu.max': 'max 50000' }],
    [{ period: 200000 }, { 'cpu.max': 'max 200000' }],
    [{ quota: 0, period: 0 }, {}],
    [{ burst: 0 }, { 'cpu.max.burst': '0' }],
    [{ quota: 20000, burst: 10000 }, { 'cpu.max.burst': '10000', 'cpu.max': '20000' }],
    [{ idle: 1 }, { 'cpu.idle': '1' }],
    [{ idle: 0, shares: 512 }, { 'cpu.weight': '59', 'cpu.idle': '0' }],
    [{ cpus: '0-1' }, {}],
  ]
  for (const [cpu, want] of table) t.deepEqual(translateCpuV2(cpu), want, JSON.stringify(cpu))
  t.deepEqual(Object.keys(translateCpuV2({ quota: 1, burst: 1, shares: 2, idle: 0 })), ['cpu.weight', 'cpu.max.burst', 'cpu.max', 'cpu.idle'])
})

test('cpu: bad values and realtime are refused with the field name', (t) => {
  t.throws(() => translateCpuV2({ shares: -5 }), { instanceOf: CgroupError, message: /cpu\.shares: -5 is out of range/ })
  t.throws(() => translateCpuV2({ shares: 1.5 }), { message: /cpu\.shares: 1\.5 is not an integer/ })
  t.throws(() => translateCpuV2({ idle: 2 }), { message: /cpu\.idle: 2 is out of range \(0\.\.1\)/ })
  t.throws(() => translateCpuV2({ realtimeRuntime: 950000 }), { message: /realtime scheduling is not supported on cgroup v2/ })
  t.deepEqual(translateCpuV2({ realtimeRuntime: 0, realtimePeriod: 0 }), {})
})

test('cpuset', (t) => {
  t.deepEqual(translateCpusetV2({ cpus: '0-3,7', mems: '0' }), { 'cpuset.cpus': '0-3,7', 'cpuset.mems': '0' })
  t.deepEqual(translateCpusetV2({ cpus: '', mems: '' }), {})
  t.throws(() => translateCpusetV2({ cpus: 'all' }), { message: /cpu\.cpus: "all" is not a list/ })
})

test('memory: swap is swap - limit; -1 is max; 0 is unset', (t) => {
  const table: Array<[Parameters<typeof translateMemoryV2>[0], Record<string, string>]> = [
    [undefined, {}],
    [{ limit: 0, reservation: 0, swap: 0, kernel: 0 }, {}],
    [{ limit: 67108864 }, { 'memory.max': '67108864' }],
    [{ limit: 67108864, swap: 134217728 }, { 'memory.swap.max': '67108864', 'memory.max': '67108864' }],
    [{ limit: 67108864, swap: 67108864 }, { 'memory.swap.max': '0', 'memory.max': '67108864' }],
    [{ limit: 67108864, swap: -1 }, { 'memory.swap.max': 'max', 'memory.max': '67108864' }],
    [{ limit: -1 }, { 'memory.swap.max': 'max', 'memory.max': 'max' }],
    [{ limit: -1, swap: 1000 }, { 'memory.swap.max': '1000', 'memory.max': 'max' }],
    [{ reservation: 1048576 }, { 'memory.low': '1048576' }],
    [{ limit: 100, swappiness: 10, disableOOMKiller: true, kernel: 5, kernelTCP: 5 }, { 'memory.max': '100' }],
  ]
  for (const [mem, want] of table) t.deepEqual(translateMemoryV2(mem, STANDARD), want, JSON.stringify(mem))
})

test('memory: without swap accounting, max and 0 swap are skipped, others still written', (t) => {
  const noSwap = ctx([])
  t.deepEqual(translateMemoryV2({ limit: -1 }, noSwap), { 'memory.max': 'max' })
  t.deepEqual(translateMemoryV2({ limit: 100, swap: 100 }, noSwap), { 'memory.max': '100' })
  t.deepEqual(translateMemoryV2({ limit: 100, swap: 300 }, noSwap), { 'memory.swap.max': '200', 'memory.max': '100' })
})

test('memory: swap conversion errors like runc', (t) => {
  t.is(swapToV2(0, 0), 0)
  t.is(swapToV2(-1, 0), -1)
  t.is(swapToV2(-1, -1), -1)
  t.is(swapToV2(-1, 1000), -1)
  t.is(swapToV2(1000, 1000), 0)
  t.is(swapToV2(500, 200), 300)
  t.throws(() => swapToV2(300, 400), { message: /below the memory limit/ })
  t.throws(() => swapToV2(300, 0), { message: /needs a memory limit/ })
  t.throws(() => translateMemoryV2({ limit: -2 }, STANDARD), { message: /memory\.limit: -2 is not a limit/ })
})

test('io: bfq weight when available, converted io.weight otherwise, io.max lines', (t) => {
  t.is(blkioWeightToIoWeight(0), 0)
  t.is(blkioWeightToIoWeight(10), 1)
  t.is(blkioWeightToIoWeight(500), 4950)
  t.is(blkioWeightToIoWeight(1000), 10000)
  t.deepEqual(translateIoV2({ weight: 0 }, ctx()), {})
  t.deepEqual(translateIoV2({ weight: 500 }, ctx()), { 'io.weight': '4950' })
  t.deepEqual(translateIoV2({ weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 300 }] }, ctx(['io.bfq.weight'])), {
    'io.bfq.weight': '500\n8:0 300',
  })
  t.deepEqual(translateIoV2({ weightDevice: [{ major: 8, minor: 0, weight: 300 }] }, ctx()), {})
  t.deepEqual(
    translateIoV2(
      {
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
        throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }, { major: 8, minor: 16, rate: 1 }],
        throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
        throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 200 }],
      },
      ctx(),
    ),
    { 'io.max': '8:0 rbps=1048576\n8:0 wbps=2097152\n8:16 wbps=1\n8:0 riops=100\n8:0 wiops=200' },
  )
  t.throws(() => translateIoV2({ weight: -5 }, ctx()), { message: /blockIO\.weight: -5 is out of range \(10\.\.1000\)/ })
  t.throws(() => translateIoV2({ weight: 5 }, ctx()), { message: /blockIO\.weight: 5 is out of range/ })
  t.throws(() => translateIoV2({ throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] }, ctx()), {
    message: /blockIO\.throttleReadBpsDevice\[0\]\.major/,
  })
})

test('pids: runtime-spec 1.3 semantics (0 is a limit, negative is max, unset is nothing)', (t) => {
  t.deepEqual(translatePids(undefined), {})
  t.deepEqual(translatePids({}), {})
  t.deepEqual(translatePids({ limit: 0 }), { 'pids.max': '0' })
  t.deepEqual(translatePids({ limit: 5 }), { 'pids.max': '5' })
  t.deepEqual(translatePids({ limit: -1 }), { 'pids.max': 'max' })
  t.deepEqual(translatePids({ limit: -7 }), { 'pids.max': 'max' })
})

test('hugetlb with and without the rsvd files', (t) => {
  const limits = [{ pageSize: '2MB', limit: 4194304 }, { pageSize: '1GB', limit: 0 }]
  t.deepEqual(translateHugetlbV2(limits, ctx(['hugetlb.2MB.rsvd.max'])), {
    'hugetlb.2MB.max': '4194304', 'hugetlb.2MB.rsvd.max': '4194304', 'hugetlb.1GB.max': '0',
  })
  t.deepEqual(translateHugetlbV2(limits.slice(0, 1), ctx()), { 'hugetlb.2MB.max': '4194304' })
  t.throws(() => translateHugetlbV2([{ pageSize: '2M', limit: 1 }], ctx()), { message: /hugepageLimits\[0\]\.pageSize: "2M"/ })
})

test('rdma', (t) => {
  t.deepEqual(translateRdma({ mlx4_0: { hcaHandles: 2, hcaObjects: 2000 }, mlx5_1: { hcaHandles: 3 }, none: {} }), {
    'rdma.max': 'mlx4_0 hca_handle=2 hca_object=2000\nmlx5_1 hca_handle=3',
  })
  t.deepEqual(translateRdma(undefined), {})
})

test('unified: passthrough, checked keys and controllers', (t) => {
  const c = ctx([], new Set(['cpu', 'memory', 'pids']))
  t.deepEqual(translateUnified({ 'memory.high': '1G', 'memory.oom.group': '1', 'cgroup.max.depth': '3' }, c), {
    'memory.high': '1G', 'memory.oom.group': '1', 'cgroup.max.depth': '3',
  })
  t.throws(() => translateUnified({ 'foo.bar': '1' }, c), { message: /unified\["foo\.bar"\]: controller "foo" is not available \(available: cpu memory pids\)/ })
  t.throws(() => translateUnified({ 'io.max': '8:0 rbps=1' }, c), { message: /controller "io" is not available/ })
  t.throws(() => translateUnified({ '../memory.max': '1' }, c), { message: /no slashes/ })
  t.throws(() => translateUnified({ memorymax: '1' }, c), { message: /CONTROLLER\.PARAMETER/ })
})

test('translateV2 orders like runc, lets unified win, and checks controllers', (t) => {
  const r: LinuxResources = {
    cpu: { shares: 1024, cpus: '0' },
    memory: { limit: 1000 },
    pids: { limit: 10 },
    unified: { 'memory.max': '2000' },
  }
  const w = translateV2(r, ctx(['memory.swap.max']))
  t.deepEqual(w, { 'pids.max': '10', 'memory.max': '2000', 'cpu.weight': '100', 'cpuset.cpus': '0' })
  t.throws(() => translateV2({ memory: { limit: 1 } }, ctx([], new Set(['cpu']))), {
    message: 'cgroup: cannot set memory.max: controller "memory" is not available (available: cpu)',
  })
  t.throws(() => translateV2({ network: { classID: 1 } }, ctx()), { message: /net_cls and net_prio do not exist on cgroup v2/ })
  t.deepEqual(translateV2({ network: {} }, ctx()), {})
})

test('client resources translate to the writes runc would make', (t) => {
  const guest = ctx(['memory.swap.max'], new Set(['cpu', 'io', 'memory', 'pids']))
  const table: Array<[string, Record<string, string>]> = [
    ['docker-update-resources.json', { 'pids.max': '100', 'memory.swap.max': '67108864', 'memory.max': '67108864', 'cpu.max': '50000 100000' }],
    ['podman-update-resources.json', { 'memory.swap.max': '67108864', 'memory.max': '67108864', 'cpu.max': '50000 100000' }],
    ['docker-create-config.json', {}],
    ['ctr-create-config.json', { 'cpu.weight': '100' }],
    ['ctr-create-config-tty.json', { 'cpu.weight': '100' }],
    ['podman-create-config.json', { 'pids.max': '2048' }],
    ['podman-create-config-netavark.json', { 'pids.max': '2048' }],
    ['cri-container-config.json', {}],
    ['cri-sandbox-config.json', { 'cpu.weight': '1' }],
  ]
  for (const [file, want] of table) t.deepEqual(translateV2(resourcesOf(file), guest), want, file)
})
