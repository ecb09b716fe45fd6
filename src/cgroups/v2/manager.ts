// The cgroup v2 manager: one directory in the unified hierarchy (runc fs2).
import { constants, existsSync, openSync } from 'node:fs'
import { join } from 'node:path'
import type { LinuxResources } from '../../spec'
import { applyWrites, writePid } from '../apply-writes'
import { CgroupError, fsErrorCode } from '../cgroup-error'
import {
  dirExists, listFiles, mkdirCgroupPath, readCgroupFile, readKeyValues, readNumber, readProcs, removeCgroupTree,
  removeIfEmpty, sleepSync, writeCgroupFile, type CgroupFsOps,
} from '../cgroupfs'
import { devicePolicy } from '../devices/policy'
import { assumeAllFiles, type TranslateContext } from '../file-writes'
import type { CgroupManager } from '../manager'
import { checkMemoryBeforeUpdate } from '../memory-check'
import { signalPids } from '../signal-pids'
import type { CgroupStats } from '../stats'
import { readStatsV2 } from './stats'
import { translateV2 } from './translate'

const SIGKILL = 9

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean)
}

export class CgroupV2Manager implements CgroupManager {
  readonly path: string
  private readonly root: string
  private readonly dir: string
  private owned: string[] | undefined

  constructor(
    root: string,
    path: string,
    private readonly rootControllers: readonly string[],
    private readonly ops: CgroupFsOps,
    created?: readonly string[],
  ) {
    this.root = root
    this.path = path
    this.dir = join(root, path)
    this.owned = created === undefined ? undefined : [...created]
  }

  get created(): readonly string[] {
    return this.owned ?? []
  }

  create(resources?: LinuxResources): void {
    // Everything that can be refused is refused before the first mkdir.
    translateV2(resources, assumeAllFiles(this.rootControllers))
    if (resources?.devices !== undefined) devicePolicy(resources.devices)
    if (dirExists(this.dir) && readProcs(this.dir, true).length > 0) {
      throw new CgroupError(`cgroup: ${this.path} already exists and has processes in it`, { path: this.dir })
    }
    const created: string[] = []
    this.owned = created
    try {
      // Controllers are enabled in each parent before its child is made, root first, as runc does.
      let dir = this.root
      for (const part of this.path.split('/').filter(Boolean)) {
        this.enableControllers(dir)
        created.push(...mkdirCgroupPath(this.ops, dir, part))
        dir = join(dir, part)
      }
      if (resources !== undefined) this.apply(resources)
    } catch (err) {
      for (const dir of [...created].reverse()) removeIfEmpty(this.ops, dir)
      this.owned = []
      throw err
    }
  }

  /**
   * Enable every available controller in `dir`'s cgroup.subtree_control. Refusals (a parent with
   * processes of its own) are left for the resource writes to report.
   */
  private enableControllers(dir: string): void {
    const available = words(readCgroupFile(dir, 'cgroup.controllers'))
    const enabled = new Set(words(readCgroupFile(dir, 'cgroup.subtree_control')))
    const missing = available.filter((c) => !enabled.has(c))
    if (missing.length === 0) return
    try {
      // All of them: enabling an enabled controller is a no-op, and the file then reads as it will be.
      writeCgroupFile(dir, 'cgroup.subtree_control', available.map((c) => `+${c}`).join(' '))
    } catch {
      for (const c of missing) {
        try {
          writeCgroupFile(dir, 'cgroup.subtree_control', `+${c}`)
        } catch {
          // reported later, by the write that needs the controller
        }
      }
    }
  }

  private context(): TranslateContext {
    const files = listFiles(this.dir)
    return { has: (f) => files.has(f), controllers: new Set(words(readCgroupFile(this.dir, 'cgroup.controllers'))) }
  }

  apply(resources: LinuxResources): void {
    if (!dirExists(this.dir)) throw new CgroupError(`cgroup: ${this.path} does not exist`, { code: 'ENOENT', path: this.dir })
    const writes = translateV2(resources, this.context())
    const policy = resources.devices === undefined ? undefined : devicePolicy(resources.devices)
    checkMemoryBeforeUpdate(resources.memory, readNumber(this.dir, 'memory.current'))
    applyWrites(writes, () => this.dir)
    if (policy !== undefined) this.ops.setDevicePolicyV2(this.dir, policy)
  }

  openCloneFd(): number {
    try {
      return openSync(this.dir, constants.O_RDONLY | constants.O_DIRECTORY)
    } catch (err) {
      const code = fsErrorCode(err)
      throw new CgroupError(`cgroup: open ${this.dir}: ${code ?? String(err)}`, { code, path: this.dir, cause: err })
    }
  }

  enter(pid: number): void {
    writePid(this.dir, pid, sleepSync)
  }

  freeze(): void {
    if (readCgroupFile(this.dir, 'cgroup.freeze') === undefined) {
      throw new CgroupError(`cgroup: cannot freeze ${this.path}: no cgroup.freeze (kernel older than 5.2?)`, { path: this.dir })
    }
    writeCgroupFile(this.dir, 'cgroup.freeze', '1')
    // The kernel freezes asynchronously; cgroup.events says "frozen 1" once every task has stopped.
    for (let i = 0; i < 1000; i++) {
      const events = readKeyValues(this.dir, 'cgroup.events')
      if (events.get('frozen') === 1 || events.get('populated') === 0) return
      sleepSync(10)
    }
    writeCgroupFile(this.dir, 'cgroup.freeze', '0')
    throw new CgroupError(`cgroup: ${this.path} did not freeze within 10 s`, { path: this.dir })
  }

  thaw(): void {
    if (readCgroupFile(this.dir, 'cgroup.freeze') !== undefined) writeCgroupFile(this.dir, 'cgroup.freeze', '0')
  }

  isFrozen(): boolean {
    return readCgroupFile(this.dir, 'cgroup.freeze')?.trim() === '1'
  }

  kill(signal: number, all: boolean): void {
    if (!all) {
      signalPids(readProcs(this.dir, false), signal)
      return
    }
    // cgroup.kill (5.14+) is write-only: look for it, do not read it.
    if (signal === SIGKILL && existsSync(join(this.dir, 'cgroup.kill'))) {
      writeCgroupFile(this.dir, 'cgroup.kill', '1')
      return
    }
    // Freeze so that nothing forks between reading the pids and signalling them.
    const wasFrozen = this.isFrozen()
    let froze = false
    if (!wasFrozen && readCgroupFile(this.dir, 'cgroup.freeze') !== undefined) {
      try {
        this.freeze()
        froze = true
      } catch {
        // signal anyway
      }
    }
    try {
      signalPids(readProcs(this.dir, true), signal)
    } finally {
      if (froze) this.thaw()
    }
  }

  pids(): number[] {
    return readProcs(this.dir, true)
  }

  stats(): CgroupStats {
    return readStatsV2(this.dir)
  }

  events(): { oomKill: number } {
    return { oomKill: readKeyValues(this.dir, 'memory.events').get('oom_kill') ?? 0 }
  }

  destroy(): void {
    const leafOwned = this.owned === undefined || this.owned.includes(this.dir)
    if (dirExists(this.dir)) {
      try {
        this.kill(SIGKILL, true)
      } catch (err) {
        if (!(err instanceof CgroupError) || (err.code !== 'ENOENT' && err.code !== 'ENODEV')) throw err
      }
      if (leafOwned) removeCgroupTree(this.ops, this.dir)
    }
    const ancestors = (this.owned ?? []).filter((d) => d !== this.dir).sort((a, b) => b.length - a.length)
    for (const dir of ancestors) removeIfEmpty(this.ops, dir)
  }
}

