// OCI runtime-spec v1.3.0 config-linux.md, except linux.resources (types-resources.ts).

import type {
  DeviceType,
  MemoryPolicyFlag,
  MemoryPolicyMode,
  NamespaceType,
  PersonalityDomain,
  RootfsPropagation,
  SeccompAction,
  SeccompArch,
  SeccompFlag,
  SeccompOperator,
  TimeOffsetClock,
} from './enums'
import type { IDMapping } from './types'
import type { LinuxResources } from './types-resources'

export interface Linux {
  namespaces?: LinuxNamespace[]
  uidMappings?: IDMapping[]
  gidMappings?: IDMapping[]
  timeOffsets?: { [C in TimeOffsetClock]?: TimeOffset }
  devices?: LinuxDevice[]
  /** Host interface name → how it appears in the container. */
  netDevices?: Record<string, LinuxNetDevice>
  cgroupsPath?: string
  resources?: LinuxResources
  rootfsPropagation?: RootfsPropagation
  seccomp?: LinuxSeccomp
  sysctl?: Record<string, string>
  maskedPaths?: string[]
  readonlyPaths?: string[]
  mountLabel?: string
  intelRdt?: LinuxIntelRdt
  personality?: LinuxPersonality
  memoryPolicy?: LinuxMemoryPolicy
}

export interface LinuxNamespace {
  type: NamespaceType
  /** Join this namespace (absolute path) instead of creating one. */
  path?: string
}

export interface TimeOffset {
  secs?: number // int64
  nanosecs?: number // 0..999999999
}

export interface LinuxDevice {
  /** Absolute path inside the container. */
  path: string
  type: DeviceType
  /** int64; required for c, b and u. */
  major?: number
  minor?: number
  fileMode?: number // uint32
  uid?: number // uint32
  gid?: number // uint32
}

export interface LinuxNetDevice {
  /** Name inside the container; defaults to the host name. */
  name?: string
}

export interface LinuxSeccomp {
  defaultAction: SeccompAction
  defaultErrnoRet?: number // uint32
  architectures?: SeccompArch[]
  flags?: SeccompFlag[]
  listenerPath?: string
  listenerMetadata?: string
  syscalls?: LinuxSyscall[]
}

export interface LinuxSyscall {
  /** At least one name. */
  names: string[]
  action: SeccompAction
  errnoRet?: number // uint32
  args?: LinuxSeccompArg[]
}

export interface LinuxSeccompArg {
  index: number // 0..5
  /** uint64; values above 2^53 have already lost precision in JSON.parse. */
  value: number
  valueTwo?: number
  op: SeccompOperator
}

export interface LinuxIntelRdt {
  closID?: string
  /** Lines written as-is to the resctrl schemata file (v1.3). */
  schemata?: string[]
  l3CacheSchema?: string
  memBwSchema?: string
  /** v1.3: replaces enableCMT/enableMBM. */
  enableMonitoring?: boolean
  /** Before v1.3. */
  enableCMT?: boolean
  enableMBM?: boolean
}

export interface LinuxPersonality {
  domain: PersonalityDomain
  flags?: string[]
}

export interface LinuxMemoryPolicy {
  mode: MemoryPolicyMode
  /** Node list like "0-3,7". Required by the modes that need nodes, forbidden for MPOL_DEFAULT/MPOL_LOCAL. */
  nodes?: string
  flags?: MemoryPolicyFlag[]
}
