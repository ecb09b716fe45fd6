// The OCI features document (features.md): what this build of tsrun supports, from its own tables.
import { HOOK_NAMES, NAMESPACE_TYPES, type Features } from '../spec'
import { CAPABILITIES } from '../caps/table'
import { MOUNT_OPTION_NAMES } from '../mounts/flags'
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPERATORS } from '../seccomp'

export function featuresDocument(): Features {
  const flags = [...SECCOMP_FLAGS] as string[]
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: '1.3.0',
    hooks: [...HOOK_NAMES],
    mountOptions: [...MOUNT_OPTION_NAMES],
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: {
        enabled: true,
        actions: [...SECCOMP_ACTIONS],
        operators: [...SECCOMP_OPERATORS],
        archs: [...SECCOMP_ARCHES],
        knownFlags: flags,
        supportedFlags: flags,
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: false },
    } as Features['linux'],
    annotations: { 'io.github.tsrun.plan.version': '1' },
    potentiallyUnsafeConfigAnnotations: [],
  }
}
