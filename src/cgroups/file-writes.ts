// What the pure translators produce and what they may ask about the target cgroup.

/**
 * cgroup file name → value, in write order. A value with several lines is written one line per write(2)
 * (io.max, rdma.max, devices.allow take one entry per write).
 */
export type CgroupWrites = Record<string, string>

/** Facts about the target cgroup a translator may depend on; managers read them, tests make them up. */
export interface TranslateContext {
  /** Whether the cgroup has this interface file (io.bfq.weight, memory.swap.max, hugetlb.*.rsvd.max, …). */
  has(file: string): boolean
  /** Controllers usable in the cgroup (v2: its cgroup.controllers; v1: the mounted hierarchies). */
  controllers: ReadonlySet<string>
}

/** A context that assumes every optional file exists: for validating resources before a cgroup exists. */
export function assumeAllFiles(controllers: Iterable<string>): TranslateContext {
  return { has: () => true, controllers: new Set(controllers) }
}

/** The controller a cgroup file belongs to: the part before the first dot ("memory.swap.max" → "memory"). */
export function controllerOf(file: string): string {
  const dot = file.indexOf('.')
  return dot < 0 ? file : file.slice(0, dot)
}
