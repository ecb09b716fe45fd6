import { pauseContainer, resumeContainer } from '../runtime/cgroup-verbs'
import { exactArgs, type CliContext } from './context'

export function pause(ctx: CliContext): number {
  pauseContainer(ctx.root, exactArgs(ctx, 1)[0]!)
  return 0
}

export function resume(ctx: CliContext): number {
  resumeContainer(ctx.root, exactArgs(ctx, 1)[0]!)
  return 0
}
