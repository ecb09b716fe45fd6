import { containerPids, psTable } from '../runtime/cgroup-verbs'
import { TsrunError } from '../errors'
import { str } from './args'
import { minArgs, type CliContext } from './context'

/** `ps --format json` prints only the JSON array: the shim parses stdout and stderr together. */
export function ps(ctx: CliContext): number {
  const [id, ...psArgs] = minArgs(ctx, 1)
  const pids = containerPids(ctx.root, id!)
  const format = str(ctx.flags.format) ?? 'table'
  if (format === 'json') { process.stdout.write(`${JSON.stringify(pids)}\n`); return 0 }
  if (format !== 'table') throw new TsrunError(`invalid format option`)
  process.stdout.write(psTable(pids, psArgs))
  return 0
}
