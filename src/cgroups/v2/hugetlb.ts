// linux.resources.hugepageLimits → hugetlb controller files (v2 names; v1 in ../v1/hugetlb.ts).
import type { LinuxHugepageLimit } from '../../spec'
import { CgroupError } from '../cgroup-error'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkInt } from '../resource-checks'

/** Check a page size like "2MB" or "1GB" (the spelling of the hugetlb files). */
export function checkPageSize(i: number, pageSize: unknown): string {
  if (typeof pageSize !== 'string' || !/^\d+(KB|MB|GB|TB)$/.test(pageSize)) {
    throw new CgroupError(`cgroup: linux.resources.hugepageLimits[${i}].pageSize: ${JSON.stringify(pageSize)} is not like "2MB" or "1GB"`)
  }
  return pageSize
}

/** hugetlb.SIZE.max, and the reservation limit hugetlb.SIZE.rsvd.max where the kernel has it (5.7+). */
export function translateHugetlbV2(limits: readonly LinuxHugepageLimit[] | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  for (const [i, l] of (limits ?? []).entries()) {
    const size = checkPageSize(i, l.pageSize)
    const value = String(checkInt(`hugepageLimits[${i}].limit`, l.limit, 0))
    w[`hugetlb.${size}.max`] = value
    if (ctx.has(`hugetlb.${size}.rsvd.max`)) w[`hugetlb.${size}.rsvd.max`] = value
  }
  return w
}
