// Find the tsrun-init helper and make sure it is usable before anything is created.
import { accessSync, constants, existsSync } from 'node:fs'
import { join } from 'node:path'
import { TsrunError } from '../errors'

const FIX = 'build it with `npm run build` (needs gcc and make) in the tsrun checkout'

/** The helper path: $TSRUN_INIT, or native/build/tsrun-init next to the bundle (dist/) or the sources (src/runtime/). */
export function helperPath(): string {
  const override = process.env.TSRUN_INIT
  if (override) return override
  const candidates = [join(__dirname, '..', 'native', 'build', 'tsrun-init'), join(__dirname, '..', '..', 'native', 'build', 'tsrun-init')]
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!
}

/** Present and executable; the protocol version is checked in the PLAN handshake (the helper answers ERROR on mismatch). */
export function checkHelper(path: string): void {
  if (!existsSync(path)) throw new TsrunError(`tsrun-init helper not found at ${path}: ${FIX}`)
  try { accessSync(path, constants.X_OK) } catch {
    throw new TsrunError(`tsrun-init helper at ${path} is not executable: chmod +x it or ${FIX}`)
  }
}

export function protocolMismatch(path: string, theirs: number, ours: number): TsrunError {
  return new TsrunError(`tsrun-init at ${path} speaks protocol ${theirs}, this tsrun needs ${ours}: ${FIX}`)
}
