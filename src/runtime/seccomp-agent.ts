// SCMP_ACT_NOTIFY: hand the notify fd and the container process state to linux.seccomp.listenerPath.
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
