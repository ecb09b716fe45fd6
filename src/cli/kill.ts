import { killContainer } from '../runtime/kill'
import { parseSignal } from '../runtime/signals'
import { TsrunError } from '../errors'
import { bool } from './args'
import { type CliContext } from './context'

export function kill(ctx: CliContext): number {
  if (ctx.args.length < 1 || ctx.args.length > 2) throw new TsrunError('tsrun: "kill" requires a minimum of 1 and a maximum of 2 arguments')
  const [id, sig] = ctx.args
  killContainer(ctx.root, id!, parseSignal(sig), bool(ctx.flags.all))
  return 0
}
