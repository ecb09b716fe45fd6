// Read the v1 hierarchies of a cgroup into runc's `events` stats shape (runc fs/*.go GetStats).
import { readdirSync } from 'node:fs'
import { readCgroupFile, readKeyValues, readProcs } from '../cgroupfs'
import {
  emptyCpuset, memoryEntry, omitEmpty, parseCpuList, parseLimit,
  type BlkioEntry, type CgroupStats, type CpusetStats, type HugetlbStats, type MemoryEntry,
} from '../stats'

/** USER_HZ: cpuacct.stat counts in clock ticks of 1/100 s. */
const NS_PER_TICK = 10_000_000

function num(dir: string | undefined, file: string): number {
  if (dir === undefined) return 0
  const n = Number(readCgroupFile(dir, file)?.trim() ?? 0)
  return Number.isFinite(n) ? n : 0
}

function numbers(dir: string | undefined, file: string): number[] {
  if (dir === undefined) return []
  return (readCgroupFile(dir, file) ?? '').trim().split(/\s+/).filter(Boolean).map(Number)
}

function memEntry(dir: string | undefined, prefix: string): MemoryEntry {
  if (dir === undefined) return memoryEntry(0n, 0, 0, 0)
  return memoryEntry(
    parseLimit(readCgroupFile(dir, `${prefix}.limit_in_bytes`), 0n),
    num(dir, `${prefix}.usage_in_bytes`),
    num(dir, `${prefix}.max_usage_in_bytes`),
    num(dir, `${prefix}.failcnt`),
  )
}

/** "8:0 Read 4096" lines (the "Total" line is skipped). */
function blkioEntries(dir: string, file: string): BlkioEntry[] {
  const out: BlkioEntry[] = []
  for (const line of (readCgroupFile(dir, file) ?? '').split('\n')) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim())
    if (m !== null) out.push(omitEmpty({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) }))
  }
  return out
}

function percpuColumns(dir: string | undefined): { user: number[]; kernel: number[] } {
  const user: number[] = []
  const kernel: number[] = []
  if (dir === undefined) return { user, kernel }
  const rows = (readCgroupFile(dir, 'cpuacct.usage_all') ?? '').trim().split('\n').slice(1)
  for (const row of rows) {
    const [, u, s] = row.trim().split(/\s+/).map(Number)
    if (u === undefined || s === undefined) continue
    user.push(u)
    kernel.push(s)
  }
  return { user, kernel }
}

function cpusetStats(dir: string | undefined): CpusetStats {
  const base = emptyCpuset()
  if (dir === undefined) return base
  const flag = (f: string): number => num(dir, `cpuset.${f}`)
  return {
    ...omitEmpty({ cpus: parseCpuList(readCgroupFile(dir, 'cpuset.cpus')), mems: parseCpuList(readCgroupFile(dir, 'cpuset.mems')) }),
    cpu_exclusive: flag('cpu_exclusive'),
    mem_hardwall: flag('mem_hardwall'),
    mem_exclusive: flag('mem_exclusive'),
    memory_migrate: flag('memory_migrate'),
    memory_spread_page: flag('memory_spread_page'),
    memory_spread_slab: flag('memory_spread_slab'),
    memory_pressure: flag('memory_pressure'),
    sched_load_balance: flag('sched_load_balance'),
    sched_relax_domain_level: flag('sched_relax_domain_level'),
  }
}

function hugetlbStats(dir: string | undefined): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {}
  if (dir === undefined) return out
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const m = /^hugetlb\.([^.]+)\.usage_in_bytes$/.exec(name)
    if (m === null) continue
    const size = m[1] ?? ''
    out[size] = {
      ...omitEmpty({ usage: num(dir, name), max: num(dir, `hugetlb.${size}.max_usage_in_bytes`) }),
      failcnt: num(dir, `hugetlb.${size}.failcnt`),
    }
  }
  return out
}

/** `dirOf(controller)` is the container's directory in that controller's hierarchy, if mounted. */
export function readStatsV1(dirOf: (controller: string) => string | undefined): CgroupStats {
  const cpuacct = dirOf('cpuacct')
  const cpu = readKeyValues(dirOf('cpu') ?? '/nonexistent', 'cpu.stat')
  const ticks = readKeyValues(cpuacct ?? '/nonexistent', 'cpuacct.stat')
  const percpu = percpuColumns(cpuacct)
  const memory = dirOf('memory')
  const raw = memory === undefined ? new Map<string, number>() : readKeyValues(memory, 'memory.stat')
  const pids = dirOf('pids')
  const blkio = dirOf('blkio')
  let bytes: BlkioEntry[] = []
  let ios: BlkioEntry[] = []
  if (blkio !== undefined) {
    bytes = blkioEntries(blkio, 'blkio.io_service_bytes_recursive')
    ios = blkioEntries(blkio, 'blkio.io_serviced_recursive')
    if (bytes.length === 0 && ios.length === 0) {
      bytes = blkioEntries(blkio, 'blkio.throttle.io_service_bytes_recursive')
      ios = blkioEntries(blkio, 'blkio.throttle.io_serviced_recursive')
    }
  }
  const pidsMax = pids === undefined ? undefined : readCgroupFile(pids, 'pids.max')?.trim()
  const anyDir = dirOf('freezer') ?? memory ?? pids
  return {
    cpu: {
      usage: {
        ...omitEmpty({
          total: num(cpuacct, 'cpuacct.usage'),
          percpu: numbers(cpuacct, 'cpuacct.usage_percpu'),
          percpu_kernel: percpu.kernel,
          percpu_user: percpu.user,
        }),
        kernel: (ticks.get('system') ?? 0) * NS_PER_TICK,
        user: (ticks.get('user') ?? 0) * NS_PER_TICK,
      },
      throttling: omitEmpty({
        periods: cpu.get('nr_periods') ?? 0,
        throttledPeriods: cpu.get('nr_throttled') ?? 0,
        throttledTime: cpu.get('throttled_time') ?? 0,
      }),
    },
    cpuset: cpusetStats(dirOf('cpuset')),
    memory: {
      ...omitEmpty({ cache: raw.get('cache') ?? 0 }),
      usage: memEntry(memory, 'memory'),
      swap: memEntry(memory, 'memory.memsw'),
      kernel: memEntry(memory, 'memory.kmem'),
      kernelTCP: memEntry(memory, 'memory.kmem.tcp'),
      ...(raw.size > 0 ? { raw: Object.fromEntries(raw) } : {}),
    },
    pids: omitEmpty({
      current: pids !== undefined ? num(pids, 'pids.current') : anyDir === undefined ? 0 : readProcs(anyDir, true).length,
      limit: pidsMax === undefined || pidsMax === 'max' ? 0 : Number(pidsMax),
    }),
    blkio: omitEmpty({ ioServiceBytesRecursive: bytes, ioServicedRecursive: ios }),
    hugetlb: hugetlbStats(dirOf('hugetlb')),
    intel_rdt: {},
    network_interfaces: null,
  }
}
