// Store records are replaced whole: written to a temporary name of this process, then renamed over the old one.
import { renameSync, writeFileSync } from 'node:fs'

export function writeJsonAtomically(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, JSON.stringify(value))
  renameSync(tmp, path)
}
