import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultSpec } from '../spec'
import { TsrunError } from '../errors'
import { bool, str } from './args'
import { type CliContext } from './context'

export function spec(ctx: CliContext): number {
  const dir = str(ctx.flags.bundle) ?? '.'
  const path = join(dir, 'config.json')
  if (existsSync(path)) throw new TsrunError('File config.json exists. Remove it first')
  writeFileSync(path, JSON.stringify(defaultSpec({ rootless: bool(ctx.flags.rootless) }), null, '\t'))
  return 0
}
