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

/** `--systemd-cgroup` needs systemd, which tsrun does not drive yet: say so rather than use cgroupfs silently. */
export function checkCgroupDriver(ctx: CliContext): void {
  if (ctx.global['systemd-cgroup'] !== true) return
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const running = (require('node:fs') as typeof import('node:fs')).existsSync('/run/systemd/system')
  throw new TsrunError(running
    ? '--systemd-cgroup: the systemd cgroup driver is not supported by tsrun yet; use the cgroupfs driver'
    : 'systemd not running on this host, cannot use systemd cgroups manager')
}
