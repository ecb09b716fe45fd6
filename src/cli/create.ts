import { closeSync } from 'node:fs'
import { createContainer } from '../runtime/create'
import { reaped } from '../runtime/launch'
import { bool, str } from './args'
import { checkCgroupDriver, exactArgs, intFlag, type CliContext } from './context'

export async function create(ctx: CliContext): Promise<number> {
  const [id] = exactArgs(ctx, 1)
  checkCgroupDriver(ctx)
  const c = createContainer({
    root: ctx.root, id: id!, bundle: str(ctx.flags.bundle), pidFile: str(ctx.flags['pid-file']),
    consoleSocket: str(ctx.flags['console-socket']), noPivot: bool(ctx.flags['no-pivot']),
    preserveFds: intFlag(ctx.flags['preserve-fds'], 'preserve-fds'), wait: false,
  })
  closeSync(c.launched.sock)
  await reaped(c.launched)
  return 0
}
