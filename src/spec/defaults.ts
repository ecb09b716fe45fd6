// The config.json `tsrun spec` writes: runc 1.1's `runc spec` (specconv.Example, and ToRootless for
// --rootless) with ociVersion 1.3.0 and hostname "tsrun".

import type { Mount, Spec } from './types'

export interface DefaultSpecOptions {
  rootless: boolean
  /** Host ids mapped to root in the rootless variant; default: the effective ids of this process. */
  hostUid?: number
  hostGid?: number
}

const CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']

function standardMounts(): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
  ]
}

function rootfulSpec(): Spec {
  return {
    ociVersion: '1.3.0',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...CAPABILITIES], effective: [...CAPABILITIES], permitted: [...CAPABILITIES] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'tsrun',
    mounts: standardMounts(),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  }
}

/**
 * runc's ToRootless: a user namespace mapping the caller to root and no network namespace (sysfs cannot be
 * mounted without one, so /sys becomes a read-only rbind and nothing else under /sys is mounted), no
 * uid=/gid= mount options (those ids are unmapped), and no cgroup resources.
 */
function makeRootless(spec: Spec, hostUid: number, hostGid: number): Spec {
  const linux = spec.linux ?? {}
  linux.namespaces = [...(linux.namespaces ?? []).filter((ns) => ns.type !== 'network' && ns.type !== 'user'), { type: 'user' }]
  linux.uidMappings = [{ containerID: 0, hostID: hostUid, size: 1 }]
  linux.gidMappings = [{ containerID: 0, hostID: hostGid, size: 1 }]
  delete linux.resources
  spec.linux = linux
  const mounts = (spec.mounts ?? [])
    .filter((m) => !m.destination.startsWith('/sys'))
    .map((m) => (m.options === undefined ? m : { ...m, options: m.options.filter((o) => !/^[ug]id=/.test(o)) }))
  mounts.push({ destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] })
  spec.mounts = mounts
  return spec
}

/** A fresh default config.json, as `tsrun spec [--rootless]` writes it. */
export function defaultSpec(opts: DefaultSpecOptions): Spec {
  const spec = rootfulSpec()
  if (!opts.rootless) return spec
  return makeRootless(spec, opts.hostUid ?? process.geteuid?.() ?? 0, opts.hostGid ?? process.getegid?.() ?? 0)
}
