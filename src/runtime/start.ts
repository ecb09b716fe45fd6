// start: open the exec fifo for reading, which lets the init exec the user process.
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs'
import { sleepSync } from '../sys/sleep'
import { O_CLOEXEC } from '../sys/fs'
import { TsrunError } from '../errors'
import { checkTransition } from '../state/transitions'
import { readProcStat } from '../state/status'
import { loadContainer, type Loaded } from './container'
import { runHooks } from './hooks'
import { killAndWait } from './delete'
import type { Hooks } from '../spec'


/** Read the init's byte from the fifo; give up if the init dies first. */
export function releaseInit(fifo: string, pid: number, startTime: string): void {
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK | O_CLOEXEC)
  try {
    const buf = Buffer.alloc(1)
    const readByte = (): boolean => {
      try {
        return readSync(fd, buf, 0, 1, null) === 1
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
        return false
      }
    }
    for (let waited = 0; !readByte(); waited++) {
      const st = readProcStat(pid)
      // the init may have written its byte, exec'd and exited between our read and this check: read once more
      if ((!st || st.startTime !== startTime || st.state === 'Z') && !readByte()) throw new TsrunError('cannot start a container that has stopped')
      if (!st || st.startTime !== startTime || st.state === 'Z') break
      sleepSync(waited < 100 ? 0.2 : 2)
    }
  } finally {
    closeSync(fd)
  }
  unlinkSync(fifo)
}

export function startContainer(root: string, id: string): void {
  const host = process.env.NOTIFY_SOCKET
  const notify = host ? notifySocket() : undefined
  const unlock = notify?.lockForStart(root, id)
  const c = loadContainer(root, id)
  checkTransition('start', c.status, id)
  const release = (): void => releaseInit(c.paths.fifo, c.record.pid, c.record.startTime)
  if (!notify) return runStartHooks(c, release)
  // sd_notify (runc): listen before the release, then wait for READY=1 and forward it with MAINPID=<init>
  const listener = notify.ReadyListener.open(c.paths.dir, host!)
  try {
    runStartHooks(c, release)
    unlock!()
    listener?.waitSync(c.record, c.record.pid)
  } finally {
    listener?.close()
  }
}

/** The sd_notify proxy, loaded only when NOTIFY_SOCKET is set (it needs koffi, which start otherwise never loads). */
export function notifySocket(): typeof import('./notify-socket') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./notify-socket') as typeof import('./notify-socket')
}

/**
 * startContainer hooks (in the container's namespaces and root), the release of the init, then poststart hooks.
 * A failing poststart hook is an error (spec 1.3) and stops the container.
 */
export function runStartHooks(c: Loaded, release: () => void): void {
  const hooks = c.record.hooks as Hooks | undefined
  const state = (status: string) => ({ ociVersion: c.record.ociVersion, id: c.record.id, status, pid: c.record.pid, bundle: c.record.bundle, annotations: c.record.annotations })
  try {
    runHooks(hooks, 'startContainer', state('created'), { in: 'container', pid: c.record.pid })
  } catch (e) {
    killAndWait(c.record.pid, c.record.startTime)
    throw e
  }
  release()
  try {
    runHooks(hooks, 'poststart', state('running'))
  } catch (e) {
    killAndWait(c.record.pid, c.record.startTime)
    throw e
  }
}
