import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cgroupStatsJson, MAX_UINT64, parseCpuList, parsePsi } from '../../../src/cgroups/stats'
import { readStatsV2 } from '../../../src/cgroups/v2/stats'

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-stats-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

test('v2 stats in runc events shape', (t) => {
  const dir = dirWith({
    'cgroup.procs': '1\n2\n',
    'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 4\nthrottled_usec 200\n',
    'memory.current': '16384\n',
    'memory.max': '16777216\n',
    'memory.peak': '20000\n',
    'memory.swap.current': '0\n',
    'memory.swap.max': 'max\n',
    'memory.stat': 'anon 8192\nfile 4096\n',
    'memory.events': 'oom_kill 1\n',
    'pids.current': '2\n',
    'pids.max': 'max\n',
    'io.stat': '8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    'hugetlb.2MB.current': '0\n',
    'hugetlb.2MB.events': 'max 3\n',
    'cpu.pressure': 'some avg10=1.50 avg60=0.00 avg300=0.00 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n',
  })
  try {
    const s = readStatsV2(dir)
    t.deepEqual(s.cpu.usage, { total: 1500000, kernel: 500000, user: 1000000 })
    t.deepEqual(s.cpu.throttling, { periods: 10, throttledPeriods: 4, throttledTime: 200000 })
    t.deepEqual(s.cpu.psi?.some, { avg10: 1.5, avg60: 0, avg300: 0, total: 123 })
    t.deepEqual(s.memory.usage, { limit: 16777216n, usage: 16384, max: 20000, failcnt: 0 })
    t.deepEqual(s.memory.swap, { limit: MAX_UINT64, usage: 16384, failcnt: 0 })
    t.is(s.memory.cache, 4096)
    t.deepEqual(s.memory.raw, { anon: 8192, file: 4096 })
    t.deepEqual(s.pids, { current: 2 })
    t.deepEqual(s.blkio.ioServiceBytesRecursive, [
      { major: 8, op: 'Read', value: 4096 },
      { major: 8, op: 'Write' },
    ])
    t.deepEqual(s.hugetlb, { '2MB': { failcnt: 3 } })
    const json = cgroupStatsJson({ type: 'stats', id: 'x', data: s })
    t.regex(json, /"swap":\{"limit":18446744073709551615,"usage":16384,"failcnt":0\}/)
    t.regex(json, /"intel_rdt":\{\},"network_interfaces":null/)
    t.regex(json, /^\{"type":"stats","id":"x","data":\{"cpu":/)
  } finally {
    rmSync(dir, { recursive: true })
  }
})

test('v2 stats of a missing cgroup are zeros, not a crash', (t) => {
  const s = readStatsV2('/nonexistent/cgroup')
  t.deepEqual(s.pids, {})
  t.is(s.memory.usage.limit, 0n)
})

test('helpers', (t) => {
  t.deepEqual(parseCpuList('0-2,5\n'), [0, 1, 2, 5])
  t.deepEqual(parseCpuList(''), [])
  t.is(parsePsi(undefined), undefined)
  const value = { a: 1n, b: [2n, undefined], c: '__u64__3', d: undefined, e: null, f: { g: 'x"y' }, h: 1.5 }
  t.is(cgroupStatsJson(value), '{"a":1,"b":[2,null],"c":"__u64__3","e":null,"f":{"g":"x\\"y"},"h":1.5}')
  t.deepEqual(JSON.parse(cgroupStatsJson({ ...value, a: 1, b: [2, null] })), JSON.parse(JSON.stringify({ ...value, a: 1, b: [2, null] })))
})
