// exec into a running container, and the cgroup verbs: pause/resume, ps, update, events.
import test from 'ava'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCheckerReport } from '../../rootfs-fixtures/checker-report'
import { errorMsg, makeEnv, parseState, requires, rootReason, waitFor, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
let pid = 0
test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  const b = env.bundle('box', (s) => { s.process!.args = ['sleep', '1000']; s.hostname = 'boxhost' })
  const c = env.run(['run', '-d', '--bundle', b, 'box'])
  if (c.status !== 0) throw new Error(c.stderr)
  pid = parseState(env.run(['state', 'box']).stdout).pid
})
test.after.always(() => { if (r.ok) env.cleanup() })

t0(r.title('exec runs in the container: same namespaces and cgroup as the init, exit status returned'), (t) => {
  const out = env.run(['exec', 'box', '/checker'])
  t.is(out.status, 0, out.stderr)
  const rep = parseCheckerReport(out.stdout)
  for (const ns of ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup'] as const)
    t.is(rep.namespaces[ns], statSync(`/proc/${pid}/ns/${ns}`).ino, `${ns} namespace is the init's`)
  t.is(rep.hostname, 'boxhost')
  t.true((rep.cgroup ?? []).length > 0)
  for (const line of rep.cgroup ?? []) t.regex(line, /:\/$/, 'inside its cgroup namespace the process sees its cgroup as /')
  const d = env.run(['exec', '-d', '--pid-file', join(env.dir, 'cg.pid'), 'box', 'sleep', '30'])
  t.is(d.status, 0, d.stderr)
  const epid = Number(readFileSync(join(env.dir, 'cg.pid'), 'utf8'))
  t.is(readFileSync(`/proc/${epid}/cgroup`, 'utf8'), readFileSync(`/proc/${pid}/cgroup`, 'utf8'), 'exec joins the init cgroups')
  process.kill(epid, 'SIGKILL')
  t.deepEqual(rep.fds?.map((f) => f.fd).sort(), [0, 1, 2])
  t.is(env.run(['exec', 'box', 'sh', '-c', 'exit 5']).status, 5)
})

t0(r.title('exec flags: --cwd, -e, -u, --process file, -d with --pid-file'), (t) => {
  const out = env.run(['exec', '--cwd', '/tmp', '-e', 'X=1', '-u', '65534:65534', 'box', 'sh', '-c', 'echo $(pwd) $X $(id -u):$(id -g)'])
  t.is(out.stdout, '/tmp 1 65534:65534\n', out.stderr)
  const pf = join(env.dir, 'proc.json')
  writeFileSync(pf, JSON.stringify({ args: ['sh', '-c', 'echo from-file $Y'], env: ['Y=2', 'PATH=/bin'], cwd: '/' }))
  const f = env.run(['exec', '--process', pf, 'box'])
  t.is(f.stdout, 'from-file 2\n', f.stderr)
  const pidFile = join(env.dir, 'exec.pid')
  const d = env.run(['exec', '-d', '--pid-file', pidFile, 'box', 'sleep', '50'])
  t.is(d.status, 0, d.stderr)
  const epid = Number(readFileSync(pidFile, 'utf8'))
  t.regex(readFileSync(`/proc/${epid}/cmdline`, 'utf8'), /^sleep\x0050/)
  const ps = JSON.parse(env.run(['ps', '--format', 'json', 'box']).stdout) as number[]
  t.true(ps.includes(pid) && ps.includes(epid), `ps lists the init and the exec'd process: ${ps}`)
  process.kill(epid, 'SIGKILL')
})

t0(r.title('exec of a missing command fails with runc wording'), (t) => {
  const out = env.run(['exec', 'box', 'nosuchcmd'])
  t.is(out.status, 255, 'runc exits 255 when exec fails')
  t.regex(errorMsg(out.stderr), /exec: "nosuchcmd": executable file not found in \$PATH/)
})

t0(r.title('pause and resume freeze the container; exec refuses a paused container'), (t) => {
  t.is(env.run(['pause', 'box']).status, 0)
  t.is(parseState(env.run(['state', 'box']).stdout).status, 'paused')
  t.regex(readFileSync(`/proc/${pid}/status`, 'utf8'), /State:\s+D/)
  const ex = env.run(['exec', 'box', 'true'])
  t.is(ex.status, 255)
  t.regex(errorMsg(ex.stderr), /paused/)
  t.is(errorMsg(env.run(['pause', 'box']).stderr), 'container not running', 'runc\'s wording for a paused container')
  t.is(env.run(['resume', 'box']).status, 0)
  t.is(parseState(env.run(['state', 'box']).stdout).status, 'running')
  t.is(errorMsg(env.run(['resume', 'box']).stderr), 'container not paused')
})

t0(r.title('update writes limits (memory, pids) and events --stats reports them'), (t) => {
  const u = env.run(['update', '--resources', '-', 'box'], { input: JSON.stringify({ memory: { limit: 67108864 }, pids: { limit: 50 } }) })
  t.is(u.status, 0, u.stderr)
  const cg = env.cgroupParent + '/box'
  t.is(readFileSync(`/sys/fs/cgroup/memory${cg}/memory.limit_in_bytes`, 'utf8').trim(), '67108864')
  t.is(readFileSync(`/sys/fs/cgroup/pids${cg}/pids.max`, 'utf8').trim(), '50')
  t.is(env.run(['update', '--pids-limit', '60', 'box']).status, 0)
  t.is(readFileSync(`/sys/fs/cgroup/pids${cg}/pids.max`, 'utf8').trim(), '60')
  const ev = JSON.parse(env.run(['events', '--stats', 'box']).stdout) as { type: string; id: string; data: { pids: { current: number; limit: number }; memory: unknown } }
  t.is(ev.type, 'stats')
  t.is(ev.id, 'box')
  t.true(ev.data.pids.current >= 1)
  t.is(ev.data.pids.limit, 60)
  const bad = env.run(['update', '--resources', '-', 'box'], { input: '{"memory":{"limit":"lots"}}' })
  t.is(bad.status, 1)
  t.regex(errorMsg(bad.stderr), /memory\.limit/)
})

t0(r.title('kill --all signals every process; the container stops'), (t) => {
  env.run(['exec', '-d', 'box', 'sleep', '77'])
  t.is(env.run(['kill', '--all', 'box', 'KILL']).status, 0)
  t.true(waitFor(() => parseState(env.run(['state', 'box']).stdout).status === 'stopped'))
  t.is(env.run(['delete', 'box']).status, 0)
})
