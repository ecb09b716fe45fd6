// Load a container's record with its computed status, under its lock.
import { existsSync } from 'node:fs'
import { ERR, TsrunError } from '../errors'
import type { ContainerStatus, State } from '../spec'
import { checkId, containerPaths, type ContainerPaths } from '../state/paths'
import { readRecord, type ContainerRecord } from '../state/record'
import { currentStatus } from '../state/status'
import { lockContainer } from '../state/lock'

export interface Loaded { record: ContainerRecord; paths: ContainerPaths; status: ContainerStatus }

/** The container, or undefined if it does not exist. `lock` takes its flock first. */
export function findContainer(root: string, id: string, lock: boolean): Loaded | undefined {
  checkId(id)
  const paths = containerPaths(root, id)
  if (!existsSync(paths.dir)) return undefined
  if (lock) {
    try { lockContainer(paths.lock) } catch { return undefined }
  }
  const record = readRecord(paths.state)
  if (!record) return undefined
  return { record, paths, status: currentStatus(record, paths.fifo, () => frozen(record)) }
}

export function loadContainer(root: string, id: string, lock = true): Loaded {
  const c = findContainer(root, id, lock)
  if (!c) throw new TsrunError(ERR.notExist)
  return c
}

/** Whether the container's cgroup is frozen; loads the cgroup code only for live containers. */
function frozen(record: ContainerRecord): boolean {
  if (!record.cgroupPath) return false
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cgroupManager } = require('./cgroup') as typeof import('./cgroup')
  try { return cgroupManager(record.cgroupPath).isFrozen() } catch { return false }
}

/** The OCI state object, as `state` prints it (runc's field order). */
export function ociState(c: Loaded): State & { rootfs: string; created: string; owner: string } {
  const s = {
    ociVersion: c.record.ociVersion,
    id: c.record.id,
    pid: c.status === 'stopped' ? 0 : c.record.pid,
    status: c.status,
    bundle: c.record.bundle,
    rootfs: c.record.rootfs,
    created: c.record.created,
    ...(c.record.annotations && Object.keys(c.record.annotations).length ? { annotations: c.record.annotations } : {}),
    owner: c.record.owner,
  }
  return s
}
