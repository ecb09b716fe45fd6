// Each bad config is a valid one with one thing broken; the error must name the path and the reason exactly.
import test from 'ava'
import { SpecError, validateProcess, validateResources, validateSpec } from '../../../src/spec'

// Configs are built and broken freely, as JSON.parse would hand them over.
type Json = any

function valid(): Json {
  return {
    ociVersion: '1.3.0',
    root: { path: 'rootfs' },
    process: {
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      cwd: '/',
      rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
    },
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    hooks: { prestart: [{ path: '/usr/bin/hook' }] },
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }],
      resources: { memory: { limit: 1024 } },
      seccomp: {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
        syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }],
      },
    },
  }
}

const cases: [string, (c: Json) => void, string][] = [
  ['unknown namespace', (c) => { c.linux.namespaces[2] = { type: 'pidd' } }, 'linux.namespaces[2].type: unknown namespace "pidd"'],
  ['args not an array', (c) => { c.process.args = 'sh' }, 'process.args: must be an array of strings'],
  ['uid negative', (c) => { c.process.user.uid = -1 }, 'process.user.uid: must be between 0 and 4294967295'],
  ['cwd relative', (c) => { c.process.cwd = 'home' }, 'process.cwd: must be an absolute path'],
  ['duplicate namespace', (c) => { c.linux.namespaces.push({ type: 'pid' }) }, 'linux.namespaces[3].type: duplicate namespace "pid"'],
  ['hook timeout 0', (c) => { c.hooks.prestart[0].timeout = 0 }, 'hooks.prestart[0].timeout: must be at least 1'],
  ['unknown rlimit', (c) => { c.process.rlimits[0].type = 'RLIMIT_FOO' }, 'process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'],
  [
    'unknown seccomp action',
    (c) => { c.linux.seccomp.syscalls[0].action = 'SCMP_ACT_FOO' },
    'linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_FOO"',
  ],
  ['soft rlimit above hard', (c) => { c.process.rlimits[0].soft = 2048 }, 'process.rlimits[0].soft: must not be greater than hard (1024)'],
  ['memory limit a string', (c) => { c.linux.resources.memory.limit = '1G' }, 'linux.resources.memory.limit: must be an integer'],
  ['root.path missing', (c) => { delete c.root.path }, 'root.path: is required'],
  ['root.path empty', (c) => { c.root.path = '' }, 'root.path: must not be empty'],
  ['root missing', (c) => { delete c.root }, 'root: is required'],
  ['ociVersion missing', (c) => { delete c.ociVersion }, 'ociVersion: is required'],
  ['ociVersion 2.x', (c) => { c.ociVersion = '2.0.0' }, 'ociVersion: unsupported version "2.0.0" (tsrun supports 1.x.y)'],
  ['ociVersion a number', (c) => { c.ociVersion = 1 }, 'ociVersion: must be a string'],
  ['args empty', (c) => { c.process.args = [] }, 'process.args: must not be empty'],
  ['args element a number', (c) => { c.process.args = ['sh', 1] }, 'process.args[1]: must be a string'],
  ['uid fractional', (c) => { c.process.user.uid = 1.5 }, 'process.user.uid: must be an integer'],
  ['gid missing', (c) => { delete c.process.user.gid }, 'process.user.gid: is required'],
  ['terminal a string', (c) => { c.process.terminal = 'yes' }, 'process.terminal: must be a boolean'],
  ['duplicate rlimit', (c) => { c.process.rlimits.push({ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }) }, 'process.rlimits[1].type: duplicate rlimit "RLIMIT_NOFILE"'],
  ['hook path relative', (c) => { c.hooks.poststop = [{ path: 'hook' }] }, 'hooks.poststop[0].path: must be an absolute path'],
  [
    'id mapping size 0',
    (c) => {
      c.linux.namespaces.push({ type: 'user' })
      c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }]
    },
    'linux.uidMappings[0].size: must be between 1 and 4294967295',
  ],
  ['mappings without user namespace', (c) => { c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }] }, 'linux.gidMappings: requires a user namespace'],
  ['char device without major', (c) => { c.linux.devices = [{ path: '/dev/fuse', type: 'c', minor: 229 }] }, 'linux.devices[0].major: is required for type "c"'],
  ['unknown device type', (c) => { c.linux.devices = [{ path: '/dev/x', type: 'x' }] }, 'linux.devices[0].type: unknown device type "x"'],
  ['device path relative', (c) => { c.linux.devices = [{ path: 'dev/fifo', type: 'p' }] }, 'linux.devices[0].path: must be an absolute path'],
  ['mount destination empty', (c) => { c.mounts[0].destination = '' }, 'mounts[0].destination: must not be empty'],
  ['mount destination missing', (c) => { c.mounts.push({ type: 'tmpfs' }) }, 'mounts[1].destination: is required'],
  ['ioPriority above 7', (c) => { c.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 8 } }, 'process.ioPriority.priority: must be between 0 and 7'],
  [
    'unknown ioPriority class',
    (c) => { c.process.ioPriority = { class: 'IOPRIO_CLASS_FAST', priority: 0 } },
    'process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_FAST"',
  ],
  ['oomScoreAdj above 1000', (c) => { c.process.oomScoreAdj = 1001 }, 'process.oomScoreAdj: must be between -1000 and 1000'],
  ['unknown scheduler policy', (c) => { c.process.scheduler = { policy: 'SCHED_FAST' } }, 'process.scheduler.policy: unknown scheduler policy "SCHED_FAST"'],
  ['nice out of range', (c) => { c.process.scheduler = { policy: 'SCHED_OTHER', nice: 20 } }, 'process.scheduler.nice: must be between -20 and 19'],
  [
    'bad exec CPU list',
    (c) => { c.process.execCPUAffinity = { initial: 'first' } },
    'process.execCPUAffinity.initial: must be a CPU list like "0-3,7"',
  ],
  [
    'timeOffsets unknown clock',
    (c) => {
      c.linux.namespaces.push({ type: 'time' })
      c.linux.timeOffsets = { realtime: { secs: 1 } }
    },
    'linux.timeOffsets.realtime: unknown clock "realtime" (only boottime and monotonic)',
  ],
  ['timeOffsets without time namespace', (c) => { c.linux.timeOffsets = { boottime: { secs: 1 } } }, 'linux.timeOffsets: requires a time namespace'],
  [
    'timeOffsets on a joined time namespace',
    (c) => {
      c.linux.namespaces.push({ type: 'time', path: '/proc/1/ns/time' })
      c.linux.timeOffsets = { monotonic: { secs: 1 } }
    },
    'linux.timeOffsets: cannot be set when joining an existing time namespace',
  ],
  [
    'nanosecs a full second',
    (c) => {
      c.linux.namespaces.push({ type: 'time' })
      c.linux.timeOffsets = { boottime: { secs: 1, nanosecs: 1e9 } }
    },
    'linux.timeOffsets.boottime.nanosecs: must be between 0 and 999999999',
  ],
  ['namespace path relative', (c) => { c.linux.namespaces[0].path = 'proc/1/ns/pid' }, 'linux.namespaces[0].path: must be an absolute path'],
  [
    'unknown seccomp operator',
    (c) => { c.linux.seccomp.syscalls[0].args[0].op = 'SCMP_CMP_FOO' },
    'linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_FOO"',
  ],
  ['seccomp arg index 6', (c) => { c.linux.seccomp.syscalls[0].args[0].index = 6 }, 'linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5'],
  [
    'unknown seccomp architecture',
    (c) => { c.linux.seccomp.architectures[1] = 'SCMP_ARCH_Z80' },
    'linux.seccomp.architectures[1]: unknown seccomp architecture "SCMP_ARCH_Z80"',
  ],
  [
    'unknown seccomp flag',
    (c) => { c.linux.seccomp.flags = ['SECCOMP_FILTER_FLAG_FOO'] },
    'linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_FOO"',
  ],
  ['seccomp defaultAction missing', (c) => { delete c.linux.seccomp.defaultAction }, 'linux.seccomp.defaultAction: is required'],
  ['syscall without names', (c) => { c.linux.seccomp.syscalls[0].names = [] }, 'linux.seccomp.syscalls[0].names: must not be empty'],
  [
    'errnoRet with an action that has no errno',
    (c) => { c.linux.seccomp.syscalls[0] = { names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 } },
    'linux.seccomp.syscalls[0].errnoRet: not allowed with SCMP_ACT_ALLOW (only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE)',
  ],
  [
    'defaultErrnoRet with a kill default',
    (c) => { c.linux.seccomp.defaultAction = 'SCMP_ACT_KILL'; c.linux.seccomp.defaultErrnoRet = 1 },
    'linux.seccomp.defaultErrnoRet: not allowed with SCMP_ACT_KILL (only with SCMP_ACT_ERRNO or SCMP_ACT_TRACE)',
  ],
  ['unknown rootfsPropagation', (c) => { c.linux.rootfsPropagation = 'weird' }, 'linux.rootfsPropagation: unknown rootfs propagation "weird"'],
  ['unknown memory policy mode', (c) => { c.linux.memoryPolicy = { mode: 'MPOL_FAST' } }, 'linux.memoryPolicy.mode: unknown memory policy mode "MPOL_FAST"'],
  [
    'unknown memory policy flag',
    (c) => { c.linux.memoryPolicy = { mode: 'MPOL_PREFERRED', flags: ['MPOL_F_FAST'] } },
    'linux.memoryPolicy.flags[0]: unknown memory policy flag "MPOL_F_FAST"',
  ],
  ['MPOL_BIND without nodes', (c) => { c.linux.memoryPolicy = { mode: 'MPOL_BIND' } }, 'linux.memoryPolicy.nodes: is required for mode MPOL_BIND'],
  ['MPOL_LOCAL with nodes', (c) => { c.linux.memoryPolicy = { mode: 'MPOL_LOCAL', nodes: '0' } }, 'linux.memoryPolicy.nodes: must be empty for mode MPOL_LOCAL'],
  ['unknown personality domain', (c) => { c.linux.personality = { domain: 'BSD' } }, 'linux.personality.domain: unknown personality domain "BSD"'],
  ['sysctl value a number', (c) => { c.linux.sysctl = { 'net.ipv4.ip_forward': 1 } }, 'linux.sysctl["net.ipv4.ip_forward"]: must be a string'],
  ['maskedPaths relative', (c) => { c.linux.maskedPaths = ['proc/kcore'] }, 'linux.maskedPaths[0]: must be an absolute path'],
  ['annotations an array', (c) => { c.annotations = ['a=b'] }, 'annotations: must be an object'],
  ['annotation with an empty key', (c) => { c.annotations = { '': 'x' } }, 'annotations[""]: key must not be empty'],
  ['process not an object', (c) => { c.process = 'sh' }, 'process: must be an object'],
  ['linux null', (c) => { c.linux = null }, 'linux: must be an object'],
  [
    'device cgroup access',
    (c) => { c.linux.resources.devices = [{ allow: true, access: 'rwx' }] },
    'linux.resources.devices[0].access: must be made of "r", "w" and "m"',
  ],
  ['device cgroup allow missing', (c) => { c.linux.resources.devices = [{ access: 'rwm' }] }, 'linux.resources.devices[0].allow: is required'],
  [
    'hugepage size',
    (c) => { c.linux.resources.hugepageLimits = [{ pageSize: '2M', limit: 0 }] },
    'linux.resources.hugepageLimits[0].pageSize: must be a page size like "2MB"',
  ],
  ['swappiness above 100', (c) => { c.linux.resources.memory.swappiness = 101 }, 'linux.resources.memory.swappiness: must be between 0 and 100'],
  ['swap below limit', (c) => { c.linux.resources.memory.swap = 512 }, 'linux.resources.memory.swap: must not be less than limit (1024)'],
  ['pids limit a string', (c) => { c.linux.resources.pids = { limit: 'max' } }, 'linux.resources.pids.limit: must be an integer'],
  ['blockIO weight above uint16', (c) => { c.linux.resources.blockIO = { weight: 70000 } }, 'linux.resources.blockIO.weight: must be between 0 and 65535'],
]

test('the table has at least 30 bad configs', (t) => {
  t.true(cases.length >= 30)
  t.is(new Set(cases.map(([name]) => name)).size, cases.length)
})

for (const [name, breakIt, message] of cases) {
  test(`rejects: ${name}`, (t) => {
    const config = valid()
    breakIt(config)
    const error = t.throws(() => validateSpec(config), { instanceOf: SpecError })
    t.is(error?.message, message)
  })
}

test('the valid base config validates', (t) => {
  const config = valid()
  t.is(validateSpec(config), config)
})

test('SpecError carries the path and the reason', (t) => {
  const config = valid()
  config.linux.namespaces[2].type = 'pidd'
  const error = t.throws(() => validateSpec(config), { instanceOf: SpecError })
  t.is(error?.path, 'linux.namespaces[2].type')
  t.is(error?.reason, 'unknown namespace "pidd"')
  t.is(error?.name, 'SpecError')
})

test('a document that is not an object has an empty path', (t) => {
  const error = t.throws(() => validateSpec('{}'), { instanceOf: SpecError })
  t.is(error?.path, '')
  t.is(error?.message, 'must be an object')
})

test('validateProcess reports paths under process by default, or under the given path', (t) => {
  const proc = { user: { uid: 0, gid: 0 }, args: [], cwd: '/' }
  t.is(t.throws(() => validateProcess(proc))?.message, 'process.args: must not be empty')
  t.is(t.throws(() => validateProcess({ ...proc, args: ['sh'], cwd: 'x' }, 'exec'))?.message, 'exec.cwd: must be an absolute path')
  t.is(t.throws(() => validateProcess({ args: ['sh'], cwd: '/' }))?.message, 'process.user: is required')
})

test('validateResources reports paths under resources by default', (t) => {
  t.is(t.throws(() => validateResources({ memory: { limit: 'x' } }))?.message, 'resources.memory.limit: must be an integer')
  t.is(t.throws(() => validateResources({ cpu: { shares: -1 } }))?.message, 'resources.cpu.shares: must be at least 0')
  t.is(t.throws(() => validateResources({ cpu: { idle: 2 } }))?.message, 'resources.cpu.idle: must be between 0 and 1')
  t.is(t.throws(() => validateResources([]))?.message, 'resources: must be an object')
})
