// What every verb gets: the state root, its flags and positionals.
import { TsrunError } from '../errors'
import type { FlagValues } from './args'

export interface CliContext { command: string; root: string; global: FlagValues; flags: FlagValues; args: string[] }

/** runc's checkArgs wording. */
export function exactArgs(ctx: CliContext, n: number): string[] {
  if (ctx.args.length !== n) throw new TsrunError(`tsrun: "${ctx.command}" requires exactly ${n} argument(s)`)
  return ctx.args
}

export function minArgs(ctx: CliContext, n: number): string[] {
  if (ctx.args.length < n) throw new TsrunError(`tsrun: "${ctx.command}" requires a minimum of ${n} argument(s)`)
  return ctx.args
}

export function intFlag(v: unknown, name: string, dflt = 0): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new TsrunError(`invalid value "${String(v)}" for flag --${name}`)
  return n
}
