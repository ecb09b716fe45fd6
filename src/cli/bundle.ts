// `tsrun bundle create --image SRC[:REF] DIR [CMD...]`.
import { createBundle } from '../image/bundle-create'
import { TsrunError } from '../errors'
import { bool, str } from './args'
import type { CliContext } from './context'
import { imageOptions } from './image-options'

export async function bundle(ctx: CliContext): Promise<number> {
  const [sub, dir, ...cmd] = ctx.args
  if (sub !== 'create') throw new TsrunError(sub === undefined ? 'tsrun bundle: give a subcommand: create' : `tsrun bundle: unknown subcommand "${sub}" (create)`)
  const image = str(ctx.flags.image)
  if (!image) throw new TsrunError('bundle create: --image SRC[:REF] is required')
  if (!dir) throw new TsrunError('tsrun: "bundle create" requires a bundle directory argument')
  const o = imageOptions(ctx)
  const entrypoint = str(ctx.flags.entrypoint)
  const r = await createBundle({
    store: o.store, image, dir, platform: o.platform, progress: o.progress, args: cmd.length ? cmd : undefined,
    entrypoint: entrypoint === undefined ? undefined : entrypoint === '' ? [] : [entrypoint],
    env: ctx.flags.env as string[] | undefined, user: str(ctx.flags.user), cwd: str(ctx.flags.cwd), terminal: bool(ctx.flags.tty),
    hostname: str(ctx.flags.hostname), readonly: bool(ctx.flags.readonly), cgroupsPath: str(ctx.flags['cgroups-path']),
  })
  if (!o.quiet) process.stdout.write(`${r.dir}\n`)
  return 0
}
