// `--image SRC[:REF]`: an archive or layout on disk, optionally with the name of one image in it; or, when no
// such path exists, an image already in the store.
import { existsSync } from 'node:fs'

export interface ImageArg {
  /** archive or layout path, when the argument names one */
  source?: string
  /** image name or id: inside the archive when source is set, in the store otherwise */
  ref?: string
}

export function parseImageArg(arg: string, exists: (p: string) => boolean = existsSync): ImageArg {
  if (arg === '') return {}
  if (exists(arg)) return { source: arg }
  for (let i = arg.indexOf(':'); i > 0; i = arg.indexOf(':', i + 1)) {
    if (exists(arg.slice(0, i))) return arg.length > i + 1 ? { source: arg.slice(0, i), ref: arg.slice(i + 1) } : { source: arg.slice(0, i) }
  }
  return { ref: arg }
}
