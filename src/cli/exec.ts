import { execProcess, readProcessFile, savedSpec } from '../runtime/exec'
import { loadContainer } from '../runtime/container'
import { validateProcess, type Process } from '../spec'
import { TsrunError } from '../errors'
import { bool, list, str } from './args'
import { intFlag, minArgs, type CliContext } from './context'

/** The process to run: --process FILE, or the container's own process with args and flags applied (runc newProcess). */
function processFrom(ctx: CliContext, id: string, args: string[]): Process {
  const file = str(ctx.flags.process)
  if (file) return readProcessFile(file)
  if (args.length === 0) throw new TsrunError('exec args cannot be empty')
  const base = loadContainer(ctx.root, id, false)
  const spec = savedSpec(base.paths.config)
  const p: Process = structuredClone(spec.process ?? { user: { uid: 0, gid: 0 }, cwd: '/', args: [] })
  p.args = args
  p.terminal = bool(ctx.flags.tty)
  const cwd = str(ctx.flags.cwd)
  if (cwd) p.cwd = cwd
  p.env = [...(p.env ?? []), ...list(ctx.flags.env)]
  if (ctx.flags['no-new-privs'] !== undefined) p.noNewPrivileges = bool(ctx.flags['no-new-privs'])
  const user = str(ctx.flags.user)
  if (user) {
    const m = /^(\d+)(?::(\d+))?$/.exec(user)
    if (!m) throw new TsrunError(`--user: "${user}" is not UID[:GID] (names are not supported)`)
    p.user = { uid: Number(m[1]), gid: m[2] === undefined ? 0 : Number(m[2]) }
  }
  const gids = list(ctx.flags['additional-gids']).map((g) => intFlag(g, 'additional-gids'))
  if (gids.length) p.user.additionalGids = gids
  for (const cap of list(ctx.flags.cap)) {
    p.capabilities ??= {}
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) p.capabilities[set] = [...(p.capabilities[set] ?? []), cap]
  }
  return validateProcess(p)
}

/** runc exits 255 when exec itself fails (the process's own status is returned otherwise). */
export async function exec(ctx: CliContext): Promise<number> {
  try {
    return await execVerb(ctx)
  } catch (e) {
    throw new TsrunError(e instanceof Error ? e.message : String(e), 255, { cause: e })
  }
}

function execVerb(ctx: CliContext): Promise<number> {
  const [id, ...args] = minArgs(ctx, 1)
  return execProcess({
    root: ctx.root, id: id!, process: processFrom(ctx, id!, args), detach: bool(ctx.flags.detach),
    pidFile: str(ctx.flags['pid-file']), consoleSocket: str(ctx.flags['console-socket']),
    preserveFds: intFlag(ctx.flags['preserve-fds'], 'preserve-fds'), ignorePaused: bool(ctx.flags['ignore-paused']),
  })
}
