// Bundles made from images register here, so that garbage collection keeps the layers they mount.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { bundleRefFile, type StoreLayout } from './layout'
import { ImageError } from '../types'
import { writeJsonAtomically } from './json-file'

export interface BundleRef {
  dir: string
  chainIds: string[]
}

export function addBundleRef(s: StoreLayout, ref: BundleRef): void {
  mkdirSync(s.bundles, { recursive: true })
  writeJsonAtomically(bundleRefFile(s, ref.dir), ref)
}

export function removeBundleRef(s: StoreLayout, dir: string): void {
  rmSync(bundleRefFile(s, dir), { force: true })
}

/** `strict`: an unreadable reference is an error instead of being skipped. */
export function listBundleRefs(s: StoreLayout, strict = false): { file: string; ref: BundleRef }[] {
  let names: string[]
  try { names = readdirSync(s.bundles) } catch { return [] }
  const out: { file: string; ref: BundleRef }[] = []
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    const file = join(s.bundles, n)
    try { out.push({ file, ref: JSON.parse(readFileSync(file, 'utf8')) as BundleRef }) } catch (e) {
      if (strict) throw new ImageError(`bundle reference ${file} is unreadable (${(e as Error).message}): garbage collection stopped, remove or fix it`)
    }
  }
  return out
}
