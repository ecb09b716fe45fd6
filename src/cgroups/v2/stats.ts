// Read a cgroup v2 directory into runc's `events` stats shape (runc fs2 stat* functions).
import { readdirSync } from 'node:fs'
import { readCgroupFile, readKeyValues, readProcs } from '../cgroupfs'
import {
  emptyCpuset, MAX_UINT64, memoryEntry, omitEmpty, parseCpuList, parseLimit, parsePsi,
  type BlkioEntry, type CgroupStats, type HugetlbStats,
} from '../stats'

function ioStats(dir: string): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = []
  const ios: BlkioEntry[] = []
  for (const line of (readCgroupFile(dir, 'io.stat') ?? '').split('\n')) {
    const [dev, ...fields] = line.trim().split(/\s+/)
    const m = /^(\d+):(\d+)$/.exec(dev ?? '')
    if (m === null) continue
    for (const f of fields) {
      const [k, v] = f.split('=')
      const table = k === 'rbytes' || k === 'wbytes' ? bytes : k === 'rios' || k === 'wios' ? ios : undefined
      if (table === undefined) continue
      table.push(omitEmpty({ major: Number(m[1]), minor: Number(m[2]), op: k?.startsWith('r') ? 'Read' : 'Write', value: Number(v) }))
    }
  }
  return { bytes, ios }
}

function hugetlbStats(dir: string): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {}
  let names: string[] = []
  try {
    names = readdirSync(dir)
  } catch {
    return out
  }
  for (const name of names) {
    const m = /^hugetlb\.([^.]+)\.current$/.exec(name)
    if (m === null || m[1] === undefined) continue
    const usage = Number(readCgroupFile(dir, name)?.trim() ?? 0)
    const failcnt = readKeyValues(dir, `hugetlb.${m[1]}.events`).get('max') ?? 0
    out[m[1]] = { ...omitEmpty({ usage }), failcnt }
  }
  return out
}

export function readStatsV2(dir: string): CgroupStats {
  const cpu = readKeyValues(dir, 'cpu.stat')
  const mem = readKeyValues(dir, 'memory.stat')
  const usage = Number(readCgroupFile(dir, 'memory.current')?.trim() ?? 0)
  const limit = parseLimit(readCgroupFile(dir, 'memory.max'), 0n)
  const swapUsage = Number(readCgroupFile(dir, 'memory.swap.current')?.trim() ?? 0)
  const swapMax = parseLimit(readCgroupFile(dir, 'memory.swap.max'), 0n)
  // runc reports swap as memory+swap, as v1 did.
  const swapLimit = swapMax === MAX_UINT64 || limit === MAX_UINT64 ? MAX_UINT64 : swapMax + limit
  const pidsCurrent = readCgroupFile(dir, 'pids.current')
  const pidsMax = readCgroupFile(dir, 'pids.max')?.trim()
  const io = ioStats(dir)
  const raw = Object.fromEntries(mem)
  return {
    cpu: {
      usage: {
        ...omitEmpty({ total: (cpu.get('usage_usec') ?? 0) * 1000 }),
        kernel: (cpu.get('system_usec') ?? 0) * 1000,
        user: (cpu.get('user_usec') ?? 0) * 1000,
      },
      throttling: omitEmpty({
        periods: cpu.get('nr_periods') ?? 0,
        throttledPeriods: cpu.get('nr_throttled') ?? 0,
        throttledTime: (cpu.get('throttled_usec') ?? 0) * 1000,
      }),
      ...omitEmpty({ psi: parsePsi(readCgroupFile(dir, 'cpu.pressure')) }),
    },
    cpuset: {
      ...omitEmpty({
        cpus: parseCpuList(readCgroupFile(dir, 'cpuset.cpus.effective')),
        mems: parseCpuList(readCgroupFile(dir, 'cpuset.mems.effective')),
      }),
      ...emptyCpuset(),
    },
    memory: {
      ...omitEmpty({ cache: mem.get('file') ?? 0 }),
      usage: memoryEntry(limit, usage, Number(readCgroupFile(dir, 'memory.peak')?.trim() ?? 0), 0),
      swap: memoryEntry(swapLimit, swapUsage + usage, 0, 0),
      kernel: memoryEntry(0n, 0, 0, 0),
      kernelTCP: memoryEntry(0n, 0, 0, 0),
      ...(mem.size > 0 ? { raw } : {}),
      ...omitEmpty({ psi: parsePsi(readCgroupFile(dir, 'memory.pressure')) }),
    },
    pids: omitEmpty({
      current: pidsCurrent === undefined ? readProcs(dir, true).length : Number(pidsCurrent.trim()),
      limit: pidsMax === undefined || pidsMax === 'max' ? 0 : Number(pidsMax),
    }),
    blkio: omitEmpty({
      ioServiceBytesRecursive: io.bytes,
      ioServicedRecursive: io.ios,
      psi: parsePsi(readCgroupFile(dir, 'io.pressure')),
    }),
    hugetlb: hugetlbStats(dir),
    intel_rdt: {},
    network_interfaces: null,
  }
}
