// runtime.md "State" (and schema/state-schema.json): the fields of `state`, the status values in
// every phase, pid 0 once stopped, annotations, and `list`, which reports the same objects.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, relative } from 'node:path'
import { describe, hostNs, Suite, waitFor } from './lib'

const s = new Suite('state')
const schemaPath = '/usr/share/gocode/src/github.com/opencontainers/runtime-spec/schema/state-schema.json'

interface StateJson {
  ociVersion: string
  id: string
  pid: number
  status: string
  bundle: string
  rootfs: string
  created: string
  annotations?: Record<string, string>
  owner: string
}

function rawState(id: string): string {
  const r = s.rt(['state', id])
  if (r.status !== 0) throw new Error(describe(`state ${id}`, r))
  return r.stdout
}
const stateOf = (id: string) => JSON.parse(rawState(id)) as StateJson

s.test('state prints indented JSON without a trailing newline, with runc\'s fields in runc\'s order', (t) => {
  const id = s.id('shape')
  s.create(t, id)
  const out = rawState(id)
  t.false(out.endsWith('\n'))
  t.true(out.startsWith('{\n  "ociVersion": '), out.slice(0, 40))
  t.deepEqual(Object.keys(JSON.parse(out) as object), ['ociVersion', 'id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'owner'])
  s.remove(id)
})

s.test('state satisfies the runtime-spec state schema (required fields and their types)', (t) => {
  const id = s.id('schema')
  s.create(t, id)
  const st = stateOf(id) as unknown as Record<string, unknown>
  const required = existsSync(schemaPath)
    ? (JSON.parse(readFileSync(schemaPath, 'utf8')) as { required: string[] }).required
    : ['ociVersion', 'id', 'status', 'bundle']
  for (const k of required) t.true(k in st, `missing ${k}`)
  t.regex(String(st.ociVersion), /^\d+\.\d+\.\d+(-[\w.]+)?$/)
  t.is(typeof st.id, 'string')
  t.true(Number.isInteger(st.pid) && (st.pid as number) >= 0)
  t.true(['creating', 'created', 'running', 'stopped', 'paused'].includes(st.status as string))
  t.is(typeof st.bundle, 'string')
  s.remove(id)
})

s.test('created: id, absolute bundle and rootfs, the pid of a live process in the container\'s pid namespace', (t) => {
  const id = s.id('created')
  const b = s.create(t, id)
  const st = stateOf(id)
  t.is(st.id, id)
  t.is(st.status, 'created')
  t.is(st.bundle, b)
  t.is(st.rootfs, JSON.parse(readFileSync(`${b}/config.json`, 'utf8')).root.path)
  t.true(st.pid > 0)
  t.true(existsSync(`/proc/${st.pid}`))
  t.not(statSync(`/proc/${st.pid}/ns/pid`).ino, hostNs('pid'))
  t.is(st.owner, '')
  s.remove(id)
})

s.test('running: the pid is the process of process.args', (t) => {
  const id = s.id('running')
  const pid = s.started(t, id, ['sleep', '1000'])
  const st = stateOf(id)
  t.is(st.status, 'running')
  t.is(st.pid, pid)
  t.true(waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\x001000\x00'))
  s.remove(id)
})

s.test('paused: status paused, same pid', (t) => {
  const id = s.id('paused')
  const pid = s.started(t, id)
  t.is(s.rt(['pause', id]).status, 0)
  const st = stateOf(id)
  t.is(st.status, 'paused')
  t.is(st.pid, pid)
  t.is(s.rt(['resume', id]).status, 0)
  s.remove(id)
})

s.test('stopped: status stopped and pid 0, bundle and id unchanged', (t) => {
  const id = s.id('stopped')
  const b = s.bundle(id, ['true'])
  t.is(s.rt(['create', '--bundle', b, id]).status, 0)
  t.is(s.rt(['start', id]).status, 0)
  t.true(s.waitStatus(id, 'stopped'))
  const st = stateOf(id)
  t.is(st.pid, 0)
  t.is(st.id, id)
  t.is(st.bundle, b)
  s.remove(id)
})

s.test('a process killed from outside the runtime makes the container stopped', (t) => {
  const id = s.id('killed')
  const pid = s.started(t, id)
  process.kill(pid, 'SIGKILL')
  t.true(s.waitStatus(id, 'stopped'))
  t.is(stateOf(id).pid, 0)
  s.remove(id)
})

s.test('created is an RFC 3339 UTC time taken at create, and does not change', (t) => {
  const id = s.id('time')
  const before = Date.now()
  s.create(t, id)
  const after = Date.now()
  const created = stateOf(id).created
  t.regex(created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/)
  const ms = Date.parse(created)
  t.true(ms >= before - 1000 && ms <= after + 1000, `${created} not within create`)
  t.is(s.rt(['start', id]).status, 0)
  t.is(stateOf(id).created, created)
  s.remove(id)
})

s.test('annotations of config.json appear in state, and only when there are some', (t) => {
  const id = s.id('annot')
  const annotations = { 'org.example.key': 'value', 'another/key': 'with spaces = and "quotes"' }
  s.create(t, id, ['sleep', '1000'], (sp) => { sp.annotations = annotations })
  t.deepEqual(stateOf(id).annotations, annotations)
  const plain = s.id('noannot')
  s.create(t, plain)
  t.false('annotations' in stateOf(plain))
  s.remove(id)
  s.remove(plain)
})

s.test('a relative --bundle is reported as an absolute path', (t) => {
  const id = s.id('relbundle')
  const b = s.bundle(id, ['sleep', '1000'])
  const r = s.rt(['create', '--bundle', relative(dirname(b), b), id], { cwd: dirname(b) })
  t.is(r.status, 0, describe('create', r))
  t.is(stateOf(id).bundle, b)
  s.remove(id)
})

s.test('state of a deleted container fails: "container does not exist"', (t) => {
  const id = s.id('deleted')
  s.create(t, id)
  t.is(s.rt(['delete', '--force', id]).status, 0)
  const r = s.rt(['state', id])
  t.is(r.status, 1)
  t.is(r.msg, 'container does not exist')
  t.is(r.stdout, '')
})

s.test('list --format json holds the same objects as state', (t) => {
  const a = s.id('list-a')
  const b = s.id('list-b')
  s.create(t, a, ['sleep', '1000'], (sp) => { sp.annotations = { k: 'v' } })
  s.started(t, b)
  const list = JSON.parse(s.rt(['list', '--format', 'json']).stdout) as StateJson[]
  for (const id of [a, b]) {
    const entry = list.find((c) => c.id === id)
    const st = stateOf(id)
    t.truthy(entry, `${id} not listed`)
    for (const k of ['id', 'pid', 'status', 'bundle', 'rootfs', 'created', 'annotations'] as const) t.deepEqual(entry?.[k], st[k], k)
  }
  s.remove(a)
  s.remove(b)
})

s.test('list --format json of an empty root is null or []', (t) => {
  for (const id of s.rt(['list', '-q']).stdout.split('\n').filter(Boolean)) s.remove(id)
  const r = s.rt(['list', '--format', 'json'])
  t.is(r.status, 0)
  t.true(['null', '[]'].includes(r.stdout.trim()), r.stdout)
})

s.finish()
