// Entry: parse, configure logging, dispatch to one verb module (loaded on demand), report errors as runc does.
import { parseArgs, str, bool, type ParsedArgs } from './args'
import type { CliContext } from './context'
import { configureLog, log } from '../log/logger'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { requireWithCodeCache } from './code-cache'
import { isTsrunError } from '../errors'
import { DEFAULT_ROOT } from '../state/paths'

type Verb = (ctx: CliContext) => number | Promise<number>

/**
 * Verb modules, loaded on demand by file name: from src/cli/ under tsx, from dist/<name>.js in the bundle,
 * where each verb is bundled on its own so `state` or `--version` never parse the code `create` needs.
 */
const VERBS: Record<string, [file: string, fn: string]> = {
  create: ['create', 'create'], run: ['run', 'run'], start: ['start', 'start'], state: ['state', 'state'],
  kill: ['kill', 'kill'], delete: ['delete', 'del'], list: ['list', 'list'], spec: ['spec', 'spec'],
  exec: ['exec', 'exec'], ps: ['ps', 'ps'], pause: ['pause', 'pause'], resume: ['pause', 'resume'],
  update: ['update', 'update'], events: ['events', 'events'], features: ['features', 'features'],
  image: ['image', 'image'], bundle: ['bundle', 'bundle'],
}

function load<T>(file: string): T {
  const bundled = join(__dirname, `${file}.js`)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!existsSync(bundled)) return require(join(__dirname, file)) as T // running from src/ under tsx
  return requireWithCodeCache<T>(bundled)
}

/** The error as the user sees it: create/run failures carry runc's "<runtime> <verb> failed:" prefix. */
function errorText(command: string | undefined, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  if (command === 'create' || command === 'run') {
    const init = isTsrunError(e) && (e as { opIndex?: number }).opIndex !== undefined
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
    process.stdout.write(load<typeof import('./version')>('version').versionText())
    return 0
  }
  if (command === undefined || bool(global.help) || bool(parsed.flags.help)) {
    load<typeof import('./help')>('help').printHelp(command)
    return command === undefined && !bool(global.help) ? 1 : 0
  }
  const verb = VERBS[command]
  if (!verb) {
    log.fatal(`command ${command} is not supported by tsrun`)
    return 1
  }
  const ctx: CliContext = { command, root: str(global.root) ?? DEFAULT_ROOT, global, flags: parsed.flags, args: parsed.args }
  try {
    const fn = load<Record<string, Verb>>(verb[0])[verb[1]]!
    return await fn(ctx)
  } catch (e) {
    log.fatal(errorText(command, e))
    if (!isTsrunError(e) && bool(global.debug)) process.stderr.write(`${(e as Error).stack}\n`)
    return isTsrunError(e) ? e.exitCode : 1
  }
}
