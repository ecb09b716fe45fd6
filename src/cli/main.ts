// Entry: parse, configure logging, dispatch to one verb module (loaded on demand), report errors as runc does.
import { parseArgs, str, bool, type ParsedArgs } from './args'
import type { CliContext } from './context'
import { configureLog, log } from '../log/logger'
import { TsrunError } from '../errors'
import { DEFAULT_ROOT } from '../state/paths'

type Verb = (ctx: CliContext) => number | Promise<number>

/* eslint-disable @typescript-eslint/no-require-imports */
const VERBS: Record<string, () => Verb> = {
  create: () => require('./create').create,
  run: () => require('./run').run,
  start: () => require('./start').start,
  state: () => require('./state').state,
  kill: () => require('./kill').kill,
  delete: () => require('./delete').del,
  list: () => require('./list').list,
  spec: () => require('./spec').spec,
  exec: () => require('./exec').exec,
  ps: () => require('./ps').ps,
  pause: () => require('./pause').pause,
  resume: () => require('./pause').resume,
  update: () => require('./update').update,
  events: () => require('./events').events,
  features: () => require('./features').features,
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** The error as the user sees it: create/run failures carry runc's "<runtime> <verb> failed:" prefix. */
function errorText(command: string | undefined, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  if (command === 'create' || command === 'run') {
    const init = e instanceof Error && e.name === 'TsrunError' && (e as { opIndex?: number }).opIndex !== undefined
    return `tsrun ${command} failed: ${init ? 'unable to start container process: ' : ''}${msg}`
  }
  return msg
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed: ParsedArgs
  try {
    parsed = parseArgs(argv)
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`)
    return 1
  }
  const { global, command } = parsed
  const format = str(global['log-format']) ?? 'text'
  if (format !== 'text' && format !== 'json') {
    process.stderr.write(`invalid log-format: ${format}\n`)
    return 1
  }
  configureLog({ path: str(global.log), format, debug: bool(global.debug) })
  if (bool(global.version)) {
    process.stdout.write((require('./version') as typeof import('./version')).versionText())
    return 0
  }
  if (command === undefined || bool(global.help)) {
    ;(require('./help') as typeof import('./help')).printHelp(command)
    return command === undefined && !bool(global.help) ? 1 : 0
  }
  const verb = VERBS[command]
  if (!verb) {
    log.fatal(`command ${command} is not supported by tsrun`)
    return 1
  }
  const ctx: CliContext = { command, root: str(global.root) ?? DEFAULT_ROOT, global, flags: parsed.flags, args: parsed.args }
  try {
    return await verb()(ctx)
  } catch (e) {
    log.fatal(errorText(command, e))
    if (!(e instanceof TsrunError) && bool(global.debug)) process.stderr.write(`${(e as Error).stack}\n`)
    return e instanceof TsrunError ? e.exitCode : 1
  }
}
