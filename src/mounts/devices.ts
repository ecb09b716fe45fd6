// /dev contents: default devices, config devices, the standard symlinks.
import type { LinuxDevice, LinuxDeviceCgroup, LinuxResources } from '../spec'
import type { Op } from '../plan/ops'
import { MS } from './flags'
import { cleanDestination } from './plan'
import { fromField } from './origin'

const S_IFCHR = 0o020000
const S_IFBLK = 0o060000
const S_IFIFO = 0o010000

export const DEFAULT_DEVICES: readonly LinuxDevice[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
]

/** makedev as glibc encodes it. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor)
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n)
}

function typeBits(type: string): number {
  return type === 'b' ? S_IFBLK : type === 'p' ? S_IFIFO : S_IFCHR
}

/**
 * Device nodes: mknod, or (inside a user namespace, where mknod is refused) a bind mount of the host's node.
 * Config devices override defaults with the same path.
 */
export function planDevices(configDevices: readonly LinuxDevice[] = [], inUserNs: boolean): Op[] {
  const byPath = new Map<string, { d: LinuxDevice; label: string }>()
  DEFAULT_DEVICES.forEach((d) => byPath.set(d.path, { d, label: `default device ${d.path}` }))
  configDevices.forEach((d, i) => byPath.set(cleanDestination(d.path), { d, label: `linux.devices[${i}] (${d.path})` }))
  // modes are exact, as in runc: the process umask is set again before exec
  const ops: Op[] = [{ op: 'UMASK', mask: 0 }]
  for (const [path, { d, label }] of byPath) {
    if (inUserNs) {
      ops.push(...fromField(label, [{ op: 'MOUNT_IN_ROOT', source: path, dest: path, fstype: null, flags: BigInt(MS.BIND), data: null, create: 2 } as Op]))
      continue
    }
    const mode = typeBits(d.type) | ((d.fileMode ?? 0o666) & 0o7777)
    ops.push(...fromField(label, [{ op: 'MKNOD_IN_ROOT', path, mode, dev: makedev(d.major ?? 0, d.minor ?? 0), uid: d.uid ?? 0, gid: d.gid ?? 0 } as Op]))
  }
  return ops
}

export const DEV_SYMLINKS: readonly [string, string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
  ['/proc/kcore', '/dev/core'],
  ['pts/ptmx', '/dev/ptmx'],
]

export function planDevSymlinks(): Op[] {
  return DEV_SYMLINKS.map(([target, path]) => ({ op: 'SYMLINK_IN_ROOT', target, path }))
}

/** Device cgroup rules runc always appends after the config's: mknod of anything, the default nodes, ptys, tun. */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  ...DEFAULT_DEVICES.map((d) => ({ allow: true, type: 'c' as const, major: d.major, minor: d.minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }, // /dev/net/tun
]

/**
 * linux.resources with the device rules the container needs to work: the config's rules, then the defaults (runc's
 * AllowedDevices). Nodes listed in linux.devices are created but not allowed by themselves, as in runc and youki:
 * resources.devices decides whether they can be opened.
 */
export function resourcesWithDeviceRules(resources: LinuxResources | undefined, _devices: readonly LinuxDevice[] = []): LinuxResources {
  return { ...resources, devices: [...(resources?.devices ?? []), ...DEFAULT_DEVICE_RULES] }
}
