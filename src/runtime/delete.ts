// delete: remove a stopped (or, as runc does, a created) container; --force kills whatever is there.
import { rmSync } from 'node:fs'
import { sleepSync } from '../sys/sleep'
import { TsrunError } from '../errors'
import { checkTransition } from '../state/transitions'
import { readProcStat } from '../state/status'
import { containerPaths } from '../state/paths'
import { signalProcess } from '../sys/process'
import { log } from '../log/logger'
import { findContainer } from './container'
import { cgroupManager } from './cgroup'
import { ERR } from '../errors'
import { runHooksWarnOnly } from './hooks'
import type { Hooks } from '../spec'
import type { ContainerRecord } from '../state/record'


export function deleteContainer(root: string, id: string, force: boolean): void {
  const c = findContainer(root, id, true)
  if (!c) {
    // an interrupted create can leave a dir without state.json: --force removes it
    const paths = containerPaths(root, id)
    if (force) { rmSync(paths.dir, { recursive: true, force: true }); return }
    throw new TsrunError(ERR.notExist)
  }
  if (!force && c.status !== 'created') checkTransition('delete', c.status, id)
  if (c.status !== 'stopped') {
    // a frozen process cannot die: signal, then thaw (runc does the same for a paused container)
    const thaw = c.status === 'paused' && c.record.cgroupPath
      ? () => cgroupManager(c.record.cgroupPath!, c.record.cgroupCreated).thaw() : undefined
    killAndWait(c.record.pid, c.record.startTime, thaw)
  }
  if (c.record.cgroupPath) {
    try { cgroupManager(c.record.cgroupPath, c.record.cgroupCreated).destroy() } catch (e) {
      if (!force) throw new TsrunError(`unable to remove container cgroup: ${(e as Error).message}`)
      log.warn(`delete --force: ${(e as Error).message}`)
    }
  }
  if (c.record.rootfsMount || c.record.ownedBundle) releaseImageBundle(c.record, force)
  rmSync(c.paths.dir, { recursive: true, force: true })
  const r = c.record
  runHooksWarnOnly(r.hooks as Hooks | undefined, 'poststop', { ociVersion: r.ociVersion, id: r.id, status: 'stopped', bundle: r.bundle, annotations: r.annotations })
}

/** An image bundle: unmount its overlay rootfs; a bundle `run --image` made goes too. Code loaded only then. */
function releaseImageBundle(r: ContainerRecord, force: boolean): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const img = require('../image/rootfs') as typeof import('../image/rootfs')
    if (r.rootfsMount) img.unmountBundleRootfs(r.rootfsMount)
    if (r.ownedBundle) img.removeOwnedBundle(r.ownedBundle)
  } catch (e) {
    if (!force) throw new TsrunError(`unable to remove the container's image rootfs: ${(e as Error).message}`)
    log.warn(`delete --force: ${(e as Error).message}`)
  }
}

/** SIGKILL the init and wait until it is gone or a zombie (its reaper is the caller's subreaper). */
export function killAndWait(pid: number, startTime: string, afterSignal?: () => void): void {
  const alive = (): boolean => {
    const st = readProcStat(pid)
    return st !== undefined && st.startTime === startTime && st.state !== 'Z'
  }
  if (!alive()) return
  signalProcess(pid, 9)
  afterSignal?.()
  for (let i = 0; i < 5000 && alive(); i++) sleepSync(i < 50 ? 0.2 : 2)
}
