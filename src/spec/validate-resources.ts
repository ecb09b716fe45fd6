// `linux.resources`, and the whole of an `update --resources` file.

import {
  arrayOf,
  bool,
  fail,
  int64,
  integer,
  keyPath,
  mapOf,
  object,
  oneOf,
  opt,
  rangeList,
  refine,
  str,
  uint16,
  uint32,
  uint64,
} from './check'
import { DEVICE_CGROUP_TYPES } from './enums'
import type {
  LinuxBlockIO,
  LinuxCPU,
  LinuxDeviceCgroup,
  LinuxHugepageLimit,
  LinuxInterfacePriority,
  LinuxMemory,
  LinuxNetwork,
  LinuxPids,
  LinuxRdma,
  LinuxResources,
  LinuxThrottleDevice,
  LinuxWeightDevice,
} from './types-resources'

const deviceCgroup = object<LinuxDeviceCgroup>({
  allow: bool,
  type: opt(oneOf(DEVICE_CGROUP_TYPES, 'device type')),
  major: opt(int64),
  minor: opt(int64),
  access: opt(refine(str, (s) => /^[rwm]*$/.test(s), 'must be made of "r", "w" and "m"')),
})

const memory = object<LinuxMemory>(
  {
    limit: opt(int64),
    reservation: opt(int64),
    swap: opt(int64),
    kernel: opt(int64),
    kernelTCP: opt(int64),
    swappiness: opt(integer(0, 100)),
    disableOOMKiller: opt(bool),
    useHierarchy: opt(bool),
    checkBeforeUpdate: opt(bool),
  },
  (m, p) => {
    // swap is memory+swap, so it cannot be below the memory limit (both kernels reject it).
    if (m.limit !== undefined && m.swap !== undefined && m.limit > 0 && m.swap > 0 && m.swap < m.limit) {
      fail(keyPath(p, 'swap'), `must not be less than limit (${m.limit})`)
    }
  },
)

const cpu = object<LinuxCPU>({
  shares: opt(uint64),
  quota: opt(int64),
  burst: opt(uint64),
  period: opt(uint64),
  realtimeRuntime: opt(int64),
  realtimePeriod: opt(uint64),
  cpus: opt(rangeList('CPU')),
  mems: opt(rangeList('node')),
  // cpu.idle takes 0 (normal) or 1 (SCHED_IDLE).
  idle: opt(integer(0, 1)),
})

const pids = object<LinuxPids>({ limit: opt(int64) })

const weightDevice = object<LinuxWeightDevice>({
  major: int64,
  minor: int64,
  weight: opt(uint16),
  leafWeight: opt(uint16),
})

const throttleDevices = arrayOf(object<LinuxThrottleDevice>({ major: int64, minor: int64, rate: uint64 }))

const blockIO = object<LinuxBlockIO>({
  weight: opt(uint16),
  leafWeight: opt(uint16),
  weightDevice: opt(arrayOf(weightDevice)),
  throttleReadBpsDevice: opt(throttleDevices),
  throttleWriteBpsDevice: opt(throttleDevices),
  throttleReadIOPSDevice: opt(throttleDevices),
  throttleWriteIOPSDevice: opt(throttleDevices),
})

const hugepageLimit = object<LinuxHugepageLimit>({
  pageSize: refine(str, (s) => /^[1-9][0-9]*[KMG]B$/.test(s), 'must be a page size like "2MB"'),
  limit: uint64,
})

const network = object<LinuxNetwork>({
  classID: opt(uint32),
  priorities: opt(arrayOf(object<LinuxInterfacePriority>({ name: str, priority: uint32 }))),
})

const rdma = object<LinuxRdma>({ hcaHandles: opt(uint32), hcaObjects: opt(uint32) })

const resources = object<LinuxResources>({
  devices: opt(arrayOf(deviceCgroup)),
  memory: opt(memory),
  cpu: opt(cpu),
  pids: opt(pids),
  blockIO: opt(blockIO),
  hugepageLimits: opt(arrayOf(hugepageLimit)),
  network: opt(network),
  rdma: opt(mapOf(rdma)),
  unified: opt(mapOf(str)),
})

/** Checks a LinuxResources object (`linux.resources`, or an `update --resources` file) and returns it typed. */
export function validateResources(raw: unknown, path = 'resources'): LinuxResources {
  return resources(raw, path)
}
