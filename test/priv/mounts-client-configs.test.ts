// Every bundle config a real client produced (../shared/client-configs) runs a container with its mounts.
// Only what exists on the client's machine is replaced: bind sources by stand-ins, netns paths by a test netns
// or the sandbox's namespaces, hooks (client binaries) dropped, args → /checker, cgroupsPath → this env.
import test from 'ava'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Spec } from '../../src/spec'
import { errorMsg, fixtureRootfs, makeEnv, parseState, requires, rootReason, type Env } from './harness'
import { parseCheckerReport, type CheckerMount, type CheckerReport } from '../../rootfs-fixtures/checker-report'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
const dir = process.env.TSRUN_CLIENT_CONFIGS ?? join(__dirname, '..', '..', '..', 'shared', 'client-configs')
const configs = existsSync(dir) ? readdirSync(dir).filter((f) => /(create-config.*|cri-.*-config)\.json$/.test(f)).sort() : []
const netns = `tsrun-test-${process.pid}`
let env: Env
test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  spawnSync('ip', ['netns', 'add', netns])
})
test.after.always(() => {
  if (!r.ok) return
  env.cleanup()
  spawnSync('ip', ['netns', 'del', netns])
})

const hostHardNofile = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim()) || 1024

/** The client's config with client-only paths replaced. `joinPid`: the sandbox whose namespaces a CRI container joins. */
function adapt(file: string, id: string, joinPid?: number): Spec {
  const s = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Spec
  s.root = { ...s.root!, path: fixtureRootfs() }
  s.process!.args = ['/checker']
  s.linux!.cgroupsPath = `${env.cgroupParent}/${id}`
  delete s.hooks
  const standins = join(env.dir, 'standins', id)
  mkdirSync(standins, { recursive: true })
  for (const m of s.mounts ?? []) {
    if (m.type !== 'bind' || !m.source || existsSync(m.source)) continue
    const stand = join(standins, basename(m.source))
    if (basename(m.source) === 'shm') mkdirSync(stand, { recursive: true })
    else writeFileSync(stand, `stand-in for ${m.source}\n`)
    m.source = stand
  }
  for (const n of s.linux!.namespaces ?? []) {
    if (!n.path) continue
    if (joinPid) n.path = `/proc/${joinPid}/ns/${n.type === 'network' ? 'net' : n.type}`
    else if (n.type === 'network') n.path = `/run/netns/${netns}`
  }
  for (const rl of s.process!.rlimits ?? []) { rl.hard = Math.min(rl.hard, hostHardNofile); rl.soft = Math.min(rl.soft, rl.hard) }
  return s
}

function bundleFor(id: string, s: Spec): string {
  return env.bundle(id, (base) => {
    for (const k of Object.keys(base)) delete (base as unknown as Record<string, unknown>)[k]
    Object.assign(base, s)
  })
}

const at = (rep: CheckerReport, p: string): CheckerMount | undefined => (rep.mounts ?? []).filter((m) => m.mountpoint === p).pop()
const opts = (m: CheckerMount): string[] => m.options.split(',')

/** Each mount of the config is in the container where it asked, with the per-mount flags it asked for. */
function checkMounts(t: import('ava').ExecutionContext, s: Spec, rep: CheckerReport): void {
  for (const m of s.mounts ?? []) {
    if (s.mounts!.filter((x) => x.destination === m.destination).pop() !== m) continue // covered by a later mount
    const got = at(rep, m.destination)
    if (!got) { t.fail(`${m.destination} is not mounted`); continue }
    const want = m.options ?? []
    if (m.type === 'bind') t.not(got.fstype, 'tmpfs', `${m.destination} is the bind, not a tmpfs`)
    else if (m.type === 'cgroup') t.true(['cgroup2', 'tmpfs'].includes(got.fstype), `${m.destination}: ${got.fstype}`)
    else t.is(got.fstype, m.type ?? 'none', m.destination)
    for (const o of ['nosuid', 'nodev', 'noexec', 'ro'] as const) if (want.includes(o)) t.true(opts(got).includes(o), `${m.destination} ${o}: ${got.options}`)
    if (want.includes('rw') && !s.root?.readonly) t.true(opts(got).includes('rw'), `${m.destination} rw: ${got.options}`)
  }
  for (const p of s.linux?.readonlyPaths ?? []) {
    const got = at(rep, p)
    if (got) t.true(opts(got).includes('ro'), `readonly ${p}: ${got.options}`)
  }
  const masked = (s.linux?.maskedPaths ?? []).filter((p) => at(rep, p))
  t.true(masked.length > 0 || (s.linux?.maskedPaths ?? []).length === 0, 'some masked paths are mounted over')
  if (s.root?.readonly) t.true(opts(at(rep, '/')!).includes('ro'), 'root is read-only')
}

for (const file of configs.filter((f) => !f.startsWith('cri-container') && !f.includes('tty'))) {
  t0(r.title(`${file} runs with its mounts, masked and read-only paths`), (t) => {
    const id = file.replace(/\.json$/, '').replace(/[^\w]/g, '-')
    const s = adapt(file, id)
    t.true((s.mounts ?? []).length > 0)
    const out = env.run(['run', '--bundle', bundleFor(id, s), id])
    t.is(out.status, 0, errorMsg(out.stderr))
    if (out.status !== 0) return
    const rep = parseCheckerReport(out.stdout)
    checkMounts(t, s, rep)
    if (s.linux?.sysctl) {
      // the same config again, printing its sysctls as the container sees them
      const keys = Object.keys(s.linux.sysctl)
      s.process!.args = ['sh', '-c', keys.map((k) => `cat /proc/sys/${k.replace(/\./g, '/')}`).join('; ')]
      const again = env.run(['run', '--bundle', bundleFor(`${id}-sysctl`, s), `${id}-sysctl`])
      t.is(again.status, 0, errorMsg(again.stderr))
      t.deepEqual(again.stdout.trim().split('\n').map((l) => l.replace(/\s+/g, ' ')), keys.map((k) => s.linux!.sysctl![k]))
    }
    if (s.process?.user.umask !== undefined) t.is(rep.umask, s.process.user.umask)
  })
}

t0(r.title('cri-container-config.json joins a running cri-sandbox-config.json pod and runs with its mounts'), (t) => {
  const sandbox = adapt('cri-sandbox-config.json', 'pod')
  sandbox.process!.args = ['sleep', '1000']
  t.is(env.run(['run', '-d', '--bundle', bundleFor('pod', sandbox), 'pod']).status, 0)
  const pid = parseState(env.run(['state', 'pod']).stdout).pid
  const s = adapt('cri-container-config.json', 'ctr', pid)
  const out = env.run(['run', '--bundle', bundleFor('ctr', s), 'ctr'])
  t.is(out.status, 0, errorMsg(out.stderr))
  if (out.status === 0) {
    const rep = parseCheckerReport(out.stdout)
    checkMounts(t, s, rep)
    t.is(rep.namespaces.pid, Number(spawnSync('stat', ['-Lc', '%i', `/proc/${pid}/ns/pid`], { encoding: 'utf8' }).stdout.trim()))
  }
  env.run(['delete', '--force', 'pod'])
})

for (const file of configs.filter((f) => f.includes('tty'))) {
  t0(r.title(`${file} runs with a terminal over a console socket and its mounts`), async (t) => {
    const id = 'tty'
    const s = adapt(file, id)
    const sock = join(env.dir, 'console.sock')
    const recv = spawn('python3', [join(__dirname, 'console-receiver.py'), sock], { stdio: ['ignore', 'pipe', 'ignore'] })
    let text = ''
    recv.stdout.on('data', (d: Buffer) => { text += d.toString() })
    const finished = new Promise((res) => recv.on('exit', res))
    for (let i = 0; i < 50 && !text.includes('listening'); i++) await new Promise((res) => setTimeout(res, 100))
    t.true(text.includes('listening'))
    const c = env.run(['create', '--bundle', bundleFor(id, s), '--console-socket', sock, id])
    t.is(c.status, 0, errorMsg(c.stderr))
    t.is(env.run(['start', id]).status, 0)
    await finished
    const raw = text.split('output ')[1] ?? ''
    // the receiver prints a Python repr of the pty output: the JSON object, then \r\n
    const json = raw.slice(1, raw.lastIndexOf('}') + 1).replace(/\\\\/g, '\\').replace(/\\'/g, "'")
    const rep = parseCheckerReport(json)
    checkMounts(t, s, rep)
    t.truthy(at(rep, '/dev/console'), '/dev/console is the pty')
    env.run(['delete', '--force', id])
  })
}
