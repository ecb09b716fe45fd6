import { listContainers } from '../runtime/list'
import { TsrunError } from '../errors'
import { bool, str } from './args'
import { type CliContext } from './context'

/** runc's table: ID PID STATUS BUNDLE CREATED OWNER, tab-aligned. */
export function list(ctx: CliContext): number {
  const all = listContainers(ctx.root)
  const format = str(ctx.flags.format) ?? 'table'
  if (bool(ctx.flags.quiet)) { for (const c of all) process.stdout.write(`${c.id}\n`); return 0 }
  if (format === 'json') { process.stdout.write(`${JSON.stringify(all)}\n`); return 0 }
  if (format !== 'table') throw new TsrunError(`invalid format option`)
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
    ...all.map((c) => [c.id, String(c.pid), c.status, c.bundle, c.created, c.owner || 'root'])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const r of rows) process.stdout.write(`${r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]! + 3) : cell)).join('')}\n`)
  return 0
}
