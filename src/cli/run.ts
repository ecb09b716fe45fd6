import { runContainer } from '../runtime/run'
import { bool, str } from './args'
import { checkCgroupDriver, exactArgs, intFlag, type CliContext } from './context'

export function run(ctx: CliContext): Promise<number> {
  const [id] = exactArgs(ctx, 1)
  checkCgroupDriver(ctx)
  return runContainer({
    root: ctx.root, id: id!, bundle: str(ctx.flags.bundle), pidFile: str(ctx.flags['pid-file']),
    consoleSocket: str(ctx.flags['console-socket']), noPivot: bool(ctx.flags['no-pivot']),
    preserveFds: intFlag(ctx.flags['preserve-fds'], 'preserve-fds'), detach: bool(ctx.flags.detach), keep: bool(ctx.flags.keep),
  })
}
