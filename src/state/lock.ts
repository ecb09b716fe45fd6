// One flock per container: every operation on a container holds it until it exits.
// Re-entrant within a process (run = create + start + delete takes it once).
import { closeSync, openSync } from 'node:fs'
import { lockExclusive } from '../sys/fs'

const held = new Map<string, number>()

/** Take the container's lock (no-op if this process holds it); the returned function releases it. */
export function lockContainer(lockPath: string): () => void {
  if (held.has(lockPath)) return () => {}
  const fd = openSync(lockPath, 'a', 0o600)
  lockExclusive(fd, lockPath)
  held.set(lockPath, fd)
  return () => { held.delete(lockPath); closeSync(fd) }
}
