// config.md "POSIX-platform Hooks" and runtime.md lifecycle steps 3-13: which hooks run in which
// operation and order, in which namespace, with the state on stdin, with their args and env, and
// what a failing or hanging hook does.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, Suite, waitFor, writeScript, type Spec } from './lib'

const s = new Suite('hooks')

type HookName = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop'
interface Hook { path: string; args?: string[]; env?: string[]; timeout?: number }

/** A scratch dir plus a host-only hook script that records its name, stdin, mount namespace and env there. */
function recorder(name: string): { dir: string; script: string; hook: (h: HookName, exit?: number) => Hook } {
  const dir = s.scratch(name)
  const script = writeScript(join(dir, 'hook.sh'), [
    'name=$1; dir=$2',
    'echo "$name" >> "$dir/order"',
    'cat > "$dir/$name.json"',
    'readlink /proc/self/ns/mnt > "$dir/$name.mnt"',
    'env > "$dir/$name.env"',
    'exit "${3:-0}"',
  ].join('\n'))
  return { dir, script, hook: (h, exit = 0) => ({ path: script, args: ['hook.sh', h, dir, String(exit)] }) }
}

/** startContainer runs inside the container: a shell of the rootfs writing to the /home bind. */
const startContainerHook = (exit = 0): Hook => ({
  path: '/bin/sh',
  args: ['sh', '-c', `echo startContainer >> /home/order; cat > /home/startContainer.json; readlink /proc/self/ns/mnt > /home/startContainer.mnt; exit ${exit}`],
})

function withHooks(dir: string, hooks: Partial<Record<HookName, Hook[]>>): (sp: Spec) => void {
  return (sp) => {
    sp.mounts!.push({ destination: '/home', type: 'bind', source: dir, options: ['rbind', 'rw'] })
    sp.hooks = hooks as Spec['hooks']
  }
}

const order = (dir: string) => (existsSync(join(dir, 'order')) ? readFileSync(join(dir, 'order'), 'utf8').trim().split('\n') : [])
const stdinOf = (dir: string, h: HookName) => JSON.parse(readFileSync(join(dir, `${h}.json`), 'utf8')) as { id: string; pid?: number; status: string; bundle: string; ociVersion: string }
const mntOf = (dir: string, h: HookName) => readFileSync(join(dir, `${h}.mnt`), 'utf8').trim()
const hostMnt = () => `mnt:[${statSync('/proc/self/ns/mnt').ino}]`

const allHooks = (rec: ReturnType<typeof recorder>, fail?: HookName) => ({
  prestart: [rec.hook('prestart', fail === 'prestart' ? 1 : 0)],
  createRuntime: [rec.hook('createRuntime', fail === 'createRuntime' ? 1 : 0)],
  createContainer: [rec.hook('createContainer', fail === 'createContainer' ? 1 : 0)],
  startContainer: [startContainerHook(fail === 'startContainer' ? 1 : 0)],
  poststart: [rec.hook('poststart', fail === 'poststart' ? 1 : 0)],
  poststop: [rec.hook('poststop', fail === 'poststop' ? 1 : 0)],
})

s.test('create runs prestart, createRuntime, createContainer in that order; not startContainer', (t) => {
  const rec = recorder('create-order')
  const id = s.id('create-order')
  s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec)))
  t.deepEqual(order(rec.dir).slice(0, 3), ['prestart', 'createRuntime', 'createContainer'])
  t.false(order(rec.dir).includes('startContainer'))
  s.remove(id)
})

s.test('start runs startContainer after the create hooks and before the process', (t) => {
  const rec = recorder('start-order')
  const id = s.id('start-order')
  const proc = ['sh', '-c', 'test -e /home/startContainer.json && echo saw-hook > /home/process; exec sleep 1000']
  s.create(t, id, proc, withHooks(rec.dir, allHooks(rec)))
  const r = s.rt(['start', id])
  t.is(r.status, 0, describe('start', r))
  t.true(waitFor(() => existsSync(join(rec.dir, 'process'))), 'the process did not see the startContainer hook\'s file')
  t.deepEqual(order(rec.dir).filter((h) => h !== 'poststart'), ['prestart', 'createRuntime', 'createContainer', 'startContainer'])
  s.remove(id)
})

s.runcDeviation('poststart runs in start, after startContainer, not in create', 'poststart runs at the end of create', (t) => {
  const rec = recorder('poststart-when')
  const id = s.id('poststart-when')
  s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec)))
  t.deepEqual(order(rec.dir), ['prestart', 'createRuntime', 'createContainer'])
  t.is(s.rt(['start', id]).status, 0)
  t.true(waitFor(() => order(rec.dir).length >= 5))
  t.deepEqual(order(rec.dir), ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'])
  t.is(stdinOf(rec.dir, 'poststart').status, 'running')
  s.remove(id)
})

s.test('delete runs poststop (once), after the container is stopped', (t) => {
  const rec = recorder('poststop')
  const id = s.id('poststop')
  s.create(t, id, ['true'], withHooks(rec.dir, allHooks(rec)))
  t.is(s.rt(['start', id]).status, 0)
  t.true(s.waitStatus(id, 'stopped'))
  t.false(order(rec.dir).includes('poststop'), 'poststop ran before delete')
  t.is(s.rt(['delete', id]).status, 0)
  t.deepEqual(order(rec.dir).filter((h) => h === 'poststop'), ['poststop'])
  t.is(stdinOf(rec.dir, 'poststop').status, 'stopped')
})

s.test('run runs every hook once, create hooks first and poststop last', (t) => {
  const rec = recorder('run-order')
  const r = s.run(s.id('run-order'), ['true'], withHooks(rec.dir, allHooks(rec)))
  t.is(r.status, 0, describe('run', r))
  const got = order(rec.dir)
  t.deepEqual([...got].sort(), ['createContainer', 'createRuntime', 'poststart', 'poststop', 'prestart', 'startContainer'])
  t.deepEqual(got.slice(0, 3), ['prestart', 'createRuntime', 'createContainer'])
  t.is(got[5], 'poststop')
})

s.test('hooks get the container state on stdin: id, bundle, pid of the container process, status', (t) => {
  const rec = recorder('stdin')
  const id = s.id('stdin')
  const b = s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec)))
  t.is(s.rt(['start', id]).status, 0)
  t.true(waitFor(() => existsSync(join(rec.dir, 'poststart.json'))))
  const pid = s.state(id)!.pid
  for (const h of ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'] as const) {
    const st = stdinOf(rec.dir, h)
    t.is(st.id, id, h)
    t.is(st.bundle, b, h)
    t.truthy(st.ociVersion, h)
    // The hooks of the runtime namespace see the host pid; the others may see the container's own view.
    if (h === 'createContainer' || h === 'startContainer') t.true((st.pid ?? 0) > 0, `${h}: pid ${st.pid}`)
    else t.is(st.pid, pid, `${h}: pid`)
  }
  for (const h of ['prestart', 'createRuntime', 'createContainer', 'startContainer'] as const) t.true(['creating', 'created'].includes(stdinOf(rec.dir, h).status), `${h}: ${stdinOf(rec.dir, h).status}`)
  s.remove(id)
})

s.test('prestart, createRuntime, poststart, poststop run in the runtime mount namespace; createContainer, startContainer in the container\'s', (t) => {
  const rec = recorder('ns')
  const id = s.id('ns')
  s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec)))
  t.is(s.rt(['start', id]).status, 0)
  t.true(waitFor(() => existsSync(join(rec.dir, 'poststart.mnt'))))
  const containerMnt = `mnt:[${statSync(`/proc/${s.state(id)!.pid}/ns/mnt`).ino}]`
  s.remove(id)
  t.true(waitFor(() => existsSync(join(rec.dir, 'poststop.mnt'))))
  for (const h of ['prestart', 'createRuntime', 'poststart', 'poststop'] as const) t.is(mntOf(rec.dir, h), hostMnt(), h)
  for (const h of ['createContainer', 'startContainer'] as const) t.is(mntOf(rec.dir, h), containerMnt, h)
})

s.test('hook args (args[0] is argv[0]) and env are passed as configured; the runtime\'s env is not', (t) => {
  const dir = s.scratch('args-env')
  const hook: Hook = { path: '/bin/sh', args: ['custom-argv0', '-c', `tr "\\0" " " < /proc/$$/cmdline > ${dir}/argv; env > ${dir}/env`, 'x', 'first'], env: ['HOOKVAR=hello', 'PATH=/bin'] }
  const id = s.id('args-env')
  const b = s.bundle(id, ['sleep', '1000'], withHooks(dir, { createRuntime: [hook] }))
  const r = s.rt(['create', '--bundle', b, id], { env: { ...process.env, RUNTIME_ONLY_VAR: 'leak' } })
  t.is(r.status, 0, describe('create', r))
  const argv = readFileSync(join(dir, 'argv'), 'utf8')
  t.true(argv.startsWith('custom-argv0 -c '), argv)
  t.true(argv.endsWith(' x first '), argv)
  const env = readFileSync(join(dir, 'env'), 'utf8')
  t.regex(env, /^HOOKVAR=hello$/m)
  t.notRegex(env, /RUNTIME_ONLY_VAR/)
  s.remove(id)
})

s.test('several hooks of one kind run in the order given', (t) => {
  const dir = s.scratch('multi')
  const h = (n: number): Hook => ({ path: '/bin/sh', args: ['sh', '-c', `echo ${n} >> ${dir}/order`] })
  const id = s.id('multi')
  s.create(t, id, ['sleep', '1000'], withHooks(dir, { createRuntime: [h(1), h(2), h(3)] }))
  t.deepEqual(order(dir), ['1', '2', '3'])
  s.remove(id)
})

s.test('hooks that exit without reading their stdin do not fail the operation', (t) => {
  const dir = s.scratch('no-stdin')
  const id = s.id('no-stdin')
  const quick: Hook = { path: '/bin/true', args: ['true'] }
  s.create(t, id, ['sleep', '1000'], withHooks(dir, { prestart: Array(5).fill(quick), createRuntime: Array(5).fill(quick) }))
  t.is(s.status(id), 'created')
  s.remove(id)
})

for (const h of ['prestart', 'createRuntime', 'createContainer'] as const) {
  s.test(`a failing ${h} hook fails create and leaves no container, process or cgroup`, (t) => {
    const rec = recorder(`fail-${h}`)
    const id = s.id(`fail-${h}`)
    const b = s.bundle(id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec, h)))
    const r = s.rt(['create', '--bundle', b, id])
    t.is(r.status, 1, describe('create', r))
    t.is(s.rt(['state', id]).status, 1)
    t.false(order(rec.dir).includes('startContainer'))
    t.false(existsSync(`/sys/fs/cgroup/pids${s.env.cgroupParent}/${id}`), 'cgroup remains')
  })
}

s.test('a failing startContainer hook stops the container; the process never runs', (t) => {
  const rec = recorder('fail-startContainer')
  const id = s.id('fail-sc')
  s.create(t, id, ['sh', '-c', 'echo ran > /home/process; exec sleep 1000'], withHooks(rec.dir, allHooks(rec, 'startContainer')))
  s.rt(['start', id])
  t.true(s.waitStatus(id, 'stopped'), `status ${s.status(id)}`)
  t.false(existsSync(join(rec.dir, 'process')))
  s.remove(id)
})

s.runcDeviation('a failing startContainer hook makes start fail', 'start exits 0, the init fails after the handshake', (t) => {
  const rec = recorder('fail-startContainer-rc')
  const id = s.id('fail-sc-rc')
  s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec, 'startContainer')))
  const r = s.rt(['start', id])
  t.not(r.status, 0, describe('start', r))
  s.remove(id)
})

s.runcDeviation('a failing poststart hook fails start and stops the container (spec 1.3)', 'poststart runs at the end of create', (t) => {
  const rec = recorder('fail-poststart')
  const id = s.id('fail-ps')
  s.create(t, id, ['sleep', '1000'], withHooks(rec.dir, allHooks(rec, 'poststart')))
  const r = s.rt(['start', id])
  t.not(r.status, 0, describe('start', r))
  t.true(s.waitStatus(id, 'stopped'), `status ${s.status(id)}`)
  s.remove(id)
})

s.test('a failing poststop hook does not fail delete (a warning only)', (t) => {
  const rec = recorder('fail-poststop')
  const id = s.id('fail-pst')
  s.create(t, id, ['true'], withHooks(rec.dir, allHooks(rec, 'poststop')))
  t.is(s.rt(['start', id]).status, 0)
  t.true(s.waitStatus(id, 'stopped'))
  const r = s.rt(['delete', id])
  t.is(r.status, 0, describe('delete', r))
  t.true(order(rec.dir).includes('poststop'))
  t.is(s.rt(['state', id]).status, 1)
})

s.test('a hook that outlives its timeout fails create promptly', (t) => {
  const dir = s.scratch('timeout')
  const id = s.id('timeout')
  const b = s.bundle(id, ['sleep', '1000'], withHooks(dir, { createRuntime: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] }))
  const t0 = Date.now()
  const r = s.rt(['create', '--bundle', b, id], { timeout: 40_000 })
  t.is(r.status, 1, describe('create', r))
  t.true(Date.now() - t0 < 10_000, `create took ${Date.now() - t0} ms`)
  t.is(s.rt(['state', id]).status, 1)
})

s.finish()
