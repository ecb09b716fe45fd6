// linux.resources.pids → pids.max (the same file and syntax on v1 and v2).
import type { LinuxPids } from '../../spec'
import type { CgroupWrites } from '../file-writes'
import { checkInt } from '../resource-checks'

/**
 * runtime-spec 1.3 and runc 1.4 semantics: unset limit → nothing, negative → "max", 0 is a real limit
 * (no new tasks at all). runc up to 1.3 treated 0 as unset; CRI-O used 0 to mean "unlimited".
 */
export function translatePids(pids: LinuxPids | undefined): CgroupWrites {
  if (pids?.limit === undefined) return {}
  const limit = checkInt('pids.limit', pids.limit, Number.MIN_SAFE_INTEGER)
  return { 'pids.max': limit < 0 ? 'max' : String(limit) }
}
