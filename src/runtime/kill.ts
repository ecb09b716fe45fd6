// kill: signal the init (or, with --all, every process in the container's cgroup).
import { ERR, TsrunError } from '../errors'
import { checkTransition } from '../state/transitions'
import { pidfdOpen, pidfdSendSignal } from '../sys/process'
import { closeSync } from 'node:fs'
import { loadContainer, type Loaded } from './container'
import { cgroupManager } from './cgroup'

export function killContainer(root: string, id: string, signal: number, all: boolean): void {
  const c = loadContainer(root, id)
  if (all && c.status === 'stopped') {
    // the shim calls `kill --all ID 9` after the init exited (shared pid namespace): signal what is left, exit 0
    signalCgroup(c, signal)
    return
  }
  checkTransition('kill', c.status, id)
  if (all) return signalCgroup(c, signal)
  signalInit(c, signal)
}

/** Signal the init through a pidfd, so a reused pid can never be hit. */
export function signalInit(c: Loaded, signal: number): void {
  let fd: number
  try { fd = pidfdOpen(c.record.pid) } catch { throw new TsrunError(ERR.notRunning) }
  try {
    pidfdSendSignal(fd, signal)
  } catch (e) {
    throw new TsrunError(`${ERR.notRunning}: ${(e as Error).message}`)
  } finally {
    closeSync(fd)
  }
}

function signalCgroup(c: Loaded, signal: number): void {
  if (!c.record.cgroupPath) { if (c.status !== 'stopped') signalInit(c, signal); return }
  cgroupManager(c.record.cgroupPath, c.record.cgroupCreated).kill(signal, true)
}
