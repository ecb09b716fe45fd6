// `process` of config.json, and the whole of an `exec --process` file.

import {
  absolutePath,
  arrayOf,
  bool,
  distinct,
  fail,
  int32,
  integer,
  keyPath,
  nonEmptyArray,
  object,
  oneOf,
  opt,
  rangeList,
  str,
  strings,
  then,
  uint16,
  uint32,
  uint64,
} from './check'
import { IOPRIO_CLASSES, RLIMIT_TYPES, SCHEDULER_FLAGS, SCHEDULER_POLICIES } from './enums'
import type {
  Box,
  Capabilities,
  ExecCPUAffinity,
  IOPriority,
  Process,
  Rlimit,
  Scheduler,
  User,
} from './types'

const user = object<User>({
  uid: uint32,
  gid: uint32,
  umask: opt(uint32),
  additionalGids: opt(arrayOf(uint32, 'integers')),
  username: opt(str),
})

// struct winsize holds unsigned shorts.
const box = object<Box>({ height: uint16, width: uint16 })

const capabilities = object<Capabilities>({
  bounding: opt(strings),
  effective: opt(strings),
  inheritable: opt(strings),
  permitted: opt(strings),
  ambient: opt(strings),
})

const rlimit = object<Rlimit>(
  { type: oneOf(RLIMIT_TYPES, 'rlimit'), soft: uint64, hard: uint64 },
  (r, p) => {
    if (r.soft > r.hard) fail(keyPath(p, 'soft'), `must not be greater than hard (${r.hard})`)
  },
)

const rlimits = then(arrayOf(rlimit), distinct((r) => r.type, 'type', 'rlimit'))

const scheduler = object<Scheduler>({
  policy: oneOf(SCHEDULER_POLICIES, 'scheduler policy'),
  nice: opt(integer(-20, 19)),
  priority: opt(int32),
  flags: opt(arrayOf(oneOf(SCHEDULER_FLAGS, 'scheduler flag'), 'strings')),
  runtime: opt(uint64),
  deadline: opt(uint64),
  period: opt(uint64),
})

const ioPriority = object<IOPriority>({
  class: oneOf(IOPRIO_CLASSES, 'I/O priority class'),
  priority: integer(0, 7),
})

const execCPUAffinity = object<ExecCPUAffinity>({ initial: opt(rangeList('CPU')), final: opt(rangeList('CPU')) })

const processObject = object<Process>({
  terminal: opt(bool),
  consoleSize: opt(box),
  user,
  args: nonEmptyArray(strings),
  commandLine: opt(str),
  env: opt(strings),
  cwd: absolutePath,
  capabilities: opt(capabilities),
  rlimits: opt(rlimits),
  noNewPrivileges: opt(bool),
  apparmorProfile: opt(str),
  oomScoreAdj: opt(integer(-1000, 1000)),
  scheduler: opt(scheduler),
  selinuxLabel: opt(str),
  ioPriority: opt(ioPriority),
  execCPUAffinity: opt(execCPUAffinity),
})

/** Checks a `process` object (config.json's, or an `exec --process` file) and returns it typed. */
export function validateProcess(raw: unknown, path = 'process'): Process {
  return processObject(raw, path)
}
