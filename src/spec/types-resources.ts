// OCI runtime-spec v1.3.0 linux.resources: the cgroup settings, also the body of `update --resources`.
// int64 fields accept -1 where the kernel reads it as "unlimited" (memory.limit, memory.swap, pids.limit).

import type { DeviceCgroupType } from './enums'

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[]
  memory?: LinuxMemory
  cpu?: LinuxCPU
  pids?: LinuxPids
  blockIO?: LinuxBlockIO
  hugepageLimits?: LinuxHugepageLimit[]
  network?: LinuxNetwork
  /** Device name → limits. */
  rdma?: Record<string, LinuxRdma>
  /** cgroup v2 file name → value. */
  unified?: Record<string, string>
}

export interface LinuxDeviceCgroup {
  allow: boolean
  /** Unset means "a". */
  type?: DeviceCgroupType
  /** int64; unset means any. */
  major?: number
  minor?: number
  /** Some of "rwm". */
  access?: string
}

export interface LinuxMemory {
  limit?: number // int64
  reservation?: number // int64
  swap?: number // int64 (memory+swap)
  /** Deprecated in the spec. */
  kernel?: number // int64
  kernelTCP?: number // int64
  swappiness?: number // 0..100
  disableOOMKiller?: boolean
  useHierarchy?: boolean
  checkBeforeUpdate?: boolean
}

export interface LinuxCPU {
  shares?: number // uint64
  quota?: number // int64
  burst?: number // uint64
  period?: number // uint64
  realtimeRuntime?: number // int64
  realtimePeriod?: number // uint64
  cpus?: string
  mems?: string
  idle?: number // int64
}

export interface LinuxPids {
  /** int64; -1 means no limit. Required before v1.3, where it became optional. */
  limit?: number
}

export interface LinuxBlockIO {
  weight?: number // uint16
  leafWeight?: number // uint16
  weightDevice?: LinuxWeightDevice[]
  throttleReadBpsDevice?: LinuxThrottleDevice[]
  throttleWriteBpsDevice?: LinuxThrottleDevice[]
  throttleReadIOPSDevice?: LinuxThrottleDevice[]
  throttleWriteIOPSDevice?: LinuxThrottleDevice[]
}

export interface LinuxWeightDevice {
  major: number // int64
  minor: number // int64
  weight?: number // uint16
  leafWeight?: number // uint16
}

export interface LinuxThrottleDevice {
  major: number // int64
  minor: number // int64
  rate: number // uint64
}

export interface LinuxHugepageLimit {
  /** Like "2MB" or "1GB". */
  pageSize: string
  limit: number // uint64
}

export interface LinuxNetwork {
  classID?: number // uint32
  priorities?: LinuxInterfacePriority[]
}

export interface LinuxInterfacePriority {
  name: string
  priority: number // uint32
}

export interface LinuxRdma {
  hcaHandles?: number // uint32
  hcaObjects?: number // uint32
}
