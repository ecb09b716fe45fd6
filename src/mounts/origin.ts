// Which config field an op comes from, so that a failure names it: `mounts[4] (bind /etc/hosts on /etc/hosts): ENOENT`.
// Kept beside the ops, not on the wire: the plan stays exactly what the helper executes.
import type { Op } from '../plan/ops'

const origins = new WeakMap<Op, string>()

/** Tag ops with the field they implement (e.g. `mounts[4] (bind /a on /b)`, `process.scheduler`); returns them. */
export function fromField<T extends Op>(field: string, ops: T[]): T[] {
  for (const op of ops) origins.set(op, field)
  return ops
}

/** The field an op was planned for, if it was tagged. */
export function opOrigin(op: Op): string | undefined {
  return origins.get(op)
}
