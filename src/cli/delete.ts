import { deleteContainer } from '../runtime/delete'
import { bool } from './args'
import { exactArgs, type CliContext } from './context'

export function del(ctx: CliContext): number {
  const [id] = exactArgs(ctx, 1)
  deleteContainer(ctx.root, id!, bool(ctx.flags.force))
  return 0
}
