// File operations on cgroupfs, through node:fs, with errors that name the file, the value and the errno.
import { closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { CgroupError, fsErrorCode } from './cgroup-error'
import type { DevicePolicy } from './devices/policy'

/**
 * What a manager asks of the kernel besides reading and writing interface files; tests replace these
 * to emulate cgroupfs in a temp dir (the real ones are in real-ops.ts).
 */
export interface CgroupFsOps {
  /** Create one cgroup directory (its parent exists); throws an error with code EEXIST if it exists. */
  mkdir(dir: string): void
  /** Remove one cgroup directory that has no children (interface files do not count). */
  rmdir(dir: string): void
  /** Make `policy` the device policy of the cgroup2 directory `dir` (an eBPF program), replacing any other. */
  setDevicePolicyV2(dir: string, policy: DevicePolicy): void
}

/** mkdir(2) and rmdir(2) as cgroupfs wants them. */
export function mkdirCgroup(dir: string): void {
  mkdirSync(dir, { mode: 0o755 })
}

export function rmdirCgroup(dir: string): void {
  rmdirSync(dir)
}

import { sleepSync } from '../sys/sleep'

export { sleepSync }

/**
 * Write `value` to `dir/file` (never creating it), one write(2) per line, as cgroupfs wants for
 * multi-line values such as io.max. Throws `cgroup: write memory.max = "abc": EINVAL`.
 */
export function writeCgroupFile(dir: string, file: string, value: string): void {
  const path = join(dir, file)
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC)
  } catch (err) {
    throw writeError(file, value, path, err)
  }
  try {
    for (const line of value.split('\n')) {
      if (line === '' && value !== '') continue
      try {
        writeSync(fd, line)
      } catch (err) {
        throw writeError(file, line, path, err)
      }
    }
  } finally {
    closeSync(fd)
  }
}

function writeError(file: string, value: string, path: string, err: unknown): CgroupError {
  const code = fsErrorCode(err) ?? String(err)
  return new CgroupError(`cgroup: write ${file} = ${JSON.stringify(value)}: ${code}`, { code, path, cause: err })
}

/** The contents of `dir/file`, or undefined if it does not exist (or the cgroup is gone). */
export function readCgroupFile(dir: string, file: string): string | undefined {
  try {
    return readFileSync(join(dir, file), 'utf8')
  } catch (err) {
    const code = fsErrorCode(err)
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENOTDIR') return undefined
    throw new CgroupError(`cgroup: read ${file}: ${code ?? String(err)}`, { code, path: join(dir, file), cause: err })
  }
}

/** "key value" lines (cpu.stat, memory.stat, memory.events, …) → map; absent file → empty map. */
export function readKeyValues(dir: string, file: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of (readCgroupFile(dir, file) ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/)
    if (k !== undefined && k !== '' && v !== undefined) out.set(k, Number(v))
  }
  return out
}

/** A single-number file; "max" → undefined; absent → undefined. */
export function readNumber(dir: string, file: string): number | undefined {
  const text = readCgroupFile(dir, file)?.trim()
  if (text === undefined || text === '' || text === 'max') return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** The names of the files (not directories) in a cgroup directory; empty when it does not exist. */
export function listFiles(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => e.name))
  } catch {
    return new Set()
  }
}

/** Child cgroup directories of `dir`. */
export function listChildren(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name))
  } catch {
    return []
  }
}

/** The pids in `dir/cgroup.procs` and, when `recursive`, in every descendant cgroup. */
export function readProcs(dir: string, recursive: boolean): number[] {
  const pids: number[] = []
  const visit = (d: string): void => {
    for (const line of (readCgroupFile(d, 'cgroup.procs') ?? '').split('\n')) {
      const pid = Number(line)
      if (line !== '' && Number.isInteger(pid) && pid > 0) pids.push(pid)
    }
    if (recursive) for (const child of listChildren(d)) visit(child)
  }
  visit(dir)
  return pids
}

/** Whether a directory exists. */
export function dirExists(dir: string): boolean {
  try {
    return readdirSync(dir) !== undefined
  } catch {
    return false
  }
}

/**
 * Create `root/path` and any missing ancestors. Returns the directories it created, outermost first, and
 * calls `onCreated` for each right after its mkdir (v1 cpuset needs its values copied before children).
 * If a concurrent destroy removes an ancestor mid-way (ENOENT), the walk starts again.
 */
export function mkdirCgroupPath(ops: CgroupFsOps, root: string, path: string, onCreated?: (dir: string) => void): string[] {
  const created: string[] = []
  const parts = path.split('/').filter(Boolean)
  for (let attempt = 0; ; attempt++) {
    let dir = root
    let vanished = false
    for (const part of parts) {
      dir = join(dir, part)
      try {
        ops.mkdir(dir)
      } catch (err) {
        const code = fsErrorCode(err)
        if (code === 'EEXIST') continue
        if (code === 'ENOENT' && attempt < 3) {
          vanished = true
          break
        }
        throw new CgroupError(`cgroup: mkdir ${dir}: ${code ?? String(err)}`, { code, path: dir, cause: err })
      }
      created.push(dir)
      onCreated?.(dir)
    }
    if (!vanished) return created
  }
}

/**
 * Remove a cgroup directory and its descendants (deepest first), retrying on EBUSY while the last
 * processes exit: 10 ms, doubling, about 2.5 s in all. A directory that is already gone is fine.
 */
export function removeCgroupTree(ops: CgroupFsOps, dir: string): void {
  for (const child of listChildren(dir)) removeCgroupTree(ops, child)
  let delay = 10
  for (let attempt = 0; ; attempt++) {
    try {
      ops.rmdir(dir)
      return
    } catch (err) {
      const code = fsErrorCode(err)
      if (code === 'ENOENT') return
      if (code === 'EBUSY' && attempt < 8) {
        sleepSync(delay)
        delay *= 2
        continue
      }
      throw new CgroupError(`cgroup: rmdir ${dir}: ${code ?? String(err)}`, { code, path: dir, cause: err })
    }
  }
}

/** rmdir an ancestor we created, once: it stays when something else lives in it. */
export function removeIfEmpty(ops: CgroupFsOps, dir: string): void {
  try {
    ops.rmdir(dir)
  } catch (err) {
    const code = fsErrorCode(err)
    if (code !== 'ENOENT' && code !== 'EBUSY' && code !== 'ENOTEMPTY') {
      throw new CgroupError(`cgroup: rmdir ${dir}: ${code ?? String(err)}`, { code, path: dir, cause: err })
    }
  }
}
