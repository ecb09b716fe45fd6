// Open a bundle: read config.json, validate it, resolve the rootfs.
import { readFileSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { validateSpec, type Spec } from '../spec'
import { TsrunError } from '../errors'

export interface Bundle { dir: string; spec: Spec; rootfs: string }

export function loadBundle(bundleArg: string | undefined, cwd = process.cwd()): Bundle {
  const dir = resolve(cwd, bundleArg ?? '.')
  let text: string
  try {
    text = readFileSync(join(dir, 'config.json'), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new TsrunError(`JSON specification file ${join(dir, 'config.json')} not found`)
    throw new TsrunError(`open ${join(dir, 'config.json')}: ${(e as Error).message}`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw new TsrunError(`config.json: invalid JSON: ${(e as Error).message}`)
  }
  const spec = validateSpec(raw)
  if (!spec.root?.path) throw new TsrunError('root.path: a root filesystem is required')
  const rootfs = isAbsolute(spec.root.path) ? spec.root.path : join(dir, spec.root.path)
  let isDir = false
  try { isDir = statSync(rootfs).isDirectory() } catch { /* reported below */ }
  if (!isDir) throw new TsrunError(`root.path: rootfs ${rootfs} does not exist or is not a directory`)
  return { dir, spec, rootfs }
}
