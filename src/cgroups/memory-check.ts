// linux.resources.memory.checkBeforeUpdate: refuse a limit the container already exceeds.
import type { LinuxMemory } from '../spec'
import { CgroupError } from './cgroup-error'

/** Throws when checkBeforeUpdate is set and the new limit (or memory+swap limit) is not above `usage`. */
export function checkMemoryBeforeUpdate(mem: LinuxMemory | undefined, usage: number | undefined): void {
  if (mem?.checkBeforeUpdate !== true || usage === undefined) return
  for (const field of ['swap', 'limit'] as const) {
    const v = mem[field]
    if (v !== undefined && v > 0 && v <= usage) {
      throw new CgroupError(`cgroup: linux.resources.memory.${field} ${v} is not above the current usage ${usage} (checkBeforeUpdate)`)
    }
  }
}
