// linux.resources.hugepageLimits → cgroup v1 hugetlb files.
import type { LinuxHugepageLimit } from '../../spec'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkInt } from '../resource-checks'
import { checkPageSize } from '../v2/hugetlb'

/** hugetlb.SIZE.limit_in_bytes, and hugetlb.SIZE.rsvd.limit_in_bytes where the kernel has it. */
export function translateHugetlbV1(limits: readonly LinuxHugepageLimit[] | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  for (const [i, l] of (limits ?? []).entries()) {
    const size = checkPageSize(i, l.pageSize)
    const value = String(checkInt(`hugepageLimits[${i}].limit`, l.limit, 0))
    w[`hugetlb.${size}.limit_in_bytes`] = value
    if (ctx.has(`hugetlb.${size}.rsvd.limit_in_bytes`)) w[`hugetlb.${size}.rsvd.limit_in_bytes`] = value
  }
  return w
}
