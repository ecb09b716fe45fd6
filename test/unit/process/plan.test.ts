// Process fields → ops: scheduler, I/O priority, CPU affinity, personality, memory policy, sysctl, cwd, refusals.
import test from 'ava'
import { defaultSpec, type Spec } from '../../../src/spec'
import { planContainer } from '../../../src/plan/container'
import { bitmask, checkUnsupported, parseList, planAffinity, planIoPriority, planMemoryPolicy, planPersonality, planScheduler } from '../../../src/process/plan'
import { planSysctl, sysctlPath } from '../../../src/process/sysctl'
import { opOrigin } from '../../../src/mounts/origin'
import { planOptions } from '../plan/plan-options'

test('scheduler: policy numbers, flags, and the rules between fields', (t) => {
  t.deepEqual(planScheduler({ policy: 'SCHED_BATCH', nice: 5, flags: ['SCHED_FLAG_RESET_ON_FORK'] }), [
    { op: 'SCHED_SETATTR', policy: 3, flags: 1n, nice: 5, priority: 0, runtime: 0n, deadline: 0n, period: 0n }])
  t.like(planScheduler({ policy: 'SCHED_FIFO', priority: 50 })[0], { policy: 1, priority: 50 })
  t.like(planScheduler({ policy: 'SCHED_DEADLINE', runtime: 1e6, deadline: 2e6, period: 3e6 })[0], { policy: 6, runtime: 1000000n, period: 3000000n })
  t.throws(() => planScheduler({ policy: 'SCHED_ISO' }), { message: 'process.scheduler: policy SCHED_ISO is not supported by Linux' })
  t.throws(() => planScheduler({ policy: 'SCHED_RR' }), { message: /SCHED_RR needs a priority from 1 to 99/ })
  t.throws(() => planScheduler({ policy: 'SCHED_OTHER', priority: 3 }), { message: /priority must be 0/ })
  t.throws(() => planScheduler({ policy: 'SCHED_FIFO', priority: 3, nice: 2 }), { message: /nice only applies/ })
  t.throws(() => planScheduler({ policy: 'SCHED_DEADLINE' }), { message: /needs runtime and deadline/ })
  t.is(opOrigin(planScheduler({ policy: 'SCHED_IDLE' })[0]!), 'process.scheduler')
})

test('ioPriority: class << 13 | level', (t) => {
  t.deepEqual(planIoPriority({ class: 'IOPRIO_CLASS_BE', priority: 6 }), [{ op: 'IOPRIO_SET', ioprio: (2 << 13) | 6 }])
  t.deepEqual(planIoPriority({ class: 'IOPRIO_CLASS_IDLE', priority: 0 }), [{ op: 'IOPRIO_SET', ioprio: 3 << 13 }])
})

test('CPU lists and bitmasks', (t) => {
  t.deepEqual(parseList('0-3, 7,2', 'x'), [0, 1, 2, 3, 7])
  t.deepEqual([...bitmask([0, 1, 2, 3, 7])], [0x8f, 0, 0, 0, 0, 0, 0, 0])
  t.is(bitmask([64]).length, 16)
  t.throws(() => parseList('3-1', 'f'), { message: 'f: range "3-1" is backwards' })
  t.throws(() => parseList('a', 'f'), { message: /"a" is not a number/ })
  t.deepEqual(planAffinity({ initial: '1', final: '0-1' }, 'final'), [{ op: 'SET_AFFINITY', mask: bitmask([0, 1]) }])
  t.deepEqual(planAffinity({ final: '' }, 'final'), [])
  t.deepEqual(planAffinity(undefined, 'initial'), [])
})

test('affinity: initial before CLONE in the helper, final in the init', (t) => {
  const spec = defaultSpec({ rootless: false })
  spec.process!.execCPUAffinity = { initial: '0', final: '1' }
  const ops = planContainer(spec, planOptions()).ops
  const names = ops.map((o) => o.op)
  const aff = ops.flatMap((o, i) => (o.op === 'SET_AFFINITY' ? [i] : []))
  t.is(aff.length, 2)
  t.true(aff[0]! < names.indexOf('CLONE') && aff[1]! > names.indexOf('SYNC'))
  t.is(opOrigin(ops[aff[0]!]!), 'process.execCPUAffinity.initial')
})

test('personality and memory policy', (t) => {
  t.deepEqual(planPersonality({ domain: 'LINUX32' }), [{ op: 'PERSONALITY', persona: 8 }])
  t.throws(() => planPersonality({ domain: 'LINUX', flags: ['X'] }), { message: 'linux.personality: flags are not supported (got X)' })
  t.deepEqual(planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '0-1', flags: ['MPOL_F_STATIC_NODES'] }), [{ op: 'SET_MEMPOLICY', mode: 2 | (1 << 15), nodes: bitmask([0, 1]) }])
  t.deepEqual(planMemoryPolicy({ mode: 'MPOL_LOCAL' }), [{ op: 'SET_MEMPOLICY', mode: 4, nodes: new Uint8Array(0) }])
})

test('sysctl: namespaced keys only, each in a namespace the container has', (t) => {
  const ns = { created: new Set(['ipc', 'uts', 'network'] as const), joined: new Set<never>() }
  t.deepEqual(planSysctl({ 'kernel.shmmax': '1', 'fs.mqueue.queues_max': '2', 'net.ipv4.conf.eth0/100.forwarding': '1', 'kernel.domainname': 'd' }, ns).map((o) => o.op === 'WRITE_FILE' && o.path), [
    '/proc/sys/kernel/shmmax', '/proc/sys/fs/mqueue/queues_max', '/proc/sys/net/ipv4/conf/eth0.100/forwarding', '/proc/sys/kernel/domainname'])
  t.throws(() => planSysctl({ 'vm.swappiness': '1' }, ns), { message: 'linux.sysctl: "vm.swappiness" is not namespaced' })
  t.throws(() => planSysctl({ 'kernel.shm_next_id': '1' }, ns), { message: 'linux.sysctl: "kernel.shm_next_id" is not namespaced' })
  t.throws(() => planSysctl({ 'net.core.somaxconn': '1' }, { created: new Set(), joined: new Set() }), { message: /needs a network namespace/ })
  t.is(planSysctl({ 'net.core.somaxconn': '1' }, { created: new Set(), joined: new Set(['network'] as const) }).length, 1, 'a joined network namespace is the container\'s')
  t.throws(() => sysctlPath('net...x'), { message: /not a valid key/ })
  t.throws(() => sysctlPath('net./...x'), { message: /not a valid key/ })
})

test('cwd is resolved inside the root, labelled', (t) => {
  const ops = planContainer(defaultSpec({ rootless: false }), planOptions()).ops
  const i = ops.findIndex((o) => o.op === 'CHDIR_IN_ROOT')
  t.deepEqual(ops.slice(i - 1, i + 1), [{ op: 'OPEN_ROOT', path: '/' }, { op: 'CHDIR_IN_ROOT', path: '/' }])
  t.is(opOrigin(ops[i]!), 'process.cwd (/)')
  t.is(ops.filter((o) => o.op === 'CHDIR_IN_ROOT').length, 1, 'one chdir, resolved inside the root')
})

test('intelRdt and netDevices are refused, naming the field', (t) => {
  t.throws(() => checkUnsupported({ intelRdt: { closID: 'a' } }), { message: /^linux\.intelRdt: / })
  t.throws(() => checkUnsupported({ netDevices: { eth1: {} } }), { message: /^linux\.netDevices: .*eth1/ })
  t.notThrows(() => checkUnsupported({ netDevices: {} }))
})

test('the process fields come before capabilities are dropped; exec plans get them too', (t) => {
  const spec: Spec = defaultSpec({ rootless: false })
  spec.process!.scheduler = { policy: 'SCHED_BATCH' }
  spec.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 1 }
  spec.linux!.personality = { domain: 'LINUX' }
  const names = planContainer(spec, planOptions()).ops.map((o) => o.op)
  for (const n of ['SCHED_SETATTR', 'IOPRIO_SET', 'PERSONALITY'] as const) t.true(names.indexOf(n) < names.indexOf('CAPS_BOUNDING'), n)
})
