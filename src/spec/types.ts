// OCI runtime-spec v1.3.0 config.json: the platform-independent part and the process.
// Field names and optionality follow config.md; numeric kinds are noted where the spec fixes a width.

import type { HookName, IOPriorityClass, RlimitType, SchedulerFlag, SchedulerPolicy } from './enums'
import type { Linux } from './types-linux'

export interface Spec {
  /** SemVer of the spec the bundle complies with; tsrun accepts any 1.x. */
  ociVersion: string
  /** Optional in config.json; required by `create` (the runtime checks that, not the validator). */
  process?: Process
  /** Optional for Windows only; tsrun is a Linux runtime, so it is required here. */
  root: Root
  hostname?: string
  domainname?: string
  mounts?: Mount[]
  hooks?: Hooks
  annotations?: Record<string, string>
  linux?: Linux
  solaris?: LooseObject
  windows?: LooseObject
  vm?: LooseObject
  zos?: LooseObject
  freebsd?: LooseObject
}

/** Platforms tsrun does not run: kept as opaque JSON objects. */
export type LooseObject = Record<string, unknown>

export interface Root {
  /** Relative paths are relative to the bundle. */
  path: string
  readonly?: boolean
}

export interface Mount {
  destination: string
  type?: string
  source?: string
  options?: string[]
  /** Idmapped mount (Linux). */
  uidMappings?: IDMapping[]
  gidMappings?: IDMapping[]
}

export interface IDMapping {
  containerID: number // uint32
  hostID: number // uint32
  size: number // uint32, at least 1
}

export interface Process {
  terminal?: boolean
  consoleSize?: Box
  /** REQUIRED (POSIX platforms). runc's exec tests omit it and get 0:0; an exec CLI may default it before validating. */
  user: User
  /** At least one entry (the spec's non-Windows rule). */
  args: string[]
  /** Windows only. */
  commandLine?: string
  env?: string[]
  /** Absolute path inside the container. */
  cwd: string
  capabilities?: Capabilities
  rlimits?: Rlimit[]
  noNewPrivileges?: boolean
  apparmorProfile?: string
  oomScoreAdj?: number // -1000..1000
  scheduler?: Scheduler
  selinuxLabel?: string
  ioPriority?: IOPriority
  execCPUAffinity?: ExecCPUAffinity
}

export interface Box {
  height: number // uint
  width: number // uint
}

export interface User {
  uid: number // uint32
  gid: number // uint32
  umask?: number // uint32
  additionalGids?: number[] // uint32
  /** Windows only. */
  username?: string
}

export interface Capabilities {
  bounding?: string[]
  effective?: string[]
  inheritable?: string[]
  permitted?: string[]
  ambient?: string[]
}

export interface Rlimit {
  type: RlimitType
  /** uint64; RLIM_INFINITY (2^64-1) arrives as the double 2^64. */
  soft: number
  hard: number
}

export interface Scheduler {
  policy: SchedulerPolicy
  nice?: number // -20..19
  priority?: number // int32
  flags?: SchedulerFlag[]
  runtime?: number // uint64, ns
  deadline?: number // uint64, ns
  period?: number // uint64, ns
}

export interface IOPriority {
  class: IOPriorityClass
  priority: number // 0 (highest) .. 7 (lowest)
}

export interface ExecCPUAffinity {
  /** CPU list like "0-3,7" for the runtime's helper before it joins the cgroup. */
  initial?: string
  /** CPU list for the process after it joins the cgroup. */
  final?: string
}

export interface Hook {
  /** Absolute path on the host. */
  path: string
  args?: string[]
  env?: string[]
  /** Seconds; at least 1. */
  timeout?: number
}

export type Hooks = { [K in HookName]?: Hook[] }
