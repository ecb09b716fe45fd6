// `tsrun image load|ls|rm|prune`: the layer store.
import { importImage } from '../image/import'
import { parseImageArg } from '../image/image-arg'
import { listImages, removeImage, type ImageRecord } from '../image/store/images'
import { collectGarbage } from '../image/store/gc'
import { withStoreLock } from '../image/store/lock'
import { formatPlatform } from '../image/platform'
import { humanBytes } from '../image/progress'
import { TsrunError } from '../errors'
import { str } from './args'
import type { CliContext } from './context'
import { imageOptions } from './image-options'

const out = (s: string): void => { process.stdout.write(`${s}\n`) }
const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12)

/** `image ls` as a table (pure). */
export function imageTable(images: readonly ImageRecord[]): string {
  const rows = [['NAME', 'IMAGE ID', 'PLATFORM', 'LAYERS', 'SIZE']]
  for (const i of images) {
    for (const name of i.names.length ? i.names : ['<none>'])
      rows.push([name, shortId(i.id), formatPlatform(i.platform), String(i.chainIds.length), humanBytes(i.size, '')])
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('')).join('\n')
}

async function load(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length !== 1) throw new TsrunError('tsrun: "image load" requires exactly 1 argument(s): SRC[:REF] (an OCI layout, or a docker or OCI archive)')
  const o = imageOptions(ctx)
  const arg = parseImageArg(args[0]!)
  if (!arg.source) throw new TsrunError(`image load: ${args[0]}: no such file or directory`)
  const { image, unpacked } = await importImage({ store: o.store, source: arg.source, ref: arg.ref, platform: o.platform, name: str(ctx.flags.name), progress: o.progress })
  if (!o.quiet) {
    for (const n of image.names) out(`Loaded image: ${n}`)
    if (!image.names.length) out(`Loaded image ID: ${image.id}`)
    out(`${unpacked} of ${image.chainIds.length} layers unpacked into ${o.store.root}`)
  }
  return 0
}

function ls(ctx: CliContext): number {
  const o = imageOptions(ctx)
  const images = listImages(o.store)
  const format = str(ctx.flags.format) ?? 'table'
  if (format === 'json') out(JSON.stringify(images.map((i) => ({
    id: i.id, names: i.names, configDigest: i.configDigest, platform: formatPlatform(i.platform), layers: i.chainIds, size: i.size, imported: i.imported,
  }))))
  else if (format !== 'table') throw new TsrunError(`invalid format option: ${format}`)
  else if (o.quiet) for (const i of images) out(i.id)
  else out(imageTable(images))
  return 0
}

async function rm(ctx: CliContext, refs: string[]): Promise<number> {
  if (refs.length === 0) throw new TsrunError('tsrun: "image rm" requires a minimum of 1 argument(s)')
  const o = imageOptions(ctx)
  let status = 0
  await withStoreLock(o.store, 'exclusive', () => {
    for (const ref of refs) {
      const r = removeImage(o.store, ref)
      if (!r.untagged && !r.deleted) { process.stderr.write(`image rm: image "${ref}" not found in ${o.store.root}\n`); status = 1; continue }
      if (r.untagged) out(`Untagged: ${r.untagged}`)
      if (r.deleted) out(`Deleted: ${r.deleted}`)
    }
    for (const l of collectGarbage(o.store).removedLayers) out(`Deleted layer: ${l}`)
  })
  return status
}

async function prune(ctx: CliContext): Promise<number> {
  const o = imageOptions(ctx)
  const r = await withStoreLock(o.store, 'exclusive', () => collectGarbage(o.store))
  for (const l of r.removedLayers) out(`Deleted layer: ${l}`)
  out(`Total reclaimed space: ${humanBytes(r.reclaimedBytes, '')}`)
  return 0
}

export function image(ctx: CliContext): number | Promise<number> {
  const [sub, ...rest] = ctx.args
  switch (sub) {
    case 'load': return load(ctx, rest)
    case 'ls': case 'list': return ls(ctx)
    case 'rm': case 'remove': return rm(ctx, rest)
    case 'prune': return prune(ctx)
    default: throw new TsrunError(sub === undefined ? 'tsrun image: give a subcommand: load, ls, rm or prune' : `tsrun image: unknown subcommand "${sub}" (load, ls, rm, prune)`)
  }
}
