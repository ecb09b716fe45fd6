import { createContainer } from '../runtime/create'
import { bool, str } from './args'
import { exactArgs, intFlag, type CliContext } from './context'

export function create(ctx: CliContext): number {
  const [id] = exactArgs(ctx, 1)
  const c = createContainer({
    root: ctx.root, id: id!, bundle: str(ctx.flags.bundle), pidFile: str(ctx.flags['pid-file']),
    consoleSocket: str(ctx.flags['console-socket']), noPivot: bool(ctx.flags['no-pivot']),
    preserveFds: intFlag(ctx.flags['preserve-fds'], 'preserve-fds'), wait: false,
  })
  void c
  return 0
}
