import { loadContainer, ociState } from '../runtime/container'
import { exactArgs, type CliContext } from './context'

/** Indented JSON without a trailing newline, as runc prints it. */
export function state(ctx: CliContext): number {
  const [id] = exactArgs(ctx, 1)
  process.stdout.write(JSON.stringify(ociState(loadContainer(ctx.root, id!, false)), null, '  '))
  return 0
}
