import test from 'ava'
import { defaultSpec, type Spec } from '../../../src/spec'
import { planContainer, PlanError } from '../../../src/plan/container'
import type { Op } from '../../../src/plan/ops'
import { planOptions } from './plan-options'

function spec(edit?: (s: Spec) => void): Spec {
  const s = defaultSpec({ rootless: false })
  s.process!.terminal = false
  edit?.(s)
  return s
}
const find = <N extends Op['op']>(ops: Op[], name: N) => ops.filter((o): o is Extract<Op, { op: N }> => o.op === name)

test('new namespaces become clone3 flags; joined ones become SETNS before CLONE', (t) => {
  const p = planContainer(spec((s) => {
    s.linux!.namespaces = [{ type: 'pid' }, { type: 'mount' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'user' }]
    delete s.hostname
  }), planOptions())
  const clone = find(p.ops, 'CLONE')[0]!
  t.is(clone.flags, 0x20000000n | 0x00020000n | 0x10000000n)
  const setns = find(p.ops, 'SETNS')
  t.is(setns.length, 1)
  t.is(setns[0]!.nstype, 0x40000000)
  t.deepEqual(p.fds[setns[0]!.fd], { kind: 'namespace', type: 'network', path: '/proc/1/ns/net' })
  t.true(p.ops.indexOf(setns[0]!) < p.ops.indexOf(clone))
  t.true(p.userns)
})

test('a time namespace is unshared before clone so its offsets can be written', (t) => {
  const p = planContainer(spec((s) => {
    s.linux!.namespaces!.push({ type: 'time' })
    s.linux!.timeOffsets = { monotonic: { secs: 10, nanosecs: 0 } }
  }), planOptions())
  const names = p.ops.map((o) => o.op)
  t.true(names.indexOf('UNSHARE') < names.indexOf('WRITE_FILE'))
  t.true(names.indexOf('WRITE_FILE') < names.indexOf('CLONE'))
  t.is(find(p.ops, 'WRITE_FILE')[0]!.data, 'monotonic 10 0')
})

test('the process part comes last, in runc order', (t) => {
  const p = planContainer(spec((s) => { s.process!.user = { uid: 1000, gid: 1000, additionalGids: [10] } }), planOptions({ preserveFds: 2 }))
  const names = p.ops.map((o) => o.op)
  const tail = names.slice(names.indexOf('CLOSE_FDS'))
  t.deepEqual(tail, ['CLOSE_FDS', 'CAPS_BOUNDING', 'KEEPCAPS', 'SETUSER', 'KEEPCAPS', 'OPEN_ROOT', 'CHDIR_IN_ROOT', 'CAPSET', 'NO_NEW_PRIVS', 'LOOKUP_EXEC', 'READY', 'WAIT_FIFO', 'EXEC'])
  t.is(find(p.ops, 'CLOSE_FDS')[0]!.from, 5)
  t.deepEqual(find(p.ops, 'SETUSER')[0]!.groups, [10])
})

test('HOME is added only when the env has none', (t) => {
  const env = (s: Spec, home?: string) => find(planContainer(s, planOptions({ home })).ops, 'EXEC')[0]!.env
  t.true(env(spec(), '/root').includes('HOME=/root'))
  t.false(env(spec((s) => { s.process!.env!.push('HOME=/x') }), '/root').includes('HOME=/root'))
})

test('planning errors name the field', (t) => {
  t.throws(() => planContainer(spec((s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'uts'); s.hostname = 'h' }), planOptions()),
    { instanceOf: PlanError, message: 'hostname: unable to set hostname without a private UTS namespace' })
  t.throws(() => planContainer(spec((s) => { s.linux!.namespaces = s.linux!.namespaces!.filter((n) => n.type !== 'mount') }), planOptions()),
    { instanceOf: PlanError, message: 'linux.namespaces: a mount namespace is required' })
  t.throws(() => planContainer(spec((s) => { s.process!.capabilities!.bounding!.push('CAP_BOGUS') }), planOptions()),
    { message: 'process.capabilities.bounding: unknown capability "CAP_BOGUS"' })
})

test('bind mounts: created as file or dir to match the source, remounted for ro, relative destinations', (t) => {
  const p = planContainer(spec((s) => {
    s.mounts = [
      { destination: '/etc/hosts', type: 'bind', source: '/etc/hosts', options: ['rbind', 'ro'] },
      { destination: 'data', type: 'none', source: '/srv/data', options: ['bind', 'nosuid', 'rprivate'] },
    ]
  }), planOptions())
  const m = find(p.ops, 'MOUNT_IN_ROOT')
  t.deepEqual(m.map((o) => [o.dest, o.create, o.flags]), [
    ['/etc/hosts', 2, 4096n | 16384n], ['/etc/hosts', 0, 4096n | 32n | 1n],
    ['/data', 1, 4096n], ['/data', 0, 4096n | 32n | 2n], ['/data', 0, (1n << 18n) | 16384n],
  ])
})
