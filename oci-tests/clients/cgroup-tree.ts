// Cleans up a cgroup path a test created in every hierarchy of the host (v1 and v2).
import { readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { readMounts } from './host-mounts'

/** Mount points of cgroup (v1) and cgroup2 file systems in our namespace. */
export function cgroupMountPoints(): string[] {
  return readMounts()
    .filter((m) => m.fstype === 'cgroup' || m.fstype === 'cgroup2')
    .map((m) => m.mountpoint)
}

/** The existing directories of cgroup path `rel` (e.g. "/tsrun-test-ab12"), one per hierarchy. */
export function cgroupDirs(rel: string): string[] {
  return cgroupMountPoints()
    .map((mp) => join(mp, rel))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory()
      } catch {
        return false
      }
    })
}

/** Pids in the cgroup subtree `rel`, in any hierarchy. */
export function cgroupTreePids(rel: string): number[] {
  const pids = new Set<number>()
  const visit = (dir: string): void => {
    let procs = ''
    try {
      procs = readFileSync(join(dir, 'cgroup.procs'), 'utf8')
    } catch {
      return // removed meanwhile
    }
    for (const line of procs.split('\n')) if (line !== '') pids.add(Number(line))
    for (const sub of subdirs(dir)) visit(sub)
  }
  for (const dir of cgroupDirs(rel)) visit(dir)
  return [...pids]
}

/** rmdir the subtree `rel` bottom-up in every hierarchy; returns the directories that stayed. */
export function removeCgroupTree(rel: string): string[] {
  const left: string[] = []
  const remove = (dir: string): void => {
    for (const sub of subdirs(dir)) remove(sub)
    try {
      rmdirSync(dir)
    } catch {
      left.push(dir)
    }
  }
  for (const dir of cgroupDirs(rel)) remove(dir)
  return left
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name))
  } catch {
    return []
  }
}
