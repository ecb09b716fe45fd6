// One lock per container: every operation on a container holds it until it exits. A lock file created with
// O_EXCL holds the owner's pid and start time; a lock whose owner is gone (crash, SIGKILL) is taken over.
// No flock: that would need koffi, which start, kill and delete otherwise never load (~9 ms each).
// Re-entrant within a process (run = create + start + delete takes it once).
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { sleepSync } from '../sys/sleep'
import { TsrunError } from '../errors'
import { readProcStat } from './status'

const held = new Set<string>()
let cleanupHooked = false

function ownerAlive(lockPath: string): boolean {
  let owner: string
  try { owner = readFileSync(lockPath, 'utf8') } catch { return true } // being written or just removed: retry
  const [pid, start] = owner.split(' ')
  if (!pid || !start) return true
  const st = readProcStat(Number(pid))
  return st !== undefined && st.startTime === start && st.state !== 'Z'
}

/** Take the container's lock (no-op if this process holds it); the returned function releases it. */
export function lockContainer(lockPath: string, timeoutMs = 30_000): () => void {
  if (held.has(lockPath)) return () => {}
  const me = `${process.pid} ${readProcStat(process.pid)?.startTime ?? ''}`
  for (let waited = 0; ; waited++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600)
      writeSync(fd, me)
      closeSync(fd)
      break
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'EEXIST') throw e
      if (!ownerAlive(lockPath)) { try { unlinkSync(lockPath) } catch { /* someone else took it over */ } continue }
      if (waited * 2 > timeoutMs) throw new TsrunError(`timed out waiting for the container lock ${lockPath}`)
      sleepSync(2)
    }
  }
  held.add(lockPath)
  if (!cleanupHooked) {
    cleanupHooked = true
    process.once('exit', () => { for (const p of held) try { unlinkSync(p) } catch { /* dir removed */ } })
  }
  return () => {
    if (!held.delete(lockPath)) return
    try { unlinkSync(lockPath) } catch { /* dir removed by delete */ }
  }
}
