// linux.resources.blockIO → cgroup v1 blkio controller files.
import type { LinuxBlockIO, LinuxThrottleDevice } from '../../spec'
import type { CgroupWrites, TranslateContext } from '../file-writes'
import { checkDeviceNumber, checkInt, isSet, lines } from '../resource-checks'

function throttle(field: string, devices: readonly LinuxThrottleDevice[] | undefined): string {
  return lines(
    (devices ?? []).map((d, i) => {
      const at = `blockIO.${field}[${i}]`
      return `${checkDeviceNumber(`${at}.major`, d.major)}:${checkDeviceNumber(`${at}.minor`, d.minor)} ${checkInt(`${at}.rate`, d.rate, 0)}`
    }),
  )
}

/**
 * weight → blkio.weight (CFQ) or, when the kernel has no CFQ files, blkio.bfq.weight, as runc picks;
 * leafWeight → blkio.leaf_weight; per-device weights likewise; throttles → blkio.throttle.* files.
 */
export function translateBlkioV1(bio: LinuxBlockIO | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  if (bio === undefined) return w
  const cfq = ctx.has('blkio.weight')
  const weightFile = cfq ? 'blkio.weight' : 'blkio.bfq.weight'
  const weightDeviceFile = cfq ? 'blkio.weight_device' : 'blkio.bfq.weight_device'
  if (isSet(bio.weight)) w[weightFile] = String(checkInt('blockIO.weight', bio.weight, 10, 1000))
  if (isSet(bio.leafWeight)) w['blkio.leaf_weight'] = String(checkInt('blockIO.leafWeight', bio.leafWeight, 10, 1000))
  const weights: string[] = []
  const leafWeights: string[] = []
  for (const [i, d] of (bio.weightDevice ?? []).entries()) {
    const at = `blockIO.weightDevice[${i}]`
    const dev = `${checkDeviceNumber(`${at}.major`, d.major)}:${checkDeviceNumber(`${at}.minor`, d.minor)}`
    if (isSet(d.weight)) weights.push(`${dev} ${checkInt(`${at}.weight`, d.weight, 10, 1000)}`)
    if (isSet(d.leafWeight)) leafWeights.push(`${dev} ${checkInt(`${at}.leafWeight`, d.leafWeight, 10, 1000)}`)
  }
  if (weights.length > 0) w[weightDeviceFile] = lines(weights)
  if (leafWeights.length > 0) w['blkio.leaf_weight_device'] = lines(leafWeights)
  const files: Array<[string, string]> = [
    ['blkio.throttle.read_bps_device', throttle('throttleReadBpsDevice', bio.throttleReadBpsDevice)],
    ['blkio.throttle.write_bps_device', throttle('throttleWriteBpsDevice', bio.throttleWriteBpsDevice)],
    ['blkio.throttle.read_iops_device', throttle('throttleReadIOPSDevice', bio.throttleReadIOPSDevice)],
    ['blkio.throttle.write_iops_device', throttle('throttleWriteIOPSDevice', bio.throttleWriteIOPSDevice)],
  ]
  for (const [file, value] of files) if (value !== '') w[file] = value
  return w
}
