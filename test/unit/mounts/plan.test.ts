// mounts[] → ops: labels, binds, recursive attributes, tmpcopyup, idmapped trees, masks, the root, devices.
import test from 'ava'
import type { Mount } from '../../../src/spec'
import type { Op } from '../../../src/plan/ops'
import { MOUNT_ATTR, MS } from '../../../src/mounts/flags'
import { initialPropagation, mountLabel, planMaskedPaths, planMounts, planReadonlyRoot, planRootPropagation, rootfsParentPrivate, TREE_SLOTS, type MountContext } from '../../../src/mounts/plan'
import { planDevices } from '../../../src/mounts/devices'
import { opOrigin } from '../../../src/mounts/origin'
import { renderInitError } from '../../../src/runtime/launch'

const ctx = (over: Partial<MountContext> = {}): MountContext => ({
  bundle: '/b',
  facts: { sourceKind: (p) => (p.includes('missing') ? 'missing' : p.endsWith('.conf') ? 'file' : 'dir'), cgroup: { mode: 'v2' } },
  ...over,
})
const plan = (mounts: Mount[], over?: Partial<MountContext>) => planMounts(mounts, ctx(over))
const names = (ops: Op[]) => ops.map((o) => o.op)

test('labels name the mount by index, type, source and destination', (t) => {
  t.is(mountLabel({ destination: '/etc/hosts', type: 'bind', source: '/etc/hosts', options: ['rbind'] }, 4), 'mounts[4] (bind /etc/hosts on /etc/hosts)')
  t.is(mountLabel({ destination: '/proc', type: 'proc', source: 'proc' }, 0), 'mounts[0] (proc on /proc)')
  t.is(mountLabel({ destination: '/dev/shm', type: 'tmpfs', source: 'shm' }, 3), 'mounts[3] (tmpfs shm on /dev/shm)')
  const { ops } = plan([{ destination: '/x', type: 'tmpfs', source: 'tmpfs' }, { destination: '/y', type: 'bind', source: '/y', options: ['bind', 'ro'] }])
  t.deepEqual(ops.map((o) => opOrigin(o)), ['mounts[0] (tmpfs on /x)', 'mounts[1] (bind /y on /y)', 'mounts[1] (bind /y on /y)'])
})

test('an op failure renders with the mount, not the op number', (t) => {
  const { ops } = plan([{ destination: '/etc/hosts', type: 'bind', source: '/h.conf', options: ['rbind'] }])
  t.is(renderInitError(12, 2, ops[0]), 'mounts[0] (bind /h.conf on /etc/hosts): ENOENT: no such file or directory')
  t.is(renderInitError(3, 1, { op: 'SETSID' }), 'op 3 (setsid): EPERM: operation not permitted')
})

test('a missing bind source is an error naming the mount, before anything runs', (t) => {
  t.throws(() => plan([{ destination: '/a', type: 'tmpfs' }, { destination: '/etc/hosts', type: 'bind', source: '/missing/hosts', options: ['rbind'] }]),
    { message: 'mounts[1] (bind /missing/hosts on /etc/hosts): ENOENT: no such file or directory' })
})

test('r* options add one recursive MOUNT_SETATTR after the mount; plain flags keep the bind remount', (t) => {
  const { ops } = plan([{ destination: '/d', type: 'bind', source: '/src', options: ['rbind', 'ro', 'rnosuid', 'rnoatime'] }])
  t.deepEqual(names(ops), ['MOUNT_IN_ROOT', 'MOUNT_IN_ROOT', 'MOUNT_SETATTR'])
  t.like(ops[1], { flags: BigInt(MS.BIND | MS.REMOUNT | MS.RDONLY) })
  t.like(ops[2], { path: '/d', mode: 0, recursive: 1, attrSet: BigInt(MOUNT_ATTR.NOSUID | MOUNT_ATTR.NOATIME), attrClr: BigInt(MOUNT_ATTR._ATIME) })
})

test('tmpcopyup: MOUNT_COPYUP read-write, then read-only by mount_setattr; only for tmpfs', (t) => {
  const { ops } = plan([{ destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'ro', 'nosuid', 'mode=755'] }])
  t.deepEqual(names(ops), ['MOUNT_COPYUP', 'MOUNT_SETATTR'])
  t.like(ops[0], { dest: '/etc', flags: BigInt(MS.NOSUID), data: 'mode=755' })
  t.like(ops[1], { recursive: 0, attrSet: BigInt(MOUNT_ATTR.RDONLY) })
  t.throws(() => plan([{ destination: '/p', type: 'proc', source: 'proc', options: ['tmpcopyup'] }]), { message: /mounts\[0\] \(proc on \/p\): tmpcopyup is only supported on tmpfs mounts/ })
})

test('idmap: the tree is opened and idmapped before CLONE, moved in after; mappings from the mount or the user namespace', (t) => {
  const own = plan([{ destination: '/m', type: 'bind', source: '/src', options: ['rbind', 'idmap', 'ro'], uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 2000, size: 10 }] }])
  t.deepEqual(own.trees, [{ op: 'OPEN_TREE', source: '/src', rec: 1, uidMap: '0 1000 10', gidMap: '0 2000 10', slot: 0 }])
  t.deepEqual(names(own.ops), ['MOVE_TREE', 'MOUNT_IN_ROOT'])
  t.like(own.ops[0], { slot: 0, dest: '/m', create: 1 })
  const ns = plan([
    { destination: '/a', type: 'bind', source: '/a', options: ['bind', 'ridmap'] },
    { destination: '/b.conf', type: 'bind', source: '/b.conf', options: ['bind', 'idmap'] },
  ], { uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] })
  t.deepEqual(ns.trees.map((o) => o.op === 'OPEN_TREE' && [o.rec, o.slot, o.uidMap]), [[2, 0, '0 100000 65536'], [0, 1, '0 100000 65536']])
  t.like(ns.ops[1], { op: 'MOVE_TREE', slot: 1, create: 2 })
  t.throws(() => plan([{ destination: '/a', type: 'bind', source: '/a', options: ['bind', 'idmap'] }]), { message: /idmap needs uidMappings and gidMappings/ })
  t.throws(() => plan([{ destination: '/a', type: 'tmpfs', options: ['idmap'], uidMappings: [], gidMappings: [] }]), { message: /idmap is only supported on bind mounts/ })
  t.throws(() => plan([{ destination: '/a', type: 'bind', source: '/a', options: ['bind'], uidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }]), { message: /need the idmap or ridmap option/ })
  const many = Array.from({ length: TREE_SLOTS + 1 }, (_, i): Mount => ({ destination: `/m${i}`, type: 'bind', source: '/s', options: ['bind', 'idmap'] }))
  t.throws(() => plan(many, { uidMappings: [{ containerID: 0, hostID: 1, size: 1 }], gidMappings: [{ containerID: 0, hostID: 1, size: 1 }] }), { message: /at most 16 idmapped mounts/ })
})

test('the root: parent mount private before the bind, read-only by mount_setattr, propagation last', (t) => {
  t.like(rootfsParentPrivate('/b/rootfs'), { op: 'MOUNT_SETATTR', path: '/b/rootfs', mode: 2, propagation: BigInt(MS.PRIVATE) })
  t.deepEqual(planReadonlyRoot(), [{ op: 'MOUNT_SETATTR', path: '/', mode: 0, recursive: 0, attrSet: 1n, attrClr: 0n, propagation: 0n }])
  t.is(initialPropagation(undefined), MS.SLAVE | MS.REC)
  t.is(initialPropagation(MS.SHARED | MS.REC), MS.SHARED | MS.REC)
  t.is(initialPropagation(MS.UNBINDABLE | MS.REC), MS.SLAVE | MS.REC, 'unbindable host mounts could not be bound in')
  t.like(planRootPropagation('shared')[0], { op: 'MOUNT', target: '/', flags: BigInt(MS.SHARED) })
  t.like(planRootPropagation('runbindable')[0], { flags: BigInt(MS.UNBINDABLE | MS.REC) })
  t.deepEqual(planRootPropagation(undefined), [])
})

test('masked paths: one MASK_SHARED op each, labelled', (t) => {
  const ops = planMaskedPaths(['/proc/kcore', '/sys/firmware'])
  t.deepEqual(ops, [{ op: 'MASK_SHARED', path: '/proc/kcore' }, { op: 'MASK_SHARED', path: '/sys/firmware' }])
  t.is(opOrigin(ops[1]!), 'linux.maskedPaths[1] (/sys/firmware)')
})

test('devices: umask 0 first, then mknod (or binds in a user namespace), labelled by config index', (t) => {
  const ops = planDevices([{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600 }], false)
  t.deepEqual(ops[0], { op: 'UMASK', mask: 0 })
  const fuse = ops.find((o) => o.op === 'MKNOD_IN_ROOT' && o.path === '/dev/fuse')!
  t.like(fuse, { mode: 0o020600 })
  t.is(opOrigin(fuse), 'linux.devices[0] (/dev/fuse)')
  const userns = planDevices([{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }], true)
  t.true(userns.slice(1).every((o) => o.op === 'MOUNT_IN_ROOT'))
})

test('proc and sysfs must be mounted on a real directory (create flag 4); other filesystems follow in-root symlinks', (t) => {
  const mounts: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['ro'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs' },
  ]
  const creates = planMounts(mounts, ctx()).ops
    .filter((o): o is Extract<Op, { op: 'MOUNT_IN_ROOT' }> => o.op === 'MOUNT_IN_ROOT' && o.fstype !== null)
    .map((o) => [o.dest, o.create])
  t.deepEqual(creates, [['/proc', 5], ['/sys', 5], ['/dev', 1]])
})
