// linux.resources.memory → cgroup v1 memory controller files.
import type { LinuxMemory } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkInt, checkLimit } from '../resource-checks'

/**
 * limit → memory.limit_in_bytes, swap → memory.memsw.limit_in_bytes (memory+swap, as OCI defines it),
 * reservation → memory.soft_limit_in_bytes, swappiness → memory.swappiness, disableOOMKiller →
 * memory.oom_control. Unlimited memory with unset swap makes swap unlimited too (where memsw exists).
 * The limit is written before memsw; when that order is wrong for the current values the kernel says
 * EINVAL and the manager retries it after memsw. kernel and kernelTCP are ignored (deprecated).
 */
export function translateMemoryV1(mem: LinuxMemory | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  if (mem === undefined) return w
  const limit = mem.limit === undefined ? 0 : checkLimit('memory.limit', mem.limit)
  let swap = mem.swap === undefined ? 0 : checkLimit('memory.swap', mem.swap)
  const reservation = mem.reservation === undefined ? 0 : checkLimit('memory.reservation', mem.reservation)
  if (limit === -1 && swap === 0 && ctx.has('memory.memsw.limit_in_bytes')) swap = -1
  if (limit > 0 && swap > 0 && swap < limit) {
    throw new CgroupError(`cgroup: linux.resources.memory.swap: memory+swap ${swap} is below the memory limit ${limit}`)
  }
  if (limit !== 0) w['memory.limit_in_bytes'] = String(limit)
  if (swap !== 0) w['memory.memsw.limit_in_bytes'] = String(swap)
  if (reservation !== 0) w['memory.soft_limit_in_bytes'] = String(reservation)
  if (mem.swappiness !== undefined) w['memory.swappiness'] = String(checkInt('memory.swappiness', mem.swappiness, 0, 100))
  if (mem.disableOOMKiller === true) w['memory.oom_control'] = '1'
  return w
}
