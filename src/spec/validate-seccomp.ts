// `linux.seccomp`. Syscall names are not checked here: which names exist depends on the architecture,
// and the spec lets a runtime skip names it does not know; src/seccomp decides.

import {
  arrayOf,
  fail,
  integer,
  keyPath,
  nonEmptyArray,
  object,
  oneOf,
  opt,
  str,
  strings,
  uint32,
  uint64,
} from './check'
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_ERRNO_ACTIONS, SECCOMP_FLAGS, SECCOMP_OPERATORS } from './enums'
import type { SeccompAction } from './enums'
import type { LinuxSeccomp, LinuxSeccompArg, LinuxSyscall } from './types-linux'

const action = oneOf(SECCOMP_ACTIONS, 'seccomp action')

/** The spec: an errno return for an action that has none MUST be an error. */
function errnoOnlyWithErrnoActions(act: SeccompAction, errno: number | undefined, path: string): void {
  if (errno !== undefined && !SECCOMP_ERRNO_ACTIONS.includes(act)) {
    fail(path, `not allowed with ${act} (only with ${SECCOMP_ERRNO_ACTIONS.join(' or ')})`)
  }
}

const arg = object<LinuxSeccompArg>({
  // A syscall has at most six arguments.
  index: integer(0, 5),
  value: uint64,
  valueTwo: opt(uint64),
  op: oneOf(SECCOMP_OPERATORS, 'seccomp operator'),
})

const syscall = object<LinuxSyscall>(
  {
    names: nonEmptyArray(strings),
    action,
    errnoRet: opt(uint32),
    args: opt(arrayOf(arg)),
  },
  (s, p) => errnoOnlyWithErrnoActions(s.action, s.errnoRet, keyPath(p, 'errnoRet')),
)

export const seccomp = object<LinuxSeccomp>(
  {
    defaultAction: action,
    defaultErrnoRet: opt(uint32),
    architectures: opt(arrayOf(oneOf(SECCOMP_ARCHES, 'seccomp architecture'), 'strings')),
    flags: opt(arrayOf(oneOf(SECCOMP_FLAGS, 'seccomp flag'), 'strings')),
    listenerPath: opt(str),
    listenerMetadata: opt(str),
    syscalls: opt(arrayOf(syscall)),
  },
  (s, p) => errnoOnlyWithErrnoActions(s.defaultAction, s.defaultErrnoRet, keyPath(p, 'defaultErrnoRet')),
)
