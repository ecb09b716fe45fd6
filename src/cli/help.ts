// Help text, built with yargs (loaded only here: it costs ~50 ms, so no other path touches it).
import { COMMANDS, GLOBAL_FLAGS } from './args'

const DESCRIPTIONS: Record<string, string> = {
  create: 'create a container', run: 'create and run a container', start: 'executes the user defined process in a created container',
  state: 'output the state of a container', kill: 'kill sends the specified signal (default: SIGTERM) to the container\'s init process',
  delete: 'delete any resources held by the container', list: 'lists containers started by tsrun with the given root',
  exec: 'execute new process inside the container', ps: 'ps displays the processes running inside a container',
  pause: 'pause suspends all processes inside the container', resume: 'resumes all processes that have been previously paused',
  update: 'update container resource constraints', events: 'display container events such as OOM notifications, cpu, memory, and IO usage statistics',
  features: 'show the enabled features', spec: 'create a new specification file', checkpoint: 'checkpoint a running container (not supported)',
  restore: 'restore a container from a previous checkpoint (not supported)',
  image: 'manage the image layer store: load SRC[:REF], ls, rm REF..., prune',
  bundle: 'bundle create --image SRC[:REF] DIR [CMD...]: make a bundle whose rootfs is an image (overlayfs)',
}

export function printHelp(command: string | undefined): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('yargs/yargs') as { default?: (args: string[]) => import('yargs').Argv }
  const yargs = (mod.default ?? mod) as (args: string[]) => import('yargs').Argv
  let y = yargs([]).scriptName('tsrun').version(false).help(false).wrap(100)
  if (command && COMMANDS[command]) {
    y = y.usage(`$0 ${command} [command options] <container-id>\n\n${DESCRIPTIONS[command] ?? ''}`)
    for (const f of COMMANDS[command]!.flags) y = y.option(f.name, { alias: f.alias, type: f.kind === 'bool' ? 'boolean' : f.kind === 'multi' ? 'array' : 'string' })
  } else {
    y = y.usage('$0 [global options] <command> [command options] <container-id>')
    for (const [name, d] of Object.entries(DESCRIPTIONS)) y = y.command(name, d)
    for (const f of GLOBAL_FLAGS) y = y.option(f.name, { alias: f.alias, type: f.kind === 'bool' ? 'boolean' : 'string' })
  }
  y.showHelp((s: string) => process.stdout.write(`${s}\n`))
}
