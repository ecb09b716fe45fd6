// The command line, parsed the way runc's (urfave/cli + Go flag) parses it: global flags before the
// command, `--flag value` and `--flag=value`, single-dash long flags (`-no-subreaper`), short aliases.
import { TsrunError } from '../errors'

export type FlagKind = 'bool' | 'string' | 'multi'
export interface FlagSpec { name: string; kind: FlagKind; alias?: string }

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'root', kind: 'string' }, { name: 'log', kind: 'string' }, { name: 'log-format', kind: 'string' },
  { name: 'debug', kind: 'bool' }, { name: 'systemd-cgroup', kind: 'bool' }, { name: 'rootless', kind: 'string' },
  { name: 'criu', kind: 'string' }, { name: 'version', kind: 'bool', alias: 'v' }, { name: 'help', kind: 'bool', alias: 'h' },
]

const f = (name: string, kind: FlagKind, alias?: string): FlagSpec => ({ name, kind, alias })
const CREATE = [f('bundle', 'string', 'b'), f('pid-file', 'string'), f('console-socket', 'string'), f('no-pivot', 'bool'),
  f('no-new-keyring', 'bool'), f('preserve-fds', 'string'), f('pidfd-socket', 'string')]

const IMAGE_SOURCE = [f('store', 'string'), f('platform', 'string'), f('quiet', 'bool', 'q')]

/**
 * Per command: its flags, and where flag parsing stops: at the first positional (kill, exec), or after `stopAfter`
 * positionals (`run --image SRC ID CMD...`, `bundle create DIR CMD...`: the command's own flags are its own).
 */
export const COMMANDS: Readonly<Record<string, { flags: FlagSpec[]; stopAtPositional?: boolean; stopAfter?: (flags: FlagValues) => number | undefined }>> = {
  create: { flags: CREATE },
  run: {
    flags: [...CREATE, f('detach', 'bool', 'd'), f('keep', 'bool'), f('no-subreaper', 'bool'), f('image', 'string'), f('tty', 'bool', 't'), f('cgroups-path', 'string'), ...IMAGE_SOURCE],
    stopAfter: (flags) => (flags.image !== undefined ? 1 : undefined),
  },
  image: { flags: [...IMAGE_SOURCE, f('format', 'string', 'f'), f('name', 'string')] },
  bundle: {
    flags: [f('image', 'string'), ...IMAGE_SOURCE, f('env', 'multi', 'e'), f('user', 'string', 'u'), f('cwd', 'string'),
      f('entrypoint', 'string'), f('tty', 'bool', 't'), f('hostname', 'string'), f('readonly', 'bool'), f('cgroups-path', 'string')],
    stopAfter: () => 2,
  },
  start: { flags: [] },
  state: { flags: [] },
  kill: { flags: [f('all', 'bool', 'a')], stopAtPositional: true },
  delete: { flags: [f('force', 'bool', 'f')] },
  list: { flags: [f('format', 'string', 'f'), f('quiet', 'bool', 'q')] },
  exec: {
    flags: [f('console-socket', 'string'), f('pidfd-socket', 'string'), f('cwd', 'string'), f('env', 'multi', 'e'), f('tty', 'bool', 't'),
      f('user', 'string', 'u'), f('additional-gids', 'multi', 'g'), f('process', 'string', 'p'), f('detach', 'bool', 'd'),
      f('pid-file', 'string'), f('process-label', 'string'), f('apparmor', 'string'), f('no-new-privs', 'bool'),
      f('cap', 'multi', 'c'), f('preserve-fds', 'string'), f('cgroup', 'multi'), f('ignore-paused', 'bool')],
    stopAtPositional: true,
  },
  ps: { flags: [f('format', 'string', 'f')], stopAtPositional: true },
  pause: { flags: [] },
  resume: { flags: [] },
  update: {
    flags: [f('resources', 'string', 'r'), ...['memory', 'memory-reservation', 'memory-swap', 'kernel-memory', 'kernel-memory-tcp',
      'cpu-shares', 'cpu-period', 'cpu-quota', 'cpu-burst', 'cpu-rt-period', 'cpu-rt-runtime', 'cpuset-cpus', 'cpuset-mems',
      'pids-limit', 'blkio-weight', 'l3-cache-schema', 'mem-bw-schema', 'cpu-idle'].map((n) => f(n, 'string'))],
  },
  events: { flags: [f('stats', 'bool'), f('interval', 'string')] },
  features: { flags: [] },
  spec: { flags: [f('bundle', 'string', 'b'), f('rootless', 'bool')] },
  checkpoint: { flags: [] },
  restore: { flags: [] },
}

const HELP: FlagSpec = { name: 'help', kind: 'bool', alias: 'h' }

export type FlagValues = Record<string, string | boolean | string[]>
export interface ParsedArgs { global: FlagValues; command: string | undefined; flags: FlagValues; args: string[] }

function usage(msg: string): TsrunError {
  return new TsrunError(`Incorrect Usage: ${msg}`)
}

/** Parse flags from argv[i...] against specs; returns the index where parsing stopped. */
function parseFlags(argv: readonly string[], start: number, specs: readonly FlagSpec[], out: FlagValues,
  positionals: string[] | undefined, stopAtPositional: boolean, stopAfter?: (flags: FlagValues) => number | undefined): number {
  let i = start
  while (i < argv.length) {
    const tok = argv[i]!
    if (tok === '--') { if (positionals) positionals.push(...argv.slice(i + 1)); return argv.length }
    if (!tok.startsWith('-') || tok === '-') {
      if (!positionals) return i
      positionals.push(tok)
      i++
      const limit = stopAfter?.(out)
      if (stopAtPositional || (limit !== undefined && positionals.length >= limit)) { positionals.push(...argv.slice(i)); return argv.length }
      continue
    }
    const body = tok.replace(/^--?/, '')
    const eq = body.indexOf('=')
    const name = eq >= 0 ? body.slice(0, eq) : body
    const spec = specs.find((s) => s.name === name || s.alias === name) ?? (name === 'help' || name === 'h' ? HELP : undefined)
    if (!spec) throw usage(`flag provided but not defined: -${name}`)
    i++
    if (spec.kind === 'bool') {
      const v = eq >= 0 ? body.slice(eq + 1) : 'true'
      if (v !== 'true' && v !== 'false') throw usage(`invalid boolean value "${v}" for -${name}`)
      out[spec.name] = v === 'true'
      continue
    }
    let value: string
    if (eq >= 0) value = body.slice(eq + 1)
    else {
      if (i >= argv.length) throw usage(`flag needs an argument: -${name}`)
      value = argv[i++]!
    }
    if (spec.kind === 'multi') out[spec.name] = [...((out[spec.name] as string[] | undefined) ?? []), value]
    else out[spec.name] = value
  }
  return i
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const global: FlagValues = {}
  const i = parseFlags(argv, 0, GLOBAL_FLAGS, global, undefined, false)
  const command = argv[i]
  if (command === undefined) return { global, command: undefined, flags: {}, args: [] }
  const cmd = COMMANDS[command]
  if (!cmd) throw new TsrunError(`No help topic for '${command}'`)
  const flags: FlagValues = {}
  const args: string[] = []
  parseFlags(argv, i + 1, cmd.flags, flags, args, cmd.stopAtPositional ?? false, cmd.stopAfter)
  return { global, command, flags, args }
}

export const str = (v: FlagValues[string] | undefined): string | undefined => (typeof v === 'string' ? v : undefined)
export const bool = (v: FlagValues[string] | undefined): boolean => v === true
export const list = (v: FlagValues[string] | undefined): string[] => (Array.isArray(v) ? v : [])
