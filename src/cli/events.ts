import { statsEvent, streamEvents } from '../runtime/cgroup-verbs'
import { TsrunError } from '../errors'
import { bool, str } from './args'
import { exactArgs, type CliContext } from './context'

/** A Go duration as runc accepts it: 5s, 500ms, 1m30s. */
export function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  let total = 0
  let rest = s
  if (!rest) throw new TsrunError(`invalid duration ""`)
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest)
    if (!m) throw new TsrunError(`invalid duration "${s}"`)
    total += Number(m[1]) * units[m[2]!]!
    rest = rest.slice(m[0].length)
  }
  if (total <= 0) throw new TsrunError('duration interval must be greater than 0')
  return total
}

export async function events(ctx: CliContext): Promise<number> {
  const [id] = exactArgs(ctx, 1)
  if (bool(ctx.flags.stats)) {
    process.stdout.write(`${statsEvent(ctx.root, id!)}\n`)
    return 0
  }
  await streamEvents(ctx.root, id!, parseDuration(str(ctx.flags.interval) ?? '5s'), (l) => process.stdout.write(`${l}\n`))
  return 0
}
