// Seccomp at run time: the compiler loaded only for configs that have a filter, and SCMP_ACT_NOTIFY: hand the notify fd and the container process state to linux.seccomp.listenerPath.
import { closeSync } from 'node:fs'
import { connectUnix, sendWithFds } from '../sys/socket'
import { TsrunError } from '../errors'
import type { HookState } from './hooks'

/** One message, as runc sends it: the ContainerProcessState JSON with the fd as SCM_RIGHTS. */
export function sendToSeccompAgent(listenerPath: string, metadata: string | undefined, fd: number, pid: number, state: HookState): void {
  const payload = { ociVersion: state.ociVersion, fds: ['seccompFd'], pid, metadata: metadata ?? '', state }
  let sock: number
  try {
    sock = connectUnix(listenerPath)
  } catch (e) {
    throw new TsrunError(`linux.seccomp.listenerPath: connect ${listenerPath}: ${(e as Error).message}`)
  }
  try {
    sendWithFds(sock, Buffer.from(JSON.stringify(payload)), [fd])
  } finally {
    closeSync(sock)
  }
}

/** compileSeccomp, loaded on first use (most of it is syscall tables: configs without seccomp never parse it). */
export function compileSeccompLazily(...args: Parameters<typeof import('../seccomp').compileSeccomp>): ReturnType<typeof import('../seccomp').compileSeccomp> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../seccomp') as typeof import('../seccomp')).compileSeccomp(...args)
}
