// linux.resources.unified → any cgroup v2 file, written last so it overrides the translated values.
import { CgroupError } from '../cgroup-error'
import { controllerOf, type CgroupWrites, type TranslateContext } from '../file-writes'

/**
 * Keys must be plain file names of the form CONTROLLER.PARAMETER whose controller is enabled in the
 * cgroup ("cgroup.*" core files are always there). Values are written as given, one line per write.
 */
export function translateUnified(unified: Record<string, string> | undefined, ctx: TranslateContext): CgroupWrites {
  const w: CgroupWrites = {}
  for (const [key, value] of Object.entries(unified ?? {})) {
    const at = `cgroup: linux.resources.unified[${JSON.stringify(key)}]`
    if (key.includes('/') || key.includes('\0')) throw new CgroupError(`${at}: must be a file name (no slashes)`)
    if (!/^[A-Za-z0-9_]+\.[A-Za-z0-9_.-]+$/.test(key) || key.includes('..')) {
      throw new CgroupError(`${at}: must be in the form CONTROLLER.PARAMETER`)
    }
    if (typeof value !== 'string') throw new CgroupError(`${at}: the value must be a string`)
    const controller = controllerOf(key)
    if (controller !== 'cgroup' && !ctx.controllers.has(controller)) {
      throw new CgroupError(`${at}: controller "${controller}" is not available (available: ${[...ctx.controllers].join(' ') || 'none'})`)
    }
    w[key] = value
  }
  return w
}
