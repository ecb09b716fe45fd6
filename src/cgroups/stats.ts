// Container resource statistics in the shape of runc's `events` data (runc types/events.go): fields that
// runc tags omitempty are left out when zero, so JSON output matches runc's.

/** 2^64 - 1: what runc reports for an unlimited memory limit. */
export const MAX_UINT64 = 18446744073709551615n

export interface MemoryEntry {
  /** bigint: unlimited is 2^64-1 and v1 reports 2^63-4096; neither fits a double. */
  limit: bigint
  usage?: number
  max?: number
  failcnt: number
}

export interface BlkioEntry {
  major?: number
  minor?: number
  op?: string
  value?: number
}

export interface PsiData {
  avg10: number
  avg60: number
  avg300: number
  total: number
}

export interface PsiStats {
  some?: PsiData
  full?: PsiData
}

export interface CpuStats {
  usage: { total?: number; percpu?: number[]; percpu_kernel?: number[]; percpu_user?: number[]; kernel: number; user: number }
  throttling: { periods?: number; throttledPeriods?: number; throttledTime?: number }
  psi?: PsiStats
}

export interface CpusetStats {
  cpus?: number[]
  cpu_exclusive: number
  mems?: number[]
  mem_hardwall: number
  mem_exclusive: number
  memory_migrate: number
  memory_spread_page: number
  memory_spread_slab: number
  memory_pressure: number
  sched_load_balance: number
  sched_relax_domain_level: number
}

export interface MemoryStats {
  cache?: number
  usage: MemoryEntry
  swap: MemoryEntry
  kernel: MemoryEntry
  kernelTCP: MemoryEntry
  raw?: Record<string, number>
  psi?: PsiStats
}

export interface BlkioStats {
  ioServiceBytesRecursive?: BlkioEntry[]
  ioServicedRecursive?: BlkioEntry[]
  ioQueueRecursive?: BlkioEntry[]
  ioServiceTimeRecursive?: BlkioEntry[]
  ioWaitTimeRecursive?: BlkioEntry[]
  ioMergedRecursive?: BlkioEntry[]
  ioTimeRecursive?: BlkioEntry[]
  sectorsRecursive?: BlkioEntry[]
  psi?: PsiStats
}

export interface HugetlbStats {
  usage?: number
  max?: number
  failcnt: number
}

/** runc's `events` `data` object. Serialise with cgroupStatsJson (it holds bigints). */
export interface CgroupStats {
  cpu: CpuStats
  cpuset: CpusetStats
  memory: MemoryStats
  pids: { current?: number; limit?: number }
  blkio: BlkioStats
  hugetlb: Record<string, HugetlbStats>
  intel_rdt: Record<string, never>
  network_interfaces: null
}

/** Drop the keys whose value is 0, undefined or an empty array (Go's omitempty). */
export function omitEmpty<T extends object>(o: T): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue
    out[k] = v
  }
  return out as T
}

export function memoryEntry(limit: bigint, usage: number, max: number, failcnt: number): MemoryEntry {
  return { limit, ...omitEmpty({ usage, max }), failcnt }
}

export function emptyCpuset(): CpusetStats {
  return {
    cpu_exclusive: 0, mem_hardwall: 0, mem_exclusive: 0, memory_migrate: 0, memory_spread_page: 0,
    memory_spread_slab: 0, memory_pressure: 0, sched_load_balance: 0, sched_relax_domain_level: 0,
  }
}

/** "0-3,7" → [0, 1, 2, 3, 7]. */
export function parseCpuList(text: string | undefined): number[] {
  const out: number[] = []
  for (const part of (text ?? '').trim().split(',')) {
    if (part === '') continue
    const [a, b] = part.split('-').map(Number)
    if (a === undefined || !Number.isInteger(a)) continue
    for (let i = a; i <= (b ?? a); i++) out.push(i)
  }
  return out
}

/** A PSI file ("some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and maybe a "full" line). */
export function parsePsi(text: string | undefined): PsiStats | undefined {
  if (text === undefined) return undefined
  const psi: PsiStats = {}
  for (const line of text.split('\n')) {
    const [kind, ...fields] = line.trim().split(/\s+/)
    if (kind !== 'some' && kind !== 'full') continue
    const data: PsiData = { avg10: 0, avg60: 0, avg300: 0, total: 0 }
    for (const f of fields) {
      const [k, v] = f.split('=')
      if (k === 'avg10' || k === 'avg60' || k === 'avg300' || k === 'total') data[k] = Number(v)
    }
    psi[kind] = data
  }
  return psi.some === undefined && psi.full === undefined ? undefined : psi
}

/** A number file as an exact bigint; "max" (or absent, when `absent` is given) → that value. */
export function parseLimit(text: string | undefined, absent: bigint): bigint {
  const t = text?.trim()
  if (t === undefined || t === '') return absent
  if (t === 'max') return MAX_UINT64
  try {
    return BigInt(t)
  } catch {
    return absent
  }
}

/** JSON text for stats (or an event holding them), like JSON.stringify but writing bigints as numbers. */
export function cgroupStatsJson(value: unknown): string {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : cgroupStatsJson(v))).join(',')}]`
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    const fields = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function')
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${cgroupStatsJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
