// Bad input: one clear line, exit 1, and nothing left behind (state dir, cgroup, mount, process).
import test from 'ava'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cgroupLeftovers, errorMsg, processesIn, makeEnv, mountsMentioning, requires, rootReason, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

function assertNothingLeft(t: import('ava').ExecutionContext, id: string, bundle?: string): void {
  t.false(existsSync(join(env.root, id)), 'no state dir')
  t.deepEqual(cgroupLeftovers(`${env.cgroupParent}/${id}`), [], 'no cgroup')
  if (bundle) t.deepEqual(mountsMentioning(bundle), [], 'no mount')
  t.deepEqual(processesIn(env.cgroupParent), [], 'no process left in the cgroup parent')
}

function fails(t: import('ava').ExecutionContext, args: string[], msg: string | RegExp): void {
  const out = env.run(args)
  t.is(out.status, 1, `exit status of ${args.join(' ')}`)
  t.is(out.stderr.trim().split('\n').length, 1, `one line: ${out.stderr}`)
  if (typeof msg === 'string') t.is(errorMsg(out.stderr), msg)
  else t.regex(errorMsg(out.stderr), msg)
}

t0(r.title('missing bundle'), (t) => {
  fails(t, ['create', '--bundle', join(env.dir, 'nope'), 'nob'], `tsrun create failed: JSON specification file ${join(env.dir, 'nope', 'config.json')} not found`)
  assertNothingLeft(t, 'nob')
})

t0(r.title('malformed config.json'), (t) => {
  const b = join(env.dir, 'malformed')
  mkdirSync(b)
  writeFileSync(join(b, 'config.json'), '{"ociVersion": "1.0.2", ')
  fails(t, ['create', '--bundle', b, 'malf'], /^tsrun create failed: config\.json: invalid JSON: /)
  assertNothingLeft(t, 'malf', b)
})

t0(r.title('unknown namespace names the JSON path'), (t) => {
  const b = env.bundle('badns', (s) => { s.linux!.namespaces![2] = { type: 'pidd' as never } })
  fails(t, ['create', '--bundle', b, 'badns'], 'tsrun create failed: linux.namespaces[2].type: unknown namespace "pidd"')
  assertNothingLeft(t, 'badns', b)
})

t0(r.title('missing executable: runc wording, for PATH lookups and absolute paths'), (t) => {
  const b = env.bundle('noexe', (s) => { s.process!.args = ['nonexistent-cmd'] })
  fails(t, ['create', '--bundle', b, 'noexe'], 'tsrun create failed: unable to start container process: exec: "nonexistent-cmd": executable file not found in $PATH')
  assertNothingLeft(t, 'noexe', b)
  const b2 = env.bundle('noexe2', (s) => { s.process!.args = ['/x/y'] })
  fails(t, ['run', '--bundle', b2, 'noexe2'], 'tsrun run failed: unable to start container process: exec: "/x/y": stat /x/y: no such file or directory')
  assertNothingLeft(t, 'noexe2', b2)
})

t0(r.title('duplicate id'), (t) => {
  const b = env.bundle('dup', (s) => { s.process!.args = ['sleep', '100'] })
  t.is(env.run(['create', '--bundle', b, 'dup']).status, 0)
  fails(t, ['create', '--bundle', b, 'dup'], 'tsrun create failed: container with given ID already exists')
  t.true(existsSync(join(env.root, 'dup')), 'the first container is untouched')
  t.is(env.run(['delete', 'dup']).status, 0)
  assertNothingLeft(t, 'dup', b)
})

t0(r.title('invalid id'), (t) => {
  const b = env.bundle('ok', (s) => { s.process!.args = ['true'] })
  fails(t, ['create', '--bundle', b, '../evil'], 'tsrun create failed: invalid container ID format: "../evil"')
  t.deepEqual(existsSync(env.root) ? readdirSync(env.root) : [], [])
})

t0(r.title('a failing mount op is reported by the mount it implements and errno'), (t) => {
  const b = env.bundle('badmnt', (s) => { s.mounts!.push({ destination: '/mnt', type: 'nosuchfs', source: 'none' }) })
  fails(t, ['create', '--bundle', b, 'badmnt'], /^tsrun create failed: unable to start container process: mounts\[7\] \(nosuchfs none on \/mnt\): ENODEV: no such device$/)
  assertNothingLeft(t, 'badmnt', b)
})

t0(r.title('--log FILE --log-format json: one logrus JSON line in the file, the plain message on stderr'), (t) => {
  const log = join(env.dir, 'log.json')
  const out = env.run(['--log', log, '--log-format=json', 'state', 'nosuch'])
  t.is(out.status, 1)
  t.is(out.stderr, 'container does not exist\n')
  const lines = readFileSync(log, 'utf8').trim().split('\n')
  t.is(lines.length, 1)
  const entry = JSON.parse(lines[0]!) as { level: string; msg: string; time: string }
  t.is(entry.level, 'error')
  t.is(entry.msg, 'container does not exist')
  t.false(Number.isNaN(Date.parse(entry.time)))
})

t0(r.title('--systemd-cgroup without systemd is refused clearly'), (t) => {
  const b = env.bundle('sdcg', (s) => { s.process!.args = ['true'] })
  fails(t, ['--systemd-cgroup', 'create', '--bundle', b, 'sdcg'], /systemd/)
  assertNothingLeft(t, 'sdcg', b)
})
