import { featuresDocument } from '../runtime/features'
import type { CliContext } from './context'

export function features(_ctx: CliContext): number {
  process.stdout.write(`${JSON.stringify(featuresDocument(), null, '    ')}\n`)
  return 0
}
