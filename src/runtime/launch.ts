// Start the helper, hand it the plan and fds, and follow the conversation until READY (or failure).
import { closeSync } from 'node:fs'
import { encodePlan } from '../plan/codec'
import type { Op } from '../plan/ops'
import { describeOp } from '../plan/format'
import { opOrigin } from '../mounts/origin'
import { decodeMessage, encodeMessage, MSG, OP_INDEX_PROTOCOL, PROTOCOL_MAGIC, PROTOCOL_VERSION } from '../init-protocol/messages'
import { receiveWithFds, send, sendWithFds, seqpacketPair } from '../sys/socket'
import { errnoText } from '../sys/errno-text'
import { TsrunError } from '../errors'
import { protocolMismatch } from './helper-binary'
import { sealedCopy } from '../sys/memfd'
import { spawnChild, type SpawnedChild } from '../sys/spawn'

export interface LaunchOptions {
  helper: string
  ops: readonly Op[]
  fds: readonly number[]
  preserveFds: number
  /** Called with the init's host pid as soon as it exists. */
  onPid(pid: number): void
  /** Called at each SYNC op; the init waits until it returns. */
  onSync(tag: number, pid: number): void
  /** The seccomp notify fd, received from the init (closed after the call). */
  onSeccompFd?(fd: number, pid: number): void
}

/** Why the init failed: the op, its index and the errno, with runc's wording for exec lookups. */
export class InitError extends TsrunError {
  constructor(readonly opIndex: number, readonly errno: number, readonly op: Op | undefined) {
    super(renderInitError(opIndex, errno, op))
  }
}

export function renderInitError(index: number, errno: number, op: Op | undefined): string {
  if (op?.op === 'LOOKUP_EXEC') {
    const f = op.file ?? ''
    if (f.includes('/')) return errno === 2 ? `exec: "${f}": stat ${f}: no such file or directory` : `exec: "${f}": ${errnoText(errno).split(': ')[1]}`
    return errno === 2 ? `exec: "${f}": executable file not found in $PATH` : `exec: "${f}": ${errnoText(errno).split(': ')[1]}`
  }
  const origin = op && opOrigin(op) // the config field the op implements: `mounts[4] (bind /a on /b): ENOENT: ...`
  if (origin) return `${origin}: ${errnoText(errno)}`
  return `op ${index} (${op ? describeOp(op) : 'unknown'}): ${errnoText(errno)}`
}

export interface Launched { child: SpawnedChild; pid: number; sock: number }

/** Wait for the helper to exit (it does right after reporting the pid unless it waits for the init): reap it. */
export function reaped(l: Launched): Promise<void> {
  l.child.waitSync()
  return Promise.resolve()
}

/** The helper's exit status when it waits for the init (foreground run and exec): the init's, shell-style. */
export function helperExited(l: Launched): Promise<number> {
  return l.child.wait()
}

/**
 * Spawn tsrun-init with stdio, preserved fds and the socket; send PLAN; serve PID and SYNC until READY.
 * On failure the init is gone or killed by the caller's cleanup; the socket is closed.
 */
export function launch(o: LaunchOptions): Launched {
  const [sock, childSock] = seqpacketPair()
  const sockFd = 3 + o.preserveFds
  const preserved = Array.from({ length: o.preserveFds }, (_, i) => 3 + i)
  // the helper runs from a sealed memfd copy: nothing in a container can rewrite it (CVE-2019-5736)
  const exe = sealedCopy(o.helper, 'tsrun-init')
  let child: SpawnedChild
  try {
    child = spawnChild(`/proc/self/fd/${sockFd + 1}`, ['tsrun-init', '--sock', String(sockFd)], [0, 1, 2, ...preserved, childSock, exe])
  } catch (e) {
    closeSync(sock)
    throw new TsrunError(`cannot start tsrun-init: ${(e as Error).message}`, 1, { cause: e })
  } finally {
    closeSync(childSock)
    closeSync(exe)
  }
  let pid = 0
  const early: number[] = []
  const serveSync = (tag: number): void => {
    o.onSync(tag, pid)
    send(sock, encodeMessage(MSG.ACK))
  }
  try {
    sendWithFds(sock, encodeMessage(MSG.PLAN, PROTOCOL_MAGIC, PROTOCOL_VERSION, encodePlan(o.ops)), o.fds)
    for (;;) {
      const { data, fds } = receiveWithFds(sock)
      const m = decodeMessage(data)
      if (!m) throw new TsrunError(pid ? 'container init exited before it was ready' : 'tsrun-init exited before it reported the init pid')
      switch (m.type) {
        case MSG.PID:
          pid = m.a
          o.onPid(pid)
          // the init may reach its first SYNC before the helper reports its pid: serve it now
          for (const tag of early.splice(0)) serveSync(tag)
          break
        case MSG.SYNC:
          if (pid === 0) early.push(m.a)
          else serveSync(m.a)
          break
        case MSG.SECCOMP_FD:
          try { o.onSeccompFd?.(fds[0]!, pid) } finally { for (const fd of fds) closeSync(fd) }
          break
        case MSG.READY: return { child, pid, sock }
        case MSG.ERROR:
          if (m.a === OP_INDEX_PROTOCOL) throw protocolMismatch(o.helper, m.b, PROTOCOL_VERSION)
          throw new InitError(m.a, m.b, o.ops[m.a])
        default: throw new TsrunError(`tsrun-init sent an unexpected message type ${m.type}`)
      }
    }
  } catch (e) {
    closeSync(sock)
    if (pid === 0) {
      try { process.kill(child.pid, 'SIGKILL') } catch { /* already gone */ }
      child.waitSync()
    }
    throw e
  }
}
