import { startContainer } from '../runtime/start'
import { exactArgs, type CliContext } from './context'

export function start(ctx: CliContext): number {
  const [id] = exactArgs(ctx, 1)
  startContainer(ctx.root, id!)
  return 0
}
