import type { PlanOptions } from '../../../src/plan/container'

/** Plan options with host facts faked: bind sources with a dot or known names are files. */
export function planOptions(overrides: Partial<PlanOptions> = {}): PlanOptions {
  return {
    bundle: '/bundle', rootfs: '/bundle/rootfs', noPivot: false, preserveFds: 0, wait: false, cgroupFd: false, capLastCap: 40,
    mountFacts: { sourceKind: (p) => (/\.(\w+)$|hosts|hostname|resolv|containerenv/.test(p) ? 'file' : 'dir'), cgroup: { mode: 'v1', dirs: [['memory', '/sys/fs/cgroup/memory/x']] } },
    warn: () => {},
    ...overrides,
  }
}

