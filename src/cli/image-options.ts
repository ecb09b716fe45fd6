// Flags the image verbs share: --store, --platform, --quiet.
import { DEFAULT_STORE, storeLayout, type StoreLayout } from '../image/store/layout'
import { hostPlatform, parsePlatform } from '../image/platform'
import { terminalProgress, type Progress } from '../image/progress'
import type { Platform } from '../image/types'
import { bool, str } from './args'
import type { CliContext } from './context'
import { TsrunError } from '../errors'

export interface ImageOptions { store: StoreLayout; platform: Platform; progress: Progress; quiet: boolean }

export function imageOptions(ctx: CliContext): ImageOptions {
  const quiet = bool(ctx.flags.quiet)
  const p = str(ctx.flags.platform)
  let platform: Platform
  try { platform = p ? parsePlatform(p) : hostPlatform() } catch (e) { throw new TsrunError(`--platform: ${(e as Error).message}`) }
  return { store: storeLayout(str(ctx.flags.store) ?? DEFAULT_STORE), platform, progress: terminalProgress(process.stderr, quiet), quiet }
}
