// One flock per container: every operation on a container holds it.
import { closeSync, openSync } from 'node:fs'
import { lockExclusive } from '../sys/fs'

/** Take the container's lock; the returned function releases it (exit releases it too). */
export function lockContainer(lockPath: string): () => void {
  const fd = openSync(lockPath, 'a', 0o600)
  lockExclusive(fd, lockPath)
  return () => closeSync(fd)
}
