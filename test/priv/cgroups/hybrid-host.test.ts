// Real cgroups on this host (hybrid: v1 hierarchies + cgroup2 at unified/), under a unique test parent at
// the hierarchy roots that is removed again. Never touches the caller's own cgroups.
import test from 'ava'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'
import { openCgroupManager, probeCgroupHost, type CgroupHost } from '../../../src/cgroups/index'

const isRoot = process.getuid?.() === 0
let host: CgroupHost | undefined
try {
  host = probeCgroupHost()
} catch {
  host = undefined
}
const reason = !isRoot ? 'requires root' : host === undefined || host.mode === 'v2' ? 'requires a v1 or hybrid cgroup host' : null
const t0 = reason === null ? test.serial : test.serial.skip
const title = (s: string): string => (reason === null ? s : `${s} (skipped: ${reason})`)

const parent = `/tsrun-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

/** Every hierarchy directory the test parent could have left behind. */
function parentDirs(): string[] {
  if (host === undefined) return []
  const mounts = new Set([...host.v1.values(), ...(host.unifiedPath === undefined ? [] : [host.unifiedPath])])
  return [...mounts].map((m) => join(m, parent))
}

const children: ChildProcess[] = []

test.after.always(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await new Promise((resolve) => setTimeout(resolve, 100))
  // Only our own unique parent, deepest first, only rmdir: never anything else.
  for (const dir of parentDirs()) {
    if (!existsSync(dir)) continue
    for (const child of readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())) rmdirSync(join(dir, child.name))
    rmdirSync(dir)
  }
})

function sleeper(): { child: ChildProcess; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' })
  children.push(child)
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  return { child, exited }
}

const read = (mount: string | undefined, path: string, file: string): string => readFileSync(join(mount ?? '/nonexistent', path, file), 'utf8').trim()

t0(title('create, limits, update, enter, freeze, kill, stats, destroy on the hybrid host'), async (t) => {
  const h = host as CgroupHost
  const path = `${parent}/c1`
  const m = openCgroupManager(h, path)
  m.create({
    memory: { limit: 67108864, swap: 134217728 },
    pids: { limit: 10 },
    cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' },
    devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }],
    blockIO: { weight: 0 },
  })
  t.is(read(h.v1.get('memory'), path, 'memory.limit_in_bytes'), '67108864')
  t.is(read(h.v1.get('memory'), path, 'memory.memsw.limit_in_bytes'), '134217728')
  t.is(read(h.v1.get('pids'), path, 'pids.max'), '10')
  t.is(read(h.v1.get('cpu'), path, 'cpu.shares'), '512')
  t.is(read(h.v1.get('cpu'), path, 'cpu.cfs_quota_us'), '50000')
  t.is(read(h.v1.get('cpuset'), path, 'cpuset.cpus'), '0')
  t.not(read(h.v1.get('cpuset'), parent, 'cpuset.mems'), '', 'the new parent inherited mems')
  t.is(read(h.v1.get('devices'), path, 'devices.list'), 'c 1:3 rwm')
  t.true(existsSync(join(h.unifiedPath ?? '/nonexistent', path)))
  // Raising memory above the current memsw needs memsw first: the EINVAL retry handles the order.
  m.apply({ memory: { limit: 268435456, swap: 536870912 }, pids: { limit: -1 } })
  t.is(read(h.v1.get('memory'), path, 'memory.limit_in_bytes'), '268435456')
  t.is(read(h.v1.get('memory'), path, 'memory.memsw.limit_in_bytes'), '536870912')
  t.is(read(h.v1.get('pids'), path, 'pids.max'), 'max')
  m.apply({ memory: { limit: 33554432, swap: 33554432 } })
  t.is(read(h.v1.get('memory'), path, 'memory.memsw.limit_in_bytes'), '33554432')

  const { child, exited } = sleeper()
  const pid = child.pid as number
  m.enter(pid)
  t.deepEqual(m.pids(), [pid])
  t.is(read(h.v1.get('memory'), path, 'cgroup.procs'), String(pid))
  t.is(read(h.unifiedPath, path, 'cgroup.procs'), String(pid))
  m.freeze()
  t.true(m.isFrozen())
  t.regex(readFileSync(`/proc/${pid}/status`, 'utf8'), /State:\s+D/)
  m.thaw()
  t.false(m.isFrozen())
  const stats = m.stats()
  t.is(stats.pids.current, 1)
  t.is(stats.pids.limit, undefined)
  t.truthy(stats.memory.raw, 'memory.stat was read')
  t.is(stats.memory.usage.limit, 33554432n)
  t.deepEqual(m.events(), { oomKill: 0 })
  m.kill(9, true)
  t.is(await exited, 'SIGKILL')
  m.destroy()
  for (const mount of new Set([...h.v1.values(), h.unifiedPath])) t.false(existsSync(join(mount ?? '/x', path)), `${mount}`)
  m.destroy()
  // Created in this process, so the manager also removed the test parent it made.
  for (const dir of parentDirs()) t.false(existsSync(dir), dir)
})

t0(title('a value the kernel refuses names the file and leaves nothing behind; destroy kills stragglers'), async (t) => {
  const h = host as CgroupHost
  const path = `${parent}/c2`
  const m = openCgroupManager(h, path)
  t.throws(() => m.create({ cpu: { cpus: '63' } }), { message: /^cgroup: write cpuset\.cpus = "63": (EINVAL|ERANGE)$/ })
  for (const dir of parentDirs()) t.false(existsSync(dir), dir)
  m.create()
  const { child, exited } = sleeper()
  m.enter(child.pid as number)
  const later = openCgroupManager(h, path) // as `delete` would, in another process
  later.destroy()
  t.is(await exited, 'SIGKILL')
  for (const mount of new Set([...h.v1.values(), h.unifiedPath])) t.false(existsSync(join(mount ?? '/x', path)), `${mount}`)
})
