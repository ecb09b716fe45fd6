// The cgroup v1 and hybrid manager: the same path in every v1 hierarchy, and in the unified tree on hybrid
// hosts (for placement and clone3 only, as runc does).
import { constants, openSync } from 'node:fs'
import { join } from 'node:path'
import type { LinuxResources } from '../../spec'
import { applyWrites, writePid } from '../apply-writes'
import { CgroupError, fsErrorCode } from '../cgroup-error'
import {
  dirExists, listFiles, mkdirCgroupPath, readCgroupFile, readKeyValues, readNumber, readProcs, removeCgroupTree,
  removeIfEmpty, sleepSync, writeCgroupFile, type CgroupFsOps,
} from '../cgroupfs'
import { assumeAllFiles, controllerOf, type TranslateContext } from '../file-writes'
import type { CgroupManager } from '../manager'
import { checkMemoryBeforeUpdate } from '../memory-check'
import { signalPids } from '../signal-pids'
import type { CgroupStats } from '../stats'
import { CPUSET_INHERITED_FILES } from './cpuset'
import { readStatsV1 } from './stats'
import { translateV1 } from './translate'

const SIGKILL = 9

/** One hierarchy the container lives in: where it is mounted and the container's directory in it. */
interface Hierarchy {
  mount: string
  dir: string
  /** The v1 controllers (or "name=…") mounted there; empty for the unified tree. */
  controllers: string[]
}

export class CgroupV1Manager implements CgroupManager {
  readonly path: string
  private readonly hierarchies: Hierarchy[]
  private readonly unified: Hierarchy | undefined
  private readonly byController = new Map<string, Hierarchy>()
  private owned: string[] | undefined

  constructor(
    v1: ReadonlyMap<string, string>,
    unifiedPath: string | undefined,
    path: string,
    private readonly ops: CgroupFsOps,
    created?: readonly string[],
  ) {
    this.path = path
    const byMount = new Map<string, Hierarchy>()
    for (const [controller, mount] of v1) {
      let h = byMount.get(mount)
      if (h === undefined) {
        h = { mount, dir: join(mount, path), controllers: [] }
        byMount.set(mount, h)
      }
      h.controllers.push(controller)
      this.byController.set(controller, h)
    }
    this.hierarchies = [...byMount.values()]
    if (unifiedPath !== undefined) {
      this.unified = { mount: unifiedPath, dir: join(unifiedPath, path), controllers: [] }
      this.hierarchies.push(this.unified)
    }
    this.owned = created === undefined ? undefined : [...created]
  }

  get created(): readonly string[] {
    return this.owned ?? []
  }

  /** The container's directory in the hierarchy of `controller`, if that controller is mounted. */
  private dirOf(controller: string): string | undefined {
    return this.byController.get(controller)?.dir
  }

  private writeDir(file: string): string {
    const dir = this.dirOf(controllerOf(file))
    if (dir === undefined) throw new CgroupError(`cgroup: cannot set ${file}: the ${controllerOf(file)} controller is not mounted`)
    return dir
  }

  create(resources?: LinuxResources): void {
    translateV1(resources, assumeAllFiles(this.byController.keys()))
    if (this.pids().length > 0) throw new CgroupError(`cgroup: ${this.path} already exists and has processes in it`)
    const created: string[] = []
    this.owned = created
    try {
      for (const h of this.hierarchies) {
        const cpuset = h.controllers.includes('cpuset')
        created.push(...mkdirCgroupPath(this.ops, h.mount, this.path, cpuset ? inheritCpuset : undefined))
      }
      if (resources !== undefined) this.apply(resources)
    } catch (err) {
      for (const dir of [...created].sort((a, b) => b.length - a.length)) removeIfEmpty(this.ops, dir)
      this.owned = []
      throw err
    }
  }

  private context(): TranslateContext {
    const files = new Map<string, Set<string>>()
    const has = (file: string): boolean => {
      const dir = this.dirOf(controllerOf(file))
      if (dir === undefined) return false
      let set = files.get(dir)
      if (set === undefined) files.set(dir, (set = listFiles(dir)))
      return set.has(file)
    }
    return { has, controllers: new Set(this.byController.keys()) }
  }

  apply(resources: LinuxResources): void {
    const writes = translateV1(resources, this.context())
    const memory = this.dirOf('memory')
    checkMemoryBeforeUpdate(resources.memory, memory === undefined ? undefined : readNumber(memory, 'memory.usage_in_bytes'))
    applyWrites(writes, (file) => this.writeDir(file))
  }

  openCloneFd(): number | undefined {
    if (this.unified === undefined) return undefined
    try {
      return openSync(this.unified.dir, constants.O_RDONLY | constants.O_DIRECTORY)
    } catch (err) {
      const code = fsErrorCode(err)
      throw new CgroupError(`cgroup: open ${this.unified.dir}: ${code ?? String(err)}`, { code, path: this.unified.dir, cause: err })
    }
  }

  enter(pid: number): void {
    for (const h of this.hierarchies) writePid(h.dir, pid, sleepSync)
  }

  private freezerDir(): string {
    const dir = this.dirOf('freezer')
    if (dir === undefined) throw new CgroupError(`cgroup: cannot freeze ${this.path}: the freezer controller is not mounted`)
    return dir
  }

  freeze(): void {
    const dir = this.freezerDir()
    writeCgroupFile(dir, 'freezer.state', 'FROZEN')
    // FREEZING until every task has stopped; a task stuck in the kernel can need the request repeated.
    for (let i = 1; i <= 1000; i++) {
      if (readCgroupFile(dir, 'freezer.state')?.trim() === 'FROZEN') return
      sleepSync(10)
      if (i % 50 === 0) writeCgroupFile(dir, 'freezer.state', 'FROZEN')
    }
    writeCgroupFile(dir, 'freezer.state', 'THAWED')
    throw new CgroupError(`cgroup: ${this.path} did not freeze within 10 s`, { path: dir })
  }

  thaw(): void {
    const dir = this.dirOf('freezer')
    if (dir !== undefined && dirExists(dir)) writeCgroupFile(dir, 'freezer.state', 'THAWED')
  }

  isFrozen(): boolean {
    const dir = this.dirOf('freezer')
    return dir !== undefined && readCgroupFile(dir, 'freezer.state')?.trim() === 'FROZEN'
  }

  kill(signal: number, all: boolean): void {
    if (!all) {
      signalPids(this.directPids(), signal)
      return
    }
    // Frozen while signalled so nothing forks away; thawed afterwards so that SIGKILL takes effect.
    const freezer = this.dirOf('freezer')
    const wasFrozen = this.isFrozen()
    let froze = false
    if (!wasFrozen && freezer !== undefined && dirExists(freezer)) {
      try {
        this.freeze()
        froze = true
      } catch {
        // signal anyway
      }
    }
    try {
      signalPids(this.pids(), signal)
    } finally {
      if (froze || (wasFrozen && signal === SIGKILL)) this.thaw()
    }
  }

  private directPids(): number[] {
    return [...new Set(this.hierarchies.flatMap((h) => readProcs(h.dir, false)))]
  }

  /** The union over all hierarchies: a process may be in the unified tree before enter() has run. */
  pids(): number[] {
    return [...new Set(this.hierarchies.flatMap((h) => readProcs(h.dir, true)))].sort((a, b) => a - b)
  }

  stats(): CgroupStats {
    return readStatsV1((c) => this.dirOf(c))
  }

  events(): { oomKill: number } {
    const memory = this.dirOf('memory')
    return { oomKill: memory === undefined ? 0 : (readKeyValues(memory, 'memory.oom_control').get('oom_kill') ?? 0) }
  }

  destroy(): void {
    if (this.hierarchies.some((h) => dirExists(h.dir))) {
      try {
        this.kill(SIGKILL, true)
      } catch (err) {
        if (!(err instanceof CgroupError) || (err.code !== 'ENOENT' && err.code !== 'ENODEV')) throw err
      }
    }
    for (const h of this.hierarchies) {
      if (this.owned === undefined || this.owned.includes(h.dir)) removeCgroupTree(this.ops, h.dir)
    }
    const leaves = new Set(this.hierarchies.map((h) => h.dir))
    const ancestors = (this.owned ?? []).filter((d) => !leaves.has(d)).sort((a, b) => b.length - a.length)
    for (const dir of ancestors) removeIfEmpty(this.ops, dir)
  }
}

/** A new v1 cpuset cgroup starts with empty cpus and mems and refuses tasks: copy the parent's. */
function inheritCpuset(dir: string): void {
  const parent = join(dir, '..')
  for (const file of CPUSET_INHERITED_FILES) {
    if ((readCgroupFile(dir, file) ?? '').trim() !== '') continue
    const value = (readCgroupFile(parent, file) ?? '').trim()
    if (value !== '') writeCgroupFile(dir, file, value)
  }
}
