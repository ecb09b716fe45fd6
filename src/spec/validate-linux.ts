// `linux` of config.json (resources and seccomp have their own files).

import {
  absolutePath,
  arrayOf,
  bool,
  distinct,
  fail,
  int64,
  integer,
  keyPath,
  mapOf,
  object,
  oneOf,
  opt,
  rangeList,
  str,
  strings,
  then,
  uint32,
} from './check'
import {
  DEVICE_TYPES,
  MEMORY_POLICY_FLAGS,
  MEMORY_POLICY_MODES,
  NAMESPACE_TYPES,
  PERSONALITY_DOMAINS,
  ROOTFS_PROPAGATIONS,
  TIME_OFFSET_CLOCKS,
} from './enums'
import type { MemoryPolicyMode } from './enums'
import type { IDMapping } from './types'
import type {
  Linux,
  LinuxDevice,
  LinuxIntelRdt,
  LinuxMemoryPolicy,
  LinuxNamespace,
  LinuxNetDevice,
  LinuxPersonality,
  TimeOffset,
} from './types-linux'
import { validateResources } from './validate-resources'
import { seccomp } from './validate-seccomp'

export const idMappings = arrayOf(
  object<IDMapping>({ containerID: uint32, hostID: uint32, size: integer(1, 2 ** 32 - 1) }),
)

const namespaces = then(
  arrayOf(object<LinuxNamespace>({ type: oneOf(NAMESPACE_TYPES, 'namespace'), path: opt(absolutePath) })),
  distinct((ns) => ns.type, 'type', 'namespace'),
)

const timeOffset = object<TimeOffset>({ secs: opt(int64), nanosecs: opt(integer(0, 999_999_999)) })

const timeOffsets = object<NonNullable<Linux['timeOffsets']>>(
  { boottime: opt(timeOffset), monotonic: opt(timeOffset) },
  (offsets, p) => {
    for (const clock of Object.keys(offsets)) {
      if (!(TIME_OFFSET_CLOCKS as readonly string[]).includes(clock)) {
        fail(keyPath(p, clock), `unknown clock ${JSON.stringify(clock)} (only ${TIME_OFFSET_CLOCKS.join(' and ')})`)
      }
    }
  },
)

const device = object<LinuxDevice>(
  {
    path: absolutePath,
    type: oneOf(DEVICE_TYPES, 'device type'),
    major: opt(int64),
    minor: opt(int64),
    fileMode: opt(uint32),
    uid: opt(uint32),
    gid: opt(uint32),
  },
  (d, p) => {
    if (d.type === 'p') return
    if (d.major === undefined) fail(keyPath(p, 'major'), `is required for type "${d.type}"`)
    if (d.minor === undefined) fail(keyPath(p, 'minor'), `is required for type "${d.type}"`)
  },
)

const netDevice = object<LinuxNetDevice>({ name: opt(str) })

const intelRdt = object<LinuxIntelRdt>({
  closID: opt(str),
  schemata: opt(strings),
  l3CacheSchema: opt(str),
  memBwSchema: opt(str),
  enableMonitoring: opt(bool),
  enableCMT: opt(bool),
  enableMBM: opt(bool),
})

const personality = object<LinuxPersonality>({
  domain: oneOf(PERSONALITY_DOMAINS, 'personality domain'),
  flags: opt(strings),
})

// set_mempolicy(2) fails with EINVAL for these combinations.
const MODES_NEEDING_NODES: readonly MemoryPolicyMode[] = [
  'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY',
]
const MODES_WITHOUT_NODES: readonly MemoryPolicyMode[] = ['MPOL_DEFAULT', 'MPOL_LOCAL']

const memoryPolicy = object<LinuxMemoryPolicy>(
  {
    mode: oneOf(MEMORY_POLICY_MODES, 'memory policy mode'),
    nodes: opt(rangeList('node')),
    flags: opt(arrayOf(oneOf(MEMORY_POLICY_FLAGS, 'memory policy flag'), 'strings')),
  },
  (m, p) => {
    const hasNodes = m.nodes !== undefined && m.nodes.trim() !== ''
    if (!hasNodes && MODES_NEEDING_NODES.includes(m.mode)) fail(keyPath(p, 'nodes'), `is required for mode ${m.mode}`)
    if (hasNodes && MODES_WITHOUT_NODES.includes(m.mode)) fail(keyPath(p, 'nodes'), `must be empty for mode ${m.mode}`)
    if (m.flags?.includes('MPOL_F_STATIC_NODES') && m.flags.includes('MPOL_F_RELATIVE_NODES')) {
      fail(keyPath(p, 'flags'), 'MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive')
    }
  },
)

/** Rules between fields: settings that only make sense for a namespace the container creates. */
function checkNamespaceUse(linux: Linux, p: string): void {
  const find = (type: string) => linux.namespaces?.find((ns) => ns.type === type)
  if (find('user') === undefined) {
    if (linux.uidMappings !== undefined) fail(keyPath(p, 'uidMappings'), 'requires a user namespace')
    if (linux.gidMappings !== undefined) fail(keyPath(p, 'gidMappings'), 'requires a user namespace')
  }
  if (linux.timeOffsets !== undefined) {
    const time = find('time')
    if (time === undefined) fail(keyPath(p, 'timeOffsets'), 'requires a time namespace')
    if (time.path !== undefined) fail(keyPath(p, 'timeOffsets'), 'cannot be set when joining an existing time namespace')
  }
}

export const linux = object<Linux>(
  {
    namespaces: opt(namespaces),
    uidMappings: opt(idMappings),
    gidMappings: opt(idMappings),
    timeOffsets: opt(timeOffsets),
    devices: opt(arrayOf(device)),
    netDevices: opt(mapOf(netDevice)),
    cgroupsPath: opt(str),
    resources: opt(validateResources),
    rootfsPropagation: opt(oneOf(ROOTFS_PROPAGATIONS, 'rootfs propagation')),
    seccomp: opt(seccomp),
    sysctl: opt(mapOf(str)),
    maskedPaths: opt(arrayOf(absolutePath, 'strings')),
    readonlyPaths: opt(arrayOf(absolutePath, 'strings')),
    mountLabel: opt(str),
    intelRdt: opt(intelRdt),
    personality: opt(personality),
    memoryPolicy: opt(memoryPolicy),
  },
  checkNamespaceUse,
)
