// linux.resources.memory → cgroup v2 memory controller files.
import type { LinuxMemory } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkLimit, limitToV2 } from '../resource-checks'

/**
 * OCI memory.swap is memory+swap (the v1 memsw limit); v2's memory.swap.max is swap alone. The cases
 * follow runc: 0 swap is unset, -1 is unlimited, unlimited memory with unset swap makes both unlimited.
 */
export function swapToV2(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1
  if (swap === -1 || swap === 0) return swap
  if (limit === -1) return swap
  if (limit === 0) throw new CgroupError('cgroup: linux.resources.memory.swap: a swap limit needs a memory limit')
  if (swap < limit) {
    throw new CgroupError(`cgroup: linux.resources.memory.swap: memory+swap ${swap} is below the memory limit ${limit}`)
  }
  return swap - limit
}

/**
 * limit → memory.max, swap → memory.swap.max (as swap - limit), reservation → memory.low. kernel,
 * kernelTCP, swappiness and disableOOMKiller have no v2 equivalent and are ignored, as runc does;
 * memory.min, memory.high and memory.oom.group come through linux.resources.unified.
 */
export function translateMemoryV2(mem: LinuxMemory | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  if (mem === undefined) return w
  const limit = mem.limit === undefined ? 0 : checkLimit('memory.limit', mem.limit)
  const swap = mem.swap === undefined ? 0 : checkLimit('memory.swap', mem.swap)
  const reservation = mem.reservation === undefined ? 0 : checkLimit('memory.reservation', mem.reservation)
  if (limit === 0 && swap === 0 && reservation === 0) return w
  const swapV2 = swapToV2(swap, limit)
  let swapValue = limitToV2(swapV2)
  if (swapValue === '' && swap > 0) swapValue = '0' // memory+swap equal to memory: no swap at all
  // Without swap accounting the file is missing: "max" and "0" then mean what the kernel does anyway.
  if (swapValue !== '' && (ctx.has('memory.swap.max') || (swapValue !== 'max' && swapValue !== '0'))) {
    w['memory.swap.max'] = swapValue
  }
  if (limit !== 0) w['memory.max'] = limitToV2(limit)
  if (reservation !== 0) w['memory.low'] = limitToV2(reservation)
  return w
}
