// start: open the exec fifo for reading, which lets the init exec the user process.
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs'
import { O_CLOEXEC } from '../sys/fs'
import { TsrunError } from '../errors'
import { checkTransition } from '../state/transitions'
import { readProcStat } from '../state/status'
import { loadContainer, type Loaded } from './container'
import { runHooks } from './hooks'
import { killAndWait } from './delete'
import type { Hooks } from '../spec'

const sleep = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }

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
      sleep(waited < 100 ? 0.2 : 2)
    }
  } finally {
    closeSync(fd)
  }
  unlinkSync(fifo)
}

export function startContainer(root: string, id: string): void {
  const c = loadContainer(root, id)
  checkTransition('start', c.status, id)
  runStartHooks(c, () => releaseInit(c.paths.fifo, c.record.pid, c.record.startTime))
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
