// Finds and removes mounts left under a test's private directory.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

export interface MountEntry {
  mountpoint: string
  fstype: string
}

/** The mounts of a process's mount namespace (default: our own), octal escapes decoded. */
export function readMounts(pid: number | 'self' = 'self'): MountEntry[] {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
  } catch {
    return [] // the process (and maybe its namespace) is gone
  }
  const entries: MountEntry[] = []
  for (const line of text.split('\n')) {
    // id parent maj:min root mountpoint options [optional...] - fstype source superoptions
    const [before, after] = line.split(' - ')
    const mountpoint = before?.split(' ')[4]
    const fstype = after?.split(' ')[0]
    if (mountpoint && fstype) entries.push({ mountpoint: unescapeOctal(mountpoint), fstype })
  }
  return entries
}

/** Mount point paths of a process's mount namespace. */
export function mountPoints(pid: number | 'self' = 'self'): string[] {
  return readMounts(pid).map((m) => m.mountpoint)
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** Mount points at or under `dir` as seen by `pid`. */
export function mountsUnder(dir: string, pid: number | 'self' = 'self'): string[] {
  return mountPoints(pid).filter((mp) => mp === dir || mp.startsWith(`${dir}/`))
}

/** Lazily unmounts everything at or under `dir` in our namespace, deepest first; returns what is left. */
export function unmountUnder(dir: string): string[] {
  for (let round = 0; round < 5; round++) {
    const left = mountsUnder(dir).sort((a, b) => b.length - a.length)
    if (left.length === 0) return []
    for (const mp of left) {
      try {
        execFileSync('umount', ['-l', mp], { stdio: 'ignore' })
      } catch {
        // already gone with its parent, or busy: the next round shows what is left
      }
    }
  }
  return mountsUnder(dir)
}
