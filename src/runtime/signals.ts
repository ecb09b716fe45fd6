// Signal names and numbers (x86_64/arm64 Linux), and runc's parsing: 9, KILL, SIGKILL.
import { constants } from 'node:os'
import { TsrunError } from '../errors'

const SIGNALS = constants.signals as Record<string, number>

export function parseSignal(arg: string | undefined): number {
  if (arg === undefined || arg === '') return SIGNALS.SIGTERM!
  if (/^\d+$/.test(arg)) {
    const n = Number(arg)
    if (n > 0 && n <= 64) return n
    throw new TsrunError(`invalid signal: ${arg}`)
  }
  const name = arg.toUpperCase().startsWith('SIG') ? arg.toUpperCase() : `SIG${arg.toUpperCase()}`
  const rt = /^SIGRTMIN(\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(-(\d+))?$/.exec(name)
  if (rt) return name.startsWith('SIGRTMIN') ? 34 + Number(rt[2] ?? 0) : 64 - Number(rt[2] ?? 0)
  const n = SIGNALS[name]
  if (n === undefined) throw new TsrunError(`unknown signal "${arg}"`)
  return n
}
