// linux.resources.blockIO → cgroup v2 io controller files.
import type { LinuxBlockIO, LinuxThrottleDevice } from '../../spec'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkDeviceNumber, checkInt, isSet, lines } from '../resource-checks'

/** blkio.weight (10..1000) → io.weight (1..10000), linearly, as runc and crun do. 0 means unset. */
export function blkioWeightToIoWeight(weight: number): number {
  return weight === 0 ? 0 : 1 + Math.floor(((weight - 10) * 9999) / 990)
}

/** io.max lines "MAJ:MIN key=rate" for one throttle list. */
export function throttleLines(field: string, devices: readonly LinuxThrottleDevice[] | undefined, key: string): string[] {
  return (devices ?? []).map((d, i) => {
    const at = `blockIO.${field}[${i}]`
    const major = checkDeviceNumber(`${at}.major`, d.major)
    const minor = checkDeviceNumber(`${at}.minor`, d.minor)
    return `${major}:${minor} ${key}=${checkInt(`${at}.rate`, d.rate, 0)}`
  })
}

/**
 * weight → io.bfq.weight when the BFQ scheduler is there, else io.weight (converted); per-device weights
 * only through BFQ (runc ignores them otherwise); throttles → io.max, one line per device and key.
 * leafWeight has no v2 equivalent.
 */
export function translateIoV2(bio: LinuxBlockIO | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  if (bio === undefined) return w
  const bfq = ctx.has('io.bfq.weight')
  const bfqLines: string[] = []
  if (isSet(bio.weight)) {
    const weight = checkInt('blockIO.weight', bio.weight, 10, 1000)
    if (bfq) bfqLines.push(String(weight))
    else w['io.weight'] = String(blkioWeightToIoWeight(weight))
  }
  if (bfq) {
    for (const [i, d] of (bio.weightDevice ?? []).entries()) {
      if (!isSet(d.weight)) continue
      const at = `blockIO.weightDevice[${i}]`
      const dev = `${checkDeviceNumber(`${at}.major`, d.major)}:${checkDeviceNumber(`${at}.minor`, d.minor)}`
      bfqLines.push(`${dev} ${checkInt(`${at}.weight`, d.weight, 1, 1000)}`)
    }
  }
  if (bfqLines.length > 0) w['io.bfq.weight'] = lines(bfqLines)
  const max = [
    ...throttleLines('throttleReadBpsDevice', bio.throttleReadBpsDevice, 'rbps'),
    ...throttleLines('throttleWriteBpsDevice', bio.throttleWriteBpsDevice, 'wbps'),
    ...throttleLines('throttleReadIOPSDevice', bio.throttleReadIOPSDevice, 'riops'),
    ...throttleLines('throttleWriteIOPSDevice', bio.throttleWriteIOPSDevice, 'wiops'),
  ]
  if (max.length > 0) w['io.max'] = lines(max)
  return w
}
