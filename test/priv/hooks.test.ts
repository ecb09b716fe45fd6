// Hooks: each phase runs once, in order, with the state on stdin; failures follow spec 1.3.
import test from 'ava'
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Hook } from '../../src/spec'
import { cgroupLeftovers, errorMsg, fixtureRootfs, makeEnv, requires, rootReason, type Env } from './harness'

const r = requires(rootReason)
const t0 = r.ok ? test.serial : test.serial.skip
let env: Env
test.before(() => { if (r.ok) env = makeEnv() })
test.after.always(() => { if (r.ok) env.cleanup() })

const record = (file: string, extra = ''): Hook => ({ path: '/bin/sh', args: ['sh', '-c', `cat > ${file}; echo "$HOOKVAR" >> ${file}.env${extra}`], env: ['HOOKVAR=set'] })

t0(r.title('every phase runs with the state JSON on stdin and its env; poststop after delete'), (t) => {
  const f = (p: string) => join(env.dir, `${p}.json`)
  const phases = ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'] as const
  // startContainer runs inside the container: its path and its output file are the container's
  const inside = `/tmp/hook-start-${process.pid}.json`
  const b = env.bundle('hooks', (s) => {
    s.process!.args = ['sleep', '100']
    s.hooks = Object.fromEntries(phases.map((p) => [p, [record(f(p))]]))
    s.hooks.startContainer = [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${inside}; readlink /proc/self/ns/mnt >> ${inside}.ns`] }]
  })
  t.is(env.run(['create', '--bundle', b, 'hooks']).status, 0)
  for (const p of ['prestart', 'createRuntime', 'createContainer']) {
    const st = JSON.parse(readFileSync(f(p), 'utf8')) as { status: string; id: string; pid: number; bundle: string }
    t.is(st.status, 'creating', p)
    t.is(st.id, 'hooks')
    t.true(st.pid > 0)
    t.is(st.bundle, b)
    t.is(readFileSync(`${f(p)}.env`, 'utf8'), 'set\n')
  }
  t.false(existsSync(f('poststart')))
  t.is(env.run(['start', 'hooks']).status, 0)
  const inRootfs = join(fixtureRootfs(), inside)
  t.is((JSON.parse(readFileSync(inRootfs, 'utf8')) as { status: string }).status, 'created')
  const pid = JSON.parse(env.run(['state', 'hooks']).stdout).pid as number
  t.is(readFileSync(`${inRootfs}.ns`, 'utf8').trim(), readlinkSync(`/proc/${pid}/ns/mnt`), 'startContainer ran in the container mount namespace')
  rmSync(inRootfs); rmSync(`${inRootfs}.ns`)
  t.is((JSON.parse(readFileSync(f('poststart'), 'utf8')) as { status: string }).status, 'running')
  t.false(existsSync(f('poststop')))
  t.is(env.run(['delete', '--force', 'hooks']).status, 0)
  t.is((JSON.parse(readFileSync(f('poststop'), 'utf8')) as { status: string }).status, 'stopped')
})

t0(r.title('a failing createRuntime hook fails create and leaves nothing'), (t) => {
  const b = env.bundle('badhook', (s) => { s.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo nope >&2; exit 3'] }] } })
  const c = env.run(['create', '--bundle', b, 'badhook'])
  t.is(c.status, 1)
  t.is(errorMsg(c.stderr), 'tsrun create failed: error running createRuntime hook #0: /bin/sh: exit status 3, stdout: , stderr: nope')
  t.false(existsSync(join(env.root, 'badhook')))
  t.deepEqual(cgroupLeftovers(`${env.cgroupParent}/badhook`), [])
})

t0(r.title('a hook that times out is killed and fails create'), (t) => {
  const b = env.bundle('slowhook', (s) => { s.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] } })
  const c = env.run(['create', '--bundle', b, 'slowhook'])
  t.is(c.status, 1)
  t.regex(errorMsg(c.stderr), /error running prestart hook #0: \/bin\/sleep: timeout after 1s/)
})

t0(r.title('a failing poststart hook is an error and stops the container (spec 1.3)'), (t) => {
  const b = env.bundle('pshook', (s) => { s.process!.args = ['sleep', '100']; s.hooks = { poststart: [{ path: '/bin/false' }] } })
  t.is(env.run(['create', '--bundle', b, 'pshook']).status, 0)
  const st = env.run(['start', 'pshook'])
  t.is(st.status, 1)
  t.regex(errorMsg(st.stderr), /error running poststart hook #0: \/bin\/false: exit status 1/)
  t.regex(env.run(['state', 'pshook']).stdout, /"status": "stopped"/)
})
