// exec details: reparenting to the caller's subreaper, user and capabilities, runc's errors for bad input.
import test from 'ava'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCheckerReport } from '../../rootfs-fixtures/checker-report'
import { errorMsg, makeEnv, parseState, requires, rootReason, tsrunBin, waitFor, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => {
  if (!r.ok) return
  env = makeEnv()
  const b = env.bundle('ex', (s) => { s.process!.args = ['sleep', '1000'] })
  const c = env.run(['run', '-d', '--bundle', b, 'ex'])
  if (c.status !== 0) throw new Error(c.stderr)
})
test.after.always(() => { if (r.ok) env.cleanup() })

t0(r.title('exec -d leaves no parent behind: the process is reparented to the caller\'s subreaper'), (t) => {
  const pidFile = join(env.dir, 'sub.pid')
  const out = spawnSync('python3', [join(__dirname, 'subreaper.py'), pidFile, tsrunBin, '--root', env.root, 'exec', '-d', '--pid-file', pidFile, 'ex', 'sleep', '60'], { encoding: 'utf8' })
  t.is(out.status, 0, out.stderr)
  const m = /rc=(\d+) me=(\d+) ppid=(\d+)/.exec(out.stdout)
  t.truthy(m, out.stdout)
  t.is(m![1], '0')
  t.is(m![3], m![2], 'the exec process is a child of the subreaper')
})

t0(r.title('create leaves no monitor: the init is reparented to the caller\'s subreaper'), (t) => {
  const b = env.bundle('sr', (s) => { s.process!.args = ['sleep', '60'] })
  const pidFile = join(env.dir, 'sr.pid')
  const out = spawnSync('python3', [join(__dirname, 'subreaper.py'), pidFile, tsrunBin, '--root', env.root, 'create', '--bundle', b, '--pid-file', pidFile, 'sr'], { encoding: 'utf8' })
  t.is(out.status, 0, out.stderr)
  const m = /rc=(\d+) me=(\d+) ppid=(\d+)/.exec(out.stdout)
  t.is(m?.[3], m?.[2], out.stdout)
  t.true(waitFor(() => parseState(env.run(['state', 'sr']).stdout).status === 'stopped'))
  env.run(['delete', 'sr'])
})

t0(r.title('exec as another user; --cap adds a capability'), (t) => {
  const raw = 1n << 13n
  const root = parseCheckerReport(env.run(['exec', '--cap', 'CAP_NET_RAW', 'ex', '/checker']).stdout)
  t.is(BigInt(`0x${root.caps.bnd}`) & raw, raw, 'CAP_NET_RAW added to the bounding set')
  t.is(BigInt(`0x${root.caps.eff}`) & raw, raw, 'and effective for root')
  t.is(root.caps.inh, '0000000000000000', 'never inheritable (CVE-2022-29162)')
  const out = env.run(['exec', '-u', '1000:1000', '--cap', 'CAP_NET_RAW', 'ex', '/checker'])
  t.is(out.status, 0, out.stderr)
  const rep = parseCheckerReport(out.stdout)
  t.is(rep.uid, 1000)
  t.is(rep.gid, 1000)
  t.is(BigInt(`0x${rep.caps.eff}`), 0n, 'a non-root user keeps no capability it would need inheritable to keep')
})

t0(r.title('bad input: missing or stopped container, malformed process.json, missing console socket'), (t) => {
  const missing = env.run(['exec', 'nosuch', 'true'])
  t.is(missing.status, 255)
  t.is(errorMsg(missing.stderr), 'container does not exist')
  const pf = join(env.dir, 'bad-process.json')
  writeFileSync(pf, '{"args": "not-an-array", "cwd": "/"}')
  const bad = env.run(['exec', '--process', pf, 'ex'])
  t.is(bad.status, 255)
  t.is(errorMsg(bad.stderr), 'process.args: must be an array of strings')
  writeFileSync(pf, '{"args": ["true"], "cwd": "/", "terminal": true}')
  const sock = env.run(['exec', '--process', pf, '--console-socket', join(env.dir, 'nope.sock'), '-d', 'ex'])
  t.is(sock.status, 255)
  t.regex(errorMsg(sock.stderr), /^failed to connect to console socket .*nope\.sock: connect .*nope\.sock: ENOENT$/)
  const b = env.bundle('stopped', (s) => { s.process!.args = ['true'] })
  t.is(env.run(['run', '-d', '--bundle', b, 'stopped']).status, 0)
  t.true(waitFor(() => parseState(env.run(['state', 'stopped']).stdout).status === 'stopped'))
  const st = env.run(['exec', 'stopped', 'true'])
  t.is(st.status, 255)
  t.is(errorMsg(st.stderr), 'cannot exec in a stopped container')
})
