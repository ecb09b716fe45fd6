import { dirname, join } from 'node:path'
import { runContainer } from '../runtime/run'
import { containerPaths } from '../state/paths'
import { chmodSync, existsSync, mkdirSync } from 'node:fs'
import { ERR, TsrunError } from '../errors'
import { bool, str } from './args'
import { checkCgroupDriver, exactArgs, intFlag, minArgs, type CliContext } from './context'

export async function run(ctx: CliContext): Promise<number> {
  const image = str(ctx.flags.image)
  const [id] = image === undefined ? exactArgs(ctx, 1) : minArgs(ctx, 1)
  checkCgroupDriver(ctx)
  const opts = {
    root: ctx.root, id: id!, bundle: str(ctx.flags.bundle), pidFile: str(ctx.flags['pid-file']),
    consoleSocket: str(ctx.flags['console-socket']), noPivot: bool(ctx.flags['no-pivot']),
    preserveFds: intFlag(ctx.flags['preserve-fds'], 'preserve-fds'), detach: bool(ctx.flags.detach), keep: bool(ctx.flags.keep),
  }
  if (image === undefined) return runContainer(opts)
  return runImage(ctx, opts, image)
}

/** `run --image SRC[:REF] ID [CMD...]`: a bundle made for this container (it goes at delete), then run. */
async function runImage(ctx: CliContext, opts: Parameters<typeof runContainer>[0], image: string): Promise<number> {
  if (opts.bundle !== undefined) throw new TsrunError('run: --image and --bundle exclude each other')
  // required here, not imported at the top: a plain `run` never loads the image code. require, not import():
  // the verb bundles run as vm.Scripts (code cache), which have no dynamic import callback
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { imageOptions } = require('./image-options') as typeof import('./image-options')
  const { createBundle } = require('../image/bundle-create') as typeof import('../image/bundle-create')
  const { isMountPoint, removeOwnedBundle } = require('../image/rootfs') as typeof import('../image/rootfs')
  const o = imageOptions(ctx)
  const { createHash } = require('node:crypto') as typeof import('node:crypto') // not at the top: it costs a plain `run` ~3 ms
  /* eslint-enable @typescript-eslint/no-require-imports */
  const hash = createHash('sha256').update(`${ctx.root}\0${opts.id}`).digest('hex').slice(0, 32)
  const dir = join(o.store.root, 'containers', hash)
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 })
  chmodSync(dirname(dir), 0o700) // root only: every container's rootfs is mounted below
  if (existsSync(containerPaths(ctx.root, opts.id).dir)) throw new TsrunError(ERR.exists)
  const owned = { dir, store: o.store.root }
  // a mounted rootfs there belongs to a live run of this id (in another --root view or still starting): refuse;
  // anything else is the leftover of a run that was killed before it could clean up
  if (isMountPoint(join(dir, 'rootfs'))) throw new TsrunError(ERR.exists)
  removeOwnedBundle(owned)
  await createBundle({ store: o.store, image, dir, platform: o.platform, progress: o.progress, args: ctx.args.slice(1), terminal: bool(ctx.flags.tty), cgroupsPath: str(ctx.flags['cgroups-path']), hostname: opts.id.slice(0, 63) })
  try {
    return await runContainer({ ...opts, bundle: dir, ownedBundle: owned })
  } catch (e) {
    if (!existsSync(containerPaths(ctx.root, opts.id).dir)) removeOwnedBundle(owned)
    throw e
  }
}
