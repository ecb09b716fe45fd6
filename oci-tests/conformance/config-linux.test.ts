// config-linux.md: namespaces (new, shared with the host, joined by path), user namespace
// mappings, devices (nodes and the devices cgroup), sysctl, seccomp (an errno rule observed from
// inside), resources and cgroupsPath.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { describe, hostNs, procCgroups, Suite, waitFor, type Spec } from './lib'

const s = new Suite('config-linux')

type NsType = 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'cgroup' | 'user' | 'time'
const procName: Record<NsType, 'pid' | 'net' | 'ipc' | 'uts' | 'mnt' | 'cgroup' | 'user' | 'time'> = {
  pid: 'pid', network: 'net', ipc: 'ipc', uts: 'uts', mount: 'mnt', cgroup: 'cgroup', user: 'user', time: 'time',
}
const withoutNs = (...types: NsType[]) => (sp: Spec) => {
  sp.linux!.namespaces = sp.linux!.namespaces!.filter((n) => !types.includes(n.type as NsType))
  if (types.includes('uts')) delete sp.hostname
}
const userns = (sp: Spec) => {
  sp.linux!.namespaces!.push({ type: 'user' })
  sp.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
  sp.linux!.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
}

// ---- namespaces ----

s.test('each namespace of the default config is new: pid, network, ipc, uts, mount, cgroup', (t) => {
  const rep = s.checker(t, 'ns-new')
  for (const ns of ['pid', 'net', 'ipc', 'uts', 'mnt', 'cgroup'] as const) t.not(rep.namespaces[ns], hostNs(ns), ns)
  t.is(rep.namespaces.user, hostNs('user'), 'no user namespace was asked for')
  t.is(rep.pid, 1)
})

for (const type of ['network', 'ipc', 'uts', 'pid', 'cgroup'] as const) {
  s.test(`a ${type} namespace left out of the config is the host's`, (t) => {
    const rep = s.checker(t, `ns-host-${type}`, withoutNs(type))
    t.is(rep.namespaces[procName[type]], hostNs(procName[type]))
  })
}

for (const type of ['network', 'ipc', 'uts', 'pid'] as const) {
  s.test(`a ${type} namespace given by path is joined`, (t) => {
    const owner = s.id(`ns-owner-${type}`)
    const pid = s.started(t, owner)
    const rep = s.checker(t, `ns-join-${type}`, (sp) => {
      sp.linux!.namespaces = sp.linux!.namespaces!.map((n) => (n.type === type ? { type, path: `/proc/${pid}/ns/${procName[type]}` } : n))
      if (type === 'uts') delete sp.hostname
    })
    t.is(rep.namespaces[procName[type]], statSync(`/proc/${pid}/ns/${procName[type]}`).ino)
    if (type === 'pid') t.not(rep.pid, 1, 'joined a pid namespace that already has an init')
    s.remove(owner)
  })
}

s.test('a namespace path that is not a namespace: create fails and leaves no container', (t) => {
  const id = s.id('ns-badpath')
  const b = s.bundle(id, ['true'], (sp) => {
    sp.linux!.namespaces = sp.linux!.namespaces!.map((n) => (n.type === 'network' ? { type: 'network', path: '/etc/hostname' } : n))
  })
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1)
  t.is(s.rt(['state', id]).status, 1)
})

s.test('a namespace type given twice: create fails (spec: MUST generate an error)', (t) => {
  const id = s.id('ns-dup')
  const b = s.bundle(id, ['true'], (sp) => { sp.linux!.namespaces!.push({ type: 'network' }) })
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1, describe('create', r))
  t.is(s.rt(['state', id]).status, 1)
})

s.test('user namespace: the uid/gid maps are written and root inside is the mapped host id', (t) => {
  const r = s.sh('userns', 'cat /proc/self/uid_map /proc/self/gid_map; id -u; sleep 0', userns)
  t.is(r.status, 0, describe('run', r))
  const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))
  t.deepEqual(lines, ['0 100000 65536', '0 100000 65536', '0'])
  const id = s.id('userns-host')
  const pid = s.started(t, id, ['sleep', '1000'], userns)
  t.is(statSync(`/proc/${pid}`).uid, 100000)
  t.not(statSync(`/proc/${pid}/ns/user`).ino, hostNs('user'))
  s.remove(id)
})

s.runcDeviation('time namespace with offsets (spec 1.1)', 'no time namespace support', (t) => {
  const r = s.sh('timens', 'cat /proc/self/timens_offsets', (sp) => {
    sp.linux!.namespaces!.push({ type: 'time' } as never)
    ;(sp.linux as Record<string, unknown>).timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 }, boottime: { secs: 600, nanosecs: 0 } }
  })
  t.is(r.status, 0, describe('run', r))
  t.regex(r.stdout, /monotonic\s+86400\s+0/)
  t.regex(r.stdout, /boottime\s+600\s+0/)
})

// ---- devices ----

s.test('devices: nodes are created with type, major:minor, fileMode, uid and gid', (t) => {
  const r = s.sh('devnodes', 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull /dev/myzero', (sp) => {
    sp.linux!.devices = [
      { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o620, uid: 7, gid: 8 },
      { path: '/dev/myzero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
    ]
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, '/dev/mynull character special file 1:3 620 7:8\n/dev/myzero character special file 1:5 666 0:0\n')
})

s.test('devices cgroup: a node made inside (mknod allowed) but outside the allow list cannot be opened (EPERM)', (t) => {
  const script = 'mknod /dev/made c 1 1 && echo made; head -c1 /dev/made >/dev/null; echo "mem=$?"; mknod /dev/z c 1 5 && head -c1 /dev/z | wc -c'
  const r = s.sh('devcg-mknod', script, (sp) => {
    const caps = ['CAP_MKNOD']
    sp.process!.capabilities = { bounding: caps, permitted: caps, effective: caps }
    sp.linux!.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rw' }] }
  })
  t.is(r.stdout.replace(/ +/g, ''), 'made\nmem=1\n1\n', describe('run', r))
  t.regex(r.stderr, /Operation not permitted/)
})

s.test('devices cgroup: a linux.devices node is not opened unless resources.devices allows it (runc)', (t) => {
  const r = s.sh('devcg', 'head -c1 /dev/mymem >/dev/null; echo "mem=$?"; head -c1 /dev/myzero | wc -c', (sp) => {
    sp.linux!.devices = [
      { path: '/dev/mymem', type: 'c', major: 1, minor: 1, fileMode: 0o600 },
      { path: '/dev/myzero', type: 'c', major: 1, minor: 5, fileMode: 0o666 },
    ]
    sp.linux!.resources = { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }] }
  })
  t.is(r.stdout.replace(/ +/g, ''), 'mem=1\n1\n', describe('run', r))
  t.regex(r.stderr, /Operation not permitted/)
})

// ---- sysctl ----

s.test('sysctl: namespaced keys are written (net.* in the new netns, kernel.msgmax in the new ipc ns)', (t) => {
  const hostBefore = readFileSync('/proc/sys/kernel/msgmax', 'utf8')
  const r = s.sh('sysctl', 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax', (sp) => {
    sp.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '4096' }
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout, '1\n4096\n')
  t.is(readFileSync('/proc/sys/kernel/msgmax', 'utf8'), hostBefore, 'host value untouched')
})

s.test('sysctl of a key outside the container namespaces: create fails and leaves no container', (t) => {
  const id = s.id('sysctl-host')
  const before = readFileSync('/proc/sys/vm/swappiness', 'utf8')
  const b = s.bundle(id, ['true'], (sp) => { sp.linux!.sysctl = { 'vm.swappiness': before.trim() === '10' ? '11' : '10' } })
  const r = s.rt(['create', '--bundle', b, id])
  t.is(r.status, 1, describe('create', r))
  t.is(readFileSync('/proc/sys/vm/swappiness', 'utf8'), before)
  t.is(s.rt(['state', id]).status, 1)
})

// ---- seccomp ----

const x86 = process.arch === 'x64' ? ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] : ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']

s.test('seccomp: an SCMP_ACT_ERRNO rule with errnoRet is observed from inside; other calls work', (t) => {
  const r = s.sh('seccomp', 'mkdir /tmp/x; echo "rc=$?"; grep -E "^Seccomp:" /proc/self/status; echo fine', (sp) => {
    sp.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: x86 as never,
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    }
  })
  t.is(r.status, 0, describe('run', r))
  t.regex(r.stderr, /Permission denied/) // EACCES = 13
  t.is(r.stdout.replace(/\t/g, ' '), 'rc=1\nSeccomp: 2\nfine\n')
})

s.test('seccomp with noNewPrivileges false and no CAP_SYS_ADMIN in the process (as podman and docker configure it)', (t) => {
  const r = s.sh('seccomp-nonnp', 'mkdir /tmp/x; echo "rc=$?"; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status', (sp) => {
    sp.process!.noNewPrivileges = false
    sp.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: x86 as never,
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    }
  })
  t.is(r.status, 0, describe('run', r))
  t.is(r.stdout.replace(/\t/g, ' '), 'rc=1\nNoNewPrivs: 0\nSeccomp: 2\n')
})

s.test('seccomp: an errno rule with an argument condition only matches that argument', (t) => {
  // personality(0xffffffff) queries; block only personality(PER_LINUX32 = 8) with EPERM.
  const r = s.sh('seccomp-arg', 'linux32 true; echo "l32=$?"; linux64 true; echo "l64=$?"', (sp) => {
    sp.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: x86 as never,
      syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 0, value: 8, op: 'SCMP_CMP_EQ' }] }],
    }
  })
  t.is(r.stdout, 'l32=1\nl64=0\n', describe('run', r))
})

s.test('seccomp: SCMP_ACT_KILL kills the calling process with SIGSYS', (t) => {
  // busybox runs the uname applet inside the shell process itself: the shell is what dies.
  const r = s.sh('seccomp-kill', 'uname -n; echo after', (sp) => {
    sp.linux!.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: x86 as never,
      syscalls: [{ names: ['uname'], action: 'SCMP_ACT_KILL' }],
    }
  })
  t.is(r.status, 159, describe('run', r)) // 128 + SIGSYS
  t.is(r.stdout, '')
})

// ---- resources and cgroupsPath ----

function hostCgroupFile(id: string, controller: string, file: string): string {
  return readFileSync(`/sys/fs/cgroup/${controller}${s.env.cgroupParent}/${id}/${file}`, 'utf8').trim()
}

s.test('cgroupsPath: the process is in that cgroup in every hierarchy (host view)', (t) => {
  const id = s.id('cgpath')
  const pid = s.started(t, id)
  const want = `${s.env.cgroupParent}/${id}`
  const lines = procCgroups(pid)
  t.true(lines.length > 0)
  for (const line of lines) t.true(line.endsWith(`:${want}`), `${line} (want ${want})`)
  s.remove(id)
})

s.test('resources: memory limit, pids limit and cpu shares are written to the container cgroup', (t) => {
  const id = s.id('resources')
  s.started(t, id, ['sleep', '1000'], (sp) => {
    sp.linux!.resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 50 }, cpu: { shares: 512 } }
  })
  t.is(hostCgroupFile(id, 'memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024))
  t.is(hostCgroupFile(id, 'pids', 'pids.max'), '50')
  t.is(hostCgroupFile(id, 'cpu', 'cpu.shares'), '512')
  s.remove(id)
})

s.test('resources: the pids limit is enforced inside the container', (t) => {
  const r = s.sh('pids-limit', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; echo started', (sp) => {
    sp.linux!.resources = { pids: { limit: 4 } }
  }, { timeout: 20_000 })
  t.regex(r.stderr + r.stdout, /Resource temporarily unavailable|can't fork/, describe('run', r))
})

s.test('update --resources - changes the limits of a running container', (t) => {
  const id = s.id('update')
  s.started(t, id, ['sleep', '1000'], (sp) => { sp.linux!.resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 50 } } })
  const r = s.rt(['update', '--resources', '-', id], { input: JSON.stringify({ memory: { limit: 32 * 1024 * 1024 }, pids: { limit: 20 } }) })
  t.is(r.status, 0, describe('update', r))
  t.true(waitFor(() => hostCgroupFile(id, 'memory', 'memory.limit_in_bytes') === String(32 * 1024 * 1024)))
  t.is(hostCgroupFile(id, 'pids', 'pids.max'), '20')
  s.remove(id)
})

s.test('the container cgroup is removed by delete', (t) => {
  const id = s.id('cg-removed')
  s.started(t, id)
  t.true(existsSync(`/sys/fs/cgroup/memory${s.env.cgroupParent}/${id}`))
  s.remove(id)
  for (const h of ['cpu', 'memory', 'pids', 'freezer', 'devices', 'systemd', 'unified'])
    t.false(existsSync(`/sys/fs/cgroup/${h}${s.env.cgroupParent}/${id}`), h)
})

s.finish()
