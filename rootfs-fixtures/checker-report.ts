// The JSON object printed by the in-container checker (rootfs-fixtures/checker/checker.c).

export type NamespaceName = 'mnt' | 'pid' | 'net' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time'

export type RlimitName =
  | 'AS' | 'CORE' | 'CPU' | 'DATA' | 'FSIZE' | 'LOCKS' | 'MEMLOCK' | 'MSGQUEUE'
  | 'NICE' | 'NOFILE' | 'NPROC' | 'RSS' | 'RTPRIO' | 'RTTIME' | 'SIGPENDING' | 'STACK'

export interface CheckerMount {
  mountpoint: string
  /** the root of the mount within its filesystem (field 4 of mountinfo) */
  root: string
  fstype: string
  source: string
  /** per-mount options, e.g. "rw,nosuid,nodev,relatime" */
  options: string
  /** per-superblock options, e.g. "rw,size=65536k,mode=755" */
  superOptions: string
}

export interface CheckerReport {
  hostname: string | null
  domainname: string | null
  uid: number
  gid: number
  euid: number
  egid: number
  /** getgroups() */
  groups: number[]
  /** the process umask as a number (0o022 = 18) */
  umask: number
  cwd: string | null
  pid: number
  ppid: number
  /** inode numbers of /proc/self/ns/X, null when the namespace type is missing */
  namespaces: Record<NamespaceName, number | null>
  /** hex strings (16 digits) from CapInh/CapPrm/CapEff/CapBnd/CapAmb of /proc/self/status */
  caps: Record<'inh' | 'prm' | 'eff' | 'bnd' | 'amb', string | null>
  /** Seccomp: line of /proc/self/status (0 disabled, 1 strict, 2 filter) */
  seccomp: number | null
  seccompFilters: number | null
  /** prctl(PR_GET_NO_NEW_PRIVS) */
  noNewPrivs: boolean | null
  /** open fds (without the one used to list /proc/self/fd) and their readlink targets */
  fds: Array<{ fd: number; target: string | null }>
  /** [soft, hard]; -1 is unlimited */
  rlimits: Record<RlimitName, [number, number] | null>
  /** lines of /proc/self/cgroup */
  cgroup: string[] | null
  mounts: CheckerMount[] | null
  /** the environment, "NAME=value" */
  env: string[]
}

/** Parses the checker's stdout; throws with the raw text when it is not one JSON object. */
export function parseCheckerReport(stdout: string): CheckerReport {
  try {
    const value: unknown = JSON.parse(stdout)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object')
    return value as CheckerReport
  } catch (err) {
    throw new Error(`checker output is not a JSON object (${(err as Error).message}): ${stdout.slice(0, 500)}`)
  }
}
