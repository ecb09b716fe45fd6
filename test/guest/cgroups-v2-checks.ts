// Real cgroup v2 behaviour, run as root on a pure v2 host: the throwaway guest of vm-run.sh, started by
// cgroups-v2.test.ts. Prints one JSON line: check name → { ok, detail }. Processes start in the root
// cgroup, wait for "go" on stdin, and are moved in with enter() before they get it.
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { cgroupStatsJson, openCgroupManager, probeCgroupHost, type CgroupManager } from '../../src/cgroups/index'
import { bpfProgQuery, BPF_CGROUP_DEVICE } from '../../src/sys/bpf'

const host = probeCgroupHost()
const parent = `/tsrun-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
const results: Record<string, { ok: boolean; detail: string }> = {}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Run {
  pid: number
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>
}

function startIn(m: CgroupManager, script: string): Run {
  const child = spawn('sh', ['-c', `read go; ${script}`], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  )
  m.enter(child.pid as number)
  child.stdin.write('go\n')
  return { pid: child.pid as number, done }
}

async function waitFor(what: string, cond: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

async function check(name: string, body: () => Promise<string>): Promise<void> {
  try {
    results[name] = { ok: true, detail: await body() }
  } catch (err) {
    results[name] = { ok: false, detail: err instanceof Error ? (err.stack ?? err.message) : String(err) }
  }
}

function dir(m: CgroupManager): string {
  return join(host.root, m.path)
}

function fail(msg: string): never {
  throw new Error(msg)
}

async function main(): Promise<void> {
  if (host.mode !== 'v2') fail(`not a pure v2 host (${host.mode})`)
  const managers: CgroupManager[] = []
  const open = (name: string): CgroupManager => {
    const m = openCgroupManager(host, `${parent}/${name}`)
    managers.push(m)
    return m
  }

  await check('memory.max OOM-kills and events() counts it', async () => {
    const m = open('mem')
    m.create({ memory: { limit: 16 << 20, swap: 16 << 20 } })
    const r = startIn(m, 'head -c 67108864 /dev/zero | tail -c 67108864 >/dev/null')
    const res = await r.done
    const oom = m.events().oomKill
    if (oom < 1) fail(`oom_kill=${oom}, exit ${res.code}/${res.signal} ${res.err}`)
    if (res.code === 0) fail('the allocation succeeded')
    const max = m.stats().memory.usage.limit
    m.destroy()
    return `oom_kill=${oom} exit=${res.code} limit=${max}`
  })

  await check('pids.max stops a fork bomb; update raises it', async () => {
    const m = open('pids')
    m.create({ pids: { limit: 5 } })
    const r = startIn(m, 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 >/dev/null 2>&1 & done; echo started')
    const loop = await r.done // the shell exits after the loop; the sleeps it could fork stay
    const stats = m.stats()
    const events = readFileSync(join(dir(m), 'pids.events'), 'utf8')
    if (stats.pids.current !== 4) fail(`pids.current ${stats.pids.current}: expected the 4 sleeps forked before the limit`)
    if (!/max [1-9]/.test(events)) fail(`pids.events: ${events}`)
    m.apply({ pids: { limit: 50 } })
    const after = readFileSync(join(dir(m), 'pids.max'), 'utf8').trim()
    if (after !== '50') fail(`pids.max after update: ${after}`)
    m.destroy()
    return `current=${stats.pids.current} limit=${stats.pids.limit} ${events.trim()} updated=${after}; sh: ${loop.err.trim().split('\n')[0]}`
  })

  await check('freeze stops progress, thaw resumes', async () => {
    const m = open('freeze')
    m.create()
    const r = startIn(m, 'while :; do :; done')
    await sleep(300)
    m.freeze()
    if (!m.isFrozen()) fail('isFrozen() false after freeze')
    const a = m.stats().cpu.usage.total ?? 0
    await sleep(500)
    const b = m.stats().cpu.usage.total ?? 0
    m.thaw()
    if (m.isFrozen()) fail('isFrozen() true after thaw')
    await sleep(500)
    const c = m.stats().cpu.usage.total ?? 0
    if (b - a > 5_000_000) fail(`frozen but used ${b - a} ns`)
    if (c - b < 50_000_000) fail(`thawed but used only ${c - b} ns`)
    m.destroy()
    const res = await r.done
    return `frozen delta=${b - a}ns thawed delta=${c - b}ns; destroy → ${res.signal}`
  })

  await check('kill --all: SIGTERM via freeze+signal, SIGKILL via cgroup.kill', async () => {
    const m = open('kill')
    m.create()
    // The shell survives TERM (a handler, not an ignore, so its children keep the default action).
    const r = startIn(m, 'trap "echo term" TERM; sleep 60 & sleep 60 & sleep 60 & while :; do wait; sleep 1; done')
    const comm = (p: number): string => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim()
      } catch {
        return ''
      }
    }
    // Until a forked child has exec'd sleep it still runs the shell's TERM handler.
    await waitFor('3 sleeps', () => m.pids().filter((p) => comm(p) === 'sleep').length === 3)
    const sleeps = m.pids().filter((p) => p !== r.pid)
    m.kill(15, true)
    await waitFor('sleeps gone', () => sleeps.every((p) => !m.pids().includes(p)))
    if (!m.pids().includes(r.pid)) fail('the shell died of TERM')
    const cgroupKill = existsSync(join(dir(m), 'cgroup.kill'))
    m.kill(9, true)
    const res = await r.done
    await waitFor('empty cgroup', () => m.pids().length === 0)
    m.destroy()
    return `TERM killed ${sleeps.length} sleeps, shell alive; KILL → ${res.signal}; cgroup.kill=${cgroupKill}`
  })

  await check('cpu.max throttles a busy loop', async () => {
    const m = open('cpu')
    m.create({ cpu: { quota: 10000, period: 100000, shares: 1024 } })
    const r = startIn(m, 'while :; do :; done')
    await sleep(1500)
    const s = m.stats()
    m.destroy()
    await r.done
    const throttled = s.cpu.throttling.throttledPeriods ?? 0
    if (throttled < 3) fail(`nr_throttled=${throttled}`)
    return `usage=${s.cpu.usage.total}ns periods=${s.cpu.throttling.periods} throttled=${throttled}`
  })

  await check('io.max limits writes to the scratch disk', async () => {
    const disk = process.env.VM_RUN_DISK
    if (disk === undefined || !existsSync(disk)) return 'skipped: no $VM_RUN_DISK'
    const rdev = statSync(disk).rdev
    const major = (rdev >> 8) & 0xfff
    const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00)
    const m = open('io')
    m.create({ blockIO: { throttleWriteBpsDevice: [{ major, minor, rate: 1 << 20 }] } })
    const t0 = Date.now()
    const r = startIn(m, `dd if=/dev/zero of=${disk} bs=64k count=48 oflag=direct 2>&1`)
    const res = await r.done
    const ms = Date.now() - t0
    const s = m.stats()
    m.destroy()
    if (res.code !== 0) fail(`dd: ${res.out}`)
    if (ms < 2000) fail(`3 MiB at 1 MiB/s took only ${ms} ms`)
    return `3 MiB in ${ms} ms; io stats ${JSON.stringify(s.blkio.ioServiceBytesRecursive)}`
  })

  await check('device eBPF: /dev/null readable not writable; update allows writing', async () => {
    const m = open('dev')
    m.create({
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 3, access: 'r' },
      ],
    })
    const probe = 'cat /dev/null && echo read-ok; (echo x >/dev/null) 2>/dev/null && echo write-ok; head -c1 /dev/zero >/dev/null 2>&1 || echo zero-denied'
    const before = await startIn(m, probe).done
    const fd = openSync(dir(m), 'r')
    const progs1 = bpfProgQuery(fd, BPF_CGROUP_DEVICE).length
    m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }] })
    const progs2 = bpfProgQuery(fd, BPF_CGROUP_DEVICE).length
    closeSync(fd)
    const after = await startIn(m, probe).done
    m.destroy()
    const b = before.out.trim().split('\n').join(',')
    const a = after.out.trim().split('\n').join(',')
    if (b !== 'read-ok,zero-denied') fail(`before update: ${b} (${before.err})`)
    if (a !== 'read-ok,write-ok,zero-denied') fail(`after update: ${a} (${after.err})`)
    if (progs1 !== 1 || progs2 !== 1) fail(`attached programs: ${progs1} then ${progs2}`)
    return `before: ${b}; after: ${a}; programs ${progs1} → ${progs2}`
  })

  await check('cpuset cpus and mems (qemu backend)', async () => {
    if (!host.v2Controllers.includes('cpuset')) return 'skipped: no cpuset controller in this guest (use --backend=qemu)'
    const m = open('cpuset')
    m.create({ cpu: { cpus: '0', mems: '0' } })
    const effective = readFileSync(join(dir(m), 'cpuset.cpus.effective'), 'utf8').trim()
    const stats = m.stats().cpuset
    m.destroy()
    if (effective !== '0') fail(`cpuset.cpus.effective ${effective}`)
    return `cpus.effective=${effective} stats.cpus=${JSON.stringify(stats.cpus)}`
  })

  await check('hugetlb limits (qemu backend)', async () => {
    if (!host.v2Controllers.includes('hugetlb')) return 'skipped: no hugetlb controller in this guest (use --backend=qemu)'
    const m = open('hugetlb')
    m.create({ hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }] })
    const max = readFileSync(join(dir(m), 'hugetlb.2MB.max'), 'utf8').trim()
    const rsvd = existsSync(join(dir(m), 'hugetlb.2MB.rsvd.max')) ? readFileSync(join(dir(m), 'hugetlb.2MB.rsvd.max'), 'utf8').trim() : 'absent'
    const stats = m.stats().hugetlb
    m.destroy()
    if (max !== String(4 << 20)) fail(`hugetlb.2MB.max ${max}`)
    return `max=${max} rsvd.max=${rsvd} stats=${JSON.stringify(stats)}`
  })

  await check('stats JSON and destroy leaves nothing', async () => {
    const m = open('stats')
    m.create({ memory: { limit: 64 << 20 }, pids: { limit: 20 } })
    const r = startIn(m, 'exec sleep 30')
    await waitFor('sleep', () => readFileSync(`/proc/${r.pid}/comm`, 'utf8').trim() === 'sleep')
    const json = cgroupStatsJson({ type: 'stats', id: 'x', data: m.stats() })
    const parsed = JSON.parse(json) as { data: { pids: { current: number; limit: number }; memory: { usage: { limit: number } } } }
    m.destroy()
    await r.done
    if (parsed.data.pids.current !== 1 || parsed.data.pids.limit !== 20) fail(json)
    return json.slice(0, 200)
  })

  for (const m of managers) m.destroy()
  // The managers created the parent too, so it is gone once the last child is.
  await check('nothing left behind', async () => {
    if (existsSync(join(host.root, parent))) fail(`${parent} still exists`)
    return 'ok'
  })
}

main()
  .catch((err: unknown) => {
    results.main = { ok: false, detail: err instanceof Error ? (err.stack ?? err.message) : String(err) }
  })
  .finally(() => {
    process.stdout.write(`${JSON.stringify(results)}\n`)
  })
