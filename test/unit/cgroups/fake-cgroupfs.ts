// A cgroupfs stand-in in a temp dir: directories get the interface files the kernel would create, and
// rmdir works on directories that only hold interface files. Nothing here validates values.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { CgroupFsOps } from '../../../src/cgroups/cgroupfs'
import type { DevicePolicy } from '../../../src/cgroups/devices/policy'

const V2_CORE: Record<string, string> = {
  'cgroup.procs': '',
  'cgroup.subtree_control': '',
  'cgroup.events': 'populated 0\nfrozen 0\n',
  'cgroup.freeze': '0\n',
  'cgroup.kill': '',
  'cgroup.type': 'domain\n',
  'cpu.stat': 'usage_usec 0\nuser_usec 0\nsystem_usec 0\n',
}

const V2_CONTROLLER_FILES: Record<string, Record<string, string>> = {
  cpu: { 'cpu.weight': '100\n', 'cpu.max': 'max 100000\n', 'cpu.max.burst': '0\n', 'cpu.idle': '0\n' },
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '', 'cpuset.cpus.effective': '0-1\n', 'cpuset.mems.effective': '0\n' },
  memory: {
    'memory.max': 'max\n', 'memory.swap.max': 'max\n', 'memory.low': '0\n', 'memory.high': 'max\n', 'memory.min': '0\n',
    'memory.current': '0\n', 'memory.swap.current': '0\n', 'memory.events': 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
    'memory.stat': 'anon 0\nfile 0\n', 'memory.oom.group': '0\n',
  },
  io: { 'io.max': '', 'io.weight': 'default 100\n', 'io.stat': '' },
  pids: { 'pids.max': 'max\n', 'pids.current': '0\n' },
  hugetlb: { 'hugetlb.2MB.max': 'max\n', 'hugetlb.2MB.current': '0\n', 'hugetlb.2MB.events': 'max 0\n' },
  rdma: { 'rdma.max': '' },
}

const V1_FILES: Record<string, Record<string, string>> = {
  cpu: { 'cpu.shares': '1024\n', 'cpu.cfs_period_us': '100000\n', 'cpu.cfs_quota_us': '-1\n', 'cpu.stat': 'nr_periods 0\nnr_throttled 0\nthrottled_time 0\n' },
  cpuacct: { 'cpuacct.usage': '0\n', 'cpuacct.usage_percpu': '0 0 \n', 'cpuacct.stat': 'user 0\nsystem 0\n' },
  cpuset: { 'cpuset.cpus': '\n', 'cpuset.mems': '\n' },
  memory: {
    'memory.limit_in_bytes': '9223372036854771712\n', 'memory.memsw.limit_in_bytes': '9223372036854771712\n',
    'memory.soft_limit_in_bytes': '9223372036854771712\n', 'memory.usage_in_bytes': '0\n', 'memory.max_usage_in_bytes': '0\n',
    'memory.failcnt': '0\n', 'memory.swappiness': '60\n', 'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n',
    'memory.stat': 'cache 0\nrss 0\n',
  },
  devices: { 'devices.allow': '', 'devices.deny': '', 'devices.list': 'a *:* rwm\n' },
  freezer: { 'freezer.state': 'THAWED\n' },
  blkio: { 'blkio.throttle.read_bps_device': '', 'blkio.throttle.write_bps_device': '', 'blkio.throttle.io_service_bytes_recursive': 'Total 0\n' },
  pids: { 'pids.max': 'max\n', 'pids.current': '0\n' },
  'name=systemd': {},
}

function writeAll(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
}

export interface FakeCgroupfs {
  root: string
  ops: CgroupFsOps
  policies: Array<{ dir: string; policy: DevicePolicy }>
  read(path: string): string
  write(path: string, content: string): void
  exists(path: string): boolean
  cleanup(): void
}

function fakeOps(populate: (dir: string) => void, policies: FakeCgroupfs['policies']): CgroupFsOps {
  return {
    mkdir(dir) {
      mkdirSync(dir) // EEXIST / ENOENT as the kernel would say
      populate(dir)
    },
    rmdir(dir) {
      if (!existsSync(dir)) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' })
      if (readdirSync(dir, { withFileTypes: true }).some((e) => e.isDirectory())) {
        throw Object.assign(new Error(`EBUSY: ${dir}`), { code: 'EBUSY' })
      }
      if (readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim() !== '') {
        throw Object.assign(new Error(`EBUSY: ${dir}`), { code: 'EBUSY' })
      }
      rmSync(dir, { recursive: true })
    },
    setDevicePolicyV2(dir, policy) {
      policies.push({ dir, policy })
    },
  }
}

function fake(root: string, ops: CgroupFsOps, policies: FakeCgroupfs['policies']): FakeCgroupfs {
  return {
    root,
    ops,
    policies,
    read: (p) => readFileSync(join(root, p), 'utf8'),
    write: (p, c) => writeFileSync(join(root, p), c),
    exists: (p) => existsSync(join(root, p)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** A pure v2 root with these controllers in the root's cgroup.controllers and subtree_control. */
export function fakeV2(controllers: string[] = ['cpu', 'io', 'memory', 'pids']): FakeCgroupfs {
  const root = mkdtempSync(join(tmpdir(), 'tsrun-fake-cg2-'))
  writeAll(root, { ...V2_CORE, 'cgroup.controllers': controllers.join(' ') + '\n', 'cgroup.subtree_control': controllers.join(' ') + '\n' })
  const populate = (dir: string): void => {
    const subtree = readFileSync(join(dirname(dir), 'cgroup.subtree_control'), 'utf8')
    const enabled = subtree.split(/\s+/).filter((w) => w !== '' && !w.startsWith('-')).map((w) => w.replace(/^\+/, ''))
    writeAll(dir, { ...V2_CORE, 'cgroup.controllers': enabled.join(' ') + '\n' })
    for (const c of enabled) writeAll(dir, V2_CONTROLLER_FILES[c] ?? {})
  }
  const policies: FakeCgroupfs['policies'] = []
  return fake(root, fakeOps(populate, policies), policies)
}

/** The mountinfo lines of this repository's hybrid host, for the v1 hierarchies named. */
export function hybridMountinfo(controllers: string[] = Object.keys(V1_FILES)): string {
  const lines = ['31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755']
  controllers.forEach((c, i) => {
    const dir = c === 'name=systemd' ? 'systemd' : c
    lines.push(`${32 + i} 31 0:${29 + i} / /sys/fs/cgroup/${dir} rw,relatime - cgroup cgroup rw,${c}`)
  })
  lines.push('41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw')
  return lines.join('\n') + '\n'
}

/** A hybrid layout like this host's: v1 hierarchies plus cgroup2 at unified/ (with only hugetlb). */
export function fakeHybrid(controllers: string[] = Object.keys(V1_FILES)): FakeCgroupfs {
  const root = mkdtempSync(join(tmpdir(), 'tsrun-fake-hybrid-'))
  const hierarchyOf = new Map<string, string>()
  for (const c of controllers) {
    const dir = join(root, c === 'name=systemd' ? 'systemd' : c)
    mkdirSync(dir)
    writeAll(dir, { 'cgroup.procs': '', ...(V1_FILES[c] ?? {}) })
    hierarchyOf.set(dir, c)
  }
  const unified = join(root, 'unified')
  mkdirSync(unified)
  writeAll(unified, { ...V2_CORE, 'cgroup.controllers': 'hugetlb\n', 'cgroup.subtree_control': '' })
  writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-1\n')
  writeFileSync(join(root, 'cpuset', 'cpuset.mems'), '0\n')
  const populate = (dir: string): void => {
    const top = join(root, dir.slice(root.length + 1).split('/')[0] ?? '')
    if (top === unified) {
      writeAll(dir, { ...V2_CORE, 'cgroup.controllers': '' })
      return
    }
    const c = hierarchyOf.get(top) ?? ''
    writeAll(dir, { 'cgroup.procs': '', ...(V1_FILES[c] ?? {}) })
  }
  const policies: FakeCgroupfs['policies'] = []
  return fake(root, fakeOps(populate, policies), policies)
}
