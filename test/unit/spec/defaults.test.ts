import test from 'ava'
import { defaultSpec, validateSpec } from '../../../src/spec'

test('default spec validates and matches runc spec', (t) => {
  const spec = defaultSpec({ rootless: false })
  t.is(validateSpec(JSON.parse(JSON.stringify(spec))).ociVersion, '1.3.0')
  t.is(spec.hostname, 'tsrun')
  t.deepEqual(spec.root, { path: 'rootfs', readonly: true })
  t.deepEqual(spec.process?.args, ['sh'])
  t.true(spec.process?.terminal)
  t.true(spec.process?.noNewPrivileges)
  t.deepEqual(spec.process?.user, { uid: 0, gid: 0 })
  t.deepEqual(spec.process?.capabilities, {
    bounding: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
    effective: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
    permitted: ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],
  })
  t.deepEqual(spec.process?.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }])
  t.deepEqual(spec.mounts?.map((m) => `${m.destination} ${m.type}`), [
    '/proc proc',
    '/dev tmpfs',
    '/dev/pts devpts',
    '/dev/shm tmpfs',
    '/dev/mqueue mqueue',
    '/sys sysfs',
    '/sys/fs/cgroup cgroup',
  ])
  t.deepEqual(spec.linux?.namespaces?.map((ns) => ns.type), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'])
  t.deepEqual(spec.linux?.resources, { devices: [{ allow: false, access: 'rwm' }] })
  t.is(spec.linux?.maskedPaths?.length, 10)
  t.deepEqual(spec.linux?.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'])
  t.is(spec.linux?.uidMappings, undefined)
})

test('rootless default spec validates and matches runc spec --rootless', (t) => {
  const spec = defaultSpec({ rootless: true, hostUid: 1000, hostGid: 1001 })
  validateSpec(JSON.parse(JSON.stringify(spec)))
  t.deepEqual(spec.linux?.namespaces?.map((ns) => ns.type), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user'])
  t.deepEqual(spec.linux?.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }])
  t.deepEqual(spec.linux?.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }])
  t.is(spec.linux?.resources, undefined)
  t.deepEqual(spec.mounts?.map((m) => `${m.destination} ${m.type}`), [
    '/proc proc',
    '/dev tmpfs',
    '/dev/pts devpts',
    '/dev/shm tmpfs',
    '/dev/mqueue mqueue',
    '/sys none',
  ])
  t.deepEqual(spec.mounts?.find((m) => m.destination === '/dev/pts')?.options, [
    'nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620',
  ])
  t.deepEqual(spec.mounts?.at(-1), {
    destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
  })
})

test('rootless default maps the effective ids of the caller when none are given', (t) => {
  const spec = defaultSpec({ rootless: true })
  t.is(spec.linux?.uidMappings?.[0]?.hostID, process.geteuid?.() ?? 0)
  t.is(spec.linux?.gidMappings?.[0]?.hostID, process.getegid?.() ?? 0)
})

test('each call returns a fresh spec', (t) => {
  const a = defaultSpec({ rootless: false })
  a.process?.args.push('-c')
  a.mounts?.[1]?.options?.push('ro')
  const b = defaultSpec({ rootless: false })
  t.deepEqual(b.process?.args, ['sh'])
  t.deepEqual(b.mounts?.[1]?.options, ['nosuid', 'strictatime', 'mode=755', 'size=65536k'])
})
