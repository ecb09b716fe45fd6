// state.json: what tsrun remembers about a container between calls. Written atomically.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'

export interface ContainerRecord {
  ociVersion: string
  id: string
  pid: number
  /** /proc/<pid>/stat field 22 at create time: defeats pid reuse. */
  startTime: string
  bundle: string
  rootfs: string
  created: string
  annotations?: Record<string, string>
  owner: string
  /** The resolved cgroup path (under every hierarchy root), or undefined when cgroups are not used. */
  cgroupPath?: string
  /** The cgroup dirs create made: destroy removes exactly these, never a cgroup tsrun did not create. */
  cgroupCreated?: string[]
  /** Namespace types the container created (a shared pid namespace changes `kill --all` and delete). */
  namespaces: string[]
  /** Paths of namespaces the container joined, by type. */
  joined?: Record<string, string>
  /** Hooks to run at start/stop (from config.json at create time: later edits must not matter). */
  hooks?: unknown
  /** Whether the init was created in a new user namespace. */
  userns?: boolean
  /** An image bundle's overlay rootfs that create mounted (on the host): delete unmounts it. */
  rootfsMount?: string
  /** A bundle `run --image` made for this container: delete removes it (and its reference in the store). */
  ownedBundle?: { dir: string; store: string }
}

export function writeRecord(path: string, rec: ContainerRecord): void {
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 })
  renameSync(tmp, path)
}

export function readRecord(path: string): ContainerRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ContainerRecord
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}
