// Real containers: lifecycle, run exit codes, errors of the lifecycle verbs.
import test from 'ava'
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { errorMsg, tsrunBin, makeEnv, parseState, requires, rootReason, waitFor, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

t0(r.title('create → created → start → running → kill → stopped → delete'), (t) => {
  const b = env.bundle('life', (s) => { s.process!.args = ['sleep', '100'] })
  const c = env.run(['create', '--bundle', b, '--pid-file', `${env.dir}/life.pid`, 'life'])
  t.is(c.status, 0, c.stderr)
  let st = parseState(env.run(['state', 'life']).stdout)
  t.is(st.status, 'created')
  t.true(st.pid > 0)
  t.is(readFileSync(`${env.dir}/life.pid`, 'utf8'), String(st.pid), 'pid file: the pid, no newline')
  t.is(env.run(['start', 'life']).status, 0)
  st = parseState(env.run(['state', 'life']).stdout)
  t.is(st.status, 'running')
  t.regex(readFileSync(`/proc/${st.pid}/cmdline`, 'utf8'), /^sleep\x00100/)
  const again = env.run(['start', 'life'])
  t.is(again.status, 1)
  t.is(errorMsg(again.stderr), 'cannot start an already running container')
  const del = env.run(['delete', 'life'])
  t.is(del.status, 1)
  t.is(errorMsg(del.stderr), 'cannot delete container life that is not stopped: running')
  t.is(env.run(['kill', 'life', 'KILL']).status, 0)
  t.true(waitFor(() => parseState(env.run(['state', 'life']).stdout).status === 'stopped'))
  t.is(parseState(env.run(['state', 'life']).stdout).pid, 0)
  const k = env.run(['kill', 'life', '15'])
  t.is(k.status, 1)
  t.is(errorMsg(k.stderr), 'container not running')
  t.is(env.run(['kill', '--all', 'life', '9']).status, 0, 'kill --all on a stopped container succeeds (the shim relies on it)')
  t.is(env.run(['delete', 'life']).status, 0)
  const gone = env.run(['state', 'life'])
  t.is(gone.status, 1)
  t.is(errorMsg(gone.stderr), 'container does not exist')
  t.is(env.run(['delete', '--force', 'life']).status, 0, 'delete --force of a missing container exits 0')
})

t0(r.title('state prints runc-shaped JSON without a trailing newline'), (t) => {
  const b = env.bundle('shape', (s) => { s.process!.args = ['sleep', '100']; s.annotations = { a: 'b' } })
  t.is(env.run(['create', '--bundle', b, 'shape']).status, 0)
  const out = env.run(['state', 'shape']).stdout
  t.false(out.endsWith('\n'))
  const st = JSON.parse(out) as Record<string, unknown>
  t.deepEqual(Object.keys(st), ['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'annotations', 'owner'])
  t.is(st.bundle, b)
  t.regex(String(st.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/)
  const list = JSON.parse(env.run(['list', '--format', 'json']).stdout) as { id: string }[]
  t.true(list.some((c) => c.id === 'shape'))
  t.is(env.run(['delete', 'shape']).status, 0, 'delete of a created container kills and removes it (runc behaviour)')
})

t0(r.title('run returns the exit status, and 128+signal when signalled'), (t) => {
  const b3 = env.bundle('exit3', (s) => { s.process!.args = ['sh', '-c', 'echo out; echo err >&2; exit 3'] })
  const r3 = env.run(['run', '--bundle', b3, 'exit3'])
  t.is(r3.status, 3, r3.stderr)
  t.is(r3.stdout, 'out\n')
  t.is(r3.stderr, 'err\n')
})

t0(r.title('run reports 128+signal when the process is killed'), async (t) => {
  const b9 = env.bundle('sig9', (s) => { s.process!.args = ['sleep', '100'] })
  const child = spawn(tsrunBin, ['--root', env.root, 'run', '--bundle', b9, 'sig9'], { stdio: 'ignore' })
  const code = new Promise<number | null>((res) => child.on('exit', (c) => res(c)))
  t.true(waitFor(() => env.run(['state', 'sig9']).stdout.includes('"running"')))
  t.is(env.run(['kill', 'sig9', 'KILL']).status, 0)
  t.is(await code, 137)
  t.is(env.run(['state', 'sig9']).status, 1, 'run removes the container afterwards')
})

t0(r.title('run -d detaches and leaves a running container'), (t) => {
  const b = env.bundle('det', (s) => { s.process!.args = ['sleep', '100'] })
  const d = env.run(['run', '-d', '--bundle', b, 'det'])
  t.is(d.status, 0, d.stderr)
  t.is(parseState(env.run(['state', 'det']).stdout).status, 'running')
  t.is(env.run(['delete', '--force', 'det']).status, 0)
  t.is(env.run(['state', 'det']).status, 1)
})

t0(r.title('stdin reaches the container process'), (t) => {
  const b = env.bundle('stdin', (s) => { s.process!.args = ['cat'] })
  const out = env.run(['run', '--bundle', b, 'stdin'], { input: 'hello through stdin\n' })
  t.is(out.status, 0, out.stderr)
  t.is(out.stdout, 'hello through stdin\n')
})

t0(r.title('kill TERM of a created container stops it (its init dies on catchable signals, as runc\'s does)'), (t) => {
  const b = env.bundle('termcreated', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['create', '--bundle', b, 'termcreated']).status, 0)
  t.is(env.run(['kill', 'termcreated', 'TERM']).status, 0)
  t.true(waitFor(() => parseState(env.run(['state', 'termcreated']).stdout).status === 'stopped'))
  t.is(env.run(['delete', 'termcreated']).status, 0)
})

t0(r.title('delete --force of a paused container is immediate'), (t) => {
  const b = env.bundle('pausedel', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['run', '-d', '--bundle', b, 'pausedel']).status, 0)
  t.is(env.run(['pause', 'pausedel']).status, 0)
  const start = Date.now()
  t.is(env.run(['delete', '--force', 'pausedel']).status, 0)
  t.true(Date.now() - start < 3000, `took ${Date.now() - start} ms`)
  t.is(env.run(['state', 'pausedel']).status, 1)
})
